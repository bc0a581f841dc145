"""The Textual front-end (the only package that imports Textual).

``from bot.tui import CoachApp`` gives the app class; ``run(args)`` starts it from the
command line's arguments.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.tui.app import CoachApp

__all__ = ["CoachApp", "options_from", "run"]


def __getattr__(name: str) -> Any:
    if name == "CoachApp":
        from bot.tui.app import CoachApp

        return CoachApp
    raise AttributeError(name)


def options_from(args: argparse.Namespace) -> Any:
    from bot.cli.common import today_from
    from bot.tui.engine import EngineOptions

    return EngineOptions(
        data_dir=getattr(args, "data_dir", None),
        new=bool(getattr(args, "new", False)),
        case_id=getattr(args, "case", None),
        today=today_from(args),
        seed=int(getattr(args, "seed", 0) or 0),
        persist=not getattr(args, "no_save", False),
        dialogues=getattr(args, "dialogues", None),
        templates=getattr(args, "templates", None),
    )


def run(args: argparse.Namespace) -> int:
    from bot.startup import pause_gc

    pause_gc()  # from before Textual is imported; the app resumes it at its first message
    from bot.tui.app import CoachApp
    from bot.tui.driver_fixes import prepare_web_app, tolerate_undecodable, web_driver

    tolerate_undecodable()  # a 0xff keystroke or paste becomes U+FFFD, not a crash
    if web_driver():
        prepare_web_app()  # under `decline-coach serve`: a header icon the browser can draw
    app = CoachApp(options_from(args))
    app.run()
    return int(app.return_code or 0)
