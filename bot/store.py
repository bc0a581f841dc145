"""The coach's memory: one private SQLite file holding cases, the decision log and follow-ups.

One file, ``coach.db``, in the user's data folder (``bot.paths.data_dir``). The folder is
created 0700 and the file 0600 before SQLite ever opens it. The file runs in WAL mode with
``synchronous=FULL``: a turn arrives at human speed, so one fsync per turn costs nothing
anyone can notice, and in exchange a committed turn survives a power cut, not only a
``kill -9`` (which WAL with ``NORMAL`` would already survive). ``busy_timeout`` makes a
second coach running on the same file wait for its turn instead of failing, and every
write starts with ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade.

The schema is versioned with ``PRAGMA user_version``: ``MIGRATIONS[n]`` brings a file from
version n to n+1, each step in its own transaction, so an older file is upgraded in place
and a failed step leaves it at the last good version.

Only JSON is stored, never pickle. A file that is not a database, or fails
``PRAGMA quick_check``, is never overwritten: it is renamed to
``coach.db.corrupt-<timestamp>`` (with its -wal and -shm), a fresh file is started, and
``Store.problem`` says so for the front-end to print. Problems that moving the file would
not fix (a locked file, a full disk, a file from a newer version) raise ``StoreProblem``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.followups import DECISIONS, FollowUp

DB_NAME = "coach.db"
SIDECARS = ("-wal", "-shm", "-journal")
BUSY_TIMEOUT_MS = 15_000
SYNCHRONOUS = "FULL"

#: ``MIGRATIONS[n]`` upgrades a file at ``user_version`` n to n+1. Never edit a shipped
#: step: add a new one. Version 1 is the first release (cases and their turns).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 0 -> 1: cases, one per job offer, and the turns of each conversation.
    (
        """CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            finished INTEGER NOT NULL DEFAULT 0,
            snapshot TEXT NOT NULL DEFAULT '{}'
        )""",
        """CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            user_text TEXT,
            events TEXT NOT NULL DEFAULT '[]',
            UNIQUE (case_id, seq)
        )""",
    ),
    # 1 -> 2: the decision log, one entry per case (the case id is the entry's id).
    (
        """CREATE TABLE decisions (
            case_id INTEGER PRIMARY KEY REFERENCES cases(id) ON DELETE CASCADE,
            decision TEXT NOT NULL,
            company TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL DEFAULT '',
            manager TEXT NOT NULL DEFAULT '',
            recruiter TEXT NOT NULL DEFAULT '',
            offer_date TEXT,
            decided_on TEXT,
            reason TEXT NOT NULL DEFAULT '',
            channel TEXT NOT NULL DEFAULT '',
            notified TEXT NOT NULL DEFAULT '[]',
            feedback TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            recorded TEXT NOT NULL,
            updated TEXT NOT NULL
        )""",
        "CREATE INDEX cases_by_update ON cases (finished, updated)",
    ),
    # 2 -> 3: follow-ups owed after a decision.
    (
        """CREATE TABLE followups (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            person TEXT NOT NULL DEFAULT '',
            title TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            due TEXT NOT NULL,
            until TEXT,
            done_on TEXT,
            UNIQUE (case_id, kind, person)
        )""",
        "CREATE INDEX followups_pending ON followups (done_on, due)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreProblem(Exception):
    """Something about the saved data the person needs to hear, in words they can act on."""

    def __init__(self, message: str, *, moved_to: Path | None = None, kind: str = "other") -> None:
        super().__init__(message)
        self.message = message
        self.moved_to = moved_to
        #: what went wrong, for a front-end's own wording: "full", "busy", "readonly",
        #: "corrupt", "changed" (a case written elsewhere), "gone" (the file was deleted), "other"
        self.kind = kind

    def __str__(self) -> str:
        return self.message


class CaseChanged(StoreProblem):
    """A case was written (or deleted) by someone else since this store last read or wrote it."""

    def __init__(self, case_id: int) -> None:
        super().__init__(f"Case {case_id} was changed elsewhere; nothing was overwritten.", kind="changed")
        self.case_id = case_id


class _Corrupt(Exception):
    """The file is not a database or fails its check (internal: handled by moving it aside)."""


@dataclass(frozen=True)
class Turn:
    seq: int
    at: str  # ISO 8601, UTC
    user_text: str | None
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class CaseRecord:
    id: int
    title: str
    created: str
    updated: str
    finished: bool
    snapshot: dict[str, Any]
    transcript: list[Turn] = field(default_factory=list)


@dataclass(frozen=True)
class CaseSummary:
    id: int
    title: str
    created: str
    updated: str
    finished: bool
    turns: int
    decision: str | None = None
    company: str = ""


@dataclass(frozen=True)
class DecisionEntry:
    """One line of the decision log. ``decision`` is one of decline, accept, negotiate,
    ask-for-time. ``case_id``, ``recorded`` and ``updated`` are filled in by the store."""

    decision: str
    company: str = ""
    role: str = ""
    manager: str = ""
    recruiter: str = ""
    offer_date: date | None = None
    decided_on: date | None = None
    reason: str = ""
    channel: str = ""
    notified: tuple[str, ...] = ()
    feedback: str = ""
    notes: str = ""
    case_id: int | None = None
    recorded: str = ""
    updated: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["offer_date"] = self.offer_date.isoformat() if self.offer_date else None
        data["decided_on"] = self.decided_on.isoformat() if self.decided_on else None
        data["notified"] = list(self.notified)
        return {"id": self.case_id, **{k: v for k, v in data.items() if k != "case_id"}}


DECISION_FIELDS = (
    "company",
    "role",
    "manager",
    "recruiter",
    "offer_date",
    "decision",
    "decided_on",
    "reason",
    "channel",
    "notified",
    "feedback",
    "notes",
)


def _lenient_text(raw: bytes) -> str:
    """Text from the file; bytes a damaged file garbled become U+FFFD instead of an error."""
    return raw.decode("utf-8", "replace")


def _loads(text: Any, default: Any) -> Any:
    """JSON from the file; a value a damaged file garbled reads as ``default`` (of its type)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return default
    return value if isinstance(value, type(default)) else default


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _event_dict(event: Any) -> dict[str, Any]:
    if isinstance(event, Mapping):
        return dict(event)
    if is_dataclass(event) and not isinstance(event, type):
        from bot.events import to_dict

        return to_dict(event)  # type: ignore[arg-type]
    raise TypeError(f"an event must be a dict or a bot.events event, not {type(event).__name__}")


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _chmod(path: Path, mode: int) -> None:
    # Tighten only: never widen what the person set, and ignore files we do not own.
    with contextlib.suppress(OSError):
        current = path.stat().st_mode & 0o777
        if current & ~mode:
            path.chmod(current & mode)


