"""Recognising a tricky situation from a free-text description, and advising on it.

The scenario cards (``dialogues/scenarios.yaml``) and the FAQ (``dialogues/faq.yaml``) are
content; this module is the mechanism. Recognition reuses :class:`bot.nlu.PhraseMatcher`
on each card's example phrases and combines its fuzzy score with other signals that,
per DESIGN.md, separate real descriptions from everyday requests far better than fuzzy
scores alone:

- the card's keywords (``"went silent"``, ``"counteroffer"``): each one found in the text
  adds ``keyword_bonus`` points to that card, up to ``keyword_cap``;
- the job-offer vocabulary (``content.domain_terms``, and scenarios.yaml's ``domain_words``
  such as "told them no"): a text with neither a domain word nor any keyword has its score
  multiplied by ``domain_penalty``;
- the requests we do not handle: job-adjacent ones (``not_scenarios`` in scenarios.yaml: a
  raise at one's own job, resigning, interview outfits) and everyday ones (offtopic.yaml).
  Each line is matched on its own; when the closest one scores within
  ``not_scenario_margin`` of the best card (or above it), no situation is named.

A description is named only when the best card scores at least ``threshold``; when the
runner-up is within ``margin`` the detection is marked ambiguous so the chat can ask which
one the person means. Every detection explains itself (example, keywords, margin, reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content import string_list
from bot.events import Advice
from bot.nlu import MatcherConfig, PhraseMatcher, Scored
from bot.text import Normaliser, sanitise
from bot.yamlfile import ContentError, LineDict, LineList, load_yaml

if TYPE_CHECKING:
    from bot.content import Content, string_list
    from bot.render import Renderer

ID_RE = re.compile(r"^[a-z][a-z0-9-]*$")
# Where a sentence ends, and where a clause starts a new fact ("..., but now ...").
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\s*[:;]\s+|,\s+(?=(?:but|and then|then|now|so|however)\b)", re.IGNORECASE)
# The keys of scenarios.yaml, a scenario and an FAQ entry are declared in bot/schema.py.
# The labels of the requests that are no situation (scenarios.yaml's ``not_scenarios`` and
# offtopic.yaml's everyday requests) in their own matcher, one per line: this prefix and a
# number. Never a card's id: ids have no "_".
NOT_A_SCENARIO = "_not_a_scenario"


@dataclass(frozen=True)
class AdvicePoint:
    text: str
    cond: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Cue:
    """Facts that, told together, point at a card: groups of alternative phrases, all of which
    must occur somewhere in the text ("declined|turned down + regret*|mistake"), or in order
    ("declined > came back"). Written in scenarios.yaml as ``a|b + c|d`` or ``a|b > c|d``;
    ``*`` ends a word stem."""

    text: str
    groups: tuple[re.Pattern[str], ...]
    ordered: bool = False  # ``a > b``: b is told after a ("declined > came back")
    # ``a + !b``: b is never told ("they went quiet + !offered me"); only in ``+`` cues.
    absent: tuple[re.Pattern[str], ...] = ()

    @property
    def short(self) -> str:
        """The cue by the first alternative of each group, for explanations."""
        sep = " > " if self.ordered else " + "
        return sep.join(g.split("|")[0].strip() + ("|..." if "|" in g else "") for g in re.split(r"[>+]", self.text))

    def fires(self, norm: str) -> bool:
        if not self.ordered:
            return all(g.search(norm) for g in self.groups) and not any(g.search(norm) for g in self.absent)
        at = 0
        for g in self.groups:
            m = g.search(norm, at)
            if m is None:
                return False
            at = m.end()
        return True


def _cue(
    text: str, norm: Normaliser, path: Path, line: int, what: str, facts: Mapping[str, str] | None = None
) -> Cue:
    """A cue from scenarios.yaml's notation; ``@name`` stands for the alternatives of the fact
    ``name`` (scenarios.yaml ``facts``), so that cards share one wording of each event."""
    ordered = ">" in text
    if ordered and "+" in text:
        raise ContentError(path, line, f"{what}: cue {text!r} mixes '+' and '>'; use one")
    groups: list[re.Pattern[str]] = []
    absent: list[re.Pattern[str]] = []
    for group in text.split(">" if ordered else "+"):
        group = group.strip()
        negated = group.startswith("!")
        if negated:
            if ordered:
                raise ContentError(path, line, f"{what}: cue {text!r}: '!' (never told) only goes with '+'")
            group = group[1:]
        alts = []
        for alt in group.split("|"):
            alt = alt.strip()
            if alt.startswith("@"):
                if facts is None or alt[1:] not in facts:
                    raise ContentError(path, line, f"{what}: cue {text!r} names an unknown fact {alt!r}")
                alts.extend(_fact_patterns(facts[alt[1:]], norm, path, line, what, text))
                continue
            alts.extend(_fact_patterns(alt, norm, path, line, what, text))
        pattern = re.compile(r"\b(?:" + "|".join(alts) + ")")
        (absent if negated else groups).append(pattern)
    if not groups:
        raise ContentError(path, line, f"{what}: cue {text!r} tells nothing that happened, only what did not")
    return Cue(text, tuple(groups), ordered, tuple(absent))


def _fact_patterns(alternatives: str, norm: Normaliser, path: Path, line: int, what: str, text: str) -> list[str]:
    out = []
    for alt in alternatives.split("|"):
        alt = alt.strip()
        stem = alt.endswith("*")
        words = norm.normalise(alt.rstrip("*"), synonyms=not stem).strip()
        if not words:
            raise ContentError(path, line, f"{what}: cue {text!r} has an empty alternative")
        out.append(re.escape(words).replace(r"\ ", r"\s+") + (r"\w*" if stem else r"\b"))
    return out


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]  # normalised
    intro: str
    questions: tuple[str, ...]
    advice: tuple[AdvicePoint, ...]
    draft: str | None
    draft_if_accepting: str | None
    next_steps: tuple[str, ...]
    rehearse: bool
    file: str
    line: int
    example_lines: tuple[int, ...] = ()  # where each example is written
    cues: tuple[Cue, ...] = ()
    # A condition on the case ("gap_kind in ['pay']"): when it holds, the conversation's own
    # flow handles this situation better than the card, so the chat does not interrupt for it.
    defer_if: str | None = None

    def example_line(self, index: int) -> int:
        return self.example_lines[index] if index < len(self.example_lines) else self.line


@dataclass(frozen=True)
class FaqEntry:
    id: str
    question: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str
    file: str
    line: int


@dataclass(frozen=True)
class DetectionConfig:
    threshold: float = 62.0
    margin: float = 5.0
    keyword_bonus: float = 9.0
    keyword_cap: float = 18.0
    domain_penalty: float = 0.7
    vocab_floor: float = 0.4  # score multiplier when none of the words are known ones...
    vocab_full: float = 0.8  # ...rising to 1 when this share of the words is known
    chat_min_words: int = 4
    chat_threshold: float = 54.0  # stricter: interrupting a conversation uninvited costs more
    faq_threshold: float = 70.0
    # A card is named only when it scores more than this above the closest request we do not
    # handle (``not_scenarios``, offtopic.yaml), keywords included.
    not_scenario_margin: float = 3.0
    # The matcher's word vote (naive Bayes over the cards' words) names a situation the
    # phrase scores missed, when its card explains this share of the words and leads by this
    # much (log-probability), in a text with a job-offer word.
    words_min_share: float = 0.5
    words_min_lead: float = 3.0
    # A card's cues (facts told together, scenarios.yaml ``cues``): each one that fires adds
    # ``cue_bonus`` points to the card, up to ``cue_cap``, and places the text in the job-offer
    # world. They carry long stories, whose whole-text similarity to a short example is low.
    cue_bonus: float = 10.0  # in a story (``story_words``); shorter texts get ``cue_bonus_short``
    cue_bonus_short: float = 10.0
    cue_cap: float = 20.0
    # Long texts are also matched sentence by sentence (sentences of at least this many words);
    # a card's phrase score is the better of the whole text's and its best sentence's, less
    # ``sentence_discount`` for the sentence.
    sentence_min_words: int = 5
    sentence_discount: float = 0.0
    # A text of at least ``story_words`` words is a story: a card none of whose cues fired has
    # its score multiplied by ``story_uncued``.
    story_words: int = 40
    story_uncued: float = 1.0
    # In a story, the runner-up is offered beside the best card (the coach asks which) when
    # both have cues that fired and it is within this many points.
    story_margin: float = 5.0
    # A story whose phrase score is below ``threshold`` is still named by its cues when the best
    # cued card scores at least ``cue_floor`` (the facts it tells say more than its wording).
    cue_floor: float = 101.0


@dataclass(frozen=True)
class Detection:
    text: str
    scenario: str | None
    score: float
    alternatives: tuple[Scored, ...] = ()
    ambiguous: bool = False
    explain: Mapping[str, Any] = field(default_factory=dict)

    @property
    def candidates(self) -> tuple[str, ...]:
        """The scenarios to offer when ambiguous: the best one and those within the margin."""
        if self.scenario is None:
            return ()
        close = [a.label for a in self.alternatives if a.label and self.explain.get("close", {}).get(a.label)]
        return (self.scenario, *close)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "scenario": self.scenario,
            "score": round(self.score, 1),
            "ambiguous": self.ambiguous,
            "alternatives": [{"scenario": a.label, "score": round(a.score, 1)} for a in self.alternatives],
            "explain": dict(self.explain),
        }


# -- loading --------------------------------------------------------------------------------------


def _strings(value: Any, path: Path, line: int, what: str) -> tuple[str, ...]:
    return tuple(string_list(value, path, line, what))


def _block(value: Any, path: Path, line: int, what: str) -> LineDict:
    if not isinstance(value, LineDict):
        raise ContentError(path, line, f"{what} should be a block of 'key: value' lines")
    return value


def _items(d: LineDict, key: str, path: Path) -> list[tuple[int, LineDict]]:
    raw = d.get(key)
    if not isinstance(raw, LineList):
        raise ContentError(path, d.line_of(key) if key in d else d.line, f"'{key}' should be a list of entries")
    out = []
    for i, item in enumerate(raw):
        out.append((raw.line_of(i), _block(item, path, raw.line_of(i), f"{key} entry")))
    return out


def _unknown(d: LineDict, allowed: set[str], path: Path, what: str) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise ContentError(path, d.line_of(extra[0]), f"{what}: unknown key '{extra[0]}'")


def _req(d: LineDict, key: str, path: Path, what: str) -> Any:
    if d.get(key) in (None, "", []):
        raise ContentError(path, d.line, f"{what} needs '{key}'")
    return d[key]


def _entry_id(
    entry: LineDict, path: Path, line: int, a_what: str, kind: str, seen: Mapping[str, Any]
) -> tuple[str, str]:
    """A card's id, checked: present, well formed, not used twice. Returns (id, how to name it)."""
    eid = str(_req(entry, "id", path, a_what))
    what = f"{kind} '{eid}'"
    if not ID_RE.match(eid):
        raise ContentError(path, entry.line_of("id"), f"{what}: use lower-case letters, digits and hyphens")
    if eid in seen:
        raise ContentError(path, line, f"{what} is defined twice")
    return eid, what


