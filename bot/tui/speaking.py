"""Speaking a line on the call screen (issue 15, F5): plumbing between the screen and
``bot.voice.live.LiveVoice``.

Nothing here is imported from ``bot.voice`` until the key is pressed, so the app starts as
fast without the voice extra as with it. ``VoiceHooks`` is what the app uses to find out
what is missing and to build the voice for a call; tests pass their own (a recogniser that
"hears" a scripted line), since CI has no microphone. Every word shown comes from
``dialogues/voice.yaml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol


class Heard(Protocol):
    """What ``listen`` returns (``bot.voice.steady.Steadied``): the text and unsure words."""

    @property
    def text(self) -> str: ...

    @property
    def uncertain(self) -> tuple[str, ...]: ...


class Voice(Protocol):
    def listen(self, on_partial: Callable[[str], None] | None = None) -> Heard | None: ...

    def say(self, text: str) -> bool: ...


def _missing() -> list[str]:
    from bot import voice

    # Speaking a line needs the recogniser and a microphone; espeak-ng (the manager's voice)
    # is a bonus: without it the manager's lines are shown only.
    return voice.missing(speak=False, microphone=True)


def _make(dialogues: Path | None, context: dict[str, str]) -> Voice:
    from bot.voice.live import for_call

    return for_call(dialogues, context)


def _can_speak() -> bool:
    from bot.voice.speech import espeak_binary

    return espeak_binary() is not None


@dataclass
class VoiceHooks:
    """What is missing for F5, how to build the voice for a call, and whether lines can be spoken."""

    missing: Callable[[], list[str]] = _missing
    make: Callable[[Path | None, dict[str, str]], Voice] = _make
    can_speak: Callable[[], bool] = field(default=_can_speak)


def install_message(dialogues: Path | None, parts: list[str]) -> str:
    """``voice.yaml``'s ``install-app``: exactly what to install for ``parts``."""
    from bot import voice
    from bot.voice.content import default_voice

    content = default_voice(dialogues)
    pip, apt, other = voice.install_commands(parts)
    source = str(content.raw.get("install-app") or "")
    return content.say(source, "install-app", missing=parts, pip=pip, apt=apt, other=other)


def prompt(dialogues: Path | None, key: str, **context: Any) -> str:
    from bot.voice.content import default_voice

    return default_voice(dialogues).prompt(key, **context)
