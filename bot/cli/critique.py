"""`decline-coach critique FILE|-`: check a draft and point at the words behind each finding.

One line per check: a tick or a cross, the message, the words responsible and a suggestion.
With --json: ``{"findings": [{"check", "ok", "message", "span", "quote", "suggestion"}],
"score"}``; ``span`` is [start, end) character offsets into the text as read (after
terminal escapes and carriage returns are removed), or null.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "critique",
        help="check a draft (a file, or - for stdin) and show what to fix",
        description="Check a decline draft: gratitude, a clear decision, one reason, an "
        "open door, length, no pay figures, no criticism, hedging, grovelling or placeholders.",
    )
    p.add_argument("file", metavar="FILE", help="the draft to check, or - to read stdin")
    p.add_argument(
        "--kind",
        metavar="KIND",
        help="the kind of message (e.g. linkedin-note) when it changes what is expected",
    )
    p.add_argument("--json", action="store_true", help="print the findings and score as JSON")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(f"decline-coach critique: {message}", file=sys.stderr)
    return 2


def _read(name: str) -> tuple[str | None, str]:
    """(text, "") or (None, error message)."""
    if name == "-":
        data = sys.stdin.buffer.read()
        label = "standard input"
    else:
        path = Path(name)
        if not path.exists():
            return None, f"no such file: {name}"
        if path.is_dir():
            return None, f"{name} is a folder, not a file"
        try:
            data = path.read_bytes()
        except OSError as exc:
            return None, f"cannot read {name}: {exc.strerror or exc}"
        label = name
    if b"\x00" in data[:8192]:
        return None, f"{label} looks like a binary file, not a text draft"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, f"{label} is not UTF-8 text; save it as UTF-8 and try again"
    return text, ""


def _marks() -> tuple[str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗→“”".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "+", "x"
    return "✓", "✗"


def run(args: argparse.Namespace) -> int:
    from bot.critic import critique
    from bot.text import sanitise
    from bot.yamlfile import ContentError

    raw, error = _read(args.file)
    if raw is None:
        return _fail(error)
    clean = sanitise(raw, multiline=True)
    if not clean.text.strip():
        return _fail("the draft is empty")
    try:
        result = critique(clean.text, kind=args.kind)
    except ContentError as exc:
        return _fail(f"{exc}\nrun `decline-coach check` for a full report")
    if clean.trimmed:
        print(
            f"decline-coach critique: note: only the first {len(clean.text)} characters "
            f"were checked (the draft had {clean.original_length})",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return 0
    ok_mark, bad_mark = _marks()
    ascii_only = ok_mark == "+"
    for f in result.findings:
        mark = ok_mark if f.ok else bad_mark
        print(f"{mark} {f.check}: {f.message}")
        if not f.ok and f.quote:
            quote = " ".join(f.quote.split())
            print(f'    "{quote}"' if ascii_only else f"    “{quote}”")
        if not f.ok and f.suggestion:
            print(f"    {'->' if ascii_only else '→'} {f.suggestion}")
    checks = result.checks()
    passed = sum(1 for ok in checks.values() if ok)
    print(f"\nscore: {result.score}/100 ({passed} of {len(checks)} checks pass)")
    return 0
