from __future__ import annotations

import pytest

from bot.content import Content


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes", "affirm"),
        ("yep", "affirm"),
        ("nope", "deny"),
        ("I want to decline the offer", "decline_offer"),
        ("I'd like to accept the offer", "accept_offer"),
        ("can I negotiate the salary first", "negotiate"),
        ("I'm not sure", "unsure"),
        ("go back", "back"),
        ("start over", "restart"),
        ("bye", "quit"),
        ("what can you do", "help"),
        ("?", "help"),
        ("???", "help"),
    ],
)
def test_core_intents(content: Content, text: str, intent: str) -> None:
    assert content.intent_matcher.match(text).label == intent


def test_negation_flips_meaning(content: Content) -> None:
    m = content.intent_matcher.match("I don't want to decline")
    assert m.label == "accept_offer"
    assert m.negated or (m.example and "not" in m.example)


def test_short_replies_are_exact_not_fuzzy(content: Content) -> None:
    # "now" is one letter from "no"; a fuzzy matcher would call it a refusal.
    assert content.intent_matcher.match("now").label is None
    assert content.intent_matcher.match("no").label == "deny"


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather tomorrow in Paris",
        "set a timer for ten minutes",
        "why was my card declined",
        "turn down the volume",
        "how do I change my oil",
        "play some jazz",
    ],
)
def test_off_topic_is_out_of_scope(content: Content, text: str) -> None:
    m = content.intent_matcher.match(text)
    assert m.label is None, m


def test_every_answer_explains_itself(content: Content) -> None:
    m = content.intent_matcher.match("i'd rather negotiate first")
    d = m.to_dict()
    assert set(d) >= {"text", "intent", "score", "alternatives", "negated"}
    assert d["explain"]["example"]
    assert d["explain"]["reason"] in {"exact", "fuzzy", "coverage", "typo"}


def test_allowed_restricts_labels(content: Content) -> None:
    m = content.intent_matcher.match("I want to decline the offer", {"affirm", "deny"})
    assert m.label in {None, "affirm", "deny"}


def test_domain_words_count_as_typed(content: Content) -> None:
    # "job" is folded to "role" for matching; as typed it must still name the job-offer world.
    m = content.intent_matcher
    assert m.has_domain_word(content.normaliser.normalise("i don't want this job", synonyms=False))
    assert not m.has_domain_word(content.normaliser.normalise("turn down the volume", synonyms=False))
    assert content.match_intent("i don't want to take this job").label == "decline_offer"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("I'm not taking it", "decline_offer"),
        ("I don't want to turn it down", "accept_offer"),
        ("i don't want to say no to this", "accept_offer"),
    ],
)
def test_negation_without_a_job_word(content: Content, text: str, intent: str) -> None:
    # No "offer" or "job" in the text, but every word belongs to the intent (negation read).
    m = content.match_intent(text)
    assert m.label == intent, m


def test_everyday_request_is_rejected_with_its_example(content: Content) -> None:
    m = content.match_intent("my card got declined at the shop")
    assert m.label is None and m.reason == "off-topic"
    assert all(a.label != "out_of_scope" for a in m.alternatives)
