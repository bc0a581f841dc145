"""The decision log's Notified and Feedback columns are filled from the conversation."""

from __future__ import annotations

import datetime as dt

from bot.store import entry_from_slots


def test_notified_comes_from_whom_the_person_will_tell() -> None:
    slots = {
        "decision": "decline",
        "company": "Acme",
        "notify": [{"role": "manager", "name": "Dana Rivera"}, {"role": "interviewer", "name": "Sam Lee"}],
    }
    entry = entry_from_slots(slots, dt.date(2026, 11, 21))
    assert entry.notified == ("Dana Rivera", "Sam Lee")


def test_feedback_comes_from_the_employers_answer_to_a_counter_proposal() -> None:
    slots = {"decision": "accept", "nego_answer": "partial", "counter_figure": "$128,000 a year"}
    assert entry_from_slots(slots, None).feedback == "partial: $128,000 a year"
    assert entry_from_slots({"decision": "decline", "nego_answer": "refused"}, None).feedback == "refused"
    given = entry_from_slots({"notify": [{"name": "X"}]}, None, notified=["Y"], feedback="kept")
    assert given.notified == ("Y",) and given.feedback == "kept"
