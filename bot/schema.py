"""The shape of every content file, declared once (issue 13, item 11).

Each file under ``dialogues/`` has a schema here: a ``msgspec.Struct`` per block, with
unknown keys forbidden, so a misspelt key (``wieght:`` in critic.yaml) is an error at its
line instead of a setting nobody reads. The same declarations give authors a JSON Schema for
their editor (``decline-coach schema``, and the copies kept in ``dialogues/schema/``).

What the schemas hold is the *shape*: which keys a block may have, and whether each is a
word, a number, a yes/no, a list or a block. What the values must mean (a target that
exists, a template that renders, a check name that is known) stays with the loaders and
``bot.check``, which need the whole picture.

Validation runs where a file is parsed (``validate``, called by each loader on the data
``bot.yamlfile.load_yaml`` returned) and over the whole folder in ``decline-coach check``
(``check_folder``). The content cache (``bot.content_cache``) keeps the loaded content, so a
cached start parses nothing and validates nothing.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any, Literal, Union

import msgspec
from msgspec import field

from bot.yamlfile import ContentError, LineDict, LineList

# YAML reads some phrases as numbers (``5``, ``0.5``) or true/false; the loaders turn every
# phrase into text, so a phrase may be any of these.
Word = str | int | float | bool
Words = list[Word]


class Shape(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """A block whose keys are all known: any other key is a mistake."""


class KebabShape(Shape, rename="kebab"):
    """The same, for files whose keys are written with hyphens (``waver-pushes``)."""


# -- flows/*.yaml -----------------------------------------------------------------------------


class Edge(Shape):
    goto: str | None = None
    if_: str | None = field(default=None, name="if")
    set: dict[str, Any] | None = None
    say: str | None = None


Target = str | Edge


class FlowChoice(Shape):
    label: Word
    goto: str | None = None
    set: dict[str, Any] | None = None
    say: str | None = None
    intent: str | None = None
    if_: str | None = field(default=None, name="if")


class State(Shape):
    say: str | None = None
    template: str | None = None
    do: str | list[str] | None = None
    ask: str | None = None
    choices: list[FlowChoice] | None = None
    on: dict[str, Target] | None = None
    next: str | Edge | list[Target] | None = None
    help: str | None = None
    reprompt: str | None = None
    stage: str | None = None
    optional: bool = False
    end: bool = False
    multiline: bool = False
    on_facts: Target | None = None
    always_ask: bool = False
    invites_story: bool = False


class Flow(Shape):
    flow: str
    states: dict[str, State | None]
    title: str | None = None
    stage: str | None = None
    menu: bool = False
    description: str | None = None
    entry: bool = False
    start: str | None = None


# -- slots, intents, lexicon, offtopic, coach, understanding ---------------------------------

SlotType = Literal["text", "person", "company", "role", "date", "money", "number", "yesno", "choice", "list"]


class Slot(Shape):
    type: SlotType = "text"
    label: str | None = None
    panel: bool = False
    options: dict[str, Words] | None = None
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    invalid: str | None = None
    max_length: int | None = None


class Slots(Shape):
    slots: dict[str, Slot | None]


class Intent(Shape):
    examples: Words | None = None
    short: Words | None = None
    global_: bool = field(default=False, name="global")
    local: bool = False
    domain: bool = False
    when_negated: str | None = None


class Intents(Shape):
    intents: dict[str, Intent | None]


class Lexicon(Shape):
    contractions: dict[str, Word] | None = None
    synonyms: dict[str, Word] | None = None
    stopwords: Words | None = None
    fillers: Words | None = None
    negations: Words | None = None
    domain_terms: Words | None = None
    common_words: Words | None = None


class Offtopic(Shape):
    examples: Words


class Coach(Shape):
    start: str
    messages: dict[str, str]
    stages: list[str] | None = None


class Understanding(Shape):
    lead_ins: Words | None = None
    tails: Words | None = None
    no_value: Words | None = None
    not_values: Words | None = None
    corrections: Words | None = None
    mentions: dict[str, list[str]] | None = None
    phrases: dict[str, dict[str, Words]] | None = None
    options: dict[str, list[str]] | None = None
    implies: dict[str, dict[str, Any]] | None = None
    implies_by_value: dict[str, dict[str, dict[str, Any]]] | None = None
    not_name_words: list[str] | None = None
    not_role_words: list[str] | None = None
    cleared: Words | None = None
    past_dates: list[str] | None = None
    stance: dict[str, Words] | None = None
    stance_intents: dict[str, str] | None = None
    question_intents: dict[str, str] | None = None
    preferences: list[str] | None = None


# -- critic.yaml ------------------------------------------------------------------------------


class Outcome(Shape):
    message: str
    suggestion: str | None = None


class ToneCue(Shape):
    cue: str
    instead: str | None = None


class CriticCheck(Shape):
    """One check. Besides weight, cues and outcomes, each check reads its own settings; every
    setting any check reads is listed here, so a misspelt one is reported."""

    outcomes: dict[str, Outcome]
    weight: int | None = None
    optional: bool = False
    cues: dict[str, list[str | ToneCue]] | None = None
    # gratitude
    praise: Words | None = None
    signoff_only: Words | None = None
    # clear-decision
    clause_breaks: Words | None = None
    clause_starts: Words | None = None
    # reason
    categories: dict[str, Words] | None = None
    connectors_only: Words | None = None
    next_sentence_counts: bool | None = None
    # excuses
    piling: Words | None = None
    too_many_sentences: int | None = None
    too_many_groups: int | None = None
    too_many_add_ons: int | None = None
    # door-open
    not_open: Words | None = None
    closed: Words | None = None
    # salary-specifics
    comparison_if_other: Words | None = None
    another_offer: Words | None = None
    # criticism
    praise_context: Words | None = None
    self_directed_before: Words | None = None
    # tone
    each_more: int | None = None
    # hedging
    unsure: Words | None = None
    reversible: Words | None = None
    conditional: Words | None = None
    condition_anywhere: Words | None = None
    anywhere: Words | None = None
    negations: Words | None = None
    # over-apology
    apologies: Words | None = None
    grovelling: Words | None = None
    max_apologies: int | None = None


class CriticProfile(Shape):
    kinds: list[str] | None = None
    skip: list[str] | None = None
    max_words: int | None = None
    max_chars: int | None = None
    unscored: list[str] | None = None
    allow_hedges: list[str] | None = None


class Critic(Shape):
    checks: dict[str, CriticCheck]
    not_needed: str | None = None
    # bot/appraisal.py: word lists by the part they play in a sentence, and a window size;
    # the names are the module's own, so this block is an open map of lists or numbers.
    appraisal: dict[str, Words | int] | None = None
    profiles: dict[str, CriticProfile | None] | None = None


# -- drafts.yaml, faq.yaml, scenarios.yaml, followups.yaml ------------------------------------


class DraftKind(Shape):
    id: str
    title: str
    template: str
    description: str | None = None
    to: list[str] | None = None
    requires: list[str] | None = None
    optional: dict[str, Word] | None = None
    sample: dict[str, Word] | None = None


class Drafts(Shape):
    kinds: list[DraftKind]
    tones: list[str] | None = None
    # reason -> its label and one sentence per tone (the tones are the content's own)
    reasons: dict[str, dict[str, str]] | None = None
    # what the person stays open to -> `match:` words and one sentence per tone
    open_to: dict[str, dict[str, str | Words]] | None = None


class FaqEntry(Shape):
    id: str
    question: str
    answer: str
    keywords: Words | None = None
    examples: Words | None = None


class Faq(Shape):
    faq: list[FaqEntry]


class Detection(Shape):
    threshold: float | None = None
    chat_threshold: float | None = None
    margin: float | None = None
    keyword_bonus: float | None = None
    keyword_cap: float | None = None
    chat_min_words: int | None = None
    not_scenario_margin: float | None = None
    cue_bonus: float | None = None
    cue_bonus_short: float | None = None
    cue_cap: float | None = None
    story_words: int | None = None
    story_uncued: float | None = None
    story_margin: float | None = None
    domain_penalty: float | None = None
    vocab_floor: float | None = None
    cue_floor: float | None = None
    vocab_full: float | None = None
    faq_threshold: float | None = None
    words_min_share: float | None = None
    words_min_lead: float | None = None
    sentence_min_words: int | None = None
    sentence_discount: float | None = None


class AdvicePoint(Shape):
    say: str
    if_: str | None = field(default=None, name="if")


class Scenario(Shape):
    id: str
    title: str
    keywords: Words | None = None
    cues: list[str] | None = None
    examples: Words | None = None
    intro: str | None = None
    questions: list[str] | None = None
    advice: list[str | AdvicePoint] | None = None
    draft: str | None = None
    draft_if_accepting: str | None = None
    next_steps: list[str] | None = None
    rehearse: bool | None = None
    defer_if: str | None = None


class Scenarios(Shape):
    scenarios: list[Scenario]
    detection: Detection | None = None
    domain_words: Words | None = None
    rehearsal_flow: str | None = None
    messages: dict[str, str] | None = None
    not_scenarios: Words | None = None
    facts: dict[str, str] | None = None
    not_cues: list[str] | None = None


class Period(Shape):
    days: int | None = None
    weeks: int | None = None
    months: int | None = None


class FollowupRule(Shape):
    kind: str
    title: str
    due: Period
    decisions: list[str] | None = None
    requires: str | None = None
    detail: str | None = None
    per: str | None = None
    until: Period | None = None


class Followups(Shape):
    followups: list[FollowupRule]
    messages: dict[str, str] | None = None


# -- rehearsal.yaml and personas/*.yaml ------------------------------------------------------


class CueBlock(KebabShape):
    cues: Words | None = None
    examples: Words | None = None
    guard: bool = False


class Limits(KebabShape):
    brief_words: int | None = None
    close_lines: int | None = None
    early_turns: int | None = None
    guard_window: int | None = None
    guard_words: Words | None = None
    max_turns: int | None = None
    reason_topics: int | None = None


class Noise(KebabShape):
    fillers: str | None = None
    word_share: float | None = None


class ManagerLines(KebabShape):
    hang_up: list[Any] | None = None
    nonsense: list[Any] | None = None
    silence: list[Any] | None = None
    time_up: list[Any] | None = None
    cut_off: list[Any] | None = None
    react: dict[str, list[Any]] | None = None


class ScorecardBlock(KebabShape):
    checks: dict[str, dict[str, str | dict[str, str]]]
    title: str | None = None
    reword_drop: str | None = None
    labels: dict[str, str | dict[str, str]] | None = None
    plans: dict[str, Words] | None = None


class Rehearsal(KebabShape):
    kinds: dict[str, CueBlock]
    scorecard: ScorecardBlock
    defaults: dict[str, str] | None = None
    difficulties: list[str] | None = None
    harder: dict[str, str] | None = None
    limits: Limits | None = None
    meta: dict[str, CueBlock] | None = None
    labels: dict[str, str] | None = None
    outranks: dict[str, list[str]] | None = None
    figure_idioms: Words | None = None
    thanks_in_passing: str | None = None
    criticism_self: str | None = None
    reason_denials: str | None = None
    criticism_softeners: str | None = None
    noise: Noise | None = None
    names_from_call: Words | None = None
    reason_topics: dict[str, Words] | None = None
    reason_clauses: ReasonClauses | None = None
    time_requests: dict[str, str] | None = None
    interruptions: str | None = None
    offer_dismissals: str | None = None
    process_subjects: str | None = None
    courtesies: list[str] | None = None
    preamble: str | None = None
    hedges: str | None = None
    figure_context: str | None = None
    trigger_order: list[str] | None = None
    react_order: list[str] | None = None
    answer_only: list[str] | None = None
    soft_reactions: list[str] | None = None
    manager: ManagerLines | None = None
    coach: dict[str, str] | None = None
    hints: dict[str, str] | None = None


class ReasonClauses(KebabShape):
    """Reasons by their shape (bot/scorecard.py, _clause_reasons)."""

    min_words: int | None = None
    lead_words: int | None = None
    subjects: str | None = None
    causes: str | None = None
    fillers: str | None = None
    asked_why: str | None = None
    not_: list[str] | None = field(default=None, name="not")


class Level(KebabShape):
    patience: int | None = None
    pushes: int | None = None
    waver_pushes: int | None = None
    max_words: int | None = None
    lines: str | None = None


class Transition(KebabShape):
    on: str | list[str]
    to: str
    from_: str | list[str] | None = field(default=None, name="from")
    if_: str | list[str] | None = field(default=None, name="if")
    unless: str | list[str] | None = None


class PersonaMachine(KebabShape):
    states: list[str]
    initial: str | None = None
    transitions: list[Transition] | None = None


class Persona(KebabShape):
    persona: str
    machine: PersonaMachine
    label: str | None = None
    title: str | None = None
    who: str | None = None
    description: str | None = None
    difficulty: dict[str, Level] | None = None
    # line sets: a line, variants of a line, or (pressing) steps {asks, say}
    lines: dict[str, list[Any]] | None = None
    stay: dict[str, list[Any]] | None = None
    react: dict[str, list[Any]] | None = None
    hard: dict[str, list[Any]] | None = None
    hints: dict[str, str] | None = None
    silence: list[str] | None = None
    nonsense: list[str] | None = None
    reacts: bool = True


# -- voice.yaml -------------------------------------------------------------------------------


class ManagerVoice(KebabShape):
    voice: str | None = None
    wpm: int | None = None


class Delivery(KebabShape):
    measures: dict[str, dict[str, Word]]
    title: str | None = None
    long_pause_seconds: float | None = None


class VoiceFillers(KebabShape):
    sounds: Words | None = None
    spot: dict[str, str] | None = None
    patterns: Words | None = None


class Voice(KebabShape):
    install: str | None = None
    install_app: str | None = None
    prompts: dict[str, str] | None = None
    uncertain_below: float | None = None
    manager_voice: ManagerVoice | None = None
    delivery: Delivery | None = None
    fillers: VoiceFillers | None = None
    phrases: list[Any] | None = None
    benefit_of_doubt: list[str] | None = None


# -- which file has which shape ----------------------------------------------------------------

#: A file (relative to the dialogues folder; ``*`` for any name) -> its shape.
SHAPES: dict[str, type[Shape]] = {
    "coach.yaml": Coach,
    "critic.yaml": Critic,
    "drafts.yaml": Drafts,
    "faq.yaml": Faq,
    "followups.yaml": Followups,
    "intents.yaml": Intents,
    "lexicon.yaml": Lexicon,
    "offtopic.yaml": Offtopic,
    "rehearsal.yaml": Rehearsal,
    "scenarios.yaml": Scenarios,
    "slots.yaml": Slots,
    "understanding.yaml": Understanding,
    "voice.yaml": Voice,
    "flows/*.yaml": Flow,
    "personas/*.yaml": Persona,
}


def shape_for(path: str | Path, dialogues: Path | None = None) -> type[Shape] | None:
    """The shape of a content file, from its name (and its folder, for flows and personas)."""
    path = Path(path)
    if dialogues is not None:
        try:
            rel = path.resolve().relative_to(dialogues.resolve()).as_posix()
        except ValueError:
            rel = path.name
        if rel in SHAPES:
            return SHAPES[rel]
        folder, _, _ = rel.rpartition("/")
        return SHAPES.get(f"{folder}/*.yaml") if folder else None
    if path.parent.name in ("flows", "personas"):
        return SHAPES[f"{path.parent.name}/*.yaml"]
    return SHAPES.get(path.name)


def validate(data: Any, shape: type[Shape], path: str | Path) -> None:
    """Raise ``ContentError(path, line, message)`` when ``data`` does not fit ``shape``."""
    try:
        msgspec.convert(data, shape)
    except msgspec.ValidationError as exc:
        line, message = locate(data, shape, str(exc))
        raise ContentError(path, line, message) from None


def load(path: str | Path, shape: type[Shape] | None = None) -> Any:
    """Parse one content file and check its shape (by default, the one its name says);
    return the parsed data. Problems raise ``ContentError`` with the file and line."""
    from bot.yamlfile import load_yaml

    shape = shape or shape_for(path)
    data = load_yaml(path)
    if shape is not None:
        validate(data, shape, path)
    return data


def check_folder(dialogues: Path) -> list[ContentError]:
    """Every content file under ``dialogues`` that is not the shape it should be (one error
    per file: the first)."""
    out: list[ContentError] = []
    for pattern, shape in SHAPES.items():
        for path in sorted(dialogues.glob(pattern)):
            try:
                load(path, shape)
            except ContentError as exc:
                out.append(exc)
    return out


def json_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per file shape, named after the file (``flow.json`` for flows)."""
    out: dict[str, dict[str, Any]] = {}
    for pattern, shape in SHAPES.items():
        name = pattern.split("/")[0] if "/" in pattern else pattern.removesuffix(".yaml")
        name = {"flows": "flow", "personas": "persona"}.get(name, name)
        schema = msgspec.json.schema(shape)
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"decline-coach {pattern}",
            **schema,
        }
        out[f"{name}.json"] = schema
    return out


