"""`decline-coach check` and start-up on broken content: file and line, non-zero, no traceback."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

FLOW = "flows/journey.yaml"


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    d = tmp_path / "dialogues"
    t = tmp_path / "templates"
    shutil.copytree(ROOT / "dialogues", d)
    shutil.copytree(ROOT / "templates", t)
    return d, t


def test_shipped_content_is_clean() -> None:
    result = run_cli("check")
    assert result.returncode == 0, result.stdout + result.stderr


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    src = path.read_text(encoding="utf-8")
    assert old in src
    path.write_text(src.replace(old, new, 1), encoding="utf-8")


BREAKAGES: dict[str, tuple[Callable[[Path, Path], None], str, str]] = {
    "yaml-error": (lambda d, t: _append(d / FLOW, "  broken: [unclosed\n"), FLOW, "YAML error"),
    "unknown-target": (
        lambda d, t: _append(d / FLOW, "  extra:\n    say: hi\n    next: nowhere-at-all\n"),
        FLOW,
        "unknown state 'nowhere-at-all'",
    ),
    "unreachable": (
        lambda d, t: _append(d / FLOW, "  island:\n    say: nobody comes here\n    end: true\n"),
        FLOW,
        "cannot be reached",
    ),
    "dead-end": (
        lambda d, t: (d / "flows" / "zz-dead.yaml").write_text(
            "flow: zz-dead\nmenu: true\nstates:\n  stuck:\n    say: hi\n    ask: company\n"
            "    next:\n      - if: company == 'x'\n        goto: stuck\n",
            encoding="utf-8",
        ),
        "flows/zz-dead.yaml",
        "dead end",
    ),
    "failing-template": (
        lambda d, t: _append(d / FLOW, '  extra2:\n    say: "{{ company | no_such_filter }}"\n    end: true\n'),
        FLOW,
        "no_such_filter",
    ),
    "slot-never-filled": (
        lambda d, t: (
            _append(d / "slots.yaml", "  orphan_slot:\n    type: text\n"),
            _replace(d / FLOW, "What brings you here today?", "What brings you here today? {{ orphan_slot }}"),
        ),
        FLOW,
        "no state, choice or action ever fills it",
    ),
    "duplicate-example": (
        lambda d, t: _replace(
            d / "intents.yaml", "      - i want to quit\n", "      - i want to quit\n      - i agree\n"
        ),
        "intents.yaml",
        "is in both",
    ),
    "unknown-action": (
        lambda d, t: _append(d / FLOW, "  extra3:\n    do: [no-such-action]\n    say: hi\n    end: true\n"),
        FLOW,
        "unknown action",
    ),
    # A state renamed in the content but not where an interrupt declares its moves (goes=):
    # behaviour would change silently, so check names the declaration.
    "renamed-move-target": (
        lambda d, t: (
            _replace(d / "flows/decision.yaml", "\n  recommend:\n", "\n  advise:\n"),
            *(_replace(d / "flows/decision.yaml", "goto: recommend}", "goto: advise}") for _ in range(3)),
        ),
        "bot/decision.py",
        "may move to unknown state 'decision.recommend'",
    ),
    "rehearsal-flow-undeclared": (
        lambda d, t: _replace(d / "scenarios.yaml", "rehearsal_flow: rehearse", "rehearsal_flow: negotiate"),
        "scenarios.yaml",
        "rehearsal_flow 'negotiate' is not a move",
    ),
    "missing-template-file": (
        lambda d, t: _append(d / FLOW, "  extra4:\n    template: nope/missing.j2\n    end: true\n"),
        FLOW,
        "not found",
    ),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_each_kind_of_breakage_is_located(tmp_path: Path, kind: str) -> None:
    d, t = _copy(tmp_path)
    breaker, file_part, message = BREAKAGES[kind]
    breaker(d, t)
    result = run_cli("check", "--dialogues", str(d), "--templates", str(t))
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "Traceback" not in out
    line = next((ln for ln in out.splitlines() if message in ln), None)
    assert line is not None, out
    assert file_part in line and line.split(file_part, 1)[1].startswith(":"), line


def test_startup_on_broken_content_names_the_line(tmp_path: Path) -> None:
    d, t = _copy(tmp_path)
    _append(d / FLOW, "  broken: [unclosed\n")
    result = run_cli("chat", "--plain", "--no-save", "--dialogues", str(d), "--templates", str(t), stdin="hi\n")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "journey.yaml:" in result.stderr


def test_missing_dialogues_folder(tmp_path: Path) -> None:
    result = run_cli("check", "--dialogues", str(tmp_path / "nope"))
    assert result.returncode != 0
    assert "no such dialogues folder" in result.stdout + result.stderr
