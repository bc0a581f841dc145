"""The practice call's lifecycle as typed events (bot.events): what a front-end needs to know
about the call comes with the turn, so no front-end reads the session's state or slots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import Content, load_content
from bot.conversation import Conversation
from bot.events import CallEnded, CallStarted, DebriefEnded, Event, Say

TODAY = dt.date(2026, 11, 21)
FACTS = "I got an offer from Contoso. Anita Rao, she would be my manager."
DECLINE = (
    "Hi Anita, thank you so much for the offer. After a lot of thought I have decided to decline; "
    "I accepted a role closer to my goals."
)


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content()


def lifecycle(events: list[Event]) -> list[Event]:
    return [e for e in events if isinstance(e, CallStarted | CallEnded | DebriefEnded)]


def to_the_call(conv: Conversation, *lines: str) -> list[Event]:
    conv.opening()
    events: list[Event] = []
    for line in (*lines, "go:rehearse", "1", "1", "Sam Lee"):
        events = conv.send(line)
        assert not lifecycle(events) or line == "Sam Lee", (line, events)
    return events


def test_a_call_starts_with_the_case_s_manager_and_ends_with_its_score(content: Content, tmp_path: Path) -> None:
    conv = Conversation.open(content, data_dir=str(tmp_path), new=True, today=TODAY, persist=False)
    events = to_the_call(conv, FACTS)
    [started] = lifecycle(events)
    assert isinstance(started, CallStarted)
    assert (started.manager, started.company, started.persona) == ("Anita Rao", "Contoso", "gracious")
    assert started.title and started.difficulty and started.so_far == ()
    # Announced before the manager picks up.
    first_manager = next(i for i, e in enumerate(events) if isinstance(e, Say) and e.speaker == "manager")
    assert events.index(started) < first_manager
    assert lifecycle(conv.send(DECLINE)) == []
    assert lifecycle(conv.send("That is kind, but my decision is final.")) == []
    [ended] = lifecycle(conv.send("Thank you, I appreciate it. I hope our paths cross again. Goodbye!"))
    assert isinstance(ended, CallEnded) and ended.debrief and ended.score is not None and 0 < ended.score <= 100
    # Leaving the debrief for the menu says so.
    assert [type(e) for e in lifecycle(conv.send("3"))] == [DebriefEnded]


def test_no_stand_in_names_when_the_case_has_none(content: Content, tmp_path: Path) -> None:
    conv = Conversation.open(content, data_dir=str(tmp_path), new=True, today=TODAY, persist=False)
    conv.opening()
    for line in ("go:rehearse", "1", "1"):
        events = conv.send(line)
    [started] = lifecycle(events)
    assert isinstance(started, CallStarted)
    assert (started.manager, started.company, started.role) == ("", "", "")  # not rehearsal.yaml's defaults


def test_a_case_resumed_on_a_call_says_so_with_the_call_so_far(content: Content, tmp_path: Path) -> None:
    conv = Conversation.open(content, data_dir=str(tmp_path), new=True, today=TODAY)
    to_the_call(conv, FACTS)
    conv.send(DECLINE)
    conv.close()
    again = Conversation.open(content, data_dir=str(tmp_path), today=TODAY)
    try:
        assert again.resumed
        [started] = lifecycle(again.opening())
        assert isinstance(started, CallStarted) and started.manager == "Anita Rao"
        assert ("user", DECLINE) in started.so_far
        assert any(who == "manager" for who, _ in started.so_far)
    finally:
        again.close()