def _load_scenarios(path: Path, norm: Normaliser) -> tuple[dict[str, Scenario], LineDict]:
    d = _block(load_yaml(path, "Scenarios"), path, 1, "scenarios.yaml")
    facts = _load_facts(d, path)
    out: dict[str, Scenario] = {}
    for line, s in _items(d, "scenarios", path):
        sid, what = _entry_id(s, path, line, "a scenario", "scenario", out)
        examples = _strings(_req(s, "examples", path, what), path, s.line_of("examples"), f"{what} examples")
        points = []
        raw_advice = _req(s, "advice", path, what)
        if not isinstance(raw_advice, list):
            raise ContentError(path, s.line_of("advice"), f"{what}: advice should be a list")
        for i, p in enumerate(raw_advice):
            pline = raw_advice.line_of(i) if isinstance(raw_advice, LineList) else s.line
            if isinstance(p, str):
                points.append(AdvicePoint(p, None, pline))
            elif isinstance(p, dict) and "say" in p and set(p) <= {"if", "say"}:
                points.append(AdvicePoint(str(p["say"]), str(p["if"]) if p.get("if") else None, pline))
            else:
                raise ContentError(path, pline, f"{what}: an advice point is a sentence, or 'if:' and 'say:'")
        out[sid] = Scenario(
            id=sid,
            title=str(_req(s, "title", path, what)),
            examples=examples,
            keywords=tuple(
                norm.normalise(k) for k in _strings(s.get("keywords"), path, s.line_of("keywords"), f"{what} keywords")
            ),
            intro=str(s.get("intro") or ""),
            questions=_strings(s.get("questions"), path, s.line_of("questions"), f"{what} questions"),
            advice=tuple(points),
            draft=str(s["draft"]) if s.get("draft") else None,
            draft_if_accepting=str(s["draft_if_accepting"]) if s.get("draft_if_accepting") else None,
            next_steps=_strings(s.get("next_steps"), path, s.line_of("next_steps"), f"{what} next_steps"),
            rehearse=bool(s.get("rehearse", False)),
            defer_if=str(s["defer_if"]) if s.get("defer_if") else None,
            file=str(path),
            line=line,
            example_lines=tuple(s["examples"].item_lines) if isinstance(s["examples"], LineList) else (),
            cues=tuple(
                _cue(c, norm, path, s.line_of("cues"), what, facts)
                for c in _strings(s.get("cues"), path, s.line_of("cues"), f"{what} cues")
            ),
        )
    if not out:
        raise ContentError(path, d.line, "no scenarios defined")
    return out, d


