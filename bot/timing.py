"""When to answer an offer: 24-72 hours after it, before any deadline (``response_timing``),
and the offer's date and deadline read from a sentence (``parse_offer_timing``). Pure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot import extract

RESPONSE_DAYS = 3  # the seeds: answer within 24-72 hours


# -- timing ---------------------------------------------------------------------------------------


def _weekday_on_or_after(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def past_date(text: str, today: dt.date) -> dt.date | None:
    """A date the offer arrived: weekdays and bare dates read as the most recent past one."""
    s = text.lower()
    m = re.search(
        r"\b(?:on|last|this)?\s*(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", s
    )
    if m and not re.search(r"\b(?:next|by|until|before|due)\s+" + m[1], s):
        target = [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ].index(m[1])
        delta = (today.weekday() - target) % 7
        return today - dt.timedelta(days=delta)
    if re.search(r"\bjust now\b|\bthis morning\b|\bearlier today\b|\bjust (?:got|received)\b", s):
        return today
    if re.search(r"\ba few days ago\b|\bcouple of days ago\b", s):
        return today - dt.timedelta(days=3 if "few" in s else 2)
    if re.search(r"\ba week ago\b", s):
        return today - dt.timedelta(weeks=1)
    d = extract.parse_date(text, today)
    if d is None:
        return None
    if d.date > today:  # "on the 18th"-style readings that landed in the future
        try:
            back = d.date.replace(year=d.date.year - 1)
        except ValueError:
            back = d.date - dt.timedelta(days=365)
        return back if (today - back).days < 60 else None
    return d.date


_DEADLINE_CUE = re.compile(
    r"\b(?:deadline|by|until|before|due|respond by|answer by|need(?:s)? (?:it|an answer))\b", re.I
)


def parse_offer_timing(text: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """(offer date, deadline) from a reply like "they offered Tuesday, deadline is Friday"."""
    offer: dt.date | None = None
    deadline: dt.date | None = None
    parts = re.split(r"\s*(?:[;,.]|\band\b|\bbut\b|\bwith\b)\s*", text)
    for part in parts:
        if not part.strip():
            continue
        if _DEADLINE_CUE.search(part):
            d = extract.parse_date(part, today)
            if d and deadline is None:
                deadline = d.date
            continue
        if re.search(r"\bno deadline\b|\bno rush\b", part, re.I):
            continue
        p = past_date(part, today)
        if p and offer is None:
            offer = p
    return offer, deadline


@dataclass(frozen=True)
class Timing:
    respond_by: dt.date
    days_left: int  # 0 = today; negative = already late
    late: bool
    past_deadline: bool
    offer_date: dt.date | None
    deadline: dt.date | None
    propose: dt.date | None = None  # for asking for time: the date to offer them
    propose_after_deadline: bool = False


def response_timing(
    today: dt.date,
    offer_date: dt.date | None,
    deadline: dt.date | None,
    *,
    other_date: dt.date | None = None,
) -> Timing:
    """Answer within 24-72 hours of the offer, and before any deadline they set."""
    start = offer_date or today
    # Three days on, moved off a weekend: a reply on Monday is as prompt as one on Sunday.
    window_end = _weekday_on_or_after(start + dt.timedelta(days=RESPONSE_DAYS))
    respond_by = min(window_end, deadline) if deadline else window_end
    late = today > window_end or bool(deadline and today > deadline)
    if respond_by < today and not late:
        respond_by = today
    if late:
        respond_by = today
    # Asking for time: the day after the other answer is due, else within a week; weekdays.
    if other_date and other_date >= today:
        propose = _weekday_on_or_after(other_date + dt.timedelta(days=1))
    else:
        propose = _weekday_on_or_after(today + dt.timedelta(days=5))
    return Timing(
        respond_by=respond_by,
        days_left=(respond_by - today).days,
        late=late,
        past_deadline=bool(deadline and today > deadline),
        offer_date=offer_date,
        deadline=deadline,
        propose=propose,
        propose_after_deadline=bool(deadline and propose > deadline),
    )


def slot_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def timing_from_slots(slots: Mapping[str, Any], today: dt.date) -> Timing:
    return response_timing(
        today,
        slot_date(slots.get("offer_date")),
        slot_date(slots.get("deadline")),
        other_date=slot_date(slots.get("other_offer_date")),
    )
