"""Small fixes to how Textual's drivers meet the outside world, applied before the app starts.

Undecodable bytes on the terminal's input never end the app (``tolerate_undecodable``), and in
the browser the header icon is one the shipped font can draw (``prepare_web_app``).

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


def web_driver() -> bool:
    """True in the app process textual-serve starts (``decline-coach serve``)."""
    return os.environ.get("TEXTUAL_DRIVER", "").endswith("WebDriver")


def _replacing(encoding: str) -> Any:
    return functools.partial(codecs.getincrementaldecoder(encoding), errors="replace")


def tolerate_undecodable() -> None:
    """Make the drivers' incremental UTF-8 decoders replace bad bytes instead of raising."""
    # Only the driver this run uses is imported (the other would only cost start-up time).
    for name in ("textual.drivers.web_driver",) if web_driver() else ("textual.drivers.linux_driver",):
        try:
            module = importlib.import_module(name)
        except ImportError:  # pragma: no cover - a platform without that driver
            continue
        if hasattr(module, "getincrementaldecoder"):
            module.getincrementaldecoder = _replacing  # type: ignore[attr-defined]


#: The header icon in the browser: the shipped Roboto Mono has this glyph (Textual's default
#: "\u2b58" is in no font a browser is sure to have, so it showed as an empty box).
WEB_ICON = "\u2022"


def prepare_web_app() -> None:
    """In the served app process (``decline-coach serve``): headers default to ``WEB_ICON``."""
    from textual.widgets import _header

    original = _header.Header.__init__
    if getattr(original, "_decline_coach", False):
        return

    def __init__(self: Any, *args: Any, icon: str | None = None, **kwargs: Any) -> None:
        original(self, *args, icon=WEB_ICON if icon is None else icon, **kwargs)

    __init__._decline_coach = True  # type: ignore[attr-defined]
    _header.Header.__init__ = __init__  # type: ignore[method-assign]
