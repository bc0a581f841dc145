"""``decline-coach followups``: what a decision owes; mark items done or send them to a calendar."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import TYPE_CHECKING

from bot.cli.cases import add_data_dir, not_found, open_store, print_json, store_command, table
from bot.cli.common import add_today_arg, today_from

if TYPE_CHECKING:
    from bot.followups import FollowUp


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "followups",
        help="follow-ups due after your decisions (thank-you notes, reconnecting, ...)",
        description=(
            "Follow-ups the coach worked out from your decisions: the email after a call, "
            "thank-you notes and a LinkedIn note within a week, and a window six to twelve "
            "months on to reconnect. With no action, list what is due and what is coming."
        ),
    )
    add_data_dir(parser)
    parser.add_argument("--all", action="store_true", help="include follow-ups already done")
    parser.add_argument("--json", action="store_true", help="print JSON")
    add_today_arg(parser)
    parser.set_defaults(func=cmd_list)
    actions = parser.add_subparsers(dest="followups_action", metavar="ACTION")

    done = actions.add_parser("done", help="mark a follow-up done")
    done.add_argument("id", type=int, metavar="ID", nargs="+")
    done.add_argument("--undo", action="store_true", help="put it back on the list")
    add_data_dir(done)
    done.set_defaults(func=cmd_done)

    export = actions.add_parser("export", help="write follow-ups to a calendar (.ics) file")
    export.add_argument(
        "--ics", metavar="FILE", required=True, help="the file to write ('-' for stdout)"
    )
    export.add_argument("--all", action="store_true", help="include follow-ups already done")
    add_data_dir(export)
    export.set_defaults(func=cmd_export)


def _json(item: FollowUp) -> dict[str, object]:
    return {
        "id": item.id,
        "case": item.case_id,
        "kind": item.kind,
        "title": item.title,
        "person": item.person,
        "due": item.due.isoformat(),
        "until": item.until.isoformat() if item.until else None,
        "done_on": item.done_on.isoformat() if item.done_on else None,
        "detail": item.detail,
    }


def _when(item: FollowUp, today: date) -> str:
    if item.until:
        return f"{item.due} to {item.until}"
    if item.due == today:
        return "today"
    return str(item.due)


@store_command
def cmd_list(args: argparse.Namespace) -> int:
    today = today_from(args)
    store = open_store(args, create=False, write=False)
    items: list[FollowUp] = []
    if store is not None:
        with store:
            items = store.all_followups(pending=not args.all)
    due = [f for f in items if not f.done and f.due <= today]
    upcoming = [f for f in items if not f.done and f.due > today]
    done = [f for f in items if f.done]
    if args.json:
        print_json(
            {
                "today": today.isoformat(),
                "due": [_json(f) for f in due],
                "upcoming": [_json(f) for f in upcoming],
                "done": [_json(f) for f in done],
            }
        )
        return 0
    if not items:
        print("No follow-ups yet: they appear once a decision is logged.")
        return 0
    from bot.followups import due_notice

    print(due_notice(len(due)) or "Nothing due today.")
    for heading, group in (("Due now", due), ("Coming up", upcoming), ("Done", done)):
        if not group:
            continue
        print(f"\n{heading}:")
        if heading == "Done":
            rows = [(f.id, _when(f, today), str(f.done_on), f.title) for f in group]
            print(table(("ID", "WHEN", "DONE ON", "FOLLOW-UP"), rows))
        else:
            print(
                table(
                    ("ID", "WHEN", "FOLLOW-UP"), [(f.id, _when(f, today), f.title) for f in group]
                )
            )
    if due or upcoming:
        print("\nMark one done with: decline-coach followups done ID")
    return 0


@store_command
def cmd_done(args: argparse.Namespace) -> int:
    store = open_store(args, create=False)
    if store is None:
        return not_found("follow-up", args.id[0])
    status = 0
    with store:
        for ident in args.id:
            try:
                item = store.mark_done(ident, done=not args.undo)
            except KeyError:
                status = not_found("follow-up", ident)
                continue
            verb = "Back on the list" if args.undo else "Done"
            print(f"{verb}: {item.title}")
    return status


@store_command
def cmd_export(args: argparse.Namespace) -> int:
    from bot.cli.log import write_private
    from bot.followups import to_ics

    store = open_store(args, create=False, write=False)
    items: list[FollowUp] = []
    source = ""
    if store is not None:
        source = str(store.path.resolve())
        with store:
            items = store.all_followups(pending=not args.all)
    text = to_ics(items, source=source)
    if args.ics == "-":
        sys.stdout.write(text)
        return 0
    try:
        write_private(args.ics, text, args)
    except OSError as exc:
        print(f"decline-coach: cannot write {args.ics}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"Wrote {len(items)} follow-up{'' if len(items) == 1 else 's'} to {args.ics}.")
    return 0
