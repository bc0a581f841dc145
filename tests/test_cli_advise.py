"""`decline-coach advise`, run as a real command in a subprocess with a private data folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str, stdin: str = "", home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DECLINE_COACH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "bot", "advise", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def test_json_for_a_description(tmp_path: Path) -> None:
    res = _run("I said no and now they came back with more money", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert set(data) >= {"text", "scenario", "score", "alternatives", "advice"}
    assert data["scenario"] == "reopened-offer"
    assert all(set(a) == {"scenario", "score"} for a in data["alternatives"])
    assert data["advice"]["points"] and data["advice"]["draft"] == "reopened-decline"


def test_null_with_a_helpful_answer_when_nothing_fits(tmp_path: Path) -> None:
    res = _run("how do I bake sourdough bread", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["scenario"] is None
    assert data["advice"]["points"], "a null answer still says what the coach can help with"


def test_readable_text_by_default(tmp_path: Path) -> None:
    res = _run("my", "boss", "offered", "me", "a", "counteroffer", "to", "stay", home=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "scenario: counteroffer" in res.stdout
    assert "Next steps" in res.stdout
    assert "decline-coach draft --kind decline-counteroffer" in res.stdout
    assert not res.stdout.lstrip().startswith("{")


def test_jsonl_one_object_per_description(tmp_path: Path) -> None:
    lines = "I ghosted them for a month and need to reply\n\nwhat's the weather tomorrow\n"
    res = _run("--jsonl", stdin=lines, home=tmp_path)
    assert res.returncode == 0, res.stderr
    out = [json.loads(line) for line in res.stdout.splitlines()]
    assert [o["scenario"] for o in out] == ["ghosted", None]
    assert out[0]["text"] == "I ghosted them for a month and need to reply"


def test_no_text_is_a_usage_error(tmp_path: Path) -> None:
    res = _run(home=tmp_path)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr


def test_broken_content_prints_file_and_line_not_a_traceback(tmp_path: Path) -> None:
    dialogues = tmp_path / "dialogues"
    shutil.copytree(ROOT / "dialogues", dialogues)
    path = dialogues / "scenarios.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  - id: ghosted\n", "  - id: ghosted\n    oops: [\n", 1
    )
    path.write_text(text, encoding="utf-8")
    res = _run("I ghosted them", "--dialogues", str(dialogues), home=tmp_path)
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    first = res.stderr.strip().splitlines()[0]
    assert first.split(":")[0].endswith("scenarios.yaml") and first.split(":")[1].isdigit()


def test_a_close_call_asks_which_of_two(tmp_path: Path) -> None:
    res = _run("I am nervous about telling the recruiter", "--json", home=tmp_path)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["ambiguous"] is True
    assert {o["scenario"] for o in data["ask"]["options"]} == {"phone-nerves", "recruiter"}
    text = _run("I am nervous about telling the recruiter", home=tmp_path)
    assert "(asks which)" in text.stdout
    assert data["ask"]["question"] in text.stdout
    assert "  1. " in text.stdout and "  2. " in text.stdout


def test_faq_questions_get_the_faq_answer_as_in_the_chat(tmp_path: Path) -> None:
    questions = [
        ("how quickly should I answer the offer", "how-soon"),
        ("should I call or email to decline", "call-or-email"),
        ("do I have to give a reason", "give-reason"),
    ]
    res = _run("--jsonl", stdin="\n".join(q for q, _ in questions) + "\n", home=tmp_path)
    assert res.returncode == 0, res.stderr
    got = [json.loads(line) for line in res.stdout.splitlines()]
    assert [(d["scenario"], d["faq"]) for d in got] == [(None, fid) for _, fid in questions]
    assert all(d["advice"]["points"] for d in got)
