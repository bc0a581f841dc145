"""``python -m bot.tui``: the app with no terminal check (what ``decline-coach serve`` runs).

``python -m bot`` falls back to line mode when stdin is not a terminal, and under
textual-serve it is a pipe, so the server starts the app through here instead.
"""

from __future__ import annotations

import argparse

from bot.cli.common import add_content_args, add_today_arg
from bot.tui import run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tui")
    parser.add_argument("--data-dir", metavar="DIR")
    parser.add_argument("--new", action="store_true")
    parser.add_argument("--case", type=int, metavar="ID")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-save", action="store_true")
    add_content_args(parser)
    add_today_arg(parser)
    return run(parser.parse_args())


raise SystemExit(main())
