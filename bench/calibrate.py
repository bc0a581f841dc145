"""Which example words are too common in everyday requests to count as evidence alone.

Prints a `common_words:` list for dialogues/lexicon.yaml, computed from the off-topic
CLINC150 requests: a word of our examples that appears in more than 0.3% of them.

    python -m bench.calibrate
"""

from __future__ import annotations

import collections

from bench.intents import clinc_lines
from bot.content import load_content


def common_words(threshold: float = 0.003) -> list[str]:
    content = load_content()
    norm = content.normaliser
    lines = clinc_lines()
    df: collections.Counter[str] = collections.Counter()
    for text in lines:
        df.update(set(norm.content(norm.normalise(text)).split()))
    vocab: set[str] = set()
    for intent in content.intents.values():
        for phrase in intent.examples + intent.short:
            vocab.update(norm.content(norm.normalise(phrase)).split())
    try:
        from bot.scenarios import ScenarioLibrary

        lib = ScenarioLibrary.load(content)
        for phrases in lib.phrases().values():
            for phrase in phrases:
                vocab.update(norm.content(norm.normalise(phrase)).split())
    except (ImportError, AttributeError):
        pass
    return sorted(w for w in vocab if df[w] / max(1, len(lines)) > threshold and w not in norm.negations)


if __name__ == "__main__":
    words = common_words()
    print("common_words: [" + ", ".join(words) + "]")
