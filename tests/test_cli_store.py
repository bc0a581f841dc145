"""The store's commands, run for real: cases, log, followups, forget, --data-dir."""

from __future__ import annotations

import csv
import io
import json
import os
import queue
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest

from bot.store import DB_NAME, SCHEMA_VERSION, DecisionEntry, Store

REPO = Path(__file__).resolve().parents[1]


def run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DECLINE_COACH_TODAY"}
    env["DECLINE_COACH_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout


def seed(home: Path) -> tuple[int, int]:
    """Two cases: an Acme decline with follow-ups, and an open conversation."""
    with Store(home) as store:
        acme = store.create_case("Acme - Data engineer")
        store.save_turn(
            acme,
            {"state": "ask", "slots": {"company": "Acme, Inc."}},
            "hello",
            [{"event": "say", "text": "Hi, which offer is this about?", "speaker": "coach"}],
        )
        store.record_outcome(
            acme,
            {
                "company": "Acme, Inc.",
                "role": "Data engineer",
                "manager": "Dana Smith",
                "recruiter": "Lee",
                "interviewers": ["Ana", "Bo"],
                "decision": "decline",
                "reason": "another-offer",
                "channel": "phone",
                "offer_date": "2025-03-01",
            },
            date(2025, 3, 10),
            notified=["Dana Smith", "Lee"],
            notes='Said "maybe next year"\nfriendly',
        )
        other = store.create_case("Initech")
        store.save_turn(other, {"state": "start", "slots": {}}, "hi", [])
    return acme, other


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_read_only_commands_on_a_fresh_machine_create_nothing(home: Path) -> None:
    assert "empty" in ok(run(home, "log"))
    assert "No saved cases" in ok(run(home, "cases"))
    assert "No follow-ups" in ok(run(home, "followups"))
    assert json.loads(ok(run(home, "log", "--json"))) == {"decisions": []}
    assert not home.exists()


def test_log_list_show_and_export(home: Path, tmp_path: Path) -> None:
    acme, _ = seed(home)
    listing = ok(run(home, "log"))
    assert "Acme, Inc." in listing and "decline" in listing and "2025-03-10" in listing
    shown = ok(run(home, "log", "show", str(acme)))
    for words in ("Dana Smith", "Lee", "2025-03-01", "another-offer", "phone", "maybe next year"):
        assert words in shown
    assert json.loads(ok(run(home, "log", "show", str(acme), "--json")))["notified"] == [
        "Dana Smith",
        "Lee",
    ]
    missing = run(home, "log", "show", "99")
    assert missing.returncode == 1 and "no log entry 99" in missing.stderr

    rows = list(csv.DictReader(io.StringIO(ok(run(home, "log", "export", "--format", "csv")))))
    assert len(rows) == 1
    assert (
        rows[0]["company"] == "Acme, Inc."
        and rows[0]["notes"] == 'Said "maybe next year"\nfriendly'
    )
    assert rows[0]["notified"] == "Dana Smith; Lee" and rows[0]["id"] == str(acme)

    data = json.loads(ok(run(home, "log", "export", "--format", "json")))
    (entry,) = data["decisions"]
    assert entry["decided_on"] == "2025-03-10" and entry["offer_date"] == "2025-03-01"

    md = ok(run(home, "log", "export", "--format", "md"))
    table_rows = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table_rows) == 3  # header, rule, one entry
    assert table_rows[2].count(" | ") == table_rows[0].count(" | ")  # notes' newline flattened

    out = tmp_path / "log.csv"
    assert "Wrote 1 log entry" in ok(run(home, "log", "export", "--output", str(out)))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("id,company,role")


def test_data_dir_before_or_after_the_command_wins_over_the_environment(
    home: Path, tmp_path: Path
) -> None:
    other = tmp_path / "elsewhere"
    seed(other)
    assert "empty" in ok(run(home, "log"))
    assert "Acme" in ok(run(home, "--data-dir", str(other), "log"))
    assert "Acme" in ok(run(home, "log", "--data-dir", str(other)))
    assert "Acme" in ok(run(home, "log", "export", "--format", "md", "--data-dir", str(other)))
    assert "Acme" in ok(run(home, "cases", "--data-dir", str(other)))
    assert "Initech" in ok(run(home, "cases", "show", "2", "--data-dir", str(other)))
    assert "follow-up" in ok(
        run(home, "followups", "--data-dir", str(other), "--today", "2025-03-10")
    )
    assert not home.exists()


