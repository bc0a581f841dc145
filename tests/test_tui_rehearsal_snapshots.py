"""SVG snapshots of the rehearsal call screen at 80x24 and 120x40: mid-call, and with its
scorecard (cursor blink off, no animation, a pinned date, a fresh data folder, no typing
pause). Regenerate with ``--snapshot-update`` after a deliberate change and review the diff."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.tui import CoachApp
from bot.tui.engine import EngineOptions
from bot.tui.widgets.message_log import MessageLog

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CoachApp:
    monkeypatch.setenv("DECLINE_COACH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "disabled")
    opts = EngineOptions(data_dir=str(tmp_path / "home"), new=True, today=TODAY, seed=0)
    coach = CoachApp(opts, typing_delay=0, cursor_blink=False)
    coach.animation_level = "none"
    return coach


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    for _ in range(500):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if app.engine.ready and not any(w.is_running and w.group == "turns" for w in app.workers):
            break
    await pilot.pause()
    # A scrollbar's thumb can keep a drawing from a layout or two before (Textual 8.2): draw
    # it again from its current numbers, so the picture does not depend on frame timing.
    for log in app.screen.query(MessageLog):
        log.vertical_scrollbar.refresh()
    await pilot.pause()


async def say(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*list(text), "enter")
    await settle(pilot)


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
