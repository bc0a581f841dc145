"""The rehearsal call on its own screen, driven by keyboard with Pilot: the call is pushed when
the conversation reaches it, the manager answers (after a typing pause), the scorecard has a
bar per check, the debrief's choices start a new call or leave, and the chat keeps it all."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from bot.tui import CoachApp
from bot.tui.screens.chat import ChatScreen
from bot.tui.screens.rehearsal import NAME, CallHeader, CoachAside, RehearsalScreen
from bot.tui.widgets.composer import ChatInput
from bot.tui.widgets.message import MessageBubble
from bot.tui.widgets.message_log import MessageLog
from bot.tui.widgets.quick_replies import QuickReplies
from bot.tui.widgets.scorecard import ScorecardView
from bot.tui.widgets.typing import TypingIndicator
from tests.test_tui import make_app, rendered, settle, type_line
from tests.tui_support import footer_keys, footer_keys_cut

STRONG = [
    "Hi Dana, thank you so much for the offer. After a lot of thought I have decided to decline; "
    "I accepted a role closer to my goals.",
    "That is kind, but my decision is final.",
    "Thank you, I appreciate it. I hope our paths cross again. Goodbye!",
]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DECLINE_COACH_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def header_text(app: CoachApp) -> str:
    return " ".join(rendered(w) for w in app.screen.query_one(CallHeader).query(Static))


def state(app: CoachApp) -> str:
    return app.engine.conversation.session.state


def call_bubbles(app: CoachApp, speaker: str | None = None) -> list[MessageBubble]:
    screen = app.get_screen(NAME)
    return [b for b in screen.query(MessageBubble) if speaker is None or b.speaker == speaker]


def chat_bubbles(app: CoachApp, speaker: str | None = None) -> list[MessageBubble]:
    found = app.chat.query_one(MessageLog).query(MessageBubble)
    return [b for b in found if speaker is None or b.speaker == speaker]


async def start_call(pilot, persona: int = 1, difficulty: int = 1) -> None:  # type: ignore[no-untyped-def]
    """From the opening: to the rehearsal, pick who picks up and how hard they push."""
    await settle(pilot)
    await type_line(pilot, "go:rehearse")
    await pilot.press(str(persona))
    await settle(pilot)
    await pilot.press(str(difficulty))
    await settle(pilot)


async def test_reaching_the_call_pushes_the_call_screen(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        assert state(app) == "rehearse.call"
        assert isinstance(app.screen, RehearsalScreen)
        assert isinstance(app.focused, ChatInput)
        header = header_text(app)
        assert "gracious" in header and "on the call" in header
        # The case named no manager: the header says who picks up, never the call's stand-in.
        assert "Dana Rivera" not in header and "Rivera" not in header
        # The manager picked up, on the call screen; and the chat kept a record of it.
        assert call_bubbles(app, "manager")
        assert chat_bubbles(app, "manager")[-1].text == call_bubbles(app, "manager")[-1].text
        # Only the call is on this screen: nothing said before it (the persona picks).
        assert not call_bubbles(app, "user")
        assert not app.screen.query_one(QuickReplies).choices
        # The keys are in the footer.
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert {"hint", "restart_call", "end_call", "leave"} <= keys


async def test_the_header_names_the_manager_the_case_knows(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await type_line(pilot, "I got an offer from Contoso. Anita Rao, she would be my manager.")
        await start_call(pilot)
        assert state(app) == "rehearse.ask-name"  # the facts given so far did not include it
        await type_line(pilot, "Sam Lee")
        assert isinstance(app.screen, RehearsalScreen)
        header = header_text(app)
        assert "Anita Rao" in header and "Contoso" in header and "on the call" in header
        # What the app knows of the call came as a typed event, not from the session.
        assert app.engine.rehearsal == "call" and app.engine.call is not None
        assert app.engine.call.manager == "Anita Rao"


async def test_manager_lines_arrive_after_a_typing_pause(home: Path) -> None:
    # A wide typing pause, so a busy machine still sees the indicator between two polls.
    app = make_app(home, typing_delay=1.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        before = len(call_bubbles(app, "manager"))
        await pilot.press(*"Hi Dana, thanks for the offer.", "enter")
        for _ in range(150):
            await pilot.pause(0.02)
            if app.screen.query(TypingIndicator):
                break
        assert app.screen.query(TypingIndicator)
        assert call_bubbles(app, "user")[-1].text == "Hi Dana, thanks for the offer."
        assert len(call_bubbles(app, "manager")) == before  # not yet
        await settle(pilot)
        assert len(call_bubbles(app, "manager")) > before
        assert not app.screen.query(TypingIndicator)
        # You and the manager look different.
        mine, theirs = call_bubbles(app, "user")[-1], call_bubbles(app, "manager")[-1]
        assert mine.has_class("-user") and theirs.has_class("-manager")
        assert mine.styles.border_left != theirs.styles.border_left


async def test_strong_call_scorecard_then_try_again_harder(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot, persona=3, difficulty=2)  # persuasive, normal
        for line in STRONG:
            if state(app) != "rehearse.call":
                break
            await type_line(pilot, line)
        assert state(app) == "rehearse.debrief"
        assert isinstance(app.screen, RehearsalScreen)
        card = app.screen.query_one(ScorecardView)
        assert card.has_class("-per-check")
        assert len(card.event.lines) == 7  # the six checks and courtesy
        assert all(line.ok for line in card.event.lines)
        text = rendered(card)
        rows = [r for r in text.splitlines() if "✓" in r or "✗" in r]
        assert len(rows) == 7
        assert all("████████" in r for r in rows)  # a bar per check, full when it passed
        assert "7/7" in text
        assert "call ended" in header_text(app)
        # The debrief's choices, as buttons and number keys; the call's keys are gone.
        labels = [c.label for c in app.screen.query_one(QuickReplies).choices]
        assert labels[0] == "Try again, harder" and len(labels) == 5
        keys = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "end_call" not in keys
        await pilot.press("1")
        await settle(pilot)
        # A new call on the same screen, one notch harder, a clean page.
        assert state(app) == "rehearse.call"
        assert app.screen is app.get_screen(NAME)
        assert not app.screen.query(ScorecardView)
        assert call_bubbles(app, "manager")
        assert "hard" in header_text(app)
        assert "on the call" in header_text(app)


async def test_leaving_returns_to_the_chat_with_the_call_in_its_log(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        said = "Hi Dana, thanks for the offer. I have decided to decline [bold]{{ 7*7 }}[/]."
        await type_line(pilot, said)
        assert call_bubbles(app, "user")[-1].text == said
        assert said in rendered(call_bubbles(app, "user")[-1])
        manager_lines = [b.text for b in call_bubbles(app, "manager")]
        await pilot.press("f4")  # end the call
        await settle(pilot)
        assert state(app) == "rehearse.debrief"
        assert app.screen.query(ScorecardView)
        labels = [c.label for c in app.screen.query_one(QuickReplies).choices]
        await pilot.press(str(labels.index("Back to the menu") + 1))
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert not app.is_screen_installed(NAME)
        # Everything from the call is in the chat too, in order, and in the transcript.
        assert said in [b.text for b in chat_bubbles(app, "user")]
        chat_manager = [b.text for b in chat_bubbles(app, "manager")]
        assert chat_manager[: len(manager_lines)] == manager_lines
        assert app.chat.query(ScorecardView)
        assert app.screen.query_one(QuickReplies).choices  # the menu, here
        spoken = [e["text"] for e in app.engine.transcript]
        assert said in spoken and all(line in spoken for line in manager_lines)


async def test_escape_holds_the_call_and_ctrl_r_resumes_it(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        await type_line(pilot, "Hi Dana, thank you for the offer.")
        screen = app.screen
        shown = [b.text for b in call_bubbles(app)]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        assert state(app) == "rehearse.call"
        assert "ctrl+r" in rendered(app.chat.query(".-call-note").last())
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is screen
        assert [b.text for b in call_bubbles(app)] == shown
        # A line typed in the chat while on hold goes to the call, and brings the call back.
        await pilot.press("escape")
        await settle(pilot)
        await type_line(pilot, "I have decided to decline.")
        assert app.screen is screen
        assert call_bubbles(app, "user")[-1].text == "I have decided to decline."


async def test_hint_restart_and_ctrl_h(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await start_call(pilot)
        await pilot.press("f2")
        await settle(pilot)
        asides = app.screen.query(CoachAside)
        assert len(asides) >= 2  # the set-up, then the hint
        assert state(app) == "rehearse.call"
        # ctrl+h deletes while there is text (some terminals send it for backspace)...
        await pilot.press("a", "b", "ctrl+h")
        assert app.screen.query_one(ChatInput).value == "a"
        await pilot.press("ctrl+h", "ctrl+h")  # ...and asks for a hint when there is none
        await settle(pilot)
        assert len(app.screen.query(CoachAside)) == len(asides) + 1
        await type_line(pilot, "Thanks for calling.")
        await pilot.press("f3")
        await settle(pilot)
        assert state(app) == "rehearse.call"
        assert "Fresh start" in app.screen.query(CoachAside).last().text


async def test_the_call_fits_80x24(home: Path) -> None:
    app = make_app(home)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        assert isinstance(app.screen, RehearsalScreen)
        assert {"Hint", "End call", "Speak", "Back to chat"} <= set(footer_keys(app))
        assert not footer_keys_cut(app)
        field = app.screen.query_one(ChatInput)
        assert len(field.placeholder) <= field.content_region.width  # the placeholder is whole


# -- speaking a line (issue 15): F5 on the call screen, with a recogniser that hears a script ---


class ScriptedVoice:
    """Stands in for LiveVoice (no microphone in CI): "hears" ``words`` one at a time, handing
    each partial text to the screen as the real recogniser does, then the whole line."""

    def __init__(self, words: list[str], unsure: tuple[str, ...] = ()) -> None:
        self.words = words
        self.unsure = unsure
        self.partials_seen: list[str] = []  # what the input held after each partial
        self.spoken: list[str] = []
        self.app: CoachApp | None = None

    def listen(self, on_partial=None):  # type: ignore[no-untyped-def]
        from bot.voice.steady import Steadied

        for i in range(1, len(self.words) + 1):
            if on_partial is not None:
                on_partial(" ".join(self.words[:i]))
                assert self.app is not None
                self.partials_seen.append(self.app.call_from_thread(lambda: self.app.screen.query_one(ChatInput).value))
        return Steadied(" ".join(self.words), uncertain=self.unsure)

    def say(self, text: str) -> bool:
        self.spoken.append(text)
        return True


def voice_hooks(voice: ScriptedVoice | None, missing: list[str] | None = None):  # type: ignore[no-untyped-def]
    from bot.tui.speaking import VoiceHooks

    made: list[dict[str, str]] = []

    def make(dialogues, context):  # type: ignore[no-untyped-def]
        made.append(context)
        return voice

    hooks = VoiceHooks(missing=lambda: list(missing or []), make=make, can_speak=lambda: True)
    return hooks, made


async def test_f5_streams_the_spoken_line_into_the_input_then_enter_sends_it(home: Path) -> None:
    words = "thank you for the offer but I have decided to decline".split()
    voice = ScriptedVoice(words, unsure=("decline",))
    hooks, made = voice_hooks(voice)
    app = make_app(home, voice=hooks)
    voice.app = app
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        assert isinstance(app.screen, RehearsalScreen)
        assert "Speak" in footer_keys(app) and not footer_keys_cut(app)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The words arrived one by one, each shown in the input as it was "decoded".
        assert voice.partials_seen == [" ".join(words[:i]) for i in range(1, len(words) + 1)]
        field = app.screen.query_one(ChatInput)
        assert field.value == " ".join(words)
        # The recogniser knows the names the case gave (from CallStarted; never a stand-in).
        call = app.engine.call
        assert made and call is not None
        names = {"manager": call.manager, "company": call.company, "role": call.role}
        assert made[0] == {k: v for k, v in names.items() if v}
        notes = " ".join(str(n.message) for n in app._notifications)
        assert "Enter sends it" in notes and "decline" in notes  # the unsure word is named
        # Nothing is sent until the person says so: correctable, then Enter.
        assert call_bubbles(app, "user") == []
        managers = len(call_bubbles(app, "manager"))
        await pilot.press("enter")
        await settle(pilot)
        assert call_bubbles(app, "user")[-1].text == " ".join(words)
        assert len(call_bubbles(app, "manager")) > managers
        # Once F5 has been used, the manager's lines are spoken too.
        await app.workers.wait_for_complete()
        assert voice.spoken and voice.spoken[-1] == call_bubbles(app, "manager")[-1].text


async def test_f5_does_not_overwrite_what_the_person_typed(home: Path) -> None:
    voice = ScriptedVoice("I have decided".split())
    hooks, _ = voice_hooks(voice)
    app = make_app(home, voice=hooks)
    voice.app = app
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        await pilot.press(*"my own words")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query_one(ChatInput).value == "my own words"


async def test_f5_without_the_voice_parts_says_exactly_what_to_install(home: Path) -> None:
    hooks, made = voice_hooks(None, missing=["the Python package pocketsphinx", "PortAudio (libportaudio2)"])
    app = make_app(home, voice=hooks)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not made  # nothing was built
        notes = [n for n in app._notifications if n.severity == "warning"]
        assert notes, app._notifications
        text = str(notes[-1].message)
        assert "pip install 'decline-coach[voice]'" in text
        assert "pocketsphinx" in text and "PortAudio" in text
        if "apt-get" in text:
            assert "espeak-ng libportaudio2" in text
        assert "F5" in text
        # The typed call goes on as before.
        await type_line(pilot, "Thank you, but I have decided to decline.")
        assert call_bubbles(app, "user")[-1].text == "Thank you, but I have decided to decline."


async def test_f5_without_a_microphone_says_so_and_typing_goes_on(home: Path) -> None:
    class NoMicrophone(ScriptedVoice):
        def listen(self, on_partial=None):  # type: ignore[no-untyped-def]
            return None

    hooks, _ = voice_hooks(NoMicrophone([]))
    app = make_app(home, voice=hooks)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_call(pilot)
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("microphone" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, RehearsalScreen) and app.screen.voice is not None
