"""A session plus its saved case: what both front-ends (plain and TUI) drive.

Every turn is committed to the store as it happens, so a killed process loses at most the
turn in flight. When the conversation settles a decision, the decision log and the
follow-ups it owes are written in the same transaction as the turn. The engine itself knows
nothing of storage.

Saving can fail (a full disk, a read-only file). Then the turn is kept in memory, the reply
carries a ``Notice`` saying so at once (``coach.yaml: not_saved``), every later turn (or the
word "retry") tries again, and a note beside the data file (``UnsavedNote``, written in place
so it needs no new space) lets the next start say what was lost if the person quits first.

One writer per case: a conversation holds its case's lock (``Store.lock_case``); a case open
in another window is continued as a copy (a new case), and every save is a compare-and-set
on the case's ``updated`` stamp, so nothing another process committed is overwritten.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.content import Content
from bot.events import Event, Notice
from bot.plain import format_event
from bot.session import Session
from bot.text import sanitise

if TYPE_CHECKING:
    from bot.store import CaseLock, Store, UnsavedNote

_SURROGATES = re.compile("[\ud800-\udfff]")

# The slots that make up a logged decision; a change to any of them re-logs it.
_DECISION_SLOTS = (
    "decision",
    "reason",
    "channel",
    "company",
    "role",
    "manager",
    "recruiter",
    "offer_date",
    "interviewers",
    "notify",
    "nego_answer",
    "counter_figure",
)


@dataclass
class Conversation:
    content: Content
    session: Session
    store: Store | None = None
    case_id: int | None = None
    resumed: bool = False
    problems: list[str] = field(default_factory=list)
    _logged: tuple[Any, ...] | None = None
    #: turns whose save failed, oldest first: (user text, events, snapshot)
    unsaved: list[tuple[str | None, list[Event], dict[str, Any]]] = field(default_factory=list)
    _stamp: str | None = None  # the case's `updated` as this conversation last wrote or read it
    _lock: CaseLock | None = None
    _note: UnsavedNote | None = None
    _notices: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # for opening()
    _forgotten: bool = False
    _note_tried: bool = False
    _call: str = ""  # where the last turn left the rehearsal (bot.rehearsal_actions.phase)

    @classmethod
    def open(
        cls,
        content: Content,
        *,
        data_dir: str | None = None,
        new: bool = False,
        case_id: int | None = None,
        today: dt.date | None = None,
        seed: int = 0,
        persist: bool = True,
    ) -> Conversation:
        store: Store | None = None
        problems: list[str] = []
        if persist:
            # Imported here: a conversation that is not saved (--no-save) starts without SQLite.
            from bot.store import Store, StoreProblem

            try:
                store = Store.open(data_dir)
                if store.problem is not None:
                    # A damaged file was moved aside and a fresh one started: say so.
                    problems.append(str(store.problem))
            except StoreProblem as exc:
                problems.append(str(exc))
                store = None
                if exc.moved_to is not None:
                    # The damaged file was moved aside; a fresh one can be started.
                    try:
                        store = Store.open(data_dir)
                    except StoreProblem as again:
                        problems.append(str(again))
        record = None
        notices: list[tuple[str, dict[str, Any]]] = []
        lock: CaseLock | None = None
        if store is not None:
            from bot.store import UnsavedNote

            for left in UnsavedNote.leftovers(store.directory):
                texts = [
                    t if len(t) <= 60 else t[:59].rstrip() + "\u2026"
                    for t in left.get("texts") or []
                    if isinstance(t, str) and t
                ]
                notices.append(
                    (
                        "unsaved_last_time",
                        {"count": int(left.get("count") or 0), "case": left.get("case"), "texts": texts[:3]},
                    )
                )
            if case_id is not None:
                record = store.load_case(case_id)
            elif not new:
                record = store.latest_unfinished()
        copied_from: int | None = None
        restored: Session | None = None
        if record is not None and record.snapshot:
            try:
                restored = Session.restore(content, record.snapshot)
            except Exception:  # a snapshot a damaged file garbled (or older content): start afresh
                notices.append(("case_unreadable", {"case": record.id}))
                record = None
        if record is not None and restored is not None:
            session = restored
            if today is not None:
                session.today = today
            assert store is not None
            lock = store.lock_case(record.id)
            if lock is None:
                # Open in another window: continue as a copy, so neither overwrites the other.
                copied_from = record.id
                notices.append(("case_open_elsewhere", {"case": record.id}))
            conv = cls(
                content,
                session,
                store,
                None if copied_from else record.id,
                resumed=True,
                problems=problems,
            )
            conv._stamp = None if copied_from else record.updated
            conv._logged = None if copied_from else conv._decision_key()
        else:
            session = Session(content, today=today, seed=seed)
            conv = cls(content, session, store, None, problems=problems)
        conv._lock, conv._notices = lock, notices
        session.formatter = format_event
        return conv

    def opening(self) -> list[Event]:
        """What to show first: problems with saved data, follow-ups due, then the prompt."""
        events: list[Event] = [Notice(p, "warning") for p in self.problems]
        events += [Notice(self.session.message(key, **extra), "warning") for key, extra in self._notices]
        if self.store is not None:
            due = self.store.count_due(self.session.today)
            if due:
                events.append(Notice(self.session.message("followups_due", count=due)))
        if self.resumed:
            events.append(Notice(self.session.message("resuming_case")))
            events += self.session.prompt()
        else:
            # Nothing is stored until the person says something: opening the app and
            # closing it again must not leave an empty case behind.
            events += self.session.start()
        return self._lifecycle(events, resumed=self.resumed)

    def _lifecycle(self, events: list[Event], *, resumed: bool = False) -> list[Event]:
        """The turn's events with the practice call's start and end as typed events."""
        from bot.rehearsal_actions import lifecycle, phase

        before, self._call = self._call, phase(self.session)
        return lifecycle(self.session, before, events, resumed=resumed)

    def send(self, text: str) -> list[Event]:
        # Undecodable bytes (lone surrogates) become U+FFFD before anything sees them.
        text = _SURROGATES.sub("\ufffd", text)
        if self.unsaved and self._is_retry(text):
            return self._retry()
        # Store what the coach saw (escapes and control characters removed), never the raw bytes.
        clean = sanitise(text, multiline=self.session.expects_multiline).text
        events = self._lifecycle(self.session.handle(text))
        return events + self._save(clean, events)

    # -- read-only views for front-ends (so none of them reaches into the session) -------------

    @property
    def today(self) -> dt.date:
        return self.session.today

    @property
    def stage(self) -> str | None:
        return self.session.stage

    @property
    def expects_multiline(self) -> bool:
        return self.session.expects_multiline

    @property
    def transcript(self) -> list[dict[str, str]]:
        return list(self.session.transcript)

    def slot_values(self) -> dict[str, Any]:
        """What the case knows so far (a copy)."""
        return dict(self.session.slots)

    def _is_retry(self, text: str) -> bool:
        words = self.session.message("save_retry_words").casefold().split()
        return " ".join(text.casefold().strip(" .!'\"").split()) in words

    def _retry(self) -> list[Event]:
        """Try the unsaved turns again, without a new turn."""
        count = len(self.unsaved)
        problem = self._commit()
        if problem is None:
            return [Notice(self.session.message("saved_after_retry", count=count))]
        return [self._not_saved(problem)]

    def _decision_key(self) -> tuple[Any, ...]:
        return tuple(str(self.session.slots.get(k)) for k in _DECISION_SLOTS)

    def _save(self, text: str | None, events: list[Event]) -> list[Event]:
        """Commit this turn (after any that failed before); a notice when it was not saved."""
        if self.store is None:
            return []
        if not self.store.still_there():
            # The data was deleted (`decline-coach forget`) while this chat ran: writing on would
            # only fill a file nobody can find again.
            self._drop_store()
            self._forgotten = True
            return [Notice(self.session.message("data_forgotten"), "warning")]
        self.unsaved.append((text, list(events), self.session.snapshot()))
        problem = self._commit()
        if problem is None:
            return []
        from bot.store import CaseChanged

        if isinstance(problem, CaseChanged) and self.case_id is not None:
            # Written or deleted elsewhere since we last saw it: continue as a copy (a new case).
            old = self.case_id
            self._release_lock()
            self.case_id, self._stamp, self._logged = None, None, None
            problem = self._commit()
            notice = Notice(self.session.message("case_changed_elsewhere", case=old), "warning")
            return [notice] if problem is None else [notice, self._not_saved(problem)]
        return [self._not_saved(problem)]

    def _commit(self) -> Exception | None:
        """Save every pending turn in one transaction; the problem when that failed."""
        from bot.store import CaseChanged, StoreProblem

        store = self.store
        if store is None or not self.unsaved:
            return None
        if self._note is None and not self._note_tried:
            # Made with the first save (not at start-up, which it would slow): from then on a
            # failed save can be noted without needing new space.
            from bot.store import UnsavedNote

            self._note_tried = True
            self._note = UnsavedNote.create(store.directory)
        case_id, logged, stamp = self.case_id, self._logged, self._stamp
        try:
            # One transaction: the case, the turns, the decision log and its follow-ups are
            # committed together (one fsync), so a killed process keeps all or none of it.
            with store.transaction():
                if case_id is None:
                    case_id = store.create_case(self._title())
                    stamp = None
                for text, events, snapshot in self.unsaved:
                    store.save_turn(case_id, snapshot, text, events, expect_updated=stamp)
                    stamp = None  # within the transaction nobody else can write
                slots = self.session.slots
                if slots.get("decision") and slots.get("decided_on"):
                    key = self._decision_key()
                    if key != logged:
                        decided = dt.date.fromisoformat(str(slots["decided_on"]))
                        store.record_outcome(case_id, slots, decided)
                        logged = key
                if self.session.finished:
                    store.finish_case(case_id)
                title = self._title()
                if title and slots.get("company"):
                    store.rename_case(case_id, title)
                stamp = store.case_stamp(case_id)
        except KeyError:  # the case was deleted elsewhere
            return CaseChanged(case_id) if case_id is not None else StoreProblem("no case")
        except StoreProblem as exc:
            return exc
        # Only what was committed counts: after a rollback the next turn tries again.
        if self.case_id is None or self._lock is None:
            self._lock = store.lock_case(case_id)
        self.case_id, self._logged, self._stamp = case_id, logged, stamp
        self.unsaved.clear()
        if self._note is not None:
            self._note.clear()
        return None

    def _not_saved(self, problem: Exception) -> Notice:
        kind = getattr(problem, "kind", "other")
        if self._note is not None:
            self._note.record(
                {
                    "count": len(self.unsaved),
                    "case": self.case_id,
                    "reason": kind,
                    "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "texts": [t for t, _e, _s in self.unsaved if t],
                }
            )
        return Notice(self.session.message("not_saved", problem=kind, count=len(self.unsaved)), "error")

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _drop_store(self) -> None:
        self._release_lock()
        if self._note is not None:
            self._note.close()
            self._note = None
        if self.store is not None:
            self.store.close()
            self.store = None
        self.unsaved.clear()

    def _title(self) -> str:
        slots = self.session.slots
        parts = [str(slots[k]) for k in ("company", "role") if slots.get(k)]
        return " - ".join(parts) or "New case"

    def close(self) -> None:
        """Save what is pending one last time, then let go of the case and the store."""
        if self.unsaved:
            self._commit()
        self._release_lock()
        if self._note is not None:
            # Kept (and reported at the next start) only when turns are still unsaved.
            self._note.close(keep=bool(self.unsaved))
            self._note = None
        if self.store is not None:
            self.store.close()
