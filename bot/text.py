"""Making raw user text safe to keep, and comparable to example phrases.

``sanitise`` runs first on every line a person types or pastes: it removes what could act
on a terminal (escape sequences, control characters) and trims huge pastes, and reports
what it did so a front-end can say so. ``Normaliser`` then turns the clean text into the
canonical form the matchers compare (case, punctuation, contractions, synonyms).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: Longest single input kept. A decline letter is a few hundred words; anything past this
#: is a runaway paste, and fuzzy matching on it would only cost time.
MAX_INPUT_CHARS = 8000

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks, clipboard
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC strings
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
# Bidi overrides can make a line display in an order other than the one typed.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


@dataclass(frozen=True)
class Clean:
    """Text after ``sanitise``, with what was removed or trimmed."""

    text: str
    trimmed: bool = False  # True when a huge paste was cut to MAX_INPUT_CHARS
    removed: int = 0  # characters dropped as escapes or control characters (not line endings)
    original_length: int = 0


def sanitise(raw: str, *, limit: int = MAX_INPUT_CHARS, multiline: bool = False) -> Clean:
    """Strip terminal escapes and control characters; keep every printable character.

    Lone surrogates (undecodable bytes) become U+FFFD, so the result always encodes as UTF-8.

    Markup and template syntax (``[bold]``, ``{{ x }}``) are deliberately kept: they are the
    person's words and are shown literally; it is the renderers' job never to interpret them.
    """
    original_length = len(raw)
    trimmed = False
    # Cut before the regex work so a 1 MB paste costs no more than a long letter.
    if len(raw) > limit * 2:
        raw = raw[: limit * 2]
        trimmed = True
    text = _ANSI.sub("", raw)
    removed = len(raw) - len(text)
    # CR (old Macs, many terminals' pastes), CRLF and LF all end a line.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    kept: list[str] = []
    for ch in text:
        if ch in "\n\t":
            kept.append(ch if multiline else " ")
        elif ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc":
            removed += 1
        else:
            category = unicodedata.category(ch)
            # A lone surrogate (an undecodable byte read with surrogateescape) cannot be
            # encoded or stored: it becomes the replacement character, as a decoder would.
            kept.append("\ufffd" if category == "Cs" else ch)
    text = "".join(kept)
    if not multiline:
        text = " ".join(text.split())
    else:
        text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    if len(text) > limit:
        text = text[:limit].rstrip()
        trimmed = True
    # Only what acted on the terminal counts as removed (not line endings or spacing).
    removed = removed if not trimmed else 0
    return Clean(text=text, trimmed=trimmed, removed=removed, original_length=original_length)


_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]", re.UNICODE)
_NON_WORD = re.compile(r"[^\w\s']+", re.UNICODE)


class Normaliser:
    """Canonical form for matching: lower case, contractions expanded, synonyms folded.

    All word lists come from ``dialogues/lexicon.yaml``, so the language knowledge is content.
    """

    def __init__(
        self,
        contractions: Mapping[str, str] | None = None,
        synonyms: Mapping[str, str] | None = None,
        stopwords: Iterable[str] = (),
        negations: Iterable[str] = (),
        fillers: Iterable[str] = (),
    ) -> None:
        self.contractions = {k.lower(): v.lower() for k, v in (contractions or {}).items()}
        # One alternation, longest phrases first so "turn down" wins over "turn".
        self._synonym_map = {k.lower(): v.lower() for k, v in (synonyms or {}).items()}
        keys = sorted(self._synonym_map, key=len, reverse=True)
        self._synonyms = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keys) + r")\b") if keys else None
        self.stopwords = frozenset(w.lower() for w in stopwords)
        self.negations = frozenset(w.lower() for w in negations)
        self.fillers = frozenset(w.lower() for w in fillers)
        self._cache: dict[str, str] = {}

    def normalise(self, text: str, *, synonyms: bool = True) -> str:
        key = text if synonyms else "\x00" + text
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        s = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
        if s.strip() and not s.strip().strip("?"):
            # A bare "?" (or "???") is a question about where one is, not an empty line.
            return "?"
        words = []
        for w in re.split(r"\s+", s):
            core = w.strip('.,!?;:"()[]{}<>')
            words.append(self.contractions.get(core, w))
        s = " ".join(words)
        s = _NON_WORD.sub(" ", s).replace("'", "")
        s = " ".join(s.split())
        if synonyms and self._synonyms is not None:
            s = self._synonyms.sub(lambda m: self._synonym_map[m.group(0)], s)
        if len(self._cache) < 50_000:
            self._cache[key] = s
        return s

    def content(self, normalised: str) -> str:
        """The normalised text without stopwords (negations are kept: they carry meaning)."""
        kept = [t for t in normalised.split() if t not in self.stopwords or t in self.negations]
        return " ".join(kept) if kept else normalised

    def unpadded(self, normalised: str) -> str:
        """The text without the filler around a reply ("uh no" -> "no", "hmm ok yes" -> "ok yes")."""
        kept = [t for t in normalised.split() if t not in self.fillers]
        return " ".join(kept) if kept else normalised

    def negated(self, normalised: str) -> bool:
        tokens = normalised.split()
        # A leading "no" answers the question ("no, that's wrong"); it does not negate the rest.
        if tokens and tokens[0] == "no":
            tokens = tokens[1:]
        return any(t in self.negations for t in tokens)
