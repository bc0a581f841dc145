"""The practice call measured on scripted calls: does the manager understand each line, does
the scorecard agree with a coach's verdicts, and does the manager listen?

Call files (``calls:`` lists) are read in two formats. The first batch gives each line as
plain text; the labelled format gives each line as ``{text, contains: [labels]}`` and may
set ``difficulty`` (default normal) and ``plan`` (decline, negotiate, ask-for-time)::

    calls:
      - name: ...
        persona: gracious
        plan: decline
        lines:
          - text: "Hi Dana, it's Sam."
            contains: [greeting]
        expect: {gratitude: true, courtesy: true}

Each call is played through the real ``Rehearsal`` object, line by line. Reported, per set:

- line understanding: a line is right when the labels read from it (``rehearsal.yaml``'s
  ``labels``) equal its labelled set; also micro-F1 over labels. Silent lines are not
  counted (there is nothing to read), nor lines of files without labels.
- scorecard agreement: expected verdicts the scorecard gives.
- "didn't catch that" on real sentences: the share of non-silent lines not labelled noise
  that the manager answered as if the line broke up (target 0).
- repeated manager lines per call (target 0).

Sets: *tuned* is ``bench/data/rehearsal_calls.yaml`` and ``bench/data/calls/*.yaml`` (written
for this project and tuned on); *held out* is ``bench/data/calls_heldout/*.yaml``, calls by a
writer who never saw the cue phrases. Never tune on the held-out set, and never read its
misses: ``-v`` lists misses for the tuned set only.

    python -m bench.rehearsal            # the table
    python -m bench.rehearsal -v         # plus the tuned set's misses, with the words quoted
    python -m bench.rehearsal FILE...    # other call files, reported as one set
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parent / "data"
TARGET = 0.95  # scorecard agreement
LINE_TARGET = 0.90  # line understanding


def call_files() -> list[Path]:
    files = [DATA / "rehearsal_calls.yaml"]
    files += sorted((DATA / "calls").glob("*.yaml"))
    return [f for f in files if f.is_file()]


def heldout_files() -> list[Path]:
    return sorted((DATA / "calls_heldout").glob("*.yaml"))


def _line(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        contains = item.get("contains")
        return {
            "text": str(item.get("text") or ""),
            "contains": None if contains is None else [str(c) for c in contains],
        }
    return {"text": "" if item is None else str(item), "contains": None}


def load_calls(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for path in call_files() if paths is None else paths:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        items = raw.get("calls", []) if isinstance(raw, dict) else raw
        for i, call in enumerate(items or []):
            call = dict(call)
            call.setdefault("name", f"{path.stem}#{i + 1}")
            call["file"] = str(path)
            call["lines"] = [_line(x) for x in call.get("lines") or []]
            calls.append(call)
    return calls


def play(call: dict[str, Any]) -> Any:
    """The call played line by line; each line gets the turn it became (None: not a turn)."""
    from bot.rehearsal import Rehearsal

    context = {"plan": call.get("plan", "decline")}
    context.update(call.get("context") or {})
    r = Rehearsal(
        str(call.get("persona", "gracious")),
        str(call.get("difficulty") or "normal"),
        int(call.get("seed", 0)),
        context,
    )
    r.opening()
    for line in call["lines"]:
        line["turn"] = line["trigger"] = None
        if r.finished:
            continue
        before = len(r.turns)
        r.turn(line["text"])
        if len(r.turns) > before:
            line["turn"] = r.turns[-1]
            line["trigger"] = r.triggers[-1] if len(r.triggers) >= len(r.turns) else None
    return r


def evaluate(paths: list[Path] | None = None) -> dict[str, Any]:
    from bot.scorecard import default_rules

    rules = default_rules()
    calls = load_calls(paths)
    verdicts = agreed = whole = 0
    lines = right = tp = fp = fn = real = missed = repeats = 0
    misses: list[dict[str, Any]] = []
    for call in calls:
        r = play(call)
        for line in call["lines"]:
            text, turn = line["text"], line["turn"]
            if not text.strip():
                continue
            if turn is not None and line["contains"] is not None:
                got = rules.labels(turn)
                want = set(line["contains"])
                lines += 1
                right += got == want
                tp += len(got & want)
                fp += len(got - want)
                fn += len(want - got)
                if got != want:
                    misses.append({"call": call["name"], "check": "labels", "expected":
                                   sorted(want), "got": sorted(got), "quote": text})
            noise = line["contains"] is not None and "noise" in line["contains"]
            if turn is not None and not noise:
                real += 1
                missed += line["trigger"] == "nonsense"
        said = [t["text"] for t in r.transcript if t["speaker"] == "manager"]
        repeats += sum(n - 1 for n in Counter(said).values())
        card = {line.check: line for line in r.scorecard().lines}
        all_ok = True
        for check, expected in (call.get("expect") or {}).items():
            verdicts += 1
            got_line = card.get(check)
            if got_line is not None and got_line.ok == bool(expected):
                agreed += 1
            else:
                all_ok = False
                misses.append({
                    "call": call["name"], "check": check, "expected": bool(expected),
                    "got": None if got_line is None else got_line.ok,
                    "quote": "" if got_line is None else got_line.quote,
                })
        whole += all_ok
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "calls": len(calls),
        "verdicts": verdicts,
        "agreement": agreed / verdicts if verdicts else 0.0,
        "whole_calls": whole / len(calls) if calls else 0.0,
        "lines": lines,
        "line_accuracy": right / lines if lines else 0.0,
        "micro_f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "not_caught": missed / real if real else 0.0,
        "repeats_per_call": repeats / len(calls) if calls else 0.0,
        "misses": misses,
    }


def _rows(result: dict[str, Any], label: str) -> list[dict[str, Any]]:
    rows = [
        {"name": f"rehearsal agreement ({label})", "value": round(result["agreement"], 3),
         "target": TARGET},
        {"name": f"rehearsal calls fully agreed ({label})",
         "value": round(result["whole_calls"], 3), "target": None},
    ]
    if result["lines"]:
        rows += [
            {"name": f"rehearsal line understanding ({label})",
             "value": round(result["line_accuracy"], 3), "target": LINE_TARGET},
            {"name": f"rehearsal line micro-F1 ({label})", "value": round(result["micro_f1"], 3),
             "target": None},
        ]
    rows += [
        {"name": f"rehearsal 'didn't catch that' on real lines ({label})",
         "value": round(result["not_caught"], 3), "target": None, "goal": 0},
        {"name": f"rehearsal repeated manager lines per call ({label})",
         "value": round(result["repeats_per_call"], 3), "target": None, "goal": 0,
         "count": True},
    ]
    return rows


def run(paths: list[Path] | None = None) -> list[dict[str, Any]]:
    if paths is not None:
        return _rows(evaluate(paths), "given")
    rows = _rows(evaluate(call_files()), "tuned")
    held = heldout_files()
    if held:
        rows += _rows(evaluate(held), "held out")
    return rows


def _report(result: dict[str, Any], label: str) -> None:
    for row in _rows(result, label):
        if row.get("count"):
            value = f"{row['value']:.2f}"
        else:
            value = f"{row['value']:.3f}"
        goal = ""
        if row.get("target") is not None:
            goal = f"  (target {row['target']:.2f})"
        elif "goal" in row:
            goal = f"  (target {row['goal']})"
        print(f"{row['name']:<58} {value}{goal}")
    print(f"{'calls / verdicts / labelled lines (' + label + ')':<58} "
          f"{result['calls']} / {result['verdicts']} / {result['lines']}")


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [Path(a) for a in argv if not a.startswith("-")] or None
    sets = [("given", paths)] if paths else [("tuned", call_files())]
    if not paths and heldout_files():
        sets.append(("held out", heldout_files()))
    ok = True
    for label, files in sets:
        result = evaluate(files)
        _report(result, label)
        ok = ok and result["agreement"] >= TARGET
        if verbose and label != "held out":
            for m in result["misses"]:
                print(f"  - {m['call']}: {m['check']} expected {m['expected']}, got {m['got']}"
                      + (f'  "{m["quote"]}"' if m["quote"] else ""))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
