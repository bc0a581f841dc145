"""The rehearsal call on its own screen: a phone call in progress, then its scorecard.

When the engine says a call started (``bot.events.CallStarted``) the chat pushes this screen. It
shows the call's lines only: the person's and the hiring manager's (after a short typing
pause), and the coach's asides (hints, "stepping out of character") quietly. When the call
ends the scorecard is drawn with a bar per check, then the debrief's choices as buttons and
number keys. A choice that leaves the rehearsal pops back to the chat.

It drives the same engine as the chat, under the chat's turn lock (turns stay in order
whichever screen sent them), and every turn taken here is also recorded in the chat's log
(no pauses there), so nothing is lost and the transcript export stays complete. Escape puts
the call on hold: the screen stays installed under :data:`NAME` and the conversation stays
on the call, so ctrl+r in the chat (or any line typed there) comes back to it.

No coaching logic: what is said, and where the conversation goes, is the engine's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from bot.events import CallStarted, Choices, Event, Say, Scorecard
from bot.tui import labels, speaking
from bot.tui.literal import literal, visible
from bot.tui.screens import composing
from bot.tui.widgets.composer import Composer
from bot.tui.widgets.log_note import LogNote
from bot.tui.widgets.message import MessageBubble
from bot.tui.widgets.message_log import MessageLog, NewBelowCue
from bot.tui.widgets.quick_replies import QuickReplies
from bot.tui.widgets.scorecard import ScorecardView
from bot.tui.widgets.typing import TypingIndicator

if TYPE_CHECKING:
    from bot.tui.app import CoachApp
    from bot.tui.engine import Engine
    from bot.tui.speaking import Voice

NAME = "rehearsal"  # the name the screen is installed under while a rehearsal is going on
# Where the rehearsal is, as the engine's events told it (``Engine.rehearsal``).
CALL_STATE = "call"
DEBRIEF_STATE = "debrief"
REHEARSAL_STATES = (CALL_STATE, DEBRIEF_STATE)
MENU_KEY = "go:"  # what the engine's menu choices send (``go:<flow>``)


@dataclass(frozen=True)
class Who:
    """Who is on the other end, for the header strip (from the engine's ``CallStarted``)."""

    manager: str = ""
    title: str = ""
    company: str = ""
    difficulty: str = ""

    @classmethod
    def of(cls, call: CallStarted | None) -> Who:
        if call is None:
            return cls()
        return cls(
            manager=call.manager, title=call.title or call.persona, company=call.company, difficulty=call.difficulty
        )

    def line(self) -> str:
        # The manager's name only when the case knows it, else who they are (never a stand-in);
        # the persona's description last: at 80 columns it is what the ellipsis cuts, not the
        # company or the difficulty.
        if self.manager:
            name, desc = self.manager, self.title
        else:
            name = (self.title[:1].upper() + self.title[1:]) if self.title else labels.CALL_DEFAULT_WHO
            desc = ""
        return " · ".join(p for p in (name, self.company, self.difficulty, desc) if p)


@dataclass
class Beat:
    """One turn for the call screen: what the person said (if shown) and what came back."""

    said: str | None
    events: Sequence[Event]
    state: str | None
    who: Who
    seed: list[dict[str, str]] = field(default_factory=list)  # the call so far, for a fresh screen


# -- reading the engine (only its typed events, kept by the Engine) ----------------------------


def engine_state(engine: Engine) -> str | None:
    """ "call", "debrief", or None when no rehearsal is going on."""
    return (engine.rehearsal or None) if engine.ready else None


def _who(engine: Engine) -> Who:
    return Who.of(engine.call)


def _call_so_far(engine: Engine) -> list[dict[str, str]]:
    """The lines of the call in progress, for a screen opened on a call that already began
    (the engine sends them with ``CallStarted`` when a case is resumed on a call)."""
    call = engine.call
    return [{"speaker": who, "text": text} for who, text in call.so_far] if call else []


def offers_menu(events: Sequence[Event]) -> bool:
    """The turn offers the menu of flows ("Back to the menu"): the rehearsal is being left."""
    return any(isinstance(e, Choices) and any(c.key.startswith(MENU_KEY) for c in e.options) for e in events)


def installed(app: CoachApp) -> RehearsalScreen | None:
    if not app.is_screen_installed(NAME):
        return None
    screen = app.get_screen(NAME)
    return screen if isinstance(screen, RehearsalScreen) else None


def follow(app: CoachApp, events: Sequence[Event], said: str | None) -> bool:
    """After a turn taken in the chat: when the conversation is on a call, hand the turn to the
    call screen (pushed, or created and pushed) and return True. Otherwise close any call
    screen left over from an earlier call and return False. Call under the turn lock."""
    state = engine_state(app.engine)
    screen = installed(app)
    if state != CALL_STATE:
        if screen is not None:
            app.run_worker(close(app), group="rehearsal-close", exit_on_error=False)
        return False
    seed: list[dict[str, str]] = []
    if screen is None:
        screen = RehearsalScreen()
        app.install_screen(screen, NAME)
        seed = _call_so_far(app.engine)
    screen.pending.append(Beat(said, list(events), state, _who(app.engine), seed))
    if app.screen is screen:
        screen.drain()
    else:
        app.push_screen(screen)
    return True


def resume(app: CoachApp) -> bool:
    """Back to the call on hold (ctrl+r in the chat). False when there is no call."""
    if engine_state(app.engine) != CALL_STATE:
        return False
    screen = installed(app)
    if screen is None:
        return follow(app, [], None)
    if app.screen is not screen:
        app.push_screen(screen)
    return True


async def close(app: CoachApp) -> None:
    """The rehearsal is over: pop the call screen if it is showing, and let it go."""
    screen = installed(app)
    if screen is None:
        return
    if app.screen is screen:
        await app.pop_screen()
    if screen in app.screen_stack:
        return  # something sits on top of it (a help screen): it is closed next time
    app.uninstall_screen(screen)
    await screen.remove()


# -- widgets ------------------------------------------------------------------------------------


class CallHeader(Horizontal):
    """The strip at the top: who is on the line, and whether the call is live."""

    def __init__(self) -> None:
        super().__init__(id="call-header")

    def compose(self) -> ComposeResult:
        yield Static("☎", id="call-icon")
        yield Static("", id="call-who", markup=False)
        yield Static(labels.CALL_LIVE, id="call-status", markup=False)

    def show(self, who: Who, *, live: bool) -> None:
        self.query_one("#call-who", Static).update(literal(who.line(), "bold"))
        self.query_one("#call-status", Static).update(literal(labels.CALL_LIVE if live else labels.CALL_ENDED))
        self.set_class(not live, "-ended")


class CoachAside(Static):
    """The coach stepping outside the call: a hint, the set-up, the offer to go again."""

    def __init__(self, text: str) -> None:
        body = Content.assemble(literal(labels.COACH_ASIDE, "bold"), "  ", literal(text))
        super().__init__(body, markup=False, classes="coach-aside")
        self.text = text


# -- the screen ---------------------------------------------------------------------------------


class RehearsalScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("rehearsal.tcss")
    AUTO_FOCUS = "#chat-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "hint", "Hint", id="rehearsal.hint"),
        Binding("ctrl+h", "hint_key", "Hint", show=False, id="rehearsal.hint_ctrl"),
        # Out of the footer to make room for F5 at 80 columns; F1 still lists it.
        Binding("f3", "restart_call", "Restart", show=False, id="rehearsal.restart"),
        Binding("f4", "end_call", "End call", id="rehearsal.end"),
        Binding("f5", "speak", "Speak", id="rehearsal.speak"),
        Binding("escape", "leave", "Back to chat", id="rehearsal.leave"),
        Binding("pageup", "scroll_log(-1)", "Scroll up", show=False, id="rehearsal.scroll_up"),
        Binding("pagedown", "scroll_log(1)", "Scroll down", show=False, id="rehearsal.scroll_down"),
        # Still there, but out of the footer: the call's own keys need its 80 columns.
        Binding("ctrl+l", "app.cases", "Cases", show=False, id="rehearsal.cases"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[Beat] = []
        self.live = True  # False once the scorecard is in, until a new call starts
        self.who = Who()
        self.scorecard: ScorecardView | None = None  # to bring into view once the turn is shown
        self.voice: Voice | None = None  # built on the first F5 of this call screen
        self.listening = False
        self._speaks = False  # espeak-ng is there to speak the manager's lines
        self._partial = ""  # the last words the recogniser put in the input

    @property
    def coach_app(self) -> CoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield CallHeader()
        yield MessageLog(max_messages=self.coach_app.max_messages, pruned_note=labels.PRUNED_NOTE, id="call-log")
        yield NewBelowCue(labels.NEW_BELOW, id="new-below")
        yield QuickReplies(id="quick-replies")
        yield Composer(placeholder=labels.CALL_PLACEHOLDER, id="composer")
        yield Footer(compact=True)

    def on_screen_resume(self) -> None:
        self.drain()

    # -- turns ------------------------------------------------------------------------------

    def drain(self) -> None:
        """Show the turns handed over by the chat (once the turn that handed them is done)."""
        if self.pending:
            self._drain()

    @work(group="turns", exit_on_error=False)
    async def _drain(self) -> None:
        async with self.coach_app.chat.turn_lock:
            while self.pending:
                await self._present(self.pending.pop(0))

    def send(self, text: str, shown: str | None = None) -> None:
        """Send ``text`` to the engine; ``shown`` is what appears as the person's line."""
        self.query_one(MessageLog).to_newest()  # the reply will be seen
        self._turn(text, text if shown is None else shown)

    @on(MessageLog.Unseen)
    def _unseen(self, event: MessageLog.Unseen) -> None:
        self.query_one(NewBelowCue).display = event.waiting

    @on(NewBelowCue.Pressed)
    def _cue_pressed(self) -> None:
        self.query_one(MessageLog).to_newest()

    @work(group="turns", exit_on_error=False)
    async def _turn(self, text: str, shown: str) -> None:
        app = self.coach_app
        chat = app.chat
        leaving = False
        async with chat.turn_lock:
            engine = app.engine
            if not engine.ready:
                return
            await self.query_one(QuickReplies).clear()
            self.query_one(Composer).quick_keys = False
            if self.live:
                await self.query_one(MessageLog).add(MessageBubble("user", shown))
            try:
                events = await engine.send(text)
            except Exception as exc:
                app.notify(visible(labels.ENGINE_FAILED.format(error=exc)), severity="error", markup=False)
                return
            await chat.record(shown, events)  # the chat's log keeps the whole conversation
            state = engine_state(engine)
            if state in REHEARSAL_STATES and not offers_menu(events):
                new_call = state == CALL_STATE and not self.live
                if state == DEBRIEF_STATE and not self.live:
                    await self.query_one(MessageLog).add(MessageBubble("user", shown))
                await self._present(Beat(None, events, state, _who(engine) if new_call else self.who))
            else:
                leaving = True
        if leaving:
            app.run_worker(close(app), group="rehearsal-close", exit_on_error=False)

    async def _present(self, beat: Beat) -> None:
        log = self.query_one(MessageLog)
        header = self.query_one(CallHeader)
        new_call = beat.state == CALL_STATE and (not self.live or not log.children)
        log.to_newest()
        if new_call:
            # A new call (or the first): a clean page and who is on the line.
            if log.children:
                await log.clear()
                await log.add(LogNote(labels.CALL_NEW, classes="-call-note"))
            self.live = True
            self.who = beat.who
            header.show(beat.who, live=True)
        if beat.seed:
            # Opened on a call that had already begun (a resumed case): what was said so far.
            seed = [MessageBubble(e.get("speaker", "user"), e.get("text", "")) for e in beat.seed]
            await log.add(LogNote(labels.CALL_SO_FAR, classes="-call-note"), *seed)
        else:
            if beat.said is not None and beat.state == CALL_STATE and not new_call:
                await log.add(MessageBubble("user", beat.said))  # typed in the chat while on hold
            await self.show(beat.events)
        if beat.state == DEBRIEF_STATE and self.live:
            self.live = False
            header.show(self.who, live=False)
        self.query_one(Composer).input.placeholder = (
            labels.CALL_PLACEHOLDER if self.live else labels.DEBRIEF_PLACEHOLDER
        )
        self.refresh_bindings()
        if self.scorecard is not None:
            await self._reveal(log, self.scorecard)
            self.scorecard = None

    async def show(self, events: Sequence[Event]) -> None:
        """The call's lines in order; the manager's after a short typing pause. The debrief's
        choices become buttons. (Notices were shown when the chat recorded the turn.)"""
        log = self.query_one(MessageLog)
        pending: list[Widget] = []
        choices: Choices | None = None
        for event in events:
            if isinstance(event, Say):
                if event.speaker == "manager":
                    if self.coach_app.typing_delay > 0:
                        await log.add(*pending)
                        pending = []
                        await self._typing_pause(log, event.text)
                    pending.append(MessageBubble("manager", event.text))
                    self._say_aloud(event.text)
                elif event.speaker == "user":
                    pending.append(MessageBubble("user", event.text))
                else:
                    pending.append(CoachAside(event.text))
            elif isinstance(event, Scorecard):
                pending.append(ScorecardView(event, per_check=True))
            elif isinstance(event, Choices):
                choices = event
        await log.add(*pending)
        replies = self.query_one(QuickReplies)
        if choices is not None and engine_state(self.coach_app.engine) == DEBRIEF_STATE:
            await replies.show(choices.options)
            self.query_one(Composer).quick_keys = bool(choices.options)
        elif choices is not None:
            await replies.clear()  # on the call the keys do it (F4 ends the call)
            self.query_one(Composer).quick_keys = False
        self.scorecard = next((w for w in reversed(pending) if isinstance(w, ScorecardView)), None)

    async def _reveal(self, log: MessageLog, widget: Widget) -> None:
        """Scroll so the top of ``widget`` is in view (the scorecard, not the prompts under it),
        once the layout with it and the choices has been worked out."""
        done = asyncio.Event()

        def scroll() -> None:
            log.scroll_to_widget(widget, top=True, animate=False, immediate=True)
            # The thumb can keep a drawing from before the scroll: draw it again.
            log.vertical_scrollbar.refresh()
            self.call_after_refresh(done.set)

        self.call_after_refresh(scroll)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 1.0)  # a screen on hold may not refresh

    async def _typing_pause(self, log: MessageLog, text: str) -> None:
        indicator = TypingIndicator(classes="-manager")
        await log.add(indicator)
        delay = self.coach_app.typing_delay * min(1.0, 0.4 + len(text) / 300)
        await asyncio.sleep(delay)
        await indicator.remove()

    # -- input ------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        self.send(event.text)

    @on(QuickReplies.Picked)
    def _picked(self, event: QuickReplies.Picked) -> None:
        composing.take_quick_reply(self.query_one(Composer), self.send, event)

    @on(Composer.QuickKey)
    def _quick_key(self, event: Composer.QuickKey) -> None:
        composing.pick_by_number(self.app, self.query_one(QuickReplies), event.number)

    @on(Composer.HelpKey)
    def _help_key(self) -> None:
        self.coach_app.action_help()

    @on(Composer.PasteCleaned)
    def _paste_cleaned(self, event: Composer.PasteCleaned) -> None:
        composing.paste_notice(self.app, event)

    # -- actions ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("hint", "hint_key", "restart_call", "end_call", "speak"):
            return self.live  # hidden once the call is over
        return True

    # What a person would type; the engine decides what each means on the call.
    def action_hint(self) -> None:
        self.send("hint")

    def action_hint_key(self) -> None:
        # Some terminals send ctrl+h for backspace: with text in the input, it deletes.
        field = self.query_one(Composer).input
        if field.value:
            field.action_delete_left()
        else:
            self.action_hint()

    def action_restart_call(self) -> None:
        self.send("restart")

    def action_end_call(self) -> None:
        self.send("end call")

    # -- speaking a line (F5) ------------------------------------------------------------------

    def action_speak(self) -> None:
        if not self.listening:
            self._speak()

    def _dialogues(self) -> Path | None:
        content = self.coach_app.engine.content
        return Path(content.dialogues) if content is not None else None

    def _call_context(self) -> dict[str, str]:
        # Who is on the line, from the engine's CallStarted event (the TUI never reads the
        # session): the names help the recogniser expect them.
        call = self.coach_app.engine.call
        if call is None:
            return {}
        ctx = {"manager": call.manager, "company": call.company, "role": call.role}
        return {k: v for k, v in ctx.items() if v}

    @work(group="voice", exclusive=True, exit_on_error=False)
    async def _speak(self) -> None:
        """Listen for one line: the words go into the input as they are recognised, then the
        whole line, to correct or send with Enter (typing stays possible throughout)."""
        app = self.coach_app
        hooks = app.voice_hooks
        field = self.query_one(Composer).input
        dialogues = self._dialogues()
        self.listening = True
        try:
            if self.voice is None:
                parts = await asyncio.to_thread(hooks.missing)
                if parts:
                    message = await asyncio.to_thread(speaking.install_message, dialogues, parts)
                    app.notify(visible(message), severity="warning", timeout=30, markup=False)
                    return
                field.placeholder = speaking.prompt(dialogues, "app-loading")
                self.voice = await asyncio.to_thread(hooks.make, dialogues, self._call_context())
                self._speaks = await asyncio.to_thread(hooks.can_speak)
            field.placeholder = speaking.prompt(dialogues, "app-listening")
            self._partial = ""
            voice = self.voice

            def partial(text: str) -> None:
                app.call_from_thread(self._show_heard, text)

            heard = await asyncio.to_thread(voice.listen, partial)
            if heard is None:
                app.notify(speaking.prompt(dialogues, "app-no-microphone"), severity="warning", markup=False)
            elif not heard.text:
                app.notify(speaking.prompt(dialogues, "nothing"), markup=False)
            else:
                self._show_heard(heard.text)
                note = speaking.prompt(dialogues, "app-heard")
                if heard.uncertain:
                    note += " " + speaking.prompt(dialogues, "unsure", words=list(heard.uncertain))
                app.notify(visible(note), markup=False)
        except Exception as exc:  # a broken model or device: say so, and typing goes on
            app.notify(visible(labels.ENGINE_FAILED.format(error=exc)), severity="error", markup=False)
        finally:
            self.listening = False
            field.placeholder = labels.CALL_PLACEHOLDER if self.live else labels.DEBRIEF_PLACEHOLDER

    def _show_heard(self, text: str) -> None:
        """Put recognised words in the input, unless the person has typed there meanwhile."""
        field = self.query_one(Composer).input
        if field.value not in ("", self._partial):
            return
        self._partial = text
        field.value = text
        field.cursor_position = len(text)

    def _say_aloud(self, text: str) -> None:
        """Once F5 has been used on this call, the manager's lines are spoken too (if espeak-ng
        and a sound device are there; the line is on screen either way)."""
        if self.voice is not None and self._speaks:
            voice = self.voice
            self.run_worker(lambda: voice.say(text), thread=True, group="voice-say", exit_on_error=False)

    def action_leave(self) -> None:
        """Back to the chat; the call stays where it is and ctrl+r there comes back to it."""
        self.app.pop_screen()
        if self.live:
            self.coach_app.chat.note(labels.CALL_ON_HOLD)

    def action_scroll_log(self, direction: int) -> None:
        self.query_one(MessageLog).scroll_by_page(direction)
