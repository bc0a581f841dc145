"""Mechanisms content can call by name: ``do: [compare, recommend]`` in a state.

An action computes (a comparison, a recommendation, a draft), may set slots, and returns
events; its words come from templates. Actions register themselves with ``@action``; the
modules holding them are imported by ``load_actions`` so the registry is complete before a
session starts or ``check`` validates ``do:`` names.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.events import Event
    from bot.session import Session

ActionFn = Callable[["Session"], "list[Event] | None"]


@dataclass(frozen=True)
class Action:
    name: str
    fn: ActionFn
    produces: frozenset[str] = field(default_factory=frozenset)  # slots it may set
    reads: frozenset[str] = field(default_factory=frozenset)


REGISTRY: dict[str, Action] = {}

# Modules that register actions. A module not written yet is skipped.
ACTION_MODULES = (
    "bot.decision",
    "bot.drafting",
    "bot.scenario_actions",
    "bot.rehearsal_actions",
    "bot.memory_actions",
)


def action(name: str, *, produces: Iterable[str] = (), reads: Iterable[str] = ()) -> Callable[[ActionFn], ActionFn]:
    def register(fn: ActionFn) -> ActionFn:
        REGISTRY[name] = Action(name, fn, frozenset(produces), frozenset(reads))
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
# correction to an earlier answer. It returns events, or None to pass.

InterruptFn = Callable[["Session", str], "list[Event] | None"]


@dataclass(frozen=True)
class Interrupt:
    name: str
    fn: InterruptFn
    order: int


INTERRUPTS: dict[str, Interrupt] = {}


def interrupt(name: str, *, order: int = 50) -> Callable[[InterruptFn], InterruptFn]:
    def register(fn: InterruptFn) -> InterruptFn:
        INTERRUPTS[name] = Interrupt(name, fn, order)
        return fn

    return register


def interrupts() -> list[Interrupt]:
    load_actions()
    return sorted(INTERRUPTS.values(), key=lambda i: (i.order, i.name))
