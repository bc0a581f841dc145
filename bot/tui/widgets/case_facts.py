"""What the coach knows so far about the case (the slots marked ``panel: true``)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from bot.tui.engine import Fact
from bot.tui.literal import literal

UNKNOWN = "—"


class CaseFacts(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.facts: tuple[Fact, ...] = ()

    def show(self, facts: Sequence[Fact]) -> None:
        facts = tuple(facts)
        if facts == self.facts:
            return
        self.facts = facts
        lines: list[Content] = []
        for fact in facts:
            label = literal(f"{fact.label.capitalize()}: ", "$text-muted")
            if fact.value:
                value = literal(fact.value, "bold")
            else:
                value = literal(UNKNOWN, "$text-disabled")
            lines.append(Content.assemble(label, value))
        self.update(Content("\n").join(lines))
