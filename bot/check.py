"""`decline-coach check`: everything that can be wrong with the authored content, located.

Each problem is ``file:line: message``. The checks: YAML and shape errors, unknown targets,
intents, slots and actions, unreachable states, dead ends, templates that fail to render
with sample values under StrictUndefined, slots read but never filled, and example phrases
that sit in two intents or are outscored by another intent's examples. Modules with their
own content (drafts, scenarios, personas) contribute through a ``check_content`` function.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from bot.content import OFF_TOPIC, Content, SlotSpec, StateSpec, load_content
from bot.render import Renderer, RenderError
from bot.yamlfile import ContentError

# Modules that may define `check_content(content, renderer) -> list[Problem]` for their files.
CONTRIBUTORS = ("bot.drafts", "bot.critic", "bot.scenarios", "bot.rehearsal", "bot.followups")

# Names every prompt may read besides slots (see Session.context).
CONTEXT_NAMES = frozenset({"today", "state", "flow", "stage"})
# An example is reported as outscored when, left out, the matcher reads it as another intent
# with at least this score (a clear misreading, not a borderline one).
OUTSCORED = 80.0
# Slots the engine fills by itself from any sentence (bot.extract.mentions).
OPPORTUNISTIC = frozenset({"company", "role", "deadline"})


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


SAMPLES = {
    "text": "a short answer",
    "person": "Dana Rivera",
    "company": "Northwind",
    "role": "Data Analyst",
    "date": "2026-11-27",
    "money": 95000.0,
    "number": 7.0,
    "yesno": True,
    "list": ["Dana Rivera", "Sam Lee"],
}


def sample_value(slot: SlotSpec) -> Any:
    if slot.type == "choice":
        return next(iter(slot.options), "")
    return SAMPLES.get(slot.type, "sample")


def check(dialogues: Path | None = None, templates: Path | None = None) -> list[Problem]:
    from bot.paths import dialogues_dir
    from bot.schema import check_folder

    # Every file's shape first (bot/schema.py), so one broken file does not hide the others.
    folder = Path(dialogues) if dialogues else dialogues_dir()
    shape_errors = check_folder(folder) if folder.is_dir() else []
    try:
        content = load_content(dialogues, templates)
    except ContentError as exc:
        return sorted({Problem(e.path, e.line or 0, e.message) for e in [*shape_errors, exc]})
    renderer = Renderer(content.templates)
    problems: list[Problem] = [Problem(e.path, e.line or 0, e.message) for e in shape_errors]
    problems += _check_targets(content)
    problems += _check_moves(content)
    problems += _check_reachability(content)
    problems += _check_prompts(content, renderer)
    problems += _check_template_files(content, renderer)
    problems += _check_intents(content)
    for module_name in CONTRIBUTORS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        fn = getattr(module, "check_content", None)
        if fn is not None:
            try:
                problems += list(fn(content, renderer))
            except ContentError as exc:
                problems.append(Problem(exc.path, exc.line or 0, exc.message))
    problems += _check_loaders(content)
    # One spelling of each file, so a problem found twice (its shape, then its loader) is one.
    return sorted({Problem(_rel(p.file, content), p.line, p.message) for p in problems})


def _check_loaders(content: Content) -> list[Problem]:
    """Content files whose own loader validates them: a failure is reported at its line."""
    out: list[Problem] = []
    checks: list[tuple[str, str, Any]] = [
        ("bot.rehearsal", "load_book", lambda fn: fn(content.dialogues, normaliser=content.normaliser)),
        ("bot.followups", "load_rules", lambda fn: fn(content.dialogues / "followups.yaml")),
        ("bot.followups", "load_messages", lambda fn: fn(content.dialogues / "followups.yaml")),
        ("bot.voice.content", "check_voice", lambda fn: fn(content.dialogues)),
    ]
    for module_name, attr, call in checks:
        try:
            fn = getattr(importlib.import_module(module_name), attr)
        except (ModuleNotFoundError, AttributeError):
            continue
        try:
            call(fn)
        except ContentError as exc:
            out.append(_p(content, exc.path, exc.line or 0, exc.message))
    return out


def _rel(path: str, content: Content) -> str:
    for base in (content.dialogues.parent, Path.cwd()):
        try:
            return str(Path(path).resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return path


def _p(content: Content, file: str, line: int, message: str) -> Problem:
    return Problem(_rel(file, content), line, message)


def _check_targets(content: Content) -> list[Problem]:
    from bot.actions import load_actions

    actions = load_actions()
    out: list[Problem] = []
    stages = set(content.stages)
    for st in content.states.values():
        for edge in st.edges():
            target = content.resolve(edge.goto, st.flow)
            if not target.startswith("@") and target not in content.states:
                out.append(
                    _p(
                        content,
                        edge.file or st.file,
                        edge.line or st.line,
                        f"state '{st.full}' goes to unknown state '{edge.goto}'",
                    )
                )
            for key in edge.set:
                if key not in content.slots:
                    out.append(
                        _p(content, edge.file or st.file, edge.line or st.line, f"'set' names unknown slot '{key}'")
                    )
            if edge.cond:
                out += _check_expr(content, edge.cond, edge.file or st.file, edge.line or st.line)
        for intent in st.on:
            if intent not in content.intents:
                out.append(
                    _p(
                        content,
                        st.file,
                        st.on[intent].line or st.line,
                        f"state '{st.full}' listens for unknown intent '{intent}'",
                    )
                )
        for choice in st.choices:
            if choice.intent and choice.intent not in content.intents:
                out.append(
                    _p(
                        content,
                        st.file,
                        choice.edge.line,
                        f"choice '{choice.label}' names unknown intent '{choice.intent}'",
                    )
                )
            if choice.when:
                out += _check_expr(content, choice.when, st.file, choice.edge.line)
        if st.ask and st.ask not in content.slots:
            out.append(_p(content, st.file, st.line, f"state '{st.full}' asks for unknown slot '{st.ask}'"))
        for name in st.do:
            if name not in actions:
                out.append(_p(content, st.file, st.line, f"state '{st.full}' runs unknown action '{name}'"))
        if st.stage and stages and st.stage not in stages:
            out.append(_p(content, st.file, st.line, f"stage '{st.stage}' is not one of coach.yaml's stages"))
        if st.template and not (content.templates / st.template).is_file():
            out.append(_p(content, st.file, st.line, f"template '{st.template}' not found in {content.templates}"))
    for flow in content.flows.values():
        if flow.stage and stages and flow.stage not in stages:
            out.append(_p(content, flow.file, flow.line, f"stage '{flow.stage}' is not one of coach.yaml's stages"))
    for spec in content.intents.values():
        if spec.when_negated and spec.when_negated not in content.intents:
            out.append(
                _p(content, spec.file, spec.line, f"when_negated names unknown intent '{spec.when_negated}'")
            )
    return out


def _check_moves(content: Content) -> list[Problem]:
    """Every state an action or interrupt may move to (``goes=``, bot.moves) is in the content:
    a state renamed in a flow but not where the Python declares it is reported here, at the
    declaration."""
    import inspect

    from bot.actions import INTERRUPTS, REGISTRY, load_actions
    from bot.moves import resolve

    load_actions()
    hooks: list[tuple[str, str, Any, tuple[str, ...]]] = [("action", a.name, a.fn, a.goes) for a in REGISTRY.values()]
    hooks += [("interrupt", i.name, i.fn, i.goes) for i in INTERRUPTS.values()]
    out: list[Problem] = []
    for kind, name, fn, goes in hooks:
        for target in goes:
            if resolve(content, target) in content.states:
                continue
            fn = inspect.unwrap(fn)
            file = inspect.getsourcefile(fn) or fn.__module__
            line = fn.__code__.co_firstlineno if hasattr(fn, "__code__") else 0
            out.append(
                _p(content, file, line, f"{kind} '{name}' may move to unknown state '{target}' (goes=)")
            )
    rehearse = REGISTRY.get("scenario-rehearse")
    flow = _rehearsal_flow(content)
    if rehearse and flow and flow not in rehearse.goes:
        path = content.dialogues / "scenarios.yaml"
        lines = path.read_text(encoding="utf-8").splitlines()
        line = next((i for i, text in enumerate(lines, 1) if text.startswith("rehearsal_flow:")), 0)
        declared = ", ".join(rehearse.goes)
        message = f"rehearsal_flow '{flow}' is not a move action 'scenario-rehearse' declares ({declared})"
        out.append(_p(content, str(path), line, message))
    return out


def _rehearsal_flow(content: Content) -> str | None:
    from bot.scenarios import library_for

    try:
        return library_for(content).rehearsal_flow
    except ContentError:
        return None  # the scenarios' own check reports it


def _check_expr(content: Content, expr: str, file: str, line: int) -> list[Problem]:
    env = jinja2.Environment()
    try:
        ast = env.parse("{{ " + expr + " }}")
    except jinja2.TemplateSyntaxError as exc:
        return [_p(content, file, line, f"condition '{expr}' is not valid: {exc.message}")]
    unknown = set(meta.find_undeclared_variables(ast)) - set(content.slots) - CONTEXT_NAMES
    return [_p(content, file, line, f"condition '{expr}' reads unknown slot '{name}'") for name in sorted(unknown)]


def _check_reachability(content: Content) -> list[Problem]:
    out: list[Problem] = []
    roots = {content.start}
    roots |= {f"{f.name}.{f.initial}" for f in content.flows.values() if f.menu or f.entry}
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        full = todo.pop()
        if full in seen or full not in content.states:
            continue
        seen.add(full)
        st = content.state(full)
        for edge in st.edges():
            target = content.resolve(edge.goto, st.flow)
            if not target.startswith("@"):
                todo.append(target)
    for full, st in content.states.items():
        if full not in seen:
            out.append(
                _p(content, st.file, st.line, f"state '{full}' cannot be reached from the start or any menu flow")
            )
        if st.final:
            continue
        edges = st.edges()
        if not edges:
            out.append(
                _p(
                    content,
                    st.file,
                    st.line,
                    f"state '{full}' is a dead end: no choices, intents or next, and not `end: true`",
                )
            )
        elif not st.choices and not st.on and all(e.cond for e in st.next):
            out.append(
                _p(
                    content,
                    st.file,
                    st.line,
                    f"state '{full}' may be a dead end: every `next` has an `if`; add one without `if` as the fallback",
                )
            )
    return out


def _sample_context(content: Content) -> dict[str, Any]:
    ctx: dict[str, Any] = {name: sample_value(slot) for name, slot in content.slots.items()}
    ctx.update(today="2026-11-21", state="journey.greet", flow="journey", stage="Clarify")
    return ctx


def _filled_slots(content: Content) -> set[str]:
    from bot.actions import load_actions

    filled = set(OPPORTUNISTIC)
    for st in content.states.values():
        if st.ask:
            filled.add(st.ask)
        for edge in st.edges():
            filled |= set(edge.set)
    for act in load_actions().values():
        filled |= set(act.produces)
    return filled


def _check_prompts(content: Content, renderer: Renderer) -> list[Problem]:
    out: list[Problem] = []
    ctx = _sample_context(content)
    filled = _filled_slots(content)
    known = set(content.slots) | CONTEXT_NAMES

    def check_source(source: str, file: str, line: int, extra: Iterable[str] = ()) -> None:
        try:
            names = renderer.inline_variables(source)
        except jinja2.TemplateSyntaxError as exc:
            out.append(_p(content, file, line, f"template syntax: {exc.message}"))
            return
        for name in sorted(names - known - set(extra)):
            out.append(_p(content, file, line, f"prompt reads '{name}', which is not a slot"))
        for name in sorted((names & set(content.slots)) - filled):
            out.append(
                _p(content, file, line, f"slot '{name}' is used here but no state, choice or action ever fills it")
            )
        try:
            renderer.inline(source, {**ctx, **dict.fromkeys(extra, "x")}, origin="")
        except RenderError as exc:
            out.append(_p(content, file, line, f"prompt fails to render with sample values: {exc}"))

    for st in content.states.values():
        for text in (st.say, st.help, st.reprompt):
            if text:
                check_source(text, st.file, st.line)
        for edge in st.edges():
            if edge.say:
                check_source(edge.say, edge.file or st.file, edge.line or st.line)
        for choice in st.choices:
            if "{" in choice.label:
                check_source(choice.label, st.file, choice.edge.line)
    coach = content.files.get("coach.yaml")
    extras = {"length", "count", "number", "value", "label", "min", "max", "type", "optional", "name"}
    extras |= {"case", "texts", "problem"}  # the saving notices (Conversation)
    for key, text in content.messages.items():
        line = coach.get("messages").line_of(key) if coach is not None else 0
        check_source(text, str(content.dialogues / "coach.yaml"), line, extra=extras)
    for slot in content.slots.values():
        if slot.invalid:
            check_source(slot.invalid, slot.file, slot.line, extra={"value", "label", "min", "max"})
    return out


def _check_template_files(content: Content, renderer: Renderer) -> list[Problem]:
    out: list[Problem] = []
    if not content.templates.is_dir():
        return [_p(content, str(content.templates), 0, "templates folder not found")]
    used = {st.template: st for st in content.states.values() if st.template}
    ctx = _sample_context(content)
    for path in sorted(content.templates.rglob("*.j2")):
        name = path.relative_to(content.templates).as_posix()
        try:
            renderer.env.parse(path.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as exc:
            out.append(_p(content, str(path), exc.lineno or 0, f"template syntax: {exc.message}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            out.append(_p(content, str(path), 0, f"cannot read template: {exc}"))
            continue
        if name in used:
            try:
                renderer.file(name, ctx)
            except RenderError as exc:
                st: StateSpec = used[name]
                out.append(
                    _p(content, str(path), 0, f"fails to render for state '{st.full}' with sample values: {exc}")
                )
    return out


def _check_intents(content: Content) -> list[Problem]:
    out: list[Problem] = []
    norm = content.normaliser
    owner: dict[str, str] = {}
    specs = list(content.intents.values())
    if content.offtopic is not None:
        specs.append(content.offtopic)
    for intent in specs:
        for i, phrase in enumerate(intent.short + intent.examples):
            key = norm.normalise(phrase)
            line = intent.line
            if i >= len(intent.short) and intent.example_lines:
                line = intent.example_lines[i - len(intent.short)]
            other = owner.get(key)
            if other is not None and other != intent.name:
                out.append(
                    _p(content, intent.file, line, f"example '{phrase}' is in both '{other}' and '{intent.name}'")
                )
            owner.setdefault(key, intent.name)
    # Leave one out: with the example removed, would the matcher read it as another intent?
    # Then the other intent's examples outscore it, and a paraphrase of it will be misread.
    matcher = content.intent_matcher
    everything = matcher.labels
    index = {(e.label, e.text): i for i, e in reversed(list(enumerate(matcher.examples)))}
    for intent in specs:
        lines = intent.example_lines or [intent.line] * len(intent.examples)
        for phrase, line in zip(intent.examples, lines, strict=False):
            if len(norm.normalise(phrase).split()) <= 1:
                continue
            with matcher.leaving_out(index[(intent.name, phrase)]):
                got = matcher.match(phrase, allowed=everything)
            # An everyday request closest to an example is a misreading too ("read as off-topic").
            read_as = got.label if got.label is not None or got.matched_label != OFF_TOPIC else OFF_TOPIC
            if read_as is not None and read_as != intent.name and got.score >= OUTSCORED:
                out.append(
                    _p(
                        content,
                        intent.file,
                        line,
                        f"example '{phrase}' of '{intent.name}' is outscored by '{got.example}' of "
                        f"'{got.matched_label}' (it would be read as '{read_as}', score {got.score:.0f})",
                    )
                )
    return out
