"""Scenario recognition: top-1 accuracy on held-out descriptions, and how often everyday
requests are (rightly) answered with ``scenario: null``.

    python -m bench.scenarios        # the table
    python -m bench.scenarios -v     # plus the dev-set misses (never the blind set's)

- dev set: ``bench/data/scenarios_dev.tsv``, written before tuning and tuned on;
- dev set 2: ``bench/data/scenarios_dev2.tsv``, longer narrative descriptions written after
  the first blind run showed the dev set was too close to the examples' own style;
- blind set: ``bench/data/scenarios_heldout.tsv``, written by someone else, never read
  while writing the examples;
- off-topic: CLINC150's 15,100 assistant requests (``../shared/data/clinc150/train.tsv``),
  the blind hard negatives (``offtopic_extra.txt``) and our own job-adjacent ones
  (``offtopic_dev.txt``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.intents import CLINC
from bench.intents import _tsv as _tsv
from bot.content import load_content
from bot.scenarios import ScenarioLibrary

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


def _lines(path: Path) -> list[str]:
    return [t.strip() for t in path.read_text(encoding="utf-8").splitlines() if t.strip()]


def _accuracy(lib: ScenarioLibrary, rows: list[tuple[str, str]]) -> float:
    return sum(1 for label, text in rows if lib.detect(text).scenario == label) / len(rows)


def _rejection(lib: ScenarioLibrary, texts: list[str]) -> float:
    return sum(1 for t in texts if lib.detect(t).scenario is None) / len(texts)


def run(verbose: bool = False) -> list[dict[str, Any]]:
    lib = ScenarioLibrary.load(load_content())
    rows: list[dict[str, Any]] = []
    sets = (
        ("scenario top-1 (dev set)", "scenarios_dev.tsv"),
        ("scenario top-1 (dev set 2, narrative)", "scenarios_dev2.tsv"),
        ("scenario top-1 (blind set)", "scenarios_heldout.tsv"),
    )
    for name, filename in sets:
        path = DATA / filename
        if path.is_file():
            labelled = _tsv(path)
            rows.append({"name": name, "value": _accuracy(lib, labelled), "target": 0.85, "n": len(labelled)})
    if CLINC.is_file():
        clinc = [text for _label, text in _tsv(CLINC)]
        rows.append(
            {
                "name": "scenario off-topic rejection (clinc150)",
                "value": _rejection(lib, clinc),
                "target": 0.95,
                "n": len(clinc),
            }
        )
    for name, filename in (
        ("hard negatives", "offtopic_extra.txt"),
        ("own job-adjacent negatives", "offtopic_dev.txt"),
    ):
        path = DATA / filename
        if path.is_file():
            texts = _lines(path)
            rows.append(
                {
                    "name": f"scenario off-topic rejection ({name})",
                    "value": _rejection(lib, texts),
                    "target": 0.90,
                    "n": len(texts),
                }
            )
    if verbose:
        for label, text in _tsv(DATA / "scenarios_dev.tsv"):
            det = lib.detect(text)
            if det.scenario != label:
                print(f"MISS {label:<24} -> {det.scenario} {det.score:.0f} {text!r}")
    return rows


if __name__ == "__main__":
    import sys

    for row in run(verbose="-v" in sys.argv):
        print(f"{row['name']:<52} {row['value']:.3f}  (target {row['target']}, n={row['n']})")
