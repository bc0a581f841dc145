"""Drafting in the conversation: pick the message the moment needs, render it, critique it.

The words of every draft are in templates/drafts/ (see bot.drafts); what the coach says
around a draft is in templates/drafting/. This module only decides which kind to render
from what the conversation knows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import negotiation as _negotiation  # noqa: F401  (registers the negotiation kit's actions)
from bot.actions import action
from bot.events import Draft, Event, Say

if TYPE_CHECKING:
    from bot.session import Session

# What each channel sends first; the follow-up message after a call is offered later.
CHANNEL_KINDS = {"phone": "phone-script", "call-then-email": "phone-script", "recruiter": "recruiter-message"}
DECISION_KINDS = {"ask-for-time": "ask-for-time"}
EXTRA_KINDS = ("linkedin-note", "thank-you-interviewer", "call-follow-up", "feedback-request", "voicemail", "reconnect")


def choose_kind(slots: dict[str, Any]) -> str:
    """The draft for this moment, from the decision, the channel and the reason."""
    from bot.drafts import kind_for_reason

    explicit = slots.get("draft_kind")
    if explicit:
        return str(explicit)
    decision = slots.get("decision") or "decline"
    if decision in DECISION_KINDS:
        return DECISION_KINDS[decision]
    channel = slots.get("channel")
    if channel in CHANNEL_KINDS and decision != "negotiate":
        return CHANNEL_KINDS[channel]
    if decision == "negotiate":
        # The negotiation kit: a counter-proposal with the figure (decline letters only
        # once the person chooses to decline).
        calling = channel in ("phone", "call-then-email")
        return "counter-proposal-call" if calling else "counter-proposal"
    reason = slots.get("reason") or "fit"
    try:
        return kind_for_reason(str(reason), negotiable=bool(slots.get("negotiable")))
    except ValueError:
        return kind_for_reason("fit")


def draft_values(slots: dict[str, Any], today: Any = None, not_given: Any = ()) -> dict[str, Any]:
    values: dict[str, Any] = {
        k: v for k, v in slots.items() if isinstance(v, str | int | float) and not isinstance(v, bool)
    }
    # What the person chose not to say is written around, not asked for again.
    values["unknown_ok"] = [n for n in not_given if n in ("manager", "role")]
    if today is not None:
        values["today"] = today.isoformat()
    interviewers = slots.get("interviewers") or []
    if interviewers and not values.get("interviewer"):
        values["interviewer"] = interviewers[0]
    for key in ("new_date", "deadline", "decide_by"):
        if slots.get(key) and not values.get("date"):
            values["date"] = slots[key]
    return values


def _render(session: Session, kind: str) -> list[Event]:
    from bot.drafts import BadValue, MissingValue, UnknownKind, render_draft

    tone = session.slots.get("tone") or "warm"
    try:
        values = draft_values(session.slots, session.today, session.not_given)
        draft = render_draft(kind, str(tone), values, session.renderer)
    except MissingValue as exc:
        session.slots["draft_missing"] = exc.names[0] if exc.names else ""
        return [Say(session.render_file("drafting/missing.j2", missing=exc.names, kind=kind))]
    except (UnknownKind, BadValue) as exc:
        return [Say(session.render_file("drafting/unavailable.j2", kind=kind, problem=str(exc)))]
    session.slots["draft_missing"] = None
    session.slots["last_draft"] = draft.text
    session.slots["last_draft_kind"] = draft.kind
    failed = [f.check for f in draft.findings if not f.ok]
    intro = Say(
        session.render_file(
            "drafting/intro.j2", kind=kind, title=draft.title, tone=draft.tone, failed=failed, score=draft.score
        )
    )
    return [intro, draft]


@action("draft-message", produces=["last_draft", "last_draft_kind", "draft_missing", "decided_on"])
def draft_message(session: Session) -> list[Event]:
    slots = session.slots
    if slots.get("decision") and not slots.get("decided_on"):
        # Reaching the draft means the decision is made: log it with today's date.
        slots["decided_on"] = session.today.isoformat()
    kind = choose_kind(slots)
    slots["draft_kind"] = None  # an explicit request is used once
    return _render(session, kind)


@action("draft-extra", produces=["last_draft", "last_draft_kind"])
def draft_extra(session: Session) -> list[Event]:
    kind = session.slots.get("extra_kind") or "linkedin-note"
    return _render(session, str(kind))


@action("review-own-draft", produces=["last_draft"])
def review_own(session: Session) -> list[Event]:
    from bot.drafts import review_draft

    text = session.slots.get("own_draft") or ""
    if not str(text).strip():
        return [Say(session.render_file("drafting/nothing-to-review.j2"))]
    draft: Draft = review_draft(str(text), kind=session.slots.get("last_draft_kind"))
    session.slots["last_draft"] = draft.text
    failed = [f for f in draft.findings if not f.ok]
    summary = Say(session.render_file("drafting/review.j2", failed=[f.check for f in failed], score=draft.score))
    return [summary, draft]


@action("followup-plan", produces=["decided_on"])
def followup_plan(session: Session) -> list[Event]:
    import datetime as dt

    from bot.events import Advice
    from bot.followups import derive

    slots = session.slots
    decision = str(slots.get("decision") or "decline")
    if not slots.get("decided_on"):
        slots["decided_on"] = session.today.isoformat()
    decided = dt.date.fromisoformat(str(slots["decided_on"]))
    names = {k: str(slots.get(k) or "") for k in ("company", "role", "manager", "recruiter")}
    items = derive(
        decision if decision in ("decline", "accept", "negotiate", "ask-for-time") else "decline",
        decided,
        channel=str(slots.get("channel") or ""),
        interviewers=[str(i) for i in slots.get("interviewers") or []],
        names=names,
        renderer=session.renderer,
    )
    points = []
    for f in items:
        when = session.renderer.env.filters["nice_date"](f.due.isoformat())
        if f.until:
            when += " to " + session.renderer.env.filters["nice_date"](f.until.isoformat())
        points.append(f"{when}: {f.title}")
    title = session.render_file("drafting/followups-title.j2", count=len(points))
    return [Advice(title=title, points=tuple(points))]
