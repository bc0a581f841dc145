"""Phone-call rehearsal: the coach plays the hiring manager, then scores the call.

A persona (``dialogues/personas/<id>.yaml``) is a small state machine built with
``transitions``: states such as ``opening``, ``pressing``, ``closing``, ``ended``, and
transitions fired by what the person's line did (``decision``, ``waver``, ``firm``,
``goodbye``... as read by ``bot.scorecard.CallRules``). Each state and reaction has several
lines; a ``random.Random`` seeded from the rehearsal's seed picks among them, so the same
seed and the same lines give the same call. Difficulty (easy, normal, hard) sets how many
times the manager pushes back, how many extra pushes a wavering answer earns, how long
they wait through silence, and for a voicemail how long the recording runs.

Front-ends drive one object::

    r = Rehearsal("persuasive", "hard", seed=7, context={"name": "Sam", "plan": "decline"})
    events = r.opening()
    while not r.finished:
        events = r.turn(input())        # manager lines are Say(speaker="manager")
    r.scorecard(); r.transcript; r.to_json()

Everything said comes from content; this module is mechanism only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from transitions import Machine

from bot.events import Event, Say, Scorecard
from bot.render import Renderer
from bot.scorecard import PLANS, CallRules, Turn, load_rules, score_call
from bot.text import sanitise
from bot.yamlfile import ContentError, LineDict, load_yaml

#: Conditions a persona's transitions may name (``if: can-push``).
CONDITIONS = ("can-push", "decided", "negotiating", "pressed")
#: Triggers every persona understands without declaring them: the call ends.
ENDINGS = ("hang-up", "time-up", "cut-off")
CONTEXT_KEYS = ("name", "company", "role", "manager")
_PERSONA_KEYS = {
    "persona",
    "label",
    "title",
    "who",
    "description",
    "difficulty",
    "machine",
    "lines",
    "stay",
    "react",
    "hard",
    "hints",
    "silence",
    "nonsense",
    "reacts",
}


class RehearsalError(Exception):
    """A rehearsal was asked for something that does not exist (persona, difficulty)."""


@dataclass
class Persona:
    id: str
    label: str
    title: str
    who: str
    description: str
    file: str
    initial: str
    states: list[str]
    transitions: list[dict[str, Any]]
    difficulty: dict[str, dict[str, Any]]
    lines: dict[str, Any]
    stay: dict[str, list[str]]
    react: dict[str, list[str]]
    hard: dict[str, Any]
    hints: dict[str, str]
    silence: list[str] | None
    nonsense: list[str] | None
    reacts: bool = True

    def setting(self, difficulty: str, key: str, default: Any) -> Any:
        return self.difficulty.get(difficulty, {}).get(key, default)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _persona(path: Path) -> Persona:
    raw = load_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError(path, None, "a persona file should be a block of 'key: value' lines")
    line = raw.line_of if isinstance(raw, LineDict) else (lambda _k: None)
    unknown = set(raw) - _PERSONA_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise ContentError(path, line(key), f"unknown key '{key}'")
    pid = str(raw.get("persona") or "")
    if pid != path.stem:
        raise ContentError(
            path, line("persona"), f"persona: should be '{path.stem}' (the file's name)"
        )
    machine = raw.get("machine") or {}
    states = [str(s) for s in _as_list(machine.get("states"))]
    if not states or "ended" not in states:
        raise ContentError(
            path, line("machine"), "machine.states needs a list of states including 'ended'"
        )
    for s in states:
        if "_" in s or not s:
            raise ContentError(
                path, line("machine"), f"state '{s}': use letters and hyphens, no underscores"
            )
    initial = str(machine.get("initial") or states[0])
    if initial not in states:
        raise ContentError(
            path, line("machine"), f"initial state '{initial}' is not one of machine.states"
        )
    transitions: list[dict[str, Any]] = []
    for i, t in enumerate(_as_list(machine.get("transitions"))):
        where = f"machine.transitions[{i}]"
        if not isinstance(t, dict) or "on" not in t or "to" not in t:
            raise ContentError(path, line("machine"), f"{where} needs 'on' and 'to'")
        source = t.get("from", "*")
        sources = "*" if source == "*" else [str(s) for s in _as_list(source)]
        for s in [*([] if sources == "*" else sources), str(t["to"])]:
            if s not in states:
                raise ContentError(path, getattr(t, "line", None), f"{where}: unknown state '{s}'")
        conds = [str(c) for c in _as_list(t.get("if"))]
        unless = [str(c) for c in _as_list(t.get("unless"))]
        for c in conds + unless:
            if c not in CONDITIONS:
                raise ContentError(
                    path,
                    getattr(t, "line", None),
                    f"{where}: unknown condition '{c}' (one of {', '.join(CONDITIONS)})",
                )
        for trigger in _as_list(t["on"]):
            transitions.append(
                {
                    "trigger": str(trigger),
                    "source": sources,
                    "dest": str(t["to"]),
                    "conditions": [c.replace("-", "_") for c in conds],
                    "unless": [c.replace("-", "_") for c in unless],
                }
            )
    for key in ("lines", "hard", "stay", "react", "silence", "nonsense"):
        _check_lines(path, raw.get(key), key, line(key))
    difficulty = {str(k): dict(v or {}) for k, v in (raw.get("difficulty") or {}).items()}
    return Persona(
        id=pid,
        label=str(raw.get("label") or pid),
        title=str(raw.get("title") or pid),
        who=str(raw.get("who") or "hiring manager"),
        description=str(raw.get("description") or ""),
        file=str(path),
        initial=initial,
        states=states,
        transitions=transitions,
        difficulty=difficulty,
        lines=dict(raw.get("lines") or {}),
        stay={str(k): [str(x) for x in _as_list(v)] for k, v in (raw.get("stay") or {}).items()},
        react={str(k): [str(x) for x in _as_list(v)] for k, v in (raw.get("react") or {}).items()},
        hard=dict(raw.get("hard") or {}),
        hints={str(k): str(v) for k, v in (raw.get("hints") or {}).items()},
        silence=[str(x) for x in _as_list(raw["silence"])] if "silence" in raw else None,
        nonsense=[str(x) for x in _as_list(raw["nonsense"])] if "nonsense" in raw else None,
        reacts=bool(raw.get("reacts", True)),
    )


def _check_lines(path: Path, value: Any, where: str, line: int | None) -> None:
    """Every line is a string; a list may hold variants or (for pressing) steps of variants."""
    if value is None or isinstance(value, str):
        return
    if isinstance(value, list):
        for item in value:
            _check_lines(path, item, where, line)
        return
    if isinstance(value, dict) and where in ("lines", "hard", "stay", "react"):
        for k, v in value.items():
            _check_lines(path, v, f"{where}.{k}", line)
        return
    raise ContentError(
        path, getattr(value, "line", None) or line,
        f"{where}: expected a line of text, got {type(value).__name__} "
        "(quote lines that contain ': ')",
    )


@dataclass
class Book:
    """The rehearsal's content: reading and scoring rules plus every persona."""

    rules: CallRules
    personas: dict[str, Persona]
    renderer: Renderer = field(default_factory=lambda: Renderer(None))

    @property
    def raw(self) -> Mapping[str, Any]:
        return self.rules.raw

    @property
    def difficulties(self) -> list[str]:
        return [str(d) for d in self.raw.get("difficulties") or ("easy", "normal", "hard")]

    def harder(self, difficulty: str) -> str:
        return str((self.raw.get("harder") or {}).get(difficulty, difficulty))

    def defaults(self) -> dict[str, Any]:
        return dict(self.raw.get("defaults") or {})


def load_book(dialogues: Path | None = None, *, normaliser: Any = None) -> Book:
    from bot.paths import dialogues_dir

    folder = Path(dialogues) if dialogues else dialogues_dir()
    rules = load_rules(folder, normaliser)
    personas = {}
    for path in sorted((folder / "personas").glob("*.yaml")):
        p = _persona(path)
        personas[p.id] = p
    if not personas:
        raise ContentError(
            folder / "personas", None, "no personas found (expected personas/*.yaml)"
        )
    return Book(rules=rules, personas=personas)


@lru_cache(maxsize=4)
def _cached_book(folder: str) -> Book:
    return load_book(Path(folder))


def default_book(dialogues: Path | None = None) -> Book:
    from bot.paths import dialogues_dir

    return _cached_book(str(Path(dialogues) if dialogues else dialogues_dir()))


class _Call:
    """The model the persona's machine drives: its state and the counters conditions read."""

    state: str

    def __init__(self, limit: int, plan: str) -> None:
        self.limit = limit
        self.pushes = 0
        self.heard_decision = False
        self.plan = plan

    def can_push(self) -> bool:
        return self.pushes < self.limit

    def decided(self) -> bool:
        return self.heard_decision

    def negotiating(self) -> bool:
        return self.plan == "negotiate"

    def pressed(self) -> bool:
        return self.pushes > 0


