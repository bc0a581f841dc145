"""The Textual app, driven by keyboard with Pilot: whole conversations, quick replies,
safety with hostile text, the draft screen, the case panel, cases, and long logs."""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button

from bot.events import (
    Advice,
    Choice,
    Choices,
    Comparison,
    ComparisonRow,
    Draft,
    End,
    Finding,
    Notice,
    Say,
    Scorecard,
    ScoreLine,
)
from bot.text import MAX_INPUT_CHARS
from bot.tui import CoachApp
from bot.tui.engine import EngineOptions
from bot.tui.screens.cases import CasesScreen
from bot.tui.screens.draft import DraftScreen
from bot.tui.screens.help import HelpScreen
from bot.tui.screens.save import SaveScreen
from bot.tui.widgets.case_panel import CasePanel
from bot.tui.widgets.comparison import ComparisonChart
from bot.tui.widgets.composer import ChatInput, Composer
from bot.tui.widgets.draft_card import DraftCard
from bot.tui.widgets.log_note import LogNote
from bot.tui.widgets.message import MessageBubble
from bot.tui.widgets.message_log import MessageLog
from bot.tui.widgets.quick_replies import QuickReplies, QuickReply
from bot.tui.widgets.typing import TypingIndicator
from tests.tui_support import footer_keys, footer_keys_cut
from tests.tui_support import wait_for_turns as settle

TODAY = dt.date(2026, 11, 20)
INJECTIONS = ["[@click=app.quit]", "[bold]", "[/foo]", "{{ 7*7 }}", "[@click=app.quit]x[/]"]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECLINE_COACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def make_app(home: Path, *, new: bool = True, **kwargs: object) -> CoachApp:
    opts = EngineOptions(data_dir=str(home), new=new, today=TODAY)
    kwargs.setdefault("typing_delay", 0)
    kwargs.setdefault("cursor_blink", False)
    app = CoachApp(opts, **kwargs)  # type: ignore[arg-type]
    app.animation_level = "none"
    return app


def bubbles(app: CoachApp, speaker: str | None = None) -> list[MessageBubble]:
    found = list(app.screen.query(MessageBubble))
    return [b for b in found if speaker is None or b.speaker == speaker]


def rendered(widget) -> str:  # type: ignore[no-untyped-def]
    """The characters a widget actually puts on screen (every line, trailing space cut)."""
    lines = widget.render_lines(widget.region.reset_offset)
    return "\n".join("".join(seg.text for seg in line).rstrip() for line in lines)


async def type_line(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*list(text))
    await pilot.press("enter")
    await settle(pilot)


# -- a whole conversation ---------------------------------------------------------------------


ANSWERS = {"company": "Northwind", "role": "Senior Data Analyst", "manager": "Dana Rivera"}


