"""Does a long history slow a turn down? Turn latency with 1,000 past cases vs an empty file.

A "turn" is what the front-ends do per line typed: ``save_turn`` (snapshot replaced, turn
appended, one committed transaction) and ``load_case`` of the current case. Both stores
are open at once and measured alternately, sample by sample, so drift (CPU frequency,
other work on the machine) hits both equally; the figure is the ratio of medians.
Target: <= 1.2.

Opening the file is reported too but is not the target: ``PRAGMA quick_check`` reads the
whole file, so it grows with the history by design (it is what catches a damaged file).

    python -m bench.store [--cases 1000] [--samples 300] [--dir DIR] [--json]

``--dir`` puts the files on a disk of your choice: the default temporary folder may be a
RAM disk, where the fsync each commit pays (synchronous=FULL) is free.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bot.followups import derive
from bot.store import DB_NAME, SYNCHRONOUS, Store

TARGET = 1.2


def _snapshot(n: int, company: str) -> dict[str, Any]:
    """About the size of a real mid-conversation snapshot (a few KB of JSON)."""
    transcript = []
    for i in range(min(n, 24)):
        transcript.append(
            {"speaker": "user", "text": f"I think the {company} role is not right {i}"}
        )
        transcript.append(
            {
                "speaker": "coach",
                "text": "Thank you. What matters most to you in the next role? " * 2,
            }
        )
    return {
        "version": 1,
        "state": f"case.step{n % 9}",
        "slots": {
            "company": company,
            "role": "Senior data engineer",
            "manager": "Dana Smith",
            "recruiter": "Lee Park",
            "interviewers": ["Ana Ruiz", "Bo Chen"],
            "offer_date": "2025-03-01",
            "reason": "another-offer",
            "channel": "phone",
            "decision": "decline",
        },
        "history": [{"state": f"case.step{i % 9}", "slots": {}} for i in range(min(n, 12))],
        "returns": [],
        "transcript": transcript,
        "misses": 0,
        "finished": False,
        "turns": n,
        "today": "2025-03-10",
        "seed": 0,
    }


_EVENTS = [
    {"event": "say", "kind": "say", "speaker": "coach", "text": "Got it. Who made you the offer?"},
    {
        "event": "choices",
        "kind": "choices",
        "options": [
            {"label": "The hiring manager", "key": "manager"},
            {"label": "A recruiter", "key": "r"},
        ],
    },
]


def populate(directory: Path, cases: int, turns_per_case: int) -> None:
    """Fill a store with finished past cases, each with its log entry and follow-ups."""
    with Store(directory) as store:
        # Only the set-up skips the per-commit fsync; measurements run at the real setting.
        store._conn.execute("PRAGMA synchronous = OFF")
        day = date(2020, 1, 1)
        for i in range(cases):
            company = f"Company {i}"
            case = store.create_case(f"{company} - Senior data engineer")
            for n in range(1, turns_per_case + 1):
                store.save_turn(case, _snapshot(n, company), f"line {n} of case {i}", _EVENTS)
            decided = day + timedelta(days=i)
            slots = _snapshot(turns_per_case, company)["slots"]
            store.record_outcome(case, slots, decided)
            store.finish_case(case)
        store._conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")


def _time(fn: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - start) / 1e6


def run(
    cases: int = 1000, turns_per_case: int = 20, samples: int = 300, directory: Path | None = None
) -> dict[str, Any]:
    derive("decline", date(2025, 1, 1))  # load the follow-up rules outside the timings
    with tempfile.TemporaryDirectory(dir=directory, prefix="bench-store-") as tmp:
        empty_dir, full_dir = Path(tmp) / "empty", Path(tmp) / "full"
        Store(empty_dir).close()
        populate(full_dir, cases, turns_per_case)

        open_empty = [_time(lambda: Store(empty_dir).close()) for _ in range(5)]
        open_full = [_time(lambda: Store(full_dir).close()) for _ in range(5)]

        empty, full = Store(empty_dir), Store(full_dir)
        try:
            resume_empty: list[float] = []
            resume_full: list[float] = []
            turn_empty: list[float] = []
            turn_full: list[float] = []
            case_e = empty.create_case("Now - Data engineer")
            case_f = full.create_case("Now - Data engineer")
            for n in range(1, samples + 1):
                snap = _snapshot(n, "Now")
                for store, case, out in ((empty, case_e, turn_empty), (full, case_f, turn_full)):

                    def turn(
                        store: Store = store,
                        case: int = case,
                        snap: dict[str, Any] = snap,
                        n: int = n,
                    ) -> None:
                        store.save_turn(case, snap, f"turn {n}", _EVENTS)
                        store.load_case(case)

                    out.append(_time(turn))
                if n % 10 == 0:  # what starting the coach does: resume + count follow-ups due
                    for store, out in ((empty, resume_empty), (full, resume_full)):

                        def resume(store: Store = store) -> None:
                            store.latest_unfinished()
                            store.count_due(date(2025, 3, 10))

                        out.append(_time(resume))
            warm = samples // 10  # the first turns warm the caches: leave them out
            turn_empty, turn_full = turn_empty[warm:], turn_full[warm:]
            db_bytes = (full_dir / DB_NAME).stat().st_size
        finally:
            empty.close()
            full.close()

    med_e, med_f = statistics.median(turn_empty), statistics.median(turn_full)
    ratio = med_f / med_e
    return {
        "name": "store",
        "metric": "turn latency (save_turn + load_case), 1,000 past cases vs empty",
        "cases": cases,
        "turns_per_case": turns_per_case,
        "samples": len(turn_full),
        "synchronous": SYNCHRONOUS,
        "db_mb": round(db_bytes / 1e6, 1),
        "empty_ms": round(med_e, 3),
        "full_ms": round(med_f, 3),
        "p90_empty_ms": round(statistics.quantiles(turn_empty, n=10)[-1], 3),
        "p90_full_ms": round(statistics.quantiles(turn_full, n=10)[-1], 3),
        "ratio": round(ratio, 3),
        "target": TARGET,
        "ok": ratio <= TARGET,
        "resume_empty_ms": round(statistics.median(resume_empty), 3),
        "resume_full_ms": round(statistics.median(resume_full), 3),
        "open_empty_ms": round(statistics.median(open_empty), 2),
        "open_full_ms": round(statistics.median(open_full), 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.store", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--turns-per-case", type=int, default=20)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="folder for the temporary files (a real disk)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.cases, args.turns_per_case, args.samples, args.dir)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"store: {result['metric']}")
    print(
        f"  turn   empty {result['empty_ms']:.3f} ms   {result['cases']} cases "
        f"({result['db_mb']} MB) {result['full_ms']:.3f} ms   ratio {result['ratio']:.2f}x "
        f"(target <= {TARGET}x) {'ok' if result['ok'] else 'OVER TARGET'}"
    )
    print(f"  p90    empty {result['p90_empty_ms']:.3f} ms   full {result['p90_full_ms']:.3f} ms")
    print(
        f"  start  resume + count due: empty {result['resume_empty_ms']:.3f} ms, "
        f"full {result['resume_full_ms']:.3f} ms"
    )
    print(
        f"  open   (includes quick_check of the whole file) empty {result['open_empty_ms']:.2f} ms,"
        f" full {result['open_full_ms']:.2f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
