"""How to tell them and whom: phone, email, recruiter or call-then-email (``choose_channel``),
the people to tell (``notify_list``), the last look before sending (``checklist``) and a
channel named in passing (``channel_in_text``). Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.priorities import find_phrases, fold
from bot.timing import timing_from_slots

CALL_ROUNDS = 3  # this many interview rounds earns a phone call
CHANNELS = ("phone", "email", "recruiter", "call-then-email")


# -- channel --------------------------------------------------------------------------------------


def is_senior(role: str, words: Sequence[str]) -> bool:
    """A role title naming one of ``words`` (slots.yaml's ``seniority_word``) is senior."""
    return bool(find_phrases(fold(role), {"senior": words}))


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    reasons: tuple[str, ...]  # codes; templates/decision/channel.j2 words them


def choose_channel(
    *,
    rounds: float | None = None,
    rapport: str | None = None,  # strong, friendly, formal
    senior: bool | None = None,
    recruiter_involved: bool | None = None,
    employer_prefers: str | None = None,  # phone, writing, none
    needs_record: bool = False,
) -> ChannelChoice:
    """Phone when they invested (rounds, rapport, seniority); email when early, formal or
    they prefer writing; through the recruiter when one ran it; call then email when a
    call is right and a written record helps."""
    if recruiter_involved:
        return ChannelChoice("recruiter", ("recruiter-involved",))
    if employer_prefers == "writing":
        return ChannelChoice("email", ("prefers-writing",))
    invested = []
    if rounds is not None and rounds >= CALL_ROUNDS:
        invested.append("many-rounds")
    if rapport == "strong":
        invested.append("rapport")
    if senior:
        invested.append("senior")
    if employer_prefers == "phone":
        invested.append("prefers-phone")
    if invested:
        if needs_record:
            return ChannelChoice("call-then-email", (*invested, "record-helps"))
        return ChannelChoice("phone", tuple(invested))
    reasons = ["early-stage"] if rounds is not None and rounds < CALL_ROUNDS else []
    if rapport == "formal":
        reasons.append("formal")
    return ChannelChoice("email", tuple(reasons or ["light-touch"]))


def notify_list(
    *,
    recruiter: str | None = None,
    recruiter_involved: bool | None = None,
    manager: str | None = None,
    interviewers: Iterable[str] = (),
) -> list[tuple[str, str | None]]:
    """(role, name) for everyone to tell: the recruiter, the hiring manager, each interviewer."""
    out: list[tuple[str, str | None]] = []
    if recruiter or recruiter_involved:
        out.append(("recruiter", recruiter or None))
    out.append(("manager", manager or None))
    seen = {(n or "").lower() for _, n in out if n}
    for name in interviewers:
        # A name has letters: a stray "1" (a number key pressed with no options) is not one.
        if name and any(ch.isalpha() for ch in name) and name.lower() not in seen:
            out.append(("interviewer", name))
            seen.add(name.lower())
    return out


CHECKLIST = ("roadmap", "time", "timing", "channel", "people", "message", "followups", "record")


def checklist(slots: Mapping[str, Any], today: dt.date) -> list[tuple[str, bool]]:
    """The seeds' last look before sending or dialling: (item, answered?) in order."""
    t = timing_from_slots(slots, today)
    return [
        ("roadmap", bool(slots.get("goals") and slots.get("mobility"))),
        ("time", slots.get("offer_score") is not None or bool(slots.get("recommendation"))),
        ("timing", not t.late),
        ("channel", bool(slots.get("channel"))),
        (
            "people",
            any(isinstance(p, Mapping) and p.get("name") for p in slots.get("notify") or []),
        ),
        ("message", bool(slots.get("last_draft"))),  # written and checked by the critic
        ("followups", bool(slots.get("followups_planned"))),
        ("record", bool(slots.get("decision") and slots.get("reason") and slots.get("decided_on"))),
    ]




_CHANNEL_CUES = (
    ("call-then-email", r"\bcall\b.{0,30}\b(?:then|and|followed by)\b.{0,20}\be-?mail\b"),
    ("recruiter", r"\b(?:through|via|tell|with) (?:the|my) recruiter\b"),
    ("email", r"\be-?mail\b|\bin writing\b"),
    (
        "phone",
        r"\b(?:phone|ring|call) (?:them|the manager|her|him)\b|\bby phone\b|\bphone call\b",
    ),
)


def channel_in_text(text: str) -> str | None:
    s = text.lower()
    for key, pattern in _CHANNEL_CUES:
        if re.search(pattern, s):
            return key
    return None
