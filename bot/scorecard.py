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
from dataclasses import dataclass, field, replace
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
    "courtesy",
)
#: Checks only some plans use: naming your number (negotiate), naming a date (ask for time).
PLAN_CHECKS = ("figure-named", "date-named")
ALL_CHECKS = CHECKS + PLAN_CHECKS
PLANS = ("decline", "negotiate", "ask-for-time")
META = ("hint", "restart", "end-call")
#: Kinds the fuzzy matcher may add (the overshare kinds need exact words, so cues only).
FUZZY_KINDS = (
    "thanks", "decision", "reason", "waver", "cave", "firm", "goodwill", "goodbye",
    "question", "feedback", "negotiation", "refusal", "rudeness",
)
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
    noise: bool = False  # nonsense or filler sounds: the only line "you broke up" answers
    heard: str = ""  # the manager's line just before this one

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
        self.close_lines = int(limits.get("close-lines", 2))
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
        self.hedges = self._optional(raw, "hedges", "hedges")
        self.figure_context = self._optional(raw, "figure-context", "figure-context")
        self.label_of = {str(k): str(v) for k, v in (raw.get("labels") or {}).items()}
        self.outranks = {
            str(k): [str(x) for x in v or ()] for k, v in (raw.get("outranks") or {}).items()
        }
        self.figure_idioms = self._patterns(raw.get("figure-idioms"), "figure-idioms")
        self.softeners = self._optional(raw, "criticism-softeners", "criticism-softeners")
        self.criticism_self = self._optional(raw, "criticism-self", "criticism-self")
        self.reason_denials = self._optional(raw, "reason-denials", "reason-denials")
        self.thanks_in_passing = self._optional(raw, "thanks-in-passing", "thanks-in-passing")
        rc = dict(raw.get("reason-clauses") or {})
        self.clause_min_words = int(rc.get("min-words", 4))
        self.clause_lead_words = int(rc.get("lead-words", 6))
        self.clause_subjects = self._optional(rc, "subjects", "reason-clauses.subjects")
        self.clause_causes = self._optional(rc, "causes", "reason-clauses.causes")
        self.clause_not = self._patterns(rc.get("not"), "reason-clauses.not")
        self.asked_why = self._optional(rc, "asked-why", "reason-clauses.asked-why")
        self.fillers_inline = self._optional(rc, "fillers", "reason-clauses.fillers")
        tr = dict(raw.get("time-requests") or {})
        self.time_request = self._optional(tr, "request", "time-requests.request")
        self.interruptions = self._optional(raw, "interruptions", "interruptions")
        self.offer_dismissals = self._optional(raw, "offer-dismissals", "offer-dismissals")
        self.process_subjects = self._optional(raw, "process-subjects", "process-subjects")
        self.courtesies = {str(k) for k in raw.get("courtesies") or ()}
        self.preamble = self._optional(raw, "preamble", "preamble")
        noise = dict(raw.get("noise") or {})
        self.word_share = float(noise.get("word-share", 0.5))
        self.fillers = self._optional(noise, "fillers", "noise.fillers")
        self.answer_only = [str(k) for k in raw.get("answer-only") or ()]
        self.name_patterns = []
        for i, source in enumerate(raw.get("names-from-call") or ()):
            try:
                self.name_patterns.append(re.compile(str(source)))  # case matters: names
            except re.error as exc:
                raise ContentError(
                    path, _line(raw, "names-from-call"), f"names-from-call[{i}]: {exc}"
                ) from None
        self.trigger_order = [str(k) for k in raw.get("trigger-order") or ()]
        self.react_order = [str(k) for k in raw.get("react-order") or ()]
        self.soft_reactions = [str(k) for k in raw.get("soft-reactions") or ()]
        self.checks = _block(_block(raw, "scorecard", path), "checks", path)
        missing = [c for c in ALL_CHECKS if c not in self.checks]
        if missing:
            raise ContentError(path, None, f"scorecard.checks is missing {', '.join(missing)}")
        sc = _block(raw, "scorecard", path)
        self.plan_checks: dict[str, list[str]] = {}
        for plan, checks in (sc.get("plans") or {}).items():
            unknown = [str(c) for c in checks or () if str(c) not in ALL_CHECKS]
            if unknown or str(plan) not in PLANS:
                raise ContentError(
                    path, _line(raw, "scorecard"),
                    f"scorecard.plans.{plan}: unknown plan or check {unknown or plan}",
                )
            self.plan_checks[str(plan)] = [str(c) for c in checks or ()]
        self.reword_drop = self._optional(sc, "reword-drop", "scorecard.reword-drop")
        phrases = {
            k.name: k.examples for k in self.kinds.values() if k.examples and k.name in FUZZY_KINDS
        }
        self.matcher = PhraseMatcher(
            phrases, normaliser, config=MatcherConfig(threshold=80.0, margin=6.0)
        )

    def _optional(self, block: Any, key: str, where: str) -> re.Pattern[str]:
        """``block[key]`` compiled, or a pattern that never matches when the content leaves it out."""
        return self._pattern(str(block.get(key) or r"(?!)"), where)

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

    def read(
        self, text: str, heard: str = "", decided: bool = False
    ) -> tuple[tuple[Hit, ...], dict[str, Hit]]:
        """What a line did; letters stretched for effect ("byeee", "sooo sorry") are read
        as one, and every span is given back in the line's own characters."""
        squeezed, where = _squeeze(text)
        if squeezed == text:
            return self._read(text, heard, decided)
        hits, topics = self._read(squeezed, heard, decided)

        def back(h: Hit) -> Hit:
            start, end = where[h.start], where[h.end - 1] + 1 if h.end > h.start else where[h.start]
            return replace(h, start=start, end=end, text=text[start:end])

        return tuple(back(h) for h in hits), {k: back(h) for k, h in topics.items()}

    def _read(
        self, text: str, heard: str = "", decided: bool = False
    ) -> tuple[tuple[Hit, ...], dict[str, Hit]]:
        """What a line did (hits in order of position) and its reason topics.

        ``heard`` is the manager's line just before: a reason that only echoes the manager's
        words inside a denial ("it's not the money") is not the person's reason. ``decided``:
        the person has already given (or wavered on) their answer earlier in the call, so a
        plain statement about their life or the job now explains it (``_clause_reasons``)."""
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
        hits = self._refine(text, _resolve(hits), heard)
        hits = hits + self._clause_reasons(text, hits, heard, decided)
        topics: dict[str, Hit] = {}
        extra = [h for h in hits if h.how == "clause" and h.kind == "reason"]
        if any(h.kind == "reason" and h.how != "clause" for h in hits):
            for i, h in enumerate(extra):
                topics[f"said-{i + 1}"] = replace(h, topic=f"said-{i + 1}")
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

    def _refine(self, text: str, hits: list[Hit], heard: str) -> list[Hit]:
        """Drop what a closer look undoes: idioms that look like figures, complaints turned
        into praise, a reason that echoes the manager in a denial, and a kind that another
        kind in the same sentence stands in for (content's ``outranks``)."""
        idioms = [m.span() for p in self.figure_idioms for m in p.finditer(text)]
        selfish = [m.span() for m in self.criticism_self.finditer(text)]
        denied = [
            m.span() for m in self.reason_denials.finditer(text)
            if re.search(r"n't|\bnot\b", m.group(0), re.IGNORECASE)
        ]
        heard_l = heard.lower()
        out: list[Hit] = []
        for h in hits:
            if h.kind == "figures" and any(a < h.end and h.start < b for a, b in idioms):
                continue
            if h.kind == "criticism":
                if any(a <= h.start < b for a, b in selfish):
                    continue
                span = _sentence_span(text, h.start)
                if _APOLOGY.search(text[span[0] : span[1]]):
                    continue  # "I know the timing's awful, I'm sorry": about oneself
                if self.softeners.search(text[h.end : span[1]]):
                    continue
            if h.kind == "reason" and any(a <= h.start < b for a, b in denied):
                continue
            if h.kind == "reason" and h.how == "cue" and heard_l:
                s0, s1 = _sentence_span(text, h.start)
                sentence = text[s0:s1].lower()
                if h.text.lower() in heard_l and re.search(r"n't\b|\bnot\b|\bno\b", sentence) \
                        and "because" not in sentence:
                    continue
            out.append(h)
        # "I'm going to decline, but I'm torn": a decision taken back in the same sentence.
        for i, h in enumerate(out):
            if h.kind != "decision" or h.hedged:
                continue
            s0, s1 = _sentence_span(text, h.start)
            later = [w for w in out if w.kind == "waver" and h.end <= w.start < s1]
            if later and re.search(r"\bbut\b", text[h.end : later[0].start], re.IGNORECASE):
                out[i] = replace(h, hedged=True)
        out = self._structure(text, out)
        kept: list[Hit] = []
        for h in out:
            span = _sentence_span(text, h.start)
            beaten = any(
                h.kind in self.outranks.get(o.kind, ())
                and span[0] <= o.start < span[1]
                for o in out
                if o is not h
            )
            if not beaten:
                kept.append(h)
        return kept

    def _structure(self, text: str, hits: list[Hit]) -> list[Hit]:
        """Sentence-level readings that no single cue can make:

        - a request for time ("Could you give me until the 14th?", "Can I call you back later
          this week?"): a question or request naming when (a ``date``) is asking for time,
          not a question to answer;
        - a question that only asks leave to speak ("can I just stop you there?") is no
          question (``interruptions``);
        - a sign-off inside a question ("Did you have a good weekend?") is no goodbye;
        - a reason whose words come with "... won't change it" (``offer-dismissals``) names
          what the manager offered, not the person's reason;
        - a complaint about the hiring side said with a reason's words ("five rounds was too
          much") is criticism (``process-subjects`` before it, no "I" or "my");
        - a figure compared with another offer or current pay (``figure-context``) is also
          the reason."""
        out = list(hits)
        for m in _SENTENCE.finditer(text):
            s0, s1 = m.start(), m.end()
            sentence = m.group(0)
            inside = [h for h in out if s0 <= h.start < s1]
            asking = sentence.rstrip().endswith("?")
            dates = [h for h in inside if h.kind == "date"]
            if dates and (asking or self.time_request.search(sentence)) and re.search(
                r"\b(i|me|my)\b", sentence, re.IGNORECASE
            ):
                out = [h for h in out if not (s0 <= h.start < s1 and h.kind == "question")]
                if not any(h.kind in ("waver", "cave") for h in inside):
                    d = dates[0]
                    out.append(Hit("waver", d.start, d.end, d.text, how="structure"))
            if asking and self.interruptions.search(sentence):
                out = [h for h in out if not (s0 <= h.start < s1 and h.kind == "question")]
            if asking:
                out = [h for h in out if not (s0 <= h.start < s1 and h.kind == "goodbye")]
            # A reason is a statement: words about pay or family inside a question (other
            # than one asking for terms), or in a line that gives in, explain nothing.
            terms = any(h.kind in ("negotiation", "waver") for h in inside)
            if (asking and not terms) or any(h.kind == "cave" for h in inside):
                out = [h for h in out if not (h.kind == "reason" and s0 <= h.start < s1)]
            # A topic word in a clause that thanks, wishes well, greets or keeps something
            # private ("thanks for the flexible hours", "say hi to your family") is no reason.
            clauses = _clauses(sentence, s0)
            courteous = [h for h in out if h.kind in _COURTESY_KINDS and s0 <= h.start < s1]
            drop = []
            for h in out:
                if h.kind != "reason" or h.how != "cue" or not (s0 <= h.start < s1):
                    continue
                c0, c1 = next(((a, b) for a, b in clauses if a <= h.start < b), (s0, s1))
                if self.clause_causes.search(text[c0:c1]) or _CAUSE_WORDS.search(text[c0:c1]):
                    continue
                if any(c0 <= o.start < c1 for o in courteous):
                    drop.append(h)
            out = [h for h in out if h not in drop]
            dismissal = self.offer_dismissals.search(sentence)
            if dismissal and not re.search(r"\bbecause\b", sentence, re.IGNORECASE):
                cut = s0 + dismissal.start()
                out = [h for h in out if not (h.kind == "reason" and s0 <= h.start < cut)]
            for i, h in enumerate(out):
                if h.kind != "reason" or not (s0 <= h.start < s1) or h.how != "cue":
                    continue
                lead = text[s0 : h.start]
                if self.process_subjects.search(lead) and not re.search(
                    r"\b(i|i.m|i.ve|my|me)\b", lead, re.IGNORECASE
                ):
                    out[i] = replace(h, kind="criticism")
            figures = [h for h in out if h.kind == "figures" and s0 <= h.start < s1]
            if figures and self.figure_context.search(sentence) and not any(
                (h.kind in ("reason", "negotiation") and s0 <= h.start < s1)
                or h.kind in ("rudeness", "criticism")
                for h in out
            ):
                f = figures[0]
                out.append(Hit("reason", f.start, f.end, f.text, how="structure"))
        return _resolve(out)

    def _clause_reasons(
        self, text: str, hits: list[Hit], heard: str, decided: bool
    ) -> list[Hit]:
        """A reason said in the person's own words, by its shape rather than its words: a
        statement (not a question) about themselves or the job (``reason-clauses.subjects``)
        that nothing else claimed, said once the answer is on the table (earlier in the
        call, earlier in this line, or when the manager just asked why), or introduced as a
        cause ("..., as I'm staying on where I am"). Clauses that only think aloud,
        apologise, promise or wish (``reason-clauses.not``) are not reasons."""
        given = [h for h in hits if h.kind == "reason"]
        answered = {"decision", "firm", "waver"}
        asked = bool(heard and self.asked_why.search(heard))
        out: list[Hit] = []
        for m in _SENTENCE.finditer(text):
            sentence = m.group(0)
            if sentence.rstrip().endswith("?"):
                continue
            # With a reason already read, only a further clause of the same sentence counts
            # ("the salary is lower, the commute is long, and I'd lose my Fridays").
            if given and not any(m.start() <= h.start < m.end() for h in given):
                continue
            for c0, c1 in _clauses(sentence, m.start()):
                clause = text[c0:c1]
                if any(h.start < c1 and c0 < h.end for h in hits if h.kind != "date"):
                    continue
                bare = self.fillers_inline.sub(" ", clause)
                if len(_WORD.findall(bare)) < self.clause_min_words:
                    continue
                if not self.clause_subjects.search(bare):
                    continue
                lead = " ".join(bare.split()[: self.clause_lead_words])
                if any(p.search(lead) for p in self.clause_not):
                    continue
                if self.criticism_self.search(bare) or self.reason_denials.search(bare):
                    continue
                before = any(h.kind in answered and h.end <= c0 for h in hits)
                cause = bool(self.clause_causes.search(bare)) and (
                    before or any(h.kind in answered for h in hits)
                )
                if not (decided or asked or before or cause or given):
                    continue
                pad = len(clause) - len(clause.lstrip(" ,;:-–—"))
                out.append(Hit("reason", c0 + pad, c1, clause.strip(" ,;:-–—"), how="clause"))
                if not given:
                    break
            if out and not given:
                break
        return out

    def is_noise(self, text: str) -> bool:
        """Nonsense or filler sounds: keyboard mashes, "uhh", "asdf jkl", "???"."""
        if not text.strip() or self.fillers.search(text):
            return True
        words = _WORD.findall(text)
        if not words:
            return True
        share = sum(_wordlike(w) for w in words) / len(words)
        return share < self.word_share

    def turn(
        self, index: int, text: str, *, state: str = "", pressed: bool = False, heard: str = "",
        decided: bool = False,
    ) -> Turn:
        if not text.strip():
            return Turn(index=index, text=text, state=state, pressed=pressed, heard=heard)
        hits, topics = self.read(text, heard, decided)
        noise = not hits and self.is_noise(text)
        return Turn(
            index=index, text=text, hits=hits, state=state, pressed=pressed, topics=topics,
            noise=noise, heard=heard,
        )

    def labels(self, turn: Turn) -> set[str]:
        """A line's labels in the benchmark's words (``labels`` in rehearsal.yaml)."""
        if turn.noise:
            return {"noise"}
        kinds = set(turn.kinds)
        if "decision" in kinds and all(h.hedged for h in turn.all("decision")):
            kinds = (kinds - {"decision"}) | {"waver"}  # "probably going to pass, maybe"
        return {self.label_of[k] for k in kinds if k in self.label_of}

    # -- scoring --------------------------------------------------------------------------------

    def note(self, check: str, key: str, **context: Any) -> str:
        spec = self.checks[check]
        source = spec.get(key) or spec.get(key.split("-")[0]) or ""
        return self.renderer.inline(
            str(source), context, origin=f"{self.path}:scorecard.{check}.{key}"
        )

    def better(self, check: str, plan: str, **context: Any) -> str:
        """The "try" line: a template filled with the person's own words (``reason``...)."""
        better = self.checks[check].get("better") or {}
        if not isinstance(better, str):
            better = str(better.get(plan) or better.get("decline") or "")
        text = self.renderer.inline(
            better, {**_TRY_DEFAULTS, **context, "plan": plan},
            origin=f"{self.path}:scorecard.{check}.better",
        )
        return " ".join(text.split())

    def reword(self, text: str) -> str:
        """The person's words, tidied for a "try" line: fillers and hedges out, no end stop."""
        out = self.reword_drop.sub(" ", " " + text + " ")
        out = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(out.split()))
        out = out.strip(" ,;:-–—.!?")
        first = out.split(" ")[0].lower() if out else ""
        if first in _COMMON_OPENERS or first.endswith("ing"):
            out = out[:1].lower() + out[1:]  # a sentence's capital, not a name's
        return out

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


