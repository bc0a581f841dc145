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
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
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
#: Reactions given once per call at most.
ONCE = ("greeting", "thanks", "goodwill")
#: Triggers every persona understands without declaring them: the call ends.
ENDINGS = ("hang-up", "time-up", "cut-off")
CONTEXT_KEYS = ("name", "company", "role", "manager")
#: What a pressing step may ask for; a step is skipped once the person has told (or refused).
ASKS = ("reason", "where", "figures", "sure", "what-it-takes", "decision")
# A persona file's keys are declared in bot/schema.py (Persona).


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
    raw = load_yaml(path, "Persona")
    if not isinstance(raw, dict):
        raise ContentError(path, None, "a persona file should be a block of 'key: value' lines")
    line = raw.line_of if isinstance(raw, LineDict) else (lambda _k: None)
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


_NOBODY = "\x00"
#: Marks a stand-in (``defaults``) for a manager, company or role the case does not know, so
#: a line that would say it can be told apart and another line chosen.
_STAND_IN = "\x01"
_STAND_IN_KEYS = ("manager", "company", "role")


def _unsaid(texts: Iterable[str], said: set[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text and text not in said and text not in out:
            out.append(text)
    return out


def _unnamed(text: str) -> str:
    """A line written for a name, said without one: "Hi <name>, thanks" -> "Hi, thanks"."""
    if _NOBODY not in text:
        return text
    text = re.sub(
        r"([.!?])\s*\x00[,!.?]*\s*(\w)", lambda m: f"{m.group(1)} {m.group(2).upper()}", text
    )
    text = re.sub(r",?[ \t]*\x00", "", text)
    text = re.sub(r"^[\s!,.?]+", "", text)
    text = re.sub(r"([.!?]\s+)[!,.?]+\s*", r"\1", text)
    return text[:1].upper() + text[1:]


def _step_of(step: Any) -> tuple[set[str], list[Any]]:
    """A pressing step: its variants, and what it asks for (``{asks: reason, say: [...]}``)."""
    if isinstance(step, dict):
        return {str(a) for a in _as_list(step.get("asks"))}, _as_list(step.get("say"))
    return set(), _as_list(step)


def _check_lines(path: Path, value: Any, where: str, line: int | None) -> None:
    """Every line is a string; a list may hold variants or (for pressing) steps of variants."""
    if value is None or isinstance(value, str):
        return
    if isinstance(value, list):
        for item in value:
            _check_lines(path, item, where, line)
        return
    if isinstance(value, dict) and "say" in value and where.endswith("pressing"):
        unknown = set(value) - {"say", "asks"}
        if unknown:
            raise ContentError(
                path, getattr(value, "line", None) or line,
                f"{where}: unknown key '{sorted(unknown)[0]}' (a step has 'say' and 'asks')",
            )
        for a in _as_list(value.get("asks")):
            if str(a) not in ASKS:
                raise ContentError(
                    path, getattr(value, "line", None) or line,
                    f"{where}: asks '{a}' is not one of {', '.join(ASKS)}",
                )
        _check_lines(path, value.get("say"), where, line)
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
        #: The facts that came from the case (not the stand-ins in ``defaults``).
        given = dict(context or {})
        if isinstance(given.get("known"), list):  # a snapshot says which names were real
            self.known = frozenset(str(k) for k in given["known"])
        else:
            self.known = frozenset(
                k for k in (*CONTEXT_KEYS, "reply_by") if given.get(k) not in (None, "")
            )
        self.reply_by = str((context or {}).get("reply_by") or "")
        # As the call began: a snapshot replays from here (names learned on the call are
        # learned again from the same lines).
        self._started = ({**self.context}, self.known)
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
            len(self.turns), text, state=self.state, pressed=self.model.pushes > 0,
            heard=self._last_manager_line(),
            decided=any(t.kinds & {"decision", "firm", "waver"} for t in self.turns),
        )
        self.turns.append(turn)
        if "greeting" in turn.kinds or len(self.turns) == 1:
            self._learn_names(text)
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
        return Scorecard(
            title=title,
            lines=tuple(
                replace(line, title=self.rules.title(line.check))
                for line in score_call(self.turns, self.plan, self.rules, context=self._ctx())
            ),
        )

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
                {"check": s.check, "title": s.title, "ok": s.ok, "note": s.note, "quote": s.quote,
                 "better": s.better}
                for s in card.lines
            ],
        }

    def snapshot(self) -> dict[str, Any]:
        """Plain data that ``Rehearsal.replay`` turns back into this exact call."""
        return {
            "persona": self.persona.id,
            "difficulty": self.difficulty,
            "seed": self.seed,
            "context": {
                **self._started[0],
                "plan": self.plan,
                **({"reply_by": self.reply_by} if self.reply_by else {}),
                "known": sorted(self._started[1]),
            },
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
            {**self.context, "plan": self.plan, "reply_by": self.reply_by,
             "known": sorted(self.known)},
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
        self.triggers: list[str] = []  # how each line was taken ("nonsense" = "you broke up")
        self.transcript: list[dict[str, str]] = []
        self.finished = False
        self._opened = False
        self._said: set[str] = set()  # every manager line so far: never the same line twice
        self.told: set[str] = set()  # what the person has already told (or refused to tell)
        self._reacted: set[str] = set()  # once-only reactions already given (greeting...)
        self._step = 0  # the next pressing step
        self._nonsense = 0
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
        if turn.noise:
            return "nonsense"
        kinds = set(turn.kinds)
        if not kinds:
            return "any"  # a real sentence nothing was read in: listened to, not "you broke up"
        if self.state == "closing" and "goodbye" in kinds and "waver" not in kinds:
            return "goodbye"
        if not self.persona.reacts and "goodbye" in kinds:
            return "goodbye"  # a voicemail ends when the message signs off
        if turn.first("decision") and all(h.hedged for h in turn.all("decision")):
            kinds = (kinds - {"decision"}) | {"waver"}
        if kinds - self._soft <= set(self.rules.answer_only) | {"rudeness", "criticism"}:
            return "listen"  # a question, a greeting, a jibe: answered; the call stays put
        for kind in self.rules.trigger_order:
            if kind not in kinds:
                continue
            if kind in ("waver", "negotiation") and self.plan != "decline":
                return "ask"  # negotiating or asking for time was the plan
            if kind == "negotiation":
                return "waver"  # naming terms when the plan was to decline
            if kind == "refusal":
                return "firm"
            if kind == "decision" and self.model.heard_decision:
                return "firm"
            return kind
        return "rude" if "rudeness" in kinds else "any"

    @property
    def _soft(self) -> set[str]:
        return set(self.rules.soft_reactions) | {"empathy"}

    def _remember(self, turn: Turn) -> None:
        """What the person has now told the manager, so nobody asks for it again."""
        kinds = turn.kinds
        if "reason" in kinds or "refusal" in kinds:
            self.told.add("reason")
        if "figures" in kinds or "refusal" in kinds:
            self.told.add("figures")
        if turn.topics.get("another-offer") or "refusal" in kinds or (re.search(
            r"\b(with|at|for|to|joining|join)\s+[A-Z][\w&.-]+", turn.text
        ) and "reason" in kinds):
            self.told.add("where")
        if "firm" in kinds:
            self.told.add("sure")
        if "negotiation" in kinds or "refusal" in kinds:
            self.told.add("what-it-takes")
        if "decision" in kinds or "firm" in kinds:
            self.told.add("decision")

    def _respond(self, turn: Turn) -> list[Event]:
        p = self.persona
        trigger = self._trigger_for(turn)
        self.triggers.append(trigger)
        said: list[str] = []
        if trigger == "silence":
            self._silences += 1
            line = ""
            if self._silences < int(p.setting(self.difficulty, "patience", 3)):
                line = self._pick("silence", self._common_pool("silence", p.silence))
            if not line and p.reacts:
                return self._end_by("hang-up")
            if not line and self._silences >= int(p.setting(self.difficulty, "patience", 3)):
                return self._end_by("hang-up")
            return self._manager(line)
        self._silences = 0
        self._words += len(turn.text.split())
        max_words = p.setting(self.difficulty, "max-words", None)
        if max_words and self._words > int(max_words):
            return self._end_by("cut-off")
        if len(self.turns) > self.rules.max_turns:
            return self._end_by("time-up")
        if trigger == "nonsense":
            self._nonsense += 1
            line = self._pick("nonsense", self._common_pool("nonsense", p.nonsense))
            if not line and p.reacts:
                return self._end_by("hang-up")
            return self._manager(line)
        self._remember(turn)
        if trigger == "waver" and self.plan == "decline":
            self.model.limit += int(p.setting(self.difficulty, "waver-pushes", 0))
        wrap_up = self._wraps_up(turn)
        if wrap_up and self.state == "pressing":
            self.model.limit = self.model.pushes  # they are saying goodbye: no more pushing
        reaction = "" if wrap_up and self.state == "pressing" else self._reaction(turn, trigger)
        if reaction:
            said.append(reaction)
        if "decision" in turn.kinds or trigger == "ask":
            self.model.heard_decision = True
        if trigger == "listen":
            if not reaction or (
                self.state == "opening" and not self.model.heard_decision
                and "rudeness" not in turn.kinds
            ):
                stay = self._pick(f"stay:{self.state}", self.persona.stay.get(self.state) or [])
                if stay:
                    said.append(stay)
            return self._manager(*said)
        before = self.model.state
        fired = self._fire(trigger)
        if not fired:
            trigger, fired = "any", self._fire("any")
        state = self.model.state
        if fired:
            line = self._state_line(state, trigger)
            if not line and state == "pressing":
                # Nothing left to push with that has not been said or answered: wrap up.
                self.model.limit = self.model.pushes
                if "closing" in p.states:
                    self.machine.set_state("closing", self.model)
                state = "closing"
                line = self._state_line(state, "any")
            elif state == "pressing":
                self.model.pushes += 1
            said.append(line)
        elif before == state:
            said.append(self._pick(f"stay:{state}", self.persona.stay.get(state) or []))
        if not any(said) and state == "closing" and p.reacts:
            # Everything warm has been said: the manager says goodbye.
            self._fire("goodbye")
            state = self.model.state
            said.append(self._state_line(state, "goodbye") if state == "ended" else "")
        out = self._manager(*said)
        if state == "ended":
            out += self._finish()
        return out

    def _wraps_up(self, turn: Turn) -> bool:
        """A line that closes the conversation: goodbye, or only thanks and warm words."""
        kinds = turn.kinds
        if kinds & {"waver", "cave", "negotiation", "question", "feedback", "rudeness"}:
            return False
        if "goodbye" in kinds:
            return True
        # "Thank you for understanding": only courtesies, after being pushed, closes too.
        return bool(kinds) and kinds <= self._soft and (self.model.pushes > 0 or "goodwill" in kinds)

    def _reaction(self, turn: Turn, trigger: str) -> str:
        if not self.persona.reacts:
            return ""
        kinds = set(turn.kinds)
        if trigger == "ask":
            kinds.add("ask")
            kinds.discard("negotiation")
            kinds.discard("waver")
        if trigger == "waver":
            kinds.add("waver")
        if self.model.heard_decision:
            kinds.discard("decision")
        kinds -= self._reacted  # a greeting is answered once
        soft = set(self.rules.soft_reactions)
        if (trigger not in soft and trigger != "listen") or self.model.state == "closing":
            kinds -= soft  # a "thanks" inside a firm answer needs no "you're welcome"
        for kind in self.rules.react_order:
            if kind not in kinds:
                continue
            pool = self.persona.react.get(kind)
            if pool is None and kind == "negotiation":
                pool = self.persona.react.get("ask")
            if pool is None:
                pool = [str(x) for x in _as_list(self._common("react").get(kind))]
            line = self._pick(f"react:{kind}", pool) if pool else ""
            if line:
                if kind in ONCE:
                    self._reacted.add(kind)
                return line
        return ""

    def _state_line(self, state: str, trigger: str) -> str:
        if state == "ended":
            pool = self._pool(trigger) or self._common_pool(trigger, None) or self._pool("ended")
            line = self._pick(f"ended:{trigger}", pool)
            return line or self._pick("ended", self._pool("ended"))
        own = self._pool(trigger) if trigger not in self.persona.states else []
        if own:
            line = self._pick(f"{state}:{trigger}", own)  # e.g. lines.cave: "Wonderful!"
            if line:
                return line
        if state == "pressing":
            return self._push()
        line = self._pick(state, self._pool(state))
        return line or self._pick(f"stay:{state}", self.persona.stay.get(state) or [])

    def _push(self) -> str:
        """The next push that asks for nothing already told, said in words not used yet."""
        steps = self._pool("pressing")
        if not steps or not isinstance(steps[0], (list, dict)):
            return self._pick("pressing", steps)
        while self._step < len(steps):
            step = steps[self._step]
            self._step += 1
            asks, pool = _step_of(step)
            if asks & self.told:
                continue
            line = self._pick(f"pressing:{self._step}", pool)
            if line:
                return line
        return ""

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
        """One of the lines, never one already said in this call ("" when all were)."""
        options = [str(x) for x in pool if not isinstance(x, (list, dict))]
        ctx = self._ctx()
        if "name" not in self.known:
            ctx["name"] = _NOBODY  # the manager does not call you by a made-up name
        for fact in _STAND_IN_KEYS:
            if fact not in self.known and ctx.get(fact):
                ctx[fact] = _STAND_IN + str(ctx[fact])
        fresh: list[str] = []
        standing_in: list[str] = []
        for source in options:
            text = _unnamed(
                self.book.renderer.inline(source, ctx, origin=f"{self.persona.file}:{key}")
            )
            (standing_in if _STAND_IN in text else fresh).append(text)
        # A line that needs a name the case does not know is said only when no other line
        # fits (then with the stand-in, as the coach's intro announced the role-play).
        fresh = _unsaid(fresh, self._said) or _unsaid(
            [t.replace(_STAND_IN, "") for t in standing_in], self._said
        )
        if not fresh:
            return ""
        text = fresh[self.rng.randrange(len(fresh))]
        self._said.add(text)
        return text

    def _last_manager_line(self) -> str:
        return next((t["text"] for t in reversed(self.transcript) if t["speaker"] == "manager"), "")

    def _learn_names(self, text: str) -> None:
        """ "Hi Rebecca, it's Liam": names the case did not know, taken from the call."""
        for pattern in self.rules.name_patterns:
            m = pattern.search(text)
            if not m:
                continue
            for key, value in m.groupdict().items():
                if value and key in CONTEXT_KEYS and key not in self.known:
                    self.context[key] = value
                    self.known = self.known | {key}
            return

    def _ctx(self) -> dict[str, Any]:
        return {
            **self.context,
            "who": self.persona.who,
            "persona": self.persona.id,
            "persona_title": self.persona.title,
            "difficulty": self.difficulty,
            "next_difficulty": self.next_difficulty,
            "plan": self.plan,
            "known": sorted(self.known),
            "reply_by": self.reply_by,
            "seed": self.seed,
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


# -- check ----------------------------------------------------------------------------------------

#: Reactions the call derives rather than reads: "ask" is wavering or naming terms when the
#: plan was to negotiate or ask for time.
DERIVED = {"ask": ("waver", "negotiation")}


def unreachable_reactions(book: Book) -> list[tuple[str, str, str]]:
    """(file, reaction, why) for every persona reaction no line of a call can bring out.

    A reaction is reachable when its kind is in ``react-order`` and the kind can be read
    (it has cues or examples in ``rehearsal.yaml``), or it is derived from kinds that can."""
    rules = book.rules
    readable = {k for k, spec in rules.kinds.items() if spec.cues or spec.examples}
    order = set(rules.react_order)
    out: list[tuple[str, str, str]] = []
    sources: list[tuple[str, dict[str, Any]]] = [
        (p.file, dict(p.react)) for p in book.personas.values() if p.reacts
    ]
    sources.append((rules.path, dict((book.raw.get("manager") or {}).get("react") or {})))
    for file, react in sources:
        for kind in react:
            if kind not in order:
                out.append((file, kind, f"reaction '{kind}' is not in react-order, so it is never said"))
            elif kind in DERIVED:
                if not readable & set(DERIVED[kind]):
                    out.append((file, kind, f"reaction '{kind}': none of {DERIVED[kind]} can be read"))
            elif kind not in readable:
                out.append((file, kind, f"reaction '{kind}': no cue or example reads a line as '{kind}'"))
    return out


def _line_in(file: str, key: str) -> int:
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    inside = False
    for i, line in enumerate(lines, 1):
        if line.rstrip() in ("react:", "  react:"):
            inside = True
        elif inside and line.lstrip().startswith(f"{key}:"):
            return i
    return 0


def check_content(content: Any, renderer: Any) -> list[Any]:
    """``decline-coach check``: persona reactions no caller line can reach."""
    from bot.check import Problem

    try:
        book = load_book(content.dialogues, normaliser=content.normaliser)
    except ContentError:
        return []  # reported by check's loaders, at its line
    root = Path(content.dialogues).parent
    problems = []
    for file, kind, why in unreachable_reactions(book):
        try:
            rel = str(Path(file).relative_to(root))
        except ValueError:
            rel = file
        problems.append(Problem(rel, _line_in(file, kind), why))
    return problems