def test_followups_list_done_and_ics(home: Path, tmp_path: Path) -> None:
    seed(home)
    listing = ok(run(home, "followups", "--today", "2025-03-10"))
    assert listing.splitlines()[0] == "1 follow-up due"
    assert "Send Dana Smith a short email" in listing
    assert "Send Ana a thank-you note" in listing and "2025-09-10 to 2026-03-10" in listing
    data = json.loads(ok(run(home, "followups", "--today", "2025-03-17", "--json")))
    assert len(data["due"]) == 5 - 1  # everything but the reconnect window
    first = data["due"][0]["id"]
    assert "Done:" in ok(run(home, "followups", "done", str(first)))
    data = json.loads(ok(run(home, "followups", "--today", "2025-03-17", "--json")))
    assert first not in [f["id"] for f in data["due"]] and data["done"] == []
    data = json.loads(ok(run(home, "followups", "--today", "2025-03-17", "--json", "--all")))
    assert [f["id"] for f in data["done"]] == [first]
    bad = run(home, "followups", "done", "999")
    assert bad.returncode == 1 and "no follow-up 999" in bad.stderr

    ics = tmp_path / "followups.ics"
    assert "Wrote 4 follow-ups" in ok(run(home, "followups", "export", "--ics", str(ics)))
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600
    text = ics.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert text.count("BEGIN:VEVENT") == 4
    assert "DTSTART;VALUE=DATE:20250317" in text


def test_cases_show_rename_reopen_delete(home: Path) -> None:
    acme, other = seed(home)
    listing = ok(run(home, "cases"))
    assert "Acme - Data engineer" in listing and "Initech" in listing
    shown = ok(run(home, "cases", "show", str(acme)))
    assert "you: hello" in shown and "coach: Hi, which offer" in shown and "decline" in shown

    assert "Renamed" in ok(run(home, "cases", "rename", str(other), "Initech - Analyst"))
    with Store(home) as store:
        store.finish_case(other)
    assert "open again" in ok(run(home, "cases", "reopen", str(other)))
    with Store(home) as store:
        assert not store.load_case(other).finished
        assert store.load_case(other).title == "Initech - Analyst"

    refused = run(home, "cases", "delete", str(acme))  # stdin is not a terminal, no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "Acme" in ok(run(home, "cases"))
    assert "Deleted case" in ok(run(home, "cases", "delete", str(acme), "--yes"))
    assert "Acme" not in ok(run(home, "cases"))
    assert "empty" in ok(run(home, "log"))  # its log entry and follow-ups went with it
    gone = run(home, "cases", "delete", str(acme), "--yes")
    assert gone.returncode == 1 and f"no case {acme}" in gone.stderr


def test_forget_asks_then_deletes_everything(home: Path) -> None:
    seed(home)
    (home / "coach.db.corrupt-20250101T000000Z").write_bytes(b"old damaged copy")
    refused = run(home, "forget", stdin="yes\n")  # piped "yes" is not a person at a terminal
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert (home / DB_NAME).exists()
    done = ok(run(home, "forget", "--yes"))
    assert "Deleted" in done
    assert not home.exists() or not any(home.iterdir())
    assert "Nothing stored" in ok(run(home, "forget", "--yes"))


