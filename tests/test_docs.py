"""The example in dialogues/README.md is real: it validates and runs."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from bot.check import check
from bot.content import load_content
from bot.session import Session
from tests.conftest import ROOT


def test_readme_example_flow_checks_and_runs(tmp_path: Path) -> None:
    readme = (ROOT / "dialogues" / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(flow: deadline.*?)```", readme, re.S)
    assert block is not None
    d = tmp_path / "dialogues"
    shutil.copytree(ROOT / "dialogues", d)
    (d / "flows" / "deadline.yaml").write_text(block.group(1), encoding="utf-8")
    problems = [p for p in check(d, ROOT / "templates") if "deadline.yaml" in p.file]
    assert problems == []
    content = load_content(d, ROOT / "templates")
    s = Session(content, today=dt.date(2026, 11, 21))
    s.start()
    s.handle("go:deadline")
    assert s.state == "deadline.ask"
    s.handle("yesterday")
    assert s.state == "deadline.late"
    assert s.slots["deadline"] == "2026-11-20"
