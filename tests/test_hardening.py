"""Nothing lost without a word, one writer per case, files no one else can read (issue 17).

Saving that fails (a full disk) is shown at once, retried and reported at the next start;
a case open twice is never overwritten; `forget` is noticed by a running chat; every file the
coach writes is 0600 and never written through a link; read-only commands change nothing.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from bot.content import Content
from bot.conversation import Conversation
from bot.events import Notice
from bot.safefile import LinkRefused, write_private, written_files
from bot.store import CaseChanged, Store, forget
from tests.conftest import TODAY, run_cli

OPENING = ["I got an offer from Northwind and I want to decline it", "Senior Data Analyst", "Dana Rivera"]


def _notices(events: Sequence[object], level: str | None = None) -> list[str]:
    return [e.text for e in events if isinstance(e, Notice) and (level is None or e.level == level)]


def _open(content: Content, home: Path, **kwargs: object) -> Conversation:
    return Conversation.open(content, data_dir=str(home), today=TODAY, **kwargs)  # type: ignore[arg-type]


def _turns(home: Path) -> int:
    with sqlite3.connect(home / "coach.db") as db:
        return int(db.execute("SELECT count(*) FROM turns").fetchone()[0])


# ---------------------------------------------------------------------- a full disk


@contextlib.contextmanager
def _full_after(conv: Conversation, pages: int | None) -> Iterator[None]:
    """The store's file may grow no more (SQLite's own limit: its writes really fail with
    SQLITE_FULL, as on a full disk), or grow again (pages=None: space was freed)."""
    assert conv.store is not None
    conn = conv.store._conn
    if pages is None:
        conn.execute("PRAGMA max_page_count = 1073741823")
    else:
        size = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {size + pages}")
    yield


def test_a_failed_save_is_shown_at_once_retried_and_never_called_saved(content: Content, tmp_path: Path) -> None:
    home = tmp_path / "data"
    conv = _open(content, home)
    conv.opening()
    assert not _notices(conv.send(OPENING[0]), "error")
    saved = _turns(home)
    with _full_after(conv, 0):
        # A long answer needs new pages, and there are none.
        events = conv.send(OPENING[1] + ". " + "It was a hard choice. " * 1000)
        (notice,) = _notices(events, "error")
        assert notice.startswith("Not saved: the disk is full") and "1 turn" in notice and "retry" in notice
        events = conv.send("it's my second offer this month")
        assert "2 turns" in _notices(events, "error")[0]
        # 'retry' while the disk is still full: not saved, and said so again.
        again = conv.send("retry")
        assert "Not saved" in _notices(again, "error")[0]
        assert _turns(home) == saved
    with _full_after(conv, None):  # space freed
        done = conv.send("retry")
        assert _notices(done) and "Saved" in _notices(done)[0] and not _notices(done, "error")
    assert _turns(home) == saved + 2
    after = conv.send("What should I say first?")
    assert not _notices(after, "error")
    assert _turns(home) == saved + 3
    conv.close()


def test_turns_lost_when_quitting_on_a_full_disk_are_reported_at_the_next_start(
    content: Content, tmp_path: Path
) -> None:
    home = tmp_path / "data"
    conv = _open(content, home)
    conv.opening()
    conv.send(OPENING[0])
    with _full_after(conv, 0):
        conv.send(OPENING[1] + ". " + "It was a hard choice. " * 1000)
        conv.send("we spoke on Tuesday")
        conv.close()  # quits with two turns unsaved
    later = _open(content, home)
    warnings = _notices(later.opening(), "warning")
    assert any("2 turns could not be saved" in w and "Senior Data Analyst" in w for w in warnings), warnings
    later.close()
    # Said once: the start after that is quiet about it.
    third = _open(content, home)
    assert not any("could not be saved" in w for w in _notices(third.opening()))
    third.close()


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir()
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return result.returncode == 0


def test_a_real_full_disk_in_plain_mode(tmp_path: Path) -> None:
    """On a 200 KB filesystem: every unsaved turn is said at once, exit 0, reported next start."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "200k"):
        pytest.skip("mounting a small tmpfs needs root (and mount); the SQLite-limit tests above cover it")
    try:
        home = disk / "home"
        lines = [OPENING[0]] + [f"note {i}: " + "words " * 300 for i in range(60)] + ["quit"]
        result = run_cli("chat", "--plain", stdin="\n".join(lines) + "\n", home=home)
        assert result.returncode == 0 and "Traceback" not in result.stderr
        out = result.stdout
        failed = out.count("Not saved: the disk is full")
        assert failed >= 10, out[-2000:]
        # Each failure is shown right after the turn that failed, before the next prompt.
        first = out.index("Not saved")
        assert "\n> note" in out[first:]
        nxt = run_cli("chat", "--plain", stdin="", home=home)
        assert "could not be saved" in nxt.stdout, nxt.stdout[:2000]
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


