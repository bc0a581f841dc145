"""A draft in the conversation: its title, the first lines, the review, and a way to open it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Static

from bot.events import Draft
from bot.tui import labels
from bot.tui.literal import literal

PREVIEW_LINES = 4


class DraftCard(Vertical):
    class Open(Message):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    def __init__(self, draft: Draft, *, open_label: str, review_label: str) -> None:
        super().__init__(classes="card -draft")
        self.draft = draft
        self.open_label = open_label
        self.review_label = review_label

    def compose(self) -> ComposeResult:
        d = self.draft
        head = Content.assemble(literal(d.title, "bold"), literal(f"  ·  {d.tone}", "$text-muted"))
        lines = d.text.strip().splitlines()
        preview = "\n".join(lines[:PREVIEW_LINES]) + ("\n…" if len(lines) > PREVIEW_LINES else "")
        yield Static(head, markup=False, classes="draft-head")
        yield Static(literal(preview), markup=False, classes="draft-preview")
        failed = sum(1 for f in d.findings if not f.ok)
        if d.findings:
            label = self.review_label if failed else labels.DRAFT_REVIEW_CLEAN
            note = label.format(failed=failed, count=len(d.findings))
            style = "$warning" if failed else "$success"
            yield Static(literal(note, style), markup=False, classes="draft-review")
        yield Button(self.open_label, compact=True, classes="draft-open")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Open(self.draft))
