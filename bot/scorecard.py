"""Reading a rehearsed call and scoring it.

Two halves, both driven by ``dialogues/rehearsal.yaml``:

- ``CallRules.read(text)`` says what one of the person's lines *did* (thanked, stated the
  decision, gave a reason, wavered, shared figures, criticised, held firm, closed warmly,
  said goodbye...). A line can do several things at once. Regex cues give exact spans, so a
  scorecard line can quote the words responsible; the fuzzy ``PhraseMatcher`` then looks at
  each sentence no cue claimed, for wordings nobody anticipated.
- ``score_call(turns, plan)`` turns a call's lines into one ``ScoreLine`` per check, with
  the quote that earned or lost it and a better way to say it.

The persona (``bot.rehearsal``) uses the same reading to decide how the manager reacts, so
what the manager hears and what the scorecard judges never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.events import ScoreLine
from bot.nlu import MatcherConfig, PhraseMatcher
from bot.render import Renderer
from bot.text import Normaliser
from bot.yamlfile import ContentError, LineDict, load_yaml

CHECKS = (
    "gratitude",
    "decision-stated",
    "reason-given",
    "held-firm",
    "no-oversharing",
    "goodwill-close",
)
PLANS = ("decline", "negotiate")
META = ("hint", "restart", "end-call")
#: Kinds the fuzzy matcher may add (the overshare kinds need exact words, so cues only).
FUZZY_KINDS = ("thanks", "decision", "reason", "waver", "cave", "firm", "goodwill", "goodbye")
_SENTENCE = re.compile(r"[^.!?;\n]+[.!?;]*")
_CLAUSE_BREAK = re.compile(r"[,.;:!?\-–—()]|\bbut\b|\band\b|\bso\b", re.IGNORECASE)
_WORD = re.compile(r"[\w'’$£€%]+")


@dataclass(frozen=True)
class Hit:
    """One thing a line did, and the exact characters that did it."""

    kind: str
    start: int
    end: int
    text: str
    how: str = "cue"  # "cue" (a pattern matched these words) or "example" (fuzzy, whole sentence)
    hedged: bool = False  # a decision said with "maybe", "probably", "leaning towards"...
    topic: str = ""


@dataclass
class Turn:
    """One of the person's lines in a call, as read."""

    index: int
    text: str
    hits: tuple[Hit, ...] = ()
    state: str = ""  # the persona's state when the line was said
    pressed: bool = False  # the manager had pushed back at least once before this line
    topics: dict[str, Hit] = field(default_factory=dict)

    @property
    def kinds(self) -> set[str]:
        return {h.kind for h in self.hits}

    def first(self, kind: str) -> Hit | None:
        return next((h for h in self.hits if h.kind == kind), None)

    def all(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.kind == kind]

    @property
    def silent(self) -> bool:
        return not self.text.strip()


@dataclass
class _Kind:
    name: str
    cues: list[re.Pattern[str]]
    examples: list[str]
    guard: bool


