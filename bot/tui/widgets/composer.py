"""Where the person types: history on up/down, number keys for quick replies, safe pastes.

A one-line input normally; a multi-line box when the coach asked for something like a
pasted letter (Enter sends, ctrl+j adds a line break). Pastes are cleaned of terminal
control codes and trimmed when huge, each with a notice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from bot.text import MAX_INPUT_CHARS, sanitise

if TYPE_CHECKING:
    from bot.tui.widgets.letter_area import LetterArea


class History:
    """Sent lines, browsed with up/down like a shell (the line being typed is kept)."""

    def __init__(self, limit: int = 200) -> None:
        self.items: list[str] = []
        self.limit = limit
        self.index: int | None = None
        self.draft = ""

    def add(self, text: str) -> None:
        if text.strip() and (not self.items or self.items[-1] != text):
            self.items.append(text)
            del self.items[: -self.limit]
        self.index = None

    def older(self, current: str) -> str | None:
        if not self.items:
            return None
        if self.index is None:
            self.draft = current
            self.index = len(self.items) - 1
        elif self.index > 0:
            self.index -= 1
        return self.items[self.index]

    def newer(self) -> str | None:
        if self.index is None:
            return None
        if self.index < len(self.items) - 1:
            self.index += 1
            return self.items[self.index]
        self.index = None
        return self.draft


class Composer(Vertical):
    class Submitted(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class QuickKey(Message):
        """A number key pressed while the input was empty."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    class HelpKey(Message):
        """``?`` pressed while the input was empty."""

    class PasteCleaned(Message):
        def __init__(self, trimmed_from: int, removed: int) -> None:
            super().__init__()
            self.trimmed_from = trimmed_from
            self.removed = removed

    def __init__(self, *, placeholder: str = "", multiline_hint: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.history = History()
        self.placeholder = placeholder
        self.multiline_hint = multiline_hint
        self.multiline = False
        self.quick_keys = False  # True while there are quick replies to pick

    def compose(self) -> ComposeResult:
        field = ChatInput(placeholder=self.placeholder, id="chat-input")
        field.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield field

    @property
    def input(self) -> ChatInput:
        return self.query_one(ChatInput)

    def focus_input(self) -> None:
        area = self._area()
        (area if self.multiline and area is not None else self.input).focus()

    async def set_multiline(self, multiline: bool) -> None:
        if multiline == self.multiline:
            return
        self.multiline = multiline
        from bot.tui.widgets.letter_area import LetterArea

        area = self._area()
        if multiline and area is None:
            area = LetterArea(placeholder=self.multiline_hint, id="letter-input")
            area.cursor_blink = getattr(self.app, "cursor_blink", True)
            await self.mount(area)
        if area is not None:
            area.display = multiline
        self.input.display = not multiline
        self.set_class(multiline, "-multiline")
        self.focus_input()

    def _area(self) -> LetterArea | None:
        from bot.tui.widgets.letter_area import LetterArea

        found = self.query(LetterArea)
        return found.first() if found else None

    def send(self, text: str) -> None:
        if not text.strip():
            return  # Enter on an empty box (say, just after a number key picked): no empty message
        self.history.add(text)
        self.post_message(self.Submitted(text))

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        self.input.value = ""
        self.send(text)


def clean_paste(text: str, *, multiline: bool) -> tuple[str, int, int]:
    """(kept text, original length if trimmed else 0, control characters removed)."""
    clean = sanitise(text, limit=MAX_INPUT_CHARS, multiline=multiline)
    return clean.text, (clean.original_length if clean.trimmed else 0), clean.removed


class ChatInput(Input):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous message", show=False, id="input.history_back"),
        Binding("down", "history(1)", "Next message", show=False, id="input.history_forward"),
    ]

    @property
    def composer(self) -> Composer:
        return self.query_ancestor(Composer)

    def action_history(self, step: int) -> None:
        history = self.composer.history
        text = history.older(self.value) if step < 0 else history.newer()
        if text is not None:
            self.value = text
            self.cursor_position = len(text)

    async def _on_key(self, event: events.Key) -> None:
        if not self.value and event.character is not None:
            composer = self.composer
            if composer.quick_keys and event.character in "123456789":
                event.stop()
                event.prevent_default()
                composer.post_message(Composer.QuickKey(int(event.character)))
                return
            if event.character == "?":
                event.stop()
                event.prevent_default()
                composer.post_message(Composer.HelpKey())
                return
        await super()._on_key(event)

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        if not event.text:
            return
        room = max(0, MAX_INPUT_CHARS - len(self.value))
        text, trimmed_from, removed = clean_paste(event.text, multiline=False)
        if len(text) > room:
            trimmed_from = trimmed_from or len(event.text)
            text = text[:room]
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
        if trimmed_from or removed:
            self.composer.post_message(Composer.PasteCleaned(trimmed_from, removed))
