"""Follow-ups derived from a decision, and the calendar file that carries them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.followups import (
    FollowUp,
    add_months,
    derive,
    fold,
    had_call,
    ics_escape,
    load_rules,
    parse_rules,
    to_ics,
)
from bot.yamlfile import ContentError, load_yaml_text

DAY = date(2025, 3, 10)
NAMES = {"company": "Acme", "role": "Data engineer", "manager": "Dana Smith", "recruiter": "Lee"}


def kinds(items: list[FollowUp]) -> list[str]:
    return [f.kind for f in items]


def test_the_shipped_rules_load() -> None:
    rules = load_rules()
    assert {r.kind for r in rules} >= {"after-call-email", "thank-you", "linkedin", "reconnect"}


def test_decline_on_a_call_owes_the_full_set() -> None:
    items = derive(
        "decline", DAY, channel="phone call", interviewers=["Ana Ruiz", "Bo Chen"], names=NAMES
    )
    by_kind: dict[str, list[FollowUp]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    (email,) = by_kind["after-call-email"]
    assert email.due == DAY  # the same day
    assert "Dana Smith" in email.title
    assert [f.person for f in by_kind["thank-you"]] == ["Ana Ruiz", "Bo Chen"]
    assert all(f.due == date(2025, 3, 17) for f in by_kind["thank-you"])
    assert "Ana Ruiz" in by_kind["thank-you"][0].title
    (linkedin,) = by_kind["linkedin"]
    assert linkedin.due == date(2025, 3, 17)
    (reconnect,) = by_kind["reconnect"]
    assert (reconnect.due, reconnect.until) == (date(2025, 9, 10), date(2026, 3, 10))
    assert "2026-03-10" in reconnect.detail
    assert [f.due for f in items] == sorted(f.due for f in items)


def test_no_call_no_after_call_email() -> None:
    assert "after-call-email" not in kinds(derive("decline", DAY, channel="email", names=NAMES))
    assert "after-call-email" in kinds(derive("decline", DAY, channel="email", called=True))
    assert "after-call-email" not in kinds(
        derive("decline", DAY, channel="video call", called=False)
    )


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("phone", True),
        ("Video call, then email", True),
        ("voicemail", True),
        ("email", False),
        ("LinkedIn message", False),
        ("", False),
        ("recall", False),
    ],
)
def test_had_call(channel: str, expected: bool) -> None:
    assert had_call(channel) is expected


def test_thank_you_notes_fall_back_to_the_manager_and_dedupe() -> None:
    items = derive("decline", DAY, interviewers=["ana", "Ana", "  "], names=NAMES)
    assert [f.person for f in items if f.kind == "thank-you"] == ["ana"]
    items = derive("decline", DAY, names=NAMES)
    assert [f.person for f in items if f.kind == "thank-you"] == ["Dana Smith"]
    items = derive("decline", DAY)  # nobody known: one general reminder, still readable
    (note,) = [f for f in items if f.kind == "thank-you"]
    assert note.person == "" and "interviewers" in note.title


@pytest.mark.parametrize("decision", ["accept", "negotiate", "ask-for-time"])
def test_other_decisions_owe_no_decline_follow_ups(decision: str) -> None:
    assert derive(decision, DAY, channel="call", names=NAMES) == []


def test_user_text_is_data_not_template() -> None:
    items = derive("decline", DAY, names={"manager": "{{ 7*7 }}", "company": "{% raw %}"})
    assert any("{{ 7*7 }}" in f.title for f in items)
    assert not any("49" in f.title for f in items)


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 15), 12) == date(2026, 1, 15)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_rule_problems_name_their_line() -> None:
    text = "followups:\n  - kind: x\n    decisions: [decline]\n    due: {weeks: 1}\n    title: T\n"
    with pytest.raises(ContentError) as info:
        parse_rules(load_yaml_text(text, "f.yaml"), Path("f.yaml"))
    assert info.value.line == 2 and "days" in info.value.message
    text = "followups:\n  - kind: x\n    decisions: [refuse]\n    due: {days: 1}\n    title: T\n"
    with pytest.raises(ContentError, match="unknown decision 'refuse'"):
        parse_rules(load_yaml_text(text, "f.yaml"), Path("f.yaml"))
    with pytest.raises(ContentError, match="missing 'title'"):
        parse_rules(
            load_yaml_text("followups:\n  - {kind: x, decisions: [decline], due: {days: 1}}\n"),
            Path("f.yaml"),
        )


# ---------------------------------------------------------------------- iCalendar


def unfold(text: str) -> list[str]:
    """RFC 5545 3.1: a CRLF followed by one space or tab continues the previous line."""
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    lines: list[str] = []
    for line in physical:
        if line[:1] in (" ", "\t"):
            lines[-1] += line[1:]
        else:
            lines.append(line)
    return lines


def parse(text: str) -> list[dict[str, str]]:
    events: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in unfold(text):
        name, _, value = line.partition(":")
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            assert current is not None
            events.append(current)
            current = None
        elif current is not None:
            current[name] = value
    return events


def unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


STAMP = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def sample() -> list[FollowUp]:
    return derive(
        "decline",
        DAY,
        channel="call",
        interviewers=["Zoë Ångström-Łukasiewicz", "Bo"],
        names={**NAMES, "company": "Acme, Inc.; Widgets \\ Gadgets"},
    )


def test_ics_structure() -> None:
    text = to_ics(sample(), stamp=STAMP)
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(line.startswith("PRODID:") for line in lines)
    events = parse(text)
    assert len(events) == len(sample())
    uids = [e["UID"] for e in events]
    assert len(set(uids)) == len(uids) and all("@" in uid for uid in uids)
    for event, item in zip(events, sample(), strict=True):
        assert event["DTSTAMP"] == "20250310T093000Z"
        assert event["DTSTART;VALUE=DATE"] == item.due.strftime("%Y%m%d")
        assert unescape(event["SUMMARY"]) == item.title
        assert unescape(event["DESCRIPTION"]) == item.detail


def test_ics_line_endings_and_folding() -> None:
    text = to_ics(sample(), stamp=STAMP)
    assert "\n" not in text.replace("\r\n", "")  # every line ends CRLF, no bare LF
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75, line
    assert "\r\n " in text  # the long descriptions really were folded
    # folding never splits a UTF-8 character: every physical line decodes on its own
    for line in text.encode("utf-8").split(b"\r\n"):
        line.decode("utf-8")


def test_fold_by_octets_not_characters() -> None:
    line = "SUMMARY:" + "é" * 80  # 2 octets each
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert parts[0] == "SUMMARY:" + "é" * 33  # 8 + 66 = 74 octets; one more would be 76
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_ics_escaping() -> None:
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    assert ics_escape("x\r\ny") == "x\\ny"
    item = FollowUp("linkedin", "Call Acme, Inc.; then\nrelax \\o/", date(2025, 1, 2), id=5)
    (event,) = parse(to_ics([item], stamp=STAMP))
    assert event["SUMMARY"] == "Call Acme\\, Inc.\\; then\\nrelax \\\\o/"
    assert unescape(event["SUMMARY"]) == item.title
    assert event["UID"] == "followup-5@decline-coach"
    assert event["DTEND;VALUE=DATE"] == "20250103"


def test_empty_calendar_is_still_valid() -> None:
    assert unfold(to_ics([], stamp=STAMP))[0] == "BEGIN:VCALENDAR"
    assert parse(to_ics([], stamp=STAMP)) == []
