"""Hostile text through every command: nothing raises, hangs, or is read as markup or a template,
and the stored data stays consistent."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli

HOSTILE = [
    "",
    "\x00\x01\x02 nul and controls \x7f",
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b]52;c;aGk=\x07 \x9b2J",
    "[@click=app.quit] [bold]bold[/bold] [/foo] [link=https://x]x[/link]",
    "{{ 7*7 }} {% for i in range(10**9) %}x{% endfor %} {{ ''.__class__.__mro__ }}",
    "key: [unclosed\n- a: b: c\n!!python/object/apply:os.system ['echo hi']",
    "'; DROP TABLE cases; -- \" OR 1=1",
    "مرحبا بالعالم שלום עולם \u202eevil\u202c",
    "e\u0301\u0301\u0301 Z\u0336a\u0336l\u0336g\u0336o\u0336",
    "👩\u200d💻🏳️\u200d🌈 💥" * 20,
    "I want to decline the offer from {{ company }} [b]Acme[/b]",
]
ONE_MB = "decline " * 131_072  # about 1 MB, one line


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    out = result.stdout + result.stderr
    assert "Traceback" not in out, out[-3000:]
    assert "\x1b" not in result.stdout and "\x00" not in result.stdout
    assert "49" not in result.stdout.replace("1=1", "") or "49" in "".join(HOSTILE)


def test_plain_chat_survives_everything_and_keeps_the_database_sound(tmp_path: Path) -> None:
    script = "\n".join([*HOSTILE, ONE_MB, "I want to decline", *HOSTILE, "quit"]) + "\n"
    r = run_cli("chat", "--plain", "--new", stdin=script, home=tmp_path)
    assert r.returncode == 0
    _clean(r)
    db = tmp_path / "coach.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT user_text FROM turns").fetchall()
    texts = [t for (t,) in rows if t]
    assert any("{{ 7*7 }}" in t for t in texts)  # stored as typed, never evaluated
    assert all("\x1b" not in t and "\x00" not in t for t in texts)


@pytest.mark.parametrize(
    "args",
    [
        ("classify", "--jsonl"),
        ("advise", "--jsonl"),
        ("critique", "-"),
        ("critique", "--json", "-"),
        ("rehearse", "--plain", "--seed", "3"),
        ("rehearse", "--json", "--persona", "frustrated", "--seed", "5"),  # a fixed seed: a drawn one may hold "49"
    ],
)
def test_stdin_commands_survive_hostile_input(tmp_path: Path, args: tuple[str, ...]) -> None:
    r = run_cli(*args, stdin="\n".join([*HOSTILE, ONE_MB[:200_000]]) + "\n", home=tmp_path)
    # 2 is a clear refusal (critique says a NUL byte makes the input binary, not a draft).
    assert r.returncode in (0, 1, 2), r.stderr[-2000:]
    if r.returncode:
        assert r.stderr.strip().startswith("decline-coach"), r.stderr[-2000:]
    _clean(r)
    if "--jsonl" in args:
        for line in r.stdout.splitlines():
            json.loads(line)


@pytest.mark.parametrize("value", HOSTILE[1:])
def test_draft_values_are_data(tmp_path: Path, value: str) -> None:
    value = value.replace("\x00", "")  # a NUL cannot travel in a command-line argument at all
    r = run_cli(
        "draft", "--kind", "decline-fit", "--tone", "formal", "--company", value or "x", "--role", "Analyst",
        "--manager", "Dana Rivera", "--name", "Sam Lee", home=tmp_path,
    )  # fmt: skip
    _clean(r)
    if r.returncode == 0 and "{{ 7*7 }}" in value:
        assert "{{ 7*7 }}" in r.stdout


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_classify_and_advise_any_text(tmp_path: Path, texts: list[str]) -> None:
    for command in ("classify", "advise"):
        r = run_cli(command, "--jsonl", stdin="\n".join(texts) + "\n", home=tmp_path)
        assert r.returncode == 0, r.stderr[-2000:]
        assert "Traceback" not in r.stderr


# ---------------------------------------------------------------------- the adversarial suite (issue 17)


@pytest.mark.parametrize(
    "family",
    [
        "hostile_text",
        "undecodable_bytes",
        "kill_9",
        "full_disk",
        "two_instances",
        "planted_cache",
        "corrupt_database",
        "linked_files",
        "served_without_token",
        "app_bytes",
    ],
)
def test_the_adversarial_suite_finds_nothing(family: str) -> None:
    """`python -m bench.adversarial --quick`, one family per test: the README's Reliability table."""
    from bench.adversarial import run

    (result,) = run(quick=True, only=family)
    if family == "full_disk" and result.runs == 0:
        pytest.skip("; ".join(result.notes) or "no run")
    assert result.runs > 0
    assert (result.tracebacks, result.lost, result.breaches) == (0, 0, 0), result
