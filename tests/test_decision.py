"""The decision mechanisms (bot/decision.py): parsing priorities and ratings, scoring, the
close-call rule, the recommendation rule, timing, channel, whom to notify, the checklist and
corrections; and that every recommendation and channel outcome is reachable by free text."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot import decision as d
from bot.content import Content
from bot.events import Advice, Comparison, Scorecard
from bot.session import Session

TODAY = dt.date(2026, 11, 21)  # a Saturday


@pytest.fixture(scope="module")
def vocab(content: Content) -> d.Vocab:
    return d.Vocab.from_content(content)


# -- priorities and ratings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "salary matters most, then location, growth a bit",
            {"pay": 5, "location": 4, "growth": 2},
        ),
        ("salary 5, growth 3", {"pay": 5, "growth": 3}),
        ("pay: 40%, growth 30%, gym 10%", {"pay": 40, "growth": 30, "gym": 10}),
        ("salary and location matter most, growth less", {"pay": 5, "location": 5, "growth": 2}),
        ("growth, salary, location", {"growth": 5, "pay": 4, "location": 3}),
        ("location doesn't matter, pay most", {"pay": 5}),
        ("mostly the money; a bit of growth", {"pay": 5, "growth": 2}),
        (
            "The work itself matters most, then pay, growth some",
            {"scope": 5, "pay": 4, "growth": 3},
        ),
    ],
)
def test_parse_weights(text: str, expected: dict[str, float], vocab: d.Vocab) -> None:
    got = d.parse_weights(text, vocab)
    assert got == expected
    assert list(got) == list(expected)  # the order said is kept


def test_parse_weights_finds_nothing_in_off_topic_text(vocab: d.Vocab) -> None:
    assert d.parse_weights("I had a sandwich for lunch", vocab) == {}


@pytest.mark.parametrize(
    ("text", "ratings", "overall"),
    [
        ("pay is low, growth great, location fine", {"pay": 3, "growth": 9, "location": 5}, None),
        ("all good except salary which is low", {"pay": 3}, 7),
        ("pay 6/10, growth 4 out of 5", {"pay": 6, "growth": 8}, None),
        ("it's great", {}, 9),
        ("great growth and low pay", {"growth": 9, "pay": 3}, None),
        ("salary 90k, growth 7", {"growth": 7}, None),  # 90k is money, not a rating
        ("no remote, long commute, pay generous", {"remote": 1, "location": 3, "pay": 7}, None),
    ],
)
def test_parse_ratings(
    text: str, ratings: dict[str, float], overall: float | None, vocab: d.Vocab
) -> None:
    assert d.parse_ratings(text, vocab) == (ratings, overall)


# -- scoring ----------------------------------------------------------------------------------


def test_score_is_weighted_and_details_add_up() -> None:
    s = d.score({"pay": 3, "growth": 1}, {"pay": 10, "growth": 0})
    assert s.total == 75.0
    assert dict(s.details) == {"pay": 75.0, "growth": 0.0}
    assert s.assumed == ()


def test_unrated_priorities_count_as_middling_and_are_named() -> None:
    s = d.score({"pay": 1, "growth": 1}, {"pay": 10})
    assert s.total == 75.0
    assert s.assumed == ("growth",)
    # An overall rating fills the gaps instead, and nothing is "assumed".
    s = d.score({"pay": 1, "growth": 1}, {"pay": 10}, default=8)
    assert s.total == 90.0 and s.assumed == ()


def test_close_call_rule() -> None:
    assert d.is_close_call(60, 64.9)
    assert d.is_close_call(60, 65)
    assert not d.is_close_call(60, 65.1)


def test_weakest_priority_costs_the_most() -> None:
    assert d.weakest({"pay": 5, "growth": 2}, {"pay": 4, "growth": 1}) == "pay"
    assert d.weakest({"pay": 1, "growth": 5}, {"pay": 1, "growth": 6}) == "growth"


# -- the recommendation rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "decision", "reason"),
    [
        (d.Facts(visa_needed=True, sponsorship=False, gap="pay"), "decline", "relocation"),
        (d.Facts(gap="scope", would_accept_if_fixed=True), "decline", "fit"),
        (d.Facts(gap="values"), "decline", "fit"),
        (d.Facts(gap="pay", would_accept_if_fixed=True), "negotiate", "compensation"),
        (d.Facts(gap="relocation", would_accept_if_fixed=True, family=True), "negotiate", "family"),
        (d.Facts(gap="remote", would_accept_if_fixed=True), "negotiate", "fit"),
        (d.Facts(gap="start-date", would_accept_if_fixed=True), "negotiate", "personal"),
        (
            d.Facts(gap="pay", would_accept_if_fixed=True, already_negotiated=True),
            "decline",
            "compensation",
        ),
        (d.Facts(gap="pay", would_accept_if_fixed=False), "decline", "compensation"),
        (d.Facts(gap="waiting"), "ask-for-time", "another-offer"),
        (d.Facts(gap="none", offer_score=70, other_score=50, other_kind="offer"), "accept", None),
        (
            d.Facts(gap="none", offer_score=50, other_score=70, other_kind="offer"),
            "decline",
            "another-offer",
        ),
        (
            d.Facts(offer_score=50, other_score=70, other_kind="counteroffer"),
            "decline",
            "counteroffer",
        ),
        (d.Facts(offer_score=62, other_score=60, other_kind="offer", gut="good"), "accept", None),
        (
            d.Facts(offer_score=62, other_score=60, other_kind="offer", gut="uneasy"),
            "decline",
            "another-offer",
        ),
        (
            d.Facts(
                offer_score=62, other_score=60, other_kind="current", top_priority_winner="other"
            ),
            "decline",
            "counteroffer",
        ),
        (d.Facts(gap="none", offer_score=72), "accept", None),
        (d.Facts(gap="none", offer_score=40, weakest="growth"), "decline", "growth"),
        (d.Facts(gap="none", offer_score=72, gut="uneasy"), "decline", "fit"),
    ],
)
def test_recommend(facts: d.Facts, decision: str, reason: str | None) -> None:
    rec = d.recommend(facts)
    assert rec.decision == decision
    assert rec.main_reason == reason
    assert rec.reasons  # always explained


def test_negotiate_first_only_when_every_gap_is_bridgeable() -> None:
    for gap in d.STRUCTURAL:
        assert d.recommend(d.Facts(gap=gap, would_accept_if_fixed=True)).decision == "decline"
    for gap in d.BRIDGEABLE:
        assert d.recommend(d.Facts(gap=gap, would_accept_if_fixed=True)).decision == "negotiate"


def test_close_call_is_flagged() -> None:
    rec = d.recommend(d.Facts(offer_score=62, other_score=60, other_kind="offer", gut="good"))
    assert rec.close_call and "close-call" in rec.reasons


# -- timing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "offer", "deadline"),
    [
        ("they offered Tuesday, deadline is Friday", "2026-11-17", "2026-11-27"),
        ("yesterday", "2026-11-20", None),
        ("no deadline, a few days ago", "2026-11-18", None),
        ("Nov 12 and they want an answer by Monday", "2026-11-12", "2026-11-23"),
        ("today, they need it by Wednesday", "2026-11-21", "2026-11-25"),
        ("I'm not sure", None, None),
    ],
)
def test_parse_offer_timing(text: str, offer: str | None, deadline: str | None) -> None:
    got = d.parse_offer_timing(text, TODAY)
    assert tuple(x.isoformat() if x else None for x in got) == (offer, deadline)


def test_timing_within_72_hours_of_the_offer() -> None:
    t = d.response_timing(TODAY, dt.date(2026, 11, 20), None)
    assert t.respond_by == dt.date(2026, 11, 23) and not t.late and t.days_left == 2


def test_timing_before_the_deadline_when_it_comes_first() -> None:
    t = d.response_timing(TODAY, dt.date(2026, 11, 20), dt.date(2026, 11, 22))
    assert t.respond_by == dt.date(2026, 11, 22)


def test_timing_warns_when_late() -> None:
    t = d.response_timing(TODAY, dt.date(2026, 11, 10), None)
    assert t.late and t.respond_by == TODAY and not t.past_deadline
    t = d.response_timing(TODAY, None, dt.date(2026, 11, 19))
    assert t.late and t.past_deadline


def test_ask_for_time_proposes_a_weekday_after_the_other_answer() -> None:
    assert d.response_timing(
        TODAY, None, None, other_date=dt.date(2026, 11, 25)
    ).propose == dt.date(2026, 11, 26)
    # Friday's answer: propose Monday, not Saturday.
    t = d.response_timing(TODAY, None, dt.date(2026, 11, 25), other_date=dt.date(2026, 11, 27))
    assert t.propose == dt.date(2026, 11, 30) and t.propose_after_deadline
    # No other date: within a week, on a weekday.
    assert d.response_timing(TODAY, None, None).propose == dt.date(2026, 11, 26)


# -- channel, people, checklist ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "channel"),
    [
        ({"rounds": 4, "recruiter_involved": True, "rapport": "strong"}, "recruiter"),
        ({"rounds": 4, "employer_prefers": "writing"}, "email"),
        ({"rounds": 3}, "phone"),
        ({"rounds": 1, "rapport": "strong"}, "phone"),
        ({"rounds": 1, "senior": True}, "phone"),
        ({"rounds": 3, "needs_record": True}, "call-then-email"),
        ({"rounds": 1}, "email"),
        ({"rounds": 2, "rapport": "formal"}, "email"),
        ({}, "email"),
    ],
)
def test_choose_channel(kwargs: dict[str, Any], channel: str) -> None:
    choice = d.choose_channel(**kwargs)
    assert choice.channel == channel
    assert choice.reasons


def test_notify_list_names_everyone_once() -> None:
    people = d.notify_list(
        recruiter="Ana", manager="Dana Rivera", interviewers=["Sam Lee", "dana rivera", "Priya"]
    )
    assert people == [
        ("recruiter", "Ana"),
        ("manager", "Dana Rivera"),
        ("interviewer", "Sam Lee"),
        ("interviewer", "Priya"),
    ]
    assert d.notify_list(recruiter_involved=True) == [("recruiter", None), ("manager", None)]


def test_checklist_answers_and_flags() -> None:
    items = dict(
        d.checklist(
            {
                "goals": "lead",
                "mobility": "none",
                "offer_score": 60.0,
                "channel": "email",
                "decision": "decline",
                "reason": "fit",
                "decided_on": "2026-11-21",
                "offer_date": "2026-11-20",
                "notify": [{"role": "manager", "name": "Dana"}],
            },
            TODAY,
        )
    )
    assert items == {
        "roadmap": True,
        "time": True,
        "timing": True,
        "channel": True,
        "people": True,
        "message": False,
        "followups": False,
        "record": True,
    }
    flagged = dict(d.checklist({"offer_date": "2026-11-01"}, TODAY))
    assert not flagged["roadmap"] and not flagged["timing"] and not flagged["record"]


# -- small readers ----------------------------------------------------------------------------


def test_parse_mobility() -> None:
    assert d.parse_mobility("none") == dict.fromkeys(d._MOBILITY, False)
    got = d.parse_mobility("I'd need a visa and my partner would have to find work")
    assert got["visa_needed"] and got["partner_work"] and not got["relocation_needed"]
    assert d.parse_mobility("we'd move to a new city and the kids change school")["family_timing"]


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("help me write the email", "email"),
        ("I want to call them first and then email", "call-then-email"),
        ("I'll tell the recruiter", "recruiter"),
        ("I'd rather tell them by phone", "phone"),
        ("I've decided to decline", None),
        ("the recruiter called me yesterday", None),
    ],
)
def test_channel_in_text(text: str, channel: str | None) -> None:
    assert d.channel_in_text(text) == channel


# -- corrections ------------------------------------------------------------------------------


def test_revision_of_a_rating_clears_the_gap(vocab: d.Vocab) -> None:
    slots = {
        "weights": {"pay": 5.0, "growth": 3.0},
        "offer_ratings": {"pay": 3.0, "growth": 8.0},
        "gap_kind": "pay",
    }
    rev = d.find_revision("actually the salary was fine", slots, vocab, TODAY)
    assert rev is not None
    assert rev.changes["offer_ratings"] == {"pay": 5.0, "growth": 8.0}
    assert rev.changes["gap_kind"] == "none"


def test_revision_of_dates_and_visa(vocab: d.Vocab) -> None:
    rev = d.find_revision(
        "the deadline is Monday, not Friday", {"deadline": "2026-11-27"}, vocab, TODAY
    )
    assert rev is not None and rev.changes == {"deadline": "2026-11-23"}
    rev = d.find_revision(
        "they do sponsor visas after all", {"visa_needed": True, "sponsorship": False}, vocab, TODAY
    )
    assert rev is not None and rev.changes["sponsorship"] is True
    rev = d.find_revision(
        "actually they won't sponsor the visa",
        {"visa_needed": True, "sponsorship": True},
        vocab,
        TODAY,
    )
    assert rev is not None and rev.changes["sponsorship"] is False


def test_no_revision_without_a_correction(vocab: d.Vocab) -> None:
    assert (
        d.find_revision("the salary was fine", {"offer_ratings": {"pay": 3.0}}, vocab, TODAY)
        is None
    )
    assert d.find_revision("actually I had a sandwich", {}, vocab, TODAY) is None


# -- in a session -----------------------------------------------------------------------------


def _run(content: Content, lines: list[str]) -> tuple[Session, list[Any]]:
    session = Session(content, today=TODAY)
    events = list(session.start())
    for line in lines:
        visible = _labels(session)
        # Free text only: never a number, never a quick reply's own words.
        assert not line.strip().isdigit(), line
        norm = content.normaliser.normalise(line)
        assert norm not in visible, f"{line!r} is a quick reply in {session.state}"
        events += session.handle(line)
    return session, events


def _labels(session: Session) -> set[str]:
    st = session.spec
    return {session.content.normaliser.normalise(c.label) for c in st.choices}


_DECIDE = [
    "I can't make up my mind about an offer",
    "Acme",
    "data analyst",
    "I want to lead a small team within two years",
]
_CLEAR = ["I must keep hybrid work", "nothing like that"]


FREE_TEXT_RECOMMENDATIONS = {
    "decline": [
        *_DECIDE,
        *_CLEAR,
        "growth matters most, pay a lot",
        "growth is poor and pay is ok",
        "only this one",
        "I have a bad feeling about the manager",
        "the job itself is not what they described",
        "we spoke on Thursday",
    ],
    "accept": [
        *_DECIDE,
        *_CLEAR,
        "growth matters most, pay a lot",
        "growth is excellent, pay is good",
        "only this one",
        "I liked them a lot",
        "honestly it is all good",
        "they sent it yesterday",
    ],
    "negotiate": [
        *_DECIDE,
        *_CLEAR,
        "pay matters most, growth some",
        "pay is low, growth is great",
        "only this one",
        "I liked them a lot",
        "the money is too low",
        "yes I would",
        "they sent it yesterday",
    ],
    "ask-for-time": [
        *_DECIDE,
        *_CLEAR,
        "pay matters most, growth some",
        "pay is ok, growth is good",
        "another company is also interviewing me",
        "pay is better there, growth similar",
        "I liked them a lot",
        "I am waiting to hear back from another company",
        "next Wednesday",
        "the offer came yesterday",
    ],
}


@pytest.mark.parametrize("expected", sorted(FREE_TEXT_RECOMMENDATIONS))
def test_every_recommendation_is_reachable_by_free_text(content: Content, expected: str) -> None:
    session, events = _run(content, FREE_TEXT_RECOMMENDATIONS[expected])
    assert session.state == "decision.recommend", session.transcript[-3:]
    assert session.slots["recommendation"] == expected
    assert any(isinstance(e, Advice) for e in events)
    assert any(isinstance(e, Comparison) for e in events)


_DECLINED = [
    "I have decided to decline the offer",
    "Acme",
    "data analyst",
    "Dana Rivera",
    "I took another offer",
    "they sent it yesterday",
]
FREE_TEXT_CHANNELS = {
    "phone": [
        *_DECLINED,
        "three rounds",
        "no, it was all direct",
        "we got on really well",
        "no",
        "they did not say",
    ],
    "email": [
        *_DECLINED,
        "only a phone screen, so one",
        "no, it was all direct",
        "no",
        "they did not say",
    ],
    "recruiter": [*_DECLINED, "four rounds", "yes, an agency recruiter ran it", "Ana Costa"],
    "call-then-email": [
        "I would take it if they paid more",
        "Acme",
        "data analyst",
        "Dana Rivera",
        "they sent it yesterday",
        # the negotiation kit first: the figures, the reason, the walk-away point, then
        # "help me choose" hands over to the channel questions
        "they offered 50k and I need 56k",
        "skip",
        "55k",
        "Sam Lee",
        "I'm not sure",
        "three rounds",
        "no, it was all direct",
        "we got on really well",
        "no",
        "they did not say",
    ],
}


@pytest.mark.parametrize("expected", sorted(FREE_TEXT_CHANNELS))
def test_every_channel_is_reachable_by_free_text(content: Content, expected: str) -> None:
    session, _ = _run(content, FREE_TEXT_CHANNELS[expected])
    # The suggestion is taken at once (no "does that suit you?"); the draft comes next.
    assert session.slots["suggested_channel"] == expected, session.transcript[-6:]
    assert session.slots["channel"] == expected
    assert session.state.startswith("draft."), session.state


def test_checklist_is_a_scorecard_with_every_item(content: Content) -> None:
    # The checklist is the last look before sending: it comes after the draft.
    session, events = _run(content, [*FREE_TEXT_CHANNELS["email"], "Sam Lee", "skip", "it's good"])
    cards = [e for e in events if isinstance(e, Scorecard)]
    assert session.state == "draft.checklist"
    assert len(cards) == 1 and len(cards[0].lines) == len(d.CHECKLIST)
    assert session.slots["notify"] == [{"role": "manager", "name": "Dana Rivera"}]
    message = next(line for line in cards[0].lines if line.check.startswith("Message"))
    assert message.ok  # the draft above was written and checked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no, no move or visa", set()),
        ("no visa needed but my partner would have to find work", {"partner_work"}),
        ("I don't need sponsorship, just a move", {"relocation_needed"}),
        ("we would have to relocate and my kids change school", {"relocation_needed", "family_timing"}),
    ],
)
def test_mobility_reads_negation_per_clause(text: str, expected: set[str]) -> None:
    from bot.decision import parse_mobility

    assert {k for k, v in parse_mobility(text).items() if v} == expected
