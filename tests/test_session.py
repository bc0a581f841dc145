from __future__ import annotations

import datetime as dt
import json

from bot.content import Content
from bot.events import Choices, End, Say
from bot.session import Session

TODAY = dt.date(2026, 11, 21)


def _text(events: list) -> str:  # type: ignore[type-arg]
    return "\n".join(getattr(e, "text", "") for e in events)


def test_start_greets_with_quick_replies(content: Content) -> None:
    s = Session(content, today=TODAY)
    events = s.start()
    assert isinstance(events[0], Say)
    assert any(isinstance(e, Choices) and e.options for e in events)


def test_snapshot_round_trips_exactly(content: Content) -> None:
    s = Session(content, today=TODAY, seed=3)
    s.start()
    for line in ["I want to decline the offer", "Acme Corp"]:
        s.handle(line)
    snap = json.loads(json.dumps(s.snapshot()))
    r = Session.restore(content, snap)
    assert r.state == s.state
    assert r.slots == s.slots
    assert r.history == s.history
    assert r.transcript == s.transcript
    assert r.snapshot() == s.snapshot()
    # Both continue identically.
    assert _text(r.handle("back")) == _text(s.handle("back"))
    assert r.state == s.state and r.slots == s.slots


def test_back_undoes_the_answer(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    s.handle("I want to decline the offer")
    before = dict(s.slots)
    state = s.state
    s.handle("Initech")
    assert s.slots.get("company") == "Initech"
    s.handle("back")
    assert s.state == state
    assert s.slots == before


def test_restart_clears_everything(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    s.handle("I want to decline the offer")
    s.handle("Initech")
    s.handle("restart")
    assert s.state == content.start
    assert s.slots == {}


def test_quit_ends(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    events = s.handle("quit")
    assert any(isinstance(e, End) for e in events)
    assert s.finished
    # After the end, the person is offered somewhere to go, not stranded.
    assert any(isinstance(e, Choices) and e.options for e in s.handle("hello?"))


def test_choice_by_number_and_by_label(content: Content) -> None:
    a = Session(content, today=TODAY)
    a.start()
    b = Session(content, today=TODAY)
    b.start()
    first = content.state(content.start).choices[1]
    a.handle("2")
    b.handle(first.label)
    assert a.state == b.state


def test_no_match_escalates_then_offers_a_menu(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    replies = [s.handle(t) for t in ("qqq zzz", "xxxx yyyy", "wwww vvvv")]
    assert replies[0] and replies[1] and replies[2]
    assert any(isinstance(e, Choices) and e.options for e in replies[2])
    assert _text(replies[0]) != _text(replies[1]) != _text(replies[2])


def test_an_everyday_request_is_called_one(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    said = _text(s.handle("what's the weather like in Paris tomorrow"))
    assert "general assistant" in said
    # Anything naming the job-offer world is never called off topic, understood or not.
    said = _text(s.handle("my recruiter is being strange about the weather"))
    assert "general assistant" not in said


def test_an_everyday_request_is_not_taken_for_a_job_title(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    s.handle("2")  # I've decided to decline
    s.handle("Northwind")
    said = _text(s.handle("set a timer for 10 minutes"))
    assert "general assistant" in said and not s.slots.get("role")
    s.handle("Weather presenter")  # a real title that shares a word with everyday requests
    assert s.slots.get("role") == "Weather presenter"


def test_a_plain_decision_is_not_taken_for_a_situation(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    s.handle("my recruiter is weird about it all")
    assert s.state.startswith("scenario.")
    s.handle("I want to decline")
    assert s.slots.get("scenario") != "change-of-mind"


def test_same_input_same_conversation(content: Content) -> None:
    lines = ["hi", "I've decided to decline", "Acme", "Analyst", "Dana Rivera", "what?", "back"]
    runs = []
    for _ in range(2):
        s = Session(content, today=TODAY, seed=7)
        out = [_text(s.start())] + [_text(s.handle(x)) for x in lines]
        runs.append((out, s.snapshot()))
    assert runs[0] == runs[1]


def test_user_text_never_becomes_a_template(content: Content) -> None:
    s = Session(content, today=TODAY)
    s.start()
    s.handle("I want to decline the offer")
    out = _text(s.handle("{{ 7*7 }} Ltd"))
    assert s.slots["company"] == "{{ 7*7 }} Ltd"
    assert "49" not in out
