"""Copying to the clipboard and saving to files, with honest messages about what happened."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

# Terminals known to accept OSC 52 clipboard writes from applications.
_OSC52_TERMINALS = (
    "iterm.app",
    "wezterm",
    "kitty",
    "ghostty",
    "alacritty",
    "foot",
    "contour",
    "rio",
    "vscode",
)


def clipboard_support(env: Mapping[str, str] | None = None) -> str:
    """``"yes"``, ``"no"`` or ``"maybe"``: can this terminal take an OSC 52 clipboard write?"""
    env = os.environ if env is None else env
    if env.get("TEXTUAL_DRIVER", "").endswith("WebDriver"):
        return "yes"  # textual-serve passes copies to the browser
    program = env.get("TERM_PROGRAM", "").lower()
    if program == "apple_terminal":
        return "no"
    term = env.get("TERM", "").lower()
    if "tmux" in program or env.get("TMUX") or term.startswith(("screen", "tmux")):
        return "maybe"  # only with `set -g set-clipboard on`
    if env.get("WT_SESSION") or env.get("KITTY_WINDOW_ID") or env.get("WEZTERM_PANE"):
        return "yes"
    if any(name in program or name in term for name in _OSC52_TERMINALS):
        return "yes"
    return "maybe"


def copy_message(support: str, what: str) -> tuple[str, str]:
    """(message, severity) to show after sending ``what`` to the clipboard."""
    if support == "yes":
        return f"{what} copied to the clipboard.", "information"
    if support == "no":
        return (
            f"This terminal cannot receive copies from apps (no OSC 52). Save the {what.lower()} to a file instead.",
            "warning",
        )
    return (
        f"{what} sent to the clipboard (OSC 52). If nothing arrives, your terminal or tmux "
        "does not allow it: save to a file instead.",
        "information",
    )


def slug(text: str, fallback: str = "draft") -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60] or fallback


def default_export_dir(data_dir: Path | None) -> Path:
    """Where saved drafts and transcripts go unless the person picks another place."""
    base = data_dir if data_dir is not None else Path.cwd()
    return base / "exports"


def save_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` (created private: 0600), making its folder if needed."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    from bot.safefile import write_private  # 0600 even when overwriting; never through a link

    write_private(path, text if text.endswith("\n") else text + "\n", newline=None)
    return path.resolve()
