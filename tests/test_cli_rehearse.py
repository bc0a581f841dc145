"""`decline-coach rehearse` run for real, in a subprocess, with a private data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CALL = "\n".join([
    "Hi Dana, thanks for taking my call.",
    "After a lot of thought I've decided not to accept the offer. I've accepted another role.",
    "I appreciate it, but my decision is final.",
    "No, thank you.",
    "I hope we stay in touch. Bye!",
]) + "\n"


def rehearse(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DECLINE_COACH_HOME": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "rehearse", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=60,
    )


def test_plain_call_prints_replies_scorecard_and_transcript(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "--persona", "persuasive", "--seed", "2", "--plain", stdin=CALL)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    # No made-up name before the call knows one; "Hi Dana" names the manager from then on.
    assert "Hiring manager:" in text and "Dana:" in text and "Dana Rivera" not in text
    assert "done: Gratitude:" in text and "done: Held firm under pressure:" in text
    assert "[ok]" not in text and "[x]" not in text and "[Coach]" not in text
    assert 'you said: "Hi Dana, thanks for taking my call."' in text
    assert "Transcript:" in text
    assert "harder" in text  # the offer to try again
    assert "Traceback" not in out.stderr


def test_json_document(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "-p", "inquisitive", "--json", stdin=CALL)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["persona"] == "inquisitive"
    assert doc["transcript"][0] == {"speaker": "coach", "text": doc["transcript"][0]["text"]}
    assert {t["speaker"] for t in doc["transcript"]} >= {"coach", "manager", "user"}
    checks = {c["check"]: c for c in doc["scorecard"]}
    assert list(checks) == ["gratitude", "decision-stated", "reason-given", "held-firm",
                            "no-oversharing", "goodwill-close", "courtesy"]
    assert all(set(c) >= {"check", "ok", "note"} for c in doc["scorecard"])
    assert checks["decision-stated"]["ok"] is True


def test_same_seed_same_call(tmp_path: Path) -> None:
    a = rehearse(tmp_path, "-p", "frustrated", "--seed", "11", "--json", stdin=CALL)
    b = rehearse(tmp_path, "-p", "frustrated", "--seed", "11", "--json", stdin=CALL)
    assert a.stdout == b.stdout


def test_end_of_input_scores_what_was_said(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "-p", "disappointed", "--json", stdin="Hi, thanks. I'm declining.\n")
    doc = json.loads(out.stdout)
    assert doc["finished"] is True
    assert {c["check"]: c["ok"] for c in doc["scorecard"]}["gratitude"] is True


def test_context_and_plan_options(tmp_path: Path) -> None:
    out = rehearse(
        tmp_path, "-p", "gracious", "--name", "Priya Nair", "--manager", "Tom Okafor",
        "--company", "Halcyon", "--plan", "negotiate", "--json",
        stdin="Thanks Tom. I can't accept as it stands; is there any room on the base?\n",
    )
    doc = json.loads(out.stdout)
    assert doc["plan"] == "negotiate"
    text = " ".join(t["text"] for t in doc["transcript"])
    assert "Tom Okafor" in text or "Priya" in text


def test_list_personas(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "--list")
    assert out.returncode == 0
    for persona in ("gracious", "disappointed", "persuasive", "inquisitive", "frustrated",
                    "voicemail"):
        assert persona in out.stdout
    doc = json.loads(rehearse(tmp_path, "--list", "--json").stdout)
    assert len(doc["personas"]) == 6


def test_unknown_persona_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "-p", "nobody", stdin="")
    assert out.returncode == 2
    assert "gracious" in out.stderr and "Traceback" not in out.stderr
    out = rehearse(tmp_path, "-d", "impossible", stdin="")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_hostile_input_does_not_crash(tmp_path: Path) -> None:
    lines = "\x1b[31mred\x1b[0m\n{{ 7*7 }}\n[bold]x[/]\n" + "a" * 20000 + "\n\n\nend call\n"
    out = rehearse(tmp_path, "-p", "voicemail", "--plain", "--seed", "1", stdin=lines)
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout
    assert "{{ 7*7 }}" in out.stdout and "49" not in out.stdout


def _seed_of(text: str) -> str:
    import re

    found = re.search(r"--seed (\d+)", text)
    assert found, text[:300]
    return found.group(1)


def _call_part(text: str) -> str:
    """The call and scorecard, without the line that names the seed."""
    return "\n".join(line for line in text.splitlines() if "--seed" not in line and "seed " not in line)


LONG_CALL = (
    "Hi, thanks for the offer.\nI've decided to decline.\nMaybe if you paid more.\n"
    "No, thank you.\nNo.\nThanks, I hope we stay in touch.\nBye.\n"
)


def test_unseeded_calls_differ_and_a_seeded_call_replays(tmp_path: Path) -> None:
    runs = [rehearse(tmp_path, "-p", "persuasive", "-d", "hard", "--plain", stdin=LONG_CALL)
            for _ in range(4)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    seeds = [_seed_of(r.stdout) for r in runs]
    assert len(set(seeds)) == len(seeds)  # a fresh seed each time, shown to the person
    assert len({_call_part(r.stdout) for r in runs}) > 1  # and the calls themselves differ
    for run, seed in zip(runs, seeds, strict=True):
        again = rehearse(tmp_path, "-p", "persuasive", "-d", "hard", "--plain", "--seed", seed,
                         stdin=LONG_CALL)
        assert again.stdout == run.stdout  # the same seed replays the call word for word


def test_json_stores_the_seed(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "--json", stdin=CALL)
    doc = json.loads(out.stdout)
    assert isinstance(doc["seed"], int)
    again = json.loads(rehearse(tmp_path, "--json", "--seed", str(doc["seed"]), stdin=CALL).stdout)
    assert again["transcript"] == doc["transcript"]


def test_ask_for_time_plan(tmp_path: Path) -> None:
    out = rehearse(tmp_path, "--plan", "ask-for-time", "--reply-by", "Friday 12 December",
                   "--seed", "1", "--plain",
                   stdin="Hi, thanks so much for the offer.\nI need a little more time.\nBye.\n")
    assert out.returncode == 0, out.stderr
    assert "Named a date" in out.stdout and "Friday 12 December" in out.stdout
    assert "reason-given" not in out.stdout