class CallRules:
    """Everything ``rehearsal.yaml`` says about reading and scoring a call."""

    def __init__(
        self, raw: Mapping[str, Any], normaliser: Normaliser, *, path: str = "rehearsal.yaml"
    ) -> None:
        self.raw = raw
        self.path = path
        self.norm = normaliser
        self.renderer = Renderer(None)
        limits = dict(raw.get("limits") or {})
        self.max_turns = int(limits.get("max-turns", 16))
        self.early_turns = int(limits.get("early-turns", 2))
        self.brief_words = int(limits.get("brief-words", 45))
        self.reason_topics = int(limits.get("reason-topics", 2))
        self.guard_window = int(limits.get("guard-window", 4))
        words = [str(w).lower() for w in limits.get("guard-words") or ()]
        self.guard_re = re.compile(
            "|".join(r"n't\b" if w == "n't" else r"\b" + re.escape(w) + r"\b" for w in words)
            or r"(?!)",
            re.IGNORECASE,
        )
        self.meta = {
            name: self._patterns(spec.get("cues"), f"meta.{name}")
            for name, spec in _block(raw, "meta", path).items()
        }
        self.kinds: dict[str, _Kind] = {}
        for name, spec in _block(raw, "kinds", path).items():
            spec = spec or {}
            self.kinds[name] = _Kind(
                name=name,
                cues=self._patterns(spec.get("cues"), f"kinds.{name}"),
                examples=[str(e) for e in spec.get("examples") or ()],
                guard=bool(spec.get("guard", False)),
            )
        self.topics = {
            name: self._patterns(cues, f"reason-topics.{name}")
            for name, cues in _block(raw, "reason-topics", path).items()
        }
        self.hedges = self._pattern(str(raw.get("hedges") or r"(?!)"), "hedges")
        self.figure_context = self._pattern(
            str(raw.get("figure-context") or r"(?!)"), "figure-context"
        )
        self.trigger_order = [str(k) for k in raw.get("trigger-order") or ()]
        self.react_order = [str(k) for k in raw.get("react-order") or ()]
        self.soft_reactions = [str(k) for k in raw.get("soft-reactions") or ()]
        self.checks = _block(_block(raw, "scorecard", path), "checks", path)
        missing = [c for c in CHECKS if c not in self.checks]
        if missing:
            raise ContentError(path, None, f"scorecard.checks is missing {', '.join(missing)}")
        phrases = {
            k.name: k.examples for k in self.kinds.values() if k.examples and k.name in FUZZY_KINDS
        }
        self.matcher = PhraseMatcher(
            phrases, normaliser, config=MatcherConfig(threshold=80.0, margin=6.0)
        )

    def _pattern(self, source: str, where: str) -> re.Pattern[str]:
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            raise ContentError(
                self.path, _line(self.raw, where), f"{where}: bad pattern {source!r}: {exc}"
            ) from None

    def _patterns(self, sources: Iterable[Any] | None, where: str) -> list[re.Pattern[str]]:
        return [self._pattern(str(s), where) for s in sources or ()]

    # -- reading --------------------------------------------------------------------------------

    def meta_kind(self, text: str) -> str | None:
        """ "hint", "restart" or "end-call" when the whole line steps outside the call."""
        for name, patterns in self.meta.items():
            if any(p.search(text) for p in patterns):
                return name
        return None

    def _guarded(self, text: str, start: int) -> bool:
        before = text[:start]
        breaks = list(_CLAUSE_BREAK.finditer(before))
        clause = before[breaks[-1].end() :] if breaks else before
        window = " ".join(_WORD.findall(clause)[-self.guard_window :])
        return bool(self.guard_re.search(window))

    def _hedged(self, text: str, start: int) -> bool:
        before = text[:start]
        cut = max(before.rfind(c) for c in ".;!?,")
        return bool(self.hedges.search(before[cut + 1 :]))

    def read(self, text: str) -> tuple[tuple[Hit, ...], dict[str, Hit]]:
        """What a line did (hits in order of position) and its reason topics."""
        hits: list[Hit] = []
        for kind in self.kinds.values():
            for pattern in kind.cues:
                for m in pattern.finditer(text):
                    if m.end() == m.start():
                        continue
                    if kind.guard and self._guarded(text, m.start()):
                        continue
                    hedged = kind.name == "decision" and self._hedged(text, m.start())
                    hits.append(Hit(kind.name, m.start(), m.end(), m.group(0), hedged=hedged))
        hits = _resolve(hits)
        claimed = {h.kind for h in hits}
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0).strip()
            if len(sentence.split()) < 3:
                continue
            found = self.matcher.match(sentence)
            if found.label and found.label not in claimed and not found.negated:
                start = m.start() + m.group(0).index(sentence)
                hits.append(Hit(found.label, start, start + len(sentence), sentence, how="example"))
                claimed.add(found.label)
        hits = _resolve(hits)
        topics: dict[str, Hit] = {}
        if any(h.kind == "reason" for h in hits):
            for topic, patterns in self.topics.items():
                for pattern in patterns:
                    tm = pattern.search(text)
                    if tm and not self._guarded(text, tm.start()):
                        topics[topic] = Hit(
                            "reason", tm.start(), tm.end(), tm.group(0), topic=topic
                        )
                        break
        return tuple(sorted(hits, key=lambda h: (h.start, h.kind))), topics

    def turn(self, index: int, text: str, *, state: str = "", pressed: bool = False) -> Turn:
        hits, topics = self.read(text) if text.strip() else ((), {})
        return Turn(index=index, text=text, hits=hits, state=state, pressed=pressed, topics=topics)

    # -- scoring --------------------------------------------------------------------------------

    def note(self, check: str, key: str, **context: Any) -> str:
        spec = self.checks[check]
        source = spec.get(key) or spec.get(key.split("-")[0]) or ""
        return self.renderer.inline(
            str(source), context, origin=f"{self.path}:scorecard.{check}.{key}"
        )

    def better(self, check: str, plan: str) -> str:
        better = self.checks[check].get("better") or {}
        if isinstance(better, str):
            return better
        return str(better.get(plan) or better.get("decline") or "")

    def title(self, check: str) -> str:
        return str(self.checks[check].get("title") or check)


