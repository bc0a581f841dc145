"""Pay figures in free text: amounts, ranges, percentages, "k", hourly or yearly, and whose
figure each one is (the employer's offer, the person's target, their walk-away point).

    >>> talk = read_pay("their offer is 120k and I need about 138k")
    >>> talk.offer.value, talk.target.value, talk.target.approx
    (120000.0, 138000.0, True)

This module is mechanism only (no user-facing sentences); the understanding layer and the
negotiation kit (bot/negotiation.py) call it. It never guesses: a bare small number ("3
rounds") is not money, and an amount whose owner is not said is left for the caller to ask.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

#: Working time used to compare hourly, daily, weekly and monthly pay with a yearly salary.
HOURS_PER_WEEK = 40
WEEKS_PER_YEAR = 52
DAYS_PER_YEAR = 260

_PER_YEAR = {
    "year": 1.0,
    "month": 12.0,
    "week": float(WEEKS_PER_YEAR),
    "day": float(DAYS_PER_YEAR),
    "hour": float(HOURS_PER_WEEK * WEEKS_PER_YEAR),
}

_CURRENCY = {
    "$": "USD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₹": "INR",
    "usd": "USD",
    "eur": "EUR",
    "gbp": "GBP",
    "cad": "CAD",
    "aud": "AUD",
    "chf": "CHF",
    "inr": "INR",
    "dollars": "USD",
    "bucks": "USD",
    "pounds": "GBP",
    "quid": "GBP",
    "euros": "EUR",
    "euro": "EUR",
}
_MULT = {"k": 1e3, "K": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "M": 1e6, "million": 1e6, "mil": 1e6}

_CUR = r"(?:[$£€¥₹]|\b(?:usd|eur|gbp|cad|aud|chf|inr)\b)"
_CUR_AFTER = r"(?:\s?(?:usd|eur|gbp|cad|aud|chf|inr|dollars|bucks|pounds|quid|euros|euro)\b)"
_NUM = r"\d{1,3}(?:[,.\u202f ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULT_RE = r"(?:\s?(?:k|K|thousand|grand|m|M|million|mil)\b)"
_ONE = rf"(?P<PFXcur>{_CUR})?\s?(?P<PFXnum>{_NUM})(?P<PFXmult>{_MULT_RE})?(?P<PFXcur2>{_CUR_AFTER})?"
_PERIOD = (
    r"(?:\s*(?P<sep>(?:an?|per|each|every|/)\s*)?"
    r"(?P<period>hour|hr|h|year|yr|annum|month|mo|week|wk|day)\b|\s*(?P<period2>hourly|annually|yearly|"
    r"p\.?a\.?|monthly|weekly|daily)(?!\w))?"
)
_AMOUNT = re.compile(
    r"(?P<approx>\b(?:about|around|roughly|approximately|approx\.?|circa|nearly|almost)\s+|~\s?)?"
    r"(?:between\s+)?"
    + _ONE.replace("PFX", "a")
    + r"(?:\s?(?:-|–|—|to|and)\s?"
    + _ONE.replace("PFX", "b")
    + r")?(?P<ish>-?ish\b)?"
    + _PERIOD,
    re.IGNORECASE,
)
_PERCENT = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b|pc\b)", re.IGNORECASE
)
_PERIOD_WORDS = {
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "hourly": "hour",
    "year": "year",
    "yr": "year",
    "annum": "year",
    "annually": "year",
    "yearly": "year",
    "pa": "year",
    "p.a.": "year",
    "p.a": "year",
    "month": "month",
    "mo": "month",
    "monthly": "month",
    "week": "week",
    "wk": "week",
    "weekly": "week",
    "day": "day",
    "daily": "day",
}

# Words before an amount (in its own clause) that say whose figure it is.
_OFFER = re.compile(
    r"\b(?:offer(?:ed|ing|s)?|they(?:['’]re| are)? (?:pay|paying|give|giving|propos\w+)|their|base is|"
    r"came in at|comes in at|currently (?:at|on)|salary is|package is|pays?|budget)\b",
    re.IGNORECASE,
)
_TARGET = re.compile(
    r"\b(?:I|I['’]d|I['’]m|I am|I would|my)\b[^.;!?]{0,25}?\b(?:need|want|like|ask\w*|hop\w+|look\w* for|"
    r"expect\w*|target|number|aim\w*|after|worth|counter\w*|request\w*|propos\w+)\b|\btarget\b|\bcounter\w*\b",
    re.IGNORECASE,
)
_WALK = re.compile(
    r"\b(?:walk(?:-| )away|minimum|floor|lowest|bottom line|no less than|won['’]t (?:go|accept|take) "
    r"(?:anything )?(?:below|under|less than)|at the very least|absolute minimum)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[.;!?]|,\s|\s(?:and|but|while|whereas|though|although)\s", re.IGNORECASE)
_RAISE = re.compile(r"\b(?:more|higher|raise|increase|bump|above|on top|extra|over)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Amount:
    """A figure or a range, as said. ``period`` is "" when unsaid (usually yearly)."""

    low: float
    high: float
    currency: str  # "" when unsaid
    period: str  # "" | hour | day | week | month | year
    approx: bool
    phrase: str
    start: int = 0
    end: int = 0

    @property
    def value(self) -> float:
        """The middle of a range, else the figure."""
        return (self.low + self.high) / 2

    @property
    def is_range(self) -> bool:
        return self.high != self.low

    def yearly(self) -> float:
        """The figure as a yearly amount (an unsaid period counts as yearly)."""
        return self.value * _PER_YEAR.get(self.period or "year", 1.0)

    def scaled(self, factor: float, phrase: str = "") -> Amount:
        return replace(self, low=self.low * factor, high=self.high * factor, phrase=phrase or self.phrase)


@dataclass(frozen=True)
class Percent:
    value: float
    phrase: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class PayTalk:
    """What a sentence about pay says: the offer, the target, the walk-away point, and a
    raise asked as a percentage (the target is worked out from it when the offer is known)."""

    offer: Amount | None = None
    target: Amount | None = None
    walk_away: Amount | None = None
    raise_percent: float | None = None
    unassigned: tuple[Amount, ...] = ()

    @property
    def gap(self) -> float | None:
        """The target minus the offer, per year; None unless both are known."""
        if self.offer is None or self.target is None:
            return None
        return self.target.yearly() - self.offer.yearly()

    @property
    def gap_percent(self) -> float | None:
        if self.offer is None or self.target is None or not self.offer.yearly():
            return None
        return 100 * (self.target.yearly() - self.offer.yearly()) / self.offer.yearly()


def _number(raw: str) -> float | None:
    digits = raw.replace("\u202f", ",").replace(" ", ",")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # 95.000 written European-style
        digits = digits.replace(".", "")
    digits = digits.replace(",", "")
    try:
        return float(digits)
    except ValueError:
        return None


def parse_amounts(text: str) -> list[Amount]:
    """Every pay figure or range in ``text``, in order. Bare small numbers are skipped."""
    out: list[Amount] = []
    for m in _AMOUNT.finditer(text):
        a = _number(m["anum"])
        if a is None:
            continue
        b = _number(m["bnum"]) if m["bnum"] else None
        cur = (m["acur"] or m["acur2"] or m["bcur"] or m["bcur2"] or "").strip().lower()
        mult_a = (m["amult"] or "").strip()
        mult_b = (m["bmult"] or "").strip()
        period_word = (m["period"] or m["period2"] or "").lower().replace(" ", "")
        period = _PERIOD_WORDS.get(period_word, "")
        if m["period"] and not m["sep"]:
            period = ""  # "2 week notice" is not pay per week
        # "130-140k": the multiplier said once applies to both ends.
        fa = _MULT.get(mult_a, _MULT.get(mult_a.lower(), 1.0)) if mult_a else 0.0
        fb = _MULT.get(mult_b, _MULT.get(mult_b.lower(), 1.0)) if mult_b else 0.0
        if b is not None:
            fa = fa or fb or 1.0
            fb = fb or fa
        else:
            fa = fa or 1.0
        low = a * fa
        high = b * fb if b is not None else low
        if b is not None and high < low:
            if m["bnum"] and not m["bmult"] and not m["bcur"] and len(m["bnum"]) < 4 and high * 1 < 1000:
                # "120k and 3 rounds": the second number is not part of a range.
                high = low
            else:
                low, high = high, low
        significant = bool(cur or mult_a or mult_b or period) or max(low, high) >= 1000
        if not significant:
            continue
        if not period and not cur and not (mult_a or mult_b) and re.fullmatch(r"(?:19|20)\d\d", m["anum"]):
            continue  # a year, not a salary
        phrase = m[0].strip()
        start = m.start() + (len(m[0]) - len(m[0].lstrip()))
        out.append(
            Amount(
                low=low,
                high=high,
                currency=_CURRENCY.get(cur, cur.upper()),
                period=period,
                approx=bool(m["approx"] or m["ish"]),
                phrase=phrase,
                start=start,
                end=start + len(phrase),
            )
        )
    return out


def parse_percentages(text: str) -> list[Percent]:
    return [Percent(float(m["num"]), m[0], m.start(), m.end()) for m in _PERCENT.finditer(text)]


def _clause_before(text: str, start: int) -> str:
    """The words before ``start`` back to the previous clause break."""
    head = text[:start]
    cut = 0
    for m in _CLAUSE.finditer(head):
        cut = m.end()
    return head[cut:]


def read_pay(text: str, offer: Amount | None = None) -> PayTalk:
    """Who each figure belongs to. ``offer`` is the employer's figure if already known, so
    "I'd need 15% more" can become a target."""
    amounts = parse_amounts(text)
    found_offer: Amount | None = None
    target: Amount | None = None
    walk: Amount | None = None
    loose: list[Amount] = []
    for amount in amounts:
        before = _clause_before(text, amount.start)
        if _WALK.search(before):
            walk = walk or amount
        elif _TARGET.search(before):
            target = target or amount
        elif _OFFER.search(before):
            found_offer = found_offer or amount
        else:
            loose.append(amount)
    # Two figures with no owner: the lower is theirs, the higher the person's.
    if len(loose) == 2 and found_offer is None and target is None:
        lo, hi = sorted(loose, key=lambda a: a.yearly())
        found_offer, target, loose = lo, hi, []
    elif loose and found_offer is not None and target is None:
        target = loose.pop(0)
    elif loose and target is not None and found_offer is None and offer is None:
        found_offer = loose.pop(0)
    # A unit said once holds for both figures: "£45 an hour, I want £52".
    if found_offer is not None and target is not None:
        found_offer, target = _share_units(found_offer, target), _share_units(target, found_offer)
    base = found_offer or offer
    if target is not None and base is not None:
        target = _share_units(target, base)
    raise_percent = None
    for pct in parse_percentages(text):
        after = text[pct.end : pct.end + 25]
        before = text[max(0, pct.start - 25) : pct.start]
        if _RAISE.search(after) or _RAISE.search(before):
            raise_percent = pct.value
            if target is None and base is not None:
                target = base.scaled(1 + pct.value / 100, phrase=pct.phrase)
            break
    return PayTalk(
        offer=found_offer,
        target=target,
        walk_away=walk,
        raise_percent=raise_percent,
        unassigned=tuple(loose),
    )


def _share_units(amount: Amount, other: Amount) -> Amount:
    return replace(
        amount,
        currency=amount.currency or other.currency,
        period=amount.period or other.period,
    )


def format_amount(amount: Amount | float, currency: str = "") -> str:
    """A figure written the usual way: "£138,000", "$45.50", "120,000-130,000" (no period
    words: the templates say "a year" or "an hour")."""
    if isinstance(amount, Amount):
        symbol = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹"}.get(amount.currency, "")
        prefix = symbol or (f"{amount.currency} " if amount.currency else "")
        if amount.is_range:
            return f"{prefix}{_plain(amount.low)}-{_plain(amount.high)}"
        return f"{prefix}{_plain(amount.low)}"
    symbol = {"USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "INR": "₹"}.get(currency, "")
    return f"{symbol or (currency + ' ' if currency else '')}{_plain(amount)}"


def _plain(value: float) -> str:
    if value >= 1000 or float(value).is_integer():
        return f"{round(value):,}"
    return f"{value:,.2f}"


__all__ = [
    "Amount",
    "PayTalk",
    "Percent",
    "format_amount",
    "parse_amounts",
    "parse_percentages",
    "read_pay",
]
