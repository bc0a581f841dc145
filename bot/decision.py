"""Working through the decision: Clarify, Compare, Commit, then timing and channel.

Pure mechanisms first (each testable on its own, none says a word to the person):

- ``parse_weights`` / ``parse_ratings``: priorities and how an option does on them, in words
  ("salary matters most, then location, growth a bit") or numbers ("salary 5, growth 3");
- ``score`` and ``is_close_call``: an option against weighted priorities, 0-100;
- ``recommend``: decline / accept / negotiate first / ask for time, with reason codes;
- ``response_timing``: when to answer (24-72 hours after the offer, before any deadline);
- ``choose_channel`` and ``notify_list``: phone, email, recruiter or call-then-email, and whom
  to tell; ``checklist``: the last look before sending or dialling;
- ``find_revision``: a correction to an earlier answer ("actually the salary was fine").

Then the ``@action``s that flows run with ``do:`` and the ``revise`` interrupt. Every
sentence they say comes from ``templates/decision/*.j2``; the word lists (factors, how much
something matters, how good something is) are choice slots in ``dialogues/slots.yaml``
(``factor``, ``weight_word``, ``rating_word``), so a coach can extend them without Python.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot import extract
from bot.actions import action, interrupt
from bot.events import (
    Advice,
    Choice,
    Choices,
    Comparison,
    ComparisonRow,
    Event,
    Say,
    Scorecard,
    ScoreLine,
)
from bot.machine import next_target
from bot.moves import Goto, Move, Stay

if TYPE_CHECKING:
    from bot.session import Session

CLOSE_CALL_POINTS = 5.0  # options this close (0-100 scale) are a close call
ACCEPT_BAR = 60.0  # an offer scoring this well with no gap and no unease is worth taking
DECLINE_BAR = 50.0  # below this the offer misses too much of what matters
NEUTRAL_RATING = 5.0  # an unrated priority counts as middling
RESPONSE_DAYS = 3  # the seeds: answer within 24-72 hours
CALL_ROUNDS = 3  # this many interview rounds earns a phone call

BRIDGEABLE = ("pay", "relocation", "start-date", "remote")  # gaps an employer can close
STRUCTURAL = ("scope", "values", "visa", "deal-breaker")  # gaps negotiation will not fix
DECISIONS = ("decline", "accept", "negotiate", "ask-for-time")
CHANNELS = ("phone", "email", "recruiter", "call-then-email")

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


# -- vocabulary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocab:
    """The words the parsers know: priority names, how much, how good (from slots.yaml)."""

    factors: Mapping[str, Sequence[str]]
    weights: Mapping[float, Sequence[str]]
    ratings: Mapping[float, Sequence[str]]
    overall: Sequence[str] = (
        "everything else",
        "everything",
        "all else",
        "the rest",
        "rest",
        "otherwise",
        "overall",
        "all of it",
        "all",
    )

    @classmethod
    def from_content(cls, content: Any) -> Vocab:
        slots = content.slots

        def numbered(name: str) -> dict[float, list[str]]:
            return {float(k): list(v) for k, v in slots[name].options.items()}

        factors = {k: [k, *v] for k, v in slots["factor"].options.items()}
        overall = slots["overall_word"].options.get("all") if "overall_word" in slots else None
        base = cls(
            factors=factors, weights=numbered("weight_word"), ratings=numbered("rating_word")
        )
        return cls(base.factors, base.weights, base.ratings, tuple(overall or base.overall))


def _fold(text: str) -> str:
    s = text.lower().replace("’", "'").replace("-", " ")
    s = re.sub(r"[^\w%/'.:,;&]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    key: Any
    phrase: str


def _find(text: str, table: Mapping[Any, Sequence[str]]) -> list[_Hit]:
    """Every phrase of ``table`` in ``text`` as whole words; hits inside a longer hit dropped."""
    hits: list[_Hit] = []
    for key, phrases in table.items():
        for phrase in phrases:
            p = _fold(str(phrase))
            if not p:
                continue
            for m in re.finditer(rf"(?<![\w']){re.escape(p)}(?![\w'])", text):
                hits.append(_Hit(m.start(), m.end(), key, p))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_Hit] = []
    for h in hits:
        if any(k.start <= h.start and h.end <= k.end for k in kept):
            continue
        kept = [k for k in kept if not (h.start <= k.start and k.end <= h.end)]
        kept.append(h)
    return sorted(kept, key=lambda h: h.start)


_SPLIT = re.compile(
    r"\s*(?:[,;.](?!\d)|\b(?:then|but|while|whereas|though|although|however|except|plus)\b)\s*"
    r"|\s+(?P<join>and|&|or|/)\s+"
)
_NUMBER = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s*(?:(%)|/\s*(\d+)|out of\s*(\d+))?(?!\s*(?:k\b|000|\d))"
)
_FILLER = frozenset(
    ["the", "my", "a", "an", "of", "for", "on", "in", "is", "are", "was", "and", "to"]
)


@dataclass
class _Clause:
    text: str
    joined_to_next: bool = False  # split from the next clause by "and" / "or" / "&"


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    pos = 0
    for m in _SPLIT.finditer(text):
        out.append(_Clause(text[pos : m.start()], joined_to_next=bool(m.group("join"))))
        pos = m.end()
    out.append(_Clause(text[pos:]))
    return [c for c in out if c.text.strip()]


def _number_cue(segment: str, *, scale_to_ten: bool) -> float | None:
    m = _NUMBER.search(segment)
    if not m:
        return None
    value = float(m[1])
    if m[3] or m[4]:
        out_of = float(m[3] or m[4])
        return value * 10 / out_of if out_of else None
    if m[2]:
        return value / 10 if scale_to_ten else value
    if scale_to_ten and value > 10:
        return value / 10 if value <= 100 else None
    return value


def _word_cue(segment: str, table: Mapping[float, Sequence[str]], middle: float) -> float | None:
    hits = _find(segment, table)
    if not hits:
        return None
    # "matters most" holds a mild cue and a strong one: the most telling wins.
    best = max(hits, key=lambda h: (abs(float(h.key) - middle), h.end - h.start))
    return float(best.key)


def _cue(
    segment: str, table: Mapping[float, Sequence[str]], *, middle: float, scale_to_ten: bool
) -> float | None:
    n = _number_cue(segment, scale_to_ten=scale_to_ten)
    return n if n is not None else _word_cue(segment, table, middle)


def _only_factors(text: str, hits: Sequence[_Hit]) -> bool:
    rest = text
    for h in hits:
        rest = rest.replace(h.phrase, " ")
    return all(w in _FILLER for w in rest.split())


def _rated_factors(
    text: str,
    vocab: Vocab,
    table: Mapping[float, Sequence[str]],
    *,
    middle: float,
    scale_to_ten: bool,
    custom: bool,
) -> list[tuple[str, float | None]]:
    """Each factor mentioned, in order, with the cue that goes with it (or None)."""
    found: list[list[Any]] = []
    pending: list[int] = []  # bare factors waiting for the cue of the clause they are joined to
    for clause in _clauses(_fold(text)):
        s = clause.text
        hits = _find(s, vocab.factors)
        if not hits and custom:
            m = re.match(r"^\s*([a-z][a-z' ]{1,30}?)\s*[:=]?\s*(\d+(?:\.\d+)?)\s*%?\s*$", s)
            if m and m[1].split()[-1] not in _FILLER:
                hits = [_Hit(m.start(1), m.end(1), m[1].strip(), m[1].strip())]
        new: list[list[Any]] = []
        for i, h in enumerate(hits):
            after = s[h.end : hits[i + 1].start if i + 1 < len(hits) else len(s)]
            before = s[hits[i - 1].end if i else 0 : h.start]
            cue = _cue(after, table, middle=middle, scale_to_ten=scale_to_ten)
            if cue is None:
                cue = _cue(before, table, middle=middle, scale_to_ten=scale_to_ten)
            key = str(h.key)
            if any(f[0] == key for f in found + new):
                continue
            new.append([key, cue])
        cues = [c for _, c in new if c is not None]
        if cues:
            for j in pending:
                found[j][1] = cues[0]
        start = len(found)
        found.extend(new)
        # "salary and location matter most": a clause that is only factors borrows the cue
        # of the clause it is joined to by "and" / "or".
        if clause.joined_to_next and not cues and _only_factors(s, hits):
            pending = pending + list(range(start, len(found)))
        else:
            pending = []
    return [(str(k), c) for k, c in found]


def parse_weights(text: str, vocab: Vocab) -> dict[str, float]:
    """Priorities with weights, in the order said: numbers as given, words mapped to 0-5.

    An unqualified priority ranks just below the one before it, so a plain list
    ("growth, salary, location") reads as most to least important.
    """
    raw = _rated_factors(text, vocab, vocab.weights, middle=3.0, scale_to_ten=False, custom=True)
    out: dict[str, float] = {}
    prev = 6.0
    for key, cue in raw:
        w = cue if cue is not None else max(1.0, prev - 1)
        out[key] = w
        prev = w
    return {k: v for k, v in out.items() if v > 0}


def parse_ratings(text: str, vocab: Vocab) -> tuple[dict[str, float], float | None]:
    """How an option does on each priority (0-10), plus an overall rating for the rest.

    "all good except salary which is low" -> ({"pay": 3}, 7).
    """
    raw = _rated_factors(text, vocab, vocab.ratings, middle=5.0, scale_to_ten=True, custom=False)
    ratings = {k: max(0.0, min(10.0, v)) for k, v in raw if v is not None}
    folded = _fold(text)
    overall = None
    for h in _find(folded, {"all": vocab.overall}):
        window = folded[h.end : h.end + 30]
        cue = _word_cue(" ".join(window.split()[:4]), vocab.ratings, 5.0)
        if cue is not None:
            overall = cue
            break
    if not ratings and overall is None:
        # A single verdict with no factor named ("it's great", "pretty weak") rates everything.
        overall = _cue(folded, vocab.ratings, middle=5.0, scale_to_ten=True)
    return ratings, overall


# -- comparing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    total: float  # 0..100
    details: tuple[tuple[str, float], ...]  # (priority, weighted points); they add up to total
    assumed: tuple[str, ...] = ()  # priorities with no rating (counted as middling)


def score(
    weights: Mapping[str, float], ratings: Mapping[str, float], default: float | None = None
) -> Score:
    total_w = sum(w for w in weights.values() if w > 0)
    if total_w <= 0:
        return Score(0.0, ())
    details = []
    assumed = []
    for factor, w in weights.items():
        if w <= 0:
            continue
        r = ratings.get(factor)
        if r is None:
            r = default if default is not None else NEUTRAL_RATING
            if default is None:
                assumed.append(factor)
        details.append((factor, round(w * r / total_w * 10, 1)))
    total = round(sum(p for _, p in details), 1)
    return Score(total, tuple(details), tuple(assumed))


def is_close_call(a: float, b: float, points: float = CLOSE_CALL_POINTS) -> bool:
    return abs(a - b) <= points


def weakest(
    weights: Mapping[str, float], ratings: Mapping[str, float], default: float | None = None
) -> str | None:
    """The priority that costs the offer most (big weight, low rating)."""
    best: tuple[float, str] | None = None
    for factor, w in weights.items():
        r = ratings.get(factor, default if default is not None else NEUTRAL_RATING)
        loss = w * (10 - r)
        if best is None or loss > best[0]:
            best = (loss, factor)
    return best[1] if best and best[0] > 0 else None


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


# -- timing ---------------------------------------------------------------------------------------


def _weekday_on_or_after(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def _past_date(text: str, today: dt.date) -> dt.date | None:
    """A date the offer arrived: weekdays and bare dates read as the most recent past one."""
    s = text.lower()
    m = re.search(
        r"\b(?:on|last|this)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", s
    )
    if m and not re.search(r"\b(?:next|by|until|before|due)\s+" + m[1], s):
        target = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ].index(m[1])
        delta = (today.weekday() - target) % 7
        return today - dt.timedelta(days=delta)
    if re.search(r"\bjust now\b|\bthis morning\b|\bearlier today\b|\bjust (?:got|received)\b", s):
        return today
    if re.search(r"\ba few days ago\b|\bcouple of days ago\b", s):
        return today - dt.timedelta(days=3 if "few" in s else 2)
    if re.search(r"\ba week ago\b", s):
        return today - dt.timedelta(weeks=1)
    d = extract.parse_date(text, today)
    if d is None:
        return None
    if d.date > today:  # "on the 18th"-style readings that landed in the future
        try:
            back = d.date.replace(year=d.date.year - 1)
        except ValueError:
            back = d.date - dt.timedelta(days=365)
        return back if (today - back).days < 60 else None
    return d.date


_DEADLINE_CUE = re.compile(
    r"\b(?:deadline|by|until|before|due|respond by|answer by|need(?:s)? (?:it|an answer))\b", re.I
)


def parse_offer_timing(text: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(offer date, deadline) from a reply like "they offered Tuesday, deadline is Friday"."""
    offer: dt.date | None = None
    deadline: dt.date | None = None
    parts = re.split(r"\s*(?:[;,.]|\band\b|\bbut\b|\bwith\b)\s*", text)
    for part in parts:
        if not part.strip():
            continue
        if _DEADLINE_CUE.search(part):
            d = extract.parse_date(part, today)
            if d and deadline is None:
                deadline = d.date
            continue
        if re.search(r"\bno deadline\b|\bno rush\b", part, re.I):
            continue
        p = _past_date(part, today)
        if p and offer is None:
            offer = p
    return offer, deadline


