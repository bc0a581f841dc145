"""A draft on its own: the full text, the critic's findings, copy and save."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static

from bot.events import Draft
from bot.tui import labels
from bot.tui.literal import literal
from bot.tui.widgets.findings import FindingsList

if TYPE_CHECKING:
    from bot.tui.app import CoachApp


class DraftScreen(Screen[None]):
    CSS_PATH = Path(__file__).with_name("draft.tcss")  # absolute: subclasses live elsewhere

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back to chat", id="draft.close"),
        Binding("c", "copy", "Copy", id="draft.copy"),
        Binding("s", "save", "Save", id="draft.save"),
    ]

    def __init__(self, draft: Draft) -> None:
        super().__init__()
        self.draft = draft

    @property
    def coach_app(self) -> CoachApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        d = self.draft
        yield Header()
        with VerticalScroll(id="draft-body"):
            head = Content.assemble(literal(d.title, "bold"), literal(f"  ·  {d.tone}", "$text-muted"))
            if d.score is not None:
                head = Content.assemble(head, literal(f"  ·  {d.score}/100", "$text-muted"))
            yield Static(head, markup=False, id="draft-title")
            yield Static(literal(d.text), markup=False, id="draft-text")
            if d.findings:
                yield FindingsList(d.findings, all_clear=labels.DRAFT_ALL_CLEAR, id="draft-findings")
            yield Static(labels.ANOTHER_TONE, markup=False, id="draft-hint")
        with HorizontalGroup(id="draft-actions"):
            yield Button(labels.COPY_BUTTON, id="copy", variant="primary", compact=True)
            yield Button(labels.SAVE_DRAFT_BUTTON, id="save", compact=True)
            yield Button(labels.CLOSE_BUTTON, id="close", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = labels.DRAFT
        self.query_one("#draft-body").focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {"copy": self.action_copy, "save": self.action_save, "close": self.action_close}[event.button.id or "close"]()

    def action_close(self) -> None:
        self.dismiss()

    def action_copy(self) -> None:
        self.coach_app.copy_text(self.draft.text, labels.DRAFT)

    def action_save(self) -> None:
        self.coach_app.save_draft(self.draft)
