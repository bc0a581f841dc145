"""What the chat and the call screens do alike with the composer's and quick replies' messages.

Each screen keeps its own ``@on`` handlers (they are its wiring); the work is here, once.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import App

from bot.tui import labels
from bot.tui.widgets.composer import Composer
from bot.tui.widgets.quick_replies import QuickReplies


def take_quick_reply(composer: Composer, send: Callable[..., None], event: QuickReplies.Picked) -> None:
    """A picked quick reply is sent like a typed line, and kept in the input's history."""
    composer.history.add(event.choice.label)
    send(event.choice.key, shown=event.choice.label)
    composer.focus_input()


def pick_by_number(app: App[object], replies: QuickReplies, number: int) -> None:
    if not replies.pick(number):
        app.bell()


def paste_notice(app: App[object], event: Composer.PasteCleaned) -> None:
    """Say what cleaning a paste did: cut to the limit, control characters removed."""
    from bot.text import MAX_INPUT_CHARS

    if event.trimmed_from:
        msg = labels.TRIMMED_PASTE.format(length=event.trimmed_from, limit=MAX_INPUT_CHARS)
        app.notify(msg, severity="warning", markup=False)
    if event.removed:
        app.notify(labels.REMOVED_CONTROLS.format(count=event.removed), markup=False)
