"""The Textual app's speed, as ratios to a baseline measured in the same run.

"On screen" means the first frame, composed headless and handed to the terminal driver
(``App._display``), in which the widget has a place.

* launch: from starting a Python process to the first coach message on screen, against a
  bare Textual app with a Header, an Input and a Footer getting to its first frame. Target
  <= 1.2x. This is what a person waits for after typing ``decline-coach --new``. A new
  case's first words come from the cache folder (``bot.tui.engine.Engine.cached_opening``;
  the warm-up launch writes them, as any earlier run would) and the engine opens after
  they are drawn, so its imports, content and store are not on this path.
* start-up in-process: the same with ``run_test`` in an already-warm process (imports
  excluded), so only the app's own start-up is compared. Target <= 1.2x. The bare app
  paints in ~15-20 ms there; with the engine off the path, what is left is styling and
  laying out the chat screen (a log, a bubble, quick replies, the case panel) against
  three widgets.
* append: the time from handing message 1,000 to the chat screen to the frame showing it,
  against message 10. Older messages are pruned, so the cost should stay flat. Target
  <= 2x. The work alone (mount, prune, panel update, without waiting for the frame) is
  given in the detail.

Samples alternate between the two sides so drift hits both; figures are medians.

    python -m bench.tui [--repeats 9] [--messages 1000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

START_TARGET = 1.2
APPEND_TARGET = 2.0
WINDOW = 9  # appends timed around each mark (message 10, message N), median taken
SIZE = (120, 40)


class _FrameClock:
    """When the first frame showing ``target`` was handed to the terminal driver.

    Headless apps still compose every frame and pass it to ``App._display``; the time of the
    first such call after the target widget has a place on screen is "visible".
    """

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.shown: float | None = None

    def frame(self, visible: bool) -> None:
        if self.shown is None and visible:
            self.shown = time.perf_counter() - self.started


async def _wait(clock: _FrameClock, pilot: Any) -> float:
    for _ in range(10_000):
        if clock.shown is not None:
            return clock.shown
        await asyncio.sleep(0.001)
    raise TimeoutError("the app never showed what was expected")


async def _bare_start() -> float:
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input

    clock = _FrameClock()

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Header()
            yield Input(placeholder="Type here")
            yield Footer()

        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                clock.frame(any(w.region for w in self.screen.query(Input)))

    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        return await _wait(clock, pilot)


async def _coach_start(home: Path) -> float:
    from bot.tui import CoachApp
    from bot.tui.engine import EngineOptions
    from bot.tui.widgets.message import MessageBubble

    clock = _FrameClock()

    class Coach(CoachApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None:
                bubbles = self.screen.query(MessageBubble)
                clock.frame(any(b.speaker == "coach" and b.region for b in bubbles))

    app = Coach(EngineOptions(data_dir=str(home), new=True), typing_delay=0)
    async with app.run_test(size=SIZE) as pilot:
        return await _wait(clock, pilot)


def _child(kind: str, home: str) -> int:
    """Run one app headless in this process; print "shown" at its first frame with the target."""
    import os

    os.environ["DECLINE_COACH_HOME"] = home
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Input

    def shown(app: App[None]) -> None:
        print("shown", flush=True)
        app.exit()

    if kind == "bare":

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Header()
                yield Input(placeholder="Type here")
                yield Footer()

            def _display(self, screen: Any, renderable: Any) -> None:
                super()._display(screen, renderable)
                if renderable is not None and any(w.region for w in self.screen.query(Input)):
                    shown(self)

        Bare().run(headless=True, size=SIZE)
        return 0

    from bot.tui import CoachApp
    from bot.tui.engine import EngineOptions
    from bot.tui.widgets.message import MessageBubble

    class Coach(CoachApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            bubbles = self.screen.query(MessageBubble)
            if renderable is not None and any(b.speaker == "coach" and b.region for b in bubbles):
                shown(self)

    Coach(EngineOptions(data_dir=home, new=True), typing_delay=0).run(headless=True, size=SIZE)
    return 0


def _launch(kind: str, home: Path) -> float:
    """Seconds from starting a Python process to the app's first frame with the target.

    Both apps run as an installed copy would: with bytecode compiled (into a private folder,
    whatever ``PYTHONDONTWRITEBYTECODE`` says; the warm-up launch writes it) and the content
    cache filled, both also private to this run.
    """
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(home / "pycache"), "DECLINE_COACH_CACHE": str(home / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "bench.tui", "--child", kind, "--home", str(home)]
    started = time.perf_counter()
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent, env=env) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - started
        proc.wait(timeout=30)
    if line.strip() != "shown":
        raise RuntimeError(f"{kind} app did not start: {line!r}")
    return elapsed


async def _append_times(home: Path, messages: int) -> tuple[float, float, float, float]:
    """Append time around message 10 and around message ``messages`` (show() to the painted
    frame), then the same for the work alone (show() returning: mount, prune, panel)."""
    from bot.events import Say
    from bot.tui import CoachApp
    from bot.tui.engine import EngineOptions
    from bot.tui.widgets.message import MessageBubble

    clock = _FrameClock()
    target: list[str] = [""]

    class Coach(CoachApp):
        def _display(self, screen: Any, renderable: Any) -> None:
            super()._display(screen, renderable)
            if renderable is not None and target[0]:
                bubbles = self.screen.query(MessageBubble)
                clock.frame(bool(bubbles) and bubbles.last().text == target[0] and bool(bubbles.last().region))

    app = Coach(EngineOptions(data_dir=str(home), new=True), typing_delay=0)
    times: list[float] = []
    work: list[float] = []
    async with app.run_test(size=SIZE) as pilot:
        while not app.engine.ready or any(w.is_running for w in app.workers if w.group == "turns"):
            await pilot.pause()
        chat = app.chat
        await chat.query_one("#log").remove_children()
        await pilot.pause()
        text = "A reply of ordinary length, long enough to wrap once on a normal terminal. " * 2
        for i in range(1, messages + 1):
            target[0] = f"{i}. {text}"
            clock.started, clock.shown = time.perf_counter(), None
            await chat.show([Say(target[0], speaker="user" if i % 2 else "coach")])
            work.append(time.perf_counter() - clock.started)
            times.append(await _wait(clock, pilot))
            target[0] = ""
    half = WINDOW // 2

    def around(values: list[float], n: int) -> float:
        return statistics.median(values[max(0, n - 1 - half) : n + half])

    return around(times, 10), around(times, messages), around(work, 10), around(work, messages)


async def _measure(repeats: int, messages: int) -> dict[str, Any]:
    import os

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        saved = os.environ.get("DECLINE_COACH_CACHE")
        os.environ["DECLINE_COACH_CACHE"] = str(home / "cache")  # the in-process runs' content cache
        try:
            return await _measure_in(home, repeats, messages)
        finally:
            if saved is None:
                os.environ.pop("DECLINE_COACH_CACHE", None)
            else:
                os.environ["DECLINE_COACH_CACHE"] = saved


async def _measure_in(home: Path, repeats: int, messages: int) -> dict[str, Any]:
    await _bare_start()  # warm-up: imports, first-run caches
    await _coach_start(home)
    bare: list[float] = []
    coach: list[float] = []
    bare_launch: list[float] = []
    coach_launch: list[float] = []
    _launch("bare", home), _launch("coach", home)  # warm-up: the OS file cache, .pyc files
    for _ in range(repeats):
        bare.append(await _bare_start())
        coach.append(await _coach_start(home))
        bare_launch.append(_launch("bare", home))
        coach_launch.append(_launch("coach", home))
    ratios = []
    work_ratios = []
    for _ in range(max(3, repeats // 3)):
        early, late, work_early, work_late = await _append_times(home, messages)
        ratios.append(late / early)
        work_ratios.append(work_late / work_early)
    return {
        "bare_launch_s": statistics.median(bare_launch),
        "coach_launch_s": statistics.median(coach_launch),
        "launch_ratio": statistics.median(coach_launch) / statistics.median(bare_launch),
        "bare_start_s": statistics.median(bare),
        "coach_start_s": statistics.median(coach),
        "start_ratio": statistics.median(coach) / statistics.median(bare),
        "append_ratio": statistics.median(ratios),
        "append_ratios": ratios,
        "append_work_ratio": statistics.median(work_ratios),
    }


def run(repeats: int = 9, messages: int = 1000) -> list[dict[str, Any]]:
    m = asyncio.run(_measure(repeats, messages))
    return [
        {
            "name": "TUI launch to first coach message (new process, vs bare Header+Input+Footer)",
            "value": round(m["launch_ratio"], 3),
            "target": START_TARGET,
            "lower_is_better": True,
            "detail": {
                "coach_s": round(m["coach_launch_s"], 4),
                "bare_s": round(m["bare_launch_s"], 4),
            },
        },
        {
            "name": "TUI start-up in-process (run_test, warm imports, vs bare app)",
            "value": round(m["start_ratio"], 3),
            "target": START_TARGET,
            "lower_is_better": True,
            "detail": {
                "coach_s": round(m["coach_start_s"], 4),
                "bare_s": round(m["bare_start_s"], 4),
            },
        },
        {
            "name": f"TUI append message {messages:,} (vs message 10)",
            "value": round(m["append_ratio"], 3),
            "target": APPEND_TARGET,
            "lower_is_better": True,
            "detail": {
                "ratios": [round(r, 3) for r in m["append_ratios"]],
                "work_only_ratio": round(m["append_work_ratio"], 3),
            },
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.tui", description=__doc__)
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", choices=("bare", "coach"), help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args.child, args.home)
    rows = run(args.repeats, args.messages)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        for row in rows:
            mark = "pass" if row["value"] <= row["target"] else "short"
            print(f"{row['name']}: {row['value']:.2f}x (target <= {row['target']}x) {mark}  {row['detail']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
