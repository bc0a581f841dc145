"""The ``decline-coach`` command line.

Each sub-command lives in its own module with ``register(subparsers)``; heavy imports
(Textual, the engine) happen inside the command's function so ``--help`` and plain mode
start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__

# Order is the order shown in --help.
COMMAND_MODULES = (
    "bot.cli.chat",
    "bot.cli.classify",
    "bot.cli.advise",
    "bot.cli.draft",
    "bot.cli.critique",
    "bot.cli.rehearse",
    "bot.cli.log",
    "bot.cli.followups",
    "bot.cli.cases",
    "bot.cli.forget",
    "bot.cli.check",
    "bot.cli.schema",
    "bot.cli.graph",
    "bot.cli.serve",
)


def _wanted(argv: Sequence[str]) -> tuple[str, ...]:
    """The command modules this run needs: just the named command's, or all for --help.

    Importing every command to build --help costs more than the plain chat's whole start-up
    budget, so a run that names its command imports only that one.
    """
    names = {m.rsplit(".", 1)[1]: m for m in COMMAND_MODULES}
    for arg in argv:
        if arg.startswith("-"):
            continue
        if arg in names:
            return (names[arg],)
        break
    return COMMAND_MODULES


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="decline-coach",
        description=(
            "An offline coach for turning down a job offer without burning the bridge. "
            "Run with no command to open the app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"decline-coach {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="use DIR for stored data this run")
    parser.add_argument("--new", action="store_true", help="start a fresh case instead of resuming")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = COMMAND_MODULES if argv is None else _wanted(argv)
    for name in modules:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from bot.cli.app import run_app

        return run_app(args)
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and the like: not an error worth a traceback.
        sys.stderr.close()
        return 0
