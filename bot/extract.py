"""Pulling slot values out of free text: people, companies, job titles, dates, money.

Each extractor returns ``None`` when it finds nothing it is confident about; the engine
then asks again rather than storing a guess. Dates are resolved against an explicit
``today`` so a conversation is reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_NUMBER_WORDS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
}
_NUM = r"(\d+|" + "|".join(sorted((re.escape(k) for k in _NUMBER_WORDS), key=len, reverse=True)) + r")"


def _num(token: str) -> int:
    token = token.lower().strip()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


@dataclass(frozen=True)
class DateValue:
    date: dt.date
    phrase: str  # the words that said it

    def iso(self) -> str:
        return self.date.isoformat()


def parse_date(text: str, today: dt.date) -> DateValue | None:
    """Dates and deadlines as people say them: "by Friday", "in 3 days", "Nov 28", "2026-12-01"."""
    s = text.lower()
    m = re.search(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", s)
    if m:
        try:
            return DateValue(dt.date(int(m[1]), int(m[2]), int(m[3])), m[0])
        except ValueError:
            return None
    m = re.search(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b", s)
    if m:
        # Day-first is ambiguous with month-first; prefer the reading that is a real date,
        # month-first when both are (the form most users of this tool type).
        a, b = int(m[1]), int(m[2])
        year = int(m[3]) if m[3] else today.year
        year = year + 2000 if year < 100 else year
        for month, day in ((a, b), (b, a)):
            try:
                d = dt.date(year, month, day)
            except ValueError:
                continue
            if not m[3] and d < today - dt.timedelta(days=180):
                d = d.replace(year=d.year + 1)
            return DateValue(d, m[0])
    month_names = "|".join(sorted(_MONTHS, key=len, reverse=True))
    m = re.search(rf"\b({month_names})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", s) or re.search(
        rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({month_names})\.?(?:,?\s+(\d{{4}}))?\b", s
    )
    if m:
        if m[1].isdigit():
            day, month = int(m[1]), _MONTHS[m[2]]
        else:
            month, day = _MONTHS[m[1]], int(m[2])
        year = int(m[3]) if m[3] else today.year
        try:
            d = dt.date(year, month, day)
        except ValueError:
            return None
        if not m[3] and d < today - dt.timedelta(days=180):
            d = d.replace(year=year + 1)
        return DateValue(d, m[0])
    if re.search(r"\btoday\b|\btonight\b|\bend of (?:the )?day\b|\beod\b", s):
        return DateValue(today, "today")
    if re.search(r"\btomorrow\b", s):
        return DateValue(today + dt.timedelta(days=1), "tomorrow")
    if re.search(r"\byesterday\b", s):
        return DateValue(today - dt.timedelta(days=1), "yesterday")
    m = re.search(rf"\b(?:in|within)\s+{_NUM}\s+(day|week|business day|working day)s?\b", s)
    if m:
        n = _num(m[1])
        unit = m[2]
        if unit == "week":
            return DateValue(today + dt.timedelta(weeks=n), m[0])
        if unit in ("business day", "working day"):
            d, left = today, n
            while left:
                d += dt.timedelta(days=1)
                if d.weekday() < 5:
                    left -= 1
            return DateValue(d, m[0])
        return DateValue(today + dt.timedelta(days=n), m[0])
    m = re.search(rf"\b{_NUM}\s+(day|week)s?\s+ago\b", s)
    if m:
        count = _num(m[1])
        delta = dt.timedelta(weeks=count) if m[2] == "week" else dt.timedelta(days=count)
        return DateValue(today - delta, m[0])
    m = re.search(r"\blast\s+week\b", s)
    if m:
        return DateValue(today - dt.timedelta(weeks=1), m[0])
    m = re.search(r"\b(?:end of (?:the|this) week|this weekend)\b", s)
    if m:
        return DateValue(today + dt.timedelta(days=(4 - today.weekday()) % 7), m[0])
    m = re.search(r"\bnext\s+week\b", s)
    if m:
        return DateValue(today + dt.timedelta(days=7 - today.weekday()), m[0])
    m = re.search(r"\b(next|this|last|on|by|until|before)?\s*(" + "|".join(_WEEKDAYS) + r")\b", s)
    if m:
        target = _WEEKDAYS.index(m[2])
        if m[1] == "last":
            back = (today.weekday() - target) % 7 or 7
            return DateValue(today - dt.timedelta(days=back), m[0].strip())
        ahead = (target - today.weekday()) % 7
        if m[1] == "next" and ahead == 0:
            ahead = 7
        return DateValue(today + dt.timedelta(days=ahead), m[0].strip())
    return None


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str  # "" when unsaid
    phrase: str


_MONEY = re.compile(
    r"(?P<cur>[$£€¥]|usd|eur|gbp|cad|aud|inr|chf)?\s?"
    r"(?P<num>\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)\s?"
    r"(?P<mult>k|m|thousand|million|grand)?\b\s?(?P<cur2>usd|eur|gbp|cad|aud|inr|chf|dollars|pounds|euros)?",
    re.IGNORECASE,
)
_CURRENCY = {"$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "dollars": "USD", "pounds": "GBP", "euros": "EUR"}


def parse_money(text: str) -> Money | None:
    """Amounts such as "$95k", "95,000", "£80k a year", "120000 EUR"; None for bare small numbers."""
    for m in _MONEY.finditer(text):
        cur = (m["cur"] or m["cur2"] or "").lower()
        mult = (m["mult"] or "").lower()
        raw = m["num"]
        if not cur and not mult and len(re.sub(r"\D", "", raw)) < 4:
            continue  # "3 interviews" is not money
        digits = re.sub(r"[,\s]", "", raw)
        if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits):  # 95.000 written European-style
            digits = digits.replace(".", "")
        try:
            amount = float(digits)
        except ValueError:
            continue
        amount *= {"k": 1e3, "thousand": 1e3, "grand": 1e3, "m": 1e6, "million": 1e6}.get(mult, 1)
        currency = _CURRENCY.get(cur, cur.upper())
        return Money(amount, currency, m[0].strip())
    return None


def parse_number(text: str) -> float | None:
    m = re.search(r"(-?\d+(?:\.\d+)?)\s*(?:/\s*(\d+)|out of\s*(\d+)|%)?", text)
    if m:
        value = float(m[1])
        scale = m[2] or m[3]
        if scale:
            value = value * 10 / float(scale)
        return value
    words = text.lower().split()
    for w in words:
        if w in _NUMBER_WORDS and w not in ("a", "an"):
            return float(_NUMBER_WORDS[w])
    return None


# -- names --------------------------------------------------------------------------------------

_LEAD_IN = re.compile(
    r"^(?:(?:well|ok|okay|so|um|uh|yes|yeah|sure)[,\s]+)*"
    r"(?:(?:it\s+is|it's|its|that's|that\s+is|they\s+are|they're|he\s+is|he's|she\s+is|she's|"
    r"the\s+company\s+is|the\s+company's|company\s+is|company:|the\s+role\s+is|role\s+is|"
    r"the\s+job\s+is|the\s+position\s+is|position\s+is|title\s+is|the\s+title\s+is|"
    r"my\s+name\s+is|my\s+name's|name\s+is|i\s+am|i'm|im|call\s+me|"
    r"(?:his|her|their|the\s+\w+(?:'s)?)\s+name\s+is|the\s+hiring\s+manager\s+is|"
    r"the\s+recruiter\s+is|the\s+manager\s+is|i\s+was\s+offered|they\s+offered\s+me|"
    r"an?\s+offer\s+(?:from|at)|offer\s+from|from|at|with|called|named|for)\s+)+",
    re.IGNORECASE,
)
# Hesitation before the answer itself ("uh, Senior Analyst", "well, Acme"). A word like "so"
# only counts with its comma: "So Energy" may be a company.
_FILLER = re.compile(r"^(?:(?:well|ok|okay|so|oh|um+|uh+|er+m?|hm+)\s*,\s*|(?:um+|uh+|er+m?|hm+)\s+)+", re.IGNORECASE)
_TRAILING = re.compile(r"[\s.,!?;:]+$")
_HONORIFIC = re.compile(r"^(mr|mrs|ms|mx|dr|prof)\.?\s+", re.IGNORECASE)


def _strip(text: str) -> str:
    s = text.strip().strip("\"'“”‘’")
    s = _FILLER.sub("", s)
    s = _LEAD_IN.sub("", s)
    return _TRAILING.sub("", s).strip().strip("\"'“”‘’")


# Words that show a reply is a sentence about the question, not a name.
_NOT_NAMES = frozenset(
    "i dont don't do not know sure no idea yes it is who what why unsure skip none nobody "
    "the a an my we they forgot remember".split()
)


def parse_person(text: str, max_words: int = 4) -> str | None:
    s = _strip(text)
    # The name is what comes before the first clause ("rebecca stone, the QA lead"); only
    # that part must be free of words that are never names.
    s = re.split(r"\s+(?:and|but|who|from|at)\s+|[,;]", s, maxsplit=1)[0].strip()
    if any(w.lower().strip(".,!?") in _NOT_NAMES for w in s.split()):
        return None
    honorific = _HONORIFIC.match(s)
    words = s.split()
    if not words or len(words) > max_words:
        return None
    if not all(re.fullmatch(r"[^\W\d_][\w'’.-]*", w) for w in words):
        return None
    if honorific:
        return s[0].upper() + s[1:]
    return " ".join(w if any(c.isupper() for c in w) else w.capitalize() for w in words)


def parse_company(text: str, max_words: int = 6) -> str | None:
    s = _strip(text)
    s = re.split(r"\s+(?:and|but|for\s+(?:a|an|the)|as\s+(?:a|an)|because)\s+|[,;]", s, maxsplit=1)[0].strip()
    words = s.split()
    if not words or len(words) > max_words:
        return None
    if not any(c.isalpha() for c in s):
        return None  # "1" or "???" is a mistyped answer, not a company
    return s if any(c.isupper() for c in s) else " ".join(w.capitalize() for w in words)


_ROLE_TAIL = re.compile(r"\s+(?:role|position|job|post|opening|opportunity)$", re.IGNORECASE)


def parse_role(text: str, max_words: int = 8) -> str | None:
    s = _strip(text)
    s = re.sub(r"^(?:as\s+)?(?:a|an|the)\s+", "", s, flags=re.IGNORECASE)
    s = re.split(r"\s+(?:at|with|for|in)\s+[A-Z]|[,;]", s, maxsplit=1)[0].strip()
    s = _ROLE_TAIL.sub("", s).strip()
    words = s.split()
    if not words or len(words) > max_words or not any(c.isalpha() for c in s):
        return None
    return s


_LIST_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b|&|\n)\s*")


def split_list(text: str) -> list[str]:
    """The parts of "Sam Lee, Priya Shah and Tom": split at commas, "and", "&" and lines."""
    return _LIST_SEPARATOR.split(text)


def parse_list(text: str) -> list[str]:
    parts = split_list(text)
    out = []
    for p in parts:
        name = parse_person(p) or _strip(p)
        if name and name not in out:
            out.append(name)
    return out


# -- opportunistic extraction from a whole sentence ------------------------------------------------

# Capitalised words, and the small words inside a name ("Procter and Gamble"); not the "I"
# of the next clause ("an offer from Acme and I want to decline").
_CAP = r"[A-Z][\w&'’.-]*(?:\s+(?:(?!I\b)[A-Z][\w&'’.-]*|&|of|de|and(?=\s+(?!I\b)[A-Z])))*"
_COMPANY_CUES = re.compile(
    rf"\b(?:offer|offered|interview(?:ed|s)?|role|position|job)\s+(?:from|at|with)\s+(?P<name>{_CAP})"
    rf"|\b(?:from|at|with)\s+(?P<name2>{_CAP})\s+(?:for|as)\b"
)
_ROLE_CUES = re.compile(
    r"\b(?:as\s+(?:a|an|the)|for\s+(?:a|an|the))\s+(?P<role>[\w -]{3,60}?)\s+(?:role|position|job)\b"
    r"|\b(?:a|an|the)\s+(?P<role2>[\w -]{3,60}?)\s+(?:role|position|job)\s+(?:at|with|from)\b",
    re.IGNORECASE,
)


def mentions(text: str, today: dt.date) -> dict[str, object]:
    """Slots a whole sentence gives away in passing ("an offer from Acme for the analyst role")."""
    found: dict[str, object] = {}
    m = _COMPANY_CUES.search(text)
    if m:
        name = (m["name"] or m["name2"] or "").strip()
        if name and name.lower() not in {"i", "the", "a", "my"}:
            found["company"] = name
    m = _ROLE_CUES.search(text)
    if m:
        role = (m["role"] or m["role2"] or "").strip()
        if role and not re.search(r"\b(?:this|that|the|their|new|my)$", role, re.IGNORECASE):
            found["role"] = role
    money = parse_money(text)
    if money:
        found["money"] = money
    m = re.search(r"\b(?:by|before|until|deadline(?:\s+is)?|due)\s+([\w ,/-]{2,30})", text, re.IGNORECASE)
    if m:
        d = parse_date(m[0], today)
        if d:
            found["deadline"] = d.iso()
    return found


def strip_mentions(text: str) -> str:
    """The sentence without the names, titles and amounts it mentions, for intent matching.

    "I've decided to decline the offer from Northwind for the data analyst role" means the
    same as "I've decided to decline the offer"; the specifics are slots, not evidence of
    intent, and words no example could contain would only count against the match.
    """
    out = text
    for pattern in (_COMPANY_CUES, _ROLE_CUES):
        m = pattern.search(out)
        if m:
            group = next((g for g in ("name", "name2", "role", "role2") if g in m.groupdict() and m[g]), None)
            if group:
                start, end = m.span(group)
                out = out[:start] + out[end:]
    money = parse_money(out)
    if money:
        out = out.replace(money.phrase, " ")
    return " ".join(out.split())
