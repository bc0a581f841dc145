"""The keys, gathered from the live bindings (so a remapped key shows as remapped)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import HorizontalGroup, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from bot.tui import labels
from bot.tui.literal import literal


class HelpScreen(ModalScreen[None]):
    CSS_PATH = Path(__file__).with_name("help.tcss")  # absolute: subclasses live elsewhere

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, rows: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = tuple(rows)

    def compose(self) -> ComposeResult:
        width = max((len(k) for k, _ in self.rows), default=0) + 2
        # The whole dialog scrolls (title, intro and keys), so a short terminal reaches every key.
        with VerticalScroll(id="help-dialog"):
            yield Static(labels.HELP_TITLE, markup=False, id="help-title")
            yield Static(labels.HELP_INTRO, markup=False, id="help-intro")
            with Vertical(id="help-keys"):
                for key, what in self.rows:
                    with HorizontalGroup(classes="help-row"):
                        keycell = Static(literal(key, "bold $primary"), markup=False, classes="help-key")
                        keycell.styles.width = width
                        yield keycell
                        yield Static(literal(what), markup=False, classes="help-what")

    def on_mount(self) -> None:
        self.query_one("#help-dialog").focus()  # up/down and page keys scroll it

    def action_close(self) -> None:
        self.dismiss()