def db_path(directory: Path) -> Path:
    return directory / DB_NAME


def stored_files(directory: Path) -> list[Path]:
    """Every file the store owns in ``directory``: the database, sidecars, moved-aside copies."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.name.startswith(DB_NAME) and p.is_file())


def forget(directory: Path) -> list[Path]:
    """Delete everything the store keeps in ``directory``; returns what was deleted.

    Leaves the folder itself (removed only when that leaves it empty) and any file that is
    not the store's alone.
    """
    removed: list[Path] = []
    for path in stored_files(directory):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise StoreProblem(f"Could not delete {path}: {exc.strerror or exc}") from exc
        removed.append(path)
    with contextlib.suppress(OSError):
        directory.rmdir()  # only succeeds when empty
    return removed


class Store:
    """Cases, decisions and follow-ups in one SQLite file. Safe to share between threads."""

    def __init__(self, directory: str | os.PathLike[str] | None = None, *, readonly: bool = False) -> None:
        from bot.paths import data_dir

        self.directory = Path(directory) if directory is not None else data_dir()
        self.path = db_path(self.directory)
        self.problem: StoreProblem | None = None  # set when a damaged file was moved aside
        self.readonly = readonly
        self._lock = threading.RLock()
        self._opened: tuple[int, int] | None = None  # (device, inode) of the file checked
        self._sidecars_checked = False
        self._batch = False  # inside transaction(), held with self._lock
        if readonly:
            # A read-only command never creates, moves or rewrites anything: it reads what it
            # can and says what it could not (``problem``).
            self._conn = self._connect_readonly()
            return
        self._prepare_directory()
        self._refuse_link()
        try:
            empty = self.path.stat().st_size == 0
        except OSError:
            empty = False
        if empty:
            self.problem = StoreProblem(
                f"Your data file {self.path} was empty (0 bytes): nothing in it could be read, "
                "so a fresh one was started in its place.",
                kind="empty",
            )
        for _attempt in range(3):
            try:
                self._conn = self._connect()
                break
            except _Corrupt as exc:
                moved = self._move_aside()
                if moved is not None:
                    self.problem = StoreProblem(
                        f"Your saved data could not be read ({exc}); it was moved to {moved} "
                        "and a fresh file was started.",
                        moved_to=moved,
                    )
        else:  # pragma: no cover - a fresh file failing its check three times
            raise StoreProblem(f"Could not start a fresh data file at {self.path}.")

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, override: str | os.PathLike[str] | None = None) -> Store:
        """The store in ``bot.paths.data_dir(override)`` (``--data-dir``, env, platform)."""
        from bot.paths import data_dir

        return cls(data_dir(override))

    def _refuse_link(self) -> None:
        """A symbolic link where the data file (or a sidecar) should be is never followed."""
        for path in (self.path, *(Path(f"{self.path}{s}") for s in SIDECARS)):
            if path.is_symlink():
                raise StoreProblem(
                    f"{path} is a symbolic link; decline-coach does not write its data through "
                    "a link. Remove the link (or use --data-dir) and start again.",
                    kind="link",
                )

    def _connect_readonly(self) -> sqlite3.Connection:
        if self.directory.exists() and not self.directory.is_dir():
            raise StoreProblem(f"{self.directory} exists but is not a folder; no saved data can be read there.")
        if self.path.is_symlink():
            raise StoreProblem(f"{self.path} is a symbolic link; decline-coach does not read its data through a link.")
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise StoreProblem(f"There is no saved data in {self.directory}.", kind="missing") from None
        except OSError as exc:
            raise StoreProblem(f"Could not read {self.path}: {exc.strerror or exc}") from exc
        self._opened = (info.st_dev, info.st_ino)
        if info.st_size == 0:
            self.problem = StoreProblem(
                f"Your data file {self.path} is empty (0 bytes): it holds no cases.", kind="empty"
            )
        if info.st_size == 0:  # nothing to read: an empty store, without touching the file
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
            self._migrate(conn)
            return conn
        uri = self.path.resolve().as_uri()
        last: sqlite3.DatabaseError | None = None
        # With no -wal file, nothing is waiting outside the main file: immutable=1 reads it
        # without creating -wal/-shm files. With one (a coach is running, or was killed),
        # mode=ro reads the committed turns in it too; on a read-only disk (where no -shm can
        # be made) immutable=1 still reads what the main file holds.
        queries = ["?mode=ro", "?mode=ro&immutable=1"]
        if not Path(f"{self.path}-wal").exists():
            queries = queries[1:]  # mode=ro would leave -wal and -shm files behind
        for query in queries:
            try:
                conn = sqlite3.connect(
                    uri + query, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                    isolation_level=None, check_same_thread=False,
                )
            except sqlite3.DatabaseError as exc:
                last = exc
                continue
            conn.text_factory = _lenient_text
            try:
                conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                rows = conn.execute("PRAGMA quick_check").fetchall()
                version = conn.execute("PRAGMA user_version").fetchone()[0]
            except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
                conn.close()
                last = exc if isinstance(exc, sqlite3.DatabaseError) else sqlite3.DatabaseError(
                    "the file's structure is damaged"
                )
                if isinstance(exc, UnicodeDecodeError):
                    last.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
                continue
            if rows != [("ok",)]:
                self.problem = StoreProblem(
                    f"Your saved data at {self.path} is damaged "
                    f"({'; '.join(str(r[0]) for r in rows[:3])}). Listed what could be read; "
                    "nothing was moved or changed.",
                    kind="corrupt",
                )
            if version > SCHEMA_VERSION:
                conn.close()
                raise StoreProblem(
                    f"{self.path} was written by a newer version of decline-coach (data version "
                    f"{version}); upgrade decline-coach to read it. The file was left untouched."
                )
            return conn
        assert last is not None
        code = getattr(last, "sqlite_errorcode", None)
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            raise StoreProblem(
                f"Your saved data at {self.path} cannot be read ({last}). Nothing was moved or "
                "changed; the next conversation you start will move it aside and say where.",
                kind="corrupt",
            )
        raise StoreProblem(f"Could not read your saved data at {self.path}: {last}", kind="other")

    def still_there(self) -> bool:
        """False when the data file this store opened was deleted or replaced (``forget``)."""
        try:
            info = self.path.stat()
        except OSError:
            return False
        return (info.st_dev, info.st_ino) == self._opened

    def lock_case(self, case_id: int) -> CaseLock | None:
        """Hold case ``case_id`` for this process; None when another process holds it."""
        return CaseLock.acquire(self.directory / f"{DB_NAME}.case-{case_id}.lock")

    def _prepare_directory(self) -> None:
        if self.directory.is_dir():
            return
        try:
            self.directory.mkdir(parents=True, mode=0o700)
            self.directory.chmod(0o700)
        except FileExistsError:
            if not self.directory.is_dir():
                raise StoreProblem(f"{self.directory} exists but is not a folder.") from None
        except OSError as exc:
            raise StoreProblem(
                f"Could not create the data folder {self.directory}: {exc.strerror or exc}"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                info = os.fstat(fd)
                self._opened = (info.st_dev, info.st_ino)
            finally:
                os.close(fd)
        except OSError as exc:
            raise StoreProblem(f"Could not open {self.path}: {exc.strerror or exc}") from exc
        _chmod(self.path, 0o600)
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,  # guarded by self._lock
        )
        conn.text_factory = _lenient_text
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            rows = conn.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                raise _Corrupt("; ".join(str(r[0]) for r in rows[:3]))
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._migrate(conn)
        except UnicodeDecodeError as exc:
            # SQLite's own message quoted bytes from the damaged file (Python cannot decode it).
            conn.close()
            raise _Corrupt("the file's structure is damaged") from exc
        except sqlite3.DatabaseError as exc:
            conn.close()
            if getattr(exc, "sqlite_errorcode", None) in (
                sqlite3.SQLITE_CORRUPT,
                sqlite3.SQLITE_NOTADB,
            ):
                raise _Corrupt(str(exc)) from exc
            raise _problem(exc, self.path) from exc
        except BaseException:
            conn.close()
            raise
        for suffix in SIDECARS:
            _chmod(Path(f"{self.path}{suffix}"), 0o600)
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreProblem(
                f"{self.path} was written by a newer version of decline-coach (data version "
                f"{version}, this one reads up to {SCHEMA_VERSION}). Upgrade decline-coach; "
                "the file was left untouched."
            )
        while version < SCHEMA_VERSION:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the lock.
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                if version < SCHEMA_VERSION:
                    for statement in MIGRATIONS[version]:
                        conn.execute(statement)
                    version += 1
                    conn.execute(f"PRAGMA user_version = {version}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise

    def _move_aside(self) -> Path | None:
        """Rename the damaged file (and sidecars) aside; None when another process already did."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        if (info.st_dev, info.st_ino) != self._opened:
            return None  # a concurrent start moved it and began a fresh file: use that
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        target = self.path.with_name(f"{DB_NAME}.corrupt-{stamp}")
        try:
            self.path.rename(target)
            for suffix in SIDECARS:
                side = Path(f"{self.path}{suffix}")
                if side.exists():
                    side.rename(Path(f"{target}{suffix}"))
        except OSError as exc:
            raise StoreProblem(
                f"Your saved data at {self.path} could not be read, and could not be moved "
                f"aside either ({exc.strerror or exc}). Nothing was overwritten; move the file "
                "away yourself or run with --data-dir."
            ) from exc
        return target

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes as one transaction: all of them are committed (one fsync), or none.

        The store's methods called inside join it; an exception inside rolls all of them back
        and is raised again (a database error as ``StoreProblem``). Other threads wait.
        """
        with self._write():
            outer, self._batch = self._batch, True
            try:
                yield
            finally:
                self._batch = outer

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front."""
        if self.readonly:
            raise StoreProblem("This data was opened read-only; nothing was changed.", kind="readonly")
        with self._lock:
            conn = self._conn
            if self._batch:  # inside transaction(): its BEGIN and COMMIT are the ones that count
                yield conn
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise _problem(exc, self.path) from exc
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.DatabaseError):
                    raise _problem(exc, self.path) from exc
                if isinstance(exc, UnicodeDecodeError):  # SQLite's message quoted damaged bytes
                    raise StoreProblem(
                        f"Your saved data at {self.path} is damaged; nothing could be saved.", kind="corrupt"
                    ) from exc
                raise
            if not self._sidecars_checked:
                self._sidecars_checked = True
                for suffix in SIDECARS:
                    _chmod(Path(f"{self.path}{suffix}"), 0o600)

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                cur = self._conn.execute(sql, params)
                cur.row_factory = sqlite3.Row
                return cur.fetchall()
            except sqlite3.DatabaseError as exc:
                raise _problem(exc, self.path) from exc
            except UnicodeDecodeError as exc:  # SQLite's message quoted damaged bytes
                raise StoreProblem(
                    f"Your saved data at {self.path} is damaged and could not be read.", kind="corrupt"
                ) from exc

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check`` rows: ``["ok"]`` for a sound file."""
        return [str(r[0]) for r in self._read("PRAGMA integrity_check")]

    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    # ------------------------------------------------------------------ cases

    def create_case(self, title: str = "") -> int:
        now = _now()
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO cases (title, created, updated) VALUES (?, ?, ?)", (title, now, now)
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

    def save_turn(
        self,
        case_id: int,
        snapshot: Mapping[str, Any],
        user_text: str | None,
        events: Sequence[Any],
        *,
        expect_updated: str | None = None,
    ) -> int:
        """Commit one turn in one transaction: the snapshot replaces the case's and the turn is
        appended to its transcript. Returns the turn's number (1, 2, ...).

        With ``expect_updated`` the write is a compare-and-set: it happens only when the case's
        ``updated`` stamp is still that value, else ``CaseChanged`` is raised and nothing is
        written (another process wrote the case since this one read it)."""
        snapshot_json = _dumps(dict(snapshot))
        events_json = _dumps([_event_dict(e) for e in events])
        now = _now()
        with self._write() as conn:
            if expect_updated is None:
                cur = conn.execute(
                    "UPDATE cases SET snapshot = ?, updated = ? WHERE id = ?",
                    (snapshot_json, now, case_id),
                )
            else:
                cur = conn.execute(
                    "UPDATE cases SET snapshot = ?, updated = ? WHERE id = ? AND updated = ?",
                    (snapshot_json, now, case_id, expect_updated),
                )
            if cur.rowcount != 1:
                if expect_updated is not None:
                    raise CaseChanged(case_id)
                raise KeyError(f"no case {case_id}")
            seq = conn.execute(
                "SELECT coalesce(max(seq), 0) + 1 FROM turns WHERE case_id = ?", (case_id,)
            ).fetchone()[0]
            conn.execute(
                "INSERT INTO turns (case_id, seq, at, user_text, events) VALUES (?, ?, ?, ?, ?)",
                (case_id, seq, now, user_text, events_json),
            )
            return int(seq)

    def load_case(self, case_id: int, *, transcript: bool = True) -> CaseRecord:
        rows = self._read(
            "SELECT id, title, created, updated, finished, snapshot FROM cases WHERE id = ?",
            (case_id,),
        )
        if not rows:
            raise KeyError(f"no case {case_id}")
        row = rows[0]
        turns: list[Turn] = []
        if transcript:
            turns = [
                Turn(
                    seq=t["seq"],
                    at=t["at"],
                    user_text=t["user_text"],
                    events=_loads(t["events"], []),
                )
                for t in self._read(
                    "SELECT seq, at, user_text, events FROM turns WHERE case_id = ? ORDER BY seq",
                    (case_id,),
                )
            ]
        return CaseRecord(
            id=row["id"],
            title=row["title"],
            created=row["created"],
            updated=row["updated"],
            finished=bool(row["finished"]),
            snapshot=_loads(row["snapshot"], {}),
            transcript=turns,
        )

    def case_stamp(self, case_id: int) -> str | None:
        """The case's ``updated`` stamp (what a compare-and-set ``save_turn`` expects)."""
        rows = self._read("SELECT updated FROM cases WHERE id = ?", (case_id,))
        return str(rows[0][0]) if rows else None

    def latest_unfinished(self) -> CaseRecord | None:
        """The most recently touched case that is not finished and has at least one turn."""
        rows = self._read(
            "SELECT id FROM cases WHERE finished = 0"
            " AND EXISTS (SELECT 1 FROM turns WHERE turns.case_id = cases.id)"
            " ORDER BY updated DESC, id DESC LIMIT 1"
        )
        return self.load_case(rows[0]["id"]) if rows else None

    def latest_unfinished_said(self) -> tuple[int, list[dict[str, str]]] | None:
        """The case ``latest_unfinished`` would give, and what was said in it (the snapshot's
        transcript), without reading its turns: the app shows it before the engine opens."""
        rows = self._read(
            "SELECT id, snapshot FROM cases WHERE finished = 0"
            " AND EXISTS (SELECT 1 FROM turns WHERE turns.case_id = cases.id)"
            " ORDER BY updated DESC, id DESC LIMIT 1"
        )
        if not rows:
            return None
        said = _loads(rows[0]["snapshot"], {}).get("transcript")
        if not isinstance(said, list):
            return None
        return int(rows[0]["id"]), [e for e in said if isinstance(e, dict)]

    def list_cases(self) -> list[CaseSummary]:
        rows = self._read(
            "SELECT c.id, c.title, c.created, c.updated, c.finished,"
            " (SELECT count(*) FROM turns t WHERE t.case_id = c.id) AS turns,"
            " d.decision, d.company"
            " FROM cases c LEFT JOIN decisions d ON d.case_id = c.id"
            " ORDER BY c.updated DESC, c.id DESC"
        )
        return [
            CaseSummary(
                id=r["id"],
                title=r["title"],
                created=r["created"],
                updated=r["updated"],
                finished=bool(r["finished"]),
                turns=r["turns"],
                decision=r["decision"],
                company=r["company"] or "",
            )
            for r in rows
        ]

    def _touch(self, sql: str, params: Sequence[Any], case_id: int) -> None:
        with self._write() as conn:
            if conn.execute(sql, params).rowcount != 1:
                raise KeyError(f"no case {case_id}")

    def finish_case(self, case_id: int) -> None:
        self._touch(
            "UPDATE cases SET finished = 1, updated = ? WHERE id = ?", (_now(), case_id), case_id
        )

    def reopen_case(self, case_id: int) -> None:
        """Mark a finished case unfinished again, so starting the coach offers it."""
        self._touch(
            "UPDATE cases SET finished = 0, updated = ? WHERE id = ?", (_now(), case_id), case_id
        )

    def rename_case(self, case_id: int, title: str) -> None:
        self._touch("UPDATE cases SET title = ? WHERE id = ?", (title, case_id), case_id)

    def delete_case(self, case_id: int) -> None:
        """Delete a case with its turns, its decision-log entry and its follow-ups."""
        self._touch("DELETE FROM cases WHERE id = ?", (case_id,), case_id)

    # ------------------------------------------------------------------ decision log

    def record_decision(self, case_id: int, entry: DecisionEntry) -> DecisionEntry:
        """Write (or rewrite) the case's decision-log entry; returns it as stored."""
        from bot.followups import DECISIONS

        if entry.decision not in DECISIONS:
            raise ValueError(
                f"decision must be one of {', '.join(DECISIONS)}, not {entry.decision!r}"
            )
        now = _now()
        values = (
            case_id,
            entry.decision,
            entry.company,
            entry.role,
            entry.manager,
            entry.recruiter,
            _iso(entry.offer_date),
            _iso(entry.decided_on),
            entry.reason,
            entry.channel,
            _dumps(list(entry.notified)),
            entry.feedback,
            entry.notes,
            now,
            now,
        )
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone():
                raise KeyError(f"no case {case_id}")
            conn.execute(
                "INSERT INTO decisions (case_id, decision, company, role, manager, recruiter,"
                " offer_date, decided_on, reason, channel, notified, feedback, notes, recorded,"
                " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (case_id) DO UPDATE SET decision = excluded.decision,"
                " company = excluded.company, role = excluded.role, manager = excluded.manager,"
                " recruiter = excluded.recruiter, offer_date = excluded.offer_date,"
                " decided_on = excluded.decided_on, reason = excluded.reason,"
                " channel = excluded.channel, notified = excluded.notified,"
                " feedback = excluded.feedback, notes = excluded.notes,"
                " updated = excluded.updated",
                values,
            )
        stored = self.decision(case_id)
        assert stored is not None
        return stored

    def decisions(self) -> list[DecisionEntry]:
        """The whole log, latest decision first (entries without a date last)."""
        return [
            _entry(r)
            for r in self._read(
                "SELECT * FROM decisions ORDER BY decided_on IS NULL, decided_on DESC, case_id DESC"
            )
        ]

    def decision(self, case_id: int) -> DecisionEntry | None:
        rows = self._read("SELECT * FROM decisions WHERE case_id = ?", (case_id,))
        return _entry(rows[0]) if rows else None

    def record_outcome(
        self,
        case_id: int,
        slots: Mapping[str, Any],
        decided_on: date,
        *,
        notified: Sequence[str] = (),
        feedback: str = "",
        notes: str = "",
    ) -> tuple[DecisionEntry, list[FollowUp]]:
        """What a front-end calls when a conversation reaches its decision: log it from the
        session's slots and store the follow-ups it owes (re-deriving replaces pending ones)."""
        from bot.followups import derive

        entry = entry_from_slots(
            slots, decided_on, notified=notified, feedback=feedback, notes=notes
        )
        stored = self.record_decision(case_id, entry)
        names = {k: getattr(entry, k) for k in ("company", "role", "manager", "recruiter")}
        interviewers = _names(slots.get("interviewers"))
        items = derive(
            entry.decision,
            decided_on,
            channel=entry.channel,
            interviewers=interviewers,
            names=names,
        )
        return stored, self.add_followups(case_id, items, replace_pending=True)

    # ------------------------------------------------------------------ follow-ups

    def add_followups(
        self, case_id: int, items: Sequence[FollowUp], *, replace_pending: bool = False
    ) -> list[FollowUp]:
        """Store a case's follow-ups. The same (kind, person) again updates the pending one
        and never undoes a done one. ``replace_pending`` also drops pending follow-ups not in
        ``items`` (for a decision that changed)."""
        with self._write() as conn:
            if not conn.execute("SELECT 1 FROM cases WHERE id = ?", (case_id,)).fetchone():
                raise KeyError(f"no case {case_id}")
            if replace_pending:
                keep = {(f.kind, f.person) for f in items}
                for row in conn.execute(
                    "SELECT id, kind, person FROM followups WHERE case_id = ? AND done_on IS NULL",
                    (case_id,),
                ).fetchall():
                    if (row[1], row[2]) not in keep:
                        conn.execute("DELETE FROM followups WHERE id = ?", (row[0],))
            for f in items:
                conn.execute(
                    "INSERT INTO followups (case_id, kind, person, title, detail, due, until)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (case_id, kind, person) DO UPDATE SET title = excluded.title,"
                    " detail = excluded.detail, due = excluded.due, until = excluded.until"
                    " WHERE done_on IS NULL",
                    (
                        case_id,
                        f.kind,
                        f.person,
                        f.title,
                        f.detail,
                        f.due.isoformat(),
                        _iso(f.until),
                    ),
                )
        return self.all_followups(case_id=case_id)

    def due_followups(self, today: date) -> list[FollowUp]:
        """Pending follow-ups due on or before ``today``, oldest first."""
        return [
            _followup(r)
            for r in self._read(
                "SELECT * FROM followups WHERE done_on IS NULL AND due <= ? ORDER BY due, id",
                (today.isoformat(),),
            )
        ]

    def count_due(self, today: date) -> int:
        rows = self._read(
            "SELECT count(*) FROM followups WHERE done_on IS NULL AND due <= ?",
            (today.isoformat(),),
        )
        return int(rows[0][0])

    def all_followups(self, *, case_id: int | None = None, pending: bool = False) -> list[FollowUp]:
        sql = "SELECT * FROM followups WHERE 1 = 1"
        params: list[Any] = []
        if case_id is not None:
            sql += " AND case_id = ?"
            params.append(case_id)
        if pending:
            sql += " AND done_on IS NULL"
        return [_followup(r) for r in self._read(sql + " ORDER BY due, id", params)]

    def followup(self, followup_id: int) -> FollowUp | None:
        rows = self._read("SELECT * FROM followups WHERE id = ?", (followup_id,))
        return _followup(rows[0]) if rows else None

    def mark_done(self, followup_id: int, on: date | None = None, *, done: bool = True) -> FollowUp:
        """Mark a follow-up done (``done=False`` puts it back on the list)."""
        value = (on or date.today()).isoformat() if done else None
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE followups SET done_on = ? WHERE id = ?", (value, followup_id)
            )
            if cur.rowcount != 1:
                raise KeyError(f"no follow-up {followup_id}")
        found = self.followup(followup_id)
        assert found is not None
        return found


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _names(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        value = value.replace(" and ", ",").split(",")
    return tuple(n for n in (_text(v) for v in value) if n)


def _slot_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def entry_from_slots(
    slots: Mapping[str, Any],
    decided_on: date | None,
    *,
    notified: Sequence[str] = (),
    feedback: str = "",
    notes: str = "",
) -> DecisionEntry:
    """A decision-log entry from a session's slots (company, role, manager, recruiter,
    offer_date, decision, reason, channel). An unknown decision is logged as a decline."""
    from bot.followups import DECISIONS

    decision = _text(slots.get("decision")) or "decline"
    if decision not in DECISIONS:
        decision = "decline"
    if not notified:
        # Whom the person said they would tell (channel flow's `notify`: [{role, name}]).
        notify = slots.get("notify") or ()
        notified = tuple(_text(p.get("name")) for p in notify if isinstance(p, dict) and p.get("name"))
    if not feedback:
        # The employer's answer to a counter-proposal (negotiate flow): met / partial / refused.
        answer = _text(slots.get("nego_answer"))
        figure = _text(slots.get("counter_figure"))
        feedback = f"{answer}: {figure}" if answer and figure else answer
    return DecisionEntry(
        decision=decision,
        company=_text(slots.get("company")),
        role=_text(slots.get("role")),
        manager=_text(slots.get("manager")),
        recruiter=_text(slots.get("recruiter")),
        offer_date=_slot_date(slots.get("offer_date")),
        decided_on=decided_on,
        reason=_text(slots.get("reason")),
        channel=_text(slots.get("channel")),
        notified=tuple(notified),
        feedback=feedback,
        notes=notes,
    )


def _entry(row: sqlite3.Row) -> DecisionEntry:
    return DecisionEntry(
        case_id=row["case_id"],
        decision=row["decision"],
        company=row["company"],
        role=row["role"],
        manager=row["manager"],
        recruiter=row["recruiter"],
        offer_date=_date(row["offer_date"]),
        decided_on=_date(row["decided_on"]),
        reason=row["reason"],
        channel=row["channel"],
        notified=tuple(_loads(row["notified"], [])),
        feedback=row["feedback"],
        notes=row["notes"],
        recorded=row["recorded"],
        updated=row["updated"],
    )


def _followup(row: sqlite3.Row) -> FollowUp:
    from bot.followups import FollowUp

    return FollowUp(
        id=row["id"],
        case_id=row["case_id"],
        kind=row["kind"],
        person=row["person"],
        title=row["title"],
        detail=row["detail"],
        due=date.fromisoformat(row["due"]),
        until=_date(row["until"]),
        done_on=_date(row["done_on"]),
    )


def _problem(exc: sqlite3.DatabaseError, path: Path) -> StoreProblem:
    code = getattr(exc, "sqlite_errorcode", None)
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return StoreProblem(
            f"Your saved data at {path} is busy: another decline-coach kept it locked for "
            f"{BUSY_TIMEOUT_MS // 1000} seconds. Close the other one and try again.",
            kind="busy",
        )
    if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
        return StoreProblem(f"The disk holding {path} is full; nothing more could be saved.", kind="full")
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return StoreProblem(
            f"Your saved data at {path} is damaged ({exc}). Start decline-coach again: the "
            "damaged file will be moved aside and a fresh one started.",
            kind="corrupt",
        )
    if code == sqlite3.SQLITE_READONLY:
        return StoreProblem(f"Your saved data at {path} is read-only; nothing could be saved.", kind="readonly")
    if code == sqlite3.SQLITE_IOERR or (code is not None and code & 0xFF == sqlite3.SQLITE_IOERR):
        return StoreProblem(f"Your saved data at {path} could not be written: {exc}", kind="io")
    return StoreProblem(f"Your saved data at {path} could not be used: {exc}")


class CaseLock:
    """One writer per case: an exclusive ``flock`` on ``coach.db.case-<id>.lock``.

    The kernel drops the lock when the process ends (even ``kill -9``), so a stale lock file
    never keeps a case closed.
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def acquire(cls, path: Path) -> CaseLock | None:
        import fcntl

        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            return None if path.exists() else cls(path, -1)  # no lock files possible: no locking
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        return cls(path, fd)

    def release(self) -> None:
        if self._fd < 0:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = -1


class UnsavedNote:
    """A note, kept beside the data file, of turns that could not be saved.

    Made (and filled with blanks) when a conversation opens, while there is space; when a save
    fails, the note is overwritten in place, which needs no new space on a full disk. The next
    start reads notes nobody holds (``leftovers``), reports them and deletes them. A note is
    held with ``flock`` while its conversation runs, so a running one is never reported.
    """

    SIZE = 16 * 1024
    PREFIX = f"{DB_NAME}.unsaved-"

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self.dirty = False

    @classmethod
    def create(cls, directory: Path) -> UnsavedNote | None:
        import fcntl

        path = directory / f"{cls.PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            os.pwrite(fd, b" " * cls.SIZE, 0)
        except OSError:  # no room even for the note: saves may still work; nothing to keep
            os.close(fd)
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        return cls(path, fd)

    def record(self, data: Mapping[str, Any]) -> bool:
        """Overwrite the note with ``data`` (JSON, trimmed to fit); False when that failed."""
        payload = dict(data)
        blob = json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace")
        while len(blob) > self.SIZE and payload.get("texts"):
            payload["texts"] = payload["texts"][:-1]
            blob = json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace")
        if len(blob) > self.SIZE:
            return False
        try:
            os.pwrite(self._fd, blob + b" " * (self.SIZE - len(blob)), 0)
            os.fsync(self._fd)
        except OSError:
            return False
        self.dirty = True
        return True

    def clear(self) -> None:
        if self.dirty:
            with contextlib.suppress(OSError):
                os.pwrite(self._fd, b" " * self.SIZE, 0)
            self.dirty = False

    def close(self, *, keep: bool = False) -> None:
        """Release the note; deleted unless ``keep`` (turns are still unsaved)."""
        if self._fd < 0:
            return
        if not keep or not self.dirty:
            with contextlib.suppress(OSError):
                self.path.unlink()
        with contextlib.suppress(OSError):
            os.close(self._fd)
        self._fd = -1

    @classmethod
    def running(cls, directory: Path) -> int:
        """How many conversations are open on the data in ``directory`` right now."""
        import fcntl

        count = 0
        try:
            names = [p for p in directory.iterdir() if p.name.startswith(cls.PREFIX)]
        except OSError:
            return 0
        for path in names:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                count += 1
            finally:
                os.close(fd)
        return count

    @classmethod
    def leftovers(cls, directory: Path) -> list[dict[str, Any]]:
        """Notes left by conversations that ended with turns unsaved; each is read and deleted."""
        import fcntl

        found: list[dict[str, Any]] = []
        try:
            names = sorted(p for p in directory.iterdir() if p.name.startswith(cls.PREFIX))
        except OSError:
            return found
        for path in names:
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue  # its conversation is still running
            try:
                raw = os.read(fd, cls.SIZE + 1).strip()
                data = json.loads(raw.decode("utf-8", "replace")) if raw else None
            except (OSError, ValueError):
                data = None
            finally:
                os.close(fd)
            if isinstance(data, dict) and data.get("count"):
                found.append(data)
            with contextlib.suppress(OSError):
                path.unlink()
        return found


def __getattr__(name: str) -> Any:
    # Re-exported from bot.followups, which is imported only when first needed: opening the
    # store and saving a turn (all a conversation's first prompt asks of it) never use it.
    if name in ("DECISIONS", "FollowUp"):
        import bot.followups

        return getattr(bot.followups, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DB_NAME",
    "DECISIONS",
    "DECISION_FIELDS",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "CaseChanged",
    "CaseLock",
    "CaseRecord",
    "CaseSummary",
    "DecisionEntry",
    "FollowUp",
    "Store",
    "StoreProblem",
    "Turn",
    "UnsavedNote",
    "entry_from_slots",
    "forget",
    "stored_files",
]