def test_a_corrupt_file_is_reported_and_moved_aside(home: Path) -> None:
    home.mkdir(mode=0o700)
    junk = b"SQLite format 2\x00 but not really" * 64
    (home / DB_NAME).write_bytes(junk)
    # A read-only command reports it and moves nothing (issue 17: it used to hide every case).
    result = run(home, "cases")
    assert result.returncode == 1 and "cannot be read" in result.stderr
    assert "Nothing was moved" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in home.iterdir()) == [DB_NAME]
    assert (home / DB_NAME).read_bytes() == junk
    # Going on to write moves it aside, and says where.
    chat = run(home, "chat", "--plain", stdin="hello\n")
    assert "could not be read" in chat.stdout and "moved to" in chat.stdout
    (moved,) = home.glob(DB_NAME + ".corrupt-*")
    assert moved.read_bytes() == junk
    assert str(moved) in chat.stdout
    assert "New case" in ok(run(home, "cases"))  # the fresh file, with the chat just had


def test_a_file_from_a_newer_version_is_an_error_without_traceback(home: Path) -> None:
    Store(home).close()
    conn = sqlite3.connect(home / DB_NAME)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    result = run(home, "log")
    assert result.returncode == 1
    assert "newer version" in result.stderr and "Traceback" not in result.stderr


def test_log_show_lists_every_logged_field(home: Path) -> None:
    with Store(home) as store:
        case = store.create_case("x")
        store.record_decision(
            case,
            DecisionEntry(
                "negotiate",
                company="C",
                feedback="They will check the budget",
                channel="email",
            ),
        )
    shown = ok(run(home, "log", "show", str(case)))
    for label in (
        "Company",
        "Role",
        "Hiring manager",
        "Recruiter",
        "Offer date",
        "Decision",
        "Decided on",
        "Main reason",
        "Channel",
        "Notified",
        "Feedback",
        "Notes",
    ):
        assert label in shown
    assert "They will check the budget" in shown and "negotiate" in shown


def _lines(proc: subprocess.Popen[str]) -> queue.Queue[str]:
    """Read the child's stdout on a thread, so a hung child fails the test instead of hanging it."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put("\0EOF")

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _turn_output(lines: queue.Queue[str]) -> list[str]:
    """One turn of plain-mode output: its lines up to the blank line that ends it."""
    got: list[str] = []
    while True:
        line = lines.get(timeout=30)
        assert line != "\0EOF", f"chat ended early after {got}"
        if line == "" and got and not got[-1].startswith(">"):
            return got
        if line:
            got.append(line)


def test_plain_chat_resumes_after_kill_9_with_the_same_state_and_slots(home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DECLINE_COACH_TODAY"}
    env["DECLINE_COACH_HOME"] = str(home)
    chat = [sys.executable, "-m", "bot", "chat", "--plain", "--today", "2025-03-10"]
    proc = subprocess.Popen(
        chat, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO
    )
    assert proc.stdin is not None
    try:
        lines = _lines(proc)
        _turn_output(lines)  # the opening
        said = ["2", "Acme"]  # "I've decided to decline", then the company
        for text in said:
            proc.stdin.write(text + "\n")
            proc.stdin.flush()
            last = _turn_output(lines)
        with Store(home) as store:  # read while the chat is still running (WAL readers)
            before = store.latest_unfinished()
        assert before is not None, "two answers in, the case should still be open"
        # A third answer, and kill -9 at once: that turn may or may not have been committed.
        proc.stdin.write("Data engineer\n")
        proc.stdin.flush()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    with Store(home) as store:
        assert store.problem is None
        assert store.integrity_check() == ["ok"]
        after = store.latest_unfinished()
        assert after is not None and after.id == before.id
        user_lines = [t.user_text for t in after.transcript if t.user_text is not None]
        assert user_lines in (said, [*said, "Data engineer"])  # at most the turn in flight lost
        if user_lines == said:
            assert after.snapshot == before.snapshot
            expected_prompt = last[-1]
        else:
            expected_prompt = ""

    resumed = run(home, *chat[3:], stdin="")  # start again, say nothing, leave (EOF)
    out = ok(resumed)
    assert expected_prompt in out  # it asks again where the conversation stood
    with Store(home) as store:
        assert [c.id for c in store.list_cases()] == [after.id]  # resumed, not a new case
        again = store.load_case(after.id)
        assert again.snapshot["state"] == after.snapshot["state"]
        assert again.snapshot["slots"] == after.snapshot["slots"]
