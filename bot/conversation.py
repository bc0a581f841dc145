"""A session plus its saved case: what both front-ends (plain and TUI) drive.

Every turn is committed to the store as it happens, so a killed process loses at most the
turn in flight. When the conversation settles a decision, the decision log and the
follow-ups it owes are written in the same transaction as the turn. The engine itself knows
nothing of storage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.content import Content
from bot.events import Event, Notice
from bot.plain import format_event
from bot.session import Session
from bot.text import sanitise

if TYPE_CHECKING:
    from bot.store import Store

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
        if store is not None:
            if case_id is not None:
                record = store.load_case(case_id)
            elif not new:
                record = store.latest_unfinished()
        if record is not None and record.snapshot:
            session = Session.restore(content, record.snapshot)
            if today is not None:
                session.today = today
            conv = cls(content, session, store, record.id, resumed=True, problems=problems)
            conv._logged = conv._decision_key()
        else:
            session = Session(content, today=today, seed=seed)
            conv = cls(content, session, store, None, problems=problems)
        session.formatter = format_event
        return conv

    def opening(self) -> list[Event]:
        """What to show first: problems with saved data, follow-ups due, then the prompt."""
        events: list[Event] = [Notice(p, "warning") for p in self.problems]
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
        return events

    def send(self, text: str) -> list[Event]:
        # Store what the coach saw (escapes and control characters removed), never the raw bytes.
        clean = sanitise(text, multiline=self.session.expects_multiline).text
        events = self.session.handle(text)
        self._save(clean, events)
        return events

    def _decision_key(self) -> tuple[Any, ...]:
        return tuple(str(self.session.slots.get(k)) for k in _DECISION_SLOTS)

    def _save(self, text: str | None, events: list[Event]) -> None:
        if self.store is None:
            return
        from bot.store import StoreProblem

        store, case_id, logged = self.store, self.case_id, self._logged
        try:
            # One transaction per turn: the case, the turn, the decision log and its follow-ups
            # are committed together (one fsync), so a killed process keeps all or none of it.
            with store.transaction():
                if case_id is None:
                    case_id = store.create_case(self._title())
                store.save_turn(case_id, self.session.snapshot(), text, events)
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
            # Only what was committed counts: after a rollback the next turn tries again.
            self.case_id, self._logged = case_id, logged
        except StoreProblem as exc:
            # Saving failed (disk full, file locked for too long): keep coaching, say so once.
            if str(exc) not in self.problems:
                self.problems.append(str(exc))

    def _title(self) -> str:
        slots = self.session.slots
        parts = [str(slots[k]) for k in ("company", "role") if slots.get(k)]
        return " - ".join(parts) or "New case"

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