def _load_facts(d: LineDict, path: Path) -> dict[str, str]:
    """``facts``: named events ("accepted", "the offer was taken back") as ``a|b|c*``
    alternatives, which cues name as ``@name``."""
    raw = d.get("facts") or {}
    block = _block(raw, path, d.line_of("facts"), "facts") if raw else LineDict()
    out = {}
    for key, value in block.items():
        if not ID_RE.match(str(key).replace("_", "-")):
            raise ContentError(path, block.line_of(key), f"facts: {key!r} is not a name (lower case, '_' or '-')")
        if not isinstance(value, str) or not value.strip():
            raise ContentError(path, block.line_of(key), f"facts: {key!r} should be 'a|b|c' alternatives")
        out[str(key)] = value
    return out


def _load_not_cues(d: LineDict, path: Path, norm: Normaliser) -> tuple[tuple[Cue, int], ...]:
    """``not_cues``: facts that, told together, make a story one of the things the coach does
    not handle (the employer took the offer back; the employer went quiet before any offer)."""
    if "not_cues" not in d:
        return ()
    raw = d["not_cues"]
    line = d.line_of("not_cues")
    if not isinstance(raw, LineList):
        raise ContentError(path, line, "'not_cues' should be a list of cues, one per line")
    facts = _load_facts(d, path)
    return tuple(
        (_cue(str(c), norm, path, raw.line_of(i), "not_cues", facts), raw.line_of(i)) for i, c in enumerate(raw)
    )


def _load_not_scenarios(d: LineDict, path: Path) -> tuple[tuple[str, int], ...]:
    """``not_scenarios``: job-adjacent requests that are none of the situations, with lines."""
    if "not_scenarios" not in d:
        return ()
    raw = d["not_scenarios"]
    line = d.line_of("not_scenarios")
    if not isinstance(raw, LineList):
        raise ContentError(path, line, "'not_scenarios' should be a list of phrases, one per line")
    phrases = string_list(raw, path, line, "not_scenarios")
    out = []
    for i, phrase in enumerate(phrases):
        if not phrase.strip():
            raise ContentError(path, raw.line_of(i), "not_scenarios: an empty phrase")
        out.append((phrase, raw.line_of(i)))
    return tuple(out)


def _load_faq(path: Path, norm: Normaliser) -> dict[str, FaqEntry]:
    if not path.exists():
        return {}
    d = _block(load_yaml(path, "Faq"), path, 1, "faq.yaml")
    out: dict[str, FaqEntry] = {}
    for line, f in _items(d, "faq", path):
        fid, what = _entry_id(f, path, line, "an FAQ entry", "FAQ", out)
        out[fid] = FaqEntry(
            id=fid,
            question=str(_req(f, "question", path, what)),
            examples=_strings(_req(f, "examples", path, what), path, f.line_of("examples"), f"{what} examples"),
            keywords=tuple(
                norm.normalise(k) for k in _strings(f.get("keywords"), path, f.line_of("keywords"), f"{what} keywords")
            ),
            answer=str(_req(f, "answer", path, what)),
            file=str(path),
            line=line,
        )
    return out


_INT_SETTINGS = ("chat_min_words", "sentence_min_words", "story_words")


def _config(d: LineDict, path: Path) -> DetectionConfig:
    raw = d.get("detection") or {}
    block = _block(raw, path, d.line_of("detection"), "detection") if raw else LineDict()
    values: dict[str, Any] = {}
    for key in DetectionConfig.__dataclass_fields__:
        if key in block:
            try:
                values[key] = int(block[key]) if key in _INT_SETTINGS else float(block[key])
            except (TypeError, ValueError):
                raise ContentError(path, block.line_of(key), f"detection: '{key}' should be a number") from None
    _unknown(block, set(DetectionConfig.__dataclass_fields__), path, "detection")
    return DetectionConfig(**values)


# -- the library ----------------------------------------------------------------------------------


class ScenarioLibrary:
    """The scenario cards and the FAQ, with their matchers."""

    def __init__(
        self,
        scenarios: Mapping[str, Scenario],
        faq: Mapping[str, FaqEntry],
        normaliser: Normaliser,
        domain_terms: Iterable[str],
        *,
        config: DetectionConfig | None = None,
        messages: Mapping[str, str] | None = None,
        path: str = "",
        rehearsal_flow: str | None = None,
        not_scenarios: Iterable[tuple[str, int]] = (),
        everyday: Iterable[tuple[str, str]] = (),
        domain_phrases: Iterable[str] = (),
        not_cues: Iterable[tuple[Cue, int]] = (),
    ) -> None:
        self.scenarios = dict(scenarios)
        # Stories about something the coach does not handle, told by their facts (with lines).
        self.not_cues = tuple(not_cues)
        # Words and phrases (normalised) that, beside the lexicon's domain terms, place a
        # description in the job-offer world ("told them no", "shortlisted").
        self.domain_phrases = tuple(p for p in domain_phrases if p)
        # Job-adjacent requests that are none of the situations (with their lines), and
        # everyday ones (offtopic.yaml, with where they are written): a card is named only when
        # it is closer to the text than these.
        self.not_scenarios = tuple(not_scenarios)
        self.everyday = tuple(everyday)
        self.faq = dict(faq)
        self.norm = normaliser
        self.domain_terms = frozenset(domain_terms)
        self.config = config or DetectionConfig()
        self.messages = dict(messages or {})
        self.path = path
        self.rehearsal_flow = rehearsal_flow
        # No threshold inside the matcher: it ranks, and detect() decides. Negation does not
        # flip a situation ("I haven't replied" is still "ghosted"), so each label flips to itself.
        self.matcher = PhraseMatcher(
            {s.id: s.examples for s in self.scenarios.values()},
            normaliser,
            config=_ranking_config(self.scenarios, shortlist=40),
        )
        # The requests we do not handle get a matcher of their own, one label per line, rather
        # than one rejected label in the cards' matcher (MatcherConfig.reject_labels). There
        # they would take places in the cards' shortlist, and they would be scored against the
        # words of all of them at once: with a thousand everyday topics, some line uses almost
        # any word, so "what time is it" outscored "how do I buy some time on the offer". A
        # line is judged on its own words, a card on its examples', and detect() compares the
        # two; the cards' own ranking is unchanged.
        lines = [(p, f"{Path(path).name}:{line}") for p, line in self.not_scenarios] + list(self.everyday)
        self._not_origin = {f"{NOT_A_SCENARIO}{i}": origin for i, (_p, origin) in enumerate(lines)}
        groups = {f"{NOT_A_SCENARIO}{i}": [p] for i, (p, _origin) in enumerate(lines)}
        self.not_matcher = (
            PhraseMatcher(groups, normaliser, config=_ranking_config(groups, shortlist=40)) if groups else None
        )
        self.faq_matcher = (
            PhraseMatcher(
                {f.id: f.examples for f in self.faq.values()},
                normaliser,
                config=_ranking_config(self.faq, shortlist=20),
            )
            if self.faq
            else None
        )
        # A stopword ("they", "it") is never evidence of the job-offer world.
        self.domain_terms = frozenset(t for t in self.domain_terms if t not in normaliser.stopwords)
        # The words the cards are written in. A description of one of these situations uses
        # mostly such words; an everyday request ("do I need a visa for Korea") mostly not.
        vocab: set[str] = set(self.domain_terms)
        for sc in self.scenarios.values():
            for text in sc.examples:
                vocab.update(normaliser.content(normaliser.normalise(text)).split())
            for k in sc.keywords:
                vocab.update(k.split())
        self.vocabulary = frozenset(vocab)
        self._cache: dict[str, Detection] = {}

    @classmethod
    def load(cls, source: Content | str | Path | None = None) -> ScenarioLibrary:
        """From a loaded ``Content`` (sharing its normaliser), or from a dialogues folder."""
        from bot.content import Content, load_content

        content = source if isinstance(source, Content) else load_content(Path(source) if source else None)
        path = content.dialogues / "scenarios.yaml"
        scenarios, raw = _load_scenarios(path, content.normaliser)
        faq = _load_faq(content.dialogues / "faq.yaml", content.normaliser)
        messages = raw.get("messages") or {}
        if not isinstance(messages, dict):
            raise ContentError(path, raw.line_of("messages"), "messages should be 'key: text' lines")
        return cls(
            scenarios,
            faq,
            content.normaliser,
            content.domain_terms,
            config=_config(raw, path),
            messages={str(k): str(v) for k, v in messages.items()},
            path=str(path),
            rehearsal_flow=str(raw["rehearsal_flow"]) if raw.get("rehearsal_flow") else None,
            not_scenarios=_load_not_scenarios(raw, path),
            not_cues=_load_not_cues(raw, path, content.normaliser),
            everyday=_everyday(content),
            domain_phrases=[
                content.normaliser.normalise(w)
                for w in _strings(raw.get("domain_words"), path, raw.line_of("domain_words"), "domain_words")
            ],
        )

    # -- recognition ------------------------------------------------------------------------------

    def _keyword_hits(self, padded: str, keywords: Iterable[str]) -> list[str]:
        return [k for k in keywords if k and f" {k} " in padded]

    def _sentences(self, text: str, norm: str) -> list[str]:
        """The sentences of a text long enough to have several (none for a one-liner)."""
        if len(norm.split()) < 2 * self.config.sentence_min_words:
            return []
        parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
        if len(parts) < 2:
            return []
        return [p for p in parts if len(p.split()) >= self.config.sentence_min_words]

    def detect(self, text: str) -> Detection:
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        det = self._detect(text)
        if len(self._cache) < 10_000:
            self._cache[text] = det
        return det

    def _detect(self, raw: str) -> Detection:
        cfg = self.config
        text = sanitise(raw).text
        norm = self.norm.normalise(text)
        if not norm.strip():
            return Detection(text, None, 0.0, explain={"reason": "empty"})
        padded = f" {norm} "
        hits = {sid: self._keyword_hits(padded, s.keywords) for sid, s in self.scenarios.items()}
        hits = {k: v for k, v in hits.items() if v}
        cues = {sid: [c.short for c in s.cues if c.fires(norm)] for sid, s in self.scenarios.items()}
        cues = {k: v for k, v in cues.items() if v}
        told = next(((c, line) for c, line in self.not_cues if c.fires(norm)), None)
        if told is not None:
            # A story about something else (the offer was taken back, the employer went quiet
            # before any offer): no card, however close its words.
            return Detection(
                text,
                None,
                0.0,
                explain={
                    "reason": "not-a-scenario",
                    "example": told[0].text,
                    "from": f"{Path(self.path).name}:{told[1]}",
                    "domain": True,
                },
            )
        if len(norm.split()) < cfg.chat_min_words and not hits:
            # "thanks for that" shares a word with a card; a few words name a situation only
            # when they include one of its keywords.
            return Detection(text, None, 0.0, explain={"reason": "too-short"})
        domain = (
            any(t in self.domain_terms for t in norm.split())
            or bool(hits)
            or bool(cues)
            or any(f" {w} " in padded for w in self.domain_phrases)
        )
        content = self.norm.content(norm).split()
        known = sum(t in self.vocabulary for t in content) / max(1, len(content))
        vocab_factor = min(1.0, cfg.vocab_floor + (1 - cfg.vocab_floor) * known / cfg.vocab_full)
        m = self.matcher.match(text)
        fuzzy: dict[str, float] = {}
        examples: dict[str, str | None] = {}
        top_label = m.label or m.matched_label
        if top_label:
            fuzzy[top_label] = m.score
            examples[top_label] = m.example
        for alt in m.alternatives:
            fuzzy.setdefault(alt.label, alt.score)
        for sid in {*hits, *cues}:
            if sid not in fuzzy:
                one = self.matcher.match(text, allowed=[sid])
                fuzzy[sid] = one.score
                examples[sid] = one.example
        # A long story is also read sentence by sentence: its one sentence that says the
        # situation ("now my boss has made a counteroffer") should not be drowned by the rest.
        segments: list[tuple[str, float]] = []
        for sentence in self._sentences(text, norm):
            s_norm = self.norm.content(self.norm.normalise(sentence)).split()
            s_known = sum(t in self.vocabulary for t in s_norm) / max(1, len(s_norm))
            # Scaled by its own share of known words, then put on the whole text's scale.
            s_factor = min(1.0, cfg.vocab_floor + (1 - cfg.vocab_floor) * s_known / cfg.vocab_full)
            segments.append((sentence, s_factor / vocab_factor if vocab_factor else 1.0))
        for sentence, rescale in segments:
            sm = self.matcher.match(sentence)
            pairs: list[tuple[str | None, float, str | None]] = [
                (sm.label or sm.matched_label, sm.score, sm.example)
            ]
            pairs += [(a.label, a.score, None) for a in sm.alternatives]
            for label, sc, ex in pairs:
                # Only a card the story already points at (one of its cues fired) may take
                # its best sentence's score: one sentence alone says too little.
                if not label or label not in cues:
                    continue
                value = (sc - cfg.sentence_discount) * rescale
                if value > fuzzy.get(label, 0.0):
                    fuzzy[label] = value
                    if ex:
                        examples[label] = ex
        scores: dict[str, float] = {}
        # A story (many words, several facts) shares some words with almost any card; only the
        # cards whose facts it tells (a cue fired) keep their full score.
        story = len(norm.split()) >= cfg.story_words

        def adjusted(base: float, bonus: float = 0.0) -> float:
            score = base + bonus
            if not domain:
                score *= cfg.domain_penalty
            return min(100.0, score * vocab_factor)

        for sid, base in fuzzy.items():
            bonus = min(cfg.keyword_cap, cfg.keyword_bonus * len(hits.get(sid, ())))
            per_cue = cfg.cue_bonus if story else cfg.cue_bonus_short
            bonus += min(cfg.cue_cap, per_cue * len(cues.get(sid, ())))
            scores[sid] = adjusted(base, bonus)
            if story and sid not in cues:
                scores[sid] *= cfg.story_uncued
        if not scores:
            return Detection(text, None, 0.0, explain={"reason": "low-score", "domain": domain})
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        best, best_score = ranked[0]

        def ruled_out() -> Detection | None:
            """No situation after all: a request we do not handle is clearly closer than the cards."""
            if self.not_matcher is None:
                return None
            nm = self.not_matcher.match(text)
            nm_score = nm.score
            # The requests we do not handle are read sentence by sentence too, like the cards;
            # but not against a card whose events the story tells: one short sentence that
            # sounds like an everyday request ("how do I go back on my yes?" ~ "call my mum
            # back") does not outweigh a story of an offer accepted, then another one.
            for sentence, rescale in segments if story and best not in cues else ():
                sn = self.not_matcher.match(sentence)
                if (sn.score - cfg.sentence_discount) * rescale > nm_score:
                    nm, nm_score = sn, (sn.score - cfg.sentence_discount) * rescale
            # A keyword the closest line also uses is no evidence for the card over that line
            # ("negotiate" in "can I negotiate my rent"): the line gets the same bonus.
            line = f" {self.norm.normalise(nm.example or '')} "
            shared = [k for k in hits.get(best, ()) if f" {k} " in line]
            score = adjusted(nm_score, min(cfg.keyword_cap, cfg.keyword_bonus * len(shared)))
            if best_score - score > cfg.not_scenario_margin:
                return None
            explain = {
                "reason": "not-a-scenario",
                "example": nm.example,
                "from": self._not_origin.get(nm.matched_label or ""),
                "fuzzy": round(nm.score, 1),
                "domain": domain,
                "known_words": round(known, 2),
                "margin": round(score - best_score, 1),
            }
            return Detection(text, None, score, tuple(Scored(s, round(v, 1)) for s, v in ranked[:3]), explain=explain)

        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        margin = best_score - runner
        alts = tuple(Scored(sid, round(sc, 1)) for sid, sc in ranked[1:4])
        # In a story, two cards whose facts it tells are a real either-or: ask which.
        def near(sid: str, sc: float) -> bool:
            if story and best in cues and sid in cues:
                return best_score - sc < cfg.story_margin
            return best_score - sc < cfg.margin

        close = {sid: True for sid, sc in ranked[1:3] if near(sid, sc) and sc >= cfg.threshold}
        explain: dict[str, Any] = {
            "example": examples.get(best),
            "fuzzy": round(fuzzy.get(best, 0.0), 1),
            "keywords": hits.get(best, []),
            "cues": cues.get(best, []),
            "domain": domain,
            "known_words": round(known, 2),
            "margin": round(margin, 1),
        }
        cued = [(sid, sc) for sid, sc in ranked if sid in cues]
        if best_score < cfg.threshold and story and cued and cued[0][1] >= cfg.cue_floor:
            # The story tells a card's facts though its words are far from the card's examples
            # (what it tells that no card handles is in ``not_cues``, read above).
            lead, lead_score = cued[0]
            both = len(cued) > 1 and lead_score - cued[1][1] < cfg.story_margin
            explain.update(reason="cues", cues=cues[lead], fuzzy=round(fuzzy.get(lead, 0.0), 1),
                           example=examples.get(lead))
            if both:
                explain["close"] = {cued[1][0]: True}
            others = tuple(Scored(sid, round(sc, 1)) for sid, sc in ranked if sid != lead)[:3]
            if both:
                others = (Scored(cued[1][0], round(cued[1][1], 1)), *(o for o in others if o.label != cued[1][0]))
            return Detection(text, lead, cfg.threshold, others[:3], ambiguous=both, explain=explain)
        if best_score < cfg.threshold:
            vote = self.matcher.word_vote(text) if domain else None
            if vote is not None and vote.share >= cfg.words_min_share and vote.lead >= cfg.words_min_lead:
                not_one = ruled_out()
                if not_one is not None:
                    return not_one
                explain.update(reason="words", words_share=round(vote.share, 2), words_lead=round(vote.lead, 1))
                score = cfg.threshold  # just confident enough to name it, never to interrupt
                others = tuple(a for a in (Scored(best, round(best_score, 1)), *alts) if a.label != vote.label)
                return Detection(text, vote.label, score, others[:3], explain=explain)
            explain["reason"] = "off-topic" if not domain else "low-score"
            return Detection(text, None, best_score, alts, explain=explain)
        not_one = ruled_out()
        if not_one is not None:
            return not_one
        explain["reason"] = "ambiguous" if close else "fuzzy"
        if close:
            explain["close"] = close
        return Detection(text, best, best_score, alts, ambiguous=bool(close), explain=explain)

    def options(self, det: Detection) -> tuple[str, ...]:
        """The two situations to ask about ("it could be A or B: which?") when the detection
        is a close call, else ``()``. The chat's ``which`` state offers the same ones."""
        return det.candidates[:2] if det.ambiguous and len(det.candidates) > 1 else ()

    def job_related(self, det: Detection) -> bool:
        """A text that names no situation but is about work (a job-offer word, or a request we
        do not handle from scenarios.yaml's ``not_scenarios`` was the closest): it gets a kind
        word on what the coach is for, rather than the list of situations."""
        if det.scenario is not None:
            return False
        origin = str(det.explain.get("from") or "")
        return bool(det.explain.get("domain")) or origin.startswith(Path(self.path).name + ":")

    def confident(self, det: Detection, text: str, *, invited: bool = False) -> bool:
        """Sure enough to interrupt a conversation (stricter on short texts); ``invited``: the
        question asked for the story, so the asked-for threshold applies."""
        if det.scenario is None:
            return False
        words = len(self.norm.normalise(text).split())
        bar = self.config.threshold if invited else self.config.chat_threshold
        return words >= self.config.chat_min_words and det.score >= bar

    # -- the FAQ ----------------------------------------------------------------------------------

    def faq_match(self, text: str) -> tuple[str | None, float]:
        if self.faq_matcher is None:
            return None, 0.0
        clean = sanitise(text).text
        norm = self.norm.normalise(clean)
        if len(norm.split()) < 3:
            return None, 0.0
        m = self.faq_matcher.match(clean)
        label = m.label or m.matched_label
        score = m.score
        if label:
            padded = f" {norm} "
            if self._keyword_hits(padded, self.faq[label].keywords):
                score = min(100.0, score + self.config.keyword_bonus)
            if m.margin < 2.0 and m.reason != "exact":
                score -= 5.0
        if label is None or score < self.config.faq_threshold:
            return None, score
        return label, score

    def answer(self, text: str) -> tuple[str, str] | None:
        """``(faq_id, answer)`` for a question the FAQ covers, else None."""
        fid, _score = self.faq_match(text)
        if fid is None:
            return None
        return fid, self.faq[fid].answer

    # -- advice -----------------------------------------------------------------------------------

    def advice(
        self,
        scenario_id: str,
        slots: Mapping[str, Any] | None = None,
        renderer: Renderer | None = None,
    ) -> Advice:
        """The scenario's advice, tailored to what is known (points whose condition holds)."""
        from bot.render import Renderer

        s = self.scenarios[scenario_id]
        renderer = renderer or Renderer(None)
        ctx = self._context(s, slots)
        points = []
        for p in s.advice:
            if p.cond and not _holds(renderer, p.cond, ctx):
                continue
            points.append(renderer.inline(p.text, ctx, origin=f"{s.file}:{p.line}"))
        title = renderer.inline(
            self.messages.get("advice_title", "{{ title }}"),
            ctx,
            origin=f"{self.path}:advice_title",
        )
        return Advice(title=title, points=tuple(points), scenario=s.id)

    def next_steps(self, scenario_id: str, renderer: Renderer | None = None) -> Advice:
        from bot.render import Renderer

        s = self.scenarios[scenario_id]
        renderer = renderer or Renderer(None)
        title = renderer.inline(
            self.messages.get("steps_title", "Next steps"),
            {"title": s.title},
            origin=f"{self.path}:steps_title",
        )
        return Advice(title=title, points=s.next_steps, scenario=s.id)

    def _context(self, s: Scenario, slots: Mapping[str, Any] | None) -> dict[str, Any]:
        ctx: dict[str, Any] = {q: None for q in s.questions}
        for p in s.advice:
            for name in re.findall(r"[a-z_][a-z0-9_]*", p.cond or ""):
                ctx.setdefault(name, None)
        ctx.update({k: v for k, v in (slots or {}).items()})
        ctx["title"] = s.title
        ctx["scenario"] = s.id
        return ctx

    def message(self, key: str, renderer: Renderer | None = None, **ctx: Any) -> str:
        from bot.render import Renderer

        renderer = renderer or Renderer(None)
        return renderer.inline(self.messages.get(key, ""), ctx, origin=f"{self.path}:{key}")


