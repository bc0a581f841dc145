"""The conversation's state machine, built from the flows with ``transitions``: the one owner
of where the conversation is and which moves are legal.

Each flow is a parent state whose children are its states (``decision.compare``), in a
``HierarchicalMachine`` with "." as the separator. The content's edges become transitions:

- ``next:`` edges, in order, are the trigger ``next``; each edge's ``if:`` is the transition's
  condition (a callable evaluated on the model's slots), so ``model.trigger("next")`` takes
  the first edge whose condition holds. The edge taken is kept in ``model.taken`` (with its
  ``if:``, file and line), so the choice can be explained; its ``set:``/``say:`` run as the
  transition's ``before`` callback, before the next state is entered. An edge to ``@stay``,
  ``@end``, ``@menu``, ``@return`` or to its own state is an internal transition: the
  session performs it after the trigger.
- the edges a reading picks (a choice, a state intent, ``on_facts``) are ``to:<target>``.
- a move an action or interrupt returns (``bot.moves``), to a state it declared in ``goes=``,
  is ``move:<target>`` from anywhere (``CoachMachine.move``; added when first used, so opening
  a session imports no action module).

Jumps that no edge declares are the machine's own helpers (``place``): going back a step,
restarting, the menu, returning from a side trip and restoring a saved case.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from transitions.extensions.nesting import HierarchicalMachine, NestedState

from bot.content import Content, Edge

NEXT = "next"


class _DotState(NestedState):
    # The default separator "_" would split state names; ours use "." between flow and state.
    separator = "."


class CoachMachine(HierarchicalMachine):
    state_cls = _DotState

    def place(self, model: ConversationModel, full: str) -> None:
        """Put the conversation at ``full`` without an edge (back, restart, menu, the end of a
        side trip, a restored case). The state's ``on_enter`` does not run: the caller says
        what needs saying."""
        self.set_state(full, model)

    def move(self, model: ConversationModel, full: str) -> bool:
        """Take the ``move:<full>`` transition (a declared move), entering ``full``."""
        name = move_name(full)
        if name not in self.events:
            self.add_transition(name, list(self.states), full)
        return bool(model.trigger(name))


class ConversationModel:
    """The object whose ``state`` the machine drives; its callbacks call back into the session."""

    state: str
    trigger: Callable[..., bool]

    def __init__(
        self,
        on_enter: Callable[[str], None],
        holds: Callable[[str], bool] = lambda expr: False,
        take: Callable[[Edge], None] = lambda edge: None,
    ) -> None:
        self._on_enter = on_enter
        self._holds = holds
        self._take = take
        #: The edge the last ``next`` trigger took (None when none held).
        self.taken: Edge | None = None

    def entered(self, event: Any) -> None:
        self._on_enter(self.state)

    def holds(self, expr: str) -> bool:
        return self._holds(expr)

    def took(self, edge: Edge) -> None:
        self.taken = edge
        self._take(edge)


def transition_name(target: str) -> str:
    return f"to:{target}"


def move_name(target: str) -> str:
    return f"move:{target}"


def _condition(expr: str, event: Any) -> bool:
    return bool(event.model.holds(expr))


def _took(edge: Edge, event: Any) -> None:
    event.model.took(edge)


def build_machine(content: Content, model: ConversationModel) -> CoachMachine:
    known = content.states  # a property that builds a new dict: read it once
    states: list[dict[str, Any]] = []
    for flow in content.flows.values():
        children = [{"name": name, "on_enter": "entered"} for name in flow.states]
        states.append({"name": flow.name, "children": children, "initial": flow.initial})
    machine = CoachMachine(
        model=model,
        states=states,
        initial=content.start,
        auto_transitions=False,
        ignore_invalid_triggers=True,
        send_event=True,
    )
    for st in known.values():
        picked = [c.edge for c in st.choices] + list(st.on.values()) + ([st.on_facts] if st.on_facts else [])
        targets = {content.resolve(e.goto, st.flow) for e in picked}
        for target in sorted(targets):
            if target.startswith("@") or target not in known:
                continue
            machine.add_transition(transition_name(target), st.full, target)
        for edge in st.next:
            target = content.resolve(edge.goto, st.flow)
            internal = target.startswith("@") or target == st.full or target not in known
            machine.add_transition(
                NEXT,
                st.full,
                None if internal else target,
                conditions=[partial(_condition, edge.cond)] if edge.cond else None,
                before=[partial(_took, edge)],
            )
    return machine


def next_target(machine: CoachMachine, model: ConversationModel, content: Content, full: str) -> str | None:
    """Where the ``next`` trigger would go from ``full`` now, without going (the first edge
    whose condition holds, as the machine decides it)."""
    st = content.state(full)
    for transition in machine.get_transitions(NEXT, source=full):
        if all(_holds(c.func, model) == c.target for c in transition.conditions):
            edge = _edge_of(transition)
            return content.resolve(edge.goto, st.flow) if edge else transition.dest
    return None


def _holds(func: Any, model: ConversationModel) -> bool:
    return bool(func(_Probe(model)))


class _Probe:
    """Stands in for the event a condition is called with, outside a transition."""

    def __init__(self, model: ConversationModel) -> None:
        self.model = model


def _edge_of(transition: Any) -> Edge | None:
    for cb in transition.before:
        if isinstance(cb, partial) and cb.func is _took:
            edge: Edge = cb.args[0]
            return edge
    return None


def mermaid(content: Content, flow: str | None = None) -> str:
    """A Mermaid state diagram of the content (all flows, or one)."""
    lines = ["stateDiagram-v2"]

    def node(full: str) -> str:
        return full.replace(".", "__").replace("-", "_")

    flows = [content.flows[flow]] if flow else list(content.flows.values())
    for f in flows:
        lines.append(f'    state "{f.title}" as {f.name.replace("-", "_")} {{')
        lines.append(f"        [*] --> {node(f.name + '.' + f.initial)}")
        for st in f.states.values():
            lines.append(f"        {node(st.full)} : {st.name}")
        lines.append("    }")
    if content.start.partition(".")[0] in {f.name for f in flows}:
        lines.append(f"    [*] --> {node(content.start)}")
    seen: set[tuple[str, str, str]] = set()
    for f in flows:
        for st in f.states.values():
            labelled: list[tuple[str, str]] = []
            labelled += [(c.edge.goto, c.label) for c in st.choices]
            labelled += [(e.goto, intent) for intent, e in st.on.items()]
            labelled += [(e.goto, f"if {e.cond}" if e.cond else "next") for e in st.next]
            for goto, label in labelled:
                target = content.resolve(goto, st.flow)
                if target == "@end" or st.final:
                    dest = "[*]"
                elif target.startswith("@"):
                    continue
                else:
                    dest = node(target)
                key = (node(st.full), dest, label)
                if key in seen:
                    continue
                seen.add(key)
                safe = label.replace(":", " ").replace('"', "'")
                lines.append(f"    {node(st.full)} --> {dest} : {safe}")
            if st.final:
                lines.append(f"    {node(st.full)} --> [*]")
    return "\n".join(lines) + "\n"
