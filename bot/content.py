"""Loading the authored conversation from ``dialogues/``: flows, slots, intents, lexicon.

Loading is strict about shape (a flow without states, a choice without a label) and raises
``ContentError`` with the file and line. Deeper checks that need the whole picture (unknown
targets, unreachable states, dead ends, templates that fail) live in ``bot.check``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from bot.nlu import MatcherConfig, PhraseMatcher
from bot.text import Normaliser
from bot.yamlfile import ContentError, LineDict, LineList, load_yaml

NAME_RE = re.compile(r"^[a-z][a-z0-9-]*$")
SLOT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
SPECIAL_TARGETS = ("@return", "@end", "@menu", "@stay")
# The matcher's label for offtopic.yaml's everyday requests; never an answer of its own.
OFF_TOPIC = "out_of_scope"
SLOT_TYPES = ("text", "person", "company", "role", "date", "money", "number", "yesno", "choice", "list")


@dataclass
class Edge:
    """A move to another state, taken when ``cond`` (a Jinja expression on slots) holds."""

    goto: str
    cond: str | None = None
    set: dict[str, Any] = field(default_factory=dict)
    say: str | None = None
    file: str = ""
    line: int = 0


@dataclass
class ChoiceSpec:
    label: str
    edge: Edge
    intent: str | None = None
    when: str | None = None  # shown only when this condition holds


@dataclass
class StateSpec:
    flow: str
    name: str
    file: str
    line: int
    say: str | None = None
    template: str | None = None
    do: list[str] = field(default_factory=list)
    ask: str | None = None
    choices: list[ChoiceSpec] = field(default_factory=list)
    on: dict[str, Edge] = field(default_factory=dict)
    next: list[Edge] = field(default_factory=list)
    help: str | None = None
    reprompt: str | None = None
    stage: str | None = None
    optional: bool = False
    final: bool = False
    multiline: bool = False  # the answer may be a pasted letter (keeps line breaks)
    # Where a line goes that named no choice or intent here but told the coach facts about
    # the offer ("I got an offer from Contoso, the pay is 12% short"): see bot/reading.py.
    on_facts: Edge | None = None
    # Ask even when the slot holds a value (each visit wants a new one: "describe what
    # happened", "paste your draft"). Other questions are never asked twice.
    always_ask: bool = False
    # The question invites the person to tell their story ("What brings you here today?"):
    # a situation is named at the asked-for threshold, not the stricter uninvited one.
    invites_story: bool = False

    @property
    def full(self) -> str:
        return f"{self.flow}.{self.name}"

    def edges(self) -> list[Edge]:
        extra = [self.on_facts] if self.on_facts else []
        return [c.edge for c in self.choices] + list(self.on.values()) + list(self.next) + extra


@dataclass
class FlowSpec:
    name: str
    title: str
    file: str
    line: int
    initial: str
    states: dict[str, StateSpec]
    stage: str | None = None
    menu: bool = False  # offered in the "where to go" menu
    description: str = ""
    entry: bool = False  # entered from anywhere by an interrupt (scenarios, FAQ side trips)


@dataclass
class SlotSpec:
    name: str
    type: str
    label: str
    file: str
    line: int
    panel: bool = False  # shown in the TUI's case panel
    options: dict[str, list[str]] = field(default_factory=dict)  # for type: choice
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    invalid: str | None = None  # what to say when a value fails validation
    max_length: int = 200


@dataclass
class IntentSpec:
    name: str
    examples: list[str]
    short: list[str]
    is_global: bool = False
    local: bool = False  # only heard where a state listens for it (never in open matching)
    domain: bool = False
    when_negated: str | None = None
    file: str = ""
    line: int = 0
    example_lines: list[int] = field(default_factory=list)


@dataclass
class Content:
    dialogues: Path
    templates: Path
    normaliser: Normaliser
    domain_terms: frozenset[str]
    common_terms: frozenset[str]
    intents: dict[str, IntentSpec]
    slots: dict[str, SlotSpec]
    flows: dict[str, FlowSpec]
    messages: dict[str, str]
    start: str
    stages: list[str]
    files: dict[str, Any] = field(default_factory=dict)  # raw YAML of each loaded file
    # Everyday requests that are not for the coach (offtopic.yaml): they compete with the
    # intents, and when one of them is the closest, the answer is "not something I handle".
    offtopic: IntentSpec | None = None

    @property
    def states(self) -> dict[str, StateSpec]:
        return {s.full: s for f in self.flows.values() for s in f.states.values()}

    def state(self, full: str) -> StateSpec:
        flow, _, name = full.partition(".")
        return self.flows[flow].states[name]

    def resolve(self, target: str, flow: str) -> str:
        """A goto as written (``ask-company``, ``decision``, ``decision.compare``) -> full name."""
        if target in SPECIAL_TARGETS:
            return target
        if "." in target:
            return target
        if target in self.flows:
            return f"{target}.{self.flows[target].initial}"
        return f"{flow}.{target}"

    @cached_property
    def intent_matcher(self) -> PhraseMatcher:
        cfg = MatcherConfig(
            domain_labels=frozenset(i.name for i in self.intents.values() if i.domain),
            domain_terms=self.domain_terms,
            common_terms=self.common_terms,
            open_labels=frozenset(i.name for i in self.intents.values() if not i.local),
            flips={i.name: i.when_negated for i in self.intents.values() if i.when_negated},
        )
        phrases = {i.name: i.examples for i in self.intents.values()}
        if self.offtopic is not None:
            phrases[OFF_TOPIC] = self.offtopic.examples
            cfg.reject_labels = frozenset({OFF_TOPIC})
        return PhraseMatcher(
            phrases,
            self.normaliser,
            short={i.name: i.short for i in self.intents.values()},
            config=cfg,
        )

    def match_intent(self, text: str, allowed: Any = None) -> Any:
        """The intent of a sentence, its mentioned names and amounts set aside first."""
        from bot.extract import strip_mentions

        stripped = strip_mentions(text)
        m = self.intent_matcher.match(stripped or text, allowed)
        if stripped != text:
            m = dataclasses.replace(m, text=text)
        return m

    @cached_property
    def global_intents(self) -> frozenset[str]:
        return frozenset(i.name for i in self.intents.values() if i.is_global)


# -- loading ----------------------------------------------------------------------------------


def _req(d: LineDict, key: str, path: Path, what: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise ContentError(path, d.line, f"{what} needs '{key}'")
    return d[key]


def _mapping(value: Any, path: Path, line: int, what: str) -> LineDict:
    if not isinstance(value, dict):
        raise ContentError(path, line, f"{what} should be a block of 'key: value' lines")
    if not isinstance(value, LineDict):
        ld = LineDict(value)
        ld.line = line
        ld.key_lines = {}
        return ld
    return value


def string_list(value: Any, path: Path, line: int, what: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise ContentError(path, line, f"{what} should be a list")
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict | list) or item is None:
            item_line = value.line_of(i) if isinstance(value, LineList) else line
            raise ContentError(path, item_line, f"{what}: each item should be a phrase")
        out.append(str(item))
    return out


def _edge(value: Any, path: Path, line: int, what: str) -> Edge:
    if isinstance(value, str):
        return Edge(goto=value, file=str(path), line=line)
    d = _mapping(value, path, line, what)  # its keys are checked by bot.schema.Edge
    goto = d.get("goto") or "@stay"
    sets = d.get("set") or {}
    if not isinstance(sets, dict):
        raise ContentError(path, d.line_of("set"), f"{what}: 'set' should be 'slot: value' lines")
    return Edge(goto=str(goto), cond=d.get("if"), set=dict(sets), say=d.get("say"), file=str(path), line=d.line)


# A state's keys, a flow's, a choice's and an edge's are declared in bot/schema.py (State, Flow,
# FlowChoice, Edge): load_yaml(path, "Flow") reports any other at its line.


def _state(flow: str, name: str, raw: Any, path: Path, line: int) -> StateSpec:
    if not NAME_RE.match(name):
        raise ContentError(path, line, f"state name '{name}': use lower-case letters, digits and hyphens")
    d = _mapping(raw if raw is not None else {}, path, line, f"state '{name}'")  # keys: bot.schema.State
    st = StateSpec(flow=flow, name=name, file=str(path), line=line)
    st.say = d.get("say")
    st.template = d.get("template")
    st.do = string_list(d.get("do"), path, d.line_of("do"), "do")
    st.ask = d.get("ask")
    st.help = d.get("help")
    st.reprompt = d.get("reprompt")
    st.stage = d.get("stage")
    st.optional = bool(d.get("optional", False))
    st.final = bool(d.get("end", False))
    st.multiline = bool(d.get("multiline", False))
    st.always_ask = bool(d.get("always_ask", False))
    st.invites_story = bool(d.get("invites_story", False))
    choices = d.get("choices") or []
    if not isinstance(choices, list):
        raise ContentError(path, d.line_of("choices"), "choices should be a list")
    for i, c in enumerate(choices):
        cline = choices.line_of(i) if isinstance(choices, LineList) else d.line
        cd = _mapping(c, path, cline, "a choice")
        label = str(_req(cd, "label", path, "a choice"))
        edge = _edge({k: v for k, v in cd.items() if k in ("goto", "set", "say")}, path, cline, f"choice '{label}'")
        edge.line = cline
        st.choices.append(ChoiceSpec(label=label, edge=edge, intent=cd.get("intent"), when=cd.get("if")))
    on = d.get("on") or {}
    on_map = _mapping(on, path, d.line_of("on"), "on")
    for intent, target in on_map.items():
        st.on[str(intent)] = _edge(target, path, on_map.line_of(intent), f"on {intent}")
    if d.get("on_facts") is not None:
        st.on_facts = _edge(d["on_facts"], path, d.line_of("on_facts"), "on_facts")
    nxt = d.get("next")
    if nxt is not None:
        items = nxt if isinstance(nxt, list) else [nxt]
        for i, item in enumerate(items):
            iline = items.line_of(i) if isinstance(items, LineList) else d.line_of("next")
            st.next.append(_edge(item, path, iline, "next"))
    return st


def _load_flow(path: Path) -> FlowSpec:
    raw = load_yaml(path, "Flow")
    d = _mapping(raw, path, 1, "a flow file")
    name = str(_req(d, "flow", path, "a flow file"))
    if not NAME_RE.match(name):
        raise ContentError(path, d.line_of("flow"), f"flow name '{name}': use lower-case letters, digits and hyphens")
    states_raw = _mapping(_req(d, "states", path, f"flow '{name}'"), path, d.line_of("states"), "states")
    states = {str(k): _state(name, str(k), v, path, states_raw.line_of(k)) for k, v in states_raw.items()}
    if not states:
        raise ContentError(path, d.line_of("states"), f"flow '{name}' has no states")
    # A state with nothing to choose and no `next` moves on to the state written below it, so
    # a simple questionnaire needs no wiring at all.
    names = list(states)
    for i, st in enumerate(states.values()):
        if not st.next and not st.final and not st.choices and not st.on and i + 1 < len(names):
            st.next.append(Edge(goto=names[i + 1], file=str(path), line=st.line))
    initial = str(d.get("start") or next(iter(states)))
    if initial not in states:
        raise ContentError(path, d.line_of("start"), f"flow '{name}': start state '{initial}' is not one of its states")
    return FlowSpec(
        name=name,
        title=str(d.get("title") or name),
        file=str(path),
        line=d.line,
        initial=initial,
        states=states,
        stage=d.get("stage"),
        menu=bool(d.get("menu", False)),
        description=str(d.get("description") or ""),
        entry=bool(d.get("entry", False)),
    )


def _load_slots(path: Path) -> dict[str, SlotSpec]:
    d = _mapping(load_yaml(path, "Slots"), path, 1, "slots.yaml")
    block = _mapping(_req(d, "slots", path, "slots.yaml"), path, d.line_of("slots"), "slots")
    out: dict[str, SlotSpec] = {}
    for name, raw in block.items():
        line = block.line_of(name)
        if not SLOT_RE.match(name):
            raise ContentError(path, line, f"slot name '{name}': use lower-case letters, digits and underscores")
        sd = _mapping(raw or {}, path, line, f"slot '{name}'")
        stype = str(sd.get("type", "text"))
        if stype not in SLOT_TYPES:
            raise ContentError(
                path, sd.line_of("type"), f"slot '{name}': unknown type '{stype}' (one of {', '.join(SLOT_TYPES)})"
            )
        options: dict[str, list[str]] = {}
        if stype == "choice":
            opts = _mapping(_req(sd, "options", path, f"slot '{name}'"), path, sd.line_of("options"), "options")
            options = {str(k): string_list(v, path, opts.line_of(k), f"option '{k}'") for k, v in opts.items()}
        out[name] = SlotSpec(
            name=name,
            type=stype,
            label=str(sd.get("label") or name.replace("_", " ")),
            file=str(path),
            line=line,
            panel=bool(sd.get("panel", False)),
            options=options,
            min=sd.get("min"),
            max=sd.get("max"),
            pattern=sd.get("pattern"),
            invalid=sd.get("invalid"),
            max_length=int(sd.get("max_length", 200)),
        )
    return out


def _load_intents(path: Path) -> dict[str, IntentSpec]:
    d = _mapping(load_yaml(path, "Intents"), path, 1, "intents.yaml")
    block = _mapping(_req(d, "intents", path, "intents.yaml"), path, d.line_of("intents"), "intents")
    out: dict[str, IntentSpec] = {}
    for name, raw in block.items():
        line = block.line_of(name)
        if name == OFF_TOPIC:
            raise ContentError(path, line, f"'{OFF_TOPIC}' is reserved: put everyday requests in offtopic.yaml")
        idict = _mapping(raw or {}, path, line, f"intent '{name}'")
        examples = idict.get("examples") or []
        spec = IntentSpec(
            name=name,
            examples=string_list(examples, path, idict.line_of("examples"), f"intent '{name}' examples"),
            short=string_list(idict.get("short"), path, idict.line_of("short"), f"intent '{name}' short"),
            is_global=bool(idict.get("global", False)),
            local=bool(idict.get("local", False)),
            domain=bool(idict.get("domain", False)),
            when_negated=idict.get("when_negated"),
            file=str(path),
            line=line,
            example_lines=list(examples.item_lines) if isinstance(examples, LineList) else [],
        )
        if not spec.examples and not spec.short:
            raise ContentError(path, line, f"intent '{name}' has no example phrases")
        out[name] = spec
    return out


def _load_offtopic(path: Path) -> IntentSpec | None:
    if not path.is_file():
        return None  # optional: an author's own content may do without
    d = _mapping(load_yaml(path, "Offtopic"), path, 1, "offtopic.yaml")
    examples = _req(d, "examples", path, "offtopic.yaml")
    return IntentSpec(
        name=OFF_TOPIC,
        examples=string_list(examples, path, d.line_of("examples"), "offtopic examples"),
        short=[],
        file=str(path),
        line=d.line_of("examples"),
        example_lines=list(examples.item_lines) if isinstance(examples, LineList) else [],
    )


def _load_lexicon(path: Path) -> tuple[Normaliser, frozenset[str], frozenset[str]]:
    d = _mapping(load_yaml(path, "Lexicon"), path, 1, "lexicon.yaml")
    for key in ("contractions", "synonyms"):
        if key in d and not isinstance(d[key], dict):
            raise ContentError(path, d.line_of(key), f"{key} should be 'word: replacement' lines")
    norm = Normaliser(
        contractions={str(k): str(v) for k, v in (d.get("contractions") or {}).items()},
        synonyms={str(k): str(v) for k, v in (d.get("synonyms") or {}).items()},
        stopwords=string_list(d.get("stopwords"), path, d.line_of("stopwords"), "stopwords"),
        negations=string_list(d.get("negations"), path, d.line_of("negations"), "negations"),
        fillers=string_list(d.get("fillers"), path, d.line_of("fillers"), "fillers"),
    )
    # Both spellings: the matcher looks for domain words in the text as typed ("job"), the
    # scenario detector in the folded text ("role").
    raw_terms = string_list(d.get("domain_terms"), path, d.line_of("domain_terms"), "domain_terms")
    terms = frozenset(norm.normalise(t) for t in raw_terms) | frozenset(
        norm.normalise(t, synonyms=False) for t in raw_terms
    )
    common = frozenset(
        norm.normalise(t) for t in string_list(d.get("common_words"), path, d.line_of("common_words"), "common_words")
    )
    return norm, terms, common


def load_content(dialogues: Path | None = None, templates: Path | None = None) -> Content:
    from bot.paths import dialogues_dir, templates_dir

    dialogues = Path(dialogues) if dialogues else dialogues_dir()
    templates = Path(templates) if templates else templates_dir()
    if not dialogues.is_dir():
        raise ContentError(dialogues, None, "no such dialogues folder")
    files: dict[str, Any] = {}
    normaliser, domain_terms, common_terms = _load_lexicon(dialogues / "lexicon.yaml")
    intents = _load_intents(dialogues / "intents.yaml")
    offtopic = _load_offtopic(dialogues / "offtopic.yaml")
    slots = _load_slots(dialogues / "slots.yaml")
    understanding = dialogues / "understanding.yaml"
    if understanding.is_file():
        raw_understanding = load_yaml(understanding, "Understanding")
        files["understanding.yaml"] = _mapping(raw_understanding, understanding, 1, "understanding.yaml")
    coach_path = dialogues / "coach.yaml"
    coach = _mapping(load_yaml(coach_path, "Coach"), coach_path, 1, "coach.yaml")
    files["coach.yaml"] = coach
    messages = _mapping(
        _req(coach, "messages", coach_path, "coach.yaml"), coach_path, coach.line_of("messages"), "messages"
    )
    flows: dict[str, FlowSpec] = {}
    flow_dir = dialogues / "flows"
    for path in sorted(flow_dir.glob("*.yaml")):
        flow = _load_flow(path)
        if flow.name in flows:
            raise ContentError(path, flow.line, f"flow '{flow.name}' is also defined in {flows[flow.name].file}")
        flows[flow.name] = flow
    if not flows:
        raise ContentError(flow_dir, None, "no flows found (expected flows/*.yaml)")
    start = str(_req(coach, "start", coach_path, "coach.yaml"))
    stages = string_list(coach.get("stages"), coach_path, coach.line_of("stages"), "stages")
    content = Content(
        dialogues=dialogues,
        templates=templates,
        normaliser=normaliser,
        domain_terms=domain_terms,
        common_terms=common_terms,
        intents=intents,
        slots=slots,
        flows=flows,
        messages={str(k): str(v) for k, v in messages.items()},
        start=start,
        stages=stages,
        files=files,
        offtopic=offtopic,
    )
    resolved = content.resolve(start, start)
    if resolved.partition(".")[0] not in flows or resolved not in content.states:
        raise ContentError(coach_path, coach.line_of("start"), f"start '{start}' is not a known flow or state")
    content.start = resolved
    return content
