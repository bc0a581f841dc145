from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.content import Content, load_content

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 21)


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data folder: nothing touches the real user's data."""
    home = tmp_path / "home"
    monkeypatch.setenv("DECLINE_COACH_HOME", str(home))
    monkeypatch.setenv("DECLINE_COACH_TODAY", TODAY.isoformat())
    return home


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content()