def _holds(renderer: Renderer, expr: str, ctx: Mapping[str, Any]) -> bool:
    try:
        fn = renderer.env.compile_expression(expr, undefined_to_none=False)
        return bool(fn(**ctx))
    except Exception:  # a broken condition hides the point; `check` reports it
        return False


def _everyday(content: Content) -> list[tuple[str, str]]:
    """offtopic.yaml's everyday requests, each with where it is written."""
    spec = content.offtopic
    if spec is None:
        return []
    lines = spec.example_lines or [spec.line] * len(spec.examples)
    name = Path(spec.file).name
    return [(text, f"{name}:{line}") for text, line in zip(spec.examples, lines, strict=False)]


def _ranking_config(labels: Iterable[str], shortlist: int) -> MatcherConfig:
    """Rank only: no threshold, no margin, negation never flips a situation into another."""
    # With no flips, a word met under the other negation is still first-hand evidence.
    cfg = MatcherConfig(
        threshold=0.0, margin=0.0, shortlist=shortlist, flips={i: i for i in labels}, flipped_weight=1.0
    )
    # Word-coverage scoring (when the matcher has it) suits short replies, not descriptions:
    # it would let "thanks for that" look like a scenario, so it is switched off here.
    if hasattr(cfg, "coverage_max_tokens"):
        cfg.coverage_max_tokens = 0
    return cfg


