"""``decline-coach forget``: delete everything the coach has stored about you."""

from __future__ import annotations

import argparse
import contextlib
import sys

from bot.cli.cases import add_data_dir, confirm, data_dir, store_command


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "forget",
        help="delete all stored data (cases, decision log, follow-ups)",
        description=(
            "Delete every saved case, the decision log and all follow-ups, including copies "
            "of damaged files that were moved aside. Asks you to type 'yes' first. Lists the "
            "exports, transcripts and calendars the coach wrote for you and offers to delete "
            "them too (--exports deletes them without asking)."
        ),
    )
    parser.add_argument("--yes", action="store_true", help="do not ask (for scripts)")
    parser.add_argument(
        "--exports",
        action="store_true",
        help="also delete the exports, transcripts and calendars the coach wrote for you",
    )
    add_data_dir(parser)
    parser.set_defaults(func=cmd_forget)


@store_command
def cmd_forget(args: argparse.Namespace) -> int:
    from bot.safefile import MANIFEST, written_files
    from bot.store import UnsavedNote, forget, stored_files

    directory = data_dir(args)
    files = stored_files(directory)
    written = written_files(directory)  # read before the list itself is deleted
    running = UnsavedNote.running(directory)
    if not files and not written:
        print(f"Nothing stored in {directory}.")
        return 0
    if files:
        question = (
            f"Delete all decline-coach data in {directory} ({len(files)} file"
            f"{'' if len(files) == 1 else 's'}: every case, the decision log and follow-ups)? "
            "This cannot be undone."
        )
        if not confirm(question, assume_yes=args.yes, what="deleting your data"):
            return 1
        removed = forget(directory)
        print(f"Deleted {len(removed)} file{'' if len(removed) == 1 else 's'} from {directory}.")
        if running:
            print(
                f"{running} decline-coach conversation{' is' if running == 1 else 's are'} still open "
                "on this data: it will notice, say so, and save nothing more."
            )
    if written:
        print("The coach also wrote these files for you (exports, transcripts, calendars):")
        for path in written:
            print(f"  {path}")
        wanted = args.exports or (
            not args.yes
            and confirm("Delete these files too?", assume_yes=False, what="deleting exported files")
        )
        if wanted:
            gone = 0
            for path in written:
                try:
                    path.unlink()
                    gone += 1
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    print(f"decline-coach: could not delete {path}: {exc.strerror or exc}", file=sys.stderr)
            print(f"Deleted {gone} exported file{'' if gone == 1 else 's'}.")
            with contextlib.suppress(OSError):
                (directory / MANIFEST).unlink()
            with contextlib.suppress(OSError):
                (directory / "exports").rmdir()
            with contextlib.suppress(OSError):
                directory.rmdir()
        else:
            print("Left them in place (run `decline-coach forget --exports` to delete them too).")
    elif files:
        with contextlib.suppress(OSError):
            (directory / MANIFEST).unlink()  # it listed nothing that still exists
            directory.rmdir()
    if directory.is_dir():
        others = sorted(p.name for p in directory.iterdir() if p.name not in (MANIFEST, "exports"))
        if others:
            print(f"Left alone (not the coach's data store): {', '.join(others)}")
    return 0
