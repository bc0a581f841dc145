"""`decline-coach graph`: a Mermaid state diagram of the conversation."""

from __future__ import annotations

import argparse
import sys

from bot.cli.common import add_content_args, load_or_exit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("graph", help="print a Mermaid state diagram of the flows")
    p.add_argument("--flow", metavar="NAME", help="only this flow")
    add_content_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.machine import mermaid

    content = load_or_exit(args)
    if args.flow and args.flow not in content.flows:
        known = ", ".join(sorted(content.flows))
        print(f"decline-coach graph: no flow named {args.flow!r} (known: {known})", file=sys.stderr)
        return 2
    sys.stdout.write(mermaid(content, args.flow))
    return 0
