"""The rehearsal scorecard: a bar per check, what was said, and what might work better.

In the chat it is a compact card with one bar for the whole call; on the call screen
(``per_check=True``) every check gets its own row with a bar, the check's name in a column,
and the note beside it. Pass and fail are told by the mark and the bar, never colour alone.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from bot.events import Scorecard
from bot.tui.literal import literal
from bot.tui.widgets.bars import bar

CHECK_BAR = 8


class ScorecardView(Static):
    def __init__(self, event: Scorecard, *, per_check: bool = False) -> None:
        self.event = event
        classes = "card -scorecard -per-check" if per_check else "card -scorecard"
        super().__init__(self._build(event, per_check=per_check), markup=False, classes=classes)

    @staticmethod
    def _build(event: Scorecard, *, per_check: bool = False) -> Content:
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
        column = max((len(line.check) for line in event.lines), default=0)
        for line in event.lines:
            mark = ("✓ ", "$success") if line.ok else ("✗ ", "$error")
            if per_check:
                lines.append(
                    Content.assemble(
                        mark,
                        literal(line.check.ljust(column), "bold"),
                        " ",
                        bar(1 if line.ok else 0, 1, width=CHECK_BAR, style="$success"),
                        " ",
                        literal(line.note),
                    )
                )
            else:
                lines.append(Content.assemble(mark, literal(line.check, "bold"), ": ", literal(line.note)))
            if line.quote:
                lines.append(Content.assemble("    “", literal(line.quote, "italic"), "”"))
            if line.better and not line.ok:
                lines.append(Content.assemble(("    → ", "$primary"), literal(line.better)))
        return Content("\n").join(lines)