# -- from msgspec's error path to the line it is about ----------------------------------------

_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_MESSAGE = re.compile(r"^(?P<what>.*?)(?: - at `(?P<path>\$[^`]*)`)?$", re.S)


def locate(data: Any, shape: Any, error: str) -> tuple[int | None, str]:
    """The line a msgspec error is about, and the message in the author's words.

    msgspec names where it failed as a path (``$.checks[...].cues[1]``); ``[...]`` is a
    block's value under some key it does not name, so each key is tried until the one whose
    value fails is found. The line is that of the deepest block or key reached.
    """
    m = _MESSAGE.match(error)
    what = m.group("what") if m else error
    path = (m.group("path") if m else None) or "$"
    segments = [(a, b) for a, b in _SEGMENT.findall(path[1:])]
    line, where = _walk(data, shape, segments)
    unknown = re.match(r"Object contains unknown field `(.+)`", what)
    if unknown:
        key = unknown.group(1)
        if isinstance(data := _node(data, where), LineDict):
            line = data.line_of(key) or line
        return line, f"{_where(where)}unknown key '{key}'{_suggest(key, _fields_at(shape, where))}"
    missing = re.match(r"Object missing required field `(.+)`", what)
    if missing:
        return line, f"{_where(where)}'{missing.group(1)}' is required"
    return line, f"{_where(where)}{_plain(what)}"


