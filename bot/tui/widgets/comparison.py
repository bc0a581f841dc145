"""The decision comparison: one bar per option, its score, and what it was built from."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from bot.events import Comparison
from bot.tui.literal import literal
from bot.tui.widgets.bars import bar

BAR = 20


class ComparisonChart(Static):
    def __init__(self, event: Comparison) -> None:
        self.event = event
        super().__init__(self._build(event), markup=False, classes="card -comparison")

    @staticmethod
    def _build(event: Comparison) -> Content:
        width = max((len(r.name) for r in event.rows), default=0)
        best = max((r.score for r in event.rows), default=0.0)
        lines = [literal(event.title, "bold")]
        for row in event.rows:
            style = "$primary" if row.score == best else "$secondary"
            lines.append(
                Content.assemble(
                    literal(row.name.ljust(width)),
                    "  ",
                    bar(row.score, width=BAR, style=style),
                    literal(f" {row.score:5.1f}", "bold" if row.score == best else ""),
                )
            )
            for name, points in row.details:
                lines.append(literal(f"   {name}: {points:+.1f}", "$text-muted"))
        if event.note:
            lines.append(literal(event.note, "italic"))
        return Content("\n").join(lines)
