"""Where the coach's content and the user's data live."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _content_root() -> Path:
    # A built wheel carries the content inside the package (see pyproject's force-include);
    # a source checkout or editable install reads it from the repository root.
    packaged = _PACKAGE / "_content"
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent


def dialogues_dir() -> Path:
    return _content_root() / "dialogues"


def templates_dir() -> Path:
    return _content_root() / "templates"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The user's private data folder: --data-dir, else DECLINE_COACH_HOME, else the platform's."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("DECLINE_COACH_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("decline-coach", appauthor=False))
