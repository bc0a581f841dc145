"""The conversation's state machine, built from the flows with ``transitions``.

Each flow is a parent state whose children are its states (``decision.compare``), in a
``HierarchicalMachine`` with "." as the separator. Every edge the content declares becomes a
transition named ``to:<target>``; the session picks the edge (evaluating its condition on
slots, so it can explain the choice) and fires it, so the machine is the single authority on
where the conversation is and which moves are legal. Global moves (back, restart, return
from a side trip, the menu) jump with ``set_state``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions.extensions.nesting import HierarchicalMachine, NestedState

from bot.content import Content


class _DotState(NestedState):
    # The default separator "_" would split state names; ours use "." between flow and state.
    separator = "."


class CoachMachine(HierarchicalMachine):
    state_cls = _DotState


class ConversationModel:
    """The object whose ``state`` the machine drives; its callbacks call back into the session."""

    state: str

    def __init__(self, on_enter: Callable[[str], None]) -> None:
        self._on_enter = on_enter

    def entered(self, event: Any) -> None:
        self._on_enter(self.state)


def transition_name(target: str) -> str:
    return f"to:{target}"


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
        targets = {content.resolve(e.goto, st.flow) for e in st.edges()}
        for target in sorted(targets):
            if target.startswith("@") or target not in known:
                continue
            machine.add_transition(transition_name(target), st.full, target)
    return machine


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
