"""Drafts: every kind renders in both tones, fully filled, and passes the critic."""

from __future__ import annotations

import re

import pytest

from bot.critic import CHECKS
from bot.drafts import (
    BadValue,
    MissingValue,
    kind_for_reason,
    load_kinds,
    render_draft,
    review_draft,
    sample_problems,
)
from bot.events import Draft

KINDS = load_kinds()
TONES = ("formal", "warm")
PLACEHOLDER = re.compile(
    r"\[[^\]]*\]|\{\{|\}\}|\{%|<[A-Za-z ]+>|\bTBD\b|\bXX+\b|\bNone\b|\bundefined\b"
)

REQUIRED_KINDS = {
    "decline-another-offer",
    "decline-fit",
    "decline-compensation",
    "decline-compensation-open",
    "decline-relocation",
    "decline-growth",
    "decline-personal",
    "decline-counteroffer",
    "decline-after-final",
    "phone-script",
    "voicemail",
    "recruiter-message",
    "call-follow-up",
    "linkedin-note",
    "thank-you-interviewer",
    "feedback-request",
    "ask-for-time",
    "late-reply",
    "reopened-accept",
    "reopened-decline",
    "reconnect",
    "decline-interview",
    "withdraw-acceptance",
}


def test_every_kind_the_issue_names_exists() -> None:
    assert set(KINDS) >= REQUIRED_KINDS


@pytest.mark.parametrize("tone", TONES)
@pytest.mark.parametrize("kind_id", list(KINDS))
def test_every_kind_renders_filled_and_passes_the_critic(kind_id: str, tone: str) -> None:
    kind = KINDS[kind_id]
    draft = render_draft(kind, tone, kind.sample)
    assert isinstance(draft, Draft)
    assert draft.kind == kind_id and draft.tone == tone and draft.title == kind.title
    assert not PLACEHOLDER.search(draft.text), draft.text
    for value in ("company", "role", "name"):
        if value in kind.requires:
            shown = kind.sample[value].split()[0] if value == "name" else kind.sample[value]
            assert shown in draft.text, f"{value} missing from {kind_id}/{tone}"
    assert [f.check for f in draft.findings] == list(CHECKS)
    failed = [(f.check, f.message) for f in draft.findings if not f.ok]
    assert not failed, failed
    assert draft.score == 100


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_every_kind_renders_without_its_optional_values(kind_id: str) -> None:
    kind = KINDS[kind_id]
    minimal = {k: v for k, v in kind.sample.items() if k in kind.requires or k in kind.to}
    for tone in TONES:
        draft = render_draft(kind, tone, minimal)
        assert not PLACEHOLDER.search(draft.text)
        assert all(f.ok for f in draft.findings), [f.message for f in draft.findings if not f.ok]


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_tones_really_differ(kind_id: str) -> None:
    kind = KINDS[kind_id]
    formal = render_draft(kind, "formal", kind.sample).text
    warm = render_draft(kind, "warm", kind.sample).text
    assert formal != warm
    shared = {line for line in set(formal.splitlines()) & set(warm.splitlines()) if len(line) > 40}
    # Apart from a reused heading or stage note, the two versions are written differently.
    assert len(shared) <= 1, shared


def test_formal_uses_title_and_surname_warm_uses_first_name() -> None:
    kind = KINDS["decline-another-offer"]
    values = {"name": "Sam Lee", "company": "Acme", "role": "Analyst", "manager": "Ms. Dana Rivera"}
    assert render_draft(kind, "formal", values).text.startswith("Dear Ms. Rivera,")
    assert render_draft(kind, "warm", values).text.startswith("Hi Dana,")
    values["manager"] = "Dana Rivera"
    assert render_draft(kind, "formal", values).text.startswith("Dear Dana,")
    assert render_draft(kind, "formal", {**values, "honorific": "dr"}).text.startswith(
        "Dear Dr. Rivera,"
    )


def test_letters_are_short() -> None:
    for kind in KINDS.values():
        for tone in TONES:
            text = render_draft(kind, tone, kind.sample).text
            words = len(text.split())
            if kind.id == "linkedin-note":
                assert len(text) < 300, (tone, len(text))
            elif kind.id not in ("phone-script", "counter-proposal-call"):
                assert 40 <= words <= 180, (kind.id, tone, words)


