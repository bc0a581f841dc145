"""The store: permissions, migrations, crash safety, concurrency, damaged files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from bot.followups import FollowUp
from bot.store import (
    DB_NAME,
    SCHEMA_VERSION,
    DecisionEntry,
    Store,
    StoreProblem,
    forget,
    stored_files,
)

REPO = Path(__file__).resolve().parents[1]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def snapshot(n: int) -> dict[str, object]:
    return {
        "state": f"step{n}",
        "slots": {"company": "Acme", "n": n},
        "history": [f"step{i}" for i in range(n)],
        "transcript": [{"speaker": "user", "text": f"line {i}"} for i in range(n)],
    }


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


# ---------------------------------------------------------------------- files and permissions


def test_folder_is_0700_and_file_0600_with_sidecars(tmp_path: Path) -> None:
    home = tmp_path / "deep" / "home"
    with Store(home) as store:
        case = store.create_case("Acme")
        store.save_turn(case, snapshot(1), "hello", [])
        assert mode(home) == 0o700
        assert mode(home / DB_NAME) == 0o600
        sidecars = [home / (DB_NAME + s) for s in ("-wal", "-shm")]
        assert any(p.exists() for p in sidecars), "WAL mode should keep a -wal/-shm while open"
        for path in sidecars:
            if path.exists():
                assert mode(path) == 0o600, path
        assert raw(home / DB_NAME).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_existing_wider_file_is_tightened(tmp_path: Path) -> None:
    Store(tmp_path).close()
    (tmp_path / DB_NAME).chmod(0o644)
    Store(tmp_path).close()
    assert mode(tmp_path / DB_NAME) == 0o600


def test_an_existing_folder_is_not_rechmodded(tmp_path: Path) -> None:
    # A folder the person chose (--data-dir) keeps its mode; only the file is private.
    tmp_path.chmod(0o755)
    Store(tmp_path).close()
    assert mode(tmp_path) == 0o755
    assert mode(tmp_path / DB_NAME) == 0o600


def test_open_uses_paths_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECLINE_COACH_HOME", str(tmp_path / "env"))
    with Store.open() as store:
        assert store.path == tmp_path / "env" / DB_NAME
    with Store.open(tmp_path / "override") as store:
        assert store.path == tmp_path / "override" / DB_NAME


# ---------------------------------------------------------------------- cases


def test_turns_round_trip_and_the_snapshot_is_the_latest(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        case = store.create_case("Offer from Acme")
        for n in range(1, 4):
            assert (
                store.save_turn(case, snapshot(n), f"turn {n}", [{"event": "say", "text": f"r{n}"}])
                == n
            )
        record = store.load_case(case)
    assert record.title == "Offer from Acme"
    assert record.snapshot == snapshot(3)
    assert [t.seq for t in record.transcript] == [1, 2, 3]
    assert record.transcript[1].user_text == "turn 2"
    assert record.transcript[2].events == [{"event": "say", "text": "r3"}]
    assert not record.finished


def test_events_may_be_typed_events(tmp_path: Path) -> None:
    from bot.events import Say

    with Store(tmp_path) as store:
        case = store.create_case()
        store.save_turn(case, snapshot(1), None, [Say("Hello")])
        (turn,) = store.load_case(case).transcript
    assert turn.user_text is None
    assert turn.events[0]["event"] == "say"
    assert turn.events[0]["text"] == "Hello"


def test_only_json_is_stored_and_a_bad_turn_leaves_nothing(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        case = store.create_case()
        store.save_turn(case, snapshot(1), "one", [])
        with pytest.raises(TypeError):
            store.save_turn(case, {"state": "x", "slots": {"when": date(2025, 1, 1)}}, "two", [])
        with pytest.raises(KeyError):
            store.save_turn(case + 99, snapshot(2), "lost", [])
        record = store.load_case(case)
    assert record.snapshot == snapshot(1)
    assert len(record.transcript) == 1


def test_a_transaction_commits_all_of_its_writes_or_none(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        with store.transaction():
            case = store.create_case("Acme")
            store.save_turn(case, snapshot(1), "one", [])
            with store.transaction():  # a nested one joins the outer
                store.rename_case(case, "Acme - Analyst")
            store.finish_case(case)
        record = store.load_case(case)
        assert (record.title, record.finished, len(record.transcript)) == ("Acme - Analyst", True, 1)
        with pytest.raises(KeyError), store.transaction():
            other = store.create_case("lost")
            store.save_turn(other, snapshot(1), "lost", [])
            store.finish_case(other + 99)
        assert [c.id for c in store.list_cases()] == [case]
        # The store is usable again after the rollback, in and out of a transaction.
        store.save_turn(case, snapshot(2), "two", [])
        with store.transaction():
            store.reopen_case(case)
    with Store(tmp_path) as store:
        record = store.load_case(case)
    assert (record.snapshot, record.finished, len(record.transcript)) == (snapshot(2), False, 2)


def test_latest_unfinished_skips_finished_and_empty_cases(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.latest_unfinished() is None
        old = store.create_case("old")
        store.save_turn(old, snapshot(1), "a", [])
        done = store.create_case("done")
        store.save_turn(done, snapshot(2), "b", [])
        store.finish_case(done)
        store.create_case("empty")  # started but nothing said: nothing to resume
        latest = store.latest_unfinished()
        assert latest is not None and latest.id == old
        store.reopen_case(done)
        latest = store.latest_unfinished()
        assert latest is not None and latest.id == done
        assert latest.snapshot == snapshot(2)


def test_list_rename_delete(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        a = store.create_case("a")
        b = store.create_case("b")
        store.save_turn(a, snapshot(1), "x", [])
        store.rename_case(b, "Beta Corp")
        store.record_decision(a, DecisionEntry("decline", company="Acme"))
        store.add_followups(a, [FollowUp("linkedin", "Connect", date(2025, 1, 1))])
        cases = {c.id: c for c in store.list_cases()}
        assert cases[a].turns == 1 and cases[a].decision == "decline" and cases[a].company == "Acme"
        assert cases[b].title == "Beta Corp" and cases[b].turns == 0 and cases[b].decision is None
        store.delete_case(a)
        assert [c.id for c in store.list_cases()] == [b]
        assert store.decision(a) is None
        assert store.all_followups() == []
        # the cascade really removed the rows, not just hid them
        assert store._read("SELECT count(*) FROM turns")[0][0] == 0
        with pytest.raises(KeyError):
            store.delete_case(a)
        with pytest.raises(KeyError):
            store.load_case(a)


# ---------------------------------------------------------------------- decision log and follow-ups


def test_decision_upsert_keeps_one_entry_per_case(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        case = store.create_case("Acme")
        first = store.record_decision(
            case,
            DecisionEntry(
                "ask-for-time",
                company="Acme",
                role="Data engineer",
                manager="Dana Smith",
                recruiter="Lee",
                offer_date=date(2025, 3, 1),
                channel="email",
            ),
        )
        second = store.record_decision(
            case,
            DecisionEntry(
                "decline",
                company="Acme",
                role="Data engineer",
                manager="Dana Smith",
                recruiter="Lee",
                offer_date=date(2025, 3, 1),
                decided_on=date(2025, 3, 8),
                reason="accepted another offer",
                channel="phone call",
                notified=("Dana Smith", "Lee"),
                feedback="They said the door stays open",
                notes="Dana suggested checking back in spring",
            ),
        )
        assert len(store.decisions()) == 1
        assert second.case_id == case
        assert second.recorded == first.recorded and second.updated >= first.updated
        assert second.decision == "decline" and second.notified == ("Dana Smith", "Lee")
        assert store.decision(case) == second
        with pytest.raises(ValueError):
            store.record_decision(case, DecisionEntry("ghost"))
        with pytest.raises(KeyError):
            store.record_decision(case + 5, DecisionEntry("decline"))


def test_decisions_latest_first(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        ids = [store.create_case(str(i)) for i in range(3)]
        store.record_decision(ids[0], DecisionEntry("decline", decided_on=date(2025, 1, 1)))
        store.record_decision(ids[1], DecisionEntry("accept"))
        store.record_decision(ids[2], DecisionEntry("decline", decided_on=date(2025, 6, 1)))
        assert [d.case_id for d in store.decisions()] == [ids[2], ids[0], ids[1]]


def test_followups_due_done_and_re_derived(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        case = store.create_case("Acme")
        items = [
            FollowUp("after-call-email", "Email Dana", date(2025, 3, 8)),
            FollowUp("thank-you", "Thank Ana", date(2025, 3, 15), person="Ana"),
            FollowUp("thank-you", "Thank Bo", date(2025, 3, 15), person="Bo"),
            FollowUp("reconnect", "Reconnect", date(2025, 9, 8), until=date(2026, 3, 8)),
        ]
        stored = store.add_followups(case, items)
        assert len(stored) == 4 and all(f.id is not None and f.case_id == case for f in stored)
        assert store.count_due(date(2025, 3, 7)) == 0
        assert [f.title for f in store.due_followups(date(2025, 3, 15))] == [
            "Email Dana",
            "Thank Ana",
            "Thank Bo",
        ]
        first = stored[0]
        assert first.id is not None
        done = store.mark_done(first.id, date(2025, 3, 8))
        assert done.done and done.done_on == date(2025, 3, 8)
        assert store.count_due(date(2025, 3, 15)) == 2
        # Recording the decision again must neither duplicate nor undo what was done.
        store.add_followups(case, items)
        assert len(store.all_followups()) == 4
        assert store.count_due(date(2025, 3, 15)) == 2
        # The decision changed: pending follow-ups no longer owed go; done ones stay.
        store.add_followups(case, items[:1], replace_pending=True)
        remaining = store.all_followups(case_id=case)
        assert [(f.kind, f.done) for f in remaining] == [("after-call-email", True)]
        store.mark_done(first.id, done=False)
        assert store.count_due(date(2025, 3, 8)) == 1
        with pytest.raises(KeyError):
            store.mark_done(9999)


# ---------------------------------------------------------------------- migrations

V1_SQL = """
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    snapshot TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE turns (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    user_text TEXT,
    events TEXT NOT NULL DEFAULT '[]',
    UNIQUE (case_id, seq)
);
PRAGMA user_version = 1;
"""


def make_v1_file(home: Path) -> None:
    """A data file exactly as version 1 of decline-coach left it (journal mode DELETE)."""
    home.mkdir(parents=True, exist_ok=True)
    conn = raw(home / DB_NAME)
    conn.executescript(V1_SQL)
    conn.execute(
        "INSERT INTO cases (id, title, created, updated, finished, snapshot)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            7,
            "Offer from Initech",
            "2024-05-01T10:00:00+00:00",
            "2024-05-01T10:05:00+00:00",
            0,
            json.dumps(snapshot(2)),
        ),
    )
    for seq in (1, 2):
        conn.execute(
            "INSERT INTO turns (case_id, seq, at, user_text, events) VALUES (7, ?, ?, ?, ?)",
            (seq, f"2024-05-01T10:0{seq}:00+00:00", f"said {seq}", json.dumps([{"event": "say"}])),
        )
    conn.commit()
    conn.close()


def test_a_version_1_file_is_upgraded_in_place_and_keeps_its_data(tmp_path: Path) -> None:
    make_v1_file(tmp_path)
    with Store(tmp_path) as store:
        assert store.problem is None
        assert store.schema_version() == SCHEMA_VERSION > 1
        record = store.load_case(7)
        assert record.title == "Offer from Initech"
        assert record.snapshot == snapshot(2)
        assert [t.user_text for t in record.transcript] == ["said 1", "said 2"]
        resumed = store.latest_unfinished()
        assert resumed is not None and resumed.id == 7
        # the new tables work on the upgraded file
        store.record_decision(7, DecisionEntry("decline", company="Initech"))
        store.add_followups(7, [FollowUp("linkedin", "Connect", date(2024, 5, 8))])
        assert store.save_turn(7, snapshot(3), "back again", []) == 3
        assert store.integrity_check() == ["ok"]
    assert not list(tmp_path.glob("*.corrupt-*")), "an old file is upgraded, never moved aside"
    conn = raw(tmp_path / DB_NAME)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_a_newer_version_is_refused_and_left_alone(tmp_path: Path) -> None:
    Store(tmp_path).close()
    conn = raw(tmp_path / DB_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    before = (tmp_path / DB_NAME).read_bytes()
    with pytest.raises(StoreProblem, match="newer version"):
        Store(tmp_path)
    assert (tmp_path / DB_NAME).read_bytes() == before
    assert not list(tmp_path.glob("*.corrupt-*"))


# ---------------------------------------------------------------------- damaged files


def test_a_file_that_is_not_a_database_is_moved_aside_with_a_message(tmp_path: Path) -> None:
    garbage = b"this is not a database, it is a shopping list\n" * 200
    (tmp_path / DB_NAME).write_bytes(garbage)
    with Store(tmp_path) as store:
        assert store.problem is not None
        moved = store.problem.moved_to
        assert moved is not None and moved.name.startswith(DB_NAME + ".corrupt-")
        assert "could not be read" in str(store.problem) and str(moved) in str(store.problem)
        assert moved.read_bytes() == garbage  # kept intact, never overwritten
        case = store.create_case("fresh start")
        store.save_turn(case, snapshot(1), "hi", [])
        assert store.integrity_check() == ["ok"]


def test_a_damaged_database_is_moved_aside(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        for i in range(30):
            case = store.create_case(f"case {i}")
            store.save_turn(case, snapshot(20), "x" * 500, [])
    path = tmp_path / DB_NAME
    data = bytearray(path.read_bytes())
    page = raw(path).execute("PRAGMA page_size").fetchone()[0]
    assert len(data) > page * 4
    for offset in range(page * 2, page * 4):  # scribble over interior pages
        data[offset] = 0x5A
    path.write_bytes(bytes(data))
    with Store(tmp_path) as store:
        assert store.problem is not None and store.problem.moved_to is not None
        assert store.problem.moved_to.read_bytes() == bytes(data)
        assert store.list_cases() == []
    assert len(list(tmp_path.glob(DB_NAME + ".corrupt-*"))) == 1


def test_forget_deletes_every_stored_file_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"junk" * 100)
    store = Store(tmp_path)  # moves the junk aside: that copy is stored data too
    store.create_case("x")
    store.close()
    (tmp_path / "notes.txt").write_text("mine")
    assert len(stored_files(tmp_path)) >= 2
    removed = forget(tmp_path)
    assert {p.name for p in removed} >= {DB_NAME}
    assert stored_files(tmp_path) == []
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ---------------------------------------------------------------------- crashes and concurrency

WRITER = textwrap.dedent(
    """
    import sys
    from bot.store import Store
    home, label, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = Store(home)
    case = store.create_case(label) if label != "shared" else 1
    start = sys.argv[4] if len(sys.argv) > 4 else None
    if start:
        import os, time
        while not os.path.exists(start):
            time.sleep(0.001)
    n = 0
    while count < 0 or n < count:
        n += 1
        snap = {"state": "s%d" % n, "slots": {"n": n, "who": label},
                "history": [], "transcript": []}
        seq = store.save_turn(case, snap, "%s %d" % (label, n), [{"event": "say", "text": "ok"}])
        print(case, n, seq, flush=True)
    """
)


def run_writer(
    home: Path, label: str, count: int, start: Path | None = None
) -> subprocess.Popen[str]:
    args = [sys.executable, "-c", WRITER, str(home), label, str(count)]
    if start is not None:
        args.append(str(start))
    return subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=REPO)


@pytest.mark.parametrize("stop_after", [1, 17, 60])
def test_kill_9_mid_conversation_loses_at_most_the_turn_in_flight(
    tmp_path: Path, stop_after: int
) -> None:
    proc = run_writer(tmp_path, "crash", -1)  # writes turns until killed
    assert proc.stdout is not None
    last = 0
    case = 0
    for line in proc.stdout:
        case, last, _seq = map(int, line.split())
        if last >= stop_after:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Nothing closed the file cleanly: the -wal is still there holding the last turns.
    assert (tmp_path / (DB_NAME + "-wal")).exists()
    with Store(tmp_path) as store:
        assert store.problem is None
        assert store.integrity_check() == ["ok"]
        record = store.load_case(case)
        turns = len(record.transcript)
        # Every turn reported as committed survived; at most the one in flight is missing,
        # and the snapshot is exactly the one of the last committed turn.
        assert turns >= last
        assert record.snapshot["slots"] == {"n": turns, "who": "crash"}
        assert record.snapshot["state"] == f"s{turns}"
        assert [t.seq for t in record.transcript] == list(range(1, turns + 1))
        resumed = store.latest_unfinished()
        assert resumed is not None and resumed.id == case


def test_concurrent_processes_on_one_file(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        assert store.create_case("shared") == 1
    go = tmp_path / "go"
    per_process = 40
    procs = [run_writer(tmp_path, f"w{i}", per_process, go) for i in range(3)]
    procs += [run_writer(tmp_path, "shared", per_process, go) for _ in range(2)]
    time.sleep(0.3)  # let every process open the file before they all start at once
    go.touch()
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs)
    assert all(len(out.splitlines()) == per_process for out in outputs)
    with Store(tmp_path) as store:
        assert store.integrity_check() == ["ok"]
        cases = {c.title: c for c in store.list_cases()}
        for i in range(3):
            assert cases[f"w{i}"].turns == per_process
        shared = store.load_case(1)
        assert [t.seq for t in shared.transcript] == list(range(1, 2 * per_process + 1))
        assert sum(t.user_text is not None for t in shared.transcript) == 2 * per_process


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    make_v1_file(tmp_path)
    procs = [run_writer(tmp_path, f"m{i}", 5) for i in range(4)]
    for p in procs:
        p.communicate(timeout=120)
    assert [p.returncode for p in procs] == [0] * 4
    with Store(tmp_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.integrity_check() == ["ok"]
        assert len(store.list_cases()) == 5


def test_threads_sharing_one_store(tmp_path: Path) -> None:
    store = Store(tmp_path)
    cases = [store.create_case(f"t{i}") for i in range(4)]
    errors: list[BaseException] = []

    def work(case: int) -> None:
        try:
            for n in range(1, 26):
                store.save_turn(case, snapshot(n), str(n), [])
                store.load_case(case)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(c,)) for c in cases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(store.load_case(c).snapshot == snapshot(25) for c in cases)
    assert store.integrity_check() == ["ok"]
    store.close()


def test_record_outcome_logs_the_slots_and_rederives_follow_ups(tmp_path: Path) -> None:
    slots = {
        "company": "Acme",
        "manager": "Dana Smith",
        "interviewers": "Ana and Bo",
        "decision": "decline",
        "channel": "call-then-email",
        "offer_date": "2025-03-01",
        "reason": "fit",
    }
    with Store(tmp_path) as store:
        case = store.create_case("Acme")
        entry, items = store.record_outcome(case, slots, date(2025, 3, 10), notified=["Dana Smith"])
        assert entry.offer_date == date(2025, 3, 1) and entry.channel == "call-then-email"
        assert entry.notified == ("Dana Smith",) and entry.reason == "fit"
        assert sorted(f.person for f in items if f.kind == "thank-you") == ["Ana", "Bo"]
        assert "after-call-email" in [f.kind for f in items]
        email = next(f for f in items if f.kind == "after-call-email")
        assert email.id is not None
        store.mark_done(email.id, date(2025, 3, 10))
        # Changed their mind: accepting owes none of the decline follow-ups; done ones stay.
        entry, items = store.record_outcome(
            case, {**slots, "decision": "accept"}, date(2025, 3, 11)
        )
        assert entry.decision == "accept" and len(store.decisions()) == 1
        assert [(f.kind, f.done) for f in items] == [("after-call-email", True)]