class Rehearsal:
    """One practice call with one persona. See the module docstring for the loop."""

    finished: bool
    _opened: bool

    def __init__(
        self,
        persona_id: str = "gracious",
        difficulty: str = "normal",
        seed: int = 0,
        context: Mapping[str, Any] | None = None,
        content_dir: Path | str | None = None,
        *,
        book: Book | None = None,
    ) -> None:
        self.book = book or default_book(Path(content_dir) if content_dir else None)
        if persona_id not in self.book.personas:
            raise RehearsalError(
                self.coach_text(
                    "unknown-persona", asked=persona_id, known=sorted(self.book.personas)
                )
            )
        if difficulty not in self.book.difficulties:
            raise RehearsalError(
                f"unknown difficulty {difficulty!r} (one of {', '.join(self.book.difficulties)})"
            )
        self.persona = self.book.personas[persona_id]
        self.difficulty = difficulty
        self.seed = int(seed)
        ctx = self.book.defaults()
        for key, value in (context or {}).items():
            if value not in (None, ""):
                ctx[key] = value
        plan = str(ctx.get("plan") or "decline")
        self.plan = plan if plan in PLANS else "decline"
        self.context = {k: str(ctx.get(k) or "") for k in CONTEXT_KEYS}
        self.inputs: list[str] = []  # every raw line given to turn(), for replay
        self._reset()

    # -- public API --------------------------------------------------------------------------

    @property
    def persona_id(self) -> str:
        return self.persona.id

    @property
    def state(self) -> str:
        return self.model.state

    @property
    def next_difficulty(self) -> str:
        return self.book.harder(self.difficulty)

    def opening(self) -> list[Event]:
        """The coach's set-up line and the manager picking up (or the voicemail greeting)."""
        if self._opened:
            return []
        self._opened = True
        out: list[Event] = [self._coach("intro")]
        out += self._manager(self._pick("opening", self._pool("opening")))
        return out

    def turn(self, raw: str) -> list[Event]:
        """The person says one line; returns what the manager (or coach) says back."""
        self.inputs.append(raw)
        out: list[Event] = [] if self._opened else self.opening()
        text = sanitise(raw).text
        meta = self.rules.meta_kind(text) if text else None
        if meta == "restart":
            return out + self._restart()
        if self.finished:
            return [*out, self._coach("after-end")]
        if meta == "hint":
            return [*out, self._hint()]
        if meta == "end-call":
            self._log("user", text)
            return out + self._finish(early=True)
        self._log("user", text)
        turn = self.rules.turn(
            len(self.turns), text, state=self.state, pressed=self.model.pushes > 0
        )
        self.turns.append(turn)
        out += self._respond(turn)
        return out

    def end(self) -> list[Event]:
        """Hang up now (a front-end's "end call" button, or the end of input)."""
        if self.finished:
            return []
        return self._finish(early=True)

    def hint(self) -> list[Event]:
        """The coach's pointer for this moment of the call (a front-end's "hint" button)."""
        return [self._hint()]

    def scorecard(self) -> Scorecard:
        title = self.book.renderer.inline(
            str((self.rules.raw.get("scorecard") or {}).get("title") or "Scorecard"),
            self._ctx(),
            origin="rehearsal.yaml:scorecard.title",
        )
        return Scorecard(title=title, lines=tuple(score_call(self.turns, self.plan, self.rules)))

    def to_json(self) -> dict[str, Any]:
        card = self.scorecard()
        return {
            "persona": self.persona.id,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "plan": self.plan,
            "finished": self.finished,
            "transcript": [dict(t) for t in self.transcript],
            "scorecard": [
                {"check": s.check, "ok": s.ok, "note": s.note, "quote": s.quote, "better": s.better}
                for s in card.lines
            ],
        }

    def snapshot(self) -> dict[str, Any]:
        """Plain data that ``Rehearsal.replay`` turns back into this exact call."""
        return {
            "persona": self.persona.id,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "context": {**self.context, "plan": self.plan},
            "inputs": list(self.inputs),
        }

    @classmethod
    def replay(cls, snap: Mapping[str, Any], *, book: Book | None = None) -> Rehearsal:
        r = cls(
            str(snap.get("persona") or "gracious"),
            str(snap.get("difficulty") or "normal"),
            int(snap.get("seed") or 0),
            dict(snap.get("context") or {}),
            book=book,
        )
        r.opening()
        for line in snap.get("inputs") or ():
            r.turn(str(line))
        return r

    def harder(self, seed: int | None = None) -> Rehearsal:
        """The same call one notch harder (the "try again, harder" offer)."""
        return Rehearsal(
            self.persona.id,
            self.next_difficulty,
            self.seed + 1 if seed is None else seed,
            {**self.context, "plan": self.plan},
            book=self.book,
        )

    def coach_text(self, key: str, **extra: Any) -> str:
        source = str((self.book.raw.get("coach") or {}).get(key) or "")
        ctx = self._ctx() if hasattr(self, "persona") else {}
        return self.book.renderer.inline(
            source, {**ctx, **extra}, origin=f"rehearsal.yaml:coach.{key}"
        )

    # -- the call --------------------------------------------------------------------------------

    @property
    def rules(self) -> CallRules:
        return self.book.rules

    def _reset(self) -> None:
        p = self.persona
        self.rng = random.Random(f"{self.seed}:{p.id}:{self.difficulty}")
        self.turns: list[Turn] = []
        self.transcript: list[dict[str, str]] = []
        self.finished = False
        self._opened = False
        self._used: dict[str, set[int]] = {}
        self._silences = 0
        self._words = 0
        self.model = _Call(int(p.setting(self.difficulty, "pushes", 1)), self.plan)
        transitions = list(p.transitions) + [
            {"trigger": t, "source": "*", "dest": "ended"} for t in ENDINGS
        ]
        self.machine = Machine(
            model=self.model,
            states=p.states,
            transitions=transitions,
            initial=p.initial,
            auto_transitions=False,
            ignore_invalid_triggers=True,
        )

    def _restart(self) -> list[Event]:
        self._reset()
        out: list[Event] = [self._coach("restarted")]
        self._opened = True
        out += self._manager(self._pick("opening", self._pool("opening")))
        return out

    def _trigger_for(self, turn: Turn) -> str:
        if turn.silent:
            return "silence"
        kinds = turn.kinds
        if not kinds:
            return "nonsense"
        decision = turn.first("decision")
        if decision and all(h.hedged for h in turn.all("decision")) and "waver" not in kinds:
            kinds = (kinds - {"decision"}) | {"waver"}
        for kind in self.rules.trigger_order:
            if kind not in kinds:
                continue
            if kind == "waver" and self.plan == "negotiate":
                return "ask"
            if kind == "decision" and self.model.heard_decision:
                return "firm"
            return kind
        return "any"

    def _respond(self, turn: Turn) -> list[Event]:
        p = self.persona
        trigger = self._trigger_for(turn)
        out: list[Event] = []
        said: list[str] = []
        if trigger == "silence":
            self._silences += 1
            if self._silences >= int(p.setting(self.difficulty, "patience", 3)):
                return self._end_by("hang-up")
            said.append(self._pick("silence", self._common_pool("silence", p.silence)))
            return self._manager(*said)
        self._silences = 0
        self._words += len(turn.text.split())
        max_words = p.setting(self.difficulty, "max-words", None)
        if max_words and self._words > int(max_words):
            return self._end_by("cut-off")
        if len(self.turns) > self.rules.max_turns:
            return self._end_by("time-up")
        if trigger == "nonsense":
            said.append(self._pick("nonsense", self._common_pool("nonsense", p.nonsense)))
            return self._manager(*said)
        if trigger == "waver" and self.plan == "decline":
            self.model.limit += int(p.setting(self.difficulty, "waver-pushes", 0))
        reaction = self._reaction(turn, trigger)
        if reaction:
            said.append(reaction)
        if "decision" in turn.kinds or trigger == "ask":
            self.model.heard_decision = True
        before = self.model.state
        fired = self._fire(trigger)
        if not fired:
            trigger, fired = "any", self._fire("any")
        state = self.model.state
        if fired:
            if state == "pressing":
                self.model.pushes += 1
            said.append(self._state_line(state, trigger))
        elif before == state:
            stay = self.persona.stay.get(state) or []
            if stay:
                said.append(self._pick(f"stay:{state}", stay))
        out += self._manager(*said)
        if state == "ended":
            out += self._finish()
        return out

    def _reaction(self, turn: Turn, trigger: str) -> str:
        if not self.persona.reacts:
            return ""
        kinds = set(turn.kinds)
        if trigger == "ask":
            kinds.add("ask")
        if self.model.heard_decision:
            kinds.discard("decision")
        soft = set(self.rules.soft_reactions)
        if trigger not in soft or self.model.state == "closing":
            kinds -= soft  # a "thanks" inside a firm answer needs no "you're welcome"
        for kind in self.rules.react_order:
            if kind not in kinds:
                continue
            pool = self.persona.react.get(kind)
            if pool is None:
                pool = [str(x) for x in _as_list(self._common("react").get(kind))]
            if pool:
                return self._pick(f"react:{kind}", pool)
        return ""

    def _state_line(self, state: str, trigger: str) -> str:
        if state == "ended":
            pool = self._pool(trigger) or self._common_pool(trigger, None) or self._pool("ended")
            return self._pick(f"ended:{trigger}", pool)
        own = self._pool(trigger) if trigger not in self.persona.states else []
        if own:
            return self._pick(f"{state}:{trigger}", own)  # e.g. lines.cave: "Wonderful!"
        if state == "pressing":
            steps = self._pool("pressing")
            if steps and isinstance(steps[0], list):
                step = min(self.model.pushes, len(steps)) - 1
                return self._pick(f"pressing:{step}", steps[max(step, 0)])
            return self._pick("pressing", steps)
        return self._pick(state, self._pool(state))

    def _fire(self, trigger: str) -> bool:
        # Asking first keeps transitions from logging a warning for every unhandled kind.
        if trigger not in self.machine.get_triggers(self.model.state):
            return False
        return bool(self.model.trigger(trigger))  # type: ignore[attr-defined]

    def _end_by(self, trigger: str) -> list[Event]:
        self._fire(trigger)
        line = self._state_line("ended", trigger)
        return self._manager(line) + self._finish()

    def _finish(self, *, early: bool = False) -> list[Event]:
        self.finished = True
        return [
            self._coach("ended-early" if early else "step-out"),
            self._record(self.scorecard()),
            self._coach("offer"),
        ]

    # -- lines ---------------------------------------------------------------------------------

    def _common(self, key: str) -> dict[str, Any]:
        return dict((self.book.raw.get("manager") or {}).get(key) or {})

    def _common_pool(self, key: str, own: list[str] | None) -> list[str]:
        if own is not None:
            return own
        return [str(x) for x in _as_list((self.book.raw.get("manager") or {}).get(key))]

    def _pool(self, key: str) -> list[Any]:
        if (
            self.persona.setting(self.difficulty, "lines", "") == "hard"
            and key in self.persona.hard
        ):
            return _as_list(self.persona.hard[key])
        return _as_list(self.persona.lines.get(key))

    def _pick(self, key: str, pool: Iterable[Any]) -> str:
        options = [str(x) for x in pool if not isinstance(x, list)]
        if not options:
            return ""
        used = self._used.setdefault(key, set())
        fresh = [i for i in range(len(options)) if i not in used] or list(range(len(options)))
        if len(fresh) == len(options):
            used.clear()
        i = fresh[self.rng.randrange(len(fresh))]
        used.add(i)
        return self.book.renderer.inline(
            options[i], self._ctx(), origin=f"{self.persona.file}:{key}"
        )

    def _ctx(self) -> dict[str, Any]:
        return {
            **self.context,
            "who": self.persona.who,
            "persona": self.persona.id,
            "persona_title": self.persona.title,
            "difficulty": self.difficulty,
            "next_difficulty": self.next_difficulty,
            "plan": self.plan,
        }

    def _hint(self) -> Say:
        hints = {
            **{str(k): str(v) for k, v in (self.book.raw.get("hints") or {}).items()},
            **self.persona.hints,
        }
        keys = []
        if self.persona.id == "voicemail":
            keys.append("voicemail")
        if not self.turns or all(t.silent for t in self.turns):
            keys += [f"opening-{self.plan}", "opening"]
        if not self.model.heard_decision:
            keys.append(f"no-decision-{self.plan}")
        keys += [f"{self.state}-{self.plan}", self.state]
        source = next((hints[k] for k in keys if k in hints), "")
        text = self.book.renderer.inline(source, self._ctx(), origin="rehearsal.yaml:hints")
        return self._record(Say(text, speaker="coach"))  # type: ignore[return-value]

    def _manager(self, *texts: str) -> list[Event]:
        return [self._record(Say(t, speaker="manager")) for t in texts if t]

    def _coach(self, key: str) -> Say:
        return self._record(Say(self.coach_text(key), speaker="coach"))  # type: ignore[return-value]

    def _record(self, event: Event) -> Event:
        if isinstance(event, Say) and event.text:
            self._log(event.speaker, event.text)
        return event

    def _log(self, speaker: str, text: str) -> None:
        self.transcript.append({"speaker": speaker, "text": text})


def personas(dialogues: Path | None = None) -> list[Persona]:
    return list(default_book(dialogues).personas.values())
