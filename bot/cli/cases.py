"""``decline-coach cases``: list, show, rename, reopen and delete saved conversations.

Also holds the small helpers the store's commands share (``log``, ``followups``,
``forget``): the ``--data-dir`` option accepted after the sub-command, opening the store
with its problems printed rather than raised, and the yes/no confirmation.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.store import Store

Command = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------------- shared helpers


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: when not given here, the global `decline-coach --data-dir DIR` value stands.
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="use DIR for stored data this run",
    )


def data_dir(args: argparse.Namespace) -> Path:
    from bot.paths import data_dir as resolve

    return resolve(getattr(args, "data_dir", None))


def open_store(args: argparse.Namespace, *, create: bool = True, write: bool = True) -> Store | None:
    """The store for this run; its problems (a damaged file moved aside, ...) go to stderr.

    With ``create=False`` a missing file is not created (read-only commands on a fresh
    machine should leave nothing behind) and None is returned. With ``write=False`` the file
    is opened read-only: nothing is created, moved or rewritten, a damaged file is reported
    and what can be read is read (a read-only disk is fine too).
    """
    from bot.store import Store, StoreProblem, db_path

    directory = data_dir(args)
    if directory.exists() and not directory.is_dir():
        raise StoreProblem(f"{directory} is a file, not a folder: no saved data can be kept there.")
    if not create and not db_path(directory).exists() and not db_path(directory).is_symlink():
        return None
    store = Store(directory, readonly=not write)
    if store.problem is not None:
        print(f"decline-coach: {store.problem}", file=sys.stderr)
    return store


def store_command(func: Command) -> Command:
    """Run a command; a StoreProblem is one line on stderr and exit status 1, no traceback."""

    @functools.wraps(func)
    def wrapper(args: argparse.Namespace) -> int:
        from bot.store import StoreProblem

        try:
            return func(args)
        except StoreProblem as exc:
            print(f"decline-coach: {exc}", file=sys.stderr)
            return 1

    return wrapper


def confirm(question: str, *, assume_yes: bool, what: str) -> bool:
    """Ask the person to type "yes". Refuses (False) when nobody is there to answer."""
    if assume_yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        print(
            f"decline-coach: not {what} without confirmation: stdin is not a terminal. "
            "Add --yes to confirm from a script.",
            file=sys.stderr,
        )
        return False
    try:
        answer = input(f"{question} Type yes to confirm: ")
    except EOFError:
        answer = ""
    if answer.strip().casefold() != "yes":
        print(f"Cancelled: nothing {'deleted' if 'delet' in what else 'changed'}.")
        return False
    return True


def when(stamp: str) -> str:
    """A stored UTC timestamp as local time, minutes precision."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [
        [" ".join(str("" if c is None else c).split()) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def not_found(kind: str, ident: int) -> int:
    print(f"decline-coach: no {kind} {ident}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------- the command


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "cases",
        help="list, show, reopen or delete saved conversations",
        description=(
            "Each job offer you talk through is a case, saved turn by turn. With no action, "
            "list them (most recent first)."
        ),
    )
    add_data_dir(parser)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=cmd_list)
    actions = parser.add_subparsers(dest="cases_action", metavar="ACTION")

    show = actions.add_parser("show", help="show one case and its conversation")
    show.add_argument("id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true", help="print JSON")
    add_data_dir(show)
    show.set_defaults(func=cmd_show)

    delete = actions.add_parser("delete", help="delete a case with its log entry and follow-ups")
    delete.add_argument("id", type=int, metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    add_data_dir(delete)
    delete.set_defaults(func=cmd_delete)

    rename = actions.add_parser("rename", help="give a case a new title")
    rename.add_argument("id", type=int, metavar="ID")
    rename.add_argument("title", metavar="TITLE")
    add_data_dir(rename)
    rename.set_defaults(func=cmd_rename)

    reopen = actions.add_parser(
        "reopen", help="mark a finished case unfinished, so the coach offers to resume it"
    )
    reopen.add_argument("id", type=int, metavar="ID")
    add_data_dir(reopen)
    reopen.set_defaults(func=cmd_reopen)


@store_command
def cmd_list(args: argparse.Namespace) -> int:
    store = open_store(args, create=False, write=False)
    cases = store.list_cases() if store else []
    if store:
        store.close()
    if args.json:
        print_json({"cases": [_summary_json(c) for c in cases]})
        return 0
    if not cases:
        print("No saved cases yet.")
        return 0
    rows = [
        (
            c.id,
            when(c.updated),
            c.turns,
            "finished" if c.finished else "open",
            c.decision or "",
            c.title,
        )
        for c in cases
    ]
    print(table(("ID", "UPDATED", "TURNS", "STATUS", "DECISION", "TITLE"), rows))
    return 0


def _summary_json(case: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(case)


@store_command
def cmd_show(args: argparse.Namespace) -> int:
    store = open_store(args, create=False, write=False)
    if store is None:
        return not_found("case", args.id)
    with store:
        try:
            record = store.load_case(args.id)
        except KeyError:
            return not_found("case", args.id)
        decision = store.decision(args.id)
    if args.json:
        from dataclasses import asdict

        data = asdict(record)
        data["decision"] = decision.to_json() if decision else None
        print_json(data)
        return 0
    print(f"Case {record.id}: {record.title or '(untitled)'}")
    print(
        f"Started {when(record.created)}, last turn {when(record.updated)}, "
        f"{'finished' if record.finished else 'open'}."
    )
    if decision:
        print(
            f"Decision: {decision.decision}"
            + (f" on {decision.decided_on}" if decision.decided_on else "")
        )
    slots = record.snapshot.get("slots") or {}
    if isinstance(slots, dict) and slots:
        print()
        for name, value in slots.items():
            if value not in (None, "", [], {}):
                print(f"  {name}: {value}")
    if record.transcript:
        print()
    for turn in record.transcript:
        if turn.user_text is not None:
            print(f"you: {turn.user_text}")
        for event in turn.events:
            line = _event_line(event)
            if line:
                print(line)
    return 0


def _event_line(event: dict[str, Any]) -> str:
    kind = event.get("event") or event.get("kind") or ""
    if kind == "choices":
        labels = [
            str(o.get("label", "")) for o in event.get("options") or [] if isinstance(o, dict)
        ]
        return "  options: " + " / ".join(labels) if labels else ""
    if kind == "draft":
        return f"[draft: {event.get('title', '')}]\n{event.get('text', '')}"
    if kind in ("advice", "scorecard", "comparison"):
        return f"[{kind}: {event.get('title', '')}]"
    text = event.get("text")
    if not text:
        return ""
    speaker = event.get("speaker") or "coach"
    return f"{speaker}: {text}"


@store_command
def cmd_delete(args: argparse.Namespace) -> int:
    store = open_store(args, create=False)
    if store is None:
        return not_found("case", args.id)
    with store:
        try:
            record = store.load_case(args.id, transcript=False)
        except KeyError:
            return not_found("case", args.id)
        question = (
            f"Delete case {record.id} ({record.title or 'untitled'}) with its conversation, "
            "its decision-log entry and its follow-ups?"
        )
        if not confirm(question, assume_yes=args.yes, what="deleting a case"):
            return 1
        store.delete_case(args.id)
    print(f"Deleted case {args.id}.")
    return 0


def _on_case(args: argparse.Namespace, act: Callable[[Store], None], done: str) -> int:
    """Apply one change to case ``args.id``; an unknown case is reported, not raised."""
    store = open_store(args, create=False)
    if store is None:
        return not_found("case", args.id)
    with store:
        try:
            act(store)
        except KeyError:
            return not_found("case", args.id)
    print(done)
    return 0


@store_command
def cmd_rename(args: argparse.Namespace) -> int:
    from bot.text import sanitise

    title = sanitise(args.title, limit=200).text
    return _on_case(args, lambda store: store.rename_case(args.id, title), f"Renamed case {args.id}.")


@store_command
def cmd_reopen(args: argparse.Namespace) -> int:
    return _on_case(
        args,
        lambda store: store.reopen_case(args.id),
        f"Case {args.id} is open again; starting the coach will offer to resume it.",
    )
