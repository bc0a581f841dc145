"""The coach's suggested answers as buttons, numbered so the number keys can pick them."""

from __future__ import annotations

from textual.containers import HorizontalGroup
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from bot.events import Choice
from bot.tui.literal import literal


class QuickReply(Button):
    def __init__(self, number: int, choice: Choice) -> None:
        label = Content.assemble(Content.styled(f"{number}", "bold"), " ", literal(choice.label))
        super().__init__(label, compact=True, classes="quick-reply")
        self.choice = choice


class QuickReplies(HorizontalGroup):
    """Shows the latest choices; empty (and hidden) when the coach offered none."""

    class Picked(Message):
        def __init__(self, choice: Choice) -> None:
            super().__init__()
            self.choice = choice

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.choices: tuple[Choice, ...] = ()

    async def show(self, choices: tuple[Choice, ...]) -> None:
        self.choices = tuple(choices)
        await self.remove_children()
        await self.mount_all(QuickReply(i, c) for i, c in enumerate(self.choices, 1))
        self.set_class(bool(self.choices), "-active")
        self._fit()

    async def clear(self) -> None:
        if self.choices:
            await self.show(())

    def pick(self, number: int) -> bool:
        """Pick choice ``number`` (1-based); False when there is no such choice."""
        if 1 <= number <= len(self.choices):
            self.post_message(self.Picked(self.choices[number - 1]))
            return True
        return False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if isinstance(event.button, QuickReply):
            self.post_message(self.Picked(event.button.choice))

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        # One row when they fit side by side; otherwise as many columns as the longest label
        # allows (a short terminal keeps room for the conversation), down to one per line.
        need = sum(len(c.label) + 5 for c in self.choices)
        width = self.size.width or (self.app.size.width if self.is_attached else 80)
        widest = max((len(c.label) + 5 for c in self.choices), default=1)
        columns = max(1, min(len(self.choices), (width + 2) // (widest + 2)))
        self.set_class(need > width and columns > 1, "-grid")
        self.set_class(need > width and columns == 1, "-stacked")
        self.styles.grid_size_columns = columns
