"""`decline-coach check`: validate all content; exit 1 with `file:line: message` lines."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import add_content_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="validate the dialogue content and templates")
    add_content_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.check import check

    problems = check(
        Path(args.dialogues) if args.dialogues else None,
        Path(args.templates) if args.templates else None,
    )
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found.", file=sys.stderr)
        return 1
    print("Content is fine: no problems found.")
    return 0
