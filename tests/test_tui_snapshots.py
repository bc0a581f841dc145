"""SVG snapshots of the main screens at 80x24 and 120x40 (cursor blink off, no animation,
a pinned date and a fresh data folder). Regenerate with ``--snapshot-update`` after a
deliberate change to the look or to the coach's words, and review the diff."""

from __future__ import annotations

import pytest

from bot.events import (
    Advice,
    Choice,
    Choices,
    Comparison,
    ComparisonRow,
    Draft,
    Finding,
    Say,
    Scorecard,
    ScoreLine,
)
from bot.tui import CoachApp
from bot.tui.widgets.message import MessageBubble
from bot.tui.widgets.message_log import MessageLog
from tests.tui_support import SIZES, say, settle
from tests.tui_support import app as app  # the fixture, shared

DRAFT = Draft(
    kind="decline-another-offer",
    tone="warm",
    title="Declining the offer",
    text=(
        "Dear Dana,\n\nThank you so much for the offer for the Senior Data Analyst role. "
        "After a lot of thought I've decided to accept another position.\n\n"
        "I really enjoyed meeting the team and hope our paths cross again.\n\nBest wishes,\nSam"
    ),
    findings=(
        Finding("gratitude", True, "Thanks them for the offer."),
        Finding("clear decision", True, "Says no in the first paragraph."),
        Finding(
            "door open",
            False,
            "Could say more about staying in touch.",
            quote="hope our paths cross",
            suggestion="Offer to stay in touch on LinkedIn.",
        ),
    ),
    score=86,
)

CARDS = [
    Say("Here is how your two options compare on what matters to you."),
    Comparison(
        "Your options",
        (
            ComparisonRow("Northwind offer", 64.0, (("growth", 24.0), ("pay", 22.0))),
            ComparisonRow("Stay at [b]Acme[/b]", 71.5, (("team", 30.0), ("commute", 18.0))),
        ),
        close_call=True,
        note="A close call: trust your gut on the tie-breaker.",
    ),
    Advice("If they counteroffer", ("Thank them for it.", "Restate your decision once, kindly.")),
    Say("Thanks for letting me know. Can I ask what tipped it?", speaker="manager"),
    Scorecard(
        "How the call went",
        (
            ScoreLine("warmth", True, "You thanked them."),
            ScoreLine(
                "clarity", False, "You hedged.", quote="I might maybe", better="I've decided"
            ),
        ),
    ),
    DRAFT,
    Choices((Choice("Rehearse again", "again"), Choice("Move on", "next"))),
]


@pytest.mark.parametrize("size", SIZES)
def test_opening(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_mid_conversation(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await say(pilot, "Northwind")
        await say(pilot, "Senior Data Analyst")

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_cards(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.app.screen.query_one(MessageLog).clear()
        await pilot.app.chat.show(CARDS)
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_case_panel_shown_on_narrow(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await say(pilot, "[@click=app.quit] {{ 7*7 }}")
        await pilot.press("ctrl+b")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_draft_screen(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.app.chat.show([DRAFT])
        await pilot.press("ctrl+o")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen_scrolled_to_the_end(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press("end")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_cases_screen(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        import sqlite3

        from bot.followups import FollowUp
        from tests.tui_support import TODAY

        await settle(pilot)
        store = pilot.app.engine.store
        first = store.create_case("Northwind Analytics - Senior Data Analyst (remote)")
        second = store.create_case("Contoso - Product Manager")
        store.add_followups(
            first,
            [
                FollowUp("linkedin", "Connect with Dana Rivera on LinkedIn with a personal note", TODAY, person="Dana"),
                FollowUp("thanks", "Send Priya Shah a thank-you note", TODAY, person="Priya Shah"),
            ],
        )
        store.add_followups(second, [FollowUp("reconnect", "Reconnect with Contoso", TODAY.replace(year=2027))])
        with sqlite3.connect(store.path) as conn:  # fixed times: the picture must not depend on the clock
            conn.execute("UPDATE cases SET created = '2026-11-20T09:30:00', updated = '2026-11-20T09:30:00'")
        await pilot.press("ctrl+l")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_save_screen(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from pathlib import Path

        from bot.tui.screens.save import SaveScreen

        await settle(pilot)
        pilot.app.push_screen(SaveScreen(Path("~/decline-coach/exports/decline-another-offer-warm.txt"), "Save: Draft"))
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_letter_box_after_a_cr_paste(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from textual import events

        from bot.tui.widgets.composer import Composer

        await settle(pilot)
        await pilot.app.chat.query_one(Composer).set_multiline(True)
        await pilot.pause()
        letter = "Hi Priya,\r\rThank you so much for the offer.\r\rI have decided to decline.\r\rBest,\rSam"
        pilot.app.focused.post_message(events.Paste(letter))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_new_messages_below_cue(snap_compare, app: CoachApp, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        log = pilot.app.screen.query_one(MessageLog)
        await log.add(*[MessageBubble("coach", f"Message {i}") for i in range(20)])
        await settle(pilot)
        await pilot.press("pageup")
        await settle(pilot)
        await log.add(MessageBubble("coach", "This one arrived while you were reading back."))
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
