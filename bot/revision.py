"""A correction to an earlier answer ("actually the salary was fine"): ``find_revision`` says
which slots change; ``option_in_text`` finds a choice slot's option named in a sentence. Pure;
the ``revise`` interrupt in ``bot.decision`` acts on it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import extract
from bot.priorities import NEUTRAL_RATING, Vocab, as_numbers, find_phrases, fold, parse_ratings, parse_weights
from bot.timing import past_date

# -- revising an earlier answer -------------------------------------------------------------------

_CORRECTION = re.compile(
    r"\b(?:actually|after all|correction|i meant|i mean|scratch that|i was wrong|"
    r"i got (?:that|it) wrong|"
    r"turns out|on second thought|on reflection|my mistake|to correct|change of plan|instead)\b"
    r"|,\s*not\s+\w+",
    re.I,
)


@dataclass
class Revision:
    changes: dict[str, Any] = field(default_factory=dict)
    what: list[str] = field(default_factory=list)  # codes of what changed, for the template


def find_revision(
    text: str, slots: Mapping[str, Any], vocab: Vocab, today: dt.date
) -> Revision | None:
    """A correction to an earlier answer: which slots change, or None if this is not one."""
    if not _CORRECTION.search(text):
        return None
    s = fold(text)
    rev = Revision()
    negative = bool(
        re.search(r"\b(?:not|n't|no longer|won't|don't|doesn't|can't|cannot|never)\b", text.lower())
    )

    # Dates: "the deadline is Monday, not Friday"; "they offered on Tuesday actually".
    if re.search(r"\bdeadline|\bdue\b|\brespond by\b|\bget back (?:to them )?by\b", s):
        head = re.split(r",?\s*\bnot\b", text, maxsplit=1, flags=re.I)[0]
        d = extract.parse_date(head, today) or extract.parse_date(text, today)
        if d and d.iso() != slots.get("deadline"):
            rev.changes["deadline"] = d.iso()
            rev.what.append("deadline")
    elif re.search(
        r"\b(?:offer(?:ed)? (?:came|arrived)|they offered|got the offer|received the offer)\b", s
    ):
        head = re.split(r",?\s*\bnot\b", text, maxsplit=1, flags=re.I)[0]
        p = past_date(head, today)
        if p and p.isoformat() != slots.get("offer_date"):
            rev.changes["offer_date"] = p.isoformat()
            rev.what.append("offer_date")
    if re.search(r"\bsponsor|\bvisa\b", s) and ("sponsor" in s or slots.get("visa_needed")):
        sponsors = not re.search(
            r"\b(?:do not|don't|won't|will not|can't|cannot|no|not|never)\s+(?:\w+\s+)?sponsor",
            text.lower(),
        )
        if "need" in s and "visa" in s and "sponsor" not in s:
            needs = not negative
            if needs != bool(slots.get("visa_needed")):
                rev.changes["visa_needed"] = needs
                rev.what.append("visa")
        elif sponsors != slots.get("sponsorship"):
            rev.changes["sponsorship"] = sponsors
            rev.changes.setdefault("visa_needed", True)
            rev.what.append("sponsorship")
            if sponsors and slots.get("gap_kind") == "visa":
                rev.changes["gap_kind"] = "none"
    # Interview rounds, recruiter.
    m = re.search(r"\b(\d+|one|two|three|four|five|six)\s+(?:interview\s+)?rounds?\b", s)
    if m:
        n = extract.parse_number(m[1])
        if n is not None and n != slots.get("rounds"):
            rev.changes["rounds"] = n
            rev.what.append("rounds")
    if re.search(r"\brecruiter\b", s) and re.search(
        r"\b(?:was|were|is|there|had|used|through|via|involved)\b", s
    ):
        involved = not negative
        if involved != slots.get("recruiter_involved"):
            rev.changes["recruiter_involved"] = involved
            rev.what.append("recruiter")
    # Would they take it if fixed / already negotiated.
    if re.search(r"\beven if\b", s) and re.search(
        r"\b(?:wouldn't|would not|still)\b", text.lower()
    ):
        if slots.get("would_accept_if_fixed") is not False:
            rev.changes["would_accept_if_fixed"] = False
            rev.what.append("would_accept")
    elif (
        re.search(r"\b(?:would|i'd)\s+(?:take|accept)\b.*\bif\b", text.lower())
        and not negative
        and slots.get("would_accept_if_fixed") is not True
    ):
        rev.changes["would_accept_if_fixed"] = True
        rev.what.append("would_accept")
    # Gut feeling about the people.
    if re.search(r"\b(?:feeling|gut|vibe|manager|team)\b", s) and not rev.what:
        if re.search(r"\b(?:bad|off|uneasy|worried|wrong|red flag|not great|not good)\b", s):
            rev.changes["gut"] = "uneasy"
        elif re.search(r"\b(?:good|great|positive|right|excited|love)\b", s) and not negative:
            rev.changes["gut"] = "good"
        if "gut" in rev.changes and rev.changes["gut"] != slots.get("gut"):
            rev.what.append("gut")
        else:
            rev.changes.pop("gut", None)
    # The main reason: "the real reason is family".
    m = re.search(r"\b(?:main |real |actual )?reason (?:is|was)\s+(.+)$", s)
    if m and not rev.what:
        rev.changes["reason_text"] = m[1]
    # A priority's rating: "actually the salary was fine", "growth is great at the other one".
    if not rev.what and "reason_text" not in rev.changes:
        ratings, _overall = parse_ratings(text, vocab)
        ratings = {k: v for k, v in ratings.items() if k in vocab.factors}
        if ratings:
            other = re.search(
                r"\b(?:other offer|second offer|other one|other company|"
                r"current (?:job|role|employer)|counter ?offer|where i am)\b",
                s,
            )
            target = (
                "other_ratings"
                if other and slots.get("other_kind") not in (None, "none")
                else "offer_ratings"
            )
            current = dict(as_numbers(slots.get(target)))
            changed = {k: v for k, v in ratings.items() if current.get(k) != v}
            if changed:
                current.update(changed)
                rev.changes[target] = current
                rev.what.append("ratings")
                gap_factor = {"pay": "pay", "relocation": "location", "remote": "remote"}.get(
                    str(slots.get("gap_kind"))
                )
                if (
                    gap_factor
                    and target == "offer_ratings"
                    and changed.get(gap_factor, 0) >= NEUTRAL_RATING
                ):
                    rev.changes["gap_kind"] = "none"
                    rev.what.append("gap")
                weights = as_numbers(slots.get("weights"))
                for k in changed:
                    if weights and k not in weights:
                        rev.changes.setdefault("weights", dict(weights))[k] = 3.0
        if not rev.what and re.search(r"\bmatters?\b|\bimportant\b|\bpriority\b|\bcare\b", s):
            w = parse_weights(text, vocab)
            if w:
                weights = dict(as_numbers(slots.get("weights")))
                weights.update(w)
                rev.changes["weights"] = weights
                rev.what.append("weights")
    if not rev.changes:
        return None
    return rev


def option_in_text(options: Mapping[str, Sequence[str]], text: str) -> str | None:
    """The option whose key or phrase appears in ``text`` as whole words (longest wins)."""
    hits = find_phrases(fold(text), {k: [k, *v] for k, v in options.items()})
    if not hits:
        return None
    return str(max(hits, key=lambda h: h.end - h.start).key)
