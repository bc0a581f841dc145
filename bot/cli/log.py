"""``decline-coach log``: list the decision log, show an entry, export it (CSV, JSON, Markdown)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import TYPE_CHECKING

from bot.cli.cases import (
    add_data_dir,
    data_dir,
    not_found,
    open_store,
    print_json,
    store_command,
    table,
    when,
)
from bot.store import DECISION_FIELDS

if TYPE_CHECKING:
    from bot.store import DecisionEntry

FORMATS = ("csv", "json", "md")
#: Export columns: the entry's id (its case id) then every logged field, in log order.
COLUMNS = ("id", *DECISION_FIELDS, "recorded")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "log",
        help="the decision log: every offer you decided on",
        description=(
            "Every decision the coach helped with: company, role, hiring manager, recruiter, "
            "offer date, decision and date, main reason, channel, who was notified, feedback "
            "and notes. With no action, list it (latest first)."
        ),
    )
    add_data_dir(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=cmd_list)
    actions = parser.add_subparsers(dest="log_action", metavar="ACTION")

    show = actions.add_parser("show", help="show one entry in full")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    add_data_dir(show)
    show.set_defaults(func=cmd_show)

    export = actions.add_parser("export", help="export the whole log")
    export.add_argument(
        "--format", choices=FORMATS, default="csv", help="csv (default), json or md"
    )
    export.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE (readable only by you)"
    )
    add_data_dir(export)
    export.set_defaults(func=cmd_export)


def _entries(args: argparse.Namespace) -> list[DecisionEntry]:
    store = open_store(args, create=False, write=False)
    if store is None:
        return []
    with store:
        return store.decisions()


@store_command
def cmd_list(args: argparse.Namespace) -> int:
    entries = _entries(args)
    if args.json:
        print_json({"decisions": [e.to_json() for e in entries]})
        return 0
    if not entries:
        print("The decision log is empty.")
        return 0
    rows = [
        (e.case_id, e.decided_on or "", e.decision, e.company, e.role, e.reason, e.channel)
        for e in entries
    ]
    print(table(("ID", "DECIDED", "DECISION", "COMPANY", "ROLE", "REASON", "CHANNEL"), rows))
    return 0


LABELS = {
    "company": "Company",
    "role": "Role",
    "manager": "Hiring manager",
    "recruiter": "Recruiter",
    "offer_date": "Offer date",
    "decision": "Decision",
    "decided_on": "Decided on",
    "reason": "Main reason",
    "channel": "Channel",
    "notified": "Notified",
    "feedback": "Feedback",
    "notes": "Notes",
}


@store_command
def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args, create=False, write=False)
    if store is None:
        return not_found("log entry", args.id)
    with store:
        entry = store.decision(args.id)
    if entry is None:
        return not_found("log entry", args.id)
    if args.json:
        print_json(entry.to_json())
        return 0
    data = entry.to_json()
    width = max(len(label) for label in LABELS.values())
    print(f"Log entry {entry.case_id} (recorded {when(entry.recorded)})")
    for key, label in LABELS.items():
        value = data[key]
        if isinstance(value, list):
            value = ", ".join(value)
        text = str(value) if value not in (None, "") else "-"
        text = text.replace("\n", "\n" + " " * (width + 4))  # keep multi-line notes indented
        print(f"  {label.ljust(width)}  {text}")
    return 0


def _row(entry: DecisionEntry) -> dict[str, str]:
    data = entry.to_json()
    data["notified"] = "; ".join(data["notified"])
    return {k: "" if data[k] is None else str(data[k]) for k in COLUMNS}


def to_csv(entries: list[DecisionEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for entry in entries:
        writer.writerow(_row(entry))
    return out.getvalue()


def to_json(entries: list[DecisionEntry]) -> str:
    return (
        json.dumps({"decisions": [e.to_json() for e in entries]}, ensure_ascii=False, indent=2)
        + "\n"
    )


def _md_cell(value: str) -> str:
    return " ".join(value.split()).replace("\\", "\\\\").replace("|", "\\|")


def to_md(entries: list[DecisionEntry]) -> str:
    headers = ["ID", *(LABELS[k] for k in COLUMNS if k in LABELS)]
    lines = [
        "# Decision log",
        "",
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    for entry in entries:
        row = _row(entry)
        cells = [row["id"], *(row[k] for k in COLUMNS if k in LABELS)]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_private(path: str, text: str, args: argparse.Namespace | None = None) -> None:
    """Write ``text`` to ``path`` (0600, never through a link; see ``bot.safefile``) and
    remember it in the data folder, so ``forget`` can offer to delete it."""
    from bot.safefile import remember
    from bot.safefile import write_private as write

    written = write(path, text)
    if args is not None:
        remember(data_dir(args), written)


@store_command
def cmd_export(args: argparse.Namespace) -> int:
    entries = _entries(args)
    text = {"csv": to_csv, "json": to_json, "md": to_md}[args.format](entries)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    try:
        write_private(args.output, text, args)
    except OSError as exc:
        print(f"decline-coach: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Wrote {len(entries)} log entr{'y' if len(entries) == 1 else 'ies'} to {args.output}.")
    return 0
