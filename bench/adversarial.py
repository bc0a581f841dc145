"""The adversarial suite: the coach attacked as a hostile user, an unlucky one, and another program.

`python -m bench.adversarial` runs every family and prints the README's "Reliability" table:
for each family, how many runs, how many ended in a traceback, how many turns were lost
without a word (typed, not saved, and never reported as unsaved), and how many other
breaches there were (code run from a planted file, a request let in without the token, a
file written through a link, data moved by a read-only command, a committed case
overwritten). `--quick` runs a few of each (what `tests/test_adversarial.py` runs).

Every run uses the real command in a subprocess (or the real objects in-process), its own
temporary data folder, and a fixed seed, so the table is the same on every run.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import random
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-21"

HOSTILE = [
    "\x00\x01\x02 nul and controls \x7f",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;aGk=\x07 \x9b2J",
    "[@click=app.quit] [bold]bold[/bold] [/foo] [link=https://x]x[/link]",
    "{{ 7*7 }} {% for i in range(10**9) %}x{% endfor %} {{ ''.__class__.__mro__ }}",
    "'; DROP TABLE cases; -- \" OR 1=1",
    "\u202eevil\u202c \u200b\u200d zero width",
    "e\u0301\u0301\u0301 Z\u0336a\u0336l\u0336g\u0336o\u0336 " * 40,
    "back",
    "restart",
    "retry",
    "quit now? no. ",
    "decline " * 20_000,
]
START = "I got an offer from Northwind and I want to decline it"


@dataclass
class Family:
    name: str
    runs: int = 0
    tracebacks: int = 0
    lost: int = 0
    breaches: int = 0
    notes: list[str] = field(default_factory=list)

    def row(self) -> str:
        return f"| {self.name} | {self.runs} | {self.tracebacks} | {self.lost} | {self.breaches} |"


def _env(home: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "DECLINE_COACH_HOME": str(home), "DECLINE_COACH_TODAY": TODAY, **extra}


def _cli(
    home: Path, *args: str, stdin: bytes = b"", timeout: float = 300, **env: str
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        env=_env(home, **env),
        cwd=ROOT,
        timeout=timeout,
    )


def _traceback(result: subprocess.CompletedProcess[bytes]) -> bool:
    return b"Traceback" in result.stdout + result.stderr or result.returncode not in (0, 1, 2)


def _turns(home: Path) -> int:
    db = home / "coach.db"
    if not db.exists():
        return 0
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return int(conn.execute("SELECT count(*) FROM turns").fetchone()[0])


@contextlib.contextmanager
def _tmp() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dc-adv-") as d:
        yield Path(d)


# ---------------------------------------------------------------------- families


def hostile_text(fam: Family, n: int, rng: random.Random) -> None:
    """Markup, templates, escapes, controls, bidi, huge lines, commands, through plain chat."""
    for i in range(n):
        with _tmp() as d:
            lines = [START, *rng.sample(HOSTILE, k=min(len(HOSTILE), 4 + i % 5))]
            result = _cli(d, "chat", "--plain", stdin=("\n".join(lines) + "\n").encode())
            fam.runs += 1
            fam.tracebacks += _traceback(result)
            out = result.stdout.decode("utf-8", "replace")
            if "49" in out.replace("1=1", "") or "\x1b" in out:
                fam.breaches += 1
            fam.lost += max(0, _echoed(out) - _turns(d) - _unsaved(out))


def _echoed(out: str) -> int:
    """The lines the coach read (plain mode echoes each scripted line after '> ')."""
    return sum(1 for line in out.splitlines() if line.startswith(">"))


def _unsaved(out: str) -> int:
    """How many turns the last 'Not saved' notice said are only in the window."""
    import re

    counts = re.findall(r"Your last (\d+) turns? (?:is|are) only in this window", out)
    return int(counts[-1]) if counts else 0


def undecodable_bytes(fam: Family, n: int, rng: random.Random) -> None:
    """Random bytes, invalid UTF-8 and lone surrogate encodings on stdin, under a C locale."""
    for _ in range(n):
        with _tmp() as d:
            lines = [START.encode()]
            for _k in range(4):
                junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60)))
                lines.append(junk.replace(b"\n", b" ").replace(b"\r", b" "))
            lines.append(b"\xed\xa0\x80 \xff\xfe caf\xe9")
            result = _cli(d, "chat", "--plain", stdin=b"\n".join(lines) + b"\n", LC_ALL="C")
            fam.runs += 1
            fam.tracebacks += _traceback(result)
            out = result.stdout.decode("utf-8", "replace")
            fam.lost += max(0, _echoed(out) - _turns(d) - _unsaved(out))


def kill_9(fam: Family, n: int, rng: random.Random) -> None:
    """kill -9 at a random turn: every committed turn survives, the file is sound, the case resumes."""
    for _ in range(n):
        with _tmp() as d:
            lines = [START, "Senior Data Analyst", "Dana Rivera"] + [f"note {i}" for i in range(30)]
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "chat", "--plain"],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                env=_env(d), cwd=ROOT,
            )
            assert proc.stdin is not None
            target = rng.randrange(1, 8)
            seen = 0
            deadline = time.monotonic() + 120
            for index, line in enumerate(lines):
                with contextlib.suppress(BrokenPipeError):
                    proc.stdin.write((line + "\n").encode())
                    proc.stdin.flush()
                while time.monotonic() < deadline:  # until this turn is committed
                    with contextlib.suppress(sqlite3.Error):
                        seen = _turns(d)
                    if seen > index or proc.poll() is not None:
                        break
                    time.sleep(0.02)
                if seen >= target:
                    break
            # One more line in flight as the process dies.
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.write(b"one more thing\n")
                proc.stdin.flush()
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            fam.runs += 1
            after = _turns(d)
            with contextlib.closing(sqlite3.connect(d / "coach.db")) as conn:
                sound = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            fam.lost += max(0, seen - after)
            again = _cli(d, "chat", "--plain", stdin=b"")
            fam.tracebacks += _traceback(again)
            if not sound or b"Welcome back" not in again.stdout:
                fam.breaches += 1


def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0:
        return False
    command = ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)]
    return subprocess.run(command, capture_output=True).returncode == 0


def full_disk(fam: Family, n: int, rng: random.Random) -> None:
    """A 200 KB filesystem: every turn not saved is said at once, and again at the next start."""
    for i in range(n):
        with _tmp() as d:
            disk = d / "disk"
            disk.mkdir()
            if not _mount_tmpfs(disk, "200k"):
                fam.notes.append("full disk: skipped (mounting a tmpfs needs root)")
                return
            try:
                home = disk / "home"
                lines = [START] + [f"note {k}: " + "words " * rng.randrange(50, 400) for k in range(40 + 10 * i)]
                result = _cli(home, "chat", "--plain", stdin=("\n".join(lines) + "\n").encode())
                fam.runs += 1
                fam.tracebacks += _traceback(result)
                out = result.stdout.decode("utf-8", "replace")
                saved = _turns(home)
                unsaved = _unsaved(out)  # what the last notice said is only in the window
                nxt = _cli(home, "chat", "--plain", stdin=b"")
                fam.tracebacks += _traceback(nxt)
                fam.lost += max(0, _echoed(out) - saved - unsaved)
                if unsaved and b"could not be saved" not in nxt.stdout:
                    fam.lost += unsaved  # lost, and the next start did not say so
                if not unsaved:
                    fam.notes.append("full disk: the disk never filled in this run")
            finally:
                subprocess.run(["umount", str(disk)], capture_output=True)


def two_instances(fam: Family, n: int, rng: random.Random) -> None:
    """Two windows on one case: the second continues as a copy; nothing committed is overwritten."""
    from bot.content_cache import load_content_cached
    from bot.conversation import Conversation

    content = load_content_cached()
    today = __import__("datetime").date.fromisoformat(TODAY)
    for _ in range(n):
        with _tmp() as d:
            first = Conversation.open(content, data_dir=str(d), today=today)
            first.opening()
            for line in (START, "Senior Data Analyst", "Dana Rivera"):
                first.send(line)
            case = first.case_id
            before = dict(first.session.slots)
            second = Conversation.open(content, data_dir=str(d), today=today, case_id=case)
            second.opening()
            for line in rng.sample(["hello there", "restart", "the manager is Bob", "Acme", "back"], k=3):
                second.send(line)
                first.send("ok")
            fam.runs += 1
            first.close()
            second.close()
            from bot.store import Store

            with Store(d) as store:
                slots = store.load_case(case).snapshot["slots"]  # type: ignore[arg-type]
            if any(slots.get(k) != before.get(k) for k in ("company", "role", "manager")):
                fam.breaches += 1


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def planted_cache(fam: Family, n: int, rng: random.Random) -> None:
    """A pickle planted in the cache folder (bare, with a forged header, in a 0777 folder)."""
    import pickle

    from bot import content_cache

    commands = [("chat", "--plain", "--no-save"), ("classify", "hello"), ("advise", "they called back")]
    for i in range(n):
        with _tmp() as d:
            home, cache, marker = d / "home", d / "cache", d / "ran"
            _cli(home, "classify", "warm", DECLINE_COACH_CACHE=str(cache))  # a real cache + key
            evil = pickle.dumps(_Boom(marker))
            shape = i % 3
            if shape == 0:
                (cache / content_cache.FILE_NAME).write_bytes(evil)
            elif shape == 1:
                (cache / content_cache.FILE_NAME).write_bytes(content_cache._MAGIC + os.urandom(32) + evil)
            else:
                cache.chmod(0o777)
                (cache / content_cache.FILE_NAME).write_bytes(evil)
            result = _cli(home, *commands[i % len(commands)], stdin=b"hi\n", DECLINE_COACH_CACHE=str(cache))
            fam.runs += 1
            fam.tracebacks += _traceback(result)
            fam.breaches += marker.exists()


def corrupt_database(fam: Family, n: int, rng: random.Random) -> None:
    """Bytes flipped in the data file: read-only commands move nothing; a chat moves it aside."""
    for _ in range(n):
        with _tmp() as d:
            _cli(d, "chat", "--plain", stdin=f"{START}\nSenior Data Analyst\n".encode())
            db = d / "coach.db"
            data = bytearray(db.read_bytes())
            for _k in range(rng.randrange(1, 40)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            db.write_bytes(bytes(data))
            before = sorted(os.listdir(d))
            for args in (("cases",), ("log",), ("followups",), ("cases", "show", "1")):
                result = _cli(d, *args)
                fam.runs += 1
                fam.tracebacks += _traceback(result)
                if sorted(os.listdir(d)) != before or db.read_bytes() != bytes(data):
                    fam.breaches += 1
            chat = _cli(d, "chat", "--plain", stdin=b"hello\n")
            fam.runs += 1
            fam.tracebacks += _traceback(chat)


def linked_files(fam: Family, n: int, rng: random.Random) -> None:
    """Exports, transcripts, calendars and the database itself planted as symbolic links."""
    targets = [
        ("chat", "--plain", "--no-save", "--transcript", "{t}"),
        ("log", "export", "--format", "csv", "-o", "{t}"),
        ("followups", "export", "--ics", "{t}"),
    ]
    for i in range(n):
        with _tmp() as d:
            home = d / "home"
            victim = d / "victim"
            victim.write_text("precious")
            if i % 4 == 3:
                home.mkdir(mode=0o700)
                (home / "coach.db").symlink_to(victim)
                result = _cli(home, "chat", "--plain", stdin=f"{START}\n".encode())
            else:
                _cli(home, "chat", "--plain", stdin=f"{START}\n".encode())
                link = d / "out"
                link.symlink_to(victim)
                args = [a.replace("{t}", str(link)) for a in targets[i % 3]]
                result = _cli(home, *args, stdin=b"hello\n")
            fam.runs += 1
            fam.tracebacks += _traceback(result)
            fam.breaches += victim.read_text() != "precious"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def served_without_token(fam: Family, n: int, rng: random.Random) -> None:
    """The browser face: requests without the token, with a wrong one, from a foreign Origin."""
    import asyncio

    import aiohttp

    with _tmp() as d:
        port = _free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port), "--no-browser", "--data-dir", str(d)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(d), cwd=ROOT, start_new_session=True,
        )
        try:
            assert proc.stderr is not None
            token, seen, deadline = "", b"", time.monotonic() + 60
            while not token and time.monotonic() < deadline:
                if select.select([proc.stderr], [], [], 0.5)[0]:
                    seen += os.read(proc.stderr.fileno(), 4096)
                    if b"token=" in seen:
                        token = seen.split(b"token=", 1)[1].split()[0].decode()
            while time.monotonic() < deadline:
                with socket.socket() as s:
                    if s.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.1)
            base = f"http://127.0.0.1:{port}"
            wrong = ["", "x" * 43, token[:-1], token.upper() if token != token.upper() else "y" * 43]

            async def attack() -> None:
                async with aiohttp.ClientSession() as session:
                    for k in range(n):
                        bad = wrong[k % len(wrong)]
                        for url in (f"{base}/?token={bad}", f"{base}/static/js/textual.js", f"{base}/download/x"):
                            async with session.get(url) as r:
                                fam.runs += 1
                                fam.breaches += r.status != 403
                        for ws_token, origin in ((bad, base), (token, "http://evil.example"), (token, None)):
                            headers = {"Origin": origin} if origin else {}
                            fam.runs += 1
                            try:
                                async with session.ws_connect(f"ws://127.0.0.1:{port}/ws/{ws_token}", headers=headers):
                                    fam.breaches += 1
                            except aiohttp.WSServerHandshakeError as exc:
                                fam.breaches += exc.status not in (403, 404)

            asyncio.run(asyncio.wait_for(attack(), timeout=120))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            err = proc.stderr.read() if proc.stderr else b""
            fam.tracebacks += b"Traceback" in err


def app_bytes(fam: Family, n: int, rng: random.Random) -> None:
    """The app in a terminal (a pty): a 0xff keystroke, a paste of invalid UTF-8, then quit."""
    for _i in range(n):
        with _tmp() as d:
            pid, fd = pty.fork()
            if pid == 0:  # the child: the app on this pty
                os.environ.update(_env(d, TERM="xterm-256color", COLUMNS="100", LINES="30"))
                os.chdir(ROOT)
                os.execv(sys.executable, [sys.executable, "-m", "bot.tui", "--data-dir", str(d), "--no-save"])
            out = b""

            def pump(seconds: float, until: Callable[[bytes], bool] = lambda _b: False, fd: int = fd) -> None:
                nonlocal out
                end = time.monotonic() + seconds
                while time.monotonic() < end and not until(out):
                    if select.select([fd], [], [], 0.2)[0]:
                        try:
                            out += os.read(fd, 65536)
                        except OSError:
                            return

            pump(60, lambda b: b"decline" in b.lower() and len(b) > 2000)
            junk = bytes([rng.randrange(128, 256)])
            for chunk in (b"\xff", b"\x1b[200~caf\xe9 \xfe\xff bytes\x1b[201~", b"\xc3", junk):
                os.write(fd, chunk)
                pump(1.0)
            alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
            os.write(fd, b"\x11")  # ctrl+q
            pump(10)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            os.close(fd)
            fam.runs += 1
            fam.tracebacks += (b"Traceback" in out) or (b"UnicodeDecodeError" in out) or not alive


FAMILIES: list[tuple[str, Callable[[Family, int, random.Random], None], int, int]] = [
    # (name, function, runs in full, runs in --quick)
    ("hostile text in plain chat (markup, templates, escapes, bidi, 160 KB lines)", hostile_text, 24, 3),
    ("invalid UTF-8 and random bytes on stdin (C locale)", undecodable_bytes, 20, 2),
    ("kill -9 at a random turn", kill_9, 12, 2),
    ("full disk (200 KB tmpfs)", full_disk, 2, 1),
    ("two windows on one case", two_instances, 6, 1),
    ("planted pickle in the cache folder", planted_cache, 9, 3),
    ("corrupt database (random bytes flipped)", corrupt_database, 6, 1),
    ("outputs and the database as symbolic links", linked_files, 8, 4),
    ("browser face without the token / foreign Origin", served_without_token, 8, 2),
    ("the app fed undecodable keystrokes and pastes (pty)", app_bytes, 3, 1),
]


def run(quick: bool = False, only: str | None = None) -> list[Family]:
    rng = random.Random(17)
    results = []
    for name, fn, full, small in FAMILIES:
        if only and only not in name and only != fn.__name__:
            continue
        fam = Family(name)
        fn(fam, small if quick else full, rng)
        results.append(fam)
    return results


def table(results: list[Family]) -> str:
    lines = [
        "| Family | Runs | Tracebacks | Turns lost without a word | Other breaches |",
        "|---|---|---|---|---|",
        *(f.row() for f in results),
    ]
    total = Family("total", *(sum(getattr(f, k) for f in results) for k in ("runs", "tracebacks", "lost", "breaches")))
    lines.append(
        f"| **{len(results)} families** | {total.runs} | {total.tracebacks} | {total.lost} | {total.breaches} |"
    )
    notes = [n for f in results for n in f.notes]
    return "\n".join(lines + (["", *notes] if notes else []))


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.adversarial", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few runs of each family")
    parser.add_argument("--only", help="one family (its function name)")
    args = parser.parse_args()
    results = run(quick=args.quick, only=args.only)
    print(table(results))
    return 0 if all(f.tracebacks == f.lost == f.breaches == 0 for f in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
