"""The critic's findings on a draft: each check, and the exact words responsible."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from bot.events import Finding
from bot.tui.literal import literal


class FindingsList(Static):
    def __init__(self, findings: Sequence[Finding], *, all_clear: str, id: str | None = None) -> None:
        self.findings = tuple(findings)
        super().__init__(self._build(self.findings, all_clear), markup=False, id=id)

    @staticmethod
    def _build(findings: tuple[Finding, ...], all_clear: str) -> Content:
        failed = [f for f in findings if not f.ok]
        lines: list[Content] = []
        if findings and not failed:
            lines.append(literal(all_clear.format(count=len(findings)), "$success"))
        for f in sorted(findings, key=lambda f: f.ok):
            mark = ("✓ ", "$success") if f.ok else ("✗ ", "$error")
            lines.append(Content.assemble(mark, literal(f.check, "bold"), ": ", literal(f.message)))
            if f.quote and not f.ok:
                lines.append(Content.assemble("    “", literal(f.quote, "italic $warning"), "”"))
            if f.suggestion and not f.ok:
                lines.append(Content.assemble(("    → ", "$primary"), literal(f.suggestion)))
        return Content("\n").join(lines)