_KINDS = {
    "object": "a block of 'key: value' lines",
    "array": "a list",
    "str": "text",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "null": "nothing",
}


def _kinds(expected: str) -> str:
    names = {n.strip() for n in expected.split("|")} - {"null"}
    if {"str", "int", "float", "bool"} <= names:
        names = (names - {"str", "int", "float", "bool"}) | {"phrase"}
    if {"int", "float"} <= names:
        names -= {"int"}
    words = sorted(_KINDS.get(n, "a phrase" if n == "phrase" else f"`{n}`") for n in names)
    return " or ".join(words) or "nothing"


def _plain(what: str) -> str:
    """msgspec's "Expected `array | null`, got `object`" in an author's words."""
    m = re.match(r"Expected `([^`]+)`, got `([^`]+)`$", what)
    if m:
        return f"should be {_kinds(m.group(1))}, not {_KINDS.get(m.group(2), m.group(2))}"
    m = re.match(r"Invalid enum value (.+)$", what)
    if m:
        return f"{m.group(1)} is not one of the choices (see `decline-coach schema`)"
    return what[:1].lower() + what[1:]


def _where(where: list[str]) -> str:
    text = "".join(w if w.startswith("[") else f".{w}" for w in where).lstrip(".")
    return f"{text}: " if text else ""


