"""What the app's snapshot tests share: the sizes, a pinned date, a quiet app, and waiting
until every turn has been drawn."""

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


async def wait_for_turns(pilot) -> None:  # type: ignore[no-untyped-def]
    """Wait until the conversation is open and no turn is still being worked on or shown."""
    app = pilot.app
    for _ in range(500):
        await pilot.pause()
        await app.workers.wait_for_complete()
        if app.engine.ready and not any(w.is_running and w.group == "turns" for w in app.workers):
            break
    await pilot.pause()


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """``wait_for_turns``, then a picture that does not depend on frame timing."""
    app = pilot.app
    await wait_for_turns(pilot)
    # A scrollbar's thumb can keep a drawing from a layout or two before (Textual 8.2): draw
    # it again from its current numbers, so the picture does not depend on frame timing.
    for log in app.screen.query(MessageLog):
        log.vertical_scrollbar.refresh()
    await pilot.pause()


async def say(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*list(text), "enter")
    await settle(pilot)


def footer_keys(app: CoachApp) -> list[str]:
    return [k.description for k in app.screen.query("FooterKey")]  # type: ignore[attr-defined]


def footer_keys_cut(app: CoachApp) -> list[str]:
    """The footer keys not whole on screen (cut at the edge, or under the palette key)."""
    keys = list(app.screen.query("FooterKey"))
    palette = [k for k in keys if k.has_class("-command-palette")]
    return [
        k.description  # type: ignore[attr-defined]
        for k in keys
        if k not in palette
        and (k.region.width < k.outer_size.width or any(k.region.overlaps(p.region) for p in palette))
    ]
