"""Advice for a scenario: a title and its points (bullets with a hanging indent)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup, Vertical
from textual.widgets import Static

from bot.events import Advice
from bot.tui.literal import literal


class AdviceCard(Vertical):
    def __init__(self, event: Advice) -> None:
        super().__init__(classes="card -advice")
        self.event = event

    def compose(self) -> ComposeResult:
        yield Static(literal(self.event.title, "bold"), markup=False, classes="advice-title")
        for point in self.event.points:
            with HorizontalGroup(classes="advice-point"):
                yield Static(literal("•", "$primary"), markup=False, classes="advice-bullet")
                yield Static(literal(point), markup=False, classes="advice-text")