def _suggest(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _unwrap(tp: Any, value: Any) -> Any:
    """The member of a union that fits a value of this kind (a block, a list, anything else)."""
    origin = typing.get_origin(tp)
    if origin is Union or type(tp).__name__ == "UnionType":
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        for member in members:
            morigin = typing.get_origin(member) or member
            if isinstance(value, dict) and (morigin is dict or _is_struct(member)):
                return member
            if isinstance(value, list) and morigin is list:
                return member
        return members[0] if members else tp
    return tp


def _is_struct(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, msgspec.Struct)


def _fields(shape: Any) -> dict[str, tuple[str, Any]]:
    """A struct's keys as written in YAML -> (attribute name, type)."""
    hints = typing.get_type_hints(shape)
    info = shape.__struct_fields__
    encoded = shape.__struct_encode_fields__
    return {enc: (name, hints[name]) for name, enc in zip(info, encoded, strict=True)}


def _fields_at(shape: Any, where: list[str]) -> list[str]:
    tp = shape
    for key in where:
        tp = _unwrap(tp, [] if key.startswith("[") else {})
        if _is_struct(tp):
            tp = _fields(tp).get(key, (None, None))[1]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        elif typing.get_origin(tp) is list:
            tp = typing.get_args(tp)[0]
    tp = _unwrap(tp, {})
    return list(_fields(tp)) if _is_struct(tp) else []


def _node(data: Any, where: list[str]) -> Any:
    for key in where:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list):
            try:
                data = data[int(key.strip("[]"))]
            except (ValueError, IndexError):
                return None
    return data


