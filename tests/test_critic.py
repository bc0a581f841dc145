"""The critic: every finding, each pointing at the exact words responsible."""

from __future__ import annotations

import pytest

from bench.critic import run as bench_run
from bot.critic import CHECKS, critique, sentences

GOOD = """Dear Ms. Rivera,

Thank you for offering me the Data Analyst role and for the time your team gave me.

After careful thought, I have decided not to accept the offer. I have accepted a position that
fits my long-term goals more closely.

I hope we stay in touch, and I wish you every success.

Kind regards,
Sam"""


def finding(text: str, check: str, kind: str | None = None):
    """The check's first failing finding, else its pass line."""
    result = critique(text, kind=kind)
    mine = [f for f in result.findings if f.check == check]
    return next((f for f in mine if not f.ok), mine[0])


def findings(text: str, check: str, kind: str | None = None):
    return [f for f in critique(text, kind=kind).findings if f.check == check and not f.ok]


def test_a_clean_letter_has_one_passing_line_per_check_and_a_full_score() -> None:
    result = critique(GOOD)
    assert [f.check for f in result.findings] == list(CHECKS)
    assert all(f.ok for f in result.findings), [f.message for f in result.findings if not f.ok]
    assert result.score == 100
    doc = result.to_dict()
    assert set(doc) == {"findings", "score"}
    assert {"check", "ok", "message", "span"} <= set(doc["findings"][0])


def test_spans_point_at_the_exact_words() -> None:
    text = GOOD.replace(
        "I hope we stay in touch", "The process was disorganised, but I hope we stay in touch"
    )
    f = finding(text, "criticism")
    assert not f.ok and f.span is not None
    assert text[f.span[0] : f.span[1]] == f.quote == "disorganised"
    assert f.suggestion


@pytest.mark.parametrize(
    "thanks",
    [
        "Thank you for the offer.",
        "Thanks so much for everything!",
        "I'm very grateful for the offer.",
        "I really appreciate the time you gave me.",
        "I was honoured to receive the offer.",
        "Many thanks for the offer.",
    ],
)
def test_gratitude_many_phrasings(thanks: str) -> None:
    assert finding(f"{thanks} I have decided to decline the offer.", "gratitude").ok


def test_no_gratitude_and_bare_sign_off_does_not_count() -> None:
    assert not finding("I have decided to decline the offer.\n\nThanks,\nSam", "gratitude").ok


@pytest.mark.parametrize(
    "decision",
    [
        "I have decided not to accept the offer.",
        "I must respectfully decline.",
        "I'm going to turn the offer down.",
        "I won't be joining the team.",
        "I've accepted a position elsewhere.",
        "I will be staying with my current employer.",
        "I'm going to pass on this opportunity.",
        "I can't accept the offer.",
        "I am withdrawing my application.",
        "I've decided to say no.",
    ],
)
def test_clear_decision_many_phrasings(decision: str) -> None:
    assert finding(f"Thank you for the offer. {decision}", "clear-decision").ok


def test_no_decision_fails() -> None:
    f = finding(
        "Thank you for the offer. I have been thinking about my career a lot.", "clear-decision"
    )
    assert not f.ok and f.suggestion


@pytest.mark.parametrize(
    "hedged, words",
    [
        ("I think I will decline the offer for now.", "I think"),
        ("I will probably have to decline the offer.", "probably"),
        ("Unless you can improve the package, I will decline.", "Unless"),
        ("Maybe I should turn it down.", "Maybe"),
        ("At this time I think I must decline the offer.", "At this time I think"),
        ("I'd be happy to accept if you could add a week of leave.", "if you could"),
    ],
)
def test_hedges_in_the_decision_sentence_fail(hedged: str, words: str) -> None:
    f = finding(f"Thank you for the offer. {hedged} I hope we stay in touch.", "hedging")
    assert not f.ok
    assert f.quote == words


def test_softeners_outside_the_decision_sentence_are_fine() -> None:
    text = (
        "Thank you for the offer; perhaps it goes without saying how much I enjoyed the visit. "
        "I have decided to decline the offer. "
        "Maybe we will meet again, and I think the team is great."
    )
    assert finding(text, "hedging").ok


def test_a_softener_in_the_reason_after_the_decision_is_fine() -> None:
    text = "Thank you. I have decided to decline, because I want to stay in my field for now."
    assert finding(text, "hedging").ok


def test_offering_to_reconsider_anywhere_fails() -> None:
    text = "Thank you. I have decided to decline. If the salary changed I might reconsider."
    f = finding(text, "hedging")
    assert not f.ok and "reconsider" in f.quote
    assert finding("Thank you. I have decided to decline, and I won't reconsider.", "hedging").ok
    assert finding(
        "Thank you for reconsidering the terms. I have decided to decline.", "hedging"
    ).ok


