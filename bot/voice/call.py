"""A practice call driven by speech, through the rehearsal's public API only.

``VoiceCall`` wraps a ``Rehearsal``: it speaks the manager's lines (espeak-ng), turns each
recorded answer into text (``Recogniser`` and ``steady``), hands that text to
``Rehearsal.turn()`` exactly as if it had been typed, and keeps what delivery feedback
needs. Typed lines go through ``turn()`` unchanged, so the call's logic is the typed call's.
Audio stays in memory; only ``audio_out`` (the manager's lines) is ever written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.events import Event, Say, Scorecard
from bot.voice import delivery as delivery_mod
from bot.voice.audio import Clip, write_wav
from bot.voice.content import VoiceContent, default_voice
from bot.voice.lm import call_corpus, flatten_lines, words_of
from bot.voice.recognise import Heard, Recogniser
from bot.voice.steady import Steadied, reader_for, steady

_TEMPLATE = re.compile(r"{{.*?}}|{%.*?%}")


@dataclass
class Answer:
    heard: Heard
    steadied: Steadied
    said: str  # what went to the rehearsal (a correction if one was typed)
    spotted: tuple[str, ...] = ()  # filler sounds found by keyword spotting


def case_words(context: dict[str, str]) -> list[str]:
    return sorted({w for key in ("name", "company", "role", "manager") for w in words_of(context.get(key) or "")})


def build_recogniser(rehearsal: Any, content: VoiceContent | None = None) -> Recogniser:
    """The recogniser for this call: its language model built from the content and the case."""
    context = {k: str(v) for k, v in (getattr(rehearsal, "context", {}) or {}).items()}
    return recogniser_for(rehearsal.book, context, content)


def recogniser_for(book: Any, context: dict[str, str], content: VoiceContent | None = None) -> Recogniser:
    """The same from the rehearsal's content (``Book``) and the case's names, for front-ends
    that drive the call through the conversation rather than a ``Rehearsal`` of their own."""
    content = content or default_voice()
    persona_lines = []
    for p in book.personas.values():
        for line in flatten_lines([p.lines, p.stay, p.react, p.hard]):
            persona_lines.append(_TEMPLATE.sub(" ", line))
    extra = [content.say(str(s), "phrases", **_names(context)) for s in content.raw.get("phrases") or ()]
    extra += [context.get(k) or "" for k in ("name", "company", "role", "manager")]
    corpus = call_corpus(book.raw, persona_lines, extra)
    rec = Recogniser(corpus, case_words(context))
    spot = (content.raw.get("fillers") or {}).get("spot") or {}
    rec.listen_for({str(w): float(t) for w, t in spot.items()})
    return rec


def _names(context: dict[str, str]) -> dict[str, str]:
    return {k: context.get(k) or "" for k in ("name", "company", "role", "manager")}


@dataclass
class VoiceCall:
    rehearsal: Any
    recogniser: Recogniser
    content: VoiceContent = field(default_factory=default_voice)
    speak: Callable[[str], Clip | None] | None = None  # text -> audio of the manager's line
    play: Callable[[Clip], bool] | None = None
    audio_out: Path | None = None
    answers: list[Answer] = field(default_factory=list)
    manager_seconds: float = 0.0
    _saved: int = 0
    _spotted: tuple[str, ...] = ()

    def opening(self) -> list[Event]:
        return self._voice(self.rehearsal.opening())

    def hear(self, clip: Clip) -> tuple[Heard, Steadied]:
        heard = self.recogniser.recognise(clip)
        self._spotted = tuple(w.text for w in self.recogniser.spot(clip))
        st = steady(
            heard,
            reader_for(self.rehearsal),
            below=self.content.uncertain_below,
            doubt=self.content.doubt_kinds,
        )
        return heard, st

    def turn(self, text: str, heard: tuple[Heard, Steadied] | None = None) -> list[Event]:
        """One line of the call: ``text`` as typed or as heard (then ``heard`` keeps its audio facts)."""
        if heard is not None:
            self.answers.append(Answer(heard[0], heard[1], text, self._spotted))
        return self._voice(self.rehearsal.turn(text))

    def end(self) -> list[Event]:
        return self._voice(self.rehearsal.end())

    def delivery(self) -> delivery_mod.Delivery:
        return delivery_mod.measure(
            [a.heard for a in self.answers], self.manager_seconds, self.content, [a.spotted for a in self.answers]
        )

    def delivery_card(self) -> Scorecard | None:
        if not any(a.heard.words for a in self.answers):
            return None
        return delivery_mod.feedback(self.delivery(), self.content)

    def _voice(self, events: Iterable[Event]) -> list[Event]:
        events = list(events)
        for ev in events:
            if isinstance(ev, Say) and ev.speaker == "manager" and ev.text:
                clip = self.speak(ev.text) if self.speak else None
                if clip is None:
                    _voice, wpm = self.content.manager_voice
                    self.manager_seconds += len(ev.text.split()) / wpm * 60
                    continue
                self.manager_seconds += clip.seconds
                if self.audio_out is not None:
                    self._saved += 1
                    self.audio_out.mkdir(parents=True, exist_ok=True)
                    write_wav(self.audio_out / f"manager-{self._saved:02d}.wav", clip)
                if self.play:
                    self.play(clip)
        return events
