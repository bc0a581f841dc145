"""The draft and critique commands, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.critic import CHECKS

ROOT = Path(__file__).resolve().parent.parent
VALUES = [
    "--company",
    "Acme Corp",
    "--role",
    "Data Analyst",
    "--manager",
    "Ms. Dana Rivera",
    "--name",
    "Sam Lee",
]


def cli(*args: str, home: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DECLINE_COACH_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_list_shows_every_kind(home: Path) -> None:
    out = cli("draft", "--list", home=home)
    assert out.returncode == 0
    for kind in ("decline-another-offer", "linkedin-note", "withdraw-acceptance", "phone-script"):
        assert kind in out.stdout


def test_draft_formal_and_warm(home: Path) -> None:
    formal = cli("draft", "--kind", "decline-another-offer", "--tone", "formal", *VALUES, home=home)
    warm = cli("draft", "--kind", "decline-another-offer", "--tone", "warm", *VALUES, home=home)
    assert formal.returncode == warm.returncode == 0, formal.stderr + warm.stderr
    assert formal.stdout.startswith("Dear Ms. Rivera,")
    assert warm.stdout.startswith("Hi Dana,")
    assert "Acme Corp" in formal.stdout and "Data Analyst" in formal.stdout
    assert "[" not in formal.stdout and "{{" not in formal.stdout


def test_reason_picks_the_decline_letter(home: Path) -> None:
    out = cli("draft", "--reason", "compensation", "--negotiable", "--json", *VALUES, home=home)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["kind"] == "decline-compensation-open"
    assert doc["score"] == 100
    assert [f["check"] for f in doc["findings"]] == list(CHECKS)


def test_missing_value_is_named_with_its_flag(home: Path) -> None:
    out = cli("draft", "--kind", "decline-fit", "--company", "Acme", home=home)
    assert out.returncode == 2
    assert out.stdout == ""
    for flag in ("--manager", "--name", "--role"):
        assert flag in out.stderr
    assert "Traceback" not in out.stderr


def test_ask_for_time_needs_a_date(home: Path) -> None:
    out = cli("draft", "--kind", "ask-for-time", *VALUES, home=home)
    assert out.returncode == 2 and "--date" in out.stderr
    ok = cli("draft", "--kind", "ask-for-time", "--date", "Friday 14 March", *VALUES, home=home)
    assert ok.returncode == 0 and "Friday 14 March" in ok.stdout


@pytest.mark.parametrize(
    "args, words",
    [
        (["--kind", "no-such-kind"], "no-such-kind"),
        (["--kind", "decline-fit", "--tone", "sarcastic"], "sarcastic"),
        (["--reason", "astrology"], "astrology"),
        ([], "--kind"),
    ],
)
def test_bad_input_is_a_clear_error(home: Path, args: list[str], words: str) -> None:
    out = cli("draft", *args, *VALUES, home=home)
    assert out.returncode == 2
    assert words in out.stderr and "Traceback" not in out.stderr


def test_values_appear_literally(home: Path) -> None:
    out = cli(
        "draft",
        "--kind",
        "decline-fit",
        "--tone",
        "warm",
        "--company",
        "{{ 7*7 }}",
        "--role",
        "[bold]Lead[/bold]",
        "--manager",
        "Dana",
        "--name",
        "Sam",
        home=home,
    )
    assert out.returncode == 0, out.stderr
    assert "{{ 7*7 }}" in out.stdout and "49" not in out.stdout
    assert "[bold]Lead[/bold]" in out.stdout


def test_one_thank_you_note_per_interviewer(home: Path) -> None:
    out = cli(
        "draft",
        "--kind",
        "thank-you-interviewer",
        "--interviewer",
        "Tom Becker",
        "--interviewer",
        "Aiko Sato",
        "--json",
        *VALUES,
        home=home,
    )
    assert out.returncode == 0, out.stderr
    drafts = json.loads(out.stdout)["drafts"]
    assert [d["text"].splitlines()[0] for d in drafts] == ["Dear Tom,", "Dear Aiko,"]


def test_sample_fills_the_rest(home: Path) -> None:
    out = cli("draft", "--kind", "voicemail", "--sample", "--name", "Jo Park", home=home)
    assert out.returncode == 0 and "Jo Park" in out.stdout


def test_critique_readable_report(home: Path, tmp_path: Path) -> None:
    draft = tmp_path / "draft.txt"
    draft.write_text(
        "Hi Dana,\nI think I might decline for now. They offered me $95k. Sorry, sorry!\n",
        encoding="utf-8",
    )
    out = cli("critique", str(draft), home=home)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if line and line[0] in "✓✗"]
    named = [line.split()[1].rstrip(":") for line in lines]
    assert list(dict.fromkeys(named)) == list(CHECKS)
    assert named.count("over-apology") == 1 and "✗ hedging" in out.stdout and "$95k" in out.stdout
    assert "→" in out.stdout and "score:" in out.stdout


def test_critique_json_from_stdin(home: Path) -> None:
    text = (
        "Thank you for the offer. I have decided to decline; I accepted another role. "
        "Let's keep in touch."
    )
    out = cli("critique", "-", "--json", home=home, stdin=text.encode("utf-8"))
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert set(doc) == {"findings", "score"}
    assert list(dict.fromkeys(f["check"] for f in doc["findings"])) == list(CHECKS)
    for f in doc["findings"]:
        assert {"check", "ok", "message", "span"} <= set(f)
        if f["span"] is not None:
            start, end = f["span"]
            assert text[start:end] == f["quote"]
    assert doc["score"] == 100


def test_critique_bad_files(home: Path, tmp_path: Path) -> None:
    missing = cli("critique", str(tmp_path / "nope.txt"), home=home)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02PNG")
    out = cli("critique", str(binary), home=home)
    assert out.returncode == 2 and "binary" in out.stderr
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Merci beaucoup, café".encode("latin-1"))
    out = cli("critique", str(latin), home=home)
    assert out.returncode == 2 and "UTF-8" in out.stderr
    empty = cli("critique", "-", home=home, stdin=b"   \n")
    assert empty.returncode == 2
    for proc in (missing, out, empty):
        assert "Traceback" not in proc.stderr


def test_critique_huge_input(home: Path) -> None:
    huge = ("Thank you for the offer. I have decided to decline. " * 20000).encode("utf-8")
    out = cli("critique", "-", "--json", home=home, stdin=huge)
    assert out.returncode == 0
    doc = json.loads(out.stdout)
    assert not next(f for f in doc["findings"] if f["check"] == "concise")["ok"]
    assert "first" in out.stderr  # says the paste was trimmed


def test_a_rendered_draft_passes_critique(home: Path, tmp_path: Path) -> None:
    drafted = cli("draft", "--kind", "decline-growth", "--tone", "warm", *VALUES, home=home)
    path = tmp_path / "d.txt"
    path.write_text(drafted.stdout, encoding="utf-8")
    doc = json.loads(cli("critique", str(path), "--json", home=home).stdout)
    assert doc["score"] == 100
