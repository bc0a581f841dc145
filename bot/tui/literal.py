"""Text from the person or the engine, made safe to put on screen.

Everything shown goes through :func:`literal`: it becomes a Textual ``Content`` (never
markup, so ``[@click=app.quit]`` and ``[/foo]`` are just characters), and any control
character left in it is replaced by its visible Unicode picture (ESC shows as ``␛``), so
nothing reaches the terminal that could act on it.
"""

from __future__ import annotations

import re

from textual.content import Content

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def visible(text: str) -> str:
    """``text`` with control characters (other than newline and tab) made visible."""
    return _CONTROL.sub(_picture, text).replace("\t", "    ")


def literal(text: str, style: str = "") -> Content:
    """A literal ``Content`` for ``text``: no markup, no escapes, nothing that acts."""
    content = Content(visible(text))
    return content.stylize(style) if style else content
