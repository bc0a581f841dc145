"""`decline-coach chat`: the conversation, in the app or line by line (`--plain`)."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from bot.cli.common import add_content_args, add_today_arg, load_or_exit, today_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="talk with the coach (the app, or --plain for line mode)")
    p.add_argument("--plain", action="store_true", help="line mode on stdin/stdout (no app)")
    p.add_argument("--transcript", metavar="FILE", help="write the conversation as Markdown")
    p.add_argument("--seed", type=int, default=0, help="seed for varied wording (default 0)")
    p.add_argument("--no-save", action="store_true", help="do not store this conversation")
    p.add_argument("--case", type=int, metavar="ID", help="reopen a stored case")
    p.add_argument("--new", action="store_true", default=argparse.SUPPRESS, help="start a fresh case")
    p.add_argument(
        "--turn-end",
        metavar="MARK",
        help="plain mode: print MARK on its own line after each turn (MARK multiline when the next turn is read "
        "up to an empty line), so a program driving the chat can find turn boundaries (default: off)",
    )
    p.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="stored data folder")
    add_content_args(p)
    add_today_arg(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.plain:
        from bot.cli.app import run_app

        return run_app(args)
    return run_plain(args)


def run_plain(args: argparse.Namespace) -> int:
    from bot.conversation import Conversation
    from bot.events import End
    from bot.plain import format_event, transcript_markdown
    from bot.text import sanitise

    content = load_or_exit(args)
    conv = Conversation.open(
        content,
        data_dir=getattr(args, "data_dir", None),
        new=bool(getattr(args, "new", False)),
        case_id=args.case,
        today=today_from(args),
        seed=args.seed,
        persist=not args.no_save,
    )
    interactive = sys.stdin.isatty()
    # Any byte may arrive (a binary paste, Latin-1 text): undecodable ones become U+FFFD,
    # never an error (and never lone surrogates that cannot be stored).
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="replace")
    out = sys.stdout

    def show(events: list) -> bool:
        ended = False
        for ev in events:
            text = format_event(ev)
            if text:
                print(text, file=out)
            ended = ended or isinstance(ev, End)
        print(file=out)
        if args.turn_end:
            print(args.turn_end + (" multiline" if conv.session.expects_multiline else ""), file=out)
        out.flush()
        return ended

    show(conv.opening())
    try:
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            multiline = conv.session.expects_multiline
            if multiline:
                # How to end a letter of many paragraphs, said before it is asked for.
                print(conv.session.message("letter_end"), file=out)
                out.flush()
            line = _read_turn(multiline)
            if line is None:
                break
            if not interactive:
                # Echo scripted input (cleaned, as the coach saw it) so a run reads as a dialogue.
                shown = sanitise(line, multiline=conv.session.expects_multiline).text
                print("> " + shown.replace("\n", "\n> "), file=out)
            if show(conv.send(line)):
                break
    except KeyboardInterrupt:
        print(file=out)
    finally:
        conv.close()
        if args.transcript:
            from bot.safefile import remember, write_private

            try:
                written = write_private(args.transcript, transcript_markdown(conv.session.transcript), newline=None)
                if conv.store is not None:
                    remember(conv.store.directory, written)
            except OSError as exc:
                print(f"decline-coach: could not write {args.transcript}: {exc.strerror or exc}", file=sys.stderr)
                return 1
    return 0


class _Lines:
    """The lines of a text stream, each ended by LF, CRLF or a lone CR alike.

    Standard input on Linux splits only at LF, so a paste with CR line endings (many
    terminals, old Mac files) would otherwise arrive as one line.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.pending: list[str] = []

    def next(self) -> str | None:
        if self.pending:
            return self.pending.pop(0)
        chunk = self.stream.readline()
        if not chunk:
            return None
        parts = chunk.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if len(parts) > 1 and parts[-1] == "":
            parts.pop()  # the chunk's own line ending
        self.pending = parts[1:]
        return parts[0]


_lines: _Lines | None = None

#: A line holding only this ends a letter (as in mail programs); so does the end of input.
LETTER_END = "."


def _read_turn(multiline: bool) -> str | None:
    global _lines
    if _lines is None or _lines.stream is not sys.stdin:
        _lines = _Lines(sys.stdin)
    line = _lines.next()
    if line is None or not multiline:
        return line
    # A letter of any number of paragraphs: blank lines are part of it; it ends at a line
    # with a single "." or at the end of input.
    lines: list[str] = []
    while line is not None and line.strip() != LETTER_END:
        lines.append(line)
        line = _lines.next()
    return "\n".join(lines)
