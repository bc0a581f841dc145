"""The draft critic: every finding, each pointing at the words responsible.

All cues, messages, suggestions and limits live in ``dialogues/critic.yaml``; this module
is the mechanism: split the draft into sentences (keeping character offsets), find the
sentence(s) carrying the decision, and run each check over the right part of the text.
A check that passes gives one line; a check that fails gives one line per problem found
(tone problems carry a better wording built from the person's own sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.appraisal import Hit, Lexicon, appraise, describes_own
from bot.events import Finding
from bot.render import Renderer, RenderError
from bot.yamlfile import ContentError, load_yaml

#: Checks in the order findings are reported. critic.yaml must define each of them.
CHECKS = (
    "gratitude",
    "clear-decision",
    "reason",
    "excuses",
    "door-open",
    "concise",
    "salary-specifics",
    "criticism",
    "tone",
    "hedging",
    "over-apology",
    "placeholders",
)

_WORD = re.compile(r"[\w][\w'’-]*")
_ABBREVIATIONS = frozenset(
    {"mr", "ms", "mrs", "dr", "prof", "st", "e.g", "i.e", "etc", "vs", "jr", "sr"}
)
_SHORT_LINE = 40  # a line shorter than this ends a sentence (greetings, sign-offs)


# --------------------------------------------------------------------------- cues


def compile_cue(cue: str) -> re.Pattern[str]:
    """A phrase from critic.yaml as a regex: whole words, any case, ``*`` ends a word."""
    if cue.startswith("re:"):
        return re.compile(cue[3:].strip(), re.IGNORECASE | re.MULTILINE)
    phrase = " ".join(cue.split())
    parts: list[str] = []
    for ch in phrase:
        if ch == "*":
            parts.append(r"\w*")
        elif ch == " ":
            parts.append(r"[\s-]+")
        elif ch in "'’":
            parts.append("['’]")
        else:
            parts.append(re.escape(ch))
    body = "".join(parts)
    if phrase and (phrase[0].isalnum() or phrase[0] == "_"):
        body = r"\b" + body
    if phrase and (phrase[-1].isalnum() or phrase[-1] in "_*"):
        body += r"\b"
    return re.compile(body, re.IGNORECASE)


@dataclass(frozen=True)
class Cues:
    patterns: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, cues: Iterable[str], where: str = "") -> Cues:
        out = []
        for cue in cues or ():
            try:
                out.append(compile_cue(str(cue)))
            except re.error as exc:
                raise ContentError(
                    where or "critic.yaml", getattr(cues, "line", None), f"bad cue {cue!r}: {exc}"
                ) from exc
        return cls(tuple(out))

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
        """Every match as (start, end), earliest first, overlapping matches merged."""
        stop = len(text) if end is None else end
        hits: list[tuple[int, int]] = []
        for pattern in self.patterns:
            for m in pattern.finditer(text, start, stop):
                if m.end() > m.start():
                    hits.append((m.start(), m.end()))
        hits.sort()
        merged: list[tuple[int, int]] = []
        for s, e in hits:
            if merged and s < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        return merged

    def first(self, text: str, start: int = 0, end: int | None = None) -> tuple[int, int] | None:
        hits = self.find(text, start, end)
        return hits[0] if hits else None


@dataclass(frozen=True)
class Profile:
    name: str
    kinds: tuple[str, ...] = ()
    skip: frozenset[str] = frozenset()
    max_words: int | None = None
    max_chars: int | None = None
    unscored: frozenset[str] = frozenset()
    allow_hedges: frozenset[str] = frozenset()  # hedging groups this kind of message may use


@dataclass
class CriticConfig:
    """critic.yaml, compiled."""

    path: str
    raw: Mapping[str, Any]
    weights: dict[str, int]
    messages: dict[str, dict[str, tuple[str, str]]]  # check -> outcome -> (message, suggestion)
    cues: dict[str, Cues]  # "check.group" -> cues
    categories: dict[str, Cues]
    connectors: frozenset[str]
    profiles: dict[str, Profile]
    by_kind: dict[str, Profile]
    not_needed: str
    numbers: dict[str, int] = field(default_factory=dict)
    negations: tuple[str, ...] = ()
    # tone kind -> [(pattern, better words or None)]
    tone: dict[str, list[tuple[re.Pattern[str], str | None]]] = field(default_factory=dict)
    reason_optional: bool = True
    appraisal: Lexicon | None = None  # sentence shapes for criticism and tone (bot/appraisal.py)

    def profile_for(self, kind: str | None) -> Profile:
        if kind and kind in self.by_kind:
            return self.by_kind[kind]
        if kind and kind in self.profiles:
            return self.profiles[kind]
        return self.profiles["default"]


def load_config(path: str | Path) -> CriticConfig:
    data = load_yaml(path, "Critic")
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
        raise ContentError(where, None, "critic.yaml needs a 'checks:' block")
    checks = data["checks"]
    for name in CHECKS:
        if name not in checks:
            raise ContentError(where, getattr(checks, "line", None), f"check '{name}' is missing")
    weights: dict[str, int] = {}
    messages: dict[str, dict[str, tuple[str, str]]] = {}
    cues: dict[str, Cues] = {}
    numbers: dict[str, int] = {}
    for name in CHECKS:
        block = checks[name]
        line = block.line if hasattr(block, "line") else None
        if not isinstance(block, dict):
            raise ContentError(where, line, f"check '{name}' must be a block of settings")
        weights[name] = int(block.get("weight", 10))
        outcomes = block.get("outcomes")
        if not isinstance(outcomes, dict) or "pass" not in outcomes:
            raise ContentError(where, line, f"check '{name}' needs outcomes with at least 'pass'")
        messages[name] = {}
        for outcome, spec in outcomes.items():
            if not isinstance(spec, dict) or "message" not in spec:
                raise ContentError(where, line, f"{name}: outcome '{outcome}' needs a message")
            messages[name][outcome] = (str(spec["message"]), str(spec.get("suggestion", "")))
        if name == "tone":
            continue
        for group, items in (block.get("cues") or {}).items():
            cues[f"{name}.{group}"] = Cues.of(items, where)
        for key, value in block.items():
            if key in ("cues", "outcomes", "weight", "categories", "connectors_only", "negations"):
                continue
            if isinstance(value, list):
                cues[f"{name}.{key}"] = Cues.of(value, where)
            elif isinstance(value, int) and not isinstance(value, bool):
                numbers[f"{name}.{key}"] = value
    tone = _tone_cues(checks["tone"], where)
    reason = checks["reason"]
    categories = {str(k): Cues.of(v, where) for k, v in (reason.get("categories") or {}).items()}
    connectors = frozenset(str(c) for c in reason.get("connectors_only") or ())
    negations = tuple(str(n).lower() for n in checks["hedging"].get("negations") or ())
    profiles: dict[str, Profile] = {}
    by_kind: dict[str, Profile] = {}
    for pname, spec in (data.get("profiles") or {}).items():
        spec = spec or {}
        unknown = set(spec.get("skip") or ()) - set(CHECKS)
        if unknown:
            raise ContentError(
                where,
                getattr(spec, "line", None),
                f"profile '{pname}' skips unknown check(s): {', '.join(sorted(unknown))}",
            )
        prof = Profile(
            name=str(pname),
            kinds=tuple(str(k) for k in spec.get("kinds") or ()),
            skip=frozenset(str(s) for s in spec.get("skip") or ()),
            max_words=spec.get("max_words"),
            max_chars=spec.get("max_chars"),
            unscored=frozenset(str(s) for s in spec.get("unscored") or ()),
            allow_hedges=frozenset(str(s) for s in spec.get("allow_hedges") or ()),
        )
        profiles[prof.name] = prof
        for kind in prof.kinds:
            by_kind[kind] = prof
    if "default" not in profiles:
        profiles["default"] = Profile(name="default", max_words=230)
    return CriticConfig(
        path=where,
        raw=data,
        weights=weights,
        messages=messages,
        cues=cues,
        categories=categories,
        connectors=connectors,
        profiles=profiles,
        by_kind=by_kind,
        not_needed=str(data.get("not_needed", "Not needed in this kind of message.")),
        numbers=numbers,
        negations=negations,
        tone=tone,
        reason_optional=bool(reason.get("optional", True)),
        appraisal=Lexicon.of(data["appraisal"]) if isinstance(data.get("appraisal"), dict) else None,
    )


def _flexible_spaces(pattern: str) -> str:
    """A space in a tone pattern matches any run of spaces or one line break (letters are
    often wrapped), and "[^.!?\\n]" may run on over a line break; character classes keep
    their own spaces."""
    pattern = pattern.replace("[^.!?\\n]", "[^.!?]")
    out: list[str] = []
    depth = 0
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            escaped = True
            out.append(ch)
            continue
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        out.append("\\s+" if ch == " " and not depth else ch)
    return "".join(out)


def _tone_cues(block: Any, where: str) -> dict[str, list[tuple[re.Pattern[str], str | None]]]:
    """tone.cues: kind -> list of cues; a cue is a phrase, or {cue, instead} where
    ``instead`` is the kinder words to put in their place (none: cut the words)."""
    out: dict[str, list[tuple[re.Pattern[str], str | None]]] = {}
    for kind, items in (block.get("cues") or {}).items():
        if kind not in (block.get("outcomes") or {}):
            raise ContentError(where, getattr(items, "line", None), f"tone: '{kind}' needs an outcome")
        compiled: list[tuple[re.Pattern[str], str | None]] = []
        for item in items or ():
            cue, instead = (item.get("cue"), item.get("instead")) if isinstance(item, dict) else (item, None)
            try:
                text = str(cue)
                if text.startswith("re:"):
                    text = "re:" + _flexible_spaces(text[3:].strip())
                compiled.append((compile_cue(text), None if instead is None else str(instead)))
            except re.error as exc:
                raise ContentError(where, getattr(items, "line", None), f"bad cue {cue!r}: {exc}") from exc
        out[str(kind)] = compiled
    return out


@lru_cache(maxsize=8)
def _cached_config(path: str) -> CriticConfig:
    return load_config(path)


def default_config() -> CriticConfig:
    from bot.paths import dialogues_dir

    return _cached_config(str(dialogues_dir() / "critic.yaml"))


# --------------------------------------------------------------------------- text


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def sentences(text: str) -> list[Sentence]:
    """Sentences with their offsets. Greeting and sign-off lines count as sentences."""
    out: list[Sentence] = []
    start = 0
    i = 0
    n = len(text)

    def emit(end: int) -> None:
        nonlocal start
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            s = start + lead
            out.append(Sentence(s, s + len(stripped), stripped))
        start = end

    while i < n:
        ch = text[i]
        if ch in ".!?…":
            j = i + 1
            while j < n and text[j] in ".!?…\"'”’)":
                j += 1
            if j >= n or text[j].isspace():
                word = re.search(r"([\w.]+)$", text[start:i])
                if not (ch == "." and word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS):
                    emit(j)
            i = j
            continue
        if ch == "\n":
            line_start = text.rfind("\n", 0, i) + 1
            line = text[line_start:i].strip()
            next_blank = i + 1 < n and text[i + 1] == "\n"
            if next_blank or len(line) < _SHORT_LINE or line.endswith((",", ":", ";")):
                emit(i)
        i += 1
    emit(n)
    return out


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


# --------------------------------------------------------------------------- critique


@dataclass(frozen=True)
class Critique:
    findings: list[Finding]
    score: int
    unscored: frozenset[str] = frozenset()  # checks this kind of message reports but does not score

    @property
    def passed(self) -> bool:
        return all(f.ok for f in self.findings)

    def failed(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

    def checks(self) -> dict[str, bool]:
        """Each check once: does it pass (every one of its findings ok)?"""
        out: dict[str, bool] = {}
        for f in self.findings:
            out[f.check] = out.get(f.check, True) and f.ok
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "findings": [
                {
                    "check": f.check,
                    "ok": f.ok,
                    "message": f.message,
                    "span": list(f.span) if f.span else None,
                    "quote": f.quote,
                    "suggestion": f.suggestion,
                }
                for f in self.findings
            ],
            "score": self.score,
        }


class _Run:
    """One critique: the text, its sentences and the config, with a finding builder."""

    def __init__(self, text: str, cfg: CriticConfig, renderer: Renderer, profile: Profile | None = None) -> None:
        self.text = text
        self.profile = profile or cfg.profiles["default"]
        self.cfg = cfg
        self.renderer = renderer
        self.sents = sentences(text)
        self._tone: list[tuple[int, int, str]] | None = None
        self._appraised: list[Hit] | None = None
        self._better: dict[tuple[int, int], str | None] = {}

    def say(
        self, check: str, outcome: str, span: tuple[int, int] | None = None, **extra: Any
    ) -> Finding:
        message, suggestion = self.cfg.messages[check].get(outcome, ("", ""))
        if not message:
            message = outcome
        quote = self.text[span[0] : span[1]] if span else ""
        context = {"quote": _shorten(quote), **{k: v for k, v in extra.items()}}
        context.setdefault("count", "")
        context.setdefault("words", "")
        context.setdefault("limit", "")
        context.setdefault("sentence", "")
        context.setdefault("better", "")
        message = self.renderer.inline(message, context, origin=f"critic.yaml {check}.{outcome}")
        if suggestion:
            suggestion = self.renderer.inline(
                suggestion, context, origin=f"critic.yaml {check}.{outcome}"
            )
        ok = outcome == "pass"
        return Finding(
            check=check,
            ok=ok,
            message=message,
            span=span,
            quote=quote,
            suggestion="" if ok else suggestion,
        )

    def cues(self, key: str) -> Cues:
        return self.cfg.cues.get(key, Cues(()))

    def in_sentence(self, key: str, sent: Sentence) -> list[tuple[int, int]]:
        return self.cues(key).find(self.text, sent.start, sent.end)

    def negated(self, span: tuple[int, int]) -> bool:
        words = re.findall(r"[\w'’]+", self.text[span[0] : span[1]].lower())
        for w in words:
            w = w.replace("’", "'")
            for neg in self.cfg.negations:
                if w == neg or (neg.startswith("n'") and w.endswith(neg)):
                    return True
        return False

    # -- the checks, one method each ------------------------------------------------

    def decision_sentences(self, group: str = "decision") -> list[tuple[Sentence, tuple[int, int]]]:
        out = []
        for sent in self.sents:
            hits = self.in_sentence(f"clear-decision.{group}", sent)
            if hits:
                out.append((sent, hits[0]))
        return out

    def decision_clause(self, sent: Sentence, cue: tuple[int, int]) -> Sentence:
        """The decision's own words: the sentence up to the first break after the cue."""
        breaks = self.cues("clear-decision.clause_breaks").find(self.text, cue[1], sent.end)
        end = breaks[0][0] if breaks else sent.end
        # ... and from the last clause start before the cue ("..., so I'm going to decline"):
        # what comes before it is the reason, whose softeners are not the decision's.
        starts = self.cues("clear-decision.clause_starts").find(self.text, sent.start, cue[0])
        begin = starts[-1][1] if starts else sent.start
        return Sentence(begin, end, self.text[begin:end])

    def clause_hedges(self, clause: Sentence, groups: Iterable[str]) -> list[tuple[int, int]]:
        hits: list[tuple[int, int]] = []
        for group in groups:
            hits += self.in_sentence(f"hedging.{group}", clause)
        return sorted(hits)

    def gratitude(self) -> list[Finding]:
        signoff = self.cues("gratitude.signoff_only")
        for sent in self.sents:
            if signoff.first(sent.text):
                continue
            hits = [h for h in self.in_sentence("gratitude.thanks", sent) if not self._toned(h)]
            if hits:
                return [self.say("gratitude", "pass", hits[0])]
        return [self.say("gratitude", "missing")]

    def _toned(self, span: tuple[int, int]) -> bool:
        """Thanks that the tone check calls backhanded or sarcastic is no thanks at all."""
        sent = next((s for s in self.sents if s.start <= span[0] < s.end), None)
        if sent is None:
            return False
        return any(
            sent.start <= s < sent.end and kind in ("backhanded-thanks", "sarcasm")
            for s, _, kind in self.tone_hits()
        )

    def clear_decision(self) -> list[Finding]:
        decisions = self.decision_sentences()
        if not decisions:
            return [self.say("clear-decision", "missing")]
        unclear = ("unsure", "conditional")
        for sent, cue in decisions:
            if not self.clause_hedges(self.decision_clause(sent, cue), unclear):
                return [self.say("clear-decision", "pass", cue)]
        sent, cue = decisions[0]
        hedge = self.clause_hedges(self.decision_clause(sent, cue), unclear)[0]
        return [self.say("clear-decision", "unsure", hedge)]

    def _side_remark(self, sent: Sentence) -> bool:
        """Thanks, an apology or a closing line, and no decision in it."""
        if self.in_sentence("clear-decision.decision", sent):
            return False
        return any(
            self.in_sentence(key, sent)
            for key in ("door-open.open", "gratitude.thanks", "gratitude.praise", "over-apology.apologies")
        )

    def _reasons(
        self, expects_decision: bool
    ) -> tuple[list[Sentence], dict[str, tuple[int, int]], tuple[int, int] | None]:
        """The sentences giving reasons, the kinds of reason, and the first reason's words."""
        decisions = self.decision_sentences() or self.decision_sentences("weak")
        groups: dict[str, tuple[int, int]] = {}
        reason_sents: list[Sentence] = []
        first: tuple[int, int] | None = None
        if expects_decision and not decisions:
            return reason_sents, groups, first
        # A decision that runs on past a break ("I'm declining: the move...") explains itself,
        # and so does the sentence right after it in the same paragraph.
        explained: list[Sentence] = []
        for sent, cue in decisions:
            clause = self.decision_clause(sent, cue)
            if word_count(self.text[clause.end : sent.end]) >= 3:
                explained.append(Sentence(clause.end, sent.end, self.text[clause.end : sent.end]))
            if self.cfg.raw["checks"]["reason"].get("next_sentence_counts"):
                later = [t for t in self.sents if t.start >= sent.end]
                if later and "\n\n" not in self.text[sent.end : later[0].start]:
                    nxt = later[0]
                    if (
                        not self._side_remark(nxt)
                        and word_count(nxt.text) >= 4
                        and not self._in_tone(nxt)
                    ):
                        explained.append(nxt)
        for sent in self.sents:
            if self._side_remark(sent) and not self.in_sentence("gratitude.thanks", sent):
                continue
            found_here = False
            for name, cues in self.cfg.categories.items():
                hits = [
                    h
                    for h in cues.find(self.text, sent.start, sent.end)
                    if not self._proper_noun(h, sent) and not self._inside_tone(h)
                ]
                if hits:
                    found_here = True
                    if name not in self.cfg.connectors:
                        groups.setdefault(name, hits[0])
                    if first is None or hits[0][0] < first[0]:
                        first = hits[0]
            if found_here:
                reason_sents.append(sent)
        if first is None and explained:
            first = (explained[0].start, explained[0].end)
            reason_sents = [explained[0]]
        return reason_sents, groups, first

    def _in_tone(self, sent: Sentence) -> bool:
        """Most of the sentence is a tone problem (a dig is not a reason)."""
        covered = sum(
            min(e, sent.end) - max(s, sent.start)
            for s, e, _ in self.tone_hits()
            if s < sent.end and e > sent.start
        )
        return covered * 2 >= sent.end - sent.start

    def _inside_tone(self, span: tuple[int, int]) -> bool:
        return any(s <= span[0] and span[1] <= e for s, e, _ in self.tone_hits())

    def reason(self, expects_decision: bool = True) -> list[Finding]:
        reason_sents, _groups, first = self._reasons(expects_decision)
        if not reason_sents or first is None:
            return [self.say("reason", "missing")]
        return [self.say("reason", "pass", first)]

    def excuses(self, expects_decision: bool = True) -> list[Finding]:
        reason_sents, groups, _first = self._reasons(expects_decision)
        decisions = self.decision_sentences() or self.decision_sentences("weak")
        if decisions:
            # Praise before the decision ("the team's direction impressed me") is not an excuse.
            begin = decisions[0][0].start
            reason_sents = [s for s in reason_sents if s.start >= begin]
        piled = self.cues("excuses.piling").find(self.text)
        many_groups = self.cfg.numbers.get("excuses.too_many_groups", 4)
        many_sents = self.cfg.numbers.get("excuses.too_many_sentences", 4)
        many_piled = self.cfg.numbers.get("excuses.too_many_add_ons", 2)
        if (
            len(reason_sents) >= many_sents
            or (len(groups) >= many_groups and len(reason_sents) >= 3)
            or (len(piled) >= many_piled and len(reason_sents) >= 2)
        ):
            starts = [s.start for s in reason_sents] + [p[0] for p in piled]
            ends = [s.end for s in reason_sents] + [p[1] for p in piled]
            span = (min(starts), max(ends))
            return [self.say("excuses", "too-many", span, count=max(len(reason_sents), len(piled) + 1))]
        return [self.say("excuses", "pass")]

    def _proper_noun(self, span: tuple[int, int], sent: Sentence) -> bool:
        """A capitalised word mid-sentence ("Harbour Health") is a name, not a reason."""
        lead = self.text[sent.start : span[0]]
        return bool(re.search(r"\w", lead)) and self.text[span[0]].isupper()

    def door_open(self) -> list[Finding]:
        closed = self.cues("door-open.closed").find(self.text)
        if closed:
            return [self.say("door-open", "closed", hit) for hit in closed]
        not_open = self.cues("door-open.not_open").find(self.text)
        for hit in self.cues("door-open.open").find(self.text):
            if any(s <= hit[0] < e for s, e in not_open) or self._toned(hit):
                continue
            return [self.say("door-open", "pass", hit)]
        return [self.say("door-open", "missing")]

    def concise(self, profile: Profile) -> list[Finding]:
        words = list(_WORD.finditer(self.text))
        chars = len(self.text)
        if profile.max_chars is not None and chars > profile.max_chars:
            span = (profile.max_chars, chars)
            return [
                self.say(
                    "concise",
                    "too-many-chars",
                    span,
                    count=chars,
                    limit=profile.max_chars,
                    words=len(words),
                )
            ]
        limit = profile.max_words
        if limit is not None and len(words) > limit:
            span = (words[limit].start(), len(self.text))
            return [self.say("concise", "too-long", span, words=len(words), limit=limit)]
        return [self.say("concise", "pass", None, words=len(words), limit=limit or "")]

    def salary(self) -> list[Finding]:
        figures = self.cues("salary-specifics.figure").find(self.text)
        outcome = "figure-expected" if "salary-specifics" in self.profile.unscored else "figure"
        out = [self.say("salary-specifics", outcome, hit) for hit in figures]
        comparisons = self.cues("salary-specifics.comparison").find(self.text)
        other = self.cues("salary-specifics.another_offer")
        for sent in self.sents:
            for hit in self.in_sentence("salary-specifics.comparison_if_other", sent):
                if other.first(self.text, sent.start, sent.end):
                    comparisons.append(hit)
        taken = [f.span for f in out if f.span]
        for hit in sorted(set(comparisons)):
            if not any(s < hit[1] and hit[0] < e for s, e in taken):
                out.append(self.say("salary-specifics", "comparison", hit))
                taken.append(hit)
        out.sort(key=lambda f: f.span or (0, 0))
        return out or [self.say("salary-specifics", "pass")]

    def appraised(self) -> list[Hit]:
        """The sentence-shape reading (bot/appraisal.py), once per critique."""
        if self._appraised is None:
            lex = self.cfg.appraisal
            spans = [(s.start, s.end) for s in self.sents]
            self._appraised = appraise(self.text, spans, lex) if lex else []
        return self._appraised

    def criticism(self) -> list[Finding]:
        mine = self.cues("criticism.self_directed_before")
        praise = self.cues("criticism.praise_context")
        out = []
        # The sentence-shape reading has already checked whom its hits are about; the cues
        # have not, so theirs pass the filters below.
        shaped = {(h.start, h.end) for h in self.appraised() if h.check == "criticism"}
        found = self.cues("criticism.negative").find(self.text)
        for hit in sorted(shaped):
            if not any(s < hit[1] and hit[0] < e for s, e in found):
                found.append(hit)
        lex = self.cfg.appraisal
        for hit in sorted(found):
            sent = next((s for s in self.sents if s.start <= hit[0] < s.end), None)
            if sent and praise.first(self.text, sent.start, sent.end):
                continue
            if hit not in shaped:
                line_start = self.text.rfind("\n", 0, hit[0]) + 1
                before = self.text[max(line_start, hit[0] - 40) : hit[0]]
                if mine.first(before):
                    continue
                if sent and lex and describes_own(self.text, (sent.start, sent.end), hit, lex):
                    continue  # "disappointing news", "too slow for me": the writer's own things
            out.append(self.say("criticism", "found", hit))
        return out or [self.say("criticism", "pass")]

    def tone_hits(self) -> list[tuple[int, int, str]]:
        """Every tone problem as (start, end, kind), earliest first, overlaps merged."""
        if self._tone is None:
            hits: list[tuple[int, int, str]] = []
            for shaped in self.appraised():
                if shaped.check == "tone":
                    hits.append((shaped.start, shaped.end, shaped.kind))
                    self._better.setdefault((shaped.start, shaped.end), shaped.instead)
            for kind, cues in self.cfg.tone.items():
                for pattern, _instead in cues:
                    for m in pattern.finditer(self.text):
                        start, end = m.span("q") if "q" in pattern.groupindex else m.span()
                        while start < end and self.text[start] in " ,;:\n\t":
                            start += 1
                        while end > start and self.text[end - 1].isspace():
                            end -= 1
                        if end > start:
                            hits.append((start, end, kind))
                            self._better.setdefault((start, end), _instead)
            hits.sort()
            merged: list[tuple[int, int, str]] = []
            for s, e, k in hits:
                if merged and s < merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(e, merged[-1][1]), merged[-1][2])
                else:
                    merged.append((s, e, k))
            self._tone = merged
        return self._tone

    def _instead(self, span: tuple[int, int]) -> str | None:
        """The kinder words for a tone hit (None: cut it). Merged hits are cut."""
        return self._better.get(span)

    def rewrite(self, span: tuple[int, int]) -> str:
        """The sentence holding ``span`` with every tone problem in it mended or cut, tidied."""
        sent = next((s for s in self.sents if s.start <= span[0] < s.end), None)
        if sent is None:
            return ""
        body = self.text[sent.start : sent.end]
        for start, end, _kind in reversed(self.tone_hits()):
            if sent.start <= start < sent.end:
                instead = self._instead((start, end)) or ""
                a, b = start - sent.start, min(end, sent.end) - sent.start
                body = body[:a] + instead + body[b:]
        body = re.sub(r"\s+([,.!?;:])", r"\1", " ".join(body.split()))
        body = re.sub(r"([,;:])\s*([.!?])", r"\2", body)
        body = re.sub(r"^[,;:.\s]+", "", body).strip()
        body = re.sub(r",\s*,", ",", body)
        if word_count(body) < 3:
            return ""
        if body[-1] not in ".!?":
            body += "."
        return body[0].upper() + body[1:]

    def tone(self) -> list[Finding]:
        out = []
        for start, end, kind in self.tone_hits():
            span = (start, end)
            sentence = next((s.text for s in self.sents if s.start <= start < s.end), "")
            # A dig found by its shape, with no kinder words to put in its place, is cut with
            # its sentence: cutting only its words leaves a fragment ("Three of my emails.").
            shaped = any(
                (h.start, h.end) == span and h.check == "tone" and h.instead is None
                for h in self.appraised()
            )
            better = "" if shaped else self.rewrite(span)
            outcome = kind
            finding = self.say(
                "tone", outcome, span, sentence=_shorten(sentence, 120), better=better
            )
            if not better:
                drop = self.cfg.messages["tone"].get("drop", ("", ""))[1]
                context = {"quote": _shorten(self.text[start:end]), "sentence": _shorten(sentence, 120)}
                finding = Finding(
                    check=finding.check,
                    ok=False,
                    message=finding.message,
                    span=finding.span,
                    quote=finding.quote,
                    suggestion=self.renderer.inline(drop, context, origin="critic.yaml tone.drop"),
                )
            out.append(finding)
        return out or [self.say("tone", "pass")]

    def hedging(self) -> list[Finding]:
        out: list[Finding] = []
        decisions = self.decision_sentences() or self.decision_sentences("weak")
        seen: list[tuple[int, int]] = []
        for sent, cue in decisions:
            # Hedges anywhere in the decision's own words, including before the cue
            # ("I think I'll decline"), but not in the reason that follows a break.
            clause = self.decision_clause(sent, cue)
            groups = [g for g in ("unsure", "conditional", "reversible") if g not in self.profile.allow_hedges]
            hits = self.clause_hedges(clause, groups)
            if hits:
                out.append(self.say("hedging", "hedged", hits[0]))
                seen.append(hits[0])
        for span in self.cues("hedging.condition_anywhere").find(self.text):
            if not any(s < span[1] and span[0] < e for s, e in seen):
                out.append(self.say("hedging", "condition", span))
                seen.append(span)
        for span in self.cues("hedging.anywhere").find(self.text):
            if not self.negated(span) and not any(s < span[1] and span[0] < e for s, e in seen):
                out.append(self.say("hedging", "reversible", span))
        out.sort(key=lambda f: f.span or (0, 0))
        return out or [self.say("hedging", "pass")]

    def over_apology(self) -> list[Finding]:
        grovel = self.cues("over-apology.grovelling").find(self.text)
        if grovel:
            return [self.say("over-apology", "grovelling", hit) for hit in grovel]
        apologies = self.cues("over-apology.apologies").find(self.text)
        limit = self.cfg.numbers.get("over-apology.max_apologies", 1)
        if len(apologies) > limit:
            return [self.say("over-apology", "too-many", apologies[limit], count=len(apologies))]
        return [self.say("over-apology", "pass")]

    def placeholders(self) -> list[Finding]:
        hits = self.cues("placeholders.left").find(self.text)
        if hits:
            return [self.say("placeholders", "found", hit) for hit in hits]
        return [self.say("placeholders", "pass")]


