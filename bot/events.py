"""What the engine says, as typed events each front-end renders its own way.

The engine never formats for a screen: plain mode prints these, the TUI turns each into a
widget. Every field is plain data so a whole turn can be serialised to JSON.

Every event class has a docstring: without one, ``@dataclass`` works out the class's
signature for ``__doc__`` as it is defined, about a millisecond each on the app's start-up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Speaker = Literal["coach", "user", "manager"]


@dataclass(frozen=True)
class Say:
    """A line said in the conversation, by the coach, the person or the role-played manager."""

    text: str
    speaker: Speaker = "coach"
    kind: str = "say"


@dataclass(frozen=True)
class Choice:
    """One quick reply: what it shows and what picking it sends."""

    label: str
    key: str  # what selecting it sends back to the engine (usually the label itself)


@dataclass(frozen=True)
class Choices:
    """The quick replies offered after a turn."""

    options: tuple[Choice, ...]
    kind: str = "choices"


@dataclass(frozen=True)
class Finding:
    """One check of a draft, passed or not, with the words it points at."""

    check: str
    ok: bool
    message: str
    span: tuple[int, int] | None = None  # character offsets into the draft
    quote: str = ""  # the exact words responsible
    suggestion: str = ""


@dataclass(frozen=True)
class Draft:
    """A message drafted for the person, with its review."""

    kind: str  # the draft kind, e.g. "decline-another-offer" (so not the event tag)
    tone: str
    title: str
    text: str
    findings: tuple[Finding, ...] = ()
    score: int | None = None


@dataclass(frozen=True)
class Advice:
    """A card of advice: a title and its points."""

    title: str
    points: tuple[str, ...]
    scenario: str | None = None
    kind: str = "advice"


@dataclass(frozen=True)
class ComparisonRow:
    """One option in a comparison, with its score."""

    name: str
    score: float  # 0..100
    details: tuple[tuple[str, float], ...] = ()  # (priority, weighted points)


@dataclass(frozen=True)
class Comparison:
    """The options compared, each with a score."""

    title: str
    rows: tuple[ComparisonRow, ...]
    close_call: bool = False
    note: str = ""
    kind: str = "comparison"


@dataclass(frozen=True)
class ScoreLine:
    """One check of the practice call's scorecard."""

    check: str
    ok: bool
    note: str
    quote: str = ""
    better: str = ""
    title: str = ""  # the check as people read it ("Gratitude"); `check` is its id


@dataclass(frozen=True)
class Scorecard:
    """The practice call's scorecard."""

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
