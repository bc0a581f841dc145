"""Random walks: any text, in any order, never raises and never strands the person."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.content import Content
from bot.events import Choices, End, Say
from bot.session import Session

HOSTILE = [
    "",
    " ",
    "\x00",
    "\x1b[31mred\x1b[0m",
    "[@click=app.quit]",
    "[bold]x[/bold]",
    "[/foo]",
    "{{ 7*7 }}",
    "{% for x in range(9**9) %}",
    "{{ ''.__class__.__mro__ }}",
    "'; DROP TABLE cases;--",
    "key: [unclosed",
    "مرحبا",
    "e\u0301\u0301\u0301",
    "👩\u200d💻",
    "\u202eevil",
    "yes",
    "no",
    "back",
    "restart",
    "help",
    "1",
    "2",
    "3",
    "99",
    "go:draft",
    "go:nowhere",
    "skip",
    "I want to decline",
    "negotiate",
    "Acme Corp",
    "by Friday",
    "$95k",
    "quit",
]

texts = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)


def _way_forward(session: Session, events: list) -> bool:  # type: ignore[type-arg]
    """Something was said, and the person can act: a question, choices, or an ended chat."""
    if not events:
        return False
    if any(isinstance(e, Choices) and e.options for e in events):
        return True
    if any(isinstance(e, End) for e in events):
        return True
    st_ = session.spec
    return any(isinstance(e, Say) and e.text for e in events) and bool(
        st_.ask or st_.choices or st_.on or st_.next or st_.final
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(texts, min_size=1, max_size=12))
def test_random_walks_never_raise_or_dead_end(content: Content, lines: list[str]) -> None:
    s = Session(content, today=dt.date(2026, 11, 21))
    assert _way_forward(s, s.start())
    for line in lines:
        events = s.handle(line)
        assert _way_forward(s, events), (line, s.state, events)
        for e in events:
            text = getattr(e, "text", "") or ""
            assert "\x1b" not in text and "\x00" not in text
        # User text stays data: a template typed in is never evaluated.
        assert "49" not in "".join(getattr(e, "text", "") for e in events) or "49" in line
    # And the whole state still round-trips through JSON.
    Session.restore(content, s.snapshot())


# Replies people really give when a question does not fit them: they repeat themselves, say
# yes to an open question, or answer something else. None of it may trap them.
STUCK_REPLIES = [
    "yes",
    "no",
    "hmm",
    "what?",
    "I don't get it",
    "the offer",
    "asdf",
    "maybe",
    "ok",
    "idk",
    "Fabrikam",
    "last week",
    "skip",
]


def _prompt(events: list) -> str:  # type: ignore[type-arg]
    return "\n".join(getattr(e, "text", "") or "" for e in events if isinstance(e, Say))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.sampled_from(["1", "2", "3", "4", *STUCK_REPLIES, "I've decided to decline"]), max_size=6),
    st.lists(st.sampled_from(STUCK_REPLIES), min_size=3, max_size=8),
)
def test_no_state_repeats_the_same_prompt_three_times(content: Content, way_in: list[str], stuck: list[str]) -> None:
    """Reprompts escalate everywhere (rephrase, then the choices, then the menu), so the same
    state never answers with the same words three times in a row."""
    s = Session(content, today=dt.date(2026, 11, 21))
    s.start()
    for line in way_in:
        s.handle(line)
        if s.finished:
            return
    run: list[tuple[str, str]] = []
    for line in stuck:
        events = s.handle(line)
        if s.finished:
            return
        run.append((s.state, _prompt(events)))
        assert not (len(run) >= 3 and run[-1] == run[-2] == run[-3]), (way_in, stuck, run[-1])