# ---------------------------------------------------------------------- two instances


def test_a_case_open_elsewhere_is_continued_as_a_copy(content: Content, tmp_path: Path) -> None:
    home = tmp_path / "data"
    first = _open(content, home)
    first.opening()
    for line in OPENING:
        first.send(line)
    case = first.case_id
    assert first.session.slots.get("manager")
    assert case is not None
    slots = dict(first.session.slots)
    second = _open(content, home, case_id=case)
    warnings = _notices(second.opening(), "warning")
    assert any(f"Case {case} is open in another" in w for w in warnings), warnings
    second.send("hello there")
    second.send("actually the manager is someone else entirely")
    assert second.case_id not in (None, case)
    first.send("we spoke on the phone yesterday")
    store = Store(home)
    kept = store.load_case(case).snapshot["slots"]
    assert kept["company"] == slots["company"] and kept["manager"] == slots["manager"]
    store.close()
    first.close()
    second.close()
    # Once the first has closed, the case opens normally again.
    third = _open(content, home, case_id=case)
    assert not any("open in another" in w for w in _notices(third.opening()))
    assert third.case_id == case
    third.close()


def test_case_updates_are_compare_and_set(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    case = store.create_case("x")
    stamp = store.case_stamp(case)
    store.save_turn(case, {"slots": {"manager": "Dana"}}, "one", [], expect_updated=stamp)
    with pytest.raises(CaseChanged):
        store.save_turn(case, {"slots": {"manager": "hello there"}}, "two", [], expect_updated=stamp)
    assert store.load_case(case).snapshot == {"slots": {"manager": "Dana"}}
    store.close()


def test_a_case_changed_or_deleted_elsewhere_is_not_overwritten(content: Content, tmp_path: Path) -> None:
    home = tmp_path / "data"
    conv = _open(content, home)
    conv.opening()
    conv.send(OPENING[0])
    case = conv.case_id
    assert case is not None
    other = Store(home)
    other.save_turn(case, {"slots": {"company": "Written elsewhere"}}, "elsewhere", [])
    events = conv.send(OPENING[1])
    assert any(f"Case {case} was changed" in w for w in _notices(events, "warning"))
    assert other.load_case(case).snapshot == {"slots": {"company": "Written elsewhere"}}
    assert conv.case_id not in (None, case)
    other.delete_case(conv.case_id)  # deleted elsewhere: a new copy, no crash
    events = conv.send("we spoke on Tuesday")
    assert conv.case_id is not None and not _notices(events, "error")
    other.close()
    conv.close()


# ---------------------------------------------------------------------- forget


def test_a_running_chat_notices_that_its_data_was_forgotten(content: Content, tmp_path: Path) -> None:
    home = tmp_path / "data"
    conv = _open(content, home)
    conv.opening()
    conv.send(OPENING[0])
    forget(home)
    events = conv.send(OPENING[1])
    assert any("deleted" in w and "forget" in w for w in _notices(events, "warning"))
    conv.send("we spoke on Tuesday")
    conv.close()
    assert not (home / "coach.db").exists()


def test_forget_lists_and_offers_to_delete_what_the_coach_wrote(tmp_path: Path) -> None:
    home = tmp_path / "data"
    transcript = tmp_path / "talk.md"
    run_cli("chat", "--plain", "--transcript", str(transcript), stdin=OPENING[0] + "\n", home=home)
    ics = tmp_path / "due.ics"
    log = tmp_path / "log.csv"
    assert run_cli("followups", "export", "--ics", str(ics), "--all", home=home).returncode == 0
    assert run_cli("log", "export", "--format", "csv", "-o", str(log), home=home).returncode == 0
    assert set(written_files(home)) == {transcript, ics, log}
    kept = run_cli("forget", "--yes", home=home)
    assert kept.returncode == 0
    for path in (transcript, ics, log):
        assert str(path) in kept.stdout and path.exists()
    assert "--exports" in kept.stdout
    gone = run_cli("forget", "--yes", "--exports", home=home)
    assert gone.returncode == 0 and not transcript.exists() and not ics.exists() and not log.exists()


# ---------------------------------------------------------------------- files 0600, never through a link


def test_write_private_is_0600_remodes_and_refuses_links(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    target.write_text("old")
    target.chmod(0o644)
    write_private(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600
    secret = tmp_path / "elsewhere"
    secret.write_text("keep me")
    link = tmp_path / "link.md"
    link.symlink_to(secret)
    with pytest.raises(LinkRefused) as err:
        write_private(link, "overwritten?")
    assert "symbolic link" in str(err.value) and str(link) in str(err.value)
    assert secret.read_text() == "keep me"
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "would-be-created")
    with pytest.raises(LinkRefused):
        write_private(dangling, "x")
    assert not (tmp_path / "would-be-created").exists()


@pytest.mark.parametrize(
    "command",
    [
        ("chat", "--plain", "--no-save", "--transcript", "{target}"),
        ("log", "export", "--format", "md", "-o", "{target}"),
        ("followups", "export", "--ics", "{target}"),
    ],
    ids=["transcript", "log-export", "ics"],
)
def test_commands_write_0600_and_never_through_a_link(tmp_path: Path, command: tuple[str, ...]) -> None:
    home = tmp_path / "data"
    run_cli("chat", "--plain", stdin=OPENING[0] + "\n", home=home)
    target = tmp_path / f"out-{uuid.uuid4().hex}"
    target.write_text("old")
    target.chmod(0o644)
    args = [a.replace("{target}", str(target)) for a in command]
    result = run_cli(*args, stdin="hello\n", home=home)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.read_text() != "old"
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / f"link-{uuid.uuid4().hex}"
    link.symlink_to(victim)
    args = [a.replace("{target}", str(link)) for a in command]
    refused = run_cli(*args, stdin="hello\n", home=home)
    assert refused.returncode == 1 and "symbolic link" in refused.stderr and "Traceback" not in refused.stderr
    assert victim.read_text() == "precious"


def test_a_linked_database_is_not_followed(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.mkdir(mode=0o700)
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"")
    (home / "coach.db").symlink_to(victim)
    result = run_cli("chat", "--plain", stdin=OPENING[0] + "\n", home=home)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "symbolic link" in result.stdout
    assert victim.read_bytes() == b""


# ---------------------------------------------------------------------- read-only commands


def _saved_case(home: Path) -> None:
    result = run_cli("chat", "--plain", stdin="\n".join(OPENING) + "\n", home=home)
    assert result.returncode == 0, result.stderr


def test_a_read_only_command_never_moves_a_damaged_file(tmp_path: Path) -> None:
    home = tmp_path / "data"
    _saved_case(home)
    db = home / "coach.db"
    data = bytearray(db.read_bytes())
    data[200:4000] = os.urandom(3800)  # the schema page: not a database any more
    db.write_bytes(bytes(data))
    before = sorted(os.listdir(home))
    for args in (("cases",), ("cases", "show", "1"), ("log",), ("followups",)):
        result = run_cli(*args, home=home)
        assert "Traceback" not in result.stderr
        assert sorted(os.listdir(home)) == before, args
        assert db.read_bytes() == bytes(data)
    assert "Nothing was moved" in run_cli("cases", home=home).stderr
    # Going on to write moves it aside, and says where.
    chat = run_cli("chat", "--plain", stdin="hello\n", home=home)
    assert "moved to" in chat.stdout and any(".corrupt-" in n for n in os.listdir(home))


def test_read_only_commands_read_a_read_only_disk(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "2m"):
        pytest.skip("mounting a tmpfs needs root (and mount)")
    try:
        home = disk / "home"
        _saved_case(home)
        assert subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True).returncode == 0
        listed = run_cli("cases", home=home)
        assert listed.returncode == 0 and "Northwind" in listed.stdout, listed.stderr
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_data_dir_that_is_a_file_is_said(tmp_path: Path) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("")
    result = run_cli("cases", home=home)
    assert result.returncode == 1 and "not a folder" in result.stderr
    assert "No saved cases" not in result.stdout


def test_an_empty_database_is_said(tmp_path: Path) -> None:
    home = tmp_path / "data"
    home.mkdir(mode=0o700)
    (home / "coach.db").write_bytes(b"")
    listed = run_cli("cases", home=home)
    assert "empty" in listed.stderr and listed.returncode == 0
    chat = run_cli("chat", "--plain", stdin="hello\n", home=home)
    assert "was empty (0 bytes)" in chat.stdout


# ---------------------------------------------------------------------- undecodable input


def test_invalid_utf8_on_stdin_is_replaced_not_raised(tmp_path: Path) -> None:
    import sys

    from tests.conftest import ROOT

    home = tmp_path / "data"
    raw = b"I got an offer from Acme \xff\xfe\xc3 and want to decline\n\x80\x81 hello \xed\xa0\x80\nbye \xf0\x9f\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--plain"],
        input=raw,
        capture_output=True,
        env={**os.environ, "DECLINE_COACH_HOME": str(home), "LC_ALL": "C", "PYTHONIOENCODING": ""},
        cwd=ROOT,
        timeout=180,
    )
    err = result.stderr.decode(errors="replace")
    assert result.returncode == 0 and "Traceback" not in err, err
    assert _turns(home) == 3
    with sqlite3.connect(home / "coach.db") as db:
        texts = [r[0] for r in db.execute("SELECT user_text FROM turns ORDER BY seq")]
    assert "\ufffd" in texts[0] and "Acme" in texts[0]


