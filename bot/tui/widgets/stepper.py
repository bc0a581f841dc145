"""Where the person is in the journey: done, here, still to come."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from bot.tui.literal import literal

DONE, HERE, TODO = "✓", "●", "○"


class Stepper(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", markup=False, id=id)
        self.stages: tuple[str, ...] = ()
        self.current: str | None = None

    def show(self, stages: Sequence[str], current: str | None) -> None:
        stages = tuple(stages)
        if (stages, current) == (self.stages, self.current) and self.stages:
            return
        self.stages, self.current = stages, current
        here = stages.index(current) if current in stages else -1
        lines = []
        for i, stage in enumerate(stages):
            if i < here:
                lines.append(literal(f"{DONE} {stage}", "$success"))
            elif i == here:
                lines.append(literal(f"{HERE} {stage}", "bold $primary"))
            else:
                lines.append(literal(f"{TODO} {stage}", "$text-muted"))
        self.update(Content("\n").join(lines))

    @staticmethod
    def summary(stages: Sequence[str], current: str | None) -> str:
        """A one-line form for narrow screens, such as "Clarify 1/7"."""
        if current is not None and current in stages:
            return f"{current} {list(stages).index(current) + 1}/{len(stages)}"
        return ""
