"""SVG snapshots of the rehearsal call screen at 80x24 and 120x40: mid-call, and with its
scorecard (cursor blink off, no animation, a pinned date, a fresh data folder, no typing
pause). Regenerate with ``--snapshot-update`` after a deliberate change and review the diff."""

from __future__ import annotations

import pytest

from bot.tui import CoachApp
from tests.tui_support import SIZES, say, settle
from tests.tui_support import app as app  # the fixture, shared


async def on_the_call(pilot) -> None:  # type: ignore[no-untyped-def]
    """Persuasive, normal: the manager picks up, the person declines, the manager pushes."""
    await settle(pilot)
    await say(pilot, "go:rehearse")
    await pilot.press("3")
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await say(pilot, "Hi Dana, thank you so much for the offer. I have decided to decline [b]it[/b].")


@pytest.mark.parametrize("size", SIZES)
def test_call_mid_call(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=on_the_call)


@pytest.mark.parametrize("size", SIZES)
def test_call_scorecard(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await on_the_call(pilot)
        await say(pilot, "That is kind, but my decision is final.")
        await pilot.press("f4")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