@pytest.mark.parametrize(
    "money",
    [
        "$95k",
        "95,000",
        "£60,000",
        "20% more",
        "a 15 percent raise",
        "they offered me more",
        "a better offer",
        "60 grand",
        "EUR 70000",
        "a higher salary",
    ],
)
def test_salary_specifics(money: str) -> None:
    text = f"Thank you. I have decided to decline, as I have {money} elsewhere in mind."
    f = finding(text, "salary-specifics")
    assert not f.ok, money
    assert f.span is not None and text[f.span[0] : f.span[1]] == f.quote


def test_no_figures_passes_and_dates_are_not_pay() -> None:
    text = "Thank you. I will answer by 14 March 2026. The compensation doesn't meet my needs."
    assert finding(text, "salary-specifics").ok


@pytest.mark.parametrize(
    "insult",
    [
        "the process was disorganised",
        "the recruiter was rude",
        "the culture seems toxic",
        "the interviews were a waste of time",
        "the offer was a lowball",
        "everyone was unprofessional",
    ],
)
def test_criticism(insult: str) -> None:
    assert not finding(f"Thank you. I have decided to decline, as {insult}.", "criticism").ok


def test_negative_words_about_yourself_are_not_criticism() -> None:
    assert finding("Thank you. I feel terrible, but I have decided to decline.", "criticism").ok


def test_apologies() -> None:
    assert finding("Sorry for the delay. Thank you; I have decided to decline.", "over-apology").ok
    two = finding("Sorry for the delay. I'm declining, sorry again.", "over-apology")
    assert not two.ok and two.quote.lower() == "sorry"
    assert not finding("I feel awful about this. I decline.", "over-apology").ok
    assert not finding("I'm so sorry to let you down.", "over-apology").ok


@pytest.mark.parametrize("gap", ["[Company]", "[Your Name]", "{{ name }}", "<name>", "XX", "TBD"])
def test_placeholders(gap: str) -> None:
    text = f"Thank you for the offer from {gap}. I have decided to decline."
    f = finding(text, "placeholders")
    assert not f.ok and f.quote == gap


def test_an_email_address_is_not_a_placeholder() -> None:
    assert finding("Thank you. Reach me at <sam@example.com>.", "placeholders").ok


def test_reason_is_optional_and_a_string_of_excuses_fails() -> None:
    assert finding(GOOD, "reason").ok
    bare = "Thank you for the offer. I have decided to decline the offer. Let's stay in touch."
    missing = finding(bare, "reason")
    assert not missing.ok and missing.suggestion
    # ... but no reason costs nothing: a short kind letter without one scores full marks.
    assert critique(bare).score == 100
    excuses = (
        "Thank you. I have decided to decline. The commute is long. My partner works nights. "
        "The salary is lower than I hoped. The scope is narrow. I also want more growth. "
        "My health has been poor. I hope we stay in touch."
    )
    assert finding(excuses, "reason").ok
    f = finding(excuses, "excuses")
    assert not f.ok and f.span is not None and "commute" in f.quote


def test_door_open_and_closed() -> None:
    assert finding("Thanks. I decline. Let's keep in touch.", "door-open").ok
    assert finding(
        "Thanks. I decline. I'd welcome future opportunities with the team.", "door-open"
    ).ok
    assert not finding("Thanks. I decline.", "door-open").ok
    closed = finding("Thanks. I decline. Please don't contact me again.", "door-open")
    assert not closed.ok and "contact me" in closed.quote


def test_concise_depends_on_the_kind_of_message() -> None:
    long_letter = GOOD + "\n\n" + " ".join(["I enjoyed meeting everyone."] * 60)
    f = finding(long_letter, "concise")
    assert not f.ok and f.span is not None
    note = "Hi Dana, thanks for your time on the analyst interviews. " * 6
    assert not finding(note, "concise", kind="linkedin-note").ok
    assert finding(note[:200], "concise", kind="linkedin-note").ok


def test_kinds_without_a_decision_do_not_need_one() -> None:
    note = "Hi Dana, thank you for your time during the interviews. I'd love to stay connected."
    result = critique(note, kind="linkedin-note")
    assert all(f.ok for f in result.findings)
    assert not critique(note).findings[1].ok  # as a decline letter, the decision is missing


def test_sentences_keep_offsets_and_greeting_lines() -> None:
    text = "Dear Ms. Rivera,\nThank you. I decline!\n\nBest,\nSam"
    parts = sentences(text)
    assert [s.text for s in parts] == [
        "Dear Ms. Rivera,",
        "Thank you.",
        "I decline!",
        "Best,",
        "Sam",
    ]
    assert all(text[s.start : s.end] == s.text for s in parts)


def test_huge_and_odd_input_does_not_break() -> None:
    result = critique(("word " * 5000) + "[" * 500 + "{{" * 500)
    assert set(result.checks()) == set(CHECKS)
    assert critique("").score < 100


