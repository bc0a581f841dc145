"""Shown while the role-played hiring manager is "typing"."""

from __future__ import annotations

from textual.widgets import LoadingIndicator


class TypingIndicator(LoadingIndicator):
    pass
