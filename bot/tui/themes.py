"""Two restrained themes: calm on a dark terminal and on a light one."""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="decline-coach",
    primary="#6fb3a8",  # the coach: a quiet teal
    secondary="#8fa3c7",  # the person
    accent="#d9a55b",  # the hiring manager, and anything that needs a glance
    warning="#d9a55b",
    error="#d97a6f",
    success="#8cbf7a",
    foreground="#d8dade",
    background="#191b20",
    surface="#20232a",
    panel="#272b33",
    dark=True,
)

LIGHT = Theme(
    name="decline-coach-light",
    primary="#2f7d72",
    secondary="#4a5f8c",
    accent="#a8661b",
    warning="#a8661b",
    error="#b0473b",
    success="#4c7f3d",
    foreground="#24272d",
    background="#f6f5f1",
    surface="#ecebe6",
    panel="#e2e0d9",
    dark=False,
)

THEMES = (DARK, LIGHT)