def test_benchmark_agreement_and_ranking_reach_the_target() -> None:
    row = bench_run()
    assert row["letters"] >= 80 and row["toned"] >= 40
    assert row["value"] >= 0.95, row
    assert row["ranking_holds"], row


PASSIVE_AGGRESSIVE = """Hi Dana,

Thanks for finally sending the offer, three weeks after the final round. I'm sure the right
candidate will be happy to wait that long. I have decided to decline.

Good luck with the search, I guess.

Sam"""

SARCASTIC = """Dear Mr. Hale,

Thank you, I suppose, for the offer. I'm declining. I'm sure you'll find someone who enjoys
that sort of thing.

Priya"""


def test_tone_problems_are_found_anywhere_each_with_its_words_and_a_mended_sentence() -> None:
    found = findings(PASSIVE_AGGRESSIVE, "tone")
    quotes = [f.quote for f in found]
    assert "for finally" in quotes
    assert any(q.startswith("I'm sure the right") for q in quotes)
    assert any("I guess" in q for q in quotes)
    assert all(PASSIVE_AGGRESSIVE[f.span[0] : f.span[1]] == f.quote for f in found if f.span)
    mended = next(f for f in found if f.quote == "for finally").suggestion
    assert "Thanks for sending the offer" in mended and "finally" not in mended
    luck = next(f for f in found if "I guess" in f.quote).suggestion
    assert "Good luck with the search." in luck
    # the dig is not taken as the reason, and the score falls well below a clean letter's
    assert critique(PASSIVE_AGGRESSIVE).score < 75
    assert "happy to wait" not in finding(PASSIVE_AGGRESSIVE, "reason").quote


def test_sarcasm_and_backhanded_thanks() -> None:
    kinds = {f.message.split("”")[-1] for f in findings(SARCASTIC, "tone")}
    assert len(findings(SARCASTIC, "tone")) >= 2, kinds
    assert not finding(SARCASTIC, "gratitude").ok  # "Thank you, I suppose" is not thanks
    assert "I'm sure you'll find the right person" in " ".join(
        f.suggestion for f in findings(SARCASTIC, "tone")
    )


@pytest.mark.parametrize(
    "line",
    [
        "Unless you can match their offer I will be accepting theirs.",
        "You have until Monday, otherwise I will take the other offer.",
        "Perhaps we could talk again next week before I sign elsewhere.",
    ],
)
def test_a_condition_anywhere_is_hedging(line: str) -> None:
    text = f"Thank you for the offer. I have decided to decline. {line}"
    assert not finding(text, "hedging").ok


def test_a_near_term_talk_is_not_a_door_left_open() -> None:
    text = "Thank you for the offer. I decline. Perhaps we could talk again next week."
    assert not finding(text, "door-open").ok


def test_every_finding_not_one_per_check() -> None:
    text = (
        "Thank you. I decline: the process was disorganised, the recruiter was rude "
        "and the offer was a lowball. Let's stay in touch."
    )
    assert [f.quote for f in findings(text, "criticism")] == ["disorganised", "rude", "lowball"]


@pytest.mark.parametrize(
    "text",
    [
        "Thank you for showing me how the team turns chaotic, messy data into clean forecasts. "
        "I have decided to decline.",
        "Thank you. I admired how calm the team stays through a frustrating outage. I decline.",
    ],
)
def test_praise_with_a_negative_word_is_not_criticism(text: str) -> None:
    assert finding(text, "criticism").ok


def test_plain_decisions_and_valuing_count() -> None:
    text = "I value the opportunity. After some thought I've decided it's not the right fit at this time."
    assert finding(text, "gratitude").ok
    assert finding(text, "clear-decision").ok
    assert finding(text, "reason").ok
    assert finding(text, "hedging").ok


def test_a_higher_salary_alone_is_not_a_comparison() -> None:
    text = "Thank you. I had hoped for a higher base salary, so I have decided to decline."
    assert finding(text, "salary-specifics").ok
    other = "Thank you. Another company offered a higher base salary, so I decline."
    assert not finding(other, "salary-specifics").ok


def test_scores_rank_like_a_hiring_manager() -> None:
    short_kind = "Hi Dana, thank you for the offer. I've decided to decline. I'd love to stay in touch.\n\nSam"
    long_letter = GOOD + "\n\n" + " ".join(["I enjoyed meeting everyone on the team."] * 40)
    comparing = GOOD.replace(
        "I have accepted a position", "Another company offered me more money, so I took a position"
    )
    kind_score = critique(short_kind).score
    assert kind_score == 100
    assert kind_score > critique(long_letter).score
    assert kind_score > critique(comparing).score
    assert critique(comparing).score > critique(PASSIVE_AGGRESSIVE).score
