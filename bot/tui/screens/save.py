"""Ask where to save a file; the suggested path is ready to accept with Enter."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from bot.tui import labels


class SaveScreen(ModalScreen[Path | None]):
    CSS_PATH = Path(__file__).with_name("save.tcss")  # absolute: subclasses live elsewhere
    AUTO_FOCUS = "#save-path"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="save.cancel"),
    ]

    def __init__(self, suggested: Path, title: str = labels.SAVE_TITLE) -> None:
        super().__init__()
        self.suggested = suggested
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="save-dialog"):
            yield Static(self.title_text, markup=False, id="save-title")
            field = Input(str(self.suggested), id="save-path")
            field.cursor_blink = getattr(self.app, "cursor_blink", True)
            yield field
            with HorizontalGroup(id="save-actions"):
                yield Button(labels.SAVE_BUTTON, id="save", variant="primary", compact=True)
                yield Button(labels.CANCEL_BUTTON, id="cancel", compact=True)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._done()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self._done()
        else:
            self.dismiss(None)

    def _done(self) -> None:
        raw = self.query_one(Input).value.strip()
        self.dismiss(Path(raw).expanduser() if raw else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
