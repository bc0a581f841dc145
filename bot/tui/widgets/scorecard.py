"""The rehearsal scorecard: a bar per check, what was said, and what might work better."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from bot.events import Scorecard
from bot.tui.literal import literal
from bot.tui.widgets.bars import bar


class ScorecardView(Static):
    def __init__(self, event: Scorecard) -> None:
        self.event = event
        super().__init__(self._build(event), markup=False, classes="card -scorecard")

    @staticmethod
    def _build(event: Scorecard) -> Content:
        passed = sum(1 for line in event.lines if line.ok)
        total = len(event.lines)
        lines = [
            Content.assemble(
                literal(event.title, "bold"),
                "  ",
                bar(passed, total or 1, width=10, style="$success"),
                literal(f" {passed}/{total}"),
            )
        ]
        for line in event.lines:
            mark = ("✓ ", "$success") if line.ok else ("✗ ", "$error")
            lines.append(Content.assemble(mark, literal(line.check, "bold"), ": ", literal(line.note)))
            if line.quote:
                lines.append(Content.assemble("    “", literal(line.quote, "italic"), "”"))
            if line.better and not line.ok:
                lines.append(Content.assemble(("    → ", "$primary"), literal(line.better)))
        return Content("\n").join(lines)
