"""Mechanisms content can call by name: ``do: [compare, recommend]`` in a state.

An action computes (a comparison, a recommendation, a draft), may set slots, and returns
events, or a move (``bot.moves``: ``Goto``, ``Detour``, ``Stay``) that the session has the
machine perform; its words come from templates. Every state a move may name is declared in
``goes=`` (full names or flows), and ``decline-coach check`` resolves them against the
content. Actions register themselves with ``@action``; the modules holding them are imported
by ``load_actions`` so the registry is complete before a session starts or ``check``
validates ``do:`` names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bot.events import Event
    from bot.moves import Move
    from bot.session import Session

ActionFn = Callable[["Session"], "list[Event] | Move | None"]
F = TypeVar("F", bound=ActionFn)


@dataclass(frozen=True)
class Action:
    name: str
    fn: ActionFn
    produces: frozenset[str] = field(default_factory=frozenset)  # slots it may set
    reads: frozenset[str] = field(default_factory=frozenset)
    goes: tuple[str, ...] = ()  # states (or flows) a move it returns may name


REGISTRY: dict[str, Action] = {}

# Modules that register actions. A module not written yet is skipped.
ACTION_MODULES = (
    "bot.decision",
    "bot.drafting",
    "bot.scenario_actions",
    "bot.rehearsal_actions",
    "bot.memory_actions",
)


def action(
    name: str, *, produces: Iterable[str] = (), reads: Iterable[str] = (), goes: Iterable[str] = ()
) -> Callable[[F], F]:
    def register(fn: F) -> F:
        REGISTRY[name] = Action(name, fn, frozenset(produces), frozenset(reads), tuple(goes))
        return fn

    return register


_loaded = False


def load_actions() -> dict[str, Action]:
    global _loaded
    if not _loaded:
        for module in ACTION_MODULES:
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:
                if exc.name != module:
                    raise
        _loaded = True
    return REGISTRY


# -- interrupts ---------------------------------------------------------------------------------
#
# An interrupt looks at a turn the current state did not claim (no choice, no slot value, no
# state intent) and may take it: a scenario described out of the blue, an FAQ question, a
# correction to an earlier answer. It returns events or a move (it took the turn), or None to
# pass.

InterruptFn = Callable[["Session", str], "list[Event] | Move | None"]
G = TypeVar("G", bound=InterruptFn)


@dataclass(frozen=True)
class Interrupt:
    name: str
    fn: InterruptFn
    order: int
    goes: tuple[str, ...] = ()


INTERRUPTS: dict[str, Interrupt] = {}


def interrupt(name: str, *, order: int = 50, goes: Iterable[str] = ()) -> Callable[[G], G]:
    def register(fn: G) -> G:
        INTERRUPTS[name] = Interrupt(name, fn, order, tuple(goes))
        return fn

    return register


def interrupts() -> list[Interrupt]:
    load_actions()
    return sorted(INTERRUPTS.values(), key=lambda i: (i.order, i.name))


def declared_moves() -> dict[str, tuple[str, ...]]:
    """Every action's and interrupt's declared move targets, by ``kind name``."""
    load_actions()
    out = {f"action '{a.name}'": a.goes for a in REGISTRY.values() if a.goes}
    out.update({f"interrupt '{i.name}'": i.goes for i in INTERRUPTS.values() if i.goes})
    return out