def test_missing_values_are_named_with_their_flags() -> None:
    kind = KINDS["decline-another-offer"]
    with pytest.raises(MissingValue) as err:
        render_draft(kind, "formal", {"company": "Acme"})
    assert set(err.value.names) == {"manager", "name", "role"}
    assert "--manager" in str(err.value) and "--role" in str(err.value)
    assert "[" not in str(err.value)


def test_either_recipient_will_do() -> None:
    kind = KINDS["decline-interview"]
    base = {"name": "Sam", "company": "Acme", "role": "Analyst"}
    with pytest.raises(MissingValue) as err:
        render_draft(kind, "warm", base)
    assert err.value.names == ["recruiter or manager"]
    assert "--recruiter or --manager" in str(err.value)
    assert render_draft(kind, "warm", {**base, "manager": "Dana Rivera"}).text.startswith(
        "Hi Dana,"
    )


def test_blank_values_count_as_missing() -> None:
    kind = KINDS["decline-fit"]
    with pytest.raises(MissingValue):
        render_draft(kind, "formal", {**kind.sample, "company": "   "})


def test_values_are_data_not_template_source() -> None:
    kind = KINDS["decline-fit"]
    values = {
        **kind.sample,
        "company": "{{ 7*7 }}",
        "appreciated": "{% for x in range(3) %}x{% endfor %}",
    }
    text = render_draft(kind, "formal", values).text
    assert "{{ 7*7 }}" in text and "49" not in text
    assert "{% for x in range(3) %}x{% endfor %}" in text


def test_user_values_are_sanitised() -> None:
    kind = KINDS["decline-fit"]
    text = render_draft(kind, "warm", {**kind.sample, "company": "Acme\x1b[31m Corp\x07"}).text
    assert "\x1b" not in text and "\x07" not in text


def test_conversation_slot_names_are_understood() -> None:
    kind = KINDS["ask-for-time"]
    slots = {
        "name": "Sam",
        "company": "Acme",
        "role": "Analyst",
        "recruiter": "Priya Shah",
        "deadline": "Friday 14 March",
        "unrelated_slot": 3,
    }
    assert "Friday 14 March" in render_draft(kind, "formal", slots).text
    slots["new_date"] = slots.pop("deadline")
    assert "Friday 14 March" in render_draft("ask-for-time", "warm", slots).text


def test_reason_changes_the_generic_messages() -> None:
    kind = KINDS["recruiter-message"]
    texts = {
        r: render_draft(kind, "formal", {**kind.sample, "reason": r}).text
        for r in ("another-offer", "compensation", "family", "counteroffer")
    }
    assert len(set(texts.values())) == 4
    no_reason = {k: v for k, v in kind.sample.items() if k != "reason"}
    assert all(f.ok for f in render_draft(kind, "warm", no_reason).findings)
    with pytest.raises(BadValue):
        render_draft(kind, "formal", {**kind.sample, "reason": "astrology"})


def test_family_reason_changes_the_relocation_letter() -> None:
    kind = KINDS["decline-relocation"]
    family = render_draft(kind, "formal", {**kind.sample, "reason": "family"}).text
    move = render_draft(kind, "formal", {**kind.sample, "reason": "relocation"}).text
    assert family != move and "family" in family


def test_open_to_picks_the_closing() -> None:
    kind = KINDS["decline-fit"]
    future = render_draft(kind, "warm", {**kind.sample, "open_to": "future roles"}).text
    refer = render_draft(kind, "warm", {**kind.sample, "open_to": "referring people"}).text
    plain = render_draft(kind, "warm", kind.sample).text
    assert len({future, refer, plain}) == 3


def test_unknown_tone_is_refused() -> None:
    kind = KINDS["decline-fit"]
    with pytest.raises(BadValue):
        render_draft(kind, "sarcastic", kind.sample)


def test_kind_for_reason() -> None:
    assert kind_for_reason("another-offer") == "decline-another-offer"
    assert kind_for_reason("compensation") == "decline-compensation"
    assert kind_for_reason("compensation", negotiable=True) == "decline-compensation-open"
    assert kind_for_reason("family") == kind_for_reason("relocation") == "decline-relocation"
    assert kind_for_reason("Counteroffer") == "decline-counteroffer"
    for reason in ("fit", "growth", "personal"):
        assert kind_for_reason(reason) in KINDS
    with pytest.raises(BadValue):
        kind_for_reason("astrology")


