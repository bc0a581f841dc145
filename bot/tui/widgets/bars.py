"""Horizontal bars drawn as text, with the number beside them (never colour alone)."""

from __future__ import annotations

from textual.content import Content

FULL, EMPTY = "█", "░"


def bar(value: float, maximum: float = 100.0, width: int = 20, style: str = "$primary") -> Content:
    share = max(0.0, min(value, maximum)) / maximum if maximum else 0.0
    filled = round(share * width)
    return Content.assemble((FULL * filled, style), (EMPTY * (width - filled), "$text-disabled"))
