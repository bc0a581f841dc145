"""The conversation behind the app: opened off the UI thread, driven one turn at a time.

This is plumbing only. Every word comes from the engine's events; the app decides nothing
about the coaching. ``Conversation`` is not thread-safe, so each call into it runs in a
worker thread while holding one asyncio lock: turns are applied strictly in the order they
were sent, and the UI never waits on the engine.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.content import Content
    from bot.conversation import Conversation
    from bot.events import CallStarted, Event
    from bot.store import Store


@dataclass
class EngineOptions:
    """How the app opens its conversation (a docstring also spares dataclass a signature)."""

    data_dir: str | None = None
    new: bool = False
    case_id: int | None = None
    today: dt.date | None = None
    seed: int = 0
    persist: bool = True
    dialogues: str | None = None
    templates: str | None = None


@dataclass(frozen=True)
class Fact:
    """One line of the case panel: a slot, its label and what is known."""

    slot: str
    label: str
    value: str  # "" when not known yet


class Engine:
    def __init__(self, options: EngineOptions | None = None, content: Content | None = None) -> None:
        self.options = options or EngineOptions()
        self._content = content
        self._conv: Conversation | None = None
        self.earlier: list[dict[str, str]] = []
        self._early: concurrent.futures.ThreadPoolExecutor | None = None
        self._early_result: concurrent.futures.Future[list[Event]] | None = None
        self._lock = asyncio.Lock()
        self._opening: tuple[list[Event] | None] | None = None  # cached_opening(), once looked up
        # Where the practice call is, known only from the engine's typed events (CallStarted,
        # CallEnded, DebriefEnded): "call", "debrief" or "". ``call`` is who is on the line.
        self.rehearsal = ""
        self.call: CallStarted | None = None
        self._resume: tuple[tuple[int, list[dict[str, str]]] | None] | None = None  # cached_resume()
        self._nothing_saved = False  # cached_resume() found no case to resume, and no problem

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        return self._conv is not None

    @property
    def conversation(self) -> Conversation:
        if self._conv is None:
            raise RuntimeError("the conversation is not open yet")
        return self._conv

    def prefetch(self) -> None:
        """Start opening the conversation now, in a thread, while the UI is still starting.

        The first ``open()`` with default arguments then only waits for it to finish. Not
        when the first words are in the cache: then the engine opens after they are shown,
        so that it does not compete with drawing them.
        """
        if self.cached_opening() is not None or self.cached_resume() is not None:
            return
        if self._early is None and self._conv is None:
            self._early = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine")
            self._early_result = self._early.submit(self._open_sync, None, None)

    async def open(self, *, new: bool | None = None, case_id: int | None = None) -> list[Event]:
        """Open (or reopen) the conversation and return its opening events."""
        async with self._lock:
            early, self._early_result = self._early_result, None
            self.rehearsal, self.call = "", None  # a new conversation: no call until it says so
            if early is not None and new is None and case_id is None:
                try:
                    return self._follow(await asyncio.wrap_future(early))
                finally:
                    self._shutdown_early()
            if early is not None:
                await asyncio.wrap_future(early)  # let it finish before opening again
                self._shutdown_early()
            return self._follow(await asyncio.to_thread(self._open_sync, new, case_id))

    def _follow(self, events: list[Event]) -> list[Event]:
        """Note where the practice call is from the turn's events; return them unchanged."""
        from bot.events import CallEnded, CallStarted, DebriefEnded

        for event in events:
            if isinstance(event, CallStarted):
                self.rehearsal, self.call = "call", event
            elif isinstance(event, CallEnded):
                self.rehearsal = "debrief" if event.debrief else ""
            elif isinstance(event, DebriefEnded):
                self.rehearsal = ""
        return events

    def _shutdown_early(self) -> None:
        if self._early is not None:
            self._early.shutdown(wait=False)
            self._early = None

    def _open_sync(self, new: bool | None, case_id: int | None) -> list[Event]:
        from bot.conversation import Conversation

        if self._content is None:
            # From the content cache when no file changed, as the plain chat does.
            from bot.content_cache import load_content_cached

            opts = self.options
            self._content = load_content_cached(
                Path(opts.dialogues) if opts.dialogues else None,
                Path(opts.templates) if opts.templates else None,
            )
        if self._conv is not None:
            self._conv.close()
        opts = self.options
        self._conv = Conversation.open(
            self._content,
            data_dir=opts.data_dir,
            new=opts.new if new is None else new,
            case_id=opts.case_id if case_id is None else case_id,
            today=opts.today,
            seed=opts.seed,
            persist=opts.persist,
        )
        # What was said before this run, so a resumed case can show it above the prompt.
        self.earlier = self._conv.transcript
        events = self._conv.opening()
        self._remember_opening(events)
        return events

    # -- the first message, before the engine is open ----------------------------------------

    def cached_opening(self) -> list[Event] | None:
        """The opening a fresh case showed last time, if nothing it depends on has changed.

        Opening the engine (content, session, store) costs more than the app's own start, yet
        a new case always opens with the same words: the content's first prompt for this seed
        and date. So those words are kept in the cache folder (JSON, not pickle) under a
        digest of everything they come from, and the app shows them while the engine opens;
        the engine's real opening then replaces them if it differs. Only for a new case
        (``--new``, an unsaved chat, or a store with no case to resume: see ``cached_resume``).
        """
        if self._opening is None:
            self._opening = (self._read_opening(),)
        return self._opening[0]

    def cached_resume(self) -> tuple[int, list[dict[str, str]]] | None:
        """For a saved case about to be resumed: its id and what was said in it, read from the
        store (read-only, one row, no engine) so that the first frame shows where the person
        left off. The engine then adds its own words ("welcome back" and the question); the
        screen starts again from the engine's view if it opened another case. None for a new
        case, a chosen case, an unsaved chat, or nothing to resume."""
        if self._resume is None:
            self._resume = (self._read_resume(),)
        return self._resume[0]

    def _read_resume(self) -> tuple[int, list[dict[str, str]]] | None:
        opts = self.options
        if opts.new or opts.case_id is not None or not opts.persist or self._conv is not None:
            return None
        try:
            from bot.paths import data_dir
            from bot.store import Store, StoreProblem

            try:
                store = Store(data_dir(opts.data_dir), readonly=True)
            except StoreProblem as exc:
                self._nothing_saved = exc.kind == "missing"  # the first run: a new case
                return None
            try:
                found = store.latest_unfinished_said()
            finally:
                store.close()
        except Exception:  # unreadable, damaged: the engine opens first and says what is wrong
            return None
        if found is None:
            self._nothing_saved = store.problem is None
            return None
        if not found[1]:
            return None
        case_id, said = found
        return case_id, [{"speaker": str(e.get("speaker", "coach")), "text": str(e.get("text", ""))} for e in said]

    def _read_opening(self) -> list[Event] | None:
        opts = self.options
        if opts.case_id is not None or self._conv is not None:
            return None
        if not (opts.new or not opts.persist):
            # Without --new a saved case may be resumed; when the store says there is none
            # (or there is no store yet), the case is new and these words are its words.
            self.cached_resume()
            if not self._nothing_saved:
                return None
        folder = _cache_folder()
        if folder is None:
            return None
        try:
            data = json.loads((folder / OPENING_FILE).read_text(encoding="utf-8"))
            if data.get("key") != self._opening_key():
                return None
            return [_event_from(item) for item in data["events"]]
        except (OSError, ValueError, KeyError, TypeError):  # missing, unreadable or outdated
            return None

    def _remember_opening(self, events: list[Event]) -> None:
        from bot.events import Choices, Notice, Say, to_dict

        core = [e for e in events if not isinstance(e, Notice)]
        if self._conv is None or self._conv.resumed or not all(isinstance(e, Say | Choices) for e in core):
            return
        folder = _cache_folder()
        if folder is None:
            return
        try:
            key = self._opening_key()
            path = folder / OPENING_FILE
            blob = json.dumps({"key": key, "events": [to_dict(e) for e in core]}, ensure_ascii=False)
            if path.is_file() and path.read_text(encoding="utf-8") == blob:
                return
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = folder / f"{OPENING_FILE}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(blob)
            os.replace(tmp, path)
        except OSError:  # no cache folder to write in: no cache, no error
            return

    def _opening_key(self) -> str:
        """A digest of what a fresh case's opening depends on: the content and templates
        (every file's path, size and time), the engine's modules (the same), the versions,
        the seed and the date. Sizes and times, not bytes: this runs before the first frame,
        and a wrong guess costs only a redraw (the engine's opening replaces one that differs)."""
        import hashlib

        from bot import __version__
        from bot.paths import dialogues_dir, templates_dir
        from bot.treehash import stat_tree

        opts = self.options
        h = hashlib.blake2b(digest_size=20)
        today = opts.today or dt.date.today()
        h.update(repr((OPENING_FORMAT, __version__, sys.version, today.isoformat(), opts.seed)).encode())
        for root in (
            Path(opts.dialogues) if opts.dialogues else dialogues_dir(),
            Path(opts.templates) if opts.templates else templates_dir(),
        ):
            h.update(str(root.resolve()).encode("utf-8", "surrogateescape") + b"\0")
            stat_tree(h, root)
        for module in sorted(os.listdir(_ENGINE)):
            if module.endswith(".py"):
                st = os.stat(_ENGINE / module)
                h.update(f"{module}:{st.st_size}:{st.st_mtime_ns}\0".encode())
        return h.hexdigest()

    async def send(self, text: str) -> list[Event]:
        async with self._lock:
            conv = self.conversation
            return self._follow(await asyncio.to_thread(conv.send, text))

    def close(self) -> None:
        if self._early_result is not None:
            self._early_result.result()  # never close the store under a running open
            self._early_result = None
        self._shutdown_early()
        if self._conv is not None:
            self._conv.close()

    # -- read-only views for the screens --------------------------------------------------------

    @property
    def content(self) -> Content | None:
        return self._content

    @property
    def store(self) -> Store | None:
        return self._conv.store if self._conv else None

    @property
    def case_id(self) -> int | None:
        return self._conv.case_id if self._conv else None

    @property
    def resumed(self) -> bool:
        return bool(self._conv and self._conv.resumed)

    @property
    def today(self) -> dt.date:
        if self._conv is not None:
            return self._conv.today
        return self.options.today or dt.date.today()

    @property
    def multiline(self) -> bool:
        return bool(self._conv and self._conv.expects_multiline)

    @property
    def stages(self) -> list[str]:
        return list(self._content.stages) if self._content else []

    @property
    def stage(self) -> str | None:
        return self._conv.stage if self._conv else None

    @property
    def transcript(self) -> list[dict[str, str]]:
        return self._conv.transcript if self._conv else []

    def facts(self) -> list[Fact]:
        """The slots marked ``panel: true``, in content order, with what is known so far."""
        if self._content is None:
            return []
        slots: dict[str, Any] = self._conv.slot_values() if self._conv else {}
        facts = []
        for name, spec in self._content.slots.items():
            if not spec.panel:
                continue
            value = display_value(slots.get(name))
            if spec.type == "choice":
                value = value.replace("-", " ")  # option keys such as "call-then-email"
            facts.append(Fact(name, spec.label, value))
        return facts

    def stage_targets(self) -> dict[str, str]:
        """Each stage with a flow the person can jump to (``go:<flow>``), first flow wins."""
        targets: dict[str, str] = {}
        if self._content is None:
            return targets
        for flow in self._content.flows.values():
            stage = flow.stage
            if stage and stage not in targets:
                targets[stage] = f"go:{flow.name}"
        return {s: targets[s] for s in self.stages if s in targets}


OPENING_FILE = "opening.json"
OPENING_FORMAT = 2  # 2: keyed by file sizes and times
_ENGINE = Path(__file__).resolve().parent.parent  # bot/: the modules that render the opening


def _cache_folder() -> Path | None:
    """The content cache's folder (``bot.content_cache.cache_dir``, which is not imported
    here: it brings the whole engine with it, and this runs before the engine is loaded)."""
    env = os.environ.get("DECLINE_COACH_CACHE")
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("decline-coach", appauthor=False))


def _event_from(data: dict[str, Any]) -> Event:
    """A Say or Choices event back from its JSON form (``bot.events.to_dict``)."""
    from bot.events import Choice, Choices, Say

    if data["event"] == "say":
        return Say(str(data["text"]), data["speaker"], "say")
    if data["event"] == "choices":
        return Choices(tuple(Choice(str(c["label"]), str(c["key"])) for c in data["options"]))
    raise ValueError(f"not an opening event: {data['event']!r}")


def display_value(value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