def _block(raw: Mapping[str, Any], key: str, path: str) -> dict[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        raise ContentError(path, _line(raw, key), f"'{key}' should be a block of 'name: ...' lines")
    return value


def _line(raw: Any, key: str) -> int | None:
    head = key.split(".")[0]
    return raw.line_of(head) if isinstance(raw, LineDict) else None


def _resolve(hits: list[Hit]) -> list[Hit]:
    """Firm words outrank the wavering words inside them ("nothing would make me reconsider")."""
    firm = [h for h in hits if h.kind == "firm"]
    out = []
    seen: set[tuple[str, int, int]] = set()
    for h in hits:
        if h.kind in ("waver", "cave") and any(f.start < h.end and h.start < f.end for f in firm):
            continue
        key = (h.kind, h.start, h.end)
        if key in seen:
            continue
        seen.add(key)
        out.append(h)
    return out


def sentence_of(text: str, hit: Hit, limit: int = 200) -> str:
    """The sentence holding a hit: the exact words to quote back."""
    for m in _SENTENCE.finditer(text):
        if m.start() <= hit.start < m.end():
            s = m.group(0).strip()
            return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"
    return hit.text


def _words(text: str) -> int:
    return len(text.split())


def score_call(
    turns: Sequence[Turn | str],
    plan: str = "decline",
    rules: CallRules | None = None,
) -> list[ScoreLine]:
    """One ScoreLine per check for the person's side of a call.

    ``turns`` are the person's lines (read ``Turn`` objects, or plain strings to be read
    here). ``plan`` is "decline" or "negotiate": a person who meant to negotiate is not
    marked down for naming terms or asking "is there any room on salary?".
    """
    rules = rules or default_rules()
    plan = plan if plan in PLANS else "decline"
    read: list[Turn] = [t if isinstance(t, Turn) else rules.turn(i, t) for i, t in enumerate(turns)]
    spoken = [t for t in read if not t.silent]
    lines = [
        _gratitude(spoken, plan, rules),
        _decision(spoken, plan, rules),
        _reason(spoken, plan, rules),
        _held_firm(spoken, plan, rules),
        _oversharing(spoken, plan, rules),
        _goodwill(spoken, plan, rules),
    ]
    return lines


def _line_for(
    rules: CallRules, check: str, ok: bool, key: str, plan: str, quote: str = ""
) -> ScoreLine:
    note = rules.note(check, key, quote=quote, plan=plan)
    return ScoreLine(check=check, ok=ok, note=note, quote=quote, better=rules.better(check, plan))


def _first(
    spoken: Sequence[Turn], kinds: Iterable[str], *, clear: bool | None = None
) -> tuple[int, Turn, Hit] | None:
    kinds = tuple(kinds)
    for pos, t in enumerate(spoken):
        for h in t.hits:
            if h.kind in kinds and (clear is None or h.hedged != clear):
                return pos, t, h
    return None


def _gratitude(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    found = _first(spoken, ["thanks"])
    if found:
        _, t, h = found
        return _line_for(rules, "gratitude", True, "ok", plan, sentence_of(t.text, h))
    return _line_for(rules, "gratitude", False, "missing", plan)


def _decision(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    kinds = ["decision"] if plan == "decline" else ["decision", "waver"]
    ok_key = "ok" if plan == "decline" else "ok-negotiate"
    clear = _first(spoken, kinds, clear=True)
    if clear:
        pos, t, h = clear
        if pos < rules.early_turns:
            return _line_for(rules, "decision-stated", True, ok_key, plan, sentence_of(t.text, h))
        hedged_early = _first(spoken[: rules.early_turns], ["decision"], clear=False)
        if hedged_early:
            _, ht, hh = hedged_early
            return _line_for(
                rules, "decision-stated", False, "hedged", plan, sentence_of(ht.text, hh)
            )
        return _line_for(rules, "decision-stated", False, "late", plan, sentence_of(t.text, h))
    hedged = _first(spoken, ["decision"], clear=False)
    if hedged:
        _, t, h = hedged
        return _line_for(rules, "decision-stated", False, "hedged", plan, sentence_of(t.text, h))
    return _line_for(rules, "decision-stated", False, "missing", plan)


def _reason(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    reasons = [(t, h) for t in spoken for h in t.hits if h.kind == "reason"]
    if not reasons:
        return _line_for(rules, "reason-given", False, "missing", plan)
    for t in spoken:
        if not t.first("reason"):
            continue
        if len(t.topics) > rules.reason_topics:
            return _line_for(
                rules, "reason-given", False, "many", plan, _span_quote(t, t.topics.values())
            )
        sentences = {sentence_of(t.text, h, limit=10_000) for h in t.all("reason")}
        if sum(_words(s) for s in sentences) > rules.brief_words:
            return _line_for(
                rules, "reason-given", False, "long", plan, _trim(max(sentences, key=_words))
            )
    t, h = reasons[0]
    return _line_for(rules, "reason-given", True, "ok", plan, sentence_of(t.text, h))


def _span_quote(t: Turn, hits: Iterable[Hit]) -> str:
    hs = sorted(hits, key=lambda h: h.start)
    return _trim(t.text[hs[0].start : hs[-1].end])


def _trim(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _held_firm(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    pressed = any(t.pressed for t in spoken)
    if plan == "negotiate":
        cave = _first(spoken, ["cave"])
        asked = _first(spoken, ["waver", "decision"])
        if cave and (asked is None or asked[0] > cave[0]):
            _, t, h = cave
            return _line_for(rules, "held-firm", False, "dropped", plan, sentence_of(t.text, h))
        return _line_for(rules, "held-firm", True, "ok-negotiate", plan)
    cave = _first(spoken, ["cave"])
    if cave:
        _, t, h = cave
        return _line_for(rules, "held-firm", False, "caved", plan, sentence_of(t.text, h))
    waver = _first(spoken, ["waver"])
    if waver:
        _, t, h = waver
        return _line_for(rules, "held-firm", False, "wavered", plan, sentence_of(t.text, h))
    firm = _first(spoken, ["firm"])
    quote = sentence_of(firm[1].text, firm[2]) if firm else ""
    return _line_for(
        rules, "held-firm", True, "ok" if pressed or firm else "unpressed", plan, quote
    )


def _oversharing(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    problems: list[tuple[str, str]] = []
    crit = _first(spoken, ["criticism"])
    if crit:
        problems.append(("criticism", sentence_of(crit[1].text, crit[2])))
    for t in spoken:
        fig = next(
            (
                h
                for h in t.all("figures")
                if plan == "decline"
                or rules.figure_context.search(sentence_of(t.text, h, limit=10_000))
            ),
            None,
        )
        if fig:
            problems.append(("figures", sentence_of(t.text, fig)))
            break
    if not problems:
        return _line_for(rules, "no-oversharing", True, "ok", plan)
    note = " ".join(rules.note("no-oversharing", key, plan=plan, quote=q) for key, q in problems)
    quote = " … ".join(dict.fromkeys(q for _, q in problems))
    return ScoreLine(
        "no-oversharing", False, note, quote=quote, better=rules.better("no-oversharing", plan)
    )


def _goodwill(spoken: Sequence[Turn], plan: str, rules: CallRules) -> ScoreLine:
    if spoken and spoken[-1].first("criticism") and not spoken[-1].first("goodwill"):
        t = spoken[-1]
        h = t.first("criticism")
        assert h is not None
        return _line_for(rules, "goodwill-close", False, "sour", plan, sentence_of(t.text, h))
    found = None
    for t in reversed(spoken):
        h = t.first("goodwill")
        if h:
            found = (t, h)
            break
    if found:
        return _line_for(
            rules, "goodwill-close", True, "ok", plan, sentence_of(found[0].text, found[1])
        )
    return _line_for(rules, "goodwill-close", False, "missing", plan)


# -- loading --------------------------------------------------------------------------------------


def load_rules(dialogues: Path | None = None, normaliser: Normaliser | None = None) -> CallRules:
    from bot.paths import dialogues_dir

    folder = Path(dialogues) if dialogues else dialogues_dir()
    path = folder / "rehearsal.yaml"
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(path, None, "rehearsal.yaml should be a block of 'key: value' lines")
    if normaliser is None:
        # The same normaliser load_content() builds, from lexicon.yaml alone: a rehearsal
        # should not fail because some unrelated flow file is half-written.
        from bot.content import _load_lexicon

        normaliser = _load_lexicon(folder / "lexicon.yaml")[0]
    return CallRules(raw, normaliser, path=str(path))


@lru_cache(maxsize=4)
def _cached_rules(folder: str) -> CallRules:
    return load_rules(Path(folder))


def default_rules(dialogues: Path | None = None) -> CallRules:
    from bot.paths import dialogues_dir

    return _cached_rules(str(Path(dialogues) if dialogues else dialogues_dir()))
