"""Keep one likely misheard word from flipping how a spoken line is read.

"I'd rather not share" heard as "I'd rather not sure" reads as wavering. When a kind of
line that costs points (``voice.yaml``'s ``benefit-of-doubt``) rests only on words the
recogniser was unsure of, and less than half of its n-best hypotheses (by weight) read
that kind, the most likely hypothesis that reads without it is taken instead. Everything
else is left as heard.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.voice.recognise import Heard

Reader = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class Steadied:
    text: str
    changed: bool = False
    doubted: tuple[str, ...] = ()  # kinds that rested on uncertain words only
    uncertain: tuple[str, ...] = ()  # the words the recogniser was unsure of


def steady(heard: Heard, read: Reader | None, *, below: float, doubt: Iterable[str]) -> Steadied:
    unsure = tuple(w.text for w in heard.uncertain(below))
    if read is None or not unsure or not heard.text:
        return Steadied(heard.text, uncertain=unsure)
    doubt = set(doubt)
    kinds = read(heard.text) & doubt
    if not kinds:
        return Steadied(heard.text, uncertain=unsure)
    sure_text = " ".join(w.text for w in heard.words if w.confidence >= below)
    resting = kinds - read(sure_text)  # these disappear once the unsure words are left out
    if not resting:
        return Steadied(heard.text, uncertain=unsure)
    # How much of the recogniser's belief (its n-best, weighted) reads the costly kind: when
    # most of it does, the word was probably heard right after all.
    readings = [(text, weight, read(text)) for text, weight in heard.alternatives]
    total = sum(w for _, w, _ in readings) or 1.0
    backed = sum(w for _, w, kinds_ in readings if kinds_ & resting) / total
    if backed >= 0.5:
        return Steadied(heard.text, False, (), unsure)
    for text, _weight in sorted(heard.alternatives, key=lambda a: -a[1]):
        if text and text != heard.text and not (read(text) & resting):
            return Steadied(text, True, tuple(sorted(resting)), unsure)
    return Steadied(heard.text, False, tuple(sorted(resting)), unsure)


def reader_for(rehearsal: object) -> Reader | None:
    """How the rehearsal reads a line (its kinds), or None if this rehearsal cannot say."""
    rules = getattr(rehearsal, "rules", None)
    read = getattr(rules, "read", None)
    if read is None:
        return None

    def kinds(text: str) -> frozenset[str]:
        try:
            hits = read(text)
        except Exception:
            return frozenset()
        if isinstance(hits, tuple) and len(hits) == 2 and isinstance(hits[1], dict):
            hits = hits[0]
        return frozenset(str(getattr(h, "kind", h)) for h in hits)

    return kinds