def test_the_app_drivers_replace_undecodable_bytes() -> None:
    import codecs

    from bot.tui.driver_fixes import tolerate_undecodable

    tolerate_undecodable()
    from textual.drivers import linux_driver

    decode = linux_driver.getincrementaldecoder("utf-8")().decode
    assert decode(b"a\xffb") == "a\ufffdb"
    assert codecs.getincrementaldecoder("utf-8")().errors == "strict"  # nothing else changed


def test_rehearse_names_lose_their_escapes(tmp_path: Path) -> None:
    result = run_cli(
        "rehearse", "--company", "Ac\x1b[31mme\x1b]0;pwned\x07", "--manager", "Da\x1b[2Jna", "--name", "B\x07o",
        stdin="", home=tmp_path / "data",
    )
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------- the app


async def test_the_app_shows_a_failed_save_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from textual import events

    from bot.tui import CoachApp
    from bot.tui.engine import EngineOptions
    from bot.tui.widgets.composer import ChatInput
    from tests.tui_support import say, settle

    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "disabled")
    home = tmp_path / "data"
    app = CoachApp(EngineOptions(data_dir=str(home), new=True, today=TODAY, seed=0), typing_delay=0, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await say(pilot, "I got an offer from Acme")
        store = app.engine.conversation.store
        assert store is not None
        size = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {size}")  # the file may grow no more
        field = app.screen.query_one(ChatInput)
        field.post_message(events.Paste("Senior Data Analyst, and a long story " * 150))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert any(m.startswith("Not saved: the disk is full") for m in errors), errors
        store._conn.execute("PRAGMA max_page_count = 1073741823")  # space freed
        await say(pilot, "retry")
        assert any(str(n.message).startswith("Saved") for n in app._notifications)
        assert app.is_running
    assert _turns(home) == 2
