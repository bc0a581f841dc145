"""How often the rehearsal scorecard agrees with a coach's verdicts on scripted calls.

Each call in ``bench/data/rehearsal_calls.yaml`` (and any ``bench/data/calls/*.yaml``) is
played against its persona through the real ``Rehearsal`` object, line by line, and the
scorecard's verdicts are compared with the expected ones.

    python -m bench.rehearsal            # the table
    python -m bench.rehearsal -v         # plus every disagreement, with the words quoted
    python -m bench.rehearsal FILE...    # other call files in the same format
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
TARGET = 0.90


def call_files() -> list[Path]:
    files = [DATA / "rehearsal_calls.yaml"]
    files += sorted((DATA / "calls").glob("*.yaml"))
    return [f for f in files if f.is_file()]


def load_calls(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for path in paths or call_files():
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = raw.get("calls", []) if isinstance(raw, dict) else raw
        for i, call in enumerate(items or []):
            call = dict(call)
            call.setdefault("name", f"{path.stem}#{i + 1}")
            call["file"] = str(path)
            calls.append(call)
    return calls


def play(call: dict[str, Any]) -> Any:
    from bot.rehearsal import Rehearsal

    context = {"plan": call.get("plan", "decline")}
    context.update(call.get("context") or {})
    r = Rehearsal(
        str(call.get("persona", "gracious")),
        str(call.get("difficulty", "normal")),
        int(call.get("seed", 0)),
        context,
    )
    r.opening()
    for line in call.get("lines") or []:
        if r.finished:
            break
        r.turn(str(line if line is not None else ""))
    return r


def evaluate(paths: list[Path] | None = None) -> dict[str, Any]:
    calls = load_calls(paths)
    verdicts = agreed = whole = 0
    misses: list[dict[str, Any]] = []
    for call in calls:
        r = play(call)
        card = {line.check: line for line in r.scorecard().lines}
        all_ok = True
        for check, expected in (call.get("expect") or {}).items():
            verdicts += 1
            got = card.get(check)
            if got is not None and got.ok == bool(expected):
                agreed += 1
            else:
                all_ok = False
                misses.append({
                    "call": call["name"], "check": check, "expected": bool(expected),
                    "got": None if got is None else got.ok,
                    "quote": "" if got is None else got.quote,
                })
        whole += all_ok
    return {
        "calls": len(calls),
        "verdicts": verdicts,
        "agreement": agreed / verdicts if verdicts else 0.0,
        "whole_calls": whole / len(calls) if calls else 0.0,
        "misses": misses,
    }


def run(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    result = evaluate(paths)
    return [
        {"name": "rehearsal agreement", "value": round(result["agreement"], 3), "target": TARGET},
        {"name": "rehearsal calls fully agreed", "value": round(result["whole_calls"], 3),
         "target": None},
    ]


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if not a.startswith("-")] or None
    result = evaluate(paths)
    for row in run(paths):
        target = "" if row["target"] is None else f"  (target {row['target']:.2f})"
        print(f"{row['name']:<30} {row['value']:.3f}{target}")
    print(f"{'calls / verdicts':<30} {result['calls']} / {result['verdicts']}")
    if verbose:
        for m in result["misses"]:
            print(f"  - {m['call']}: {m['check']} expected {m['expected']}, got {m['got']}"
                  + (f'  "{m["quote"]}"' if m["quote"] else ""))
    return 0 if result["agreement"] >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
