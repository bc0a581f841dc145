"""Runs golden conversations written as YAML (tests/conversations/*.yaml).

Format::

    title: what this conversation shows
    today: 2026-11-21          # optional; the clock the coach uses
    turns:
      - user: I want to decline the offer
        state: case.company    # optional: where the conversation must be afterwards
        slots: {decision: decline}   # optional: these slots must hold these values
        says: [which company]  # optional: words the reply must contain (case-insensitive)
        not_says: ["{{"]       # optional: words it must not contain
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content import Content
from bot.events import Event
from bot.plain import format_event
from bot.session import Session


@dataclass
class RunResult:
    visited: set[str] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)


def reply_text(events: list[Event]) -> str:
    return "\n".join(format_event(e) for e in events)


def run_conversation(path: Path, content: Content) -> RunResult:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    today = spec.get("today")
    today = today if isinstance(today, dt.date) else dt.date.fromisoformat(str(today or "2026-11-21"))
    session = Session(content, today=today, seed=int(spec.get("seed", 0)))
    result = RunResult()
    opening = reply_text(session.start())
    result.visited.add(session.state)
    result.visited.update(session.last_trail)
    for phrase in spec.get("opening_says", []):
        if phrase.lower() not in opening.lower():
            result.failures.append(f"opening: expected {phrase!r} in {opening!r}")
    for i, turn in enumerate(spec["turns"], 1):
        user = str(turn.get("user", ""))
        reply = reply_text(session.handle(user))
        result.visited.add(session.state)
        result.visited.update(session.last_trail)
        where = f"turn {i} ({user!r})"
        if "state" in turn and session.state != turn["state"]:
            result.failures.append(f"{where}: expected state {turn['state']}, got {session.state}\n{reply}")
        for key, value in (turn.get("slots") or {}).items():
            got: Any = session.slots.get(key)
            if got != value and str(got) != str(value):
                result.failures.append(f"{where}: expected slot {key}={value!r}, got {got!r}")
        for phrase in turn.get("says") or []:
            if str(phrase).lower() not in reply.lower():
                result.failures.append(f"{where}: expected {phrase!r} in reply:\n{reply}")
        for phrase in turn.get("not_says") or []:
            if str(phrase).lower() in reply.lower():
                result.failures.append(f"{where}: did not expect {phrase!r} in reply:\n{reply}")
    return result