def _shorten(quote: str, limit: int = 80) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def critique(
    text: str,
    *,
    kind: str | None = None,
    config: CriticConfig | str | Path | None = None,
    renderer: Renderer | None = None,
    reason_chosen: bool | None = None,
) -> Critique:
    """Check a draft. ``kind`` (a draft kind id or profile name) picks which checks apply.

    ``reason_chosen=False`` says the person chose to give no reason (a coach draft): then a
    missing reason is reported as their choice, not as a suggestion.

    The score is what a hiring manager would think of the letter: each failing check costs
    its weight once (however many findings it has), a missing reason costs nothing (it is a
    suggestion), and the checks a profile leaves unscored cost nothing either.
    """
    if config is None:
        cfg = default_config()
    elif isinstance(config, CriticConfig):
        cfg = config
    else:
        cfg = _cached_config(str(config))
    profile = cfg.profile_for(kind)
    run = _Run(text, cfg, renderer or _message_renderer(), profile)
    expects = "clear-decision" not in profile.skip
    builders = {
        "gratitude": run.gratitude,
        "clear-decision": run.clear_decision,
        "reason": lambda: run.reason(expects),
        "excuses": lambda: run.excuses(expects),
        "door-open": run.door_open,
        "concise": lambda: run.concise(profile),
        "salary-specifics": run.salary,
        "criticism": run.criticism,
        "tone": run.tone,
        "hedging": run.hedging,
        "over-apology": run.over_apology,
        "placeholders": run.placeholders,
    }
    findings: list[Finding] = []
    total = 0
    lost = 0
    for check in CHECKS:
        if check in profile.skip:
            findings.append(Finding(check=check, ok=True, message=cfg.not_needed))
            continue
        found = builders[check]()
        if check == "reason" and reason_chosen is False and not found[0].ok:
            said = run.say("reason", "not-chosen")
            found = [Finding(check="reason", ok=True, message=said.message)]
        findings.extend(found)
        weight = cfg.weights.get(check, 10)
        if check in profile.unscored:
            continue
        total += weight
        if not all(f.ok for f in found) and not (check == "reason" and cfg.reason_optional):
            lost += weight
            # Each further problem of a check that says so ("each_more") costs a little more:
            # two digs in one letter are worse than one.
            more = cfg.numbers.get(f"{check}.each_more", 0)
            if more:
                extra = min(len([f for f in found if not f.ok]) - 1, 3) * more
                lost += extra
                total += extra
    score = round(100 * (total - lost) / total) if total else 100
    return Critique(findings=findings, score=score, unscored=profile.unscored)


