"""Priorities and how an option does on them, and the score that compares two options.

Pure mechanisms, no words to the person: ``parse_weights`` / ``parse_ratings`` read "salary
matters most, then location, growth a bit" or "salary 5, growth 3" with the vocabulary of
``dialogues/slots.yaml`` (``factor``, ``weight_word``, ``rating_word``, ``overall_word``);
``score``, ``is_close_call`` and ``weakest`` compare the options.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

CLOSE_CALL_POINTS = 5.0  # options this close (0-100 scale) are a close call
NEUTRAL_RATING = 5.0  # an unrated priority counts as middling


# -- vocabulary -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocab:
    """The words the parsers know: priority names, how much, how good (from slots.yaml)."""

    factors: Mapping[str, Sequence[str]]
    weights: Mapping[float, Sequence[str]]
    ratings: Mapping[float, Sequence[str]]
    overall: Sequence[str] = ()  # "everything else": slots.yaml's overall_word

    @classmethod
    def from_content(cls, content: Any) -> Vocab:
        slots = content.slots

        def numbered(name: str) -> dict[float, list[str]]:
            return {float(k): list(v) for k, v in slots[name].options.items()}

        factors = {k: [k, *v] for k, v in slots["factor"].options.items()}
        overall = slots["overall_word"].options.get("all") if "overall_word" in slots else None
        return cls(factors, numbered("weight_word"), numbered("rating_word"), tuple(overall or ()))


def fold(text: str) -> str:
    s = text.lower().replace("’", "'").replace("-", " ")
    s = re.sub(r"[^\w%/'.:,;&]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    key: Any
    phrase: str


def find_phrases(text: str, table: Mapping[Any, Sequence[str]]) -> list[_Hit]:
    """Every phrase of ``table`` in ``text`` as whole words; hits inside a longer hit dropped."""
    hits: list[_Hit] = []
    for key, phrases in table.items():
        for phrase in phrases:
            p = fold(str(phrase))
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
    hits = find_phrases(segment, table)
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
    for clause in _clauses(fold(text)):
        s = clause.text
        hits = find_phrases(s, vocab.factors)
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
    folded = fold(text)
    overall = None
    for h in find_phrases(folded, {"all": vocab.overall}):
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


def as_numbers(value: Any) -> dict[str, float]:
    """A slot holding priority -> number (weights, ratings) as floats; anything else empty."""
    if not isinstance(value, Mapping):
        return {}
    out = {}
    for k, v in value.items():
        try:
            out[str(k)] = float(v)
        except (TypeError, ValueError):
            continue
    return out
