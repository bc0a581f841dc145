"""How often the draft critic agrees with a human's per-check labels, and whether its score
ranks letters the way a hiring manager would.

    python -m bench.critic                 # our letters (bench/data/letters.yaml) and, when
                                           # present, the held-out ones (bench/data/letters_heldout/)
    python -m bench.critic -v              # ... and every disagreement on OUR letters only
    python -m bench.critic OTHER.yaml DIR  # any files or folders in the same shape

A letter file is YAML: ``letters:`` (or a bare list, or one letter) of ``{id, text, labels,
kind?, quality?}`` where ``labels`` maps check ids to true (passes) or false (fails); labels
may also sit at the letter's top level. Agreement is the share of (letter, check) labels the
critic matches (a check agrees when all its findings pass exactly when the label is true);
unlabelled checks are not counted.

The ranking check: every clean letter (``quality: clean``, or, with no quality given, every
label true apart from the optional reason) must score above every letter whose ``tone``
label is false. The held-out letters were written by someone who never saw the critic's
cues; for them only totals are printed, never single misses (so nobody tunes on them).
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
HELDOUT = HERE / "data" / "letters_heldout"
TARGET = 0.95

#: The held-out writers' kind names -> the critic's kinds (None: an ordinary decline).
KIND_ALIASES = {"decline": None, "recruiter": "recruiter-message"}


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    return [path]


def load_letters(path: str | Path = LETTERS) -> list[dict[str, Any]]:
    out = []
    for file in _files(Path(path)):
        data = load_yaml(file)
        if isinstance(data, dict) and "letters" in data:
            items = data["letters"]
        elif isinstance(data, dict):
            items = [data]
        else:
            items = data
        for i, item in enumerate(items or []):
            if not isinstance(item, dict):
                continue
            given = item.get("labels")
            source: dict[str, Any] = given if isinstance(given, dict) else item
            labels = {str(k): bool(v) for k, v in source.items() if str(k) in CHECKS}
            kind = item.get("kind")
            kind = KIND_ALIASES.get(str(kind), kind) if kind is not None else None
            quality = item.get("quality")
            if quality is None:
                quality = (
                    "clean"
                    if all(v for k, v in labels.items() if k != "reason")
                    else "flawed"
                )
            out.append(
                {
                    "id": str(item.get("id", f"{file.stem}-{i + 1}")),
                    "text": str(item.get("text", "")),
                    "kind": kind,
                    "labels": labels,
                    "quality": str(quality),
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
    clean_scores: list[int] = []
    toned_scores: list[int] = []
    for letter in letters:
        result = critique(letter["text"], kind=letter["kind"])
        got = result.checks()
        if letter["quality"] == "clean":
            clean_scores.append(result.score)
        if letter["labels"].get("tone") is False:
            toned_scores.append(result.score)
        for check, want in letter["labels"].items():
            total += 1
            per_check_total[check] += 1
            if got[check] == want:
                agree += 1
                per_check_agree[check] += 1
            else:
                said = [f.message for f in result.findings if f.check == check]
                misses.append(
                    {
                        "letter": letter["id"],
                        "check": check,
                        "label": want,
                        "critic": got[check],
                        "message": " / ".join(said),
                    }
                )
    value = agree / total if total else 0.0
    inversions = sum(1 for c in clean_scores for t in toned_scores if c <= t)
    row: dict[str, Any] = {
        "name": "critic agreement",
        "value": round(value, 4),
        "target": TARGET,
        "n": total,
        "letters": len(letters),
        "clean": len(clean_scores),
        "toned": len(toned_scores),
        "lowest_clean": min(clean_scores) if clean_scores else None,
        "highest_toned": max(toned_scores) if toned_scores else None,
        "ranking_inversions": inversions,
        "ranking_holds": inversions == 0,
        "per_check": {
            c: round(per_check_agree[c] / per_check_total[c], 3)
            for c in CHECKS
            if per_check_total[c]
        },
    }
    if verbose:
        row["disagreements"] = misses
    return row


def _report(row: dict[str, Any], label: str) -> None:
    print(
        f"{row['name']} [{label}]: {row['value']:.3f} (target {row['target']:.2f}) "
        f"on {row['n']} labels from {row['letters']} letters"
    )
    print("  per check: " + ", ".join(f"{c} {v:.2f}" for c, v in row["per_check"].items()))
    verdict = "holds" if row["ranking_holds"] else "FAILS"
    print(
        f"  ranking {verdict}: {row['clean']} clean letters (lowest score {row['lowest_clean']}) "
        f"vs {row['toned']} with a tone problem (highest {row['highest_toned']}), "
        f"{row['ranking_inversions']} pair(s) out of order"
    )


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = False
    for flag in ("-v", "--verbose"):
        if flag in args:
            args.remove(flag)
            verbose = True
    paths: list[tuple[Path, bool]] = [(Path(p), False) for p in args]
    if not paths:
        paths = [(LETTERS, False)]
        if HELDOUT.is_dir() and _files(HELDOUT):
            paths.append((HELDOUT, True))
    ok = True
    for path, held_out in paths:
        row = run(path, verbose=verbose and not held_out)
        ok = ok and row["value"] >= TARGET and row["ranking_holds"]
        _report(row, ("held-out " if held_out else "") + path.name)
        for miss in row.get("disagreements", []):
            want = "pass" if miss["label"] else "fail"
            got = "pass" if miss["critic"] else "fail"
            where = f"{miss['letter']}: {miss['check']}"
            print(f"  {where}: label {want}, critic {got}: {miss['message']}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