def check_content(content: Any, renderer: Renderer) -> list[Any]:
    """Hook for ``decline-coach check``: critic.yaml loads, and its profiles name real kinds."""
    from bot.check import Problem

    path = Path(content.dialogues) / "critic.yaml"
    cfg = load_config(path)  # a ContentError here is reported by the caller
    problems = []
    if (Path(content.dialogues) / "drafts.yaml").is_file():
        from bot.drafts import load_kinds

        kinds = set(load_kinds(content.dialogues))
        for profile in cfg.profiles.values():
            for kind in profile.kinds:
                if kind not in kinds:
                    message = f"profile '{profile.name}' names unknown kind '{kind}'"
                    problems.append(Problem(str(path), 0, message))
    sample = {"quote": "x", "count": 1, "words": 1, "limit": 1, "sentence": "x", "better": "x"}
    for check, outcomes in cfg.messages.items():
        for outcome, (message, suggestion) in outcomes.items():
            for text in (message, suggestion):
                try:
                    renderer.inline(text, sample, origin=f"critic.yaml {check}.{outcome}")
                except RenderError as exc:
                    problems.append(Problem(str(path), 0, str(exc)))
    return problems


@lru_cache(maxsize=1)
def _message_renderer() -> Renderer:
    return Renderer(None)


__all__ = [
    "CHECKS",
    "CriticConfig",
    "Critique",
    "critique",
    "default_config",
    "load_config",
    "sentences",
]
