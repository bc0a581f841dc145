"""How often the draft critic agrees with a human's per-check labels on real-looking letters.

    python -m bench.critic                 # the labelled set in bench/data/letters.yaml
    python -m bench.critic -v              # ... and every disagreement
    python -m bench.critic OTHER.yaml      # any file in the same shape (e.g. held-out letters)

A letter file is YAML: ``letters:`` (or a bare list) of ``{id, text, labels, kind?}`` where
``labels`` maps check ids to true (passes) or false (fails). Agreement is the share of
(letter, check) labels the critic matches; checks a letter leaves unlabelled are not counted.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.critic import CHECKS, critique
from bot.yamlfile import load_yaml

HERE = Path(__file__).resolve().parent
LETTERS = HERE / "data" / "letters.yaml"
TARGET = 0.90


def load_letters(path: str | Path = LETTERS) -> list[dict[str, Any]]:
    data = load_yaml(path)
    items = data.get("letters", []) if isinstance(data, dict) else data
    out = []
    for i, item in enumerate(items or []):
        labels = {
            str(k): bool(v) for k, v in (item.get("labels") or {}).items() if str(k) in CHECKS
        }
        out.append(
            {
                "id": str(item.get("id", f"letter-{i + 1}")),
                "text": str(item.get("text", "")),
                "kind": item.get("kind"),
                "labels": labels,
            }
        )
    return out


def run(path: str | Path = LETTERS, verbose: bool = False) -> dict[str, Any]:
    letters = load_letters(path)
    agree = 0
    total = 0
    per_check_total: Counter[str] = Counter()
    per_check_agree: Counter[str] = Counter()
    misses: list[dict[str, Any]] = []
    for letter in letters:
        result = critique(letter["text"], kind=letter["kind"])
        got = {f.check: f for f in result.findings}
        for check, want in letter["labels"].items():
            finding = got[check]
            total += 1
            per_check_total[check] += 1
            if finding.ok == want:
                agree += 1
                per_check_agree[check] += 1
            else:
                misses.append(
                    {
                        "letter": letter["id"],
                        "check": check,
                        "label": want,
                        "critic": finding.ok,
                        "message": finding.message,
                    }
                )
    value = agree / total if total else 0.0
    row: dict[str, Any] = {
        "name": "critic agreement",
        "value": round(value, 4),
        "target": TARGET,
        "n": total,
        "letters": len(letters),
        "per_check": {
            c: round(per_check_agree[c] / per_check_total[c], 3)
            for c in CHECKS
            if per_check_total[c]
        },
    }
    if verbose:
        row["disagreements"] = misses
    return row


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = False
    for flag in ("-v", "--verbose"):
        if flag in args:
            args.remove(flag)
            verbose = True
    paths = args or [str(LETTERS)]
    worst = 1.0
    for path in paths:
        row = run(path, verbose=verbose)
        worst = min(worst, row["value"])
        print(
            f"{row['name']}: {row['value']:.3f} (target {row['target']:.2f}) "
            f"on {row['n']} labels from {row['letters']} letters [{Path(path).name}]"
        )
        print("  per check: " + ", ".join(f"{c} {v:.2f}" for c, v in row["per_check"].items()))
        for miss in row.get("disagreements", []):
            want = "pass" if miss["label"] else "fail"
            got = "pass" if miss["critic"] else "fail"
            where = f"{miss['letter']}: {miss['check']}"
            print(f"  {where}: label {want}, critic {got}: {miss['message']}")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