@dataclass(frozen=True)
class Timing:
    respond_by: dt.date
    days_left: int  # 0 = today; negative = already late
    late: bool
    past_deadline: bool
    offer_date: dt.date | None
    deadline: dt.date | None
    propose: dt.date | None = None  # for asking for time: the date to offer them
    propose_after_deadline: bool = False


def response_timing(
    today: dt.date,
    offer_date: dt.date | None,
    deadline: dt.date | None,
    *,
    other_date: dt.date | None = None,
) -> Timing:
    """Answer within 24-72 hours of the offer, and before any deadline they set."""
    start = offer_date or today
    # Three days on, moved off a weekend: a reply on Monday is as prompt as one on Sunday.
    window_end = _weekday_on_or_after(start + dt.timedelta(days=RESPONSE_DAYS))
    respond_by = min(window_end, deadline) if deadline else window_end
    late = today > window_end or bool(deadline and today > deadline)
    if respond_by < today and not late:
        respond_by = today
    if late:
        respond_by = today
    # Asking for time: the day after the other answer is due, else within a week; weekdays.
    if other_date and other_date >= today:
        propose = _weekday_on_or_after(other_date + dt.timedelta(days=1))
    else:
        propose = _weekday_on_or_after(today + dt.timedelta(days=5))
    return Timing(
        respond_by=respond_by,
        days_left=(respond_by - today).days,
        late=late,
        past_deadline=bool(deadline and today > deadline),
        offer_date=offer_date,
        deadline=deadline,
        propose=propose,
        propose_after_deadline=bool(deadline and propose > deadline),
    )


