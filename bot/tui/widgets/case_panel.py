"""The panel beside the chat: the case so far and the journey stepper."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from bot.tui.engine import Fact
from bot.tui.widgets.case_facts import CaseFacts
from bot.tui.widgets.stepper import Stepper


class CasePanel(VerticalScroll):
    can_focus = False

    def __init__(self, *, case_title: str, journey_title: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.case_title = case_title
        self.journey_title = journey_title

    def compose(self) -> ComposeResult:
        # Empty until the first show(): the app's first frame is the coach's first words, and
        # what the case panel holds is only known once the engine is open.
        return iter(())

    def show(self, facts: Sequence[Fact], stages: Sequence[str], current: str | None) -> None:
        if not self.children:
            self.mount(
                Static(self.case_title, markup=False, classes="panel-title"),
                CaseFacts(id="case-facts"),
                Static(self.journey_title, markup=False, classes="panel-title"),
                Stepper(id="stepper"),
            )
        self.query_one(CaseFacts).show(facts)
        self.query_one(Stepper).show(stages, current)
