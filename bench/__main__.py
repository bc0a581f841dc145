"""Every benchmark in one table: `python -m bench` (or `make bench`).

Each figure is printed with its target and a pass/short mark. Speeds and memory are ratios
to a baseline measured in the same run, so the table means the same on any machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import platform
import sys
import time
import traceback
from typing import Any

MODULES = (
    "bench.intents",
    "bench.scenarios",
    "bench.critic",
    "bench.rehearsal",
    "bench.engine",
    "bench.tui",
    "bench.store",
    "bench.conversations",
    "bench.voice",  # needs the voice extra and espeak-ng; a "skipped" row says what is missing
)


def skipped(module_name: str) -> str:
    """Why a benchmark cannot run on this machine ("" when it can): its ``unavailable()``."""
    module = importlib.import_module(module_name)
    check = getattr(module, "unavailable", None)
    return str(check() or "") if callable(check) else ""


def _rows(module_name: str) -> list[dict[str, Any]]:
    module = importlib.import_module(module_name)
    result = module.run()
    rows = result if isinstance(result, list) else [result]
    for r in rows:
        if "value" not in r and "ratio" in r:  # bench.store reports a latency ratio
            r.update(value=r["ratio"], lower_is_better=True, name="database-size latency (1,000 cases vs empty)")
    return [r for r in rows if isinstance(r, dict) and "value" in r]


def fmt(row: dict[str, Any]) -> tuple[str, str, str]:
    lower = row.get("lower_is_better", False)
    value = float(row["value"])
    if "unit" in row:  # a count or a number of turns, not a ratio (bench.conversations)
        shown = f"{value:.2f}{row['unit']}"
        if row.get("target") is None:
            return shown, "", "info"
        good = value <= float(row["target"]) if lower else value >= float(row["target"])
        return shown, f"{'<=' if lower else '>='} {row['target']}{row['unit']}", "pass" if good else "short"
    if row.get("target") is None:  # a figure reported for context, with no target of its own
        return (f"{value:.2f}x" if lower else f"{value:.1%}"), "", "info"
    if lower:
        return f"{value:.2f}x", f"<= {row['target']}x", "pass" if value <= float(row["target"]) else "short"
    return f"{value:.1%}", f">= {float(row['target']):.0%}", "pass" if value >= float(row["target"]) else "short"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="*", help="run only these modules (e.g. intents engine)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table (for the README)")
    args = parser.parse_args(argv)
    modules = [m for m in MODULES if not args.only or m.split(".")[1] in args.only]
    started = time.perf_counter()
    table: list[tuple[str, str, str, str]] = []
    failures = 0
    for name in modules:
        try:
            why = skipped(name)
            if why:
                print(why, file=sys.stderr)
                table.append((name, "skipped", "", why))
                continue
            rows = _rows(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        except Exception:  # a broken benchmark is reported, and the others still run
            traceback.print_exc()
            table.append((name, "error", "", "short"))
            failures += 1
            continue
        for row in rows:
            value, target, mark = fmt(row)
            table.append((row["name"], value, target, mark))
    elapsed = time.perf_counter() - started
    when = dt.date.today().isoformat()
    machine = f"{platform.system()} {platform.machine()} ({os.cpu_count()} cores), Python {platform.python_version()}"
    if args.markdown:
        print(f"Measured {when} on {machine}, in {elapsed:.0f} s (`make bench`).\n")
        print("| measure | value | target | |")
        print("| --- | ---: | ---: | --- |")
        for name, value, target, mark in table:
            print(f"| {name} | {value} | {target} | {mark} |")
    else:
        width = max((len(r[0]) for r in table), default=20)
        print(f"{'measure'.ljust(width)}  {'value':>8}  {'target':>9}")
        for name, value, target, mark in table:
            print(f"{name.ljust(width)}  {value:>8}  {target:>9}  {mark}")
        print(f"\n{when}, {machine}; {elapsed:.0f} s")
    # A figure short of its target is reported, not fatal; a benchmark that crashed is.
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
