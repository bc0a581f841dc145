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


def run(verbose: bool = False) -> list[dict[str, Any]]:
    content = load_content()
    match = content.match_intent
    rows: list[dict[str, Any]] = []
    held = _tsv(HERE / "data" / "intents_heldout.tsv")
    wrong = []
    correct = sum(1 for label, text in held if match(text).label == label)
    if verbose:
        for label, text in held:
            got = match(text)
            if got.label != label:
                wrong.append((label, got.label, round(got.score), got.reason, text))
    rows.append(
        {"name": "intent accuracy (blind paraphrases)", "value": correct / len(held), "target": 0.90, "n": len(held)}
    )
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
    if verbose:
        for w in wrong:
            print("MISS", w)
    return rows


if __name__ == "__main__":
    import sys

    for row in run(verbose="-v" in sys.argv):
        print(f"{row['name']:<48} {row['value']:.3f}  (target {row['target']}, n={row['n']})")
