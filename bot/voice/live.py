"""Voice for a front-end that runs the call itself (the app's call screen).

``LiveVoice`` holds what a spoken call needs between turns: the recogniser built for the
case, the manager's voice and the microphone. Both calls block (run them off the UI
thread); neither writes anything to disk::

    voice = LiveVoice(default_book(), {"name": ..., "company": ..., "manager": ...})
    voice.say(manager_line)                 # spoken, if there is a sound device
    got = voice.listen(on_partial=show)     # None: no microphone; show() gets text as it comes
    if got: composer.value = got.text       # shown, correctable, sent like a typed line

The call's logic stays the typed call's: the text goes in as if typed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.voice import audio
from bot.voice.content import VoiceContent, default_voice
from bot.voice.recognise import Heard
from bot.voice.steady import Steadied, reader_for, steady


class LiveVoice:
    def __init__(self, book: Any, context: dict[str, str], content: VoiceContent | None = None) -> None:
        from bot.voice.call import recogniser_for

        self.content = content or default_voice()
        self.book = book
        self.recogniser = recogniser_for(book, context, self.content)
        self.heard: list[Heard] = []

    def say(self, text: str) -> bool:
        """Speak one line; False when it could not be played (no espeak-ng, no sound device)."""
        from bot.voice.speech import synthesise

        name, wpm = self.content.manager_voice
        try:
            clip = synthesise(text, voice=name, wpm=wpm)
        except OSError:
            return False
        return audio.play(clip)

    def listen(self, on_partial: Callable[[str], None] | None = None) -> Steadied | None:
        """One answer from the microphone, as text to show and correct; None without a microphone.

        ``on_partial`` gets the words recognised so far while the person is still speaking
        (called from this thread); the answer returned is decoded again as a whole.
        """
        partial = self.recogniser.stream(on_partial) if on_partial is not None else None
        try:
            clip = audio.capture_line(on_speech=partial.feed if partial else None)
        finally:
            if partial is not None:
                partial.close()
        if clip is None:
            return None
        heard = self.recogniser.recognise(clip)
        self.heard.append(heard)
        return steady(heard, reader_for(self.book), below=self.content.uncertain_below, doubt=self.content.doubt_kinds)


def for_call(dialogues: Path | None, context: dict[str, str]) -> LiveVoice:
    """The live voice for a practice call, built from the shipped (or given) content: the
    app's F5 needs nothing from the engine but who is on the line (``context``)."""
    from bot.rehearsal import default_book
    from bot.voice.content import default_voice

    return LiveVoice(default_book(dialogues), context, default_voice(dialogues))
