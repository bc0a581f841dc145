"""Moves (bot/moves.py): actions return them, the machine performs them, check verifies them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import actions
from bot.check import check
from bot.content import Content
from bot.events import Event
from bot.machine import NEXT, next_target
from bot.moves import Detour, Goto, Move, UndeclaredMove
from bot.session import Session


@pytest.fixture
def scratch_action() -> Iterator[str]:
    actions.load_actions()
    yield "zz-test-move"
    actions.REGISTRY.pop("zz-test-move", None)


def test_a_misspelt_move_target_is_a_check_error(scratch_action: str) -> None:
    @actions.action(scratch_action, goes=["decision.recomend"])
    def _misspelt(session: Session) -> list[Event] | Move | None:
        return Goto("decision.recomend")

    problems = [str(p) for p in check()]
    hits = [p for p in problems if "may move to unknown state 'decision.recomend'" in p]
    assert hits, problems
    assert "tests/test_moves.py:" in hits[0]


def test_the_shipped_declarations_resolve() -> None:
    assert not [p for p in check() if "goes=" in p.message]


def test_an_undeclared_move_fails_loudly(content: Content, scratch_action: str) -> None:
    @actions.action(scratch_action, goes=["decision.route"])
    def _sneaky(session: Session) -> list[Event] | Move | None:
        return Goto("decision.recommend")

    session = Session(content)
    session.start()
    with pytest.raises(UndeclaredMove):
        session.perform(_sneaky(session) or Goto(""), actions.REGISTRY[scratch_action].goes, scratch_action)


def test_a_detour_comes_back_where_it_said(content: Content) -> None:
    session = Session(content)
    session.start()
    here = session.state
    session.perform(Detour("rehearse", back_to="scenario.offer-draft"), ("rehearse", "scenario.offer-draft"), "t")
    assert session.state.startswith("rehearse.")
    assert session.returns[-1] == "scenario.offer-draft"
    assert here != session.state
    assert session.return_from_side_trip()
    assert session.state == "scenario.offer-draft"


def test_next_edges_are_the_machines_conditional_transitions(content: Content) -> None:
    session = Session(content)
    route = content.state("decision.route")
    transitions = session.machine.get_transitions(NEXT, source="decision.route")
    assert len(transitions) == len(route.next)
    for edge, transition in zip(route.next, transitions, strict=True):
        assert bool(transition.conditions) == bool(edge.cond)
    # The machine, not the session, picks the edge, in order, on the slots.
    assert next_target(session.machine, session.model, content, "decision.route") == "case.start"
    session.slots.update(company="Northwind", decision="decline")
    assert next_target(session.machine, session.model, content, "decision.route") == "decision.decided"
