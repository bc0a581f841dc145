"""The engine's commands, run for real in a subprocess with a temporary data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

SCRIPT = (
    "I've decided to decline the offer\nAcme Corp\nData Analyst\nskip\nback\ni don't think so\n"
    "they came back with more money after I said no\nuh no\nplease don't\nquit\n"
)


def test_version_and_help() -> None:
    v = run_cli("--version")
    assert v.returncode == 0 and v.stdout.startswith("decline-coach ")
    h = run_cli("--help")
    assert h.returncode == 0
    for command in ("chat", "classify", "check", "graph"):
        assert command in h.stdout


def test_plain_chat_is_deterministic_and_exits_zero(tmp_path: Path) -> None:
    # Different hash seeds too: nothing may depend on the order of a set.
    a = run_cli("chat", "--plain", "--new", stdin=SCRIPT, home=tmp_path / "a", env={"PYTHONHASHSEED": "1"})
    b = run_cli("chat", "--plain", "--new", stdin=SCRIPT, home=tmp_path / "b", env={"PYTHONHASHSEED": "2"})
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    assert "Which company" in a.stdout
    assert "Traceback" not in a.stderr


def test_plain_chat_never_imports_textual(tmp_path: Path) -> None:
    code = (
        "import sys, io; sys.stdin = io.StringIO('quit\\n'); from bot.cli import main; "
        "main(['chat', '--plain', '--no-save']); assert 'textual' not in sys.modules, 'textual imported'"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert r.returncode == 0, r.stderr


def test_transcript_is_written_as_markdown(tmp_path: Path) -> None:
    out = tmp_path / "t.md"
    r = run_cli("chat", "--plain", "--no-save", "--transcript", str(out), stdin="I want to decline\n{{ 7*7 }}\n")
    assert r.returncode == 0
    md = out.read_text(encoding="utf-8")
    assert md.startswith("# ")
    assert "**You:** I want to decline" in md
    assert "{{ 7*7 }}" in md


def test_end_of_input_exits_zero_midway(tmp_path: Path) -> None:
    r = run_cli("chat", "--plain", "--no-save", stdin="I want to decline\n")
    assert r.returncode == 0


def test_turn_end_mark_follows_every_turn_and_is_off_by_default(tmp_path: Path) -> None:
    script = "I want to decline\nhmm\n"
    r = run_cli("chat", "--plain", "--no-save", "--turn-end", "<<END>>", stdin=script, home=tmp_path / "a")
    assert r.returncode == 0
    marks = [ln for ln in r.stdout.splitlines() if ln.startswith("<<END>>")]
    assert len(marks) == 3  # the opening and one per line of input
    assert r.stdout.rstrip().splitlines()[-1].startswith("<<END>>")
    plain = run_cli("chat", "--plain", "--no-save", stdin=script, home=tmp_path / "b")
    assert "<<END>>" not in plain.stdout
    assert [ln for ln in r.stdout.splitlines() if not ln.startswith("<<END>>")] == plain.stdout.splitlines()


def test_hostile_input_in_plain_mode(tmp_path: Path) -> None:
    hostile = "\x1b[2J\x1b]52;c;Zm9v\x07[@click=app.quit]\x00{{ 7*7 }}\n" + ("x" * 1_000_000) + "\n\n"
    r = run_cli("chat", "--plain", "--no-save", stdin=hostile)
    assert r.returncode == 0
    assert "\x1b" not in r.stdout and "\x00" not in r.stdout
    assert "long paste" in r.stdout


def test_classify_json_shape() -> None:
    r = run_cli("classify", "--json", "I don't want to decline")
    data = json.loads(r.stdout)
    assert set(data) >= {"text", "intent", "score", "alternatives", "negated"}
    r2 = run_cli("classify", "--json", "what's the weather in Paris")
    assert json.loads(r2.stdout)["intent"] is None


def test_classify_jsonl() -> None:
    r = run_cli("classify", "--jsonl", stdin="yes\nplay some music\n\ngo back\n")
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [row["intent"] for row in rows] == ["affirm", None, None, "back"]


def test_classify_needs_text() -> None:
    r = run_cli("classify")
    assert r.returncode == 2 and "TEXT" in r.stderr


def test_graph_is_mermaid() -> None:
    r = run_cli("graph")
    assert r.returncode == 0 and r.stdout.startswith("stateDiagram-v2")
    assert run_cli("graph", "--flow", "draft").stdout.count("draft__") > 3
    bad = run_cli("graph", "--flow", "nope")
    assert bad.returncode == 2 and "no flow named" in bad.stderr


LETTER = [
    "Hi Priya,",
    "",
    "Thank you so much for the offer and for the time the team gave me.",
    "",
    "After a lot of thought I have decided to decline the offer.",
    "",
    "I hope our paths cross again.",
    "",
    "Best,",
    "Sam",
]


def _starting_at_the_paste(tmp_path: Path) -> Path:
    """A copy of the content whose conversation starts at "paste your draft"."""
    import shutil

    copy = tmp_path / "dialogues"
    shutil.copytree(ROOT / "dialogues", copy)
    coach = copy / "coach.yaml"
    text = coach.read_text(encoding="utf-8")
    assert "\nstart: journey\n" in text
    coach.write_text(text.replace("\nstart: journey\n", "\nstart: draft.paste\n"), encoding="utf-8")
    return copy


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_plain_mode_takes_a_letter_of_many_paragraphs(tmp_path: Path, ending: str) -> None:
    dialogues = _starting_at_the_paste(tmp_path)
    transcript = tmp_path / "t.md"
    stdin = ending.join([*LETTER, ".", "quit"]) + ending
    r = run_cli(
        "chat", "--plain", "--no-save", "--dialogues", str(dialogues), "--transcript", str(transcript),
        stdin=stdin,
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout
    # The coach says how a letter ends before it reads one.
    how = out.index("a single full stop (.) on a line by itself")
    assert how < out.index("> Hi Priya,")
    # The whole letter is one turn, its paragraphs kept (the echo shows it as the coach saw it).
    assert "\n".join("> " + line if line else ">" for line in LETTER) in out.replace("> \n", ">\n")
    # Reviewed as a whole: the thanks and the decision in later paragraphs were seen.
    notes = [ln for ln in out.splitlines() if ln.startswith("  to do: ")]
    assert notes and not any(n.startswith(("  to do: gratitude", "  to do: clear-decision")) for n in notes), notes
    md = transcript.read_text(encoding="utf-8")
    assert "> Thank you so much for the offer" in md and "\n>\n> After a lot of thought" in md
    assert "Good luck" in out  # "quit" after the "." was a turn of its own


def test_plain_mode_letter_ends_at_end_of_input(tmp_path: Path) -> None:
    dialogues = _starting_at_the_paste(tmp_path)
    r = run_cli("chat", "--plain", "--no-save", "--dialogues", str(dialogues), stdin="\n".join(LETTER))
    assert r.returncode == 0, r.stderr
    assert "> After a lot of thought I have decided" in r.stdout
    assert "Review notes:" in r.stdout or "passes all" in r.stdout


def test_plain_mode_cr_line_endings_are_turns(tmp_path: Path) -> None:
    # One line each, as with LF: "I want to decline", then "quit".
    r = run_cli("chat", "--plain", "--no-save", stdin="I want to decline\rquit\r")
    assert r.returncode == 0, r.stderr
    assert "> I want to decline\n" in r.stdout and "> quit\n" in r.stdout
    assert "Good luck" in r.stdout


def test_ics_uids_differ_between_data_folders() -> None:
    import datetime as dt

    from bot.followups import FollowUp, to_ics

    item = FollowUp(kind="linkedin", title="Connect with Dana", due=dt.date(2026, 12, 1), id=1, case_id=1)

    def uids(source: str) -> list[str]:
        return [ln for ln in to_ics([item], source=source).splitlines() if ln.startswith("UID:")]

    a, b = uids("/home/a/decline-coach.sqlite3"), uids("/home/b/decline-coach.sqlite3")
    assert len(a) == 1 and a != b
    assert a == uids("/home/a/decline-coach.sqlite3")  # the same folder keeps its UIDs