_LIBRARIES: dict[tuple[str, int], ScenarioLibrary] = {}


def library_for(content: Content) -> ScenarioLibrary:
    """One library per loaded content (the chat builds it once, on first use)."""
    key = (str(content.dialogues), id(content))
    lib = _LIBRARIES.get(key)
    if lib is None:
        lib = ScenarioLibrary.load(content)
        _LIBRARIES.clear()
        _LIBRARIES[key] = lib
    return lib


def advise(lib: ScenarioLibrary, text: str, renderer: Renderer | None = None) -> dict[str, Any]:
    """The ``decline-coach advise`` answer for one description, as plain data.

    ``{"text", "scenario", "score", "ambiguous", "alternatives", "advice", "explain"}``;
    ``advice`` has a title, points, the tailoring questions, the draft kind and next steps.
    When no scenario fits, ``scenario`` is null and the advice is the FAQ answer (when the
    text is a question the FAQ covers) or a pointer to what the coach can help with.
    """
    det = lib.detect(text)
    out = det.to_dict()
    options = lib.options(det)
    if options:
        # Two situations fit about as well: one question, not a guess.
        question = lib.message("which", renderer)
        titles = [lib.scenarios[sid].title for sid in options]
        out["ask"] = {
            "question": question,
            "options": [{"scenario": sid, "title": t} for sid, t in zip(options, titles, strict=True)],
        }
        out["advice"] = {"title": question, "points": titles}
        return out
    if det.scenario is not None:
        s = lib.scenarios[det.scenario]
        adv = lib.advice(s.id, None, renderer)
        out["advice"] = {
            "title": adv.title,
            "points": list(adv.points),
            "questions": list(s.questions),
            "draft": s.draft,
            "next_steps": list(s.next_steps),
        }
        return out
    answer = lib.answer(text)
    if answer is not None:
        fid, said = answer
        out["faq"] = fid
        out["advice"] = {"title": lib.faq[fid].question, "points": [said.strip()]}
    elif lib.job_related(det) and lib.messages.get("advise_other_job"):
        # About work, but none of the situations: say kindly what the coach is for, no card.
        out["faq"] = None
        out["advice"] = {
            "title": lib.message("other_job_title", renderer),
            "points": [lib.message("advise_other_job", renderer)],
        }
    else:
        out["faq"] = None
        out["advice"] = {
            "title": lib.message("unknown_title", renderer),
            "points": [lib.message("advise_nothing", renderer)] + [s.title for s in lib.scenarios.values()],
        }
    return out


