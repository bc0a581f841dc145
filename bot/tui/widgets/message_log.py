"""The conversation: one widget per message, pinned to the newest unless the person scrolls up.

While they read further up, new messages do not move the view; ``Unseen`` tells the screen
so it can show a "new messages below" cue until they scroll down or send something.

Appending mounts one widget at the end; nothing already shown is re-rendered. Past
``max_messages`` the oldest widgets are removed (in batches, so the cost per message stays
flat) and a note at the top says where the full record is.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from bot.tui.widgets.log_note import LogNote


class MessageLog(VerticalScroll):
    class Unseen(Message):
        """Messages arrived below the view (``waiting``), or the person has caught up."""

        def __init__(self, waiting: bool) -> None:
            super().__init__()
            self.waiting = waiting

    def __init__(self, *, max_messages: int = 200, pruned_note: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_messages = max(10, max_messages)
        self.pruned_note = pruned_note
        self._note: LogNote | None = None
        self.unseen = False  # messages were added below while the person read further up

    def on_mount(self) -> None:
        self.anchor()

    @property
    def messages(self) -> list[Widget]:
        return [w for w in self.children if w is not self._note]

    @property
    def following(self) -> bool:
        """True while the log stays with the newest message (not scrolled up to read back)."""
        released = getattr(self, "_anchor_released", False)
        return (self.is_anchored and not released) or self.scroll_y >= self.max_scroll_y

    async def add(self, *widgets: Widget) -> None:
        if not widgets:
            return
        following = self.following
        await self.mount_all(widgets)
        await self._prune()
        if not following:
            self._set_unseen(True)

    async def clear(self) -> None:
        self._note = None
        await self.remove_children()
        self.to_newest()

    async def _prune(self) -> None:
        messages = self.messages
        # Let the log grow a quarter past the limit, then cut it back in one go.
        if len(messages) <= self.max_messages + self.max_messages // 4:
            return
        await self.remove_children(messages[: len(messages) - self.max_messages])
        if self._note is None and self.pruned_note:
            self._note = LogNote(self.pruned_note, classes="-pruned")
            await self.mount(self._note, before=0)

    def to_newest(self) -> None:
        """Back to the newest message, and stay with it as more arrive."""
        self.anchor()
        self._set_unseen(False)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.unseen and new_value >= self.max_scroll_y:
            self._set_unseen(False)  # scrolled down to the end: nothing is waiting any more

    def _set_unseen(self, waiting: bool) -> None:
        if waiting != self.unseen:
            self.unseen = waiting
            self.post_message(self.Unseen(waiting))

    def scroll_by_page(self, direction: int) -> None:
        if direction < 0:
            self.scroll_page_up()
        else:
            self.scroll_page_down()

    def find(self, kinds: Sequence[type[Widget]]) -> list[Widget]:
        return [w for w in self.children if isinstance(w, tuple(kinds))]


class NewBelowCue(Static):
    """One line under the log while new messages wait below the view; a click goes to them."""

    class Pressed(Message):
        pass

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(text, markup=False, id=id)

    def on_click(self) -> None:
        self.post_message(self.Pressed())
