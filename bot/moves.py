"""What an action or an interrupt asks the conversation to do next: typed move results.

An action (``do: [name]``) or an interrupt never moves the conversation itself; it returns a
move and the session has the machine perform it (Rasa's flow executor: steps return typed
results, one loop performs them). Every state a move may name is declared where the action
registers (``@action(..., goes=[...])``, ``@interrupt(..., goes=[...])``), so
``decline-coach check`` resolves it against the content: a state renamed in ``dialogues/``
but not in the declaration is a check error, and a move to an undeclared state fails loudly
(``UndeclaredMove``) instead of silently going somewhere else.

- ``Goto(target)``: go to ``target`` (a full state name ``flow.state`` or a flow).
- ``Detour(target, back_to)``: a side trip; ``@return`` in the content (or the end of the
  trip) comes back to ``back_to`` (``None``: the state the trip left from).
- ``Stay()``: the turn is taken and the conversation stays where it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.content import Content


@dataclass(frozen=True)
class Goto:
    target: str


@dataclass(frozen=True)
class Detour:
    target: str
    back_to: str | None = None


@dataclass(frozen=True)
class Stay:
    pass


Move = Goto | Detour | Stay


class UndeclaredMove(RuntimeError):
    """An action or interrupt returned a move to a state it did not declare in ``goes=``."""


def targets(move: Move) -> tuple[str, ...]:
    """The states a move names (what its declaration must cover)."""
    if isinstance(move, Goto):
        return (move.target,)
    if isinstance(move, Detour):
        return (move.target,) + ((move.back_to,) if move.back_to else ())
    return ()


def resolve(content: Content, target: str) -> str:
    """A move's target as a full state name: ``flow.state`` as is, a flow at its first state.
    (Never relative to where the conversation is: the same move names the same state.)"""
    return content.resolve(target, target.partition(".")[0])