_VOWEL = re.compile(r"[aeiouy]", re.IGNORECASE)
_MASH = re.compile(r"(.)\1{2,}|qwert|asdf|sdfg|dfgh|fghj|ghjk|hjkl|jkl|zxcv|xcvb|cvbn|vbnm|uiop", re.I)


def _wordlike(word: str) -> bool:
    """Looks like a word of some language: has a vowel, no key-row run, no triple letters."""
    w = word.strip("'’")
    if not w or any(c.isdigit() for c in w) or any(c in "$£€%" for c in w):
        return bool(w)
    if len(w) > 18 or _MASH.search(w):
        return False
    return bool(_VOWEL.search(w)) or w.lower() in ("hmm", "mm", "nth", "tv", "ok", "ty", "thx")


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    for m in _SENTENCE.finditer(text):
        if m.start() <= pos < m.end():
            return m.start(), m.end()
    return 0, len(text)


_APOLOGY = re.compile(r"\b(sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)
_COURTESY_KINDS = ("thanks", "goodwill", "greeting", "goodbye", "refusal", "feedback", "empathy")
_CAUSE_WORDS = re.compile(r"\b(because|since|due to|reasons?|cause)\b", re.IGNORECASE)
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")


def _squeeze(text: str) -> tuple[str, list[int]]:
    """The line with runs of three or more of a letter cut to one, and for each character
    kept, its index in the line."""
    out: list[str] = []
    where: list[int] = []
    last = 0
    for m in _STRETCH.finditer(text):
        for i in range(last, m.start() + 1):
            out.append(text[i])
            where.append(i)
        last = m.end()
    for i in range(last, len(text)):
        out.append(text[i])
        where.append(i)
    return "".join(out), where


_CLAUSE_SPLIT = re.compile(r"[,;:–—()]|\s-\s|\bbut\b", re.IGNORECASE)


def _clauses(sentence: str, offset: int) -> list[tuple[int, int]]:
    """A sentence's clauses as (start, end) in the line: cut at commas, dashes, "but", "so"."""
    spans, start = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        spans.append((offset + start, offset + m.start()))
        start = m.end()
    spans.append((offset + start, offset + len(sentence)))
    return [(a, b) for a, b in spans if b > a]


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
    *,
    context: Mapping[str, Any] | None = None,
) -> list[ScoreLine]:
    """One ScoreLine per check the plan uses, for the person's side of a call.

    ``turns`` are the person's lines (read ``Turn`` objects, or plain strings to be read
    here). ``plan`` is "decline", "negotiate" or "ask-for-time": a person who meant to
    negotiate is not marked down for naming terms. ``context`` holds the case's names for
    the "try" lines; the person's own words (their reason, their number) are added here.
    """
    rules = rules or default_rules()
    plan = plan if plan in PLANS else "decline"
    read: list[Turn] = []
    for i, t in enumerate(turns):
        if not isinstance(t, Turn):
            decided = any(r.kinds & {"decision", "firm", "waver"} for r in read)
            t = rules.turn(i, t, decided=decided)
        read.append(t)
    spoken = [t for t in read if not t.silent and not t.noise]
    ctx = _try_context(spoken, rules, context or {})
    scorers = {
        "gratitude": _gratitude,
        "decision-stated": _decision,
        "reason-given": _reason,
        "held-firm": _held_firm,
        "no-oversharing": _oversharing,
        "goodwill-close": _goodwill,
        "courtesy": _courtesy,
        "figure-named": _figure_named,
        "date-named": _date_named,
    }
    checks = rules.plan_checks.get(plan) or list(CHECKS)
    return [scorers[c](spoken, plan, rules, ctx) for c in checks]


