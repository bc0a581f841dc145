"""The main screen: the conversation, quick replies, the input, and the case panel.

It renders whatever events the engine returns, one widget per event, and sends what the
person types or picks back to the engine, one turn at a time (a turn that is still being
shown finishes before the next one starts, so the order on screen is the order of turns).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Header

from bot.events import Advice, Choices, Comparison, Draft, End, Event, Notice, Say, Scorecard
from bot.startup import resume_gc
from bot.tui import labels
from bot.tui.literal import visible
from bot.tui.screens import composing
from bot.tui.widgets.case_panel import CasePanel
from bot.tui.widgets.composer import Composer
from bot.tui.widgets.log_note import LogNote
from bot.tui.widgets.message import MessageBubble
from bot.tui.widgets.message_log import MessageLog, NewBelowCue
from bot.tui.widgets.quick_replies import QuickReplies
from bot.tui.widgets.stepper import Stepper
from bot.tui.widgets.typing import TypingIndicator

if TYPE_CHECKING:
    from bot.tui.app import CoachApp
    from bot.tui.widgets.draft_card import DraftCard

# The cards (advice, comparison, draft, scorecard) are imported when the first one is shown:
# none is in the first frame.

SEVERITY: dict[str, SeverityLevel] = {"info": "information", "warning": "warning", "error": "error"}
EARLIER_SHOWN = 40  # transcript entries shown again when a saved case is resumed


class ChatScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("chat.tcss")  # absolute: subclasses live elsewhere
    AUTO_FOCUS = "#chat-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+b", "toggle_panel", "Case", id="chat.toggle_panel"),
        Binding("ctrl+o", "open_draft", "Draft", id="chat.open_draft"),
        Binding("ctrl+y", "copy_draft", "Copy draft", show=False, id="chat.copy_draft"),
        Binding("pageup", "scroll_log(-1)", "Scroll up", show=False, id="chat.scroll_up"),
        Binding("pagedown", "scroll_log(1)", "Scroll down", show=False, id="chat.scroll_down"),
        Binding("ctrl+end", "newest", "Newest", show=False, id="chat.newest"),
        Binding("ctrl+r", "resume_call", "Back to the call", id="chat.resume_call"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._turns = asyncio.Lock()
        self.turn_lock = self._turns  # shared with the rehearsal call screen: one turn at a time
        self.last_draft: Draft | None = None
        self.panel_override: bool | None = None  # None: follow the terminal width
        self._composed: list[Event] | None = None  # the cached first words drawn by compose()
        self._composed_resume: tuple[int, list[dict[str, str]]] | None = None  # or a resumed case's

    @property
    def coach_app(self) -> CoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        # A new case's first words, kept from last time (``Engine.cached_opening``), are part
        # of the screen's first layout: the first frame already shows them, with no second
        # mount and layout pass before the coach is seen to speak.
        # A saved case about to be resumed shows what was said in it the same way
        # (``Engine.cached_resume``, one row read from the store).
        engine = self.coach_app.engine
        early = engine.cached_opening()
        resume = engine.cached_resume() if early is None else None
        self._composed, self._composed_resume = early, resume
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                with MessageLog(
                    max_messages=self.coach_app.max_messages,
                    pruned_note=labels.PRUNED_NOTE,
                    id="log",
                ):
                    for e in early or ():
                        if isinstance(e, Say):
                            yield MessageBubble(e.speaker, e.text)
                    if resume is not None:
                        yield from self._earlier_widgets(resume[1])
                yield NewBelowCue(labels.NEW_BELOW, id="new-below")
                yield QuickReplies(id="quick-replies")
                yield Composer(
                    placeholder=labels.INPUT_PLACEHOLDER,
                    multiline_hint=labels.LETTER_PLACEHOLDER,
                    id="composer",
                )
            yield CasePanel(case_title=labels.CASE_TITLE, journey_title=labels.JOURNEY_TITLE, id="case-panel")
        yield Footer()

    def on_mount(self) -> None:
        self._apply_panel_visibility()
        self.open_conversation()

    # -- the conversation -------------------------------------------------------------------

    @work(group="turns", exit_on_error=False)
    async def open_conversation(self, new: bool | None = None, case_id: int | None = None) -> None:
        async with self._turns:
            if self.app.is_screen_installed("rehearsal"):
                from bot.tui.screens import rehearsal

                await rehearsal.close(self.coach_app)  # a call from the case being left
            log = self.query_one(MessageLog)
            engine = self.coach_app.engine
            # A new case's first words, kept from last time, while the engine opens; the rest
            # of the opening (what is due, the case panel) follows when it has. On the first
            # open compose() has drawn them already.
            composed, self._composed = self._composed, None
            resume, self._composed_resume = self._composed_resume, None
            early = engine.cached_opening() if new is None and case_id is None else None
            if new is not None or case_id is not None:
                resume = None
            if not (early and composed is early) and resume is None:
                await log.clear()
                await self.query_one(QuickReplies).clear()
            self.last_draft = None
            try:
                if resume is not None:
                    await self._drawn()  # what was said before, then the engine opens
                    resume_gc()
                if early:
                    # The words first, alone in a frame; then their options; then the engine.
                    if composed is not early:
                        await log.add(*[MessageBubble(e.speaker, e.text) for e in early if isinstance(e, Say)])
                    await self._drawn()
                    resume_gc()
                    await self.show([e for e in early if not isinstance(e, Say)], typing=False)
                    await self._drawn()
                try:
                    events = await engine.open(new=new, case_id=case_id)
                except Exception as exc:  # a broken content file, an unreadable store
                    self.app.notify(visible(labels.ENGINE_FAILED.format(error=exc)), severity="error", markup=False)
                    return
                if early:
                    later = [e for e in events if isinstance(e, Notice)]
                    if [e for e in events if not isinstance(e, Notice)] == early and not engine.resumed:
                        await self.show(later)  # the same words: only what is due, and the panel
                        return
                    await log.clear()  # something changed after all: the engine's opening wins
                    await self.query_one(QuickReplies).clear()
                shown = [(e.get("speaker", "coach"), e.get("text", "")) for e in engine.earlier[-EARLIER_SHOWN:]]
                if resume is not None and not (
                    engine.resumed
                    and engine.case_id == resume[0]
                    and shown == [(e["speaker"], e["text"]) for e in resume[1][-EARLIER_SHOWN:]]
                ):
                    # The engine opened something else (a new case, a copy): its view wins.
                    await log.clear()
                    await self.query_one(QuickReplies).clear()
                    resume = None
                if engine.resumed and resume is None:
                    await self._show_earlier()
                await self._deliver(events, None)
            finally:
                # Start-up is over once this is on screen: the garbage collector may run again.
                self.call_after_refresh(resume_gc)

    async def _drawn(self) -> None:
        """Wait until what was just mounted has been drawn."""
        drawn = asyncio.Event()
        self.call_after_refresh(drawn.set)
        await drawn.wait()

    async def _show_earlier(self) -> None:
        widgets = self._earlier_widgets(self.coach_app.engine.earlier)
        if widgets:
            await self.query_one(MessageLog).add(*widgets)

    @staticmethod
    def _earlier_widgets(said: list[dict[str, str]]) -> list[Widget]:
        """What was said before this run (the last ``EARLIER_SHOWN`` lines), under a note."""
        entries = said[-EARLIER_SHOWN:]
        if not entries:
            return []
        widgets: list[Widget] = [LogNote(labels.EARLIER_NOTE, classes="-earlier-note")]
        widgets += [MessageBubble(e.get("speaker", "coach"), e.get("text", ""), earlier=True) for e in entries]
        return widgets

    def send(self, text: str, shown: str | None = None) -> None:
        """Send ``text`` to the coach; ``shown`` is what appears as the person's message.

        Sending brings the conversation back to the newest message, so the reply is seen.
        """
        self.query_one(MessageLog).to_newest()
        self._turn(text, text if shown is None else shown)

    @work(group="turns", exit_on_error=False)
    async def _turn(self, text: str, shown: str) -> None:
        async with self._turns:
            engine = self.coach_app.engine
            if not engine.ready:
                return
            await self.query_one(QuickReplies).clear()
            self.query_one(Composer).quick_keys = False
            log = self.query_one(MessageLog)
            log.to_newest()  # again: the person may have scrolled up while a turn was shown
            await log.add(MessageBubble("user", shown))
            try:
                events = await engine.send(text)
            except Exception as exc:
                self.app.notify(visible(labels.ENGINE_FAILED.format(error=exc)), severity="error", markup=False)
                return
            await self._deliver(events, shown)

    async def _deliver(self, events: list[Event], said: str | None) -> None:
        # On the rehearsal call, the call screen shows the turn (with its typing pauses) and
        # this log keeps a record of it; otherwise it is shown here.
        engine = self.coach_app.engine
        on_call = engine.rehearsal == "call"  # from the engine's CallStarted / CallEnded events
        if on_call or self.app.is_screen_installed("rehearsal"):
            from bot.tui.screens import rehearsal

            on_call = rehearsal.follow(self.coach_app, events, said)
        await self.show(events, typing=not on_call)

    async def record(self, said: str | None, events: list[Event]) -> None:
        """A turn taken on another screen (the rehearsal call): kept in this log too."""
        await self.query_one(QuickReplies).clear()
        if said is not None:
            await self.query_one(MessageLog).add(MessageBubble("user", said))
        await self.show(events, typing=False)

    def note(self, text: str) -> None:
        """A quiet line at the end of the log (after any turn still being shown)."""
        self._note(text)

    @work(group="turns", exit_on_error=False)
    async def _note(self, text: str) -> None:
        async with self._turns:
            await self.query_one(MessageLog).add(LogNote(text, classes="-call-note"))

    async def show(self, events: Iterable[Event], *, typing: bool = True) -> None:
        """Render a turn's events in order; manager lines arrive after a short typing pause."""
        log = self.query_one(MessageLog)
        pending: list[Widget] = []
        choices: Choices | None = None
        for event in events:
            if isinstance(event, Say):
                if event.speaker == "manager" and typing and self.coach_app.typing_delay > 0:
                    await log.add(*pending)
                    pending = []
                    await self._typing_pause(log, event.text)
                pending.append(MessageBubble(event.speaker, event.text))
            elif isinstance(event, Choices):
                choices = event  # shown once the messages are (the latest set wins)
            elif isinstance(event, Notice):
                self.app.notify(
                    visible(event.text),
                    severity=SEVERITY.get(event.level, "information"),
                    markup=False,
                )
            elif isinstance(event, Draft):
                from bot.tui.widgets.draft_card import DraftCard

                self.last_draft = event
                pending.append(DraftCard(event, open_label=labels.OPEN_DRAFT, review_label=labels.DRAFT_REVIEW))
            elif isinstance(event, Advice):
                from bot.tui.widgets.advice import AdviceCard

                pending.append(AdviceCard(event))
            elif isinstance(event, Comparison):
                from bot.tui.widgets.comparison import ComparisonChart

                pending.append(ComparisonChart(event))
            elif isinstance(event, Scorecard):
                from bot.tui.widgets.scorecard import ScorecardView

                pending.append(ScorecardView(event))
            elif isinstance(event, End):
                if event.text:
                    pending.append(MessageBubble("coach", event.text))
                pending.append(LogNote(labels.END_NOTE, classes="-end"))
        await log.add(*pending)
        if choices is not None:
            await self.query_one(QuickReplies).show(choices.options)
            self.query_one(Composer).quick_keys = bool(choices.options)
        self.refresh_panel()
        await self.query_one(Composer).set_multiline(self.coach_app.engine.multiline)
        self.refresh_bindings()

    async def _typing_pause(self, log: MessageLog, text: str) -> None:
        indicator = TypingIndicator(classes="-manager")
        await log.add(indicator)
        delay = self.coach_app.typing_delay * min(1.0, 0.4 + len(text) / 300)
        await asyncio.sleep(delay)
        await indicator.remove()

    def refresh_panel(self) -> None:
        engine = self.coach_app.engine
        stages, stage = engine.stages, engine.stage
        self.query_one(CasePanel).show(engine.facts(), stages, stage)
        self.sub_title = Stepper.summary(stages, stage)
        self._apply_panel_visibility()

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
        self.app.action_help()  # type: ignore[attr-defined]

    @on(Composer.PasteCleaned)
    def _paste_cleaned(self, event: Composer.PasteCleaned) -> None:
        composing.paste_notice(self.app, event)

    @on(MessageLog.Unseen)
    def _unseen(self, event: MessageLog.Unseen) -> None:
        self.query_one(NewBelowCue).display = event.waiting

    @on(NewBelowCue.Pressed)
    def _cue_pressed(self) -> None:
        self.action_newest()

    def on_draft_card_open(self, event: DraftCard.Open) -> None:  # DraftCard.Open, by its name
        self.coach_app.show_draft(event.draft)

    # -- actions ----------------------------------------------------------------------------

    def action_open_draft(self) -> None:
        if self.last_draft is None:
            self.app.notify(labels.NO_DRAFT, markup=False)
        else:
            self.coach_app.show_draft(self.last_draft)

    def action_copy_draft(self) -> None:
        if self.last_draft is None:
            self.app.notify(labels.NO_DRAFT, markup=False)
        else:
            self.coach_app.copy_text(self.last_draft.text, labels.DRAFT)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "resume_call":
            engine = self.coach_app.engine
            return engine.ready and engine.rehearsal == "call"
        return True

    def action_resume_call(self) -> None:
        from bot.tui.screens import rehearsal

        rehearsal.resume(self.coach_app)

    def action_scroll_log(self, direction: int) -> None:
        self.query_one(MessageLog).scroll_by_page(direction)

    def action_newest(self) -> None:
        self.query_one(MessageLog).to_newest()

    def action_toggle_panel(self) -> None:
        self.panel_override = not self.query_one(CasePanel).display
        self._apply_panel_visibility()

    def on_resize(self) -> None:
        self._apply_panel_visibility()

    def _apply_panel_visibility(self) -> None:
        wide = self.app.size.width >= self.coach_app.panel_min_width
        show = wide if self.panel_override is None else self.panel_override
        self.query_one(CasePanel).display = show