def check_content(content: Content, renderer: Renderer) -> list[Any]:
    """Hook for ``decline-coach check``: problems in scenarios.yaml and faq.yaml, located."""
    from bot.check import Problem, sample_value

    try:
        lib = ScenarioLibrary.load(content)
    except ContentError as exc:
        return [Problem(exc.path, exc.line or 0, exc.message)]
    problems: list[Problem] = []
    kinds: set[str] | None = None
    try:
        from bot.drafts import load_kinds

        kinds = set(load_kinds(content.dialogues))
    except Exception:  # no drafts registry yet, or one with its own reported problems
        kinds = None
    flow = content.flows.get("scenario")
    samples = {name: sample_value(slot) for name, slot in content.slots.items()}
    seen: dict[str, str] = {}
    for s in lib.scenarios.values():
        for kind in (s.draft, s.draft_if_accepting):
            if kind and kinds is not None and kind not in kinds:
                problems.append(Problem(s.file, s.line, f"scenario '{s.id}': no draft kind '{kind}'"))
        for q in s.questions:
            if q not in content.slots:
                problems.append(Problem(s.file, s.line, f"scenario '{s.id}': unknown slot '{q}'"))
            elif flow is not None and f"ask-{q.replace('_', '-')}" not in flow.states:
                problems.append(
                    Problem(
                        s.file,
                        s.line,
                        f"scenario '{s.id}': flows/scenario.yaml has no state 'ask-{q.replace('_', '-')}' to ask '{q}'",
                    )
                )
        for p in s.advice:
            try:
                if p.cond:
                    renderer.env.compile_expression(p.cond)
                renderer.inline(p.text, {**samples, **lib._context(s, samples)})
            except Exception as exc:  # any template problem is reported, never raised
                problems.append(Problem(s.file, p.line, f"scenario '{s.id}': advice point: {exc}"))
        for ex in s.examples:
            norm = lib.norm.normalise(ex)
            if norm in seen and seen[norm] != s.id:
                problems.append(Problem(s.file, s.line, f"example {ex!r} is in both '{seen[norm]}' and '{s.id}'"))
            seen.setdefault(norm, s.id)
    problems.extend(_check_not_scenarios(lib, seen))
    return problems


