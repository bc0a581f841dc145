"""A language model for one practice call, built from the content at run time.

The general US-English model that ships with pocketsphinx knows every word but expects
news-like English; a decline call is a narrow conversation. This module collects the text
the call is made of (the caller phrases in ``dialogues/rehearsal.yaml``: its examples, its
cue patterns spelled out, its model answers and hints; the personas' lines; the phrases in
``dialogues/voice.yaml``; the case's names) and builds a trigram model from it in ARPA
format (Witten-Bell discounting, Katz back-off), which pocketsphinx loads like any other.

Names the dictionary does not know get a pronunciation from espeak-ng's phonemes.
Everything here is plain text: no audio is involved and nothing leaves the machine.
"""

from __future__ import annotations

import math
import re
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

_WORD = re.compile(r"[a-z][a-z']*")
_SENT = re.compile(r"[^.!?;:\n]+")
#: Most spellings one cue pattern may expand into (the rest are dropped, deterministically).
MAX_SPELLINGS = 48


def words_of(text: str) -> list[str]:
    """Lower-case words as the recogniser spells them ("I'm" stays one word)."""
    text = text.lower().replace("’", "'")
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


def sentences(text: str) -> Iterator[list[str]]:
    for m in _SENT.finditer(text):
        ws = words_of(m.group(0))
        if ws:
            yield ws


# -- spelling out cue patterns ------------------------------------------------------------------


def spell_pattern(pattern: str, limit: int = MAX_SPELLINGS) -> list[str]:
    """Plain phrases a cue regex matches (``turn(ing|ed)? down`` -> "turn down", "turning down"...).

    Parts that match open-ended text (``\\w*``, ``[^.?!]{0,50}``) split the phrase; ``.?``
    between letters is read as an apostrophe or nothing. Returns at most ``limit`` phrases.
    """
    try:
        from re import _parser as parser  # type: ignore[attr-defined]

        tree = parser.parse(pattern)
    except Exception:
        return [" ".join(words_of(pattern.replace("\\b", " ")))]
    out = _spell(list(tree), limit)
    phrases = []
    for s in out:
        for part in s.split("|"):
            ws = words_of(part)
            if ws:
                phrases.append(" ".join(ws))
    return list(dict.fromkeys(phrases))[:limit]


def _spell(items: Sequence[Any], limit: int) -> list[str]:
    results = [""]
    for op, arg in items:
        name = str(op)
        options: list[str]
        if name == "LITERAL":
            options = [chr(arg)]
        elif name == "SUBPATTERN":
            options = _spell(list(arg[-1]), limit)
        elif name == "BRANCH":
            options = []
            for branch in arg[1]:
                options += _spell(list(branch), limit)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = arg
            body = _spell(list(sub), limit)
            if hi == 1:
                options = ["", *body] if lo == 0 else body
            elif all(len(b) <= 1 for b in body):
                options = [""]  # \w*, \s?, [^.]{0,50}: open-ended, leave a gap
                if lo == 0 and hi > 1:
                    options = ["|"]
            else:
                options = ["|"]
        elif name == "IN":
            lits = [chr(a) for o, a in arg if str(o) == "LITERAL"]
            negated = any(str(o) == "NEGATE" for o, _ in arg)
            options = [lits[0]] if lits and not negated else ["|"]
            if lits and lits[0] in "'’-":
                options = ["'"]
        elif name == "ANY":
            options = ["'"]
        elif name == "AT":
            options = [""]
        elif name == "CATEGORY":
            options = [" "] if "SPACE" in str(arg) else ["|"]
        else:
            options = ["|"]
        results = [r + o for r in results for o in options][: limit * 4]
    return results


# -- the corpus -------------------------------------------------------------------------------


def call_corpus(raw: Mapping[str, Any], persona_lines: Iterable[str], extra: Iterable[str]) -> list[list[str]]:
    """Sentences (as word lists) a caller in this call is likely to say, and a few the manager says.

    ``raw`` is ``rehearsal.yaml``; ``persona_lines`` the personas' lines, rendered;
    ``extra`` more phrases (``voice.yaml``'s, the case's names).
    """
    texts: list[str] = []
    for spec in (raw.get("kinds") or {}).values():
        spec = spec or {}
        texts += [str(e) for e in spec.get("examples") or ()]
        for cue in spec.get("cues") or ():
            texts += spell_pattern(str(cue))
    for check in ((raw.get("scorecard") or {}).get("checks") or {}).values():
        better = (check or {}).get("better") or {}
        texts += [str(v) for v in (better.values() if isinstance(better, dict) else [better])]
    for hint in (raw.get("hints") or {}).values():
        texts += re.findall(r'"([^"]+)"', str(hint))  # the model answers quoted in hints
    texts += list(persona_lines)
    texts += list(extra)
    out = []
    for t in texts:
        out += list(sentences(t))
    return out


