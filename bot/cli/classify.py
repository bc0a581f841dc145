"""`decline-coach classify`: which intent a text means, with the evidence."""

from __future__ import annotations

import argparse
import json
import sys

from bot.cli.common import add_content_args, load_or_exit


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help="show which intent a text means, and why")
    p.add_argument("text", nargs="*", help="the text to classify")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--jsonl", action="store_true", help="classify each stdin line; one JSON object a line")
    add_content_args(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.text import sanitise

    if not args.text and not args.jsonl:
        print("decline-coach classify: give a TEXT, or --jsonl to read lines from stdin", file=sys.stderr)
        return 2
    content = load_or_exit(args)
    if args.jsonl:
        for line in sys.stdin:
            text = sanitise(line).text
            print(json.dumps(content.match_intent(text).to_dict("intent"), ensure_ascii=False))
        return 0
    text = sanitise(" ".join(args.text)).text
    result = content.match_intent(text)
    if args.json:
        print(json.dumps(result.to_dict("intent"), ensure_ascii=False, indent=2))
        return 0
    label = result.label or "(none: out of scope)"
    print(f"intent:   {label}")
    print(f"score:    {result.score:.1f}  (reason: {result.reason}, margin {result.margin:.1f})")
    if result.example:
        print(f"example:  {result.example!r} ({result.matched_label})")
    if result.negated:
        print("negated:  yes, the text negates the example")
    for alt in result.alternatives:
        print(f"  also:   {alt.label} {alt.score:.1f}")
    return 0