async def answer(pilot, answers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """One turn, by keyboard: the scripted answer to what the coach asks, else option 1."""
    app = pilot.app
    session = app.engine.conversation.session
    ask = session.spec.ask
    if ask in answers:
        await type_line(pilot, answers[ask])
    elif app.screen.query_one(QuickReplies).choices:
        await pilot.press("1")
        await settle(pilot)
    elif ask:
        await type_line(pilot, "skip")
    else:
        await type_line(pilot, "ok")


async def test_whole_conversation_by_keyboard(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.focused, ChatInput)
        assert bubbles(app, "coach")
        replies = app.screen.query_one(QuickReplies)
        labels = [c.label for c in replies.choices]
        decline = next(i for i, label in enumerate(labels, 1) if "decline" in label.lower())
        # A number key picks the quick reply while the input is empty.
        await pilot.press(str(decline))
        await settle(pilot)
        assert bubbles(app, "user")[-1].text == labels[decline - 1]
        session = app.engine.conversation.session
        assert session.slots.get("decision") == "decline"
        stages = app.engine.stages
        turns = 1
        while turns < 30 and not session.finished and stages.index(session.stage or stages[0]) < 2:
            await answer(pilot, ANSWERS)
            turns += 1
        # Every turn shows the person's message, and the coach answered each one.
        assert len(bubbles(app, "user")) == turns
        facts = {f.slot: f.value for f in app.engine.facts()}
        assert facts["company"] == "Northwind"
        assert facts["role"] == "Senior Data Analyst"
        panel = app.screen.query_one(CasePanel)
        assert panel.display
        assert "Northwind" in rendered(panel.query_one("#case-facts"))
        stepper = rendered(panel.query_one("#stepper"))
        assert "✓ Clarify" in stepper  # the journey moved on, live
        assert any("Northwind" in b.text for b in bubbles(app, "coach"))
        # Everything went through the same store plain mode uses.
        case = app.engine.store.load_case(app.engine.case_id)  # type: ignore[union-attr,arg-type]
        sent = [t.user_text for t in case.transcript if t.user_text]
        assert "Northwind" in sent and len(sent) == turns


async def test_quick_reply_buttons_click_and_tab(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        buttons = list(app.screen.query(QuickReply))
        await pilot.click(buttons[1])
        await settle(pilot)
        assert bubbles(app, "user")[-1].text == buttons[1].choice.label
        assert isinstance(app.focused, ChatInput)  # focus goes back to typing
        assert not app.screen.query(QuickReply)  # the choices belong to the last question


async def test_number_keys_type_when_input_is_not_empty(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a", "1")
        assert app.screen.query_one(ChatInput).value == "a1"
        assert not bubbles(app, "user")
        # An out-of-range number with an empty input does nothing but ring the bell.
        await pilot.press("backspace", "backspace", "9")
        await settle(pilot)
        assert not bubbles(app, "user")


async def test_input_history_up_down(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_line(pilot, "Northwind")
        field = app.screen.query_one(ChatInput)
        await pilot.press("x")
        await pilot.press("up")
        assert field.value == "Northwind"
        await pilot.press("up")
        assert field.value == "I've decided to decline"
        await pilot.press("down")
        assert field.value == "Northwind"
        await pilot.press("down")
        assert field.value == "x"  # what was being typed comes back


# -- safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", INJECTIONS)
async def test_injection_shown_literally_and_inert(home: Path, text: str) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert app.engine.conversation.session.spec.ask == "company"
        await type_line(pilot, text)  # as the company name
        mine = bubbles(app, "user")[-1]
        assert mine.text == text
        assert text in rendered(mine)
        # When the engine keeps it (as the company), the coach repeats it and the case panel
        # shows it: literally, both. (The engine may also decline it as a name; fine.)
        if app.engine.conversation.session.slots.get("company") == text:
            for _ in range(3):
                if any(text in rendered(b) for b in bubbles(app, "coach")):
                    break
                await answer(pilot, ANSWERS)
            assert any(text in rendered(b) for b in bubbles(app, "coach"))
            assert text in rendered(app.screen.query_one("#case-facts"))
        # Whatever the engine says back is shown literally too.
        await app.chat.show([Say(f"You said {text}."), Say(text, speaker="manager")])
        await settle(pilot)
        assert f"You said {text}." in rendered(bubbles(app, "coach")[-1])
        assert text in rendered(bubbles(app, "manager")[-1])
        # Clicking on the "link" does nothing: the app is still running.
        await pilot.click(mine)
        await settle(pilot)
        assert app.is_running
        assert app.return_code is None


async def test_ansi_escapes_never_reach_the_terminal(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        raw = "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07done"
        # Pasted: the control codes are taken out, with a notice.
        field = app.screen.query_one(ChatInput)
        field.post_message(events.Paste(raw))
        await settle(pilot)
        assert "\x1b" not in field.value and "red" in field.value
        assert any("control" in str(n.message) for n in app._notifications)
        field.value = ""
        # Sent some other way (here straight to the composer): shown, but as visible symbols.
        app.screen.query_one(Composer).send(raw)
        await settle(pilot)
        mine = bubbles(app, "user")[-1]
        shown = rendered(mine)
        assert "\x1b" not in shown and "\x07" not in shown
        assert "␛[31mred" in shown
        assert app.is_running


async def test_huge_paste_is_trimmed_with_a_notice(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)  # now asked for the company: free text
        field = app.screen.query_one(ChatInput)
        field.post_message(events.Paste("word " * 400_000))
        await settle(pilot)
        assert MAX_INPUT_CHARS - 5 <= len(field.value) <= MAX_INPUT_CHARS
        assert any(n.severity == "warning" for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert len(bubbles(app, "user")[-1].text) <= MAX_INPUT_CHARS
        assert app.is_running


async def test_notice_markup_is_not_parsed(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.chat.show([Notice("[/foo] [@click=app.quit]x[/] saved", "warning")])
        await settle(pilot)
        note = app._notifications
        assert any(str(n.message) == "[/foo] [@click=app.quit]x[/] saved" for n in note)
        assert app.is_running


# -- every event type ----------------------------------------------------------------------


def sample_draft(text: str = "Dear Dana,\n\nThank you for the offer.\n\nBest,\nSam") -> Draft:
    return Draft(
        kind="decline-another-offer",
        tone="warm",
        title="Decline [bold]note[/]",
        text=text,
        findings=(
            Finding("gratitude", True, "Thanks them."),
            Finding(
                "reason",
                False,
                "Too much detail about pay.",
                quote="the [/foo] salary",
                suggestion="Keep it short.",
            ),
        ),
        score=82,
    )


async def test_renders_every_event_type(home: Path) -> None:
    app = make_app(home, typing_delay=0.05)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        events_ = [
            Comparison(
                "Your options",
                (
                    ComparisonRow("Northwind", 72.5, (("growth", 30.0),)),
                    ComparisonRow("[b]Current[/b]", 55.0),
                ),
            ),
            Advice("When they counteroffer", ("Thank them.", "Stay firm [/foo].")),
            sample_draft(),
            Scorecard(
                "How that went",
                (
                    ScoreLine("warmth", True, "Warm."),
                    ScoreLine("clarity", False, "Hedged.", quote="maybe", better="I've decided"),
                ),
            ),
            Say("Oh. I'm sorry to hear that. [@click=app.quit]", speaker="manager"),
            Choices((Choice("Try again", "again"),)),
            End("Good luck."),
        ]
        task = app.chat.show(events_)
        await task
        await settle(pilot)
        chart = app.screen.query_one(ComparisonChart)
        assert "[b]Current[/b]" in rendered(chart) and "72.5" in rendered(chart)
        assert any("Stay firm [/foo]." in rendered(w) for w in app.screen.query(".advice-text"))
        assert "Hedged." in rendered(app.screen.query_one(".-scorecard"))
        manager = bubbles(app, "manager")[-1]
        assert manager.has_class("-manager") and "[@click=app.quit]" in rendered(manager)
        assert not app.screen.query(TypingIndicator)  # gone once the line arrived
        assert app.screen.query_one(DraftCard)
        assert app.chat.last_draft is not None


async def test_manager_line_arrives_after_a_typing_pause(home: Path) -> None:
    app = make_app(home, typing_delay=0.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.chat.run_worker(app.chat.show([Say("We'll miss you.", speaker="manager")]))
        await pilot.pause(0.1)
        assert app.screen.query(TypingIndicator)
        assert not bubbles(app, "manager")
        await settle(pilot)
        assert bubbles(app, "manager")
        assert not app.screen.query(TypingIndicator)


async def test_draft_screen_copy_and_save(home: Path, tmp_path: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        draft = sample_draft()
        await app.chat.show([draft])
        # The card's own button opens it too (DraftCard.Open, handled by its name).
        app.screen.query_one(DraftCard).query_one(".draft-open", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, DraftScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, DraftScreen)
        text = rendered(app.screen.query_one("#draft-findings"))
        assert "Too much detail about pay." in text and "the [/foo] salary" in text
        await pilot.press("c")
        assert app.clipboard == draft.text
        assert any("clipboard" in str(n.message) for n in app._notifications)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        target = tmp_path / "out" / "my draft.txt"
        field = app.screen.query_one("#save-path")
        field.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == draft.text + "\n"
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
        assert isinstance(app.screen, DraftScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, DraftScreen)


async def test_export_transcript_from_palette_command(home: Path, tmp_path: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in (
            "Start this case over",
            "Copy the last draft",
            "Export the transcript",
            "Switch theme",
            "Cases and follow-ups",
        ):
            assert wanted in titles
        assert any(t.startswith("Go to stage: ") for t in titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Export the transcript")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SaveScreen)
        target = tmp_path / "t.md"
        app.screen.query_one("#save-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        text = target.read_text(encoding="utf-8")
        assert "**You:** I've decided to decline" in text


async def test_restart_command_goes_through_the_engine(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_line(pilot, "Northwind")
        assert app.engine.conversation.session.slots.get("company") == "Northwind"
        restart = next(c for c in app.get_system_commands(app.screen) if c.title == "Start this case over")
        restart.callback()
        await settle(pilot)
        assert not app.engine.conversation.session.slots.get("company")


async def test_garbage_collector_is_paused_only_until_the_first_message(home: Path) -> None:
    import gc

    app = make_app(home)
    seen: list[bool] = []
    app.engine.prefetch = lambda: seen.append(gc.isenabled())  # type: ignore[method-assign]
    assert gc.isenabled()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert seen == [False]  # paused while the app starts
        assert bubbles(app, "coach")
        await pilot.pause()
        assert gc.isenabled()  # and back once the first message is on screen
    assert gc.isenabled()


async def test_theme_switch(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before


# -- layout and screens ---------------------------------------------------------------------


async def test_case_panel_hides_when_narrow_and_toggles(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one(CasePanel)
        assert not panel.display
        await pilot.press("ctrl+b")
        assert panel.display
        await pilot.press("ctrl+b")
        assert not panel.display
        assert app.screen.sub_title.startswith("")  # the stage summary lives in the header
        # Everything still fits: the input and the quick replies are on screen.
        field = app.screen.query_one(ChatInput)
        assert field.region.bottom <= 23
        assert all(b.region.height for b in app.screen.query(QuickReply))


async def test_help_screen_from_f1_and_question_mark(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.rows)
        assert "1-9" in keys and any("Case" in v for v in keys.values())
        await pilot.press("escape")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("a", "question_mark")
        assert app.screen.query_one(ChatInput).value == "a?"


async def test_keymap_remaps_a_binding_by_id(home: Path) -> None:
    app = make_app(home, keymap={"app.help": "f2"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        assert isinstance(app.screen, HelpScreen)


async def test_cases_screen_open_new_and_delete(home: Path) -> None:
    first = make_app(home)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_line(pilot, "[bold]Acme")
        first_id = first.engine.case_id
    app = make_app(home, new=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # Resumed: the earlier turns are shown once, then the question again.
        assert app.engine.case_id == first_id
        assert app.screen.query(".-earlier")
        asked = [b.text for b in bubbles(app) if "company" in b.text.lower() or "role" in b.text.lower()]
        assert asked.count(asked[-1]) <= 2
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, CasesScreen)
        table = app.screen.query_one("#cases")
        assert table.row_count == 1  # type: ignore[attr-defined]
        assert "[bold]Acme" in str(table.get_row_at(0)[1])  # type: ignore[attr-defined]
        await pilot.press("n")
        await settle(pilot)
        assert not isinstance(app.screen, CasesScreen)
        assert app.engine.case_id != first_id
        # A new case is stored from its first answer on (an untouched one leaves nothing behind).
        await type_line(pilot, "I want to decline the offer")
        await pilot.press("ctrl+l")
        await settle(pilot)
        table = app.screen.query_one("#cases")
        assert table.row_count == 2  # type: ignore[attr-defined]
        # Delete the older case: press delete twice on its row.
        row = next(i for i in range(2) if str(table.get_row_at(i)[0]) == str(first_id))  # type: ignore[attr-defined]
        table.move_cursor(row=row)  # type: ignore[attr-defined]
        await pilot.press("delete")
        await pilot.press("delete")
        await settle(pilot)
        assert table.row_count == 1  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert not isinstance(app.screen, CasesScreen)
        # Enter on a case opens it.
        current = app.engine.case_id
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CasesScreen)
        assert app.engine.case_id == current and app.engine.resumed


async def test_long_conversations_prune_old_messages(home: Path) -> None:
    app = make_app(home, max_messages=20)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        log = app.screen.query_one(MessageLog)
        for i in range(40):
            await log.add(MessageBubble("user" if i % 2 else "coach", f"message {i}"))
        await settle(pilot)
        kept = [b.text for b in log.query(MessageBubble)]
        assert len(kept) <= 25 and kept[-1] == "message 39"
        assert log.query(LogNote).filter(".-pruned")
        assert log.is_anchored
        assert log.scroll_y == log.max_scroll_y  # pinned to the newest message


async def test_scrolling_up_unpins_and_new_messages_do_not_yank(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        log = app.screen.query_one(MessageLog)
        for i in range(30):
            await log.add(MessageBubble("coach", f"line {i}"))
        await settle(pilot)
        assert log.scroll_y == log.max_scroll_y
        await pilot.press("pageup")
        await settle(pilot)
        held = log.scroll_y
        assert held < log.max_scroll_y
        await log.add(MessageBubble("coach", "new"))
        await settle(pilot)
        assert log.scroll_y == held
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert log.scroll_y == log.max_scroll_y


# -- pastes, following the conversation, 80x24 --------------------------------------------------

LETTER = (
    "Hi Priya,\n\nThank you so much for the offer.\n\n"
    "After a lot of thought I have decided to decline.\n\nBest,\nSam"
)


def start_at_the_paste(tmp_path: Path) -> str:
    """A copy of the content whose conversation starts at "paste your draft" (a letter box)."""
    import shutil

    copy = tmp_path / "dialogues"
    shutil.copytree(Path(__file__).parent.parent / "dialogues", copy)
    coach = copy / "coach.yaml"
    text = coach.read_text(encoding="utf-8")
    assert "\nstart: journey\n" in text
    coach.write_text(text.replace("\nstart: journey\n", "\nstart: draft.paste\n"), encoding="utf-8")
    return str(copy)


def bracketed_paste(app: CoachApp, raw: str) -> None:
    """What a terminal sends for a paste, read by Textual's own input parser and delivered
    to the focused widget, as the driver does."""
    from textual._xterm_parser import XTermParser

    parsed = list(XTermParser().feed(f"\x1b[200~{raw}\x1b[201~"))
    pastes = [e for e in parsed if isinstance(e, events.Paste)]
    assert len(pastes) == 1 and pastes[0].text == raw
    assert app.focused is not None
    app.focused.post_message(pastes[0])


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
async def test_pasted_letter_keeps_its_paragraphs(home: Path, tmp_path: Path, ending: str) -> None:
    from bot.tui.widgets.letter_area import LetterArea

    opts = EngineOptions(data_dir=str(home), new=True, today=TODAY, dialogues=start_at_the_paste(tmp_path))
    app = CoachApp(opts, typing_delay=0, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        area = app.screen.query_one(LetterArea)
        assert area.display and app.focused is area
        bracketed_paste(app, LETTER.replace("\n", ending))
        await settle(pilot)
        assert area.text == LETTER
        assert not app._notifications  # nothing was removed: line endings are not control characters
        await pilot.press("enter")
        await settle(pilot)
        assert bubbles(app, "user")[-1].text == LETTER
        assert app.engine.transcript[1] == {"speaker": "user", "text": LETTER}


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
async def test_paste_into_the_one_line_input_joins_lines_with_spaces(home: Path, ending: str) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)  # asked for the company: a one-line answer
        bracketed_paste(app, f"Northwind{ending}Analytics\x07")
        await settle(pilot)
        assert app.screen.query_one(ChatInput).value == "Northwind Analytics"
        # Only the bell was a control character.
        notes = [str(n.message) for n in app._notifications]
        assert notes == ["Removed 1 terminal control character(s) from the paste."]


async def test_sending_brings_the_conversation_to_the_newest_reply(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        log = app.screen.query_one(MessageLog)
        for i in range(30):
            await log.add(MessageBubble("coach", f"line {i}"))
        await settle(pilot)
        await pilot.press("pageup", "pageup")
        await settle(pilot)
        assert log.scroll_y < log.max_scroll_y
        await type_line(pilot, "I've decided to decline")
        assert log.scroll_y == log.max_scroll_y
        newest = bubbles(app)[-1]
        assert newest.speaker == "coach" and newest.region.bottom <= log.region.bottom
        assert log.region.contains_region(newest.region)  # the reply is in view


async def test_new_messages_below_cue_while_reading_back(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        log = app.screen.query_one(MessageLog)
        cue = app.screen.query_one("#new-below")
        for i in range(30):
            await log.add(MessageBubble("coach", f"line {i}"))
        await settle(pilot)
        assert not cue.display  # following: nothing is waiting
        await pilot.press("pageup")
        await settle(pilot)
        held = log.scroll_y
        await log.add(MessageBubble("coach", "arrived while reading"))
        await settle(pilot)
        assert log.scroll_y == held  # reading back stays possible
        assert cue.display and "New messages below" in rendered(cue)
        await pilot.press("ctrl+end")
        await settle(pilot)
        assert not cue.display and log.scroll_y == log.max_scroll_y
        # Scrolling down to the end by hand clears it too.
        await pilot.press("pageup")
        await log.add(MessageBubble("coach", "another"))
        await settle(pilot)
        assert cue.display
        for _ in range(5):
            await pilot.press("pagedown")
        await settle(pilot)
        assert not cue.display


async def test_number_key_then_enter_sends_no_empty_message(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2", "enter")
        await settle(pilot)
        await pilot.press("enter", "space", "enter")
        await settle(pilot)
        said = [b.text for b in bubbles(app, "user")]
        assert said == ["I've decided to decline"]
        assert all(b.text.strip() for b in bubbles(app))


async def test_help_scrolls_to_every_key_at_80x24(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await pilot.pause()
        dialog = app.screen.query_one("#help-dialog")
        assert dialog.region.height <= 24 and dialog.max_scroll_y > 0
        keys = [str(w.render()) for w in app.screen.query(".help-key")]
        assert "^t" in keys and "^b" in keys  # keys the footer has no room for are listed
        await pilot.press("end")
        await pilot.pause()
        last = list(app.screen.query(".help-row"))[-1]
        assert dialog.region.contains_region(last.region)


async def test_notifications_never_cover_the_quick_replies(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        replies = app.screen.query_one(QuickReplies)
        assert replies.choices
        await pilot.press("ctrl+o")  # "no draft yet": a notification
        app.notify("1 follow-up due, and a second line that is long enough to wrap once")
        await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query("Toast"))
        assert toasts
        for toast in toasts:
            assert not toast.region.overlaps(replies.region)
            assert not toast.region.overlaps(app.screen.query_one(Composer).region)


async def test_cases_tables_fit_80_columns_without_cutting_words(home: Path) -> None:
    from bot.followups import FollowUp
    from bot.store import Store

    store = Store(home)
    case = store.create_case("Northwind Analytics - Senior Data Analyst (remote, EMEA)")
    store.add_followups(
        case,
        [
            FollowUp(
                "linkedin", "Connect with Dana Rivera on LinkedIn with a personal note", TODAY, person="Dana Rivera"
            ),
            FollowUp("thanks", "Send Priya Shah a thank-you note", TODAY, person="Priya Shah"),
        ],
    )
    store.close()
    app = make_app(home, new=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await settle(pilot)
        for table_id, words in (
            ("#cases", "Northwind Analytics - Senior Data Analyst (remote, EMEA)".split()),
            ("#followups", "Connect with Dana Rivera on LinkedIn with a personal note (due) Priya Shah".split()),
        ):
            table = app.screen.query_one(table_id)
            assert table.virtual_size.width <= table.size.width  # no sideways scrolling needed
            shown = rendered(table).split()
            for word in words:
                assert word in shown, (word, shown)
        assert "Mark done" in footer_keys(app)
        assert not footer_keys_cut(app)
        await pilot.press("ctrl+l")  # the key that opened it closes it
        assert not isinstance(app.screen, CasesScreen)


async def test_footers_fit_80_columns(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Help" in footer_keys(app) and not footer_keys_cut(app)
        app.show_draft(Draft(kind="k", tone="warm", title="Draft", text="Hi."))
        await pilot.pause()
        assert "Copy" in footer_keys(app) and not footer_keys_cut(app)


async def test_draft_screen_has_one_scrollbar(home: Path) -> None:
    long = Draft(kind="k", tone="warm", title="A long draft", text="\n\n".join(f"Paragraph {i}." for i in range(30)))
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.show_draft(long)
        await pilot.pause()
        await pilot.pause()
        scrolling = [w for w in app.screen.walk_children(with_self=True) if w.show_vertical_scrollbar]
        assert [w.id for w in scrolling] == ["draft-body"]
        assert not any(w.show_horizontal_scrollbar for w in app.screen.walk_children(with_self=True))


async def test_a_new_case_opens_with_its_cached_first_words(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from bot.tui.engine import OPENING_FILE

    cache = tmp_path / "cache"
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(cache))
    first = make_app(home)
    assert first.engine.cached_opening() is None  # nothing kept yet: the engine opens first
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        opening = [b.text for b in bubbles(first)]
        options = [c.label for c in first.screen.query_one(QuickReplies).choices]
    kept = json.loads((cache / OPENING_FILE).read_text(encoding="utf-8"))
    assert [e["text"] for e in kept["events"] if e["event"] == "say"] == opening

    second = make_app(home)
    early = second.engine.cached_opening()
    assert early is not None and not second.engine.ready
    async with second.run_test(size=(80, 24)) as pilot:
        # Drawn by the screen's compose, so in its first frame: there before anything settled.
        assert [b.text for b in bubbles(second)][:1] == opening[:1]
        await settle(pilot)
        # Shown once (the engine's own opening was the same), with its options, and the
        # engine is open behind it: a pick is a real turn.
        assert [b.text for b in bubbles(second)] == opening
        assert [c.label for c in second.screen.query_one(QuickReplies).choices] == options
        await pilot.press("2")
        await settle(pilot)
        assert bubbles(second, "user")[-1].text == options[1]
        assert second.engine.conversation.session.turns == 1

    # Kept words that no longer match what the engine says are replaced, not shown twice.
    kept["events"][0]["text"] = "Words from an older version."
    (cache / OPENING_FILE).write_text(json.dumps(kept), encoding="utf-8")
    third = make_app(home)
    assert third.engine.cached_opening() is not None
    async with third.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert [b.text for b in bubbles(third)] == opening


async def test_the_cached_first_words_are_only_for_a_new_case(home: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(tmp_path / "cache"))
    async with make_app(home).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    # Nothing saved yet (an untouched case leaves nothing): without --new the case is new too.
    assert make_app(home, new=False).engine.cached_opening() is not None
    assert make_app(tmp_path / "no-store-yet", new=False).engine.cached_opening() is not None
    async with make_app(home).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_line(pilot, "I want to decline the offer")
    # A saved case may be resumed: which one, and what it says, is in the store.
    assert make_app(home, new=False).engine.cached_opening() is None
    assert make_app(home, new=False).engine.cached_resume() is not None
    assert make_app(home, new=True).engine.cached_opening() is not None
    assert make_app(home, new=True).engine.cached_resume() is None


async def _resumed_view(home: Path, *, fast: bool, wrong_case: bool = False) -> tuple[list[str], list[str], int]:
    """(bubbles in the first frame, bubbles once settled, "earlier" notes) for a resumed case."""
    from bot.tui.widgets.log_note import LogNote

    app = make_app(home, new=False)
    if not fast:
        app.engine._resume = (None,)  # as before: the engine opens, then everything is shown
    elif wrong_case:
        found = app.engine.cached_resume()
        assert found is not None
        app.engine._resume = ((found[0] + 1, [{"speaker": "coach", "text": "Another case."}]),)
    async with app.run_test(size=(80, 24)) as pilot:
        first = [b.text for b in bubbles(app)]
        await settle(pilot)
        notes = [n for n in app.screen.query(LogNote) if n.has_class("-earlier-note")]
        return first, [b.text for b in bubbles(app)], len(notes)


async def test_a_resumed_case_shows_what_was_said_in_its_first_frame(home: Path) -> None:
    async with make_app(home).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await type_line(pilot, "Acme")
        said = [b.text for b in bubbles(pilot.app)]
    first, settled, notes = await _resumed_view(home, fast=True)
    assert first and first == said[-len(first):]  # composed with the screen, before the engine
    _, slow_settled, slow_notes = await _resumed_view(home, fast=False)
    assert settled == slow_settled and notes == slow_notes == 1  # the same screen, nothing twice
    # Read from another case than the engine opened: the engine's view replaces it.
    _, wrong_settled, wrong_notes = await _resumed_view(home, fast=True, wrong_case=True)
    assert wrong_settled == slow_settled and wrong_notes == 1
    assert "Another case." not in wrong_settled
