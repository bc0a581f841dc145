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

import contextlib
import dataclasses
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from bot.text import Normaliser

SHORT_TOKENS = 1  # one-word replies are matched exactly (plus obvious typos)


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
            "alternatives": [{key: a.label, "score": round(a.score, 1)} for a in self.alternatives],
            "negated": self.negated,
            "explain": {
                "example": self.example,
                "matched": self.matched_label,
                "margin": round(self.margin, 1),
                "reason": self.reason,
            },
        }


@dataclass(frozen=True)
class WordVote:
    label: str
    lead: float  # log-probability ahead of the runner-up
    share: float  # of the text's words, the share the label's examples use (0-1)


@dataclass
class _Example:
    label: str
    text: str
    norm: str
    content: str
    negated: bool


@dataclass
class MatcherConfig:
    # Calibrated with bench/intents.py on the dev paraphrases and CLINC150 (see README).
    threshold: float = 64.0
    margin: float = 3.0
    short_threshold: float = 88.0
    domain_penalty: float = 0.85  # multiplier for domain labels when no domain word is present
    blend: float = 0.5  # weight of token_set_ratio; the rest goes to token_sort_ratio
    full_weight: float = 0.25  # share of the whole-sentence similarity in a phrase score
    shortlist: int = 12
    coverage_weight: float = 0.9  # coverage scores are scaled so a phrase match still wins ties
    coverage_max_tokens: int = 8  # long texts are left to phrase matching
    coverage_lead: float = 0.5  # and the naive-Bayes vote must put the label first, this far ahead
    common_weight: float = 0.4  # an everyday word explains less of a text than a distinctive one
    common_terms: frozenset[str] = field(default_factory=frozenset)
    # Labels considered when no state narrows the choice (None: all of them).
    open_labels: frozenset[str] | None = None
    unexplained_floor: float = 0.7  # a score keeps this share even when no word is explained
    # The words-only second opinion (naive Bayes): how much of the text the label must
    # explain, by how much (log-probability) it must lead, and up to how many words.
    words_min_share: float = 0.75
    words_min_share_domain: float = 0.5
    flipped_weight: float = 0.5  # weight of a word known only from examples of the opposite negation
    words_min_lead: float = 1.0
    words_domainless_lead: float = 2.0  # lead a domain label needs when no domain word is typed
    words_max_tokens: int = 10
    domain_labels: frozenset[str] = field(default_factory=frozenset)
    domain_terms: frozenset[str] = field(default_factory=frozenset)
    flips: Mapping[str, str] = field(default_factory=dict)
    # Labels whose examples are things we do not handle: when one is closest, the answer is
    # "off-topic" (no label), with that example as the explanation. They compete everywhere.
    reject_labels: frozenset[str] = field(default_factory=frozenset)


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
        # Which labels use each content word (for coverage scoring and typo repair).
        # Words are kept with the negation of the example they come from, so "not taking"
        # in a decline example supports accept when the text says "taking" without a "not".
        # Rejected labels (everyday requests) are left out: their many topics use so many
        # words that they would "explain" any text and make every word look common.
        # Counted rather than kept as sets, so one example can be left out and put back (the
        # content check's leave-one-out test) without building the matcher again.
        self._vocab: dict[str, dict[str, int]] = {}
        self._vocab_neg: dict[str, dict[tuple[str, bool], int]] = {}
        # Word counts per (label, negated) for the naive-Bayes second opinion: an example's
        # words count for its own label when the text's negation matches, and for its flip
        # ("not taking" in a decline) when it does not.
        self._counts: dict[tuple[str, bool], dict[str, int]] = {}
        self._totals: dict[tuple[str, bool], int] = {}
        typo_words: set[str] = set()
        for e in self.examples + self.short:
            typo_words.update(e.content.split())
            self._count(e, 1)
        self._vocab_list = sorted(typo_words)
        self._typo_words = frozenset(typo_words)
        self._typo_cache: dict[str, str] = {}

    def _count(self, e: _Example, step: int) -> None:
        """Add (step 1) or take away (step -1) one example's words in the word statistics."""

        def bump(table: dict[Any, int], key: Any) -> None:
            n = table.get(key, 0) + step
            if n > 0:
                table[key] = n
            else:
                table.pop(key, None)

        if e.label not in self.config.reject_labels:
            for t in e.content.split():
                bump(self._vocab.setdefault(t, {}), e.label)
                bump(self._vocab_neg.setdefault(t, {}), (e.label, e.negated))
        words = [t for t in e.content.split() if t not in self.norm.negations]
        for text_negated in (False, True):
            owner = e.label if e.negated == text_negated else self.config.flips.get(e.label)
            if owner is None:
                continue
            bucket = self._counts.setdefault((owner, text_negated), {})
            for t in words:
                bump(bucket, t)
            self._totals[(owner, text_negated)] = self._totals.get((owner, text_negated), 0) + step * len(words)

    @contextlib.contextmanager
    def leaving_out(self, index: int) -> Iterator[None]:
        """Match as if example ``index`` (and any short reply spelled like it) were not there."""
        ex = self.examples[index]
        content, self._contents[index] = self._contents[index], ""
        exact = self.exact.pop(ex.norm, None)
        twins = [e for e in self.short if e.norm == ex.norm]
        self.short = [e for e in self.short if e.norm != ex.norm]
        for e in (ex, *twins):
            self._count(e, -1)
        try:
            yield
        finally:
            for e in (ex, *twins):
                self._count(e, 1)
            self.short.extend(twins)
            if exact is not None:
                self.exact[ex.norm] = exact
            self._contents[index] = content

    def _example(self, label: str, text: str) -> _Example:
        norm = self.norm.normalise(str(text))
        return _Example(label, str(text), norm, self.norm.content(norm), self.norm.negated(norm))

    # -- public -----------------------------------------------------------------------------

    def match(self, text: str, allowed: Iterable[str] | None = None) -> Match:
        m = self._match(text, allowed)
        reject = self.config.reject_labels
        if not reject:
            return m
        alts = tuple(a for a in m.alternatives if a.label not in reject)
        if m.label in reject or (m.label is None and m.matched_label in reject):
            # The closest thing is an everyday request we do not handle: say so, and show it.
            return dataclasses.replace(m, label=None, alternatives=alts, negated=False, reason="off-topic")
        return dataclasses.replace(m, alternatives=alts) if alts != m.alternatives else m

    def _match(self, text: str, allowed: Iterable[str] | None) -> Match:
        allow = frozenset(allowed) if allowed is not None else self.config.open_labels
        if allow is not None:
            allow = allow | self.config.reject_labels
        # The words-only second opinion is for open questions ("what does this mean?"). When a
        # state listens for a few intents, an unclaimed sentence is better left to the
        # interrupts (a correction, a scenario) than given to the nearest of those few.
        open_question = allowed is None
        norm = self.norm.normalise(text)
        if not norm.strip():
            return Match(text, None, 0.0, reason="empty")
        hit = self.exact.get(norm)
        if hit is not None and (allow is None or hit[0] in allow):
            return Match(text, hit[0], 100.0, example=hit[1], matched_label=hit[0], margin=100.0, reason="exact")
        if len(norm.split()) <= SHORT_TOKENS:
            return self._match_short(text, norm, allow)
        # Filler around a short reply ("uh no", "hmm, yes please") does not make it a
        # sentence: the reply alone is looked up exactly.
        bare = self.norm.unpadded(norm)
        if bare != norm:
            hit = self.exact.get(bare)
            if hit is not None and (allow is None or hit[0] in allow):
                return Match(
                    text, hit[0], 100.0, example=hit[1], matched_label=hit[0], margin=100.0, reason="exact"
                )
        return self._match_long(text, norm, allow, open_question)

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
            return Match(
                text, ex.label, best[0], example=ex.text, matched_label=ex.label, margin=best[0], reason="typo"
            )
        score = best[0] if best else 0.0
        return Match(
            text,
            None,
            score,
            example=best[1].text if best else None,
            matched_label=best[1].label if best else None,
            reason="low-score",
        )

    def _fix_typo(self, token: str) -> str:
        """A misspelt word becomes the example word it nearly is ("negociate" -> "negotiate")."""
        if token in self._typo_words or len(token) < 5 or not token.isalpha():
            return token
        cached = self._typo_cache.get(token)
        if cached is None:
            hit = process.extractOne(token, self._vocab_list, scorer=fuzz.ratio, score_cutoff=84)
            cached = hit[0] if hit else token
            if len(self._typo_cache) < 20_000:
                self._typo_cache[token] = cached
        return cached

    def _explained(self, tokens: list[str], negated: bool) -> tuple[dict[str, float], set[str]]:
        """For each label, the share of the text's words its examples use (0-1), and the
        labels that have at least one *distinctive* word in the text (a word few labels use
        and not one of the lexicon's everyday common words).

        Words are counted with the negation of their example, so "not taking" in a decline
        example supports accept when the text says "taking" without a "not".
        """
        cfg = self.config
        words = [t for t in tokens if t not in self.norm.negations] or tokens
        weights = [cfg.common_weight if t in cfg.common_terms else 1.0 for t in words]
        total = sum(weights) or 1.0
        share: dict[str, float] = {}
        distinctive: set[str] = set()
        for t, w in zip(words, weights, strict=True):
            labels: dict[str, float] = {}
            for label, ex_negated in self._vocab_neg.get(t, ()):
                if ex_negated == negated:
                    labels[label] = 1.0
                elif label in cfg.flips:
                    # Second-hand evidence: "not declining" says little about what "declining"
                    # alone means, so a word met only under the opposite negation counts half.
                    flip = cfg.flips[label]
                    labels[flip] = max(labels.get(flip, 0.0), cfg.flipped_weight)
            for label, strength in labels.items():
                share[label] = share.get(label, 0.0) + strength * w / total
            if labels and len(self._vocab.get(t, ())) <= 2 and t not in cfg.common_terms:
                distinctive.update(labels)
        return share, distinctive

    def word_vote(self, text: str) -> WordVote | None:
        """Which label's examples, taken together, make this text's words most likely
        (naive Bayes over content words), how far it leads, and how much of the text its
        examples' words explain. No threshold: the caller decides."""
        norm = self.norm.normalise(text)
        negated = self.norm.negated(norm)
        tokens = [self._fix_typo(t) for t in self.norm.content(norm).split()]
        ranked = self._word_ranking(tokens, negated)
        if not ranked:
            return None
        share, _ = self._explained(tokens, negated)
        lead = ranked[0][0] - ranked[1][0] if len(ranked) > 1 else 10.0
        return WordVote(ranked[0][1], lead, min(1.0, share.get(ranked[0][1], 0.0)))

    def _word_ranking(self, tokens: list[str], negated: bool) -> list[tuple[float, str]]:
        words = [t for t in tokens if t not in self.norm.negations]
        if not words:
            return []
        vocab = len(self._vocab) or 1
        ranked: list[tuple[float, str]] = []
        for (label, text_negated), bucket in self._counts.items():
            if text_negated != negated:
                continue
            total = self._totals[(label, text_negated)]
            logp = sum(math.log((bucket.get(t, 0) + 0.5) / (total + 0.5 * vocab)) for t in words)
            ranked.append((logp, label))
        ranked.sort(reverse=True)
        return ranked

    def _by_words(
        self,
        tokens: list[str],
        negated: bool,
        share: dict[str, float],
        allow: frozenset[str] | None,
        domain_ok: bool,
    ) -> tuple[str, float] | None:
        """A second opinion when no single example is close: which label's examples, taken
        together, make these words most likely (naive Bayes over words). Only taken when
        the label's examples use nearly all of the text's words and it clearly leads, so a
        paraphrase made of the examples' words is understood and an unrelated request is not.
        """
        cfg = self.config
        words = [t for t in tokens if t not in self.norm.negations]
        if not words or len(words) > cfg.words_max_tokens:
            return None
        # Ranked over every label, not only the allowed ones: a state that listens for
        # "affirm" must not take "actually the salary was fine" just because, of the labels it
        # listens for, affirm explains it best.
        ranked = self._word_ranking(tokens, negated)
        if not ranked:
            return None
        best_logp, label = ranked[0]
        lead = best_logp - ranked[1][0] if len(ranked) > 1 else 10.0
        if (allow is not None and label not in allow) or label in cfg.reject_labels:
            return None
        if label in cfg.domain_labels and not domain_ok:
            # "I'm not taking it" names no job-offer word, but every word of it is the
            # label's own: taken only when nothing is left unexplained and the lead is clear.
            if share.get(label, 0.0) >= 0.999 and lead >= cfg.words_domainless_lead:
                return label, lead
            return None
        # A sentence that names the job-offer world may say much besides ("... because the
        # role is too junior"): its intent words are enough when they clearly point one way.
        min_share = cfg.words_min_share_domain if label in cfg.domain_labels else cfg.words_min_share
        if share.get(label, 0.0) < min_share or lead < cfg.words_min_lead:
            return None
        return label, lead

    def _match_long(self, text: str, norm: str, allow: frozenset[str] | None, open_question: bool = True) -> Match:
        cfg = self.config
        tokens = [self._fix_typo(t) for t in self.norm.content(norm).split()]
        content = " ".join(tokens)
        negated = self.norm.negated(norm)
        if allow is None:
            idx = None
            choices: Sequence[str] = self._contents
        else:
            # In the examples' own order: iterating the set would make ties depend on hashing.
            idx = [i for label in self.labels if label in allow for i in self._by_label.get(label, ())]
            choices = [self._contents[i] for i in idx]
        if not choices:
            return Match(text, None, 0.0, reason="low-score")
        shortlist = process.extract(content, choices, scorer=fuzz.token_set_ratio, processor=None, limit=cfg.shortlist)
        # Domain words are looked for in the words as typed: "turn down the volume" becomes
        # "decline the volume" after folding, but nobody typed a job-offer word.
        domain_ok = self.has_domain_word(self.norm.normalise(text, synonyms=False))
        share, distinctive = self._explained(tokens, negated)
        per_label: dict[str, tuple[float, _Example | None, bool]] = {}

        def consider(label: str, score: float, ex: _Example | None, example_negated: bool) -> None:
            if label in cfg.domain_labels and not domain_ok:
                score *= cfg.domain_penalty
            flipped = negated != example_negated
            if flipped:
                flip = cfg.flips.get(label)
                if flip is None:
                    # A negation we cannot interpret: do not pretend to understand.
                    score *= 0.8
                else:
                    label = flip
            if allow is not None and label not in allow:
                return
            # Words the label's examples never use are evidence against it: "turn down the
            # volume" shares "turn down" with a decline, but "volume" belongs elsewhere.
            explained = min(1.0, share.get(label, 0.0))
            if label not in distinctive:
                explained *= 0.5
            score *= cfg.unexplained_floor + (1 - cfg.unexplained_floor) * explained
            prev = per_label.get(label)
            if prev is None or score > prev[0]:
                per_label[label] = (score, ex, flipped)

        for _choice, set_score, pos in shortlist:
            ex = self.examples[idx[pos] if idx is not None else pos]
            sort_score = fuzz.token_sort_ratio(content, ex.content)
            score = cfg.blend * set_score + (1 - cfg.blend) * sort_score
            if cfg.full_weight:
                # The whole sentence, small words included, tells "that is exactly it" from
                # "what do you do exactly" when their content words are the same.
                full = fuzz.token_sort_ratio(norm, ex.norm)
                score = (1 - cfg.full_weight) * score + cfg.full_weight * full
            consider(ex.label, score, ex, ex.negated)
        votes = {label: logp for logp, label in self._word_ranking(tokens, negated)}
        if len(tokens) <= cfg.coverage_max_tokens:
            # Words alone do not claim a text that the everyday requests' words explain
            # better ("what health benefits do I have" is about insurance, not a counteroffer).
            floor = max((votes[r] for r in cfg.reject_labels if r in votes), default=-math.inf)
            order = sorted(votes.values(), reverse=True)
            for label in sorted(distinctive):
                v = votes.get(label, -math.inf)
                if v <= floor:
                    continue
                if cfg.coverage_lead and (v < order[0] or (len(order) > 1 and v - order[1] < cfg.coverage_lead)):
                    continue
                consider(label, cfg.coverage_weight * 100.0 * min(1.0, share[label]), None, negated)
        if not per_label:
            return Match(text, None, 0.0, reason="low-score")
        # Equal scores (two labels whose examples both use every word) are settled by which
        # label's examples make these words likelier, not by the alphabet.
        ranked = sorted(per_label.items(), key=lambda kv: (-round(kv[1][0], 6), -votes.get(kv[0], -1e9), kv[0]))
        best_label, (best_score, best_ex, flipped) = ranked[0]
        runner = ranked[1][1][0] if len(ranked) > 1 else 0.0
        alts = tuple(Scored(label, round(v[0], 1)) for label, v in ranked[1:4])
        margin = best_score - runner
        example = best_ex.text if best_ex else "(the words of its examples)"
        matched = best_ex.label if best_ex else best_label
        common = dict(alternatives=alts, negated=flipped, example=example, matched_label=matched, margin=margin)
        if open_question and (best_score < cfg.threshold or margin < cfg.margin):
            words = self._by_words(tokens, negated, share, allow, domain_ok)
            if words is not None:
                label, nb_margin = words
                score = 100.0 * cfg.coverage_weight * min(1.0, share.get(label, 0.0))
                alts = tuple(a for a in (Scored(best_label, round(best_score, 1)), *alts) if a.label != label)[:3]
                return Match(
                    text,
                    label,
                    score,
                    alternatives=alts,
                    negated=negated,
                    example="(the words of its examples)",
                    matched_label=label,
                    margin=nb_margin,
                    reason="words",
                )
        if best_score < cfg.threshold:
            reason = "off-topic" if not domain_ok else "low-score"
            return Match(text, None, best_score, reason=reason, **common)  # type: ignore[arg-type]
        if margin < cfg.margin:
            return Match(text, None, best_score, reason="ambiguous", **common)  # type: ignore[arg-type]
        return Match(text, best_label, best_score, reason="fuzzy" if best_ex else "coverage", **common)  # type: ignore[arg-type]
