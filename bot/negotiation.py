"""The negotiation kit's mechanism: read the figures (bot.money), keep the walk-away point,
and hand the drafts (counter-proposal email and call script, acceptance in writing) to
bot.drafting. The words are in dialogues/flows/negotiate.yaml and templates/negotiation/.

Hooked into the decision flow at ``decision.decided``: a person whose decision is
"negotiate" goes to ``negotiate`` instead of the decline path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.actions import action
from bot.events import Advice, Event, Say
from bot.money import Amount, format_amount, parse_amounts, read_pay

if TYPE_CHECKING:
    from bot.session import Session


def _period_words(session: Session, period: str) -> str:
    return session.render_file("negotiation/periods.j2", period=period).strip()


def _written(session: Session, amount: Amount, like: Amount | None = None) -> str:
    """"£138,000 a year", "$52 an hour": the figure as the drafts will say it. ``like``
    lends its currency and period when this figure left them unsaid ("125k" after "$138k")."""
    if like is not None:
        amount = replace(
            amount, currency=amount.currency or like.currency, period=amount.period or like.period
        )
    words = _period_words(session, amount.period)
    return format_amount(amount) + (f" {words}" if words else "")


def _stored(slots: dict[str, Any], key: str) -> Amount | None:
    found = parse_amounts(str(slots.get(key) or ""))
    return found[0] if found else None


def _no_figure(session: Session) -> list[Event]:
    return [Say(session.render_file("negotiation/no-figure.j2").strip())]


@action(
    "read-negotiation",
    produces=["offer_figure", "target_figure", "walk_away_figure", "pay_period", "nego_gap", "nego_said"],
)
def read_negotiation(session: Session) -> list[Event] | None:
    slots = session.slots
    said = str(slots.get("nego_said") or "")
    slots["nego_said"] = None  # read once: the question can be asked again
    known_offer = _stored(slots, "offer_figure")
    talk = read_pay(said, offer=known_offer)
    offer, target = talk.offer, talk.target
    # A figure with no owner answers whichever side is still missing.
    loose = list(talk.unassigned)
    if offer is None and not slots.get("offer_figure") and loose and slots.get("target_figure"):
        offer = loose.pop(0)
    if target is None and not slots.get("target_figure") and loose and (slots.get("offer_figure") or offer):
        target = loose.pop(0)
    if offer is None and target is None and loose and not slots.get("offer_figure"):
        offer = loose.pop(0)
    if offer is None and target is None and talk.walk_away is None:
        return _no_figure(session)
    if offer is not None:
        slots["offer_figure"] = _written(session, offer)
        slots["pay_period"] = offer.period or slots.get("pay_period") or "year"
    if target is not None:
        slots["target_figure"] = _written(session, target)
        slots["pay_period"] = slots.get("pay_period") or target.period or "year"
    if talk.walk_away is not None:
        slots["walk_away_figure"] = _written(session, talk.walk_away, target or offer)
    full = read_pay(f"offer {slots.get('offer_figure') or ''}, I need {slots.get('target_figure') or ''}")
    if full.gap_percent is not None:
        slots["nego_gap"] = round(full.gap_percent, 1)
    return None


@action("read-walk-away", produces=["walk_away_figure", "walk_said"])
def read_walk_away(session: Session) -> list[Event] | None:
    slots = session.slots
    found = parse_amounts(str(slots.get("walk_said") or ""))
    slots["walk_said"] = None
    if not found:
        return _no_figure(session)
    slots["walk_away_figure"] = _written(session, found[0], _stored(slots, "target_figure"))
    return None


@action("read-their-figure", produces=["counter_figure", "counter_clears", "counter_said"])
def read_their_figure(session: Session) -> list[Event] | None:
    slots = session.slots
    found = parse_amounts(str(slots.get("counter_said") or ""))
    slots["counter_said"] = None
    if not found:
        slots["counter_clears"] = False
        return None
    theirs = found[0]
    like = _stored(slots, "offer_figure")
    if like is not None:
        theirs = replace(theirs, currency=theirs.currency or like.currency, period=theirs.period or like.period)
    slots["counter_figure"] = _written(session, theirs)
    floor = _stored(slots, "walk_away_figure") or _stored(slots, "target_figure")
    slots["counter_clears"] = bool(floor is not None and theirs.yearly() >= floor.yearly())
    return None


@action("negotiation-kit", produces=["last_draft", "last_draft_kind"])
def negotiation_kit(session: Session) -> list[Event]:
    """The plan (ask, reasons, walk-away), then the counter-proposal in the chosen channel."""
    from bot.decision import _parts, _points
    from bot.drafting import _render

    slots = session.slots
    gap = slots.get("nego_gap")
    parts = _parts(
        session.render_file("negotiation/kit.j2", gap_percent=float(gap) if gap is not None else None)
    )
    plan = Advice(parts.get("title", ""), _points(parts.get("points", "")))
    calling = slots.get("channel") in ("phone", "call-then-email")
    kind = "counter-proposal-call" if calling else "counter-proposal"
    return [plan, *_render(session, kind)]


__all__ = ["negotiation_kit", "read_negotiation", "read_their_figure", "read_walk_away"]
