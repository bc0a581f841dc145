from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.content import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(scope="session")
def _content_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("content-cache")


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _content_cache: Path) -> Path:
    """Every test gets its own data folder: nothing touches the real user's data (or cache)."""
    home = tmp_path / "home"
    monkeypatch.setenv("DECLINE_COACH_HOME", str(home))
    monkeypatch.setenv("DECLINE_COACH_TODAY", TODAY.isoformat())
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(_content_cache))
    return home


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()


def run_cli(
    *args: str, stdin: str = "", home: Path | None = None, timeout: float = 180, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real `decline-coach` command in a subprocess (its own data folder when `home` is given)."""
    env = {**os.environ, **(env or {})}
    if home is not None:
        env["DECLINE_COACH_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )
