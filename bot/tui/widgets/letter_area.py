"""The multi-line answer box, for when the coach asks for something like a pasted letter.

Imported only when first needed (TextArea is the heaviest widget the chat would load).
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import TextArea

from bot.text import MAX_INPUT_CHARS
from bot.tui.widgets.composer import Composer, clean_paste


class LetterArea(TextArea):
    """The multi-line box: Enter sends, ctrl+j (or shift+enter) starts a new line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+j,shift+enter", "newline", "New line", show=False, id="input.newline"),
    ]

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=placeholder,
        )

    @property
    def composer(self) -> Composer:
        return self.query_ancestor(Composer)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text
            self.clear()
            self.composer.send(text)
            return
        await super()._on_key(event)

    def action_newline(self) -> None:
        self.insert("\n")

    async def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        text, trimmed_from, removed = clean_paste(event.text, multiline=True)
        room = max(0, MAX_INPUT_CHARS - len(self.text))
        if len(text) > room:
            trimmed_from = trimmed_from or len(event.text)
            text = text[:room]
        self.insert(text)
        if trimmed_from or removed:
            self.composer.post_message(Composer.PasteCleaned(trimmed_from, removed))