_TRY_DEFAULTS: dict[str, Any] = {
    "reason": "", "figure": "", "date": "", "name": "", "manager": "", "company": "",
    "role": "", "reply_by": "", "ask": "", "quote": "",
}
_COMMON_OPENERS = {
    "the", "it", "it's", "my", "a", "an", "this", "that", "that's", "there", "we", "they",
    "our", "your", "one", "so", "and", "but", "because", "honestly", "well", "mainly",
    "mostly", "they've", "they're", "we've", "we're", "there's",
    "its", "some", "all", "no", "not", "too", "too,", "with", "at", "for", "to", "in",
}


def _clause(text: str, hit: Hit) -> str:
    """The clause holding a hit: from the last break before it to the next after it."""
    s0, s1 = _sentence_span(text, hit.start)
    before = text[s0 : hit.start]
    cut = max((m.end() for m in re.finditer(r"[,;:–—(]|\bbut\b|\bbecause\b|\bso\b", before,
                                            re.IGNORECASE)), default=0)
    start = s0 + cut
    after = re.search(r"[,;:–—)]|\bbut\b|\band (i|i'm|i've|we)\b", text[hit.end : s1], re.I)
    end = hit.end + after.start() if after else s1
    return text[start:end]


def _try_context(
    spoken: Sequence[Turn], rules: CallRules, context: Mapping[str, Any]
) -> dict[str, Any]:
    ctx = {k: v for k, v in context.items() if k in _TRY_DEFAULTS or k == "known"}
    known = set(context.get("known") or ())
    for key in ("name", "manager", "company", "role"):
        if "known" in context and key not in known:
            ctx[key] = ""  # stand-ins are for the manager's lines, not your script
    for t in spoken:
        h = t.first("reason")
        if h and not ctx.get("reason"):
            words = rules.reword(_clause(t.text, h))
            if len(words.split()) >= 2:
                ctx["reason"] = words
        f = t.first("figures")
        if f and not ctx.get("figure") and not rules.figure_context.search(
            sentence_of(t.text, f, limit=10_000)
        ):
            ctx["figure"] = f.text.strip()
        d = t.first("date")
        if d and not ctx.get("date"):
            ctx["date"] = d.text.strip()
        n = t.first("negotiation")
        if n and not ctx.get("ask"):
            ctx["ask"] = rules.reword(_clause(t.text, n))
    return ctx


