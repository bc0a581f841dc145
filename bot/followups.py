"""The follow-ups a decision owes, and a calendar file to carry them.

Pure functions: given a decision, its date, how it was delivered and to whom, ``derive``
returns dated ``FollowUp`` items (after-call email the same day, thank-you notes and a
LinkedIn note within a week, a reconnect window six to twelve months on). What each one
says and when it falls due is content, in ``dialogues/followups.yaml``. ``to_ics`` writes
them as an RFC 5545 calendar any calendar app can import.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.render import Renderer
from bot.yamlfile import ContentError, LineDict, load_yaml

DECISIONS = ("decline", "accept", "negotiate", "ask-for-time")
_CALL_WORDS = frozenset({"call", "phone", "video", "voicemail", "zoom", "teams", "meet"})


@dataclass(frozen=True)
class FollowUp:
    """One thing to do after a decision; ``until`` is set when it is a window, not a deadline."""

    kind: str
    title: str
    due: date
    until: date | None = None
    person: str = ""
    detail: str = ""
    id: int | None = None  # set once stored
    case_id: int | None = None
    done_on: date | None = None

    @property
    def done(self) -> bool:
        return self.done_on is not None


@dataclass(frozen=True)
class Offset:
    days: int = 0
    months: int = 0

    def after(self, start: date) -> date:
        return add_months(start, self.months) + timedelta(days=self.days)


@dataclass(frozen=True)
class Rule:
    kind: str
    decisions: frozenset[str]
    due: Offset
    title: str
    detail: str = ""
    until: Offset | None = None
    requires_call: bool = False
    per_interviewer: bool = False
    origin: str = ""  # file:line, for render errors


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole months, clamped to the month's last day (31 Aug + 6 = 28/29 Feb)."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def had_call(channel: str) -> bool:
    """Whether a channel description ("call", "phone then email", "video") involved a call."""
    words = set(re.findall(r"[a-z]+", channel.casefold()))
    return bool(words & _CALL_WORDS)


# --------------------------------------------------------------------------- rules


def rules_path() -> Path:
    from bot.paths import dialogues_dir

    return dialogues_dir() / "followups.yaml"


def _offset(value: Any, path: Path, line: int, key: str) -> Offset:
    if not isinstance(value, dict) or not value or set(value) - {"days", "months"}:
        raise ContentError(path, line, f"'{key}' must be like {{days: 7}} or {{months: 6}}")
    for unit, n in value.items():
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ContentError(path, line, f"'{key}': {unit} must be a whole number, 0 or more")
    return Offset(days=value.get("days", 0), months=value.get("months", 0))


_RULE_KEYS = frozenset({"kind", "decisions", "requires", "per", "due", "until", "title", "detail"})


def parse_rules(data: Any, path: Path) -> tuple[Rule, ...]:
    """Validate the loaded YAML; every problem is a ContentError at its line."""
    if not isinstance(data, dict) or not isinstance(data.get("followups"), list):
        raise ContentError(path, 1, "expected a 'followups:' list")
    rules: list[Rule] = []
    seen: set[str] = set()
    for item in data["followups"]:
        line = item.line if isinstance(item, LineDict) else 1
        if not isinstance(item, dict):
            raise ContentError(path, line, "each follow-up must be a block of 'key: value' lines")
        unknown = set(item) - _RULE_KEYS
        if unknown:
            raise ContentError(path, line, f"unknown key '{sorted(unknown)[0]}'")
        for key in ("kind", "decisions", "due", "title"):
            if key not in item:
                raise ContentError(path, line, f"missing '{key}'")
        kind = item["kind"]
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z0-9-]+", kind):
            raise ContentError(path, line, "'kind' must be lower-case words joined by '-'")
        if kind in seen:
            raise ContentError(path, line, f"kind '{kind}' is used twice")
        seen.add(kind)
        decisions = item["decisions"]
        if not isinstance(decisions, list) or not decisions:
            raise ContentError(path, line, "'decisions' must be a list, e.g. [decline]")
        for d in decisions:
            if d not in DECISIONS:
                known = ", ".join(DECISIONS)
                raise ContentError(path, line, f"unknown decision '{d}' (use {known})")
        requires = item.get("requires")
        if requires not in (None, "call"):
            raise ContentError(path, line, "'requires' can only be 'call'")
        per = item.get("per")
        if per not in (None, "interviewer"):
            raise ContentError(path, line, "'per' can only be 'interviewer'")
        for key in ("title", "detail"):
            if key in item and not isinstance(item[key], str):
                raise ContentError(path, line, f"'{key}' must be text")
        until = item.get("until")
        rules.append(
            Rule(
                kind=kind,
                decisions=frozenset(decisions),
                due=_offset(item["due"], path, line, "due"),
                until=_offset(until, path, line, "until") if until is not None else None,
                title=item["title"],
                detail=item.get("detail", ""),
                requires_call=requires == "call",
                per_interviewer=per == "interviewer",
                origin=f"{path}:{line}",
            )
        )
    return tuple(rules)


@lru_cache(maxsize=4)
def load_rules(path: Path | None = None) -> tuple[Rule, ...]:
    path = path or rules_path()
    return parse_rules(load_yaml(path, "Followups"), path)


@lru_cache(maxsize=4)
def load_messages(path: Path | None = None) -> dict[str, str]:
    path = path or rules_path()
    data = load_yaml(path, "Followups")
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict) or not all(isinstance(v, str) for v in messages.values()):
        raise ContentError(path, 1, "expected a 'messages:' block of texts")
    return dict(messages)


def due_notice(count: int, *, hint: bool = False, renderer: Renderer | None = None) -> str:
    """The start-up line, e.g. "2 follow-ups due" (empty when nothing is due)."""
    if count <= 0:
        return ""
    if renderer is None:
        from bot.render import default_renderer

        renderer = default_renderer()
    messages = load_messages()
    text = renderer.inline(messages["due"], {"n": count}, origin="followups.yaml: messages.due")
    if hint and messages.get("due_hint"):
        text += "\n" + renderer.inline(messages["due_hint"], {"n": count}, origin="due_hint")
    return text


# --------------------------------------------------------------------------- deriving


def _people(interviewers: Iterable[str], manager: str) -> list[str]:
    seen: set[str] = set()
    people: list[str] = []
    for name in interviewers:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            people.append(name)
    if not people:
        people.append(manager)  # may be "": the title then speaks of interviewers in general
    return people


def derive(
    decision: str,
    decided_on: date,
    *,
    channel: str = "",
    interviewers: Sequence[str] = (),
    called: bool | None = None,
    names: Mapping[str, str] | None = None,
    rules: Sequence[Rule] | None = None,
    renderer: Renderer | None = None,
) -> list[FollowUp]:
    """The follow-ups owed after ``decision`` on ``decided_on``, earliest first.

    ``called`` says whether the decision was given on a call; when None it is read from
    ``channel``. ``names`` gives company, role, manager and recruiter for the titles.
    """
    if rules is None:
        rules = load_rules()
    if renderer is None:
        from bot.render import default_renderer

        renderer = default_renderer()
    if called is None:
        called = had_call(channel)
    context: dict[str, Any] = {k: "" for k in ("company", "role", "manager", "recruiter")}
    context.update({k: " ".join(str(v or "").split()) for k, v in (names or {}).items()})
    context["decided_on"] = decided_on.isoformat()
    out: list[FollowUp] = []
    for rule in rules:
        if decision not in rule.decisions or (rule.requires_call and not called):
            continue
        due = rule.due.after(decided_on)
        until = rule.until.after(decided_on) if rule.until else None
        people = _people(interviewers, context["manager"]) if rule.per_interviewer else [""]
        for person in people:
            ctx = {**context, "person": person, "until": until.isoformat() if until else ""}
            title = renderer.inline(rule.title, ctx, origin=rule.origin)
            detail = renderer.inline(rule.detail, ctx, origin=rule.origin) if rule.detail else ""
            out.append(
                FollowUp(
                    kind=rule.kind, title=title, due=due, until=until, person=person, detail=detail
                )
            )
    out.sort(key=lambda f: f.due)  # stable: rules keep their authored order within a day
    return out


# --------------------------------------------------------------------------- calendar

_PRODID = "-//decline-coach//follow-ups//EN"


def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def fold(line: str, limit: int = 75) -> str:
    """Fold one content line at ``limit`` octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out: list[str] = []
    current = b""
    budget = limit
    for ch in line:
        encoded = ch.encode("utf-8")
        if len(current) + len(encoded) > budget:
            out.append(current.decode("utf-8"))
            current = b""
            budget = limit - 1  # continuation lines start with one space
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _uid(item: FollowUp, source: str = "") -> str:
    # Row ids restart at 1 in every data folder, so the folder (``source``) is part of the
    # UID: two folders' exports imported into one calendar never replace each other's events.
    where = hashlib.sha256(source.encode("utf-8")).hexdigest()[:12] if source else ""
    if item.id is not None:
        return f"followup-{item.id}{'-' + where if where else ''}@decline-coach"
    key = f"{source}|{item.case_id}|{item.kind}|{item.person}|{item.due.isoformat()}|{item.title}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24] + "@decline-coach"


def to_ics(followups: Iterable[FollowUp], *, stamp: datetime | None = None, source: str = "") -> str:
    """An iCalendar file with one all-day event per follow-up (CRLF line endings).

    ``source`` names where the follow-ups are stored (the data file's path); the same
    follow-up exported again from there keeps its UID, so a calendar updates it in place.
    """
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    dtstamp = stamp.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    for item in followups:
        description = item.detail
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_uid(item, source)}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{item.due.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(item.due + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{ics_escape(item.title)}",
        ]
        if description:
            lines.append(f"DESCRIPTION:{ics_escape(description)}")
        lines.append(f"CATEGORIES:{ics_escape(item.kind)}")
        lines.append("STATUS:CONFIRMED" if not item.done else "STATUS:CANCELLED")
        lines.append("TRANSP:TRANSPARENT")  # a reminder, not a busy block
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


__all__ = [
    "DECISIONS",
    "FollowUp",
    "Offset",
    "Rule",
    "add_months",
    "derive",
    "due_notice",
    "fold",
    "had_call",
    "ics_escape",
    "load_messages",
    "load_rules",
    "parse_rules",
    "to_ics",
]
