"""``decline-coach forget``: delete everything the coach has stored about you."""

from __future__ import annotations

import argparse

from bot.cli.cases import add_data_dir, confirm, data_dir, store_command


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "forget",
        help="delete all stored data (cases, decision log, follow-ups)",
        description=(
            "Delete every saved case, the decision log and all follow-ups, including copies "
            "of damaged files that were moved aside. Asks you to type 'yes' first."
        ),
    )
    parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    add_data_dir(parser)
    parser.set_defaults(func=cmd_forget)


@store_command
def cmd_forget(args: argparse.Namespace) -> int:
    from bot.store import forget, stored_files

    directory = data_dir(args)
    files = stored_files(directory)
    if not files:
        print(f"Nothing stored in {directory}.")
        return 0
    question = (
        f"Delete all decline-coach data in {directory} ({len(files)} file"
        f"{'' if len(files) == 1 else 's'}: every case, the decision log and follow-ups)? "
        "This cannot be undone."
    )
    if not confirm(question, assume_yes=args.yes, what="deleting your data"):
        return 1
    removed = forget(directory)
    print(f"Deleted {len(removed)} file{'' if len(removed) == 1 else 's'} from {directory}.")
    if directory.is_dir():
        others = sorted(p.name for p in directory.iterdir())
        if others:
            print(f"Left alone (not the coach's data store): {', '.join(others)}")
    return 0