# -- channel --------------------------------------------------------------------------------------

SENIOR_WORDS = re.compile(
    r"\b(?:senior|sr|lead|head|director|vp|vice president|principal|chief|c[a-z]o|staff|partner|"
    r"manager|executive|founding)\b",
    re.I,
)


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
    t = _timing_from_slots(slots, today)
    return [
        ("roadmap", bool(slots.get("goals") and slots.get("mobility"))),
        ("time", slots.get("offer_score") is not None or bool(slots.get("recommendation"))),
        ("timing", not t.late),
        ("channel", bool(slots.get("channel"))),
        (
            "people",
            any(isinstance(p, Mapping) and p.get("name") for p in slots.get("notify") or []),
        ),
        ("message", False),  # the draft comes next; the critic checks it there
        ("followups", bool(slots.get("followups_planned"))),
        ("record", bool(slots.get("decision") and slots.get("reason") and slots.get("decided_on"))),
    ]


# -- reading the session --------------------------------------------------------------------------


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _timing_from_slots(slots: Mapping[str, Any], today: dt.date) -> Timing:
    return response_timing(
        today,
        _date(slots.get("offer_date")),
        _date(slots.get("deadline")),
        other_date=_date(slots.get("other_offer_date")),
    )


def _floats(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        return {}
    out = {}
    for k, v in value.items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            continue
    return out


def facts_from_slots(slots: Mapping[str, Any]) -> Facts:
    weights = _floats(slots.get("weights"))
    offer = _floats(slots.get("offer_ratings"))
    other = _floats(slots.get("other_ratings"))
    top = max(weights, key=lambda k: weights[k]) if weights else None
    winner = None
    if top and slots.get("other_score") is not None:
        a, b = offer.get(top, NEUTRAL_RATING), other.get(top, NEUTRAL_RATING)
        winner = "offer" if a >= b else "other"
    kind = slots.get("other_kind")
    return Facts(
        gap=slots.get("gap_kind"),
        would_accept_if_fixed=slots.get("would_accept_if_fixed"),
        already_negotiated=bool(slots.get("already_negotiated")),
        visa_needed=bool(slots.get("visa_needed")),
        sponsorship=slots.get("sponsorship"),
        waiting_on_other=bool(slots.get("waiting_on_other")),
        offer_score=slots.get("offer_score"),
        other_score=slots.get("other_score") if kind and kind != "none" else None,
        other_kind=kind if kind and kind != "none" else None,
        gut=slots.get("gut"),
        top_priority_winner=winner,
        weakest=weakest(weights, offer, slots.get("offer_overall")) if weights else None,
        family=bool(slots.get("partner_work") or slots.get("family_timing")),
    )


def _parts(rendered: str) -> dict[str, str]:
    """A template split into named parts: lines ``@@ name`` start each part."""
    out: dict[str, str] = {}
    name = ""
    lines: list[str] = []
    for line in rendered.splitlines():
        m = re.match(r"^@@\s*([\w-]+)\s*$", line)
        if m:
            if name:
                out[name] = "\n".join(lines).strip()
            name, lines = m[1], []
        else:
            lines.append(line)
    if name:
        out[name] = "\n".join(lines).strip()
    return out


def _points(text: str) -> tuple[str, ...]:
    """Lines starting with "- " are points; a point's continuation lines join it."""
    pts: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("- "):
            pts.append(s[2:].strip())
        elif pts:
            pts[-1] += " " + s
        else:
            pts.append(s)
    return tuple(pts)


def _vocab(session: Session) -> Vocab:
    return Vocab.from_content(session.content)


# -- actions: Clarify -----------------------------------------------------------------------------

_MOBILITY = {
    "visa_needed": r"\bvisa|sponsor|work permit|right to work|green card|h ?1 ?b\b",
    "relocation_needed": (
        r"\brelocat|\bmov(?:e|ing)\b|\bnew city\b|\banother country\b|\babroad\b|\bcost of living\b"
    ),
    "partner_work": r"\bpartner|\bwife\b|\bhusband\b|\bspouse\b",
    "family_timing": r"\bfamily\b|\bkids?\b|\bchildren\b|\bschool\b|\bbaby\b|\bparents?\b|\bcare\b",
}


_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|never|without|nor|neither|don'?t|doesn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|no need)\b[^.,;!?]*$"
)


