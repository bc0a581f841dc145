"""Advice for a scenario: a title and its points."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from bot.events import Advice
from bot.tui.literal import literal


class AdviceCard(Static):
    def __init__(self, event: Advice) -> None:
        self.event = event
        lines = [literal(event.title, "bold")]
        lines += [Content.assemble(("• ", "$primary"), literal(p)) for p in event.points]
        super().__init__(Content("\n").join(lines), markup=False, classes="card -advice")
