"""Fuzzy understanding of free text against example phrases.

One matcher serves intents, scenarios and FAQ questions. It is deterministic and explains
itself: every answer carries the example that matched, its score, the margin over the
runner-up, whether a negation flipped the meaning, and why it said "no match".

Scoring, from the pitfalls in DESIGN.md:
- very short replies ("no", "now", "k") are looked up exactly, never fuzzily;
- longer text is scored on its content words with ``token_set_ratio`` (robust to word
  order and filler) blended with ``token_sort_ratio`` (which punishes extra words, so a long
  off-topic request sharing one word scores low);
- labels marked as domain labels need a word of the job-offer world in the text;
- negation is compared between the text and the matched example, and flips the label
  where the content says what the flip means ("I don't want to decline" -> accept_offer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.text import Normaliser

SHORT_TOKENS = 2  # replies this short are matched exactly (plus obvious typos)


@dataclass(frozen=True)
class Scored:
    label: str
    score: float


@dataclass(frozen=True)
class Match:
    text: str
    label: str | None
    score: float
    alternatives: tuple[Scored, ...] = ()
    negated: bool = False
    example: str | None = None
    matched_label: str | None = None  # the example's own label, before a negation flip
    margin: float = 0.0
    reason: str = ""  # exact | fuzzy | typo | low-score | ambiguous | off-topic | empty

    def to_dict(self, key: str = "intent") -> dict[str, Any]:
        return {
            "text": self.text,
            key: self.label,
            "score": round(self.score, 1),
            "alternatives": [
                {key: a.label, "score": round(a.score, 1)} for a in self.alternatives
            ],
            "negated": self.negated,
            "explain": {
                "example": self.example,
                "matched": self.matched_label,
                "margin": round(self.margin, 1),
                "reason": self.reason,
            },
        }


@dataclass
class _Example:
    label: str
    text: str
    norm: str
    content: str
    negated: bool


@dataclass
class MatcherConfig:
    threshold: float = 72.0
    margin: float = 4.0
    short_threshold: float = 88.0
    domain_penalty: float = 0.7  # multiplier for domain labels when no domain word is present
    blend: float = 0.5  # weight of token_set_ratio; the rest goes to token_sort_ratio
    shortlist: int = 12
    domain_labels: frozenset[str] = field(default_factory=frozenset)
    domain_terms: frozenset[str] = field(default_factory=frozenset)
    flips: Mapping[str, str] = field(default_factory=dict)


class PhraseMatcher:
    def __init__(
        self,
        phrases: Mapping[str, Sequence[str]],
        normaliser: Normaliser,
        *,
        short: Mapping[str, Sequence[str]] | None = None,
        config: MatcherConfig | None = None,
    ) -> None:
        self.norm = normaliser
        self.config = config or MatcherConfig()
        self.labels = tuple(phrases)
        self.examples: list[_Example] = []
        self.exact: dict[str, tuple[str, str]] = {}
        for label, texts in phrases.items():
            for text in texts:
                ex = self._example(label, text)
                self.examples.append(ex)
                self.exact.setdefault(ex.norm, (label, text))
        self.short: list[_Example] = []
        for label, texts in (short or {}).items():
            for text in texts:
                ex = self._example(label, text)
                self.short.append(ex)
                self.exact.setdefault(ex.norm, (label, text))
        self._contents = [e.content for e in self.examples]
        self._by_label: dict[str, list[int]] = {}
        for i, e in enumerate(self.examples):
            self._by_label.setdefault(e.label, []).append(i)

    def _example(self, label: str, text: str) -> _Example:
        norm = self.norm.normalise(str(text))
        return _Example(label, str(text), norm, self.norm.content(norm), self.norm.negated(norm))

    # -- public -----------------------------------------------------------------------------

    def match(self, text: str, allowed: Iterable[str] | None = None) -> Match:
        allow = frozenset(allowed) if allowed is not None else None
        norm = self.norm.normalise(text)
        if not norm.strip():
            return Match(text, None, 0.0, reason="empty")
        hit = self.exact.get(norm)
        if hit is not None and (allow is None or hit[0] in allow):
            return Match(text, hit[0], 100.0, example=hit[1], matched_label=hit[0], margin=100.0, reason="exact")
        if len(norm.split()) <= SHORT_TOKENS:
            return self._match_short(text, norm, allow)
        return self._match_long(text, norm, allow)

    def rank(self, text: str, allowed: Iterable[str] | None = None) -> list[Scored]:
        m = self.match(text, allowed)
        top = [Scored(m.label or (m.matched_label or ""), m.score)] if (m.label or m.matched_label) else []
        return top + list(m.alternatives)

    def has_domain_word(self, norm: str) -> bool:
        terms = self.config.domain_terms
        return any(t in terms for t in norm.split())

    # -- internals --------------------------------------------------------------------------

    def _match_short(self, text: str, norm: str, allow: frozenset[str] | None) -> Match:
        # No subset or partial scoring here: "now" must not become "no". Only a near-exact
        # spelling (one slipped key in a word of four or more letters) is accepted.
        best: tuple[float, _Example] | None = None
        for ex in self.short + self.examples:
            if allow is not None and ex.label not in allow:
                continue
            if len(norm) < 4 or len(ex.norm) < 4:
                continue
            s = fuzz.ratio(norm, ex.norm)
            if best is None or s > best[0]:
                best = (s, ex)
        if best and best[0] >= self.config.short_threshold:
            ex = best[1]
            return Match(text, ex.label, best[0], example=ex.text, matched_label=ex.label, margin=best[0], reason="typo")
        score = best[0] if best else 0.0
        return Match(text, None, score, example=best[1].text if best else None,
                     matched_label=best[1].label if best else None, reason="low-score")

    def _match_long(self, text: str, norm: str, allow: frozenset[str] | None) -> Match:
        cfg = self.config
        content = self.norm.content(norm)
        negated = self.norm.negated(norm)
        if allow is None:
            idx = None
            choices: Sequence[str] = self._contents
        else:
            idx = [i for label in allow for i in self._by_label.get(label, ())]
            choices = [self._contents[i] for i in idx]
        if not choices:
            return Match(text, None, 0.0, reason="low-score")
        shortlist = process.extract(
            content, choices, scorer=fuzz.token_set_ratio, processor=None, limit=cfg.shortlist
        )
        domain_ok = self.has_domain_word(norm)
        per_label: dict[str, tuple[float, _Example, bool]] = {}
        for _choice, set_score, pos in shortlist:
            ex = self.examples[idx[pos] if idx is not None else pos]
            sort_score = fuzz.token_sort_ratio(content, ex.content)
            score = cfg.blend * set_score + (1 - cfg.blend) * sort_score
            if ex.label in cfg.domain_labels and not domain_ok:
                score *= cfg.domain_penalty
            flipped = negated != ex.negated
            label = ex.label
            if flipped:
                flip = cfg.flips.get(ex.label)
                if flip is None:
                    # A negation we cannot interpret: do not pretend to understand.
                    score *= 0.8
                else:
                    label = flip
            if allow is not None and label not in allow:
                continue
            prev = per_label.get(label)
            if prev is None or score > prev[0]:
                per_label[label] = (score, ex, flipped)
        if not per_label:
            return Match(text, None, 0.0, reason="low-score")
        ranked = sorted(per_label.items(), key=lambda kv: (-kv[1][0], kv[0]))
        best_label, (best_score, best_ex, flipped) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else 0.0
        alts = tuple(Scored(label, round(v[0], 1)) for label, v in ranked[1:4])
        margin = best_score - runner
        common = dict(alternatives=alts, negated=flipped, example=best_ex.text,
                      matched_label=best_ex.label, margin=margin)
        if best_score < cfg.threshold:
            reason = "off-topic" if not domain_ok else "low-score"
            return Match(text, None, best_score, reason=reason, **common)  # type: ignore[arg-type]
        if margin < cfg.margin:
            return Match(text, None, best_score, reason="ambiguous", **common)  # type: ignore[arg-type]
        return Match(text, best_label, best_score, reason="fuzzy", **common)  # type: ignore[arg-type]
