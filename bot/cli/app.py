"""Starting the Textual app (imported only when the app is wanted)."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        # No terminal to draw on (a pipe, CI): line mode is the useful thing to do.
        from bot.cli.chat import run_plain

        for name, default in (
            ("plain", True),
            ("transcript", None),
            ("seed", 0),
            ("no_save", False),
            ("case", None),
            ("dialogues", None),
            ("templates", None),
            ("today", None),
        ):
            if not hasattr(args, name):
                setattr(args, name, default)
        return run_plain(args)
    from bot.tui import run

    return run(args)
