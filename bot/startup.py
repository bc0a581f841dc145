"""Start-up with the cyclic garbage collector paused, until the first prompt is on screen.

Starting the app makes a great many objects (modules, classes, the content, the widgets)
and frees almost none of them, yet every 700 allocations the collector walks the young ones
and now and then everything: over a hundred collections before the first message, tens of
milliseconds (about a tenth of the launch). Nothing is lost by waiting: memory that is not
part of a cycle is freed as usual, and cycles are collected once the front-end calls
``resume_gc()``, when the person is reading the first prompt. A collector that was already
off is left off.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """Turn the collector off for start-up (no-op when it is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Turn the collector back on if ``pause_gc`` turned it off (safe to call more than once)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