def parse_mobility(text: str) -> dict[str, bool]:
    """Which life changes the offer would bring, with negation read per clause:
    "no move or visa, but my partner would need work" is a partner question only."""
    s = text.lower()
    if re.search(
        r"^\s*(?:none|nothing|no|nope|n/a|none of (?:these|those|them)|not really)\b", s
    ) and not re.search(r"visa|sponsor|relocat|move|partner|family|kids", s):
        return dict.fromkeys(_MOBILITY, False)
    found = dict.fromkeys(_MOBILITY, False)
    for clause in re.split(r"[.;!?]|,|\bbut\b|\bhowever\b|\bthough\b", s):
        for key, pattern in _MOBILITY.items():
            m = re.search(pattern, clause)
            if m and not _NEGATION_BEFORE.search(clause[: m.start()]):
                found[key] = True
    return found


@action(
    "read-mobility", produces=["visa_needed", "relocation_needed", "partner_work", "family_timing"]
)
def read_mobility(session: Session) -> list[Event] | None:
    session.slots.update(parse_mobility(str(session.slots.get("mobility") or "")))
    return None


# -- actions: Compare -----------------------------------------------------------------------------


@action("read-priorities", produces=["weights"])
def read_priorities(session: Session) -> list[Event] | None:
    weights = parse_weights(str(session.slots.get("priorities") or ""), _vocab(session))
    session.slots["weights"] = weights or None
    return None


