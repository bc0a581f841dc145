"""Fuzz the running app (Pilot) with random and hostile text: typed, pasted (one paste of
about 1 MB) and sent raw, in the chat and on the rehearsal call. After every line the app is
still running, no turn failed, every message on screen shows its characters literally (no
markup, no template), and at the end the SQLite file passes ``PRAGMA integrity_check``."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from textual import events
from textual.content import Content as Text
from textual.widgets import Static

from bot.content import Content
from bot.store import DB_NAME
from bot.text import MAX_INPUT_CHARS
from bot.tui import CoachApp
from bot.tui.engine import EngineOptions
from bot.tui.literal import visible
from bot.tui.screens.chat import ChatScreen
from bot.tui.screens.rehearsal import CoachAside, RehearsalScreen
from bot.tui.widgets.composer import ChatInput
from bot.tui.widgets.message import SPEAKER_NAMES, MessageBubble
from tests.tui_support import wait_for_turns as settle

TODAY = dt.date(2026, 11, 20)
HUGE = "<1 MB paste>"  # stands for a paste of about a million characters
CORPUS = [
    "",
    "   ",
    "\x00",
    "a\x00b\x07c\x08d",
    "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07",
    "\x1b[2J\x1b[H",
    "\u202eevil\u202c",
    "مرحبا، أريد رفض العرض",
    "שלום",
    "e\u0301\u0301\u0301\u0301 Z\u0351\u0352\u0353",
    "👩\u200d💻🙅\u200d♀️🏳️\u200d🌈",
    "[@click=app.quit]",
    "[bold]x[/bold]",
    "[/foo]",
    "[@click=app.quit]x[/]",
    "[b red on blue]loud",
    "{{ 7*7 }}",
    "{% for x in range(9**9) %}{{ x }}{% endfor %}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{# comment #}",
    "key: [unclosed\n- {a: !!python/object:os.system 'ls'}",
    "---\n&a [*a, *a]",
    "'; DROP TABLE cases;--",
    "1 OR 1=1; SELECT * FROM sqlite_master",
    "go:rehearse",
    "1",
    "2",
    "hint",
    "restart",
    "end call",
    "Hi Dana, thanks for the offer. I have decided to decline.",
    "back",
    "help",
    HUGE,
]
HOW = ("type", "paste", "send")
HANG = 120.0  # seconds

lines = st.lists(
    st.tuples(st.one_of(st.sampled_from(CORPUS), st.text(max_size=40)), st.sampled_from(HOW)),
    min_size=1,
    max_size=4,
)


def check_literal(app: CoachApp, sent: list[str]) -> None:
    """Every message widget on the screens shows its text as characters, nothing more."""
    screens = [s for s in app.screen_stack if isinstance(s, ChatScreen | RehearsalScreen)]
    typed_49 = any("49" in s for s in sent)
    for screen in screens:
        for bubble in screen.query(MessageBubble):
            visual = bubble.visual
            assert isinstance(visual, Text)
            name = SPEAKER_NAMES.get(bubble.speaker, bubble.speaker.title())
            assert visual.plain == f"{name}\n{visible(bubble.text)}"
            assert not any("@click" in str(span.style) for span in visual.spans)
            assert typed_49 or "49" not in bubble.text  # {{ 7*7 }} never evaluated
        for aside in screen.query(CoachAside):
            assert isinstance(aside.visual, Text)
            assert aside.visual.plain.endswith(visible(aside.text))
        for widget in screen.query(Static):
            assert not any("@click" in str(span.style) for span in getattr(widget.visual, "spans", ()))


async def back_to_an_input(pilot) -> ChatInput:  # type: ignore[no-untyped-def]
    """Close whatever a line opened (help, on "?") until a screen with an input is on top."""
    app = pilot.app
    for _ in range(5):
        if isinstance(app.screen, ChatScreen | RehearsalScreen):
            break
        await pilot.press("escape")
        await settle(pilot)
    field = app.screen.query_one(ChatInput)
    field.focus()
    field.value = ""
    await pilot.pause()
    return field


async def drive(home: Path, content: Content, script: list[tuple[str, str]]) -> None:
    opts = EngineOptions(data_dir=str(home), new=True, today=TODAY)
    app = CoachApp(opts, content=content, typing_delay=0, cursor_blink=False)
    app.animation_level = "none"
    sent: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for text, how in script:
            field = await back_to_an_input(pilot)
            if text == HUGE:
                field.post_message(events.Paste("word [b]{{ 7*7 }}[/b] \x1b[31m\x00 " * 40_000))
                await settle(pilot)
                assert len(field.value) <= MAX_INPUT_CHARS
                await pilot.press("enter")
            elif how == "type" and len(text) <= 30 and text.isprintable():
                await pilot.press(*list(text), "enter")
            elif how == "paste" and text:
                field.post_message(events.Paste(text))
                await settle(pilot)
                await pilot.press("enter")
            else:
                app.screen.query_one("#composer").send(text)  # type: ignore[attr-defined]
            sent.append(text)
            await settle(pilot)
            assert app.is_running and app.return_code is None
            assert app._exception is None
            failed = [n for n in app._notifications if n.severity == "error"]
            assert not failed, [str(n.message) for n in failed]
            check_literal(app, sent)
    assert app._exception is None
    db = home / DB_NAME
    if db.exists():
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@example(
    script=[
        ("go:rehearse", "send"),
        ("1", "type"),
        ("[bold]{{ 7*7 }}", "type"),
        ("1", "type"),
        (HUGE, "paste"),
        ("\x00\x1b[2J[@click=app.quit]x[/]", "send"),
    ]
)
@given(script=lines)
def test_fuzz_the_running_app(content: Content, script: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        # A guard against a hang (generous: an example takes a second or two), not a timing test.
        asyncio.run(asyncio.wait_for(drive(Path(folder) / "home", content, script), timeout=HANG))
