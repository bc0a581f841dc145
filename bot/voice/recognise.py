"""Offline speech recognition with pocketsphinx: a tuned model for the call, the general one as fallback.

``Recogniser`` loads pocketsphinx's US-English acoustic model and dictionary once, adds the
call's own language model (``bot.voice.lm``) and the case's names, and turns a ``Clip`` into
``Heard``: the words with their times and confidences (posterior probabilities from the
word lattice), and the next-best hypotheses. When the tuned model's result is empty or
unsure, the same audio is decoded again with the general model and the surer of the two is
kept. Nothing is written but the model text, to a private temporary folder removed at once.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.voice.audio import RATE, Clip
from bot.voice.lm import build_arpa, espeak_phones

#: Tokens pocketsphinx puts in a result that are not words.
NOT_WORDS = {"<s>", "</s>", "<sil>", "[NOISE]", "[SPEECH]", "<unk>"}
#: Hesitation words the tuned model may hear (the general model's dictionary has them).
HESITATIONS = ("um", "uh", "hmm", "er")
FRAME = 0.01  # seconds per recogniser frame
TAIL = 0.3  # seconds of silence added after each clip
LEAD = 0.3  # and before it (word times are given from the clip's own start)


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds from the start of the clip
    end: float
    confidence: float  # posterior probability, 0..1


@dataclass(frozen=True)
class Heard:
    """What one answer was recognised as."""

    text: str
    words: tuple[Word, ...]
    alternatives: tuple[tuple[str, float], ...] = ()  # (text, weight) best first, the 1-best included
    seconds: float = 0.0  # length of the audio
    model: str = "tuned"  # or "general"
    decode_seconds: float = 0.0
    pauses: tuple[tuple[float, float], ...] = field(default=())  # silences between words (start, end)

    @property
    def confidence(self) -> float:
        ws = [w.confidence for w in self.words]
        return sum(ws) / len(ws) if ws else 0.0

    def uncertain(self, below: float) -> list[Word]:
        return [w for w in self.words if w.confidence < below]


class Recogniser:
    """One decoder for a whole call (loading the model takes about a second)."""

    def __init__(
        self,
        corpus: Sequence[Sequence[str]] | None = None,
        vocabulary: Iterable[str] = (),
        *,
        fallback_below: float = 0.55,
        nbest: int = 8,
    ) -> None:
        from pocketsphinx import Decoder, NGramModel, set_loglevel

        set_loglevel("FATAL")
        self.decoder = Decoder(samprate=RATE, bestpath=True, loglevel="FATAL")
        self.general = self.decoder.current_search()
        self.fallback_below = fallback_below
        self.nbest = nbest
        self.tuned: str | None = None
        self.added: dict[str, str] = {}
        if corpus:
            # Words of the content the dictionary lacks are mostly spelled-out patterns gone
            # wrong ("aother"): only the case's own words (names) get a made-up pronunciation.
            new = sorted(w for w in set(vocabulary) if self.decoder.lookup_word(w) is None)
            for w in new:
                phones = espeak_phones(w)
                if phones:
                    self.added[w] = phones
            for i, (w, phones) in enumerate(self.added.items()):
                self.decoder.add_word(w, phones, update=i == len(self.added) - 1)
            words = {w for s in corpus for w in s} | set(vocabulary) | set(HESITATIONS)
            known = {w for w in words if self.decoder.lookup_word(w) is not None}
            sents = [[w for w in s if w in known] for s in corpus]
            arpa = build_arpa([s for s in sents if s], known)
            with tempfile.TemporaryDirectory(prefix="decline-coach-lm-") as tmp:
                path = Path(tmp) / "call.arpa"
                path.write_text(arpa, encoding="utf-8")
                lm = NGramModel(self.decoder.config, self.decoder.logmath, str(path))
            self.decoder.add_lm("call", lm)
            self.tuned = "call"

    def listen_for(self, keywords: dict[str, float]) -> None:
        """Set up keyword spotting (``spot``) for these words, each with its detection threshold."""
        if not keywords:
            return
        with tempfile.TemporaryDirectory(prefix="decline-coach-kws-") as tmp:
            path = Path(tmp) / "keywords.txt"
            path.write_text("".join(f"{w} /{t:g}/\n" for w, t in keywords.items()), encoding="utf-8")
            self.decoder.add_kws("spot", str(path))
        self.spotting = True

    def spot(self, clip: Clip) -> list[Word]:
        """Keywords (``listen_for``) found in the clip, in order; [] when none were set up."""
        if not getattr(self, "spotting", False) or not clip.pcm:
            return []
        d = self.decoder
        d.activate_search("spot")
        d.start_utt()
        d.process_raw(clip.at(RATE).pcm, full_utt=True)
        d.end_utt()
        if d.hyp() is None:
            return []
        return [
            Word(seg.word.strip(), seg.start_frame * FRAME, (seg.end_frame + 1) * FRAME, float(seg.prob))
            for seg in d.seg()
        ]

    def stream(self, on_text: Callable[[str], None], *, every: float = 0.25) -> PartialText:
        """Decode speech as it arrives, for text shown while the person is still speaking.

        Feed it 16 kHz PCM (``PartialText.feed``); ``on_text`` gets the best guess so far
        whenever it changes (at most every ``every`` seconds of audio). Close it before
        ``recognise`` uses the decoder again: the final text is ``recognise``'s, not this.
        """
        return PartialText(self.decoder, self.tuned or self.general, on_text, every)

    def recognise(self, clip: Clip, *, model: str | None = None) -> Heard:
        """``model``: "tuned", "general", or None for tuned with the general one as fallback."""
        clip = clip.at(RATE)
        length = clip.seconds
        if clip.pcm:  # a clip that starts or stops dead on a word loses it: give it room
            clip = Clip(bytes(2 * int(LEAD * RATE)) + clip.pcm + bytes(2 * int(TAIL * RATE)), RATE)
        began = time.perf_counter()
        if model == "general" or self.tuned is None:
            heard = self._decode(clip, self.general, "general")
        else:
            heard = self._decode(clip, self.tuned, "tuned")
            if model is None and (not heard.words or heard.confidence < self.fallback_below):
                general = self._decode(clip, self.general, "general")
                if general.words and general.confidence > heard.confidence + 0.1:
                    heard = general
        return _with_time(heard, time.perf_counter() - began, length)

    def _decode(self, clip: Clip, search: str, label: str) -> Heard:
        d = self.decoder
        d.activate_search(search)
        d.start_utt()
        if clip.pcm:
            d.process_raw(clip.pcm, full_utt=True)
        d.end_utt()
        hyp = d.hyp()
        if hyp is None:
            return Heard("", (), (), clip.seconds, label)
        words: list[Word] = []
        pauses: list[tuple[float, float]] = []
        for seg in d.seg():
            start, end = seg.start_frame * FRAME - LEAD, (seg.end_frame + 1) * FRAME - LEAD
            token = seg.word.split("(")[0]
            if token in NOT_WORDS:
                if token == "<sil>" and words:
                    pauses.append((start, end))
                continue
            words.append(Word(token, start, end, max(0.0, min(1.0, float(seg.prob)))))
        while pauses and pauses[-1][0] >= (words[-1].end if words else 0.0):
            pauses.pop()  # silence after the last word is not a pause inside the answer
        alternatives = _alternatives(d, self.nbest)
        text = " ".join(w.text for w in words)
        if not any(t == text for t, _ in alternatives):  # the n-best may spell the 1-best apart
            alternatives = [(text, alternatives[0][1] if alternatives else 1.0), *alternatives]
            total = sum(w for _, w in alternatives)
            alternatives = [(t, w / total) for t, w in alternatives]
        return Heard(text, tuple(words), tuple(alternatives), clip.seconds, label, pauses=tuple(pauses))


class PartialText:
    """An utterance decoded piece by piece (``Recogniser.stream``)."""

    def __init__(self, decoder: Any, search: str, on_text: Callable[[str], None], every: float) -> None:
        self.decoder = decoder
        self.on_text = on_text
        self.every = int(every * RATE * 2)  # bytes of audio between two looks at the guess
        self.fed = 0
        self.shown = ""
        self.open = False
        self.search = search

    def feed(self, pcm: bytes) -> None:
        d = self.decoder
        if not self.open:
            d.activate_search(self.search)
            d.start_utt()
            self.open = True
        d.process_raw(pcm, full_utt=False)
        before, self.fed = self.fed, self.fed + len(pcm)
        if self.fed // self.every != before // self.every:
            self._tell()

    def _tell(self) -> None:
        hyp = self.decoder.hyp()
        text = " ".join(w.split("(")[0] for w in (hyp.hypstr if hyp else "").split() if w not in NOT_WORDS)
        if text and text != self.shown:
            self.shown = text
            self.on_text(text)

    def close(self) -> None:
        if self.open:
            self.decoder.end_utt()
            self.open = False


def _alternatives(d: object, limit: int) -> list[tuple[str, float]]:
    """Distinct n-best texts with weights that sum to 1 (their posterior share among the n-best)."""
    scored: list[tuple[str, float]] = []
    try:
        for i, h in enumerate(d.nbest()):  # type: ignore[attr-defined]
            if i >= limit * 3 or len(scored) >= limit:
                break
            text = " ".join(w.split("(")[0] for w in h.hypstr.split() if w not in NOT_WORDS)
            if any(t == text for t, _ in scored):
                continue
            scored.append((text, float(h.score)))
    except Exception:
        return []
    if not scored:
        return []
    logs = [math.log(s) if s > 0 else None for _, s in scored]
    if all(v is not None for v in logs):
        top = max(v for v in logs if v is not None)
        weights = [math.exp(v - top) for v in logs if v is not None]
    else:  # scores underflowed: fall back to rank weights
        weights = [1.0 / (r + 1) for r in range(len(scored))]
    total = sum(weights)
    return [(t, w / total) for (t, _), w in zip(scored, weights, strict=True)]


def _with_time(h: Heard, took: float, length: float) -> Heard:
    return Heard(h.text, h.words, h.alternatives, length, h.model, took, h.pauses)
