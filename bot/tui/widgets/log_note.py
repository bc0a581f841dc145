"""A quiet line in the conversation log (the end of a conversation, hidden older messages)."""

from __future__ import annotations

from textual.widgets import Static

from bot.tui.literal import literal


class LogNote(Static):
    def __init__(self, text: str, *, classes: str = "") -> None:
        super().__init__(literal(text), markup=False, classes=classes)
