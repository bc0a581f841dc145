"""Intent accuracy on blind held-out paraphrases, and off-topic rejection on CLINC150.

python -m bench.intents
"""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

from bot.content import load_content

HERE = Path(__file__).resolve().parent
CLINC = HERE.parent.parent / "shared" / "data" / "clinc150" / "train.tsv"


def _tsv(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            label, text = line.split("\t", 1)
            rows.append((label.strip(), text.strip()))
    return rows


def clinc_lines() -> list[str]:
    if not CLINC.is_file():
        return []
    return [text for _label, text in _tsv(CLINC)]


# Labelled sets, best evidence first. The blind ones count against the target: each was
# written by someone who never saw the examples, and the lead has only seen their scores.
LABELLED = (
    ("intent accuracy (blind paraphrases)", "intents_blind2.tsv", 0.90),
    ("intent accuracy (blind replies in context)", "intents_blind3.tsv", 0.90),
    ("intent accuracy (older blind set, misses seen)", "intents_heldout.tsv", None),
    ("intent accuracy (dev paraphrases)", "intents_dev.tsv", None),
)


def run(verbose: bool = False) -> list[dict[str, Any]]:
    content = load_content()
    match = content.match_intent
    rows: list[dict[str, Any]] = []
    for name, file, target in LABELLED:
        held = _tsv(HERE / "data" / file)
        got = [(label, match(text), text) for label, text in held]
        correct = sum(1 for label, m, _ in got if m.label == label)
        rows.append({"name": name, "value": correct / len(held), "target": target, "n": len(held)})
        # Misses of the blind set are not printed: reading them would make it a dev set.
        if verbose and target is None:
            for label, m, text in got:
                if m.label != label:
                    print("MISS", file, (label, m.label, round(m.score), m.reason, text))
    lines = clinc_lines()
    if lines:
        hits = collections.Counter(match(t).label for t in lines)
        rejected = hits[None] / len(lines)
        rows.append(
            {"name": "intent off-topic rejection (clinc150)", "value": rejected, "target": 0.95, "n": len(lines)}
        )
    extra = HERE / "data" / "offtopic_extra.txt"
    if extra.is_file():
        texts = [t for t in extra.read_text(encoding="utf-8").splitlines() if t.strip()]
        rejected = sum(1 for t in texts if match(t).label is None) / len(texts)
        rows.append(
            {"name": "intent off-topic rejection (hard negatives)", "value": rejected, "target": 0.90, "n": len(texts)}
        )
    return rows


if __name__ == "__main__":
    import sys

    for row in run(verbose="-v" in sys.argv):
        target = f"target {row['target']}" if row["target"] is not None else "no target"
        print(f"{row['name']:<50} {row['value']:.3f}  ({target}, n={row['n']})")