@action("read-offer-ratings", produces=["offer_ratings", "offer_overall"])
def read_offer_ratings(session: Session) -> list[Event] | None:
    ratings, overall = parse_ratings(str(session.slots.get("offer_said") or ""), _vocab(session))
    session.slots["offer_ratings"] = ratings or None
    session.slots["offer_overall"] = overall
    return None


@action("read-other-ratings", produces=["other_ratings", "other_overall"])
def read_other_ratings(session: Session) -> list[Event] | None:
    ratings, overall = parse_ratings(str(session.slots.get("other_said") or ""), _vocab(session))
    session.slots["other_ratings"] = ratings or None
    session.slots["other_overall"] = overall
    return None


def comparison_event(session: Session) -> Comparison | None:
    """Score the offer (and the other option) and build the table; sets the score slots."""
    slots = session.slots
    weights = _floats(slots.get("weights"))
    if not weights:
        return None
    offer = score(weights, _floats(slots.get("offer_ratings")), slots.get("offer_overall"))
    slots["offer_score"] = offer.total
    other = None
    kind = slots.get("other_kind")
    if (
        kind
        and kind != "none"
        and (slots.get("other_ratings") or slots.get("other_overall") is not None)
    ):
        other = score(weights, _floats(slots.get("other_ratings")), slots.get("other_overall"))
        slots["other_score"] = other.total
    else:
        slots["other_score"] = None
    close = other is not None and is_close_call(offer.total, other.total)
    slots["close_call"] = close
    parts = _parts(
        session.render_file(
            "decision/comparison.j2",
            offer_total=offer.total,
            other_total=other.total if other else None,
            assumed=list(offer.assumed),
            other_assumed=list(other.assumed) if other else [],
            close=close,
            gap=round(abs(offer.total - (other.total if other else 0)), 1),
            weights=weights,
        )
    )
    rows = [ComparisonRow(parts.get("offer", "This offer"), offer.total, offer.details)]
    if other is not None:
        rows.append(
            ComparisonRow(parts.get("other", "The other option"), other.total, other.details)
        )
    return Comparison(
        parts.get("title", ""), tuple(rows), close_call=close, note=parts.get("note", "")
    )


@action("compare", produces=["offer_score", "other_score", "close_call"])
def compare(session: Session) -> list[Event] | None:
    event = comparison_event(session)
    return [event] if event else None


# -- actions: Commit ------------------------------------------------------------------------------


def _recommendation(session: Session) -> Recommendation:
    rec = recommend(facts_from_slots(session.slots))
    session.slots["recommendation"] = rec.decision
    session.slots["rec_reasons"] = list(rec.reasons)
    session.slots["suggested_reason"] = rec.main_reason
    return rec


