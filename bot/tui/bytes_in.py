"""Undecodable bytes on the terminal's input never end the app.

Textual's input threads (``linux_driver`` for a terminal, ``web_driver`` under
``decline-coach serve``) decode stdin with a strict UTF-8 decoder: one byte such as 0xff, typed
or pasted, raises ``UnicodeDecodeError`` in the input thread and the app exits with a
traceback. ``tolerate_undecodable()`` makes those decoders replace such bytes with U+FFFD,
as every other way text enters the coach does (``bot.text.sanitise`` then keeps it as text).
"""

from __future__ import annotations

import codecs
import functools
import importlib
import os
from typing import Any


def _replacing(encoding: str) -> Any:
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def tolerate_undecodable() -> None:
    """Make the drivers' incremental UTF-8 decoders replace bad bytes instead of raising."""
    # Only the driver this run uses is imported (the other would only cost start-up time).
    web = os.environ.get("TEXTUAL_DRIVER", "").endswith("WebDriver")
    for name in ("textual.drivers.web_driver",) if web else ("textual.drivers.linux_driver",):
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a platform without that driver
            continue
        if hasattr(module, "getincrementaldecoder"):
            module.getincrementaldecoder = _replacing  # type: ignore[attr-defined]
