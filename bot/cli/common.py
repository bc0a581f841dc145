"""What several commands share: loading content with clear errors, the reproducible clock."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.content import Content


def add_content_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dialogues", metavar="DIR", help="read dialogue content from DIR")
    parser.add_argument("--templates", metavar="DIR", help="read templates from DIR")


def add_today_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="treat this date as today (for reproducible runs; also DECLINE_COACH_TODAY)",
    )


def today_from(args: argparse.Namespace) -> dt.date:
    raw = getattr(args, "today", None) or os.environ.get("DECLINE_COACH_TODAY")
    if raw:
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise SystemExit(f"decline-coach: --today wants a date like 2026-11-21, not {raw!r}") from None
    return dt.date.today()


def load_or_exit(args: argparse.Namespace) -> Content:
    """Load content; a broken file prints `file:line: message` and exits 1, never a traceback.

    Content comes from the cache (``bot.content_cache``) when no file it was loaded from changed.
    """
    from bot.content_cache import load_content_cached
    from bot.yamlfile import ContentError

    try:
        return load_content_cached(getattr(args, "dialogues", None), getattr(args, "templates", None))
    except ContentError as exc:
        print(f"decline-coach: {exc}", file=sys.stderr)
        print("decline-coach: run `decline-coach check` for a full report.", file=sys.stderr)
        raise SystemExit(1) from None