def _line(node: Any) -> int | None:
    return getattr(node, "line", None) or None


def _walk(data: Any, tp: Any, segments: list[tuple[str, str]]) -> tuple[int | None, list[str]]:
    """Follow the error path through the data and the types; the line reached and the keys."""
    line = _line(data) or 1
    where: list[str] = []
    for i, (key, index) in enumerate(segments):
        tp = _unwrap(tp, data)
        if key:  # a struct's field
            if not isinstance(data, dict):
                break
            if isinstance(data, LineDict):
                line = data.line_of(key) or line
            tp = _fields(tp)[key][1] if _is_struct(tp) and key in _fields(tp) else Any
            data = data.get(key)
            where.append(key)
        elif index == "...":  # a block's value under a key msgspec does not name
            if not isinstance(data, dict):
                break
            value_tp = typing.get_args(tp)[1] if typing.get_origin(tp) is dict else Any
            rest = segments[i + 1 :]
            for k, v in data.items():
                if not _fits(v, value_tp):
                    if isinstance(data, LineDict):
                        line = data.line_of(k) or line
                    where.append(str(k))
                    sub_line, sub_where = _walk(v, value_tp, rest)
                    return (sub_line or line), where + sub_where
            break
        else:  # a list item
            if not isinstance(data, list):
                break
            n = int(index)
            if isinstance(data, LineList):
                line = data.line_of(n) or line
            tp = typing.get_args(tp)[0] if typing.get_origin(tp) is list else Any
            data = data[n] if n < len(data) else None
            where.append(f"[{n}]")
    return line, where


def _fits(value: Any, tp: Any) -> bool:
    try:
        msgspec.convert(value, tp)
    except msgspec.ValidationError:
        return False
    return True
