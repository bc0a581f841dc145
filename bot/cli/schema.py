"""`decline-coach schema`: the JSON Schema of each content file, for an author's editor.

The shapes are declared once, in ``bot/schema.py``; ``dialogues/schema/`` holds copies of
what this prints (a test keeps them in step). Point an editor's YAML support at them, e.g.
VS Code's ``yaml.schemas``: ``{"dialogues/schema/flow.json": "dialogues/flows/*.yaml"}``.
"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print (or write) the JSON Schema of each content file")
    p.add_argument("name", nargs="?", help="one file's schema, e.g. critic or flow (default: all, as one document)")
    p.add_argument("--out", metavar="DIR", help="write one <name>.json per content file into DIR")
    p.set_defaults(func=run)


def dump(schema: object) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from bot.schema import SHAPES, json_schemas

    schemas = json_schemas()
    if args.name:
        key = args.name.removesuffix(".json").removesuffix(".yaml") + ".json"
        if key not in schemas:
            names = ", ".join(sorted(n.removesuffix(".json") for n in schemas))
            print(f"decline-coach schema: no content file called {args.name!r} (one of {names})", file=sys.stderr)
            return 2
        schemas = {key: schemas[key]}
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for name, schema in schemas.items():
            (out / name).write_text(dump(schema), encoding="utf-8")
        print(f"Wrote {len(schemas)} schema{'s' if len(schemas) != 1 else ''} to {out} ({len(SHAPES)} file shapes).")
        return 0
    sys.stdout.write(dump(next(iter(schemas.values())) if args.name else schemas))
    return 0
