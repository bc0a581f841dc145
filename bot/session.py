"""One conversation: where it is, what it knows, what was said, and one turn at a time.

The turn pipeline (DESIGN.md): sanitise -> global intents -> what the current state
expects (a choice by number or label, a slot value, a state intent) -> interrupts
(scenarios, FAQ, corrections) -> escalating no-match. Each turn returns typed events.

A session is plain data plus the machine: ``snapshot()`` is JSON and ``Session.restore``
rebuilds the exact same conversation from it.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from bot import extract
from bot.actions import interrupts, load_actions
from bot.content import OFF_TOPIC, Content, Edge, StateSpec
from bot.events import Choice, Choices, End, Event, Notice, Say
from bot.machine import NEXT, ConversationModel, build_machine, transition_name
from bot.moves import Detour, Move, Stay, UndeclaredMove
from bot.moves import resolve as move_target
from bot.nlu import Match
from bot.reading import Reading, reader_for
from bot.render import Renderer, RenderError
from bot.text import sanitise

SNAPSHOT_VERSION = 1
_CHOICE_NUMBER = re.compile(r"^\s*(?:option|choice|number|no\.?|#)?\s*(\d{1,2})\s*[.)]?\s*$", re.IGNORECASE)
_MAX_AUTO_STEPS = 25  # pass-through states followed in one turn before we stop (a loop guard)
_FREE_TEXT = ("text", "person", "company", "role", "list")
GLOBAL_MIN_SCORE = 75.0  # a fuzzy help/back/restart/quit needs at least this


def _declared(hook: Callable[..., Any]) -> tuple[tuple[str, ...], str]:
    """The moves an interrupt used as ``capture`` declared, and its name."""
    for i in interrupts():
        if i.fn is hook:
            return i.goes, f"interrupt '{i.name}'"
    return (), "capture"


class Session:
    def __init__(
        self,
        content: Content,
        *,
        renderer: Renderer | None = None,
        today: dt.date | None = None,
        seed: int = 0,
    ) -> None:
        self.content = content
        self.renderer = renderer or Renderer(content.templates)
        self.today = today or dt.date.today()
        self.seed = seed
        self.slots: dict[str, Any] = {}
        self.history: list[dict[str, Any]] = []
        self.transcript: list[dict[str, str]] = []
        self.returns: list[str] = []
        self.misses = 0
        self.finished = False
        self.turns = 0
        self._out: list[Event] = []
        #: States whose prompt was shown while handling the last line (pass-throughs included).
        self.trail: list[str] = []
        self.last_trail: list[str] = []
        self.model = ConversationModel(self._on_enter, self.condition, self._edge_effects)
        self.machine = build_machine(content, self.model)
        self._compiled: dict[str, Callable[..., Any]] = {}
        #: A front-end may set this to render events into the transcript its own way.
        self.formatter: Callable[[Event], str] | None = None
        #: While set, every line goes here first (a role-played call takes "bye" and silence
        #: as lines of the call, not as the coach's quit or an empty answer). Returning None
        #: passes the line on to the normal pipeline.
        self.capture: Callable[[Session, str], list[Event] | Move | None] | None = None
        #: How the line being handled was read (bot/reading.py); None between turns.
        self.reading: Reading | None = None
        #: Slots in the order they were last filled, for corrections that name no slot
        #: ("no, her name is Anita" corrects the person named last).
        self.filled_order: list[str] = []
        #: Slot -> the state whose question it answered (that question may be asked again).
        self.answered_at: dict[str, str] = {}
        # Optional facts the person chose not to give ("skip" at "who's the hiring manager?"):
        # a later question for the same fact counts it as answered.
        self.not_given: list[str] = []
        #: The state whose question was just skipped because its answer is known.
        self._skipped: str | None = None
        #: The quick replies shown last: a number typed next refers to these.
        self.offered: tuple[Choice, ...] = ()

    # -- public API ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.model.state

    @property
    def spec(self) -> StateSpec:
        return self.content.state(self.state)

    @property
    def stage(self) -> str | None:
        flow = self.content.flows[self.spec.flow]
        return self.spec.stage or flow.stage

    @property
    def expects_multiline(self) -> bool:
        return self.spec.multiline

    def start(self) -> list[Event]:
        """The opening prompt (the initial state's on_enter does not run on construction)."""
        self._out = []
        self._render_state(self.spec)
        self._follow_passthrough()
        return self._flush()

    def prompt(self) -> list[Event]:
        """Say the current question again (after resuming a saved case).

        The question is already in the transcript from when it was first asked, so it is
        not recorded a second time.
        """
        self._out = []
        before = len(self.transcript)
        self._render_state(self.spec, reprompt=True)
        del self.transcript[before:]
        return self._flush()

    def handle(self, raw: str) -> list[Event]:
        self._out = []
        clean = sanitise(raw, multiline=self.expects_multiline)
        self.turns += 1
        if clean.trimmed:
            self._notice("trimmed", level="warning", length=clean.original_length)
        text = clean.text
        self._log("user", text)
        if self.finished and self._offered_menu_flow(text):
            self.finished = False
            self._menu_pick(text)
            return self._flush()
        if self.finished:
            self._say_msg("finished")
            self.finished = False
            self._choices_from_menu()
            return self._flush()
        if self.capture is not None and not self._names_a_choice(text):
            hook, captured = self.capture, self.capture(self, text)
            if captured is not None:
                self._result(captured, *_declared(hook))
                return self._flush()
        if not text.strip():
            self._say_msg("empty")
            self._render_state(self.spec, reprompt=True)
            return self._flush()
        self._turn(text)
        return self._flush()

    def snapshot(self) -> dict[str, Any]:
        return {
            "version": SNAPSHOT_VERSION,
            "state": self.state,
            "slots": copy.deepcopy(self.slots),
            "history": copy.deepcopy(self.history),
            "answered_at": dict(self.answered_at),
            "not_given": list(self.not_given),
            "filled_order": list(self.filled_order),
            "returns": list(self.returns),
            "transcript": list(self.transcript),
            "misses": self.misses,
            "finished": self.finished,
            "turns": self.turns,
            "today": self.today.isoformat(),
            "seed": self.seed,
        }

    @classmethod
    def restore(cls, content: Content, snap: dict[str, Any], *, renderer: Renderer | None = None) -> Session:
        session = cls(
            content,
            renderer=renderer,
            today=dt.date.fromisoformat(snap.get("today") or dt.date.today().isoformat()),
            seed=int(snap.get("seed", 0)),
        )
        state = snap.get("state") or content.start
        if state not in content.states:
            # The content changed since this case was saved: resume at the start, keep the facts.
            state = content.start
        session.machine.place(session.model, state)
        session.slots = dict(snap.get("slots") or {})
        session.history = list(snap.get("history") or [])
        session.answered_at = {str(k): str(v) for k, v in (snap.get("answered_at") or {}).items()}
        session.filled_order = [str(x) for x in snap.get("filled_order") or []]
        session.not_given = [str(x) for x in snap.get("not_given") or []]
        session.returns = [r for r in snap.get("returns") or [] if r in content.states]
        session.transcript = list(snap.get("transcript") or [])
        session.misses = int(snap.get("misses", 0))
        session.finished = bool(snap.get("finished", False))
        session.turns = int(snap.get("turns", 0))
        return session

    def context(self, **extra: Any) -> dict[str, Any]:
        ctx: dict[str, Any] = {name: None for name in self.content.slots}
        ctx.update(self.slots)
        ctx.update(
            today=self.today.isoformat(),
            state=self.state,
            flow=self.spec.flow,
            stage=self.stage,
        )
        ctx.update(extra)
        return ctx

    def say(self, text: str, speaker: str = "coach") -> None:
        """For actions: say something now (already rendered)."""
        self._emit(Say(text, speaker))  # type: ignore[arg-type]

    def emit(self, event: Event) -> None:
        self._emit(event)

    def render(self, source: str, origin: str = "", **extra: Any) -> str:
        return self.renderer.inline(source, self.context(**extra), origin=origin)

    def render_file(self, name: str, **extra: Any) -> str:
        return self.renderer.file(name, self.context(**extra))

    def message(self, key: str, **extra: Any) -> str:
        return self.render(self.content.messages[key], origin=f"coach.yaml:{key}", **extra)

    def condition(self, expr: str, **extra: Any) -> bool:
        fn = self._compiled.get(expr)
        if fn is None:
            fn = self.renderer.env.compile_expression(expr, undefined_to_none=False)
            self._compiled[expr] = fn
        try:
            return bool(fn(**self.context(**extra)))
        except (TypeError, ValueError, ArithmeticError, RenderError):
            return False

    def perform(self, move: Move, goes: tuple[str, ...], who: str) -> None:
        """Have the machine perform a move an action or interrupt returned (``bot.moves``):
        only to states its registration declared in ``goes=``, which ``check`` verifies."""
        if isinstance(move, Stay):
            return
        declared = {move_target(self.content, t) for t in goes}
        full = move_target(self.content, move.target)
        back = move_target(self.content, move.back_to) if isinstance(move, Detour) and move.back_to else None
        for name in (full, back):
            if name is not None and (name not in declared or name not in self.content.states):
                raise UndeclaredMove(f"{who} moved to '{name}', which it does not declare in goes= or is no state")
        if isinstance(move, Detour) and (back or full != self.state):
            self.returns.append(back or self.state)
        if not self.machine.move(self.model, full):
            raise UndeclaredMove(f"{who}: the machine has no move to '{full}' from '{self.state}'")
        self._follow_passthrough()

    def _result(self, result: list[Event] | Move | None, goes: tuple[str, ...], who: str) -> None:
        """What an action or interrupt returned: its events said, or its move performed."""
        if isinstance(result, list):
            for ev in result:
                self._emit(ev)
        elif result is not None:
            self.perform(result, goes, who)

    def return_from_side_trip(self) -> bool:
        if not self.returns:
            return False
        self._jump(self.returns.pop(), resumed=True)
        return True

    def match_intent(self, text: str, allowed: set[str] | frozenset[str] | None = None) -> Match:
        return self.content.match_intent(text, allowed)

    # -- the turn pipeline ----------------------------------------------------------------------

    def _turn(self, text: str) -> None:
        """Read the line once, then let the state, the frame and the interrupts act on it."""
        st = self.spec
        open_answer = st.ask is not None and self.content.slots[st.ask].type in ("text", "choice")
        people = st.ask is not None and self.content.slots[st.ask].type in ("person", "list")
        self.reading = reader_for(self.content).read(
            text, self.today, asked=st.ask, open_answer=open_answer, names_people=people
        )
        self.reading.only_facts = self._leftover(text, self.reading, sure_only=False) == ""
        start_state, start_slots, start_misses = self.state, copy.deepcopy(self.slots), self.misses
        try:
            how = self._dispatch(st, text, self.reading)
        finally:
            self.reading = None
        if how == "answer":
            self._escalate_if_stuck(start_state, start_slots, start_misses)

    def _dispatch(self, st: StateSpec, text: str, reading: Reading) -> str:
        """Act on the line; say how it was taken ("answer": as the answer to this question)."""
        free_text = st.ask is not None and self.content.slots[st.ask].type in _FREE_TEXT
        if self._menu_pick(text):
            return "other"
        # A quick reply named exactly wins over the global words ("Back to the start").
        if self._names_a_choice(text) and self._choice(st, text):
            return "other"
        if self._global(text, free_text):
            return "other"
        if self._correct(text, reading):
            return "other"
        learned = self._absorb(reading)
        if learned and st.ask is None and st.on_facts is None and not self._names_a_choice(text) and (
            reading.only_facts
            or (
                self.match_intent(text).reason == "fuzzy"
                and self._leading_yes_no(self._visible_choices(st), text) is None
            )
        ):
            # Facts, and no choice said plainly ("Tuesday, and the deadline is Friday"): a loose
            # likeness to "yes, and ..." must not pick one. The facts are kept; the question stays.
            self._told_facts(st)
            return "other"
        if self._choice(st, text):
            return "other"
        names_a_thing = st.ask is not None and self.content.slots[st.ask].type in ("person", "company", "role")
        if names_a_thing and self._looks_like_a_sentence(text) and self._interrupted(text, free_text=False):
            return "other"
        if st.ask and self._fill(st, text):
            return "answer"
        if self._state_intent(st, text):
            return "answer"
        if self._interrupted(text, free_text):
            return "other"
        # A situation described goes first; only then does a stance alone take a choice.
        if self._stance(st, reading):
            return "other"
        stype = self.content.slots[st.ask].type if st.ask else None
        if st.ask and (st.optional or stype in ("list", "text")) and self._means_none(text):
            # "skip", "I'd rather not say", "nobody else": no value, and the conversation moves
            # on. An open question that must hold something holds that it was not said.
            self._remember()
            if st.optional and st.ask not in self.not_given:
                self.not_given.append(st.ask)
            if stype == "list":
                self.slots[st.ask] = []
            elif stype == "text" and not st.optional:
                self._set_slot(st.ask, self.message("not_said"))
                self.answered_at[st.ask] = st.full
            self._advance(st)
            return "answer"
        if learned and st.on_facts is not None:
            self._remember()
            self._take(st, st.on_facts)
            return "other"
        if learned:
            self._told_facts(st)
            return "other"
        self._no_match(st, text)
        return "missed"

    def _told_facts(self, st: StateSpec) -> None:
        """The line told facts but not the answer: the question stays open (or, when the
        facts answered it, the conversation moves on)."""
        self.misses = 0
        if self._known(st) and st.next:
            self._advance(st)
        else:
            self._render_state(st, reprompt=True)

    def _means_none(self, text: str) -> bool:
        return reader_for(self.content).means_none(text) or self._skip_words(text)

    def _escalate_if_stuck(self, start_state: str, start_slots: dict[str, Any], start_misses: int) -> None:
        """A turn that went round a loop back to the same question, learning nothing ("yes"
        to a date question), counts as not understood, so the reprompts escalate."""
        def held(slots: dict[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in slots.items() if v not in (None, "", [])}

        own = self.content.state(start_state).ask  # its own answer, which the loop rejected
        before, after = held(start_slots), held(self.slots)
        before.pop(own or "", None)
        after.pop(own or "", None)
        if self.finished or self.state != start_state or before != after or self.misses:
            return
        if len(self.trail) < 2 or all(name == start_state for name in self.trail):
            return
        self.misses = start_misses + 1
        if self.misses == 2:
            if self._visible_choices(self.spec):
                self._say_msg("spelled_out")
            self._spell_out(self.spec)
        elif self.misses >= 3:
            self._say_msg("lost")
            self._choices_from_menu(stuck=True)
            self.misses = 0

    # -- the case frame -------------------------------------------------------------------------

    def _known(self, st: StateSpec) -> bool:
        """The state asks for something the case already holds: it is not asked again."""
        if not st.ask or st.always_ask:
            return False
        if self.answered_at.get(st.ask) == st.full:
            return False  # its own answer, sent back by a reader that could not use it
        if st.optional and st.ask in self.not_given:
            return True  # skipped once already: not asked again
        value = self.slots.get(st.ask)
        return value is not None and value != ""

    def _set_slot(self, name: str, value: Any) -> None:
        self.slots[name] = value
        if name in self.not_given:
            self.not_given.remove(name)
        others = self.slots.get("interviewers")
        if name in ("manager", "recruiter") and isinstance(value, str) and isinstance(others, list):
            # Met earlier and named now as the manager: one person, told once.
            self.slots["interviewers"] = [p for p in others if str(p).lower() != value.lower()]
        self.answered_at.pop(name, None)
        if name in self.filled_order:
            self.filled_order.remove(name)
        self.filled_order.append(name)

    def _absorb(self, reading: Reading) -> list[dict[str, Any]]:
        """Put what the line mentioned into the case; say back the facts it learned."""
        reader = reader_for(self.content)
        learned: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        # A line that is nothing but facts ("no recruiter" at the manager question) meant
        # them, even those read from a looser phrase: they are said back, not ignored.
        whole = reading.only_facts
        for slot, mention in reading.mentions.items():
            if slot not in self.content.slots:
                continue
            old = self.slots.get(slot)
            if old not in (None, "", []):
                if slot in reader.preferences and old != mention.value:
                    # "I'd rather call her": a preference said again replaces the old one.
                    self._set_slot(slot, mention.value)
                    changed.append({"slot": slot, "value": mention.value, "before": old})
                continue  # a known fact: only a correction replaces it (_correct)
            self._set_slot(slot, mention.value)
            for other, value in reader.implied(slot, mention.value).items():
                if other in self.content.slots and self.slots.get(other) in (None, ""):
                    self.slots[other] = value
            # (A yes/no read loosely is said back only where noted.j2 has words for it.)
            said_back = not isinstance(mention.value, bool) or slot in ("recruiter_involved", "signed")
            if mention.sure or (whole and said_back):
                learned.append({"slot": slot, "value": mention.value})
        # The people met, less those who already have their part (the manager named in the
        # same breath as "I met Jonas Weber and Lena Fischer").
        if isinstance(self.slots.get("interviewers"), list) and any(f["slot"] == "interviewers" for f in learned):
            known = {str(self.slots.get(k) or "").lower() for k in ("manager", "recruiter")}
            others = [p for p in self.slots["interviewers"] if str(p).lower() not in known]
            self.slots["interviewers"] = others
            for f in learned:
                if f["slot"] == "interviewers":
                    f["value"] = others
        if learned or changed:
            self._emit(Say(self.render_file("understanding/noted.j2", facts=learned, corrected=changed).strip()))
        return learned + changed

    def _correct(self, text: str, reading: Reading) -> bool:
        """"Actually it's Fabrikam, not Contoso", "no, her name is Anita", "I meant 15%":
        replace the value, say so, and ask the current question again."""
        if not reading.correction:
            return False
        reader = reader_for(self.content)
        changes: list[dict[str, Any]] = []
        for slot, mention in reading.mentions.items():
            old = self.slots.get(slot)
            if slot in self.content.slots and mention.sure and old not in (None, "") and old != mention.value:
                changes.append({"slot": slot, "value": mention.value, "before": old})
        if not changes:
            target, value = self._correction_target(text, reader)
            if target is None:
                return False
            changes.append({"slot": target, "value": value, "before": self.slots.get(target)})
        self._remember()
        for ch in changes:
            self._set_slot(ch["slot"], ch["value"])
        self._emit(Say(self.render_file("understanding/noted.j2", facts=[], corrected=changes).strip()))
        self.misses = 0
        # A state that shows something made from the case (the draft, the checklist) shows
        # it again with the corrected facts; a question is simply asked again.
        self._render_state(self.spec, reprompt=not (self.spec.do and not self.spec.ask))
        return True

    def _correction_target(self, text: str, reader: Any) -> tuple[str | None, Any]:
        """Which slot a correction that names no slot means, and its new value."""
        lowered = text.lower()
        # "..., not Contoso": the slot that holds the value being taken back.
        for name in reversed(self.filled_order):
            old = self.slots.get(name)
            if isinstance(old, str) and len(old) > 1 and old.lower() in lowered:
                rest = re.sub(rf"(?i)(?:,?\s*(?:and\s+)?not\s+)?{re.escape(old)}", " ", text)
                value = self._typed_value(name, reader.strip_answer(reader.strip_correction(rest)))
                return (name, value) if value is not None else (None, None)
        # Otherwise the last slot filled whose type the new value fits ("no, her name is
        # Anita", "I meant 15%"): only a short answer that plainly is such a value.
        answer = reader.strip_answer(reader.strip_correction(text))
        if len(answer.split()) > 3:
            return None, None
        for name in reversed(self.filled_order):
            if name not in self.content.slots or self.content.slots[name].type in ("company", "role"):
                continue
            value = self._typed_value(name, answer)
            if value is not None:
                return name, value
        return None, None

    def _typed_value(self, name: str, answer: str) -> Any:
        if not answer or not any(c.isalnum() for c in answer):
            return None
        stype = self.content.slots[name].type
        if name == "pay_gap":
            m = re.search(r"\d{1,3}(?:\.\d+)?\s?%|\d{1,3}(?:\.\d+)?\s?(?:percent|per cent)", answer)
            return m[0].replace(" ", "").replace("percent", "%").replace("per cent", "%") if m else None
        if stype in ("person", "company", "role"):
            value, ok = self._parse_slot(name, stype, answer)
            if not ok:
                return None
            if stype == "person" and not answer[:1].isupper():
                return None  # a correction that names a person names them
            return value
        if stype in ("date", "number", "money"):
            value, ok = self._parse_slot(name, stype, answer)
            return value if ok else None
        return None

    def _stance(self, st: StateSpec, reading: Reading) -> bool:
        """A line that says where the person stands ("I want to decline", "should I take
        it?") without naming a choice here takes the choice or intent that stance means."""
        intent = reader_for(self.content).stance_intents.get(reading.stance or "")
        if not intent:
            return False
        for c in self._visible_choices(st):
            if c.intent == intent:
                self._remember()
                self._take(st, c.edge)
                return True
        if intent in st.on:
            self._remember()
            self._take(st, st.on[intent])
            return True
        return False

    @staticmethod
    def _looks_like_a_sentence(text: str) -> bool:
        """A question or a long sentence typed where a name was asked is not the name."""
        return text.rstrip().endswith("?") or len(text.split()) > 6

    def _interrupted(self, text: str, free_text: bool) -> bool:
        for hook in interrupts():
            if free_text and len(text.split()) < 5:
                break  # a short answer to "what's the company called?" is the answer, not a scenario
            result = hook.fn(self, text)
            if result is not None:
                self.misses = 0
                self._result(result, hook.goes, f"interrupt '{hook.name}'")
                return True
        return False

    def _global(self, text: str, free_text: bool) -> bool:
        # Global words must win outright: "one round" must not restart the case and
        # "nothing really" must not end it. Exact replies always count; a fuzzy reading only
        # when the global intent beats every other intent and scores well.
        m = self.match_intent(text)
        if m.label not in self.content.global_intents:
            return False
        exact = m.reason in ("exact", "typo")
        if free_text and not exact:
            return False
        # A reading pieced together from words alone is not enough to restart or quit.
        if not exact and (m.score < GLOBAL_MIN_SCORE or m.reason != "fuzzy"):
            return False
        getattr(self, f"_do_{m.label}", self._do_help)()
        return True

    def _do_help(self) -> None:
        st = self.spec
        if st.help:
            self._emit(Say(self.render(st.help, origin=f"{st.file}:{st.line}")))
        self._say_msg("help")
        self._render_state(st, reprompt=True)

    def _do_back(self) -> None:
        if not self.history:
            self._say_msg("nothing_to_undo")
            self._render_state(self.spec, reprompt=True)
            return
        snap = self.history.pop()
        self.slots = snap["slots"]
        self.returns = snap["returns"]
        self.misses = 0
        self.machine.place(self.model, snap["state"])
        if self.spec.ask in self.not_given:
            self.not_given.remove(self.spec.ask)  # gone back to it: asked for real
        self._say_msg("went_back")
        self._render_state(self.spec)

    def _do_restart(self) -> None:
        self.slots = {}
        self.answered_at = {}
        self.not_given = []
        self.filled_order = []
        self.history = []
        self.returns = []
        self.misses = 0
        self.finished = False
        self.machine.place(self.model, self.content.start)
        self._say_msg("restarted")
        self._render_state(self.spec)
        self._follow_passthrough()

    def _do_quit(self) -> None:
        self.finished = True
        self._emit(End(self.message("goodbye")))

    def _menu_pick(self, text: str) -> bool:
        flow = text[3:].strip() if text.startswith("go:") else self._offered_menu_flow(text)
        if not flow or flow not in self.content.flows:
            return False
        self._remember()
        self._jump(self.content.resolve(flow, flow))
        return True

    def _offered_menu_flow(self, text: str) -> str | None:
        """The flow a number or label picks from the menu shown last ("where can we go")."""
        menu = [c for c in self.offered if c.key.startswith("go:")]
        if not menu:
            return None
        m = _CHOICE_NUMBER.match(text)
        if m:
            n = int(m[1])
            return menu[n - 1].key[3:] if 1 <= n <= len(menu) else None
        norm = self.content.normaliser.normalise(text)
        for c in menu:
            if self.content.normaliser.normalise(c.label) == norm:
                return c.key[3:]
        return None

    def _names_a_choice(self, text: str) -> bool:
        """The text is a quick reply of this state: its number or its exact label."""
        choices = self._visible_choices(self.spec)
        m = _CHOICE_NUMBER.match(text)
        if m:
            return 1 <= int(m[1]) <= len(choices)
        norm = self.content.normaliser.normalise(text)
        if any(self.content.normaliser.normalise(c.label) == norm for c in choices):
            return True
        # Named by its words, closely enough that the global words must not claim it ("the
        # thank-you notes" is not "no thank you").
        return len(text.split()) <= 6 and self._closest_choice(choices, text) is not None

    def _leading_yes_no(self, choices: list[Any], text: str) -> Any:
        """"yes I accepted it", "no, nothing signed": a yes or no said first, then a clause,
        picks the choice that stands for it (before any situation the clause might suggest)."""
        wanted = {c.intent for c in choices} & {"affirm", "deny"}
        if not wanted:
            return None
        head = re.split(r"[,;:.!—–-]|\s+(?:i|we|they|it|that|but|and|because)\b", text.strip(), maxsplit=1)[0]
        if not head.strip() or head.strip() == text.strip():
            return None
        m = self.match_intent(head, wanted)
        if m.label is None or m.reason not in ("exact", "typo"):
            return None
        return next(c for c in choices if c.intent == m.label)

    def _closest_choice(self, choices: list[Any], text: str) -> Any:
        """The quick reply the words name, when one is clearly closest ("the thank-you notes"
        names "Thank-you notes"; "disappointed" names "Disappointed: openly let down")."""
        from rapidfuzz import fuzz

        norm = self.content.normaliser.normalise(reader_for(self.content).without_cleared(text))

        def closeness(label: str) -> float:
            other = self.content.normaliser.normalise(label)
            whole = fuzz.token_sort_ratio(norm, other)
            # Every word typed is in the label. Only for real words, so "no" or "a" never
            # pick a choice.
            if len(norm) >= 4 and len(norm.split()) <= len(other.split()):
                whole = max(whole, fuzz.token_set_ratio(norm, other) - 5)
            return whole

        scored = sorted(((closeness(c.label), i) for i, c in enumerate(choices)), reverse=True)
        if scored and scored[0][0] >= 85 and (len(scored) == 1 or scored[0][0] - scored[1][0] >= 8):
            return choices[scored[0][1]]
        return None

    def _visible_choices(self, st: StateSpec) -> list[Any]:
        return [c for c in st.choices if not c.when or self.condition(c.when)]

    def _choice(self, st: StateSpec, text: str) -> bool:
        choices = self._visible_choices(st)
        if not choices:
            return False
        picked = None
        m = _CHOICE_NUMBER.match(text)
        if m:
            n = int(m[1])
            if 1 <= n <= len(choices):
                picked = choices[n - 1]
            elif not st.ask or self.content.slots[st.ask].type not in ("number", "money", "date"):
                self._say_msg("no_such_choice", count=len(choices), number=n)
                self._render_state(st, reprompt=True)
                return True
        if picked is None:
            norm = self.content.normaliser.normalise(text)
            for c in choices:
                if self.content.normaliser.normalise(c.label) == norm:
                    picked = c
                    break
        if picked is None and not m:
            # Named by its own words first: "the thank-you notes" is that option, whatever
            # an intent ("no thank you") would make of it.
            picked = self._closest_choice(choices, text)
        if picked is None and not m:
            picked = self._leading_yes_no(choices, text)
        if picked is None:
            intents = {c.intent for c in choices if c.intent}
            if intents:
                im = self.match_intent(text, intents | self._question_intents(intents))
                # A sentence that only uses a choice's words ("I accepted, but now I want to
                # back out") may be a situation the interrupts know better: they go first.
                if im.label and im.reason == "coverage" and self._interrupted(text, free_text=False):
                    return True
                label = self._as_question(im.label)
                if label in intents:
                    picked = next(c for c in choices if c.intent == label)
        if picked is None:
            return False
        self._remember()
        self._take(st, picked.edge)
        return True

    def _question_intents(self, allowed: set[str]) -> set[str]:
        """Decision intents a question could be read as, when what they mean is allowed here."""
        table = reader_for(self.content).question_intents
        return {k for k, v in table.items() if v in allowed}

    def _as_question(self, label: str | None) -> str | None:
        """"Should I turn it down?" matched as a decision is a request for help deciding."""
        reading = self.reading
        if label and reading is not None and reading.question:
            return reader_for(self.content).question_intents.get(label, label)
        return label

    def _answered_elsewhere(self, text: str) -> bool:
        """The line's words went to other slots ("the hiring manager is Sofia" asked for the
        company): nothing is left to be this slot's answer."""
        reading = self.reading
        if reading is None:
            return False
        return self._leftover(text, reading, sure_only=True) == ""

    def _leftover(self, text: str, reading: Reading, *, sure_only: bool) -> str | None:
        """The line's words that no mention used, thin words dropped ("" when none is left;
        None when nothing was mentioned at all)."""
        prefs = reader_for(self.content).preferences

        def counts(m: Any) -> bool:
            # A different value for a fact the case already holds, with no correction cue,
            # is a misreading ("Sam Lee, Priya Shah" is not the role "Priya Shah").
            known = self.slots.get(m.slot)
            if known not in (None, "", []) and known != m.value and m.slot not in prefs and not reading.correction:
                return False
            return bool(m.sure or not sure_only)

        spans = sorted(m.span for m in reading.mentions.values() if counts(m))
        if not spans:
            return None
        rest, pos = [], 0
        for a, b in spans:
            rest.append(text[pos:a])
            pos = max(pos, b)
        rest.append(text[pos:])
        leftover = reader_for(self.content).strip_answer(" ".join(rest))
        words = [w for w in re.findall(r"[\w']+", leftover) if w.lower() not in self._thin_words]
        return " ".join(words)

    @property
    def _thin_words(self) -> frozenset[str]:
        norm = self.content.normaliser
        return norm.stopwords | norm.fillers

    def _fill(self, st: StateSpec, text: str) -> bool:
        assert st.ask is not None
        slot = self.content.slots[st.ask]
        # Only a name, company or title can be mistaken for words meant elsewhere; a choice
        # ("a few rounds in") is picked by its own words even when they also tell a fact.
        if slot.type in ("person", "company", "role", "list") and self._answered_elsewhere(text):
            return False
        value, ok = self._parse_slot(slot.name, slot.type, text)
        if not ok:
            return False
        problem = self._validate(slot, value)
        if problem:
            self._emit(Say(problem))
            self.misses += 1
            return True
        self._remember()
        self._set_slot(slot.name, value)
        self.answered_at[slot.name] = st.full
        self._advance(st)
        return True

    def _parse_slot(self, name: str, stype: str, text: str) -> tuple[Any, bool]:
        reader = reader_for(self.content)
        if stype == "yesno":
            if reader.means_none(text):
                return None, False  # "skip" or "not sure" is not a no
            m = self.match_intent(text, {"affirm", "deny"})
            if m.label is None:
                # "yes, I signed it", "no, I hadn't answered them": the first clause answers.
                head = re.split(r"[,;:.!—–-]|\s+(?:i|we|they|it|that|but|and|because)\b", text.strip(), maxsplit=1)[0]
                if head.strip() and head.strip() != text.strip():
                    m = self.match_intent(head, {"affirm", "deny"})
            return (m.label == "affirm", True) if m.label else (None, False)
        names_a_thing = stype in ("person", "company", "role", "text", "list")
        if names_a_thing and (self._skip_words(text) or reader.means_none(text)):
            return None, False
        if stype in ("person", "company", "role") and self._everyday_request(text, sure=True):
            return None, False  # "set a timer for 10 minutes" is not a job title
        if stype in ("person", "company", "role"):
            answer = reader.strip_answer(text)
            # Yes/no words, questions and sentences are never a name, company or title.
            if reader.never_a_value(answer) or text.rstrip().endswith("?"):
                return None, False
            if len(answer.split()) > (4 if stype == "person" else 8):
                return None, False
            text = answer
        v: Any
        if stype == "person":
            v = extract.parse_person(text)
        elif stype == "company":
            v = extract.parse_company(text)
        elif stype == "role":
            v = extract.parse_role(text)
        elif stype == "date":
            d = extract.parse_date(text, self.today)
            v = d.iso() if d else None
        elif stype == "money":
            money = extract.parse_money(text)
            v = money.amount if money else None
            if v is None:
                n = extract.parse_number(text)
                v = n if n is not None and n >= 1000 else None
        elif stype == "number":
            v = extract.parse_number(text)
        elif stype == "choice":
            v = self._parse_option(name, text)
        elif stype == "list":
            # A list of names: a sentence ("they sent it last Monday") is not one, and
            # "Sam Lee and nobody else" keeps only the name.
            if text.rstrip().endswith("?") or reader.never_a_value(text.strip()):
                return None, False
            known = {str(self.slots.get(k) or "").lower() for k in ("manager", "recruiter")} - {""}
            items: list[str] = []
            only_known = False
            for part in extract.split_list(text):
                person = extract.parse_person(reader.strip_answer(part)) if not reader.means_none(part) else None
                if not person or person in items:
                    continue
                # "just Claire" when Claire is the hiring manager names nobody else
                if any(person.lower() == k or k.split()[0] == person.lower() for k in known):
                    only_known = True
                    continue
                items.append(person)
            if not items and (only_known or any(reader.means_none(p) for p in re.split(r"\s*[,;]\s*", text))):
                return [], True
            v = items or None
        else:
            v = text.strip() or None
        if stype in ("person", "company", "role") and v is not None and reader.never_a_value(str(v)):
            v = None  # "no, I haven't signed anything" holds no company called "No"
        return v, v is not None

    def _parse_option(self, name: str, text: str) -> str | None:
        from rapidfuzz import fuzz

        slot = self.content.slots[name]
        norm = self.content.normaliser.normalise(reader_for(self.content).without_cleared(text))
        best: tuple[float, str] = (0.0, "")
        for key, phrases in slot.options.items():
            for phrase in [key, *phrases]:
                p = self.content.normaliser.normalise(phrase)
                if p == norm:
                    return key
                score = (
                    fuzz.token_set_ratio(norm, p)
                    if len(p.split()) > 1 or len(norm.split()) > 1
                    else fuzz.ratio(norm, p)
                )
                if score > best[0]:
                    best = (score, key)
        return best[1] if best[0] >= 85 else None

    def _validate(self, slot: Any, value: Any) -> str | None:
        bad = False
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and ((slot.min is not None and value < slot.min) or (slot.max is not None and value > slot.max)):
            bad = True
        if isinstance(value, str):
            if len(value) > slot.max_length:
                bad = True
            if slot.pattern and not re.fullmatch(slot.pattern, value):
                bad = True
        if not bad:
            return None
        template = slot.invalid or self.content.messages["invalid"]
        return self.render(
            template, origin=f"{slot.file}:{slot.line}", value=value, label=slot.label, min=slot.min, max=slot.max
        )

    def _state_intent(self, st: StateSpec, text: str) -> bool:
        allowed = set(st.on)
        if not allowed:
            return False
        m = self.match_intent(text, allowed | self._question_intents(allowed))
        label = self._as_question(m.label)
        if label is None or label not in allowed:
            return False
        self._remember()
        self._take(st, st.on[label])
        return True

    def _skip_words(self, text: str) -> bool:
        m = self.match_intent(text, {"deny", "unsure"})
        return m.label is not None and m.score >= 90

    def _no_match(self, st: StateSpec, text: str) -> None:
        self.misses += 1
        if self.misses == 1:
            if "off_topic" in self.content.messages and self._everyday_request(text):
                self._say_msg("off_topic")
            elif st.reprompt:
                self._emit(Say(self.render(st.reprompt, origin=f"{st.file}:{st.line}")))
            else:
                self._say_msg("rephrase")
            self._render_state(st, reprompt=True)
        elif self.misses == 2:
            if self._visible_choices(st):
                self._say_msg("spelled_out")
            self._spell_out(st)
        else:
            self._say_msg("lost")
            self._choices_from_menu(stuck=True)
            self.misses = 0  # the next miss starts the ladder again, never the same menu twice

    def _everyday_request(self, text: str, *, sure: bool = False) -> bool:
        """Is this one of offtopic.yaml's everyday requests ("what's the weather")? ``sure``:
        only when it is as close to one as an intent must be to be understood."""
        m = self.match_intent(text)
        if m.label is not None or m.matched_label != OFF_TOPIC:
            return False
        if sure and m.score < self.content.intent_matcher.config.threshold:
            return False
        # Never tell someone talking about their offer that they are off topic.
        matcher = self.content.intent_matcher
        return not matcher.has_domain_word(self.content.normaliser.normalise(text, synonyms=False))

    def _spell_out(self, st: StateSpec) -> None:
        choices = self._visible_choices(st)
        if choices:
            lines = [f"{i}. {c.label}" for i, c in enumerate(choices, 1)]
            self._emit(Say("\n".join(lines)))
            self._emit(Choices(tuple(Choice(c.label, c.label) for c in choices)))
        elif st.ask:
            slot = self.content.slots[st.ask]
            self._say_msg("slot_hint", label=slot.label, type=slot.type, optional=st.optional)
        else:
            self._render_state(st, reprompt=True, brief=True)

    def _choices_from_menu(self, *, stuck: bool = False) -> None:
        """Where the person can go. ``stuck``: offered because the conversation went in
        circles, so the flow it is stuck in is left out (every option leads somewhere new)."""
        here = self.spec.flow if stuck else None
        options = [Choice(f.title, f"go:{f.name}") for f in self.content.flows.values() if f.menu and f.name != here]
        if not any(o.key == f"go:{self.content.start.partition('.')[0]}" for o in options):
            start = self.content.flows[self.content.start.partition(".")[0]]
            options.insert(0, Choice(start.title, f"go:{start.name}"))
        self._emit(Choices(tuple(options)))

    # -- moving ---------------------------------------------------------------------------------

    def _remember(self) -> None:
        self.history.append({"state": self.state, "slots": copy.deepcopy(self.slots), "returns": list(self.returns)})
        if len(self.history) > 200:
            del self.history[0]

    def _take(self, st: StateSpec, edge: Edge) -> None:
        self._edge_effects(edge)
        target = self.content.resolve(edge.goto, st.flow)
        if target == "@stay":
            self._advance(st) if st.next else self._render_state(st)
        else:
            self._goto(st, target)

    def _edge_effects(self, edge: Edge) -> None:
        """An edge's ``set:`` and ``say:``, before the next state is entered (the machine calls
        this as the ``next`` transition's ``before`` callback)."""
        self.misses = 0
        for key, value in edge.set.items():
            self.slots[key] = (
                self.render(value, origin=f"{edge.file}:{edge.line}")
                if isinstance(value, str) and "{" in value
                else value
            )
        if edge.say:
            self._emit(Say(self.render(edge.say, origin=f"{edge.file}:{edge.line}")))

    def _advance(self, st: StateSpec) -> None:
        """The machine takes the first ``next`` edge whose ``if:`` holds (``model.taken``)."""
        self.misses = 0
        if st.full != self.state:  # the machine takes the edges of the state it is in
            raise RuntimeError(f"advancing {st.full} while the machine is at {self.state}")
        self.model.taken = None
        self.model.trigger(NEXT)
        edge = self.model.taken
        target = self.content.resolve(edge.goto, st.flow) if edge else None
        if target is None:
            # No next edge applies: stay and ask again rather than strand the person.
            self._render_state(st, reprompt=True)
        elif target != st.full and target in self.content.states:
            self._follow_passthrough()  # the machine entered it (and its prompt was said)
        else:  # @stay, @end, @menu, @return or this very state: an internal transition
            if target == "@stay":
                self._advance(st) if st.next else self._render_state(st)
            else:
                self._goto(st, target)

    def _goto(self, st: StateSpec, target: str) -> None:
        if target == "@end":
            self.finished = True
            self._emit(End(self.message("goodbye")))
            return
        if target == "@menu":
            self._say_msg("menu")
            self._choices_from_menu()
            return
        if target == "@return":
            if not self.return_from_side_trip():
                self._jump(self.content.start)
            return
        if target == st.full:
            self._render_state(st)
            self._follow_passthrough()
            return
        fired = self.model.trigger(transition_name(target))
        if not fired:  # every edge the content declares is a transition: this is a bug
            raise RuntimeError(f"the machine has no edge {st.full} -> {target} (it is at {self.state})")
        self._follow_passthrough()

    def _jump(self, full: str, *, resumed: bool = False) -> None:
        self.machine.place(self.model, full)
        if resumed:
            self._say_msg("resumed")
        self._render_state(self.spec)
        self._follow_passthrough()

    def _on_enter(self, full: str) -> None:
        self._render_state(self.content.state(full))

    def _follow_passthrough(self) -> None:
        # A state that only says something and moves on (no question, choice or intent).
        for _ in range(_MAX_AUTO_STEPS):
            st = self.spec
            if not st.next or st.final:
                break
            # A question whose answer the case already holds was not asked (_render_state):
            # it is passed like a statement.
            if self._skipped != st.full and (st.ask or st.choices or st.on):
                break
            before = self.state
            self._advance(st)
            if self.state == before:
                break

    # -- output ---------------------------------------------------------------------------------

    def _render_state(self, st: StateSpec, *, reprompt: bool = False, brief: bool = False) -> None:
        # Known answers are skipped once per turn: a state reached again in the same turn (a
        # reader that could not use the answer sends the person back) asks for real.
        skip_question = (
            not reprompt and self._known(st) and bool(st.next) and not st.final and st.full not in self.trail
        )
        self.trail.append(st.full)
        self._skipped = st.full if skip_question else None
        if not reprompt:
            for name in st.do:
                # The action modules are imported on first use (in a state with `do:` or by the
                # interrupts), not when the session opens: the first prompt needs none of them.
                act = load_actions().get(name)
                if act is None:
                    continue  # `check` reports unknown actions; a session never crashes on one
                self._result(act.fn(self), act.goes, f"action '{name}'")
        if skip_question:
            return  # _follow_passthrough moves on: a question whose answer is known is never asked
        if not brief:
            if st.template:
                self._emit(Say(self.render_file(st.template)))
            if st.say:
                self._emit(Say(self.render(st.say, origin=f"{st.file}:{st.line}")))
        choices = self._visible_choices(st)
        if choices:
            self._emit(Choices(tuple(Choice(c.label, c.label) for c in choices)))
        if st.final and not reprompt:
            self.finished = True
            self._emit(End())

    def _say_msg(self, key: str, **extra: Any) -> None:
        self._emit(Say(self.message(key, **extra)))

    def _notice(self, key: str, level: str = "info", **extra: Any) -> None:
        self._emit(Notice(self.message(key, **extra), level))  # type: ignore[arg-type]

    def _emit(self, event: Event) -> None:
        if isinstance(event, Choices):
            if event.options:
                self._out.append(event)
                self.offered = event.options
            return  # quick replies are not part of the conversation record
        self._out.append(event)
        text = self.formatter(event) if self.formatter else getattr(event, "text", "") or ""
        if text:
            speaker = getattr(event, "speaker", "coach")
            self._log(speaker, text)

    def _log(self, speaker: str, text: str) -> None:
        self.transcript.append({"speaker": speaker, "text": text})

    def _flush(self) -> list[Event]:
        out, self._out = self._out, []
        self.trail, self.last_trail = [], self.trail
        return out
