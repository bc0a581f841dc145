"""The recommendation rule: decline / accept / negotiate first / ask for time, with reason codes
(``templates/decision/recommendation.j2`` words them). Pure: it reads ``Facts``, says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.priorities import is_close_call

ACCEPT_BAR = 60.0  # an offer scoring this well with no gap and no unease is worth taking
DECLINE_BAR = 50.0  # below this the offer misses too much of what matters

BRIDGEABLE = ("pay", "relocation", "start-date", "remote")  # gaps an employer can close
STRUCTURAL = ("scope", "values", "visa", "deal-breaker")  # gaps negotiation will not fix
DECISIONS = ("decline", "accept", "negotiate", "ask-for-time")

# The `reason` slot's option for each gap, and for a priority that sank the score.
REASON_FOR_GAP = {
    "pay": "compensation",
    "relocation": "relocation",
    "start-date": "personal",
    "remote": "fit",
    "scope": "fit",
    "values": "fit",
    "visa": "relocation",
    "deal-breaker": "fit",
}
REASON_FOR_FACTOR = {
    "pay": "compensation",
    "growth": "growth",
    "location": "relocation",
    "title": "fit",
    "scope": "fit",
    "team": "fit",
    "balance": "fit",
    "remote": "fit",
    "visa": "relocation",
    "mission": "fit",
    "benefits": "compensation",
    "stability": "fit",
}


# -- committing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the recommendation rule looks at (all optional: it works with what it has)."""

    # pay, relocation, start-date, remote, scope, values, visa, deal-breaker, waiting, none
    gap: str | None = None
    would_accept_if_fixed: bool | None = None
    already_negotiated: bool = False
    visa_needed: bool = False
    sponsorship: bool | None = None
    waiting_on_other: bool = False
    offer_score: float | None = None
    other_score: float | None = None
    other_kind: str | None = None  # offer, current, counteroffer
    gut: str | None = None  # good, mixed, uneasy
    top_priority_winner: str | None = None  # "offer" / "other": who wins the top priority
    weakest: str | None = None  # the priority that costs the offer most
    family: bool = False  # partner's work or family timing is in play


@dataclass(frozen=True)
class Recommendation:
    decision: str  # decline | accept | negotiate | ask-for-time
    reasons: tuple[str, ...]  # codes; templates/decision/recommendation.j2 words them
    main_reason: str | None = None  # an option of the `reason` slot
    close_call: bool = False


def recommend(f: Facts) -> Recommendation:
    def rec(
        decision: str, *reasons: str, main: str | None = None, close: bool = False
    ) -> Recommendation:
        return Recommendation(decision, tuple(reasons), main, close)

    other_reason = "another-offer" if f.other_kind == "offer" else "counteroffer"
    if f.visa_needed and f.sponsorship is False:
        return rec("decline", "visa-barrier", "structural", main="relocation")
    if f.gap in STRUCTURAL:
        main = "family" if f.family and f.gap == "visa" else REASON_FOR_GAP[f.gap]
        return rec("decline", f"gap-{f.gap}", "structural", main=main)
    if f.gap in BRIDGEABLE:
        main = "family" if f.family and f.gap == "relocation" else REASON_FOR_GAP[f.gap]
        if f.already_negotiated:
            return rec("decline", f"gap-{f.gap}", "negotiated-already", main=main)
        if f.would_accept_if_fixed is False:
            return rec("decline", f"gap-{f.gap}", "not-the-real-issue", main=main)
        return rec("negotiate", f"gap-{f.gap}", "bridgeable", "would-accept", main=main)
    if f.gap == "waiting" or f.waiting_on_other:
        return rec("ask-for-time", "waiting-other", "give-a-date", main="another-offer")
    main_low = REASON_FOR_FACTOR.get(f.weakest or "", "fit")
    if f.offer_score is not None and f.other_score is not None:
        if is_close_call(f.offer_score, f.other_score):
            if f.gut == "good":
                return rec("accept", "close-call", "gut-good", close=True)
            if f.gut == "uneasy":
                return rec("decline", "close-call", "gut-uneasy", main=other_reason, close=True)
            if f.top_priority_winner == "other":
                return rec(
                    "decline", "close-call", "top-priority-other", main=other_reason, close=True
                )
            return rec("accept", "close-call", "top-priority-offer", close=True)
        if f.other_score > f.offer_score:
            return rec("decline", f"other-ahead-{f.other_kind or 'offer'}", main=other_reason)
        if f.gut == "uneasy" and f.offer_score < 70:
            return rec("decline", "offer-ahead", "gut-uneasy", main="fit")
        return rec("accept", "offer-ahead", *(["gut-good"] if f.gut == "good" else []))
    if f.gap == "other-better":
        return rec("decline", f"other-ahead-{f.other_kind or 'offer'}", main=other_reason)
    if f.offer_score is not None:
        if f.offer_score < DECLINE_BAR:
            return rec("decline", "below-priorities", main=main_low)
        if f.gut == "uneasy":
            return rec("decline", "gut-uneasy", main="fit")
        if f.offer_score >= ACCEPT_BAR or f.gut == "good":
            return rec("accept", "meets-priorities", *(["gut-good"] if f.gut == "good" else []))
        return rec("decline", "near-the-bar", main=main_low, close=True)
    if f.gap == "none":
        return rec(
            "decline" if f.gut == "uneasy" else "accept",
            "no-gap",
            *(["gut-uneasy"] if f.gut == "uneasy" else []),
            main="fit" if f.gut == "uneasy" else None,
        )
    return rec("decline", "no-clear-fit", main="fit")
