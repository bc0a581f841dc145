"""The conversation: one widget per message, pinned to the newest unless the person scrolls up.

Appending mounts one widget at the end; nothing already shown is re-rendered. Past
``max_messages`` the oldest widgets are removed (in batches, so the cost per message stays
flat) and a note at the top says where the full record is.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.widget import Widget

from bot.tui.widgets.log_note import LogNote


class MessageLog(VerticalScroll):
    def __init__(self, *, max_messages: int = 200, pruned_note: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_messages = max(10, max_messages)
        self.pruned_note = pruned_note
        self._note: LogNote | None = None

    def on_mount(self) -> None:
        self.anchor()

    @property
    def messages(self) -> list[Widget]:
        return [w for w in self.children if w is not self._note]

    async def add(self, *widgets: Widget) -> None:
        if not widgets:
            return
        await self.mount_all(widgets)
        await self._prune()

    async def clear(self) -> None:
        self._note = None
        await self.remove_children()
        self.anchor()

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
        self.anchor()

    def scroll_by_page(self, direction: int) -> None:
        if direction < 0:
            self.scroll_page_up()
        else:
            self.scroll_page_down()

    def find(self, kinds: Sequence[type[Widget]]) -> list[Widget]:
        return [w for w in self.children if isinstance(w, tuple(kinds))]
