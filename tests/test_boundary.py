"""The engine (``bot`` minus ``bot/tui``) never imports Textual (DESIGN.md, principle 2)."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import importlib, json, pkgutil, sys
import bot
names = []
def walk(path, prefix):
    # Not pkgutil.walk_packages: it would import bot.tui itself to look inside.
    for info in pkgutil.iter_modules(path, prefix):
        if info.name in ("bot.tui", "bot.__main__"):
            continue
        module = importlib.import_module(info.name)
        names.append(info.name)
        if info.ispkg:
            walk(module.__path__, info.name + ".")
walk(bot.__path__, "bot.")
# Building the command line imports every sub-command module too.
from bot.cli import build_parser
build_parser()
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "textual_serve"))
print(json.dumps({"imported": names, "leaked": leaked}))
"""


def engine_modules() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(bot.__path__, "bot.")
        if not (info.name == "bot.tui" or info.name.startswith("bot.tui."))
    ]


def test_engine_never_imports_textual() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["leaked"] == [], f"textual imported outside bot/tui: {report['leaked']}"
    # The probe really did import the engine (a test that cannot fail is a defect).
    assert {"bot.session", "bot.conversation", "bot.cli.serve"} <= set(report["imported"])
    assert len(report["imported"]) == len(engine_modules()) - 1  # all but bot.__main__


def test_probe_would_notice_textual() -> None:
    code = PROBE.replace("build_parser()", "build_parser()\nimport bot.tui.app")
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "textual" in json.loads(out.stdout.strip().splitlines()[-1])["leaked"]
