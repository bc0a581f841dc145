"""What the engine says, as typed events each front-end renders its own way.

The engine never formats for a screen: plain mode prints these, the TUI turns each into a
widget. Every field is plain data so a whole turn can be serialised to JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Speaker = Literal["coach", "user", "manager"]


@dataclass(frozen=True)
class Say:
    text: str
    speaker: Speaker = "coach"
    kind: str = "say"


@dataclass(frozen=True)
class Choice:
    label: str
    key: str  # what selecting it sends back to the engine (usually the label itself)


@dataclass(frozen=True)
class Choices:
    options: tuple[Choice, ...]
    kind: str = "choices"


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    message: str
    span: tuple[int, int] | None = None  # character offsets into the draft
    quote: str = ""  # the exact words responsible
    suggestion: str = ""


@dataclass(frozen=True)
class Draft:
    kind: str  # the draft kind, e.g. "decline-another-offer" (so not the event tag)
    tone: str
    title: str
    text: str
    findings: tuple[Finding, ...] = ()
    score: int | None = None


@dataclass(frozen=True)
class Advice:
    title: str
    points: tuple[str, ...]
    scenario: str | None = None
    kind: str = "advice"


@dataclass(frozen=True)
class ComparisonRow:
    name: str
    score: float  # 0..100
    details: tuple[tuple[str, float], ...] = ()  # (priority, weighted points)


@dataclass(frozen=True)
class Comparison:
    title: str
    rows: tuple[ComparisonRow, ...]
    close_call: bool = False
    note: str = ""
    kind: str = "comparison"


@dataclass(frozen=True)
class ScoreLine:
    check: str
    ok: bool
    note: str
    quote: str = ""
    better: str = ""
    title: str = ""  # the check as people read it ("Gratitude"); `check` is its id


@dataclass(frozen=True)
class Scorecard:
    title: str
    lines: tuple[ScoreLine, ...]
    kind: str = "scorecard"


@dataclass(frozen=True)
class Notice:
    """Something about the input or the app rather than the coaching (trimmed paste, saved file)."""

    text: str
    level: Literal["info", "warning", "error"] = "info"
    kind: str = "notice"


@dataclass(frozen=True)
class End:
    """The conversation is over (the person said quit, or the journey finished)."""

    text: str = ""
    kind: str = "end"


@dataclass(frozen=True)
class CallStarted:
    """A practice call went live (or a resumed case opened on one): who is on the line.

    ``manager`` and ``company`` come from the case and are "" when it does not know them (a
    front-end then names the role, never a made-up person). ``so_far`` is the call's lines
    already said, for a case resumed in the middle of a call.
    """

    manager: str = ""
    company: str = ""
    role: str = ""
    persona: str = ""
    title: str = ""  # the persona as the person picked it ("a gracious hiring manager")
    difficulty: str = ""
    so_far: tuple[tuple[str, str], ...] = ()  # (speaker, text)
    kind: str = "call-started"


@dataclass(frozen=True)
class CallEnded:
    """The practice call is over. ``score`` is the share of the scorecard's checks passed
    (0-100), or None when the call was left without one; ``debrief`` says whether the
    debrief (the scorecard's choices) follows."""

    score: int | None = None
    debrief: bool = False
    kind: str = "call-ended"


@dataclass(frozen=True)
class DebriefEnded:
    """The rehearsal's debrief was left for another part of the conversation."""

    kind: str = "debrief-ended"


Event = Say | Choices | Draft | Advice | Comparison | Scorecard | Notice | End | CallStarted | CallEnded | DebriefEnded


def event_name(event: Event) -> str:
    return "draft" if isinstance(event, Draft) else event.kind


def to_dict(event: Event) -> dict[str, Any]:
    data = asdict(event)
    data["event"] = event_name(event)
    return data


__all__ = [
    "Advice",
    "CallEnded",
    "CallStarted",
    "Choice",
    "Choices",
    "Comparison",
    "ComparisonRow",
    "DebriefEnded",
    "Draft",
    "End",
    "Event",
    "Finding",
    "Notice",
    "Say",
    "ScoreLine",
    "Scorecard",
    "event_name",
    "to_dict",
]