def recommendation_event(session: Session, rec: Recommendation) -> Advice:
    t = _timing_from_slots(session.slots, session.today)
    parts = _parts(
        session.render_file(
            "decision/recommendation.j2",
            rec=rec.decision,
            reasons=list(rec.reasons),
            close=rec.close_call,
            propose=t.propose.isoformat() if t.propose else None,
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("recommend", produces=["recommendation", "rec_reasons", "suggested_reason", "reply_by"])
def recommend_action(session: Session) -> list[Event] | None:
    rec = _recommendation(session)
    if rec.decision == "ask-for-time":
        t = _timing_from_slots(session.slots, session.today)
        session.slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return [recommendation_event(session, rec)]


@action("commit", produces=["reason", "decided_on", "reply_by"])
def commit(session: Session) -> list[Event] | None:
    """The person decided: date it, and keep the main reason if the rule found one."""
    slots = session.slots
    slots["decided_on"] = session.today.isoformat()
    if (
        not slots.get("reason")
        and slots.get("suggested_reason")
        and slots.get("decision") != "accept"
    ):
        slots["reason"] = slots["suggested_reason"]
    if slots.get("decision") == "ask-for-time" and not slots.get("reply_by"):
        t = _timing_from_slots(slots, session.today)
        slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return None


_DONT_KNOW = re.compile(
    r"\b(?:not sure|unsure|no idea|don'?t know|do not know|can'?t remember|forgot|skip|unknown)\b",
    re.I,
)


@action("read-offer-timing", produces=["offer_date", "deadline"])
def read_offer_timing(session: Session) -> list[Event] | None:
    offer, deadline = parse_offer_timing(str(session.slots.get("offer_when") or ""), session.today)
    if offer:
        session.slots["offer_date"] = offer.isoformat()
    if deadline and not session.slots.get("deadline"):
        session.slots["deadline"] = deadline.isoformat()
    said = str(session.slots.get("offer_when") or "")
    if not offer and not deadline and not _DONT_KNOW.search(said):
        session.slots["offer_when"] = None  # nothing usable: the flow asks again
    return None


def timing_event(session: Session) -> Advice:
    t = _timing_from_slots(session.slots, session.today)
    parts = _parts(
        session.render_file(
            "decision/timing.j2",
            respond_by=t.respond_by.isoformat(),
            days_left=t.days_left,
            late=t.late,
            past_deadline=t.past_deadline,
            known_offer=t.offer_date is not None,
            known_deadline=t.deadline is not None,
            propose=t.propose.isoformat() if t.propose else None,
            propose_after_deadline=t.propose_after_deadline,
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("timing", produces=["respond_by", "late", "reply_by"])
def timing_action(session: Session) -> list[Event] | None:
    t = _timing_from_slots(session.slots, session.today)
    session.slots["respond_by"] = t.respond_by.isoformat()
    session.slots["late"] = t.late
    if session.slots.get("decision") == "ask-for-time" and not session.slots.get("reply_by"):
        session.slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return [timing_event(session)]


# -- actions: channel -----------------------------------------------------------------------------


@action("infer-seniority", produces=["senior"])
def infer_seniority(session: Session) -> list[Event] | None:
    role = session.slots.get("role")
    if session.slots.get("senior") is None and role:
        session.slots["senior"] = bool(SENIOR_WORDS.search(str(role)))
    if session.slots.get("recruiter") and session.slots.get("recruiter_involved") is None:
        session.slots["recruiter_involved"] = True
    return None


def _channel_choice(slots: Mapping[str, Any]) -> ChannelChoice:
    rounds = slots.get("rounds")
    return choose_channel(
        rounds=float(rounds) if isinstance(rounds, int | float) else None,
        rapport=slots.get("rapport"),
        senior=slots.get("senior"),
        recruiter_involved=slots.get("recruiter_involved"),
        employer_prefers=slots.get("employer_prefers"),
        needs_record=slots.get("decision") in ("negotiate", "ask-for-time")
        or bool(slots.get("already_negotiated")),
    )


def channel_event(session: Session, choice: ChannelChoice) -> Advice:
    parts = _parts(
        session.render_file(
            "decision/channel.j2", suggested=choice.channel, reasons=list(choice.reasons)
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("suggest-channel", produces=["suggested_channel", "channel_reasons"])
def suggest_channel(session: Session) -> list[Event] | None:
    choice = _channel_choice(session.slots)
    session.slots["suggested_channel"] = choice.channel
    session.slots["channel_reasons"] = list(choice.reasons)
    return [channel_event(session, choice)]


@action("notify", produces=["notify"])
def notify(session: Session) -> list[Event] | None:
    s = session.slots
    people = notify_list(
        recruiter=s.get("recruiter"),
        recruiter_involved=s.get("recruiter_involved"),
        manager=s.get("manager"),
        interviewers=[str(n) for n in (s.get("interviewers") or [])],
    )
    s["notify"] = [{"role": r, "name": n} for r, n in people]
    parts = _parts(session.render_file("decision/notify.j2", people=s["notify"]))
    return [Advice(parts.get("title", ""), _points(parts.get("points", "")))]


@action("checklist", produces=["checklist_open"])
def checklist_action(session: Session) -> list[Event] | None:
    items = checklist(session.slots, session.today)
    t = _timing_from_slots(session.slots, session.today)
    rendered = session.render_file(
        "decision/checklist.j2",
        items=[{"item": k, "ok": ok} for k, ok in items],
        respond_by=t.respond_by.isoformat(),
        late=t.late,
    )
    parts = _parts(rendered)
    lines = []
    for key, ok in items:
        text = parts.get(key, "")
        check, _, note = text.partition("\n")
        lines.append(ScoreLine(check.strip(), ok, " ".join(note.split())))
    session.slots["checklist_open"] = [k for k, ok in items if not ok and k != "message"]
    return [Scorecard(parts.get("title", ""), tuple(lines))]


# -- revising an earlier answer -------------------------------------------------------------------

_CORRECTION = re.compile(
    r"\b(?:actually|after all|correction|i meant|i mean|scratch that|i was wrong|"
    r"i got (?:that|it) wrong|"
    r"turns out|on second thought|on reflection|my mistake|to correct|change of plan|instead)\b"
    r"|,\s*not\s+\w+",
    re.I,
)


@dataclass
class Revision:
    changes: dict[str, Any] = field(default_factory=dict)
    what: list[str] = field(default_factory=list)  # codes of what changed, for the template


def find_revision(
    text: str, slots: Mapping[str, Any], vocab: Vocab, today: dt.date
) -> Revision | None:
    """A correction to an earlier answer: which slots change, or None if this is not one."""
    if not _CORRECTION.search(text):
        return None
    s = _fold(text)
    rev = Revision()
    negative = bool(
        re.search(r"\b(?:not|n't|no longer|won't|don't|doesn't|can't|cannot|never)\b", text.lower())
    )

    # Dates: "the deadline is Monday, not Friday"; "they offered on Tuesday actually".
    if re.search(r"\bdeadline|\bdue\b|\brespond by\b|\bget back (?:to them )?by\b", s):
        head = re.split(r",?\s*\bnot\b", text, maxsplit=1, flags=re.I)[0]
        d = extract.parse_date(head, today) or extract.parse_date(text, today)
        if d and d.iso() != slots.get("deadline"):
            rev.changes["deadline"] = d.iso()
            rev.what.append("deadline")
    elif re.search(
        r"\b(?:offer(?:ed)? (?:came|arrived)|they offered|got the offer|received the offer)\b", s
    ):
        head = re.split(r",?\s*\bnot\b", text, maxsplit=1, flags=re.I)[0]
        p = _past_date(head, today)
        if p and p.isoformat() != slots.get("offer_date"):
            rev.changes["offer_date"] = p.isoformat()
            rev.what.append("offer_date")
    if re.search(r"\bsponsor|\bvisa\b", s) and ("sponsor" in s or slots.get("visa_needed")):
        sponsors = not re.search(
            r"\b(?:do not|don't|won't|will not|can't|cannot|no|not|never)\s+(?:\w+\s+)?sponsor",
            text.lower(),
        )
        if "need" in s and "visa" in s and "sponsor" not in s:
            needs = not negative
            if needs != bool(slots.get("visa_needed")):
                rev.changes["visa_needed"] = needs
                rev.what.append("visa")
        elif sponsors != slots.get("sponsorship"):
            rev.changes["sponsorship"] = sponsors
            rev.changes.setdefault("visa_needed", True)
            rev.what.append("sponsorship")
            if sponsors and slots.get("gap_kind") == "visa":
                rev.changes["gap_kind"] = "none"
    # Interview rounds, recruiter.
    m = re.search(r"\b(\d+|one|two|three|four|five|six)\s+(?:interview\s+)?rounds?\b", s)
    if m:
        n = extract.parse_number(m[1])
        if n is not None and n != slots.get("rounds"):
            rev.changes["rounds"] = n
            rev.what.append("rounds")
    if re.search(r"\brecruiter\b", s) and re.search(
        r"\b(?:was|were|is|there|had|used|through|via|involved)\b", s
    ):
        involved = not negative
        if involved != slots.get("recruiter_involved"):
            rev.changes["recruiter_involved"] = involved
            rev.what.append("recruiter")
    # Would they take it if fixed / already negotiated.
    if re.search(r"\beven if\b", s) and re.search(
        r"\b(?:wouldn't|would not|still)\b", text.lower()
    ):
        if slots.get("would_accept_if_fixed") is not False:
            rev.changes["would_accept_if_fixed"] = False
            rev.what.append("would_accept")
    elif (
        re.search(r"\b(?:would|i'd)\s+(?:take|accept)\b.*\bif\b", text.lower())
        and not negative
        and slots.get("would_accept_if_fixed") is not True
    ):
        rev.changes["would_accept_if_fixed"] = True
        rev.what.append("would_accept")
    # Gut feeling about the people.
    if re.search(r"\b(?:feeling|gut|vibe|manager|team)\b", s) and not rev.what:
        if re.search(r"\b(?:bad|off|uneasy|worried|wrong|red flag|not great|not good)\b", s):
            rev.changes["gut"] = "uneasy"
        elif re.search(r"\b(?:good|great|positive|right|excited|love)\b", s) and not negative:
            rev.changes["gut"] = "good"
        if "gut" in rev.changes and rev.changes["gut"] != slots.get("gut"):
            rev.what.append("gut")
        else:
            rev.changes.pop("gut", None)
    # The main reason: "the real reason is family".
    m = re.search(r"\b(?:main |real |actual )?reason (?:is|was)\s+(.+)$", s)
    if m and not rev.what:
        rev.changes["reason_text"] = m[1]
    # A priority's rating: "actually the salary was fine", "growth is great at the other one".
    if not rev.what and "reason_text" not in rev.changes:
        ratings, _overall = parse_ratings(text, vocab)
        ratings = {k: v for k, v in ratings.items() if k in vocab.factors}
        if ratings:
            other = re.search(
                r"\b(?:other offer|second offer|other one|other company|"
                r"current (?:job|role|employer)|counter ?offer|where i am)\b",
                s,
            )
            target = (
                "other_ratings"
                if other and slots.get("other_kind") not in (None, "none")
                else "offer_ratings"
            )
            current = dict(_floats(slots.get(target)))
            changed = {k: v for k, v in ratings.items() if current.get(k) != v}
            if changed:
                current.update(changed)
                rev.changes[target] = current
                rev.what.append("ratings")
                gap_factor = {"pay": "pay", "relocation": "location", "remote": "remote"}.get(
                    str(slots.get("gap_kind"))
                )
                if (
                    gap_factor
                    and target == "offer_ratings"
                    and changed.get(gap_factor, 0) >= NEUTRAL_RATING
                ):
                    rev.changes["gap_kind"] = "none"
                    rev.what.append("gap")
                weights = _floats(slots.get("weights"))
                for k in changed:
                    if weights and k not in weights:
                        rev.changes.setdefault("weights", dict(weights))[k] = 3.0
        if not rev.what and re.search(r"\bmatters?\b|\bimportant\b|\bpriority\b|\bcare\b", s):
            w = parse_weights(text, vocab)
            if w:
                weights = dict(_floats(slots.get("weights")))
                weights.update(w)
                rev.changes["weights"] = weights
                rev.what.append("weights")
    if not rev.changes:
        return None
    return rev


def option_in_text(options: Mapping[str, Sequence[str]], text: str) -> str | None:
    """The option whose key or phrase appears in ``text`` as whole words (longest wins)."""
    hits = _find(_fold(text), {k: [k, *v] for k, v in options.items()})
    if not hits:
        return None
    return str(max(hits, key=lambda h: h.end - h.start).key)


def _route_target(session: Session) -> str | None:
    """Where decision.route would go now (its first `next` whose condition holds)."""
    return next_target(session.machine, session.model, session.content, "decision.route")


def _ask_again(session: Session) -> None:
    """The current question once more, without re-running the state's actions."""
    st = session.spec
    if st.say:
        session.emit(Say(session.render(st.say, origin=f"{st.file}:{st.line}")))
    visible = [c for c in st.choices if not c.when or session.condition(c.when)]
    if visible:
        session.emit(Choices(tuple(Choice(c.label, c.label) for c in visible)))


@interrupt("revise", order=20, goes=["decision.recommend", "decision.route"])
def revise(session: Session, text: str) -> list[Event] | Move | None:
    """Take a correction to an earlier answer, redo what depends on it, say what changed."""
    slots = session.slots
    rev = find_revision(text, slots, _vocab(session), session.today)
    if rev is None:
        return None
    reason_text = rev.changes.pop("reason_text", None)
    if reason_text is not None:
        key = option_in_text(session.content.slots["reason"].options, str(reason_text))
        if key is None:
            return None
        rev.changes["reason"] = key
        rev.what.append("reason")
    if not rev.what:
        return None
    before_rec = slots.get("recommendation")
    before_channel = slots.get("suggested_channel")
    before_decision = slots.get("decision")
    slots.update(rev.changes)
    events: list[Event] = []
    if any(w in rev.what for w in ("ratings", "weights")) and slots.get("weights"):
        comp = comparison_event(session)
        if comp:
            events.append(comp)
    # After the person decided, a changed recommendation takes them back to it (that state
    # shows the new one itself); otherwise say what changed and ask the same question again.
    redo_rec = False
    rec_changed = False
    if before_rec:
        rec = _recommendation(session)
        rec_changed = rec.decision != before_rec
        if rec.decision == "ask-for-time":
            t = _timing_from_slots(slots, session.today)
            slots["reply_by"] = t.propose.isoformat() if t.propose else None
        redo_rec = rec_changed and (bool(before_decision) or session.state == "decision.recommend")
        if rec_changed and not redo_rec:
            events.append(recommendation_event(session, rec))
    channel_changed = False
    if before_channel:
        choice = _channel_choice(slots)
        channel_changed = choice.channel != before_channel
        slots["suggested_channel"] = choice.channel
        slots["channel_reasons"] = list(choice.reasons)
        if channel_changed and slots.get("channel") == before_channel:
            slots["channel"] = choice.channel  # they had taken the suggestion: follow it
        if channel_changed and not redo_rec:
            events.append(channel_event(session, choice))
    if any(w in rev.what for w in ("deadline", "offer_date")) and slots.get("respond_by"):
        t = _timing_from_slots(slots, session.today)
        slots["respond_by"] = t.respond_by.isoformat()
        slots["late"] = t.late
        events.append(timing_event(session))
    said = session.render_file(
        "decision/revised.j2",
        what=rev.what,
        before_rec=before_rec,
        rec_changed=rec_changed,
        after_rec=slots.get("recommendation"),
        before_channel=before_channel,
        channel_changed=channel_changed,
        after_channel=slots.get("suggested_channel"),
        decided=before_decision,
        going_back=redo_rec,
    )
    session.emit(Say(said.strip()))
    for ev in events:
        session.emit(ev)
    if redo_rec:
        return Goto("decision.recommend")
    if session.state == "decision.recommend" and _route_target(session) != "decision.recommend":
        return Goto("decision.route")  # the correction opened questions the route had skipped
    _ask_again(session)
    return Stay()


# -- picking up what was said in passing -----------------------------------------------------

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


def _last_user_text(session: Session) -> str:
    for entry in reversed(session.transcript):
        if entry.get("speaker") == "user":
            return entry.get("text", "")
    return ""


@action("pick-up-mentions", produces=["channel", "reason", "gap_kind"])
def pick_up_mentions(session: Session) -> list[Event] | None:
    """Keep what the last reply said in passing: "help me write the email" names the channel,
    "I've decided to decline, the pay is too low" the reason."""
    text = _last_user_text(session)
    if not text or not session.slots.get("decision"):
        return None
    if not session.slots.get("channel"):
        ch = channel_in_text(text)
        if ch:
            session.slots["channel"] = ch
    slots = session.content.slots
    if not session.slots.get("reason") and "reason" in slots:
        key = option_in_text(slots["reason"].options, text)
        gap = option_in_text(slots["gap_kind"].options, text) if "gap_kind" in slots else None
        if key:
            session.slots["reason"] = key
        elif gap in REASON_FOR_GAP:
            # "I'd take it if they paid more": the gap names the reason.
            session.slots["reason"] = REASON_FOR_GAP[gap]
            session.slots.setdefault("gap_kind", gap)
    return None