def test_review_draft_critiques_pasted_text() -> None:
    draft = review_draft("I might decline for now. Sorry!! Sorry.\x1b[2J")
    assert draft.tone == "own" and "\x1b" not in draft.text
    failed = {f.check for f in draft.findings if not f.ok}
    assert {"gratitude", "hedging", "over-apology"} <= failed


def test_samples_pass_the_content_check() -> None:
    assert sample_problems() == []


def _repeats(text: str, n: int = 5) -> set[str]:
    """Runs of n words that occur twice in one draft (quoted lines of a script included)."""
    import re as _re

    words = _re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))
    seen: set[tuple[str, ...]] = set()
    twice: set[str] = set()
    for i in range(len(words) - n + 1):
        run = tuple(words[i : i + n])
        if run in seen:
            twice.add(" ".join(run))
        seen.add(run)
    return twice


def _openers(text: str) -> list[str]:
    import re as _re

    sentences = _re.split(r"(?<=[.!?])\s+|\n+", text)
    return [" ".join(s.split()[:3]).lower().strip('"') for s in sentences if len(s.split()) >= 4]


REASONS = [None, "another-offer", "fit", "compensation", "relocation", "family", "growth", "personal", "counteroffer"]
OPEN_TO = ["", "future roles", "referring people"]


@pytest.mark.parametrize("kind_id", list(KINDS))
def test_every_kind_tone_reason_and_closing_reads_as_written_by_a_person(kind_id: str) -> None:
    kind = KINDS[kind_id]
    for tone in TONES:
        for reason in REASONS:
            for open_to in OPEN_TO:
                values = {k: v for k, v in kind.sample.items() if k not in ("reason", "open_to")}
                if reason:
                    values["reason"] = reason
                if open_to:
                    values["open_to"] = open_to
                draft = render_draft(kind, tone, values)
                where = (kind_id, tone, reason, open_to)
                failed = [(f.check, f.message) for f in draft.findings if not f.ok]
                assert not failed, (where, failed, draft.text)
                assert draft.score == 100, where
                assert not _repeats(draft.text), (where, _repeats(draft.text))
                openers = _openers(draft.text)
                doubled = {o for o in openers if openers.count(o) > 1}
                assert not doubled, (where, doubled, draft.text)


def test_reconnect_is_honest_about_the_decline_and_the_real_time_since() -> None:
    kind = KINDS["reconnect"]
    eight = render_draft(kind, "warm", {**kind.sample, "decided_on": "2026-03-01", "today": "2026-11-21"}).text
    assert "turned down" in eight and "8 months ago" in eight and "last year" not in eight
    formal = render_draft(kind, "formal", {**kind.sample, "decided_on": "2025-01-10", "today": "2026-11-21"}).text
    assert "decline" in formal and "about 2 years ago" in formal
    unknown = render_draft(kind, "formal", kind.sample).text
    assert "some time ago" in unknown


def test_withdrawing_without_a_reason_does_not_borrow_a_decline_reason() -> None:
    kind = KINDS["withdraw-acceptance"]
    minimal = {k: v for k, v in kind.sample.items() if k != "reason"}
    for tone in TONES:
        text = render_draft(kind, tone, minimal).text
        assert "not the one for me" not in text and "right match" not in text


def test_the_phone_script_honours_negotiable() -> None:
    kind = KINDS["phone-script"]
    plain = render_draft(kind, "formal", kind.sample).text
    open_ = render_draft(kind, "formal", {**kind.sample, "negotiable": "yes"}).text
    assert plain != open_ and "room to improve" in open_
    assert "careful" not in plain


def test_counter_proposals_name_the_figure_once_and_say_what_happens_either_way() -> None:
    for kind_id in ("counter-proposal", "counter-proposal-call"):
        kind = KINDS[kind_id]
        for tone in TONES:
            draft = render_draft(kind, tone, kind.sample)
            assert draft.text.count("$138,000") == 1, (kind_id, tone)
            assert "Friday" in draft.text and "decline" not in draft.text.lower()
            assert draft.score == 100
    email = render_draft(KINDS["counter-proposal"], "formal", KINDS["counter-proposal"].sample).text
    assert "$130,000" not in email  # the walk-away point is never sent
