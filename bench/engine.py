"""Engine costs, as ratios (never absolute times): per turn, plain start-up (without and with
saving), memory growth.

python -m bench.engine
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rapidfuzz import process

from bot.content import Content, load_content
from bot.session import Session

ROOT = Path(__file__).resolve().parent.parent

# A realistic script: answers, free text, a scenario, mistakes, back and restart.
SCRIPT = [
    "hi there",
    "I got an offer from Acme Corp for the data analyst role and I want to decline",
    "Acme Corp",
    "Senior Data Analyst",
    "Dana Rivera",
    "yes",
    "I'm not sure actually",
    "back",
    "the salary is the only problem, I'd take it for more money",
    "what should I say if they ask why?",
    "they came back with a better offer after I said no",
    "2",
    "Sam Lee",
    "skip",
    "make it more formal",
    "I never replied and it's been two weeks",
    "qwerty asdf",
    "help",
    "restart",
]


def _session(content: Content) -> Session:
    s = Session(content, today=dt.date(2026, 11, 21))
    s.start()
    return s


def per_turn_ratio(content: Content, turns: int = 500, repeats: int = 3) -> float:
    examples = [e.norm for e in content.intent_matcher.examples]
    lines = [SCRIPT[i % len(SCRIPT)] for i in range(turns)]
    norm = content.normaliser
    engine_times, bare_times = [], []
    for _ in range(repeats):
        s = _session(content)
        t0 = time.perf_counter()
        for line in lines:
            s.handle(line)
        engine_times.append(time.perf_counter() - t0)
        queries = [norm.normalise(line) for line in lines]
        t0 = time.perf_counter()
        for q in queries:
            process.extractOne(q, examples)
        bare_times.append(time.perf_counter() - t0)
    return min(engine_times) / min(bare_times)


BARE = ["-c", "import jinja2, rapidfuzz, transitions, yaml"]
CHAT = ["-m", "bot", "chat", "--plain"]


def startup_ratios(repeats: int = 9) -> tuple[float, float]:
    """Plain start-up to "quit", without and with saving, each against importing the libraries.

    Every command runs as an installed copy would: with its bytecode compiled (a warm-up run
    writes it to a private folder, whatever ``PYTHONDONTWRITEBYTECODE`` says), the content
    cache filled, and a data folder that already holds a few cases. Samples alternate between
    the three commands so drift hits all of them, and each figure is the fastest of its
    samples: other work on a shared machine only ever adds time (a median could still land on
    a slowed run, and then the ratio on either side of the truth).
    """
    with tempfile.TemporaryDirectory(prefix="decline-coach-bench-") as tmp:
        env = {
            **os.environ,
            "DECLINE_COACH_HOME": str(Path(tmp) / "home"),
            "DECLINE_COACH_CACHE": str(Path(tmp) / "cache"),
            "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
        }
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = {
            "bare": (BARE, ""),
            "no-save": ([*CHAT, "--no-save"], "quit\n"),
            "save": (CHAT, "quit\n"),
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for round_ in range(repeats + 2):  # two warm-up rounds: bytecode, content cache, store
            for name, (args, stdin) in commands.items():
                t0 = time.perf_counter()
                cmd = [sys.executable, *args]
                subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, cwd=ROOT, check=True)
                if round_ >= 2:
                    times[name].append(time.perf_counter() - t0)
    bare = min(times["bare"])
    return min(times["no-save"]) / bare, min(times["save"]) / bare


def _peak_rss_kb(turns: int) -> int:
    """Peak resident memory of a real `chat --plain` process that handles ``turns`` lines."""
    code = (
        "import resource, sys; from bot.cli import main; main(sys.argv[1:]); "
        "sys.stderr.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))"
    )
    lines = "\n".join(SCRIPT[i % len(SCRIPT)] for i in range(turns)) + "\n"
    env = {**os.environ, "DECLINE_COACH_HOME": str(ROOT / ".bench-home")}
    r = subprocess.run(
        [sys.executable, "-c", code, "chat", "--plain", "--no-save"],
        input=lines,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    return int(r.stderr.strip().splitlines()[-1])


def memory_ratio() -> float:
    return _peak_rss_kb(1000) / _peak_rss_kb(10)


def run() -> list[dict[str, Any]]:
    content = load_content()
    no_save, save = startup_ratios()
    return [
        {
            "name": "per-turn cost vs bare extractOne",
            "value": per_turn_ratio(content),
            "target": 3.0,
            "lower_is_better": True,
        },
        {
            "name": "plain start-up vs importing the libraries (--no-save)",
            "value": no_save,
            "target": 2.0,
            "lower_is_better": True,
        },
        {
            "name": "plain start-up vs importing the libraries (saving)",
            "value": save,
            "target": 2.0,
            "lower_is_better": True,
        },
        {
            "name": "memory after 1,000 turns vs 10 (process)",
            "value": memory_ratio(),
            "target": 1.2,
            "lower_is_better": True,
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<56} {row['value']:.2f}x  (target <= {row['target']})")