def flatten_lines(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from flatten_lines(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from flatten_lines(v)


# -- the model -------------------------------------------------------------------------------


def build_arpa(corpus: Sequence[Sequence[str]], vocabulary: Iterable[str] = (), *, order: int = 3) -> str:
    """A back-off n-gram model in ARPA text format (Witten-Bell discounting).

    ``vocabulary`` adds words that should be recognisable even though no sentence uses
    them (names, filler words); they get the smallest unigram count.
    """
    counts: list[Counter[tuple[str, ...]]] = [Counter() for _ in range(order + 1)]
    for ws in corpus:
        seq = ("<s>", *ws, "</s>")
        for n in range(1, order + 1):
            for i in range(len(seq) - n + 1):
                gram = tuple(seq[i : i + n])
                if gram == ("<s>",) and n == 1:
                    continue
                counts[n][gram] += 1
    for w in vocabulary:
        if (w,) not in counts[1]:
            counts[1][(w,)] = 0
    counts[1].pop(("<s>",), None)
    # Unigrams: add-half smoothing so the words no sentence uses still get some mass.
    total = sum(counts[1].values()) + 0.5 * len(counts[1])
    prob: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    for g, c in counts[1].items():
        prob[1][g] = (c + 0.5) / total
    prob[1][("<s>",)] = 0.0  # never predicted; ARPA writes -99
    followers: list[dict[tuple[str, ...], list[tuple[str, ...]]]] = [defaultdict(list) for _ in range(order + 1)]
    for n in range(2, order + 1):
        for g in counts[n]:
            followers[n][g[:-1]].append(g)
    backoff: list[dict[tuple[str, ...], float]] = [{} for _ in range(order + 1)]
    for n in range(2, order + 1):
        for hist, grams in followers[n].items():
            c_h = sum(counts[n][g] for g in grams)
            t_h = len(grams)
            for g in grams:
                prob[n][g] = counts[n][g] / (c_h + t_h)
            left = t_h / (c_h + t_h)
            lower = sum(_p(prob, backoff, g[1:]) for g in grams)
            backoff[n - 1][hist] = left / max(1e-9, 1.0 - lower)
    lines = ["\\data\\"]
    for n in range(1, order + 1):
        lines.append(f"ngram {n}={len(prob[n])}")
    for n in range(1, order + 1):
        lines.append("")
        lines.append(f"\\{n}-grams:")
        for g in sorted(prob[n]):
            p = prob[n][g]
            lp = -99.0 if p <= 0 else math.log10(p)
            row = f"{lp:.4f}\t{' '.join(g)}"
            if n < order:
                bo = backoff[n].get(g)
                if bo is not None:
                    row += f"\t{math.log10(bo):.4f}"
                elif n == 1 or g in counts[n]:
                    row += "\t0.0000"
            lines.append(row)
    lines += ["", "\\end\\", ""]
    return "\n".join(lines)


def _p(
    prob: list[dict[tuple[str, ...], float]], backoff: list[dict[tuple[str, ...], float]], g: tuple[str, ...]
) -> float:
    """Back-off probability of ``g`` in the model built so far."""
    n = len(g)
    if g in prob[n]:
        return prob[n][g]
    if n == 1:
        return 0.0
    return backoff[n - 1].get(g[:-1], 1.0) * _p(prob, backoff, g[1:])


# -- pronunciations -----------------------------------------------------------------------------

#: espeak-ng's ASCII phoneme names (``espeak-ng -x``) to the CMU dictionary's ARPAbet.
_ESPEAK = {
    "aI@": "AY ER", "aI3": "AY ER", "aU@": "AW ER", "i@3": "IY ER", "e@": "EH R", "i@": "IY R",
    "U@": "UH R", "O@": "AO R", "o@": "AO R", "A@": "AA R", "3:": "ER", "A:": "AA", "O:": "AO",
    "i:": "IY", "u:": "UW", "aI": "AY", "aU": "AW", "eI": "EY", "OI": "OY", "oU": "OW", "@U": "OW",
    "tS": "CH", "dZ": "JH", "a#": "AH", "@L": "AH L", "I2": "IH", "I#": "IH", "@2": "AH", "@5": "AH",
    "e#": "EH", "0": "AA", "3": "ER", "@": "AH", "a": "AE", "A": "AA", "E": "EH", "e": "EH",
    "I": "IH", "i": "IY", "O": "AO", "o": "OW", "U": "UH", "u": "UW", "V": "AH", "p": "P", "b": "B",
    "t": "T", "d": "D", "k": "K", "g": "G", "f": "F", "v": "V", "T": "TH", "D": "DH", "s": "S",
    "z": "Z", "S": "SH", "Z": "ZH", "h": "HH", "m": "M", "n": "N", "N": "NG", "l": "L", "r": "R",
    "w": "W", "j": "Y", "x": "K", "?": "",
}
_ESPEAK_KEYS = sorted(_ESPEAK, key=len, reverse=True)


def espeak_phones(word: str, espeak: str = "espeak-ng") -> str:
    """ARPAbet phones for a word, from espeak-ng's own letter-to-sound rules ("" if unavailable)."""
    try:
        out = subprocess.run(
            [espeak, "-q", "-x", "-v", "en-us", word], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return arpabet(out)


def arpabet(espeak_x: str) -> str:
    s = re.sub(r"[',%=_:;|!]", lambda m: ":" if m.group(0) == ":" else "", espeak_x.strip())
    phones: list[str] = []
    i = 0
    while i < len(s):
        if s[i].isspace():
            i += 1
            continue
        for key in _ESPEAK_KEYS:
            if s.startswith(key, i):
                if _ESPEAK[key]:
                    phones += _ESPEAK[key].split()
                i += len(key)
                break
        else:
            i += 1
    return " ".join(phones)
