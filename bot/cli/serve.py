"""`decline-coach serve`: the same app in a local browser (textual-serve), on 127.0.0.1 only.

The server (``bot.tui.served``) lets in only requests that carry the random session token of
the URL printed here (and opened in the browser), checks a websocket's Origin against the
served address, and runs one app process for the served session.
"""

from __future__ import annotations

import argparse
import shlex
import sys

from bot.cli.common import add_content_args, add_today_arg

HOST = "127.0.0.1"  # never another interface: the conversation is private


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="open the app in your browser (served on 127.0.0.1 only)")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.add_argument("--case", type=int, metavar="ID", help="reopen a stored case")
    p.add_argument("--seed", type=int, default=0, help="seed for varied wording (default 0)")
    p.add_argument("--no-save", action="store_true", help="do not store this conversation")
    p.add_argument(
        "--new", action="store_true", default=argparse.SUPPRESS, help="start a fresh case"
    )
    p.add_argument(
        "--data-dir", metavar="DIR", default=argparse.SUPPRESS, help="stored data folder"
    )
    add_content_args(p)
    add_today_arg(p)
    p.set_defaults(func=run)


def app_command(args: argparse.Namespace) -> str:
    """The command textual-serve runs for each browser session.

    ``python -m bot.tui`` rather than ``python -m bot``: the server talks to the app over
    pipes, and ``python -m bot`` falls back to line mode when stdin is not a terminal.
    """
    argv = [sys.executable, "-m", "bot.tui"]
    for flag, attr in (
        ("--data-dir", "data_dir"),
        ("--case", "case"),
        ("--dialogues", "dialogues"),
        ("--templates", "templates"),
        ("--today", "today"),
    ):
        value = getattr(args, attr, None)
        if value is not None:
            argv += [flag, str(value)]
    if getattr(args, "seed", 0):
        argv += ["--seed", str(args.seed)]
    if getattr(args, "new", False):
        argv.append("--new")
    if getattr(args, "no_save", False):
        argv.append("--no-save")
    return shlex.join(argv)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        print(f"decline-coach: --port wants 1-65535, not {args.port}", file=sys.stderr)
        return 2
    from bot.tui.served import GuardedServer

    server = GuardedServer(app_command(args), host=HOST, port=args.port, title="decline-coach")
    print(f"decline-coach: serving on {HOST}:{args.port} (ctrl+c to stop). Open this address", file=sys.stderr)
    print("decline-coach: (it holds this session's key; anything without it is refused):", file=sys.stderr)
    print(f"    {server.url}", file=sys.stderr, flush=True)
    if not getattr(args, "no_browser", False):
        _open_browser(server.url)
    server.serve()
    return 0


def _open_browser(url: str) -> None:
    """Open the URL in a graphical browser, if there is one (never a text browser in this terminal)."""
    import os
    import threading

    if sys.platform not in ("darwin", "win32") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return

    def go() -> None:
        import webbrowser

        try:
            webbrowser.open(url)
        except Exception:  # no browser: the printed URL is enough
            return

    threading.Thread(target=go, daemon=True).start()