def _line_for(
    rules: CallRules, check: str, ok: bool, key: str, plan: str, ctx: Mapping[str, Any],
    quote: str = "",
) -> ScoreLine:
    note = rules.note(check, key, quote=quote, plan=plan)
    better = "" if ok else rules.better(check, plan, **{**ctx, "quote": quote, "key": key})
    return ScoreLine(check=check, ok=ok, note=note, quote=quote, better=better)


def _first(
    spoken: Sequence[Turn], kinds: Iterable[str], *, clear: bool | None = None
) -> tuple[int, Turn, Hit] | None:
    kinds = tuple(kinds)
    for pos, t in enumerate(spoken):
        for h in t.hits:
            if h.kind in kinds and (clear is None or h.hedged != clear):
                return pos, t, h
    return None


def _gratitude(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    passing = None
    for t in spoken:
        for h in t.all("thanks"):
            sentence = sentence_of(t.text, h, limit=10_000)
            if rules.thanks_in_passing.search(sentence):
                passing = passing or sentence_of(t.text, h)
                continue
            return _line_for(rules, "gratitude", True, "ok", plan, ctx, sentence_of(t.text, h))
    if passing:
        return _line_for(rules, "gratitude", False, "in-passing", plan, ctx, passing)
    return _line_for(rules, "gratitude", False, "missing", plan, ctx)


def _decision(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    kinds = ["decision", "firm"] if plan == "decline" else ["decision", "waver", "negotiation"]
    ok_key = "ok" if plan == "decline" else "ok-negotiate"
    clear = _first(spoken, kinds, clear=True)
    if clear:
        pos, t, h = clear
        # Greeting and thanking first is how a call should open: a decision straight after
        # them is early however many lines they took (``courtesies``).
        opening = [
            u for u in spoken[:pos]
            if not (u.kinds and u.kinds <= rules.courtesies) or u.text.rstrip().endswith("?")
        ]
        opening = [u for u in opening if u.kinds or not rules.preamble.search(u.text)]
        if pos < rules.early_turns or not opening:
            return _line_for(
                rules, "decision-stated", True, ok_key, plan, ctx, sentence_of(t.text, h)
            )
        hedged_early = _first(spoken[: rules.early_turns], ["decision"], clear=False)
        if hedged_early:
            _, ht, hh = hedged_early
            return _line_for(
                rules, "decision-stated", False, "hedged", plan, ctx, sentence_of(ht.text, hh)
            )
        return _line_for(
            rules, "decision-stated", False, "late", plan, ctx, sentence_of(t.text, h)
        )
    hedged = _first(spoken, ["decision"], clear=False)
    if hedged:
        _, t, h = hedged
        return _line_for(
            rules, "decision-stated", False, "hedged", plan, ctx, sentence_of(t.text, h)
        )
    return _line_for(rules, "decision-stated", False, "missing", plan, ctx)


def _reason(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    reasons = [(t, h) for t in spoken for h in t.hits if h.kind == "reason"]
    if not reasons:
        return _line_for(rules, "reason-given", False, "missing", plan, ctx)
    for t in spoken:
        if not t.first("reason"):
            continue
        if len(t.topics) > rules.reason_topics:
            return _line_for(
                rules, "reason-given", False, "many", plan, ctx,
                _span_quote(t, t.topics.values()),
            )
        sentences = {sentence_of(t.text, h, limit=10_000) for h in t.all("reason")}
        if sum(_words(s) for s in sentences) > rules.brief_words:
            return _line_for(
                rules, "reason-given", False, "long", plan, ctx, _trim(max(sentences, key=_words))
            )
    t, h = reasons[0]
    return _line_for(rules, "reason-given", True, "ok", plan, ctx, sentence_of(t.text, h))


def _span_quote(t: Turn, hits: Iterable[Hit]) -> str:
    hs = sorted(hits, key=lambda h: h.start)
    return _trim(t.text[hs[0].start : hs[-1].end])


def _trim(text: str, limit: int = 200) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _held_firm(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    pressed = any(t.pressed for t in spoken)
    if plan != "decline":
        cave = _first(spoken, ["cave"])
        asked = _first(spoken, ["waver", "decision", "negotiation", "date"])
        if cave and (asked is None or asked[0] > cave[0]):
            _, t, h = cave
            return _line_for(
                rules, "held-firm", False, "dropped", plan, ctx, sentence_of(t.text, h)
            )
        if asked is None:
            return _line_for(rules, "held-firm", False, "unstated", plan, ctx)
        return _line_for(rules, "held-firm", True, "ok-negotiate", plan, ctx)
    cave = _first(spoken, ["cave"])
    if cave:
        _, t, h = cave
        return _line_for(rules, "held-firm", False, "caved", plan, ctx, sentence_of(t.text, h))
    waver = _first(spoken, ["waver", "negotiation"])
    if waver:
        _, t, h = waver
        return _line_for(rules, "held-firm", False, "wavered", plan, ctx, sentence_of(t.text, h))
    stated = _first(spoken, ["decision", "firm", "refusal"], clear=True)
    if stated is None:
        # Silence, or only a hedged "probably": there was no position to hold.
        hedged = _first(spoken, ["decision"], clear=False)
        quote = sentence_of(hedged[1].text, hedged[2]) if hedged else ""
        return _line_for(rules, "held-firm", False, "unstated", plan, ctx, quote)
    firm = _first(spoken, ["firm"])
    quote = sentence_of(firm[1].text, firm[2]) if firm else ""
    return _line_for(
        rules, "held-firm", True, "ok" if pressed or firm else "unpressed", plan, ctx, quote
    )


def _oversharing(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
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
        return _line_for(rules, "no-oversharing", True, "ok", plan, ctx)
    note = " ".join(rules.note("no-oversharing", key, plan=plan, quote=q) for key, q in problems)
    quote = " … ".join(dict.fromkeys(q for _, q in problems))
    better = rules.better(
        "no-oversharing", plan, **{**ctx, "quote": quote, "key": problems[0][0]}
    )
    return ScoreLine("no-oversharing", False, note, quote=quote, better=better)


def _goodwill(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    if spoken and spoken[-1].first("criticism") and not spoken[-1].first("goodwill"):
        t = spoken[-1]
        h = t.first("criticism")
        assert h is not None
        return _line_for(rules, "goodwill-close", False, "sour", plan, ctx, sentence_of(t.text, h))
    if spoken and spoken[-1].first("rudeness"):
        t = spoken[-1]
        h = t.first("rudeness")
        assert h is not None
        return _line_for(rules, "goodwill-close", False, "sour", plan, ctx, sentence_of(t.text, h))
    # Only the close counts: warm words in the last lines, after the news (or the ask).
    anchor = _first(spoken, ["decision", "firm", "negotiation", "waver", "date", "reason"])
    at = (anchor[0], anchor[2].start) if anchor else (0, -1)
    tail = max(len(spoken) - rules.close_lines, 0)
    for pos in range(len(spoken) - 1, tail - 1, -1):
        t = spoken[pos]
        for h in t.all("goodwill"):
            if (pos, h.start) > at and (pos > 0 or len(spoken) == 1 or anchor):
                return _line_for(
                    rules, "goodwill-close", True, "ok", plan, ctx, sentence_of(t.text, h)
                )
    early = _first(spoken, ["goodwill"])
    if early:
        return _line_for(
            rules, "goodwill-close", False, "early", plan, ctx, sentence_of(early[1].text, early[2])
        )
    return _line_for(rules, "goodwill-close", False, "missing", plan, ctx)


def _courtesy(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    rude = _first(spoken, ["rudeness"])
    if rude:
        _, t, h = rude
        return _line_for(rules, "courtesy", False, "rude", plan, ctx, sentence_of(t.text, h))
    return _line_for(rules, "courtesy", True, "ok", plan, ctx)


def _figure_named(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    for t in spoken:
        for h in t.all("figures"):
            sentence = sentence_of(t.text, h, limit=10_000)
            if not rules.figure_context.search(sentence):
                return _line_for(rules, "figure-named", True, "ok", plan, ctx, sentence_of(t.text, h))
    asked = _first(spoken, ["negotiation"])
    if asked:
        return _line_for(
            rules, "figure-named", False, "vague", plan, ctx, sentence_of(asked[1].text, asked[2])
        )
    return _line_for(rules, "figure-named", False, "missing", plan, ctx)


def _date_named(spoken: Sequence[Turn], plan: str, rules: CallRules, ctx: Any) -> ScoreLine:
    found = _first(spoken, ["date"])
    if found:
        _, t, h = found
        return _line_for(rules, "date-named", True, "ok", plan, ctx, sentence_of(t.text, h))
    asked = _first(spoken, ["waver"])
    if asked:
        return _line_for(
            rules, "date-named", False, "vague", plan, ctx, sentence_of(asked[1].text, asked[2])
        )
    return _line_for(rules, "date-named", False, "missing", plan, ctx)


# -- loading --------------------------------------------------------------------------------------


def load_rules(dialogues: Path | None = None, normaliser: Normaliser | None = None) -> CallRules:
    from bot.paths import dialogues_dir

    folder = Path(dialogues) if dialogues else dialogues_dir()
    path = folder / "rehearsal.yaml"
    raw = load_yaml(path, "Rehearsal")
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
