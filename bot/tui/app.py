"""The Textual app: one chat screen over the same engine plain mode drives.

No coaching logic lives here: the engine decides what is said, the app shows events and
sends back what the person types or picks. Bindings carry ids (``app.help``,
``chat.toggle_panel``, ...) so they can be remapped with ``CoachApp(keymap={...})``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

from bot.startup import pause_gc, resume_gc
from bot.tui import labels
from bot.tui.engine import Engine, EngineOptions
from bot.tui.files import clipboard_support, copy_message, default_export_dir, save_text, slug
from bot.tui.screens.chat import ChatScreen
from bot.tui.speaking import VoiceHooks
from bot.tui.themes import DARK, LIGHT, THEMES

if TYPE_CHECKING:
    # The engine is imported by the engine thread as the app starts; the other screens
    # when first opened. Both keep the time to the first frame down.
    from bot.content import Content
    from bot.events import Draft

# Keys handled inside the input rather than by bindings, listed in the help screen.
INPUT_KEYS = (
    ("1-9", "pick a numbered option (when the input is empty)"),
    ("enter", "send"),
    ("up / down", "earlier messages you sent"),
    ("tab", "move between the options and the input"),
    ("pageup / pagedown", "scroll the conversation"),
    ("?", "this help (when the input is empty)"),
    ("ctrl+p", "command palette: restart, go to a stage, export, theme…"),
)


class CoachApp(App[None]):
    TITLE = labels.APP_TITLE
    # Absolute paths: subclasses live elsewhere. The chat screen is the default screen, and a
    # default screen's own CSS_PATH is not loaded, so the app loads its file.
    CSS_PATH = [  # noqa: RUF012
        Path(__file__).with_name("app.tcss"),
        Path(__file__).parent / "screens" / "chat.tcss",
    ]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+l", "cases", "Cases", id="app.cases"),
        Binding("ctrl+n", "new_case", "New case", show=False, id="app.new_case"),
        Binding("ctrl+s", "export_transcript", "Export", show=False, id="app.export"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.toggle_theme"),
    ]

    def __init__(
        self,
        options: EngineOptions | None = None,
        *,
        content: Content | None = None,
        typing_delay: float = 0.8,
        max_messages: int = 200,
        panel_min_width: int = 100,
        keymap: Mapping[str, str] | None = None,
        cursor_blink: bool = True,
        voice: VoiceHooks | None = None,
    ) -> None:
        super().__init__()
        self.voice_hooks = voice or VoiceHooks()  # speaking a line on the call (F5)
        self.cursor_blink = cursor_blink
        self.engine = Engine(options, content)
        self.typing_delay = typing_delay
        self.max_messages = max_messages
        self.panel_min_width = panel_min_width
        self._keymap = dict(keymap or {})
        for theme in THEMES:
            self.register_theme(theme)
        # Set without the watcher: assigning ``theme`` makes the app parse all its CSS a second
        # time as it starts (a theme change), a fifth of the time to the first message. The
        # stylesheet is first parsed after this, with this theme's colours, and the classes
        # the watcher would set are set here (both themes' ANSI colours are the default's).
        self.set_reactive(CoachApp.theme, DARK.name)
        self.stylesheet.set_variables(self.get_css_variables())  # nothing is parsed yet
        self.set_class(True, f"-theme-{DARK.name}", update=False)
        self.set_class(DARK.dark, "-dark-mode", update=False)
        self.set_class(not DARK.dark, "-light-mode", update=False)

    def get_default_screen(self) -> ChatScreen:
        return ChatScreen()

    def on_load(self) -> None:
        # The first event a running app gets: load content and open the case in a thread
        # while Textual sets up the terminal and the screen, with the garbage collector paused
        # until the first message is on screen (ChatScreen.open_conversation resumes it).
        pause_gc()
        self.engine.prefetch()

    def on_mount(self) -> None:
        if self._keymap:
            self.set_keymap(self._keymap)

    def on_unmount(self) -> None:
        resume_gc()  # in case the app closes before its first message was shown
        self.engine.close()

    @property
    def chat(self) -> ChatScreen:
        for screen in self.screen_stack:
            if isinstance(screen, ChatScreen):
                return screen
        raise LookupError("no chat screen")

    # -- commands ---------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield SystemCommand("Start this case over", "Clear what the coach knows and begin again", self._restart)
        for stage, target in self.engine.stage_targets().items():
            yield SystemCommand(
                f"Go to stage: {stage}",
                f"Jump to {stage} in the journey",
                lambda target=target, stage=stage: self.chat.send(target, shown=stage),
            )
        yield SystemCommand("Open the last draft", "Read it with the review notes", self.chat.action_open_draft)
        yield SystemCommand("Copy the last draft", "To the clipboard (OSC 52)", self.chat.action_copy_draft)
        yield SystemCommand(
            "Export the transcript",
            "Save the conversation as Markdown",
            self.action_export_transcript,
        )
        yield SystemCommand(
            "Cases and follow-ups",
            "Open, delete or start cases; tick off follow-ups",
            self.action_cases,
        )
        yield SystemCommand("New case", "Start a fresh case (this one stays saved)", self.action_new_case)
        yield SystemCommand(
            "Toggle the case panel",
            "Show or hide what the coach knows",
            self.chat.action_toggle_panel,
        )
        yield SystemCommand("Switch theme", "Between the light and dark themes", self.action_toggle_theme)
        yield SystemCommand("Keys", "Show the key bindings", self.action_help)
        yield from super().get_system_commands(screen)

    def _restart(self) -> None:
        # "restart" is what a person would type; the engine decides what it means.
        self.chat.send("restart")

    # -- actions ----------------------------------------------------------------------------

    def action_help(self) -> None:
        from bot.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        rows: list[tuple[str, str]] = list(INPUT_KEYS)
        seen = {key for key, _ in rows}
        for key, active in self.active_bindings.items():
            binding = active.binding
            if not binding.description or not (binding.id or binding.show) or key in seen:
                continue
            if binding.id and binding.id.startswith("input."):
                continue
            seen.add(key)
            rows.append((self.get_key_display(binding), binding.description))
        self.push_screen(HelpScreen(rows))

    def action_cases(self) -> None:
        from bot.tui.screens.cases import CasesScreen

        if not isinstance(self.screen, CasesScreen):
            self.push_screen(CasesScreen())

    def action_new_case(self) -> None:
        self.open_case(None)

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT.name if self.theme == DARK.name else DARK.name

    def action_export_transcript(self) -> None:
        from bot.plain import transcript_markdown

        text = transcript_markdown(self.engine.transcript)
        name = f"transcript-case-{self.engine.case_id or 'unsaved'}.md"
        self._save_as(self._export_dir() / name, text, labels.TRANSCRIPT)

    # -- for the screens --------------------------------------------------------------------

    def open_case(self, case_id: int | None) -> None:
        """Reopen the conversation on a saved case, or on a fresh one (``None``)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ChatScreen):
            self.pop_screen()
        self.chat.open_conversation(new=case_id is None, case_id=case_id)

    def show_draft(self, draft: Draft) -> None:
        from bot.tui.screens.draft import DraftScreen

        self.push_screen(DraftScreen(draft))

    def copy_text(self, text: str, what: str) -> None:
        self.copy_to_clipboard(text)
        message, severity = copy_message(clipboard_support(), what)
        self.notify(message, severity=severity, markup=False)  # type: ignore[arg-type]

    def save_draft(self, draft: Draft) -> None:
        name = f"{slug(draft.kind)}-{slug(draft.tone, 'tone')}.txt"
        self._save_as(self._export_dir() / name, draft.text, labels.DRAFT)

    def _export_dir(self) -> Path:
        store = self.engine.store
        return default_export_dir(store.directory if store is not None else None)

    def _save_as(self, suggested: Path, text: str, what: str) -> None:
        from bot.tui.screens.save import SaveScreen

        def write(path: Path | None) -> None:
            if path is None:
                return
            try:
                saved = save_text(path, text)
            except OSError as exc:
                msg = labels.SAVE_FAILED.format(path=path, error=exc.strerror or exc)
                self.notify(msg, severity="error", markup=False)
                return
            self.notify(labels.SAVED.format(path=saved), markup=False)

        self.push_screen(SaveScreen(suggested, f"{labels.SAVE_TITLE}: {what}"), write)
