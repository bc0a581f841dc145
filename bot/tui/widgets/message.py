"""One message in the conversation: the coach, the person, or the role-played manager."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from bot.tui.literal import literal

SPEAKER_NAMES = {"coach": "Coach", "user": "You", "manager": "Hiring manager"}


class MessageBubble(Static):
    """A message, shown literally whatever it contains."""

    def __init__(self, speaker: str, text: str, *, earlier: bool = False) -> None:
        name = SPEAKER_NAMES.get(speaker, speaker.title())
        body = Content.assemble(literal(name, "bold"), "\n", literal(text))
        classes = f"message -{speaker if speaker in SPEAKER_NAMES else 'coach'}"
        if earlier:
            classes += " -earlier"
        super().__init__(body, markup=False, classes=classes)
        self.speaker = speaker
        self.text = text
