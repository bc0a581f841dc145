"""The app reaches the engine only through typed events and the engine's facade.

Every module under ``bot/tui`` is read as source (its AST; nothing is imported) and each of
its imports of ``bot.*`` must be one listed here. Where the conversation is (a practice call
started, the call ended) comes to the app as events (``bot.events.CallStarted``,
``CallEnded``, ``DebriefEnded``), never by looking at the session's state or slots.
"""

from __future__ import annotations

import ast
from pathlib import Path

import bot
from bot.events import CallEnded, CallStarted, DebriefEnded, to_dict

TUI = Path(bot.__file__).resolve().parent / "tui"

#: The typed events, and the engine's facade: one conversation (bot.conversation) opened on
#: the content from its cache (bot.content_cache).
FACADE = {"bot.events", "bot.conversation", "bot.content_cache"}
#: Front-end services that hold no conversation: speech in and out for F5 (the optional
#: voice extra), and the case store, read-only, so the first frame can show a resumed case
#: before the engine has loaded (and the Cases screen can list cases).
SERVICES = ("bot.voice", "bot.store")
#: Pure utilities that hold no conversation: the version, text clean-up, start-up GC pause,
#: folders, a file-tree digest, private file writes, the plain transcript's Markdown, and the
#: command line's shared options.
UTILITIES = {
    "bot",
    "bot.text",
    "bot.startup",
    "bot.paths",
    "bot.treehash",
    "bot.safefile",
    "bot.plain",
    "bot.cli.common",
}
#: Named for type annotations only (inside ``if TYPE_CHECKING:``), never imported at run time.
TYPES_ONLY = {"bot.content", "bot.store"}
#: Engine internals the app must not touch, even by attribute.
FORBIDDEN_ATTRIBUTES = {"session"}


def _imports(tree: ast.AST) -> list[tuple[str, int, bool]]:
    """(module, line, under TYPE_CHECKING) for every import of a ``bot`` module."""
    found: list[tuple[str, int, bool]] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            guarded = typing_only
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for item in child.body:
                    visit_one(item, True)
                for item in child.orelse:
                    visit_one(item, typing_only)
                continue
            visit_one(child, guarded)

    def visit_one(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.Import):
            found.extend((a.name, node.lineno, typing_only) for a in node.names if a.name.split(".")[0] == "bot")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "bot":
            found.append((node.module, node.lineno, typing_only))
        visit(node, typing_only)

    visit(tree, False)
    return found


def _allowed(module: str, typing_only: bool) -> bool:
    if module == "bot.tui" or module.startswith("bot.tui."):
        return True
    if any(module == s or module.startswith(s + ".") for s in SERVICES):
        return True
    return module in FACADE or module in UTILITIES or (typing_only and module in TYPES_ONLY)


def test_the_app_imports_only_events_the_facade_and_pure_utilities() -> None:
    files = sorted(TUI.rglob("*.py"))
    assert len(files) > 20
    wrong: list[str] = []
    seen: set[str] = set()
    for path in files:
        for module, line, typing_only in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            seen.add(module)
            if not _allowed(module, typing_only):
                wrong.append(f"{path.relative_to(TUI.parent)}:{line}: {module}")
    assert wrong == [], "bot/tui reaches into the engine:\n" + "\n".join(wrong)
    # The walk really sees the imports (a test that cannot fail is a defect).
    assert {"bot.events", "bot.conversation", "bot.content"} <= seen


def test_the_app_never_touches_the_session() -> None:
    touched = [
        f"{path.relative_to(TUI.parent)}:{node.lineno}: .{node.attr}"
        for path in sorted(TUI.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_ATTRIBUTES
    ]
    assert touched == []


def test_the_contract_catches_an_engine_import() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "from bot.rehearsal_actions import CALL_STATE\n"
        "if TYPE_CHECKING:\n"
        "    from bot.store import Store\n"
        "def f():\n"
        "    from bot.session import Session\n"
    )
    found = _imports(ast.parse(source))
    assert found == [("bot.rehearsal_actions", 2, False), ("bot.store", 4, True), ("bot.session", 6, False)]
    assert [m for m, _, t in found if not _allowed(m, t)] == ["bot.rehearsal_actions", "bot.session"]


def test_call_events_are_plain_data() -> None:
    started = CallStarted(manager="Anita Rao", company="Contoso", so_far=(("user", "Hi"),))
    assert to_dict(started)["event"] == "call-started" and to_dict(started)["manager"] == "Anita Rao"
    assert to_dict(CallEnded(score=86, debrief=True)) == {
        "score": 86,
        "debrief": True,
        "kind": "call-ended",
        "event": "call-ended",
    }
    assert to_dict(DebriefEnded())["event"] == "debrief-ended"
