"""Delivery after a spoken call: pace, pauses, longest answer, share of talk time, fillers.

All figures come from the recogniser's word times (``Heard.words``), so they measure the
speech, not the silence before the first word or after the last. Targets and every word of
feedback live in ``dialogues/voice.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.events import Scorecard, ScoreLine
from bot.voice.content import VoiceContent
from bot.voice.recognise import Heard


@dataclass
class Delivery:
    words: int = 0  # words said, fillers left out
    speaking_seconds: float = 0.0  # first word to last word, summed over answers
    longest_seconds: float = 0.0  # the longest single answer, first word to last
    long_pauses: list[float] = field(default_factory=list)  # lengths of long silences inside answers
    manager_seconds: float = 0.0
    fillers: Counter[str] = field(default_factory=Counter)

    @property
    def wpm(self) -> float:
        return self.words / (self.speaking_seconds / 60) if self.speaking_seconds > 0 else 0.0

    @property
    def share(self) -> float:
        total = self.speaking_seconds + self.manager_seconds
        return self.speaking_seconds / total if total > 0 else 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "words": self.words,
            "speaking_seconds": round(self.speaking_seconds, 2),
            "words_per_minute": round(self.wpm, 1),
            "longest_answer_seconds": round(self.longest_seconds, 2),
            "long_pauses": [round(p, 2) for p in self.long_pauses],
            "manager_seconds": round(self.manager_seconds, 2),
            "share_of_talk": round(self.share, 3),
            "fillers": dict(self.fillers),
        }


def filler_patterns(content: VoiceContent) -> list[re.Pattern[str]]:
    return [re.compile(str(p), re.IGNORECASE) for p in (content.raw.get("fillers") or {}).get("patterns") or ()]


def filler_sounds(content: VoiceContent) -> set[str]:
    return {str(s) for s in (content.raw.get("fillers") or {}).get("sounds") or ()}


def measure(
    answers: Sequence[Heard],
    manager_seconds: float,
    content: VoiceContent,
    spotted: Sequence[Sequence[str]] = (),
) -> Delivery:
    """``answers``: the caller's spoken answers; ``spotted``: filler sounds found by keyword
    spotting in each answer (counted where the recogniser's words do not already have them)."""
    gap = float(content.delivery.get("long-pause-seconds", 2.0))
    sounds = filler_sounds(content)
    patterns = filler_patterns(content)
    d = Delivery(manager_seconds=manager_seconds)
    for i, heard in enumerate(answers):
        if not heard.words:
            continue
        span = heard.words[-1].end - heard.words[0].start
        d.speaking_seconds += span
        d.longest_seconds = max(d.longest_seconds, span)
        for a, b in zip(heard.words, heard.words[1:], strict=False):
            if b.start - a.end >= gap:
                d.long_pauses.append(b.start - a.end)
        said = [w.text for w in heard.words if w.text not in sounds]
        d.words += len(said)
        found = Counter(w.text for w in heard.words if w.text in sounds)
        for word in spotted[i] if i < len(spotted) else ():
            if found[word] > 0:
                found[word] -= 1  # already counted from the words heard
                d.fillers[word] += 1
            else:
                d.fillers[word] += 1
        for word, n in found.items():
            d.fillers[word] += n
        text = " ".join(w.text for w in heard.words)
        for p in patterns:
            for m in p.finditer(text):
                d.fillers[m.group(0).strip().split()[-1] if "know" not in m.group(0) else "you know"] += 1
    return d


def feedback(d: Delivery, content: VoiceContent) -> Scorecard:
    """One line per measure, each with its figure and its plain target."""
    lines: list[ScoreLine] = []

    def line(name: str, key: str, ok: bool, value: object, **extra: object) -> None:
        spec = content.measure(name)
        note = content.say(str(spec.get(key) or ""), f"delivery.measures.{name}.{key}", value=value, **extra)
        lines.append(ScoreLine(check=str(spec.get("title") or name), ok=ok, note=note))

    rate = content.measure("rate")
    wpm = round(d.wpm)
    lo, hi = float(rate.get("low", 120)), float(rate.get("high", 170))
    line("rate", "ok" if lo <= wpm <= hi else ("slow" if wpm < lo else "fast"), lo <= wpm <= hi, wpm)
    n = len(d.long_pauses)
    line("pauses", "ok" if n <= float(content.measure("pauses").get("high", 1)) else "many",
         n <= float(content.measure("pauses").get("high", 1)), n)
    longest = round(d.longest_seconds)
    ok = longest <= float(content.measure("stretch").get("high", 25))
    line("stretch", "ok" if ok else "long", ok, longest)
    share = round(100 * d.share)
    spec = content.measure("share")
    lo, hi = float(spec.get("low", 30)), float(spec.get("high", 60))
    line("share", "ok" if lo <= share <= hi else ("low-note" if share < lo else "high-note"), lo <= share <= hi, share)
    total = sum(d.fillers.values())
    ok = total <= float(content.measure("fillers").get("high", 3))
    words = [f"{w} ×{c}" if c > 1 else w for w, c in d.fillers.most_common()]
    line("fillers", "ok" if ok else "many", ok, total, words=words)
    title = content.say(str(content.delivery.get("title") or "Delivery"), "delivery.title")
    return Scorecard(title=title, lines=tuple(lines))
