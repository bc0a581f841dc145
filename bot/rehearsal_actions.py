"""The rehearsal inside the chat: start a call from what the session knows, route the
person's lines to it until it ends, then show the scorecard and offer to go again.

Flow: ``dialogues/flows/rehearse.yaml``. Actions:

- ``rehearse-choose``: on the ``as-<persona>`` / ``at-<difficulty>`` states, records the pick.
- ``rehearse``: on entering ``rehearse.call``, builds a ``Rehearsal`` from the slots (name,
  company, role, manager; plan "negotiate" when decision == "negotiate") and lets the
  manager pick up.
- ``rehearse-harder``: one notch harder, with a fresh seed.
- ``rehearse-debrief``: scores a call cut short with the "End the call" choice.

Routing a line to the call: the session's interrupts see a line only after the global
intents, so "Bye!" to the manager would quit the coach. When the session offers a
``capture`` hook (a callable it consults first, for every line including empty ones), the
call is armed there; otherwise the ``rehearsal-call`` interrupt takes the lines it gets.

The call itself is kept as plain data in ``slots["rehearsal"]`` (persona, difficulty, seed,
context and every line typed) and replayed after a restore, so a saved case resumes the
exact same call.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

from bot.actions import action, interrupt
from bot.moves import Goto, Move

if TYPE_CHECKING:
    from bot.events import CallStarted, Event
    from bot.rehearsal import Book, Rehearsal
    from bot.session import Session

FLOW = "rehearse"
CALL_STATE = f"{FLOW}.call"
DEBRIEF_STATE = f"{FLOW}.debrief"
SLOT = "rehearsal"

# The rehearsal engine is imported when a call starts, not at launch (start-up is measured).
_live: weakref.WeakKeyDictionary[Any, Rehearsal] = weakref.WeakKeyDictionary()
_books: dict[tuple[str, int], Book] = {}


def _book(session: Session) -> Book:
    content = session.content
    key = (str(content.dialogues), id(content.normaliser))
    book = _books.get(key)
    if book is None:
        from bot.rehearsal import load_book

        book = _books[key] = load_book(content.dialogues, normaliser=content.normaliser)
    return book


def _context(session: Session) -> dict[str, Any]:
    """The call's names and plan, from the case (``session.slots``): never a stand-in for a
    fact the case knows. The plan is the person's decision (else the coach's recommendation):
    decline, negotiate or ask for time, with the date to propose when the case has one."""
    slots = session.slots
    plan = str(slots.get("decision") or slots.get("recommendation") or "decline")
    return {
        "name": _text(slots.get("name")),
        "company": _text(slots.get("company")),
        "role": _text(slots.get("role")),
        "manager": _text(slots.get("manager")) or _text(slots.get("recruiter")),
        "plan": plan if plan in ("negotiate", "ask-for-time") else "decline",
        "reply_by": _date(slots.get("reply_by") or slots.get("deadline")),
    }


def _text(value: Any) -> str:
    return str(value).strip() if isinstance(value, str) else ""


def _date(value: Any) -> str:
    """An ISO date from the case as people say it ("Friday 12 December")."""
    import datetime as dt

    try:
        day = dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return ""
    return f"{day:%A} {day.day} {day:%B}"


@action("rehearse-choose", produces=())
def choose(session: Session) -> list[Event] | None:
    book = _book(session)
    name = session.state.partition(".")[2]
    pick = name[3:]
    if name.startswith("as-") and pick in book.personas:
        session.slots["rehearsal_persona"] = pick
    elif name.startswith("at-") and pick in book.difficulties:
        session.slots["rehearsal_difficulty"] = pick
    return None


@action("rehearse")
def start(session: Session) -> list[Event] | None:
    book = _book(session)
    persona = str(session.slots.get("rehearsal_persona") or "gracious")
    difficulty = str(session.slots.get("rehearsal_difficulty") or "normal")
    if persona not in book.personas:
        persona = "gracious"
    if difficulty not in book.difficulties:
        difficulty = "normal"
    seed = _seed(session)
    from bot.rehearsal import Rehearsal

    r = Rehearsal(persona, difficulty, seed, _context(session), book=book)
    events = r.opening()
    _keep(session, r)
    return events


def _seed(session: Session) -> int:
    """Each call of a conversation gets its own seed: the session's seed and the attempt, so
    "Same call again" and "Try again, harder" are new calls, and a restored case replays."""
    attempt = int(session.slots.get("rehearsal_attempt") or 0)
    session.slots["rehearsal_attempt"] = attempt + 1
    return int(session.seed) * 1000 + attempt


@action("rehearse-debrief")
def debrief(session: Session) -> list[Event] | None:
    r = _live.get(session)
    if r is None and isinstance(session.slots.get(SLOT), dict):
        from bot.rehearsal import Rehearsal

        r = Rehearsal.replay(session.slots[SLOT], book=_book(session))
    _drop(session)
    if r is None or r.finished:
        return None
    events = r.end()
    session.slots[SLOT] = r.snapshot()
    return events


@action("rehearse-harder")
def harder(session: Session) -> list[Event] | None:
    book = _book(session)
    current = str(session.slots.get("rehearsal_difficulty") or "normal")
    session.slots["rehearsal_difficulty"] = book.harder(current)
    return None


def _keep(session: Session, r: Rehearsal) -> None:
    _live[session] = r
    session.slots[SLOT] = r.snapshot()
    if hasattr(session, "capture"):
        setattr(session, "capture", call_turn)  # noqa: B010 (an optional hook)


def _drop(session: Session) -> None:
    _live.pop(session, None)
    if getattr(session, "capture", None) is call_turn:
        setattr(session, "capture", None)  # noqa: B010


def current(session: Session) -> Rehearsal | None:
    """The call in progress in this session (rebuilt from the slots after a restore)."""
    if session.state != CALL_STATE:
        return None
    r = _live.get(session)
    if r is None and isinstance(session.slots.get(SLOT), dict):
        from bot.rehearsal import Rehearsal

        r = Rehearsal.replay(session.slots[SLOT], book=_book(session))
        if r.finished:
            return None
        _keep(session, r)
    return r


@interrupt("rehearsal-call", order=0, goes=[DEBRIEF_STATE])
def call_turn(session: Session, text: str) -> list[Event] | Move | None:
    """One line of the call. Returns None when no call is in progress (the line is not ours)."""
    if session.state != CALL_STATE:
        _drop(session)
        return None
    r = current(session)
    if r is None:
        for ev in start(session) or []:
            session.emit(ev)
        r = _live[session]
    events = r.turn(text)
    session.slots[SLOT] = r.snapshot()
    if not r.finished:
        return events
    # The call is over: its last words and the scorecard first, then the debrief's choices.
    for ev in events:
        session.emit(ev)
    _drop(session)
    return Goto(DEBRIEF_STATE)


# -- the call's lifecycle as typed events (for front-ends: bot.events.CallStarted/CallEnded) ---


def phase(session: Session) -> str:
    """Where the rehearsal is: "call", "debrief" or "" (not rehearsing)."""
    state = session.state
    return "call" if state == CALL_STATE else "debrief" if state == DEBRIEF_STATE else ""


def lifecycle(session: Session, before: str, events: list[Event], *, resumed: bool = False) -> list[Event]:
    """``events`` with the call's lifecycle added, given the phase before the turn.

    A call that went live gets ``CallStarted`` (just before the manager's first words), a
    call that is over gets ``CallEnded`` with its score, and a debrief that was left gets
    ``DebriefEnded``; so a front-end knows where the rehearsal is from the events alone.
    """
    from bot.events import CallEnded, DebriefEnded, Say, Scorecard

    after = phase(session)
    out = list(events)
    if before == "call" and after != "call":
        card = next((e for e in reversed(events) if isinstance(e, Scorecard)), None)
        score = round(100 * sum(line.ok for line in card.lines) / len(card.lines)) if card and card.lines else None
        out.append(CallEnded(score=score, debrief=after == "debrief"))
    if before == "debrief" and after == "":
        out.append(DebriefEnded())
    if after == "call" and before != "call":
        started = _started(session, resumed=resumed)
        first = next((i for i, e in enumerate(out) if isinstance(e, Say) and e.speaker == "manager"), len(out))
        out.insert(first, started)
    return out


def _started(session: Session, *, resumed: bool) -> CallStarted:
    from bot.events import CallStarted

    snap = session.slots.get(SLOT)
    if not isinstance(snap, dict):
        return CallStarted()
    ctx = snap.get("context") or {}
    persona = str(snap.get("persona") or "")
    try:
        title = _book(session).personas[persona].title
    except Exception:  # an unknown persona or a broken persona file is `check`'s business
        title = ""
    so_far: list[tuple[str, str]] = []
    if resumed and snap.get("inputs"):
        for entry in reversed(session.transcript):
            if entry.get("speaker") not in ("user", "manager"):
                break
            so_far.append((str(entry.get("speaker")), str(entry.get("text", ""))))
    # Only the names the case gave: the call's stand-ins (rehearsal.yaml `defaults`) are not
    # facts, and a header naming "Dana Rivera" for a manager nobody named would mislead.
    known = set(ctx.get("known") or ())

    def fact(key: str) -> str:
        return _text(ctx.get(key)) if key in known else ""

    return CallStarted(
        manager=fact("manager"),
        company=fact("company"),
        role=fact("role"),
        persona=persona,
        title=title,
        difficulty=str(snap.get("difficulty") or ""),
        so_far=tuple(so_far[::-1]),
    )
