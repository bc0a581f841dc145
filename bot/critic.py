"""The draft critic: one finding per check, each pointing at the words responsible.

All cues, messages, suggestions and limits live in ``dialogues/critic.yaml``; this module
is the mechanism: split the draft into sentences (keeping character offsets), find the
sentence(s) carrying the decision, and run each check over the right part of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.events import Finding
from bot.render import Renderer, RenderError
from bot.yamlfile import ContentError, load_yaml

#: Checks in the order findings are reported. critic.yaml must define each of them.
CHECKS = (
    "gratitude",
    "clear-decision",
    "reason",
    "door-open",
    "concise",
    "salary-specifics",
    "criticism",
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

    def profile_for(self, kind: str | None) -> Profile:
        if kind and kind in self.by_kind:
            return self.by_kind[kind]
        if kind and kind in self.profiles:
            return self.profiles[kind]
        return self.profiles["default"]


def load_config(path: str | Path) -> CriticConfig:
    data = load_yaml(path)
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
        for group, items in (block.get("cues") or {}).items():
            cues[f"{name}.{group}"] = Cues.of(items, where)
        for key, value in block.items():
            if key in ("cues", "outcomes", "weight", "categories", "connectors_only", "negations"):
                continue
            if isinstance(value, list):
                cues[f"{name}.{key}"] = Cues.of(value, where)
            elif isinstance(value, int) and not isinstance(value, bool):
                numbers[f"{name}.{key}"] = value
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
    )


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

    @property
    def passed(self) -> bool:
        return all(f.ok for f in self.findings)

    def failed(self) -> list[Finding]:
        return [f for f in self.findings if not f.ok]

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

    def __init__(self, text: str, cfg: CriticConfig, renderer: Renderer) -> None:
        self.text = text
        self.cfg = cfg
        self.renderer = renderer
        self.sents = sentences(text)

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
        return Sentence(sent.start, end, self.text[sent.start : end])

    def clause_hedges(self, clause: Sentence, groups: Iterable[str]) -> list[tuple[int, int]]:
        hits: list[tuple[int, int]] = []
        for group in groups:
            hits += self.in_sentence(f"hedging.{group}", clause)
        return sorted(hits)

    def gratitude(self) -> Finding:
        signoff = self.cues("gratitude.signoff_only")
        for sent in self.sents:
            if signoff.first(sent.text):
                continue
            hit = self.in_sentence("gratitude.thanks", sent)
            if hit:
                return self.say("gratitude", "pass", hit[0])
        return self.say("gratitude", "missing")

    def clear_decision(self) -> Finding:
        decisions = self.decision_sentences()
        if not decisions:
            return self.say("clear-decision", "missing")
        unclear = ("unsure", "conditional")
        for sent, cue in decisions:
            if not self.clause_hedges(self.decision_clause(sent, cue), unclear):
                return self.say("clear-decision", "pass", cue)
        sent, cue = decisions[0]
        hedge = self.clause_hedges(self.decision_clause(sent, cue), unclear)[0]
        return self.say("clear-decision", "unsure", hedge)

    def _side_remark(self, sent: Sentence) -> bool:
        """Thanks, an apology or a closing line, and no decision in it."""
        if self.in_sentence("clear-decision.decision", sent):
            return False
        return any(
            self.in_sentence(key, sent)
            for key in ("door-open.open", "gratitude.thanks", "over-apology.apologies")
        )

    def reason(self, expects_decision: bool = True) -> Finding:
        decisions = self.decision_sentences() or self.decision_sentences("weak")
        if expects_decision and not decisions:
            return self.say("reason", "missing")
        groups: dict[str, tuple[int, int]] = {}
        reason_sents: list[Sentence] = []
        first: tuple[int, int] | None = None
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
                    if not self._side_remark(nxt) and word_count(nxt.text) >= 4:
                        explained.append(nxt)
        for sent in self.sents:
            if self._side_remark(sent) and not self.in_sentence("gratitude.thanks", sent):
                continue
            found_here = False
            for name, cues in self.cfg.categories.items():
                hits = [
                    h
                    for h in cues.find(self.text, sent.start, sent.end)
                    if not self._proper_noun(h, sent)
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
        if not reason_sents or first is None:
            return self.say("reason", "missing")
        many_groups = self.cfg.numbers.get("reason.too_many_groups", 4)
        many_sents = self.cfg.numbers.get("reason.too_many_sentences", 5)
        if len(reason_sents) >= many_sents or (
            len(groups) >= many_groups and len(reason_sents) >= 3
        ):
            span = (reason_sents[0].start, reason_sents[-1].end)
            return self.say("reason", "too-many", span, count=len(reason_sents))
        return self.say("reason", "pass", first)

    def _proper_noun(self, span: tuple[int, int], sent: Sentence) -> bool:
        """A capitalised word mid-sentence ("Harbour Health") is a name, not a reason."""
        return span[0] > sent.start and self.text[span[0]].isupper()

    def door_open(self) -> Finding:
        closed = self.cues("door-open.closed").first(self.text)
        if closed:
            return self.say("door-open", "closed", closed)
        hit = self.cues("door-open.open").first(self.text)
        if hit:
            return self.say("door-open", "pass", hit)
        return self.say("door-open", "missing")

    def concise(self, profile: Profile) -> Finding:
        words = list(_WORD.finditer(self.text))
        chars = len(self.text)
        if profile.max_chars is not None and chars > profile.max_chars:
            span = (profile.max_chars, chars)
            return self.say(
                "concise",
                "too-many-chars",
                span,
                count=chars,
                limit=profile.max_chars,
                words=len(words),
            )
        limit = profile.max_words
        if limit is not None and len(words) > limit:
            span = (words[limit].start(), len(self.text))
            return self.say("concise", "too-long", span, words=len(words), limit=limit)
        return self.say("concise", "pass", None, words=len(words), limit=limit or "")

    def salary(self) -> Finding:
        figure = self.cues("salary-specifics.figure").first(self.text)
        comparison = self.cues("salary-specifics.comparison").first(self.text)
        if figure and (not comparison or figure[0] <= comparison[0]):
            return self.say("salary-specifics", "figure", figure)
        if comparison:
            return self.say("salary-specifics", "comparison", comparison)
        return self.say("salary-specifics", "pass")

    def criticism(self) -> Finding:
        mine = self.cues("criticism.self_directed_before")
        for hit in self.cues("criticism.negative").find(self.text):
            line_start = self.text.rfind("\n", 0, hit[0]) + 1
            before = self.text[max(line_start, hit[0] - 40) : hit[0]]
            if mine.first(before):
                continue
            return self.say("criticism", "found", hit)
        return self.say("criticism", "pass")

    def hedging(self) -> Finding:
        decisions = self.decision_sentences() or self.decision_sentences("weak")
        for sent, cue in decisions:
            # Hedges anywhere in the decision's own words, including before the cue
            # ("I think I'll decline"), but not in the reason that follows a break.
            clause = self.decision_clause(sent, cue)
            hits = self.clause_hedges(clause, ("unsure", "conditional", "reversible"))
            if hits:
                return self.say("hedging", "hedged", hits[0])
        for span in self.cues("hedging.anywhere").find(self.text):
            if not self.negated(span):
                return self.say("hedging", "reversible", span)
        return self.say("hedging", "pass")

    def over_apology(self) -> Finding:
        grovel = self.cues("over-apology.grovelling").first(self.text)
        if grovel:
            return self.say("over-apology", "grovelling", grovel)
        apologies = self.cues("over-apology.apologies").find(self.text)
        limit = self.cfg.numbers.get("over-apology.max_apologies", 1)
        if len(apologies) > limit:
            return self.say("over-apology", "too-many", apologies[limit], count=len(apologies))
        return self.say("over-apology", "pass")

    def placeholders(self) -> Finding:
        hit = self.cues("placeholders.left").first(self.text)
        if hit:
            return self.say("placeholders", "found", hit)
        return self.say("placeholders", "pass")


def _shorten(quote: str, limit: int = 80) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rstrip() + "…"


def critique(
    text: str,
    *,
    kind: str | None = None,
    config: CriticConfig | str | Path | None = None,
    renderer: Renderer | None = None,
) -> Critique:
    """Check a draft. ``kind`` (a draft kind id or profile name) picks which checks apply."""
    if config is None:
        cfg = default_config()
    elif isinstance(config, CriticConfig):
        cfg = config
    else:
        cfg = _cached_config(str(config))
    run = _Run(text, cfg, renderer or _message_renderer())
    profile = cfg.profile_for(kind)
    builders = {
        "gratitude": run.gratitude,
        "clear-decision": run.clear_decision,
        "reason": lambda: run.reason("clear-decision" not in profile.skip),
        "door-open": run.door_open,
        "concise": lambda: run.concise(profile),
        "salary-specifics": run.salary,
        "criticism": run.criticism,
        "hedging": run.hedging,
        "over-apology": run.over_apology,
        "placeholders": run.placeholders,
    }
    findings: list[Finding] = []
    total = 0
    earned = 0
    for check in CHECKS:
        if check in profile.skip:
            findings.append(Finding(check=check, ok=True, message=cfg.not_needed))
            continue
        finding = builders[check]()
        findings.append(finding)
        weight = cfg.weights.get(check, 10)
        total += weight
        if finding.ok:
            earned += weight
    score = round(100 * earned / total) if total else 100
    return Critique(findings=findings, score=score)


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
    sample = {"quote": "x", "count": 1, "words": 1, "limit": 1}
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