def _check_not_scenarios(lib: ScenarioLibrary, owner: Mapping[str, str]) -> list[Any]:
    """``not_scenarios`` lines that say nothing (twice, a card's own example, or still read as a
    card), and card examples those lines would take if the example were not there."""
    from bot.check import Problem

    problems: list[Problem] = []
    first: dict[str, int] = {}
    for phrase, line in lib.not_scenarios:
        norm = lib.norm.normalise(phrase)
        if norm in first:
            problems.append(Problem(lib.path, line, f"not_scenarios: {phrase!r} is already on line {first[norm]}"))
            continue
        first[norm] = line
        if norm in owner:
            problems.append(
                Problem(lib.path, line, f"not_scenarios: {phrase!r} is an example of scenario '{owner[norm]}'")
            )
            continue
        det = lib._detect(phrase)
        if det.scenario is not None:
            problems.append(
                Problem(
                    lib.path,
                    line,
                    f"not_scenarios: {phrase!r} is still read as scenario '{det.scenario}' (its keywords "
                    f"{', '.join(det.explain.get('keywords') or []) or 'none'}); reword it or drop it",
                )
            )
    if lib.not_matcher is None:
        return problems
    # Leave one out: without the example itself, is a card example read as no situation?
    # Then a request we do not handle is closer to it than the card's other examples, and
    # its paraphrases will be missed.
    position: dict[str, int] = {}
    for i, ex in enumerate(lib.matcher.examples):
        sc = lib.scenarios[ex.label]
        nth = position[sc.id] = position.get(sc.id, -1) + 1
        with lib.matcher.leaving_out(i):
            det = lib._detect(ex.text)
        if det.explain.get("reason") == "not-a-scenario":
            problems.append(
                Problem(
                    sc.file,
                    sc.example_line(nth),
                    f"scenario '{sc.id}': example {ex.text!r} would be read as no situation: "
                    f"{det.explain.get('example')!r} ({det.explain.get('from')}) is closer",
                )
            )
    return problems
