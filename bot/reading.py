"""Reading a line once for everything it says: the facts it mentions, whether it corrects
something, whether it is a question, and whether it means "there is none / skip".

The patterns are content (`dialogues/understanding.yaml`); this module compiles them and
turns what they capture into values with the type parsers in `bot.extract`. The session
reads each line here once, before it decides what the line does (HACKING.md, "A turn").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from bot import extract
from bot.content import Content, ContentError

# What each placeholder captures. Names and companies must look like names (capitalised);
# a role is a short run of words closed by the pattern's own "role/position/job".
# A full stop only after an initial or a title ("J.", "Dr."): elsewhere it ends the name.
_NWORD = r"[A-Z](?:[a-z]{0,2}\.|[\w'’-]*)"
_NAME = rf"(?P<v>{_NWORD}(?:\s+(?:(?:de|van|von|da|di|del|la|le|bin|al)\s+)?{_NWORD}){{0,3}})"
# Several people: "Lena Fischer and Ravi Iyer", "Sam, Priya and Jo".
_ONE_NAME = rf"{_NWORD}(?:\s+(?:(?:de|van|von|da|di|del|la|le|bin|al)\s+)?{_NWORD}){{0,3}}"
_NAMES = rf"(?P<v>{_ONE_NAME}(?:\s*,\s*{_ONE_NAME})*(?:,?\s+and\s+{_ONE_NAME})?)"
# A full stop ends a company's name ("... to VanArsdel. Laura Quinn was ..."), except in a
# web name ("Monday.com").
_CWORD = r"[A-Z0-9][\w&'’-]*(?:\.(?:com|io|ai|co|net|org)\b)?"
_COMPANY = rf"(?P<v>{_CWORD}(?:\s+(?:(?!I\b){_CWORD}|&|(?:of|de)(?=\s+[A-Z])|and(?=\s+(?!I\b)[A-Z])))*)"
# Lower-case names, for cues strong enough that a name must follow ("turn down tailspin
# toys", "ask helen marsh at ..."): up to three words, which the pattern must close itself
# (a look-ahead for punctuation or a joining word), then checked against `not_name_words`.
_LWORD = r"[A-Za-z][\w&'’-]*"
_LCOMPANY = rf"(?P<v>(?:[A-Za-z]\.\s?)?{_LWORD}(?:\s+{_LWORD}){{0,2}})"
_LNAME = rf"(?P<v>{_LWORD}\s+{_LWORD})"
_ROLE = r"(?P<v>[A-Za-z][\w/&+ -]{1,60}?)"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_FEW = r"(?:\d{1,2}|a|an|one|two|three|four|five|six|a\s+few|a\s+couple\s+of|couple\s+of)"
# Only the shapes a date takes, so a pattern never captures the words after its cue.
_DATE = (
    r"(?P<v>(?i:"
    rf"(?:(?:next|this|last|on|coming)\s+)?{_WEEKDAY}\b(?:\s+(?:morning|afternoon|evening|night))?"
    r"|today|tonight|tomorrow|yesterday|end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:day|week|month)"
    r"|(?:next|last|this)\s+(?:week|month)|this\s+weekend"
    rf"|(?:in|within)\s+{_FEW}\s+(?:business\s+|working\s+)?(?:days?|weeks?)"
    rf"|{_FEW}\s+(?:days?|weeks?)\s+ago"
    r"|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
    r"))"
)
_WHOLE_DATE = re.compile(_DATE)
# A question about the decision itself, not a request ("can you help me write it?").
_DELIBERATION = re.compile(
    r"^(?:so\s+|but\s+|and\s+|hmm,?\s+)?(?:should|shall|would|is|isn'?t|am|do|does|was|what if|how bad|"
    r"is it|would it|could i|can i)\b(?!\s+you\b)",
    re.IGNORECASE,
)
_PERCENT = r"(?P<v>~?\s?\d{1,3}(?:\.\d+)?)\s?(?:%|percent|per\s*cent)"
_MONEY = (
    r"(?P<v>(?:[$£€]|usd|eur|gbp)?\s?\d{1,3}(?:[,.]\d{3})*(?:\.\d+)?\s?(?:k|K|grand|thousand)?"
    r"(?:\s?(?:usd|eur|gbp|dollars|pounds|euros))?)"
)
_COUNT = r"(?P<v>(?i:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few|several))"
_DURATION = (
    r"(?P<v>(?:(?:about|around|roughly|like|nearly|almost|over|more\s+than|a\s+good)\s+)?"
    rf"(?:{_FEW}|several|\d{{1,2}})\s+(?:days?|weeks?|months?|years?)|a\s+fortnight)"
)
_UNIT = re.compile(r"day|week|fortnight|month|year", re.IGNORECASE)
_PLACEHOLDERS = {
    "duration": _DURATION,
    "name": _NAME,
    "names": _NAMES,
    "company": _COMPANY,
    "lcompany": _LCOMPANY,
    "lname": _LNAME,
    "role": _ROLE,
    "date": _DATE,
    "percent": _PERCENT,
    "money": _MONEY,
    "count": _COUNT,
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Words that end a name or company captured from the middle of a sentence.
_STOP_AFTER = re.compile(
    r"\s+(?:and|but|who|which|that|because|as|for|from|at|in|on|with|is|was|would|will|to|or|so|"
    r"she|he|they|I|i|my|the|a|an|last|this|next|yesterday|today|tomorrow)\b.*$"
)
_NOT_A_NAME_WORD = frozenset(
    "I The A An My We They He She It This That Hi Hello Hey Yes No Thanks Dear Monday Tuesday Wednesday Thursday "
    "Friday Saturday Sunday January February March April June July August September October November December "
    "Mr Mrs Ms Dr Just Actually Sorry Also But And So Well Ok Okay".split()
)


@dataclass(frozen=True)
class Mention:
    """A value for a slot, found in the words ``phrase`` at ``span``."""

    slot: str
    value: Any
    span: tuple[int, int]
    phrase: str
    sure: bool = True


@dataclass
class Reading:
    text: str
    mentions: dict[str, Mention] = field(default_factory=dict)
    correction: bool = False
    question: bool = False
    no_value: bool = False
    stance: str | None = None  # decided | unsure | None
    only_facts: bool = False  # every word went to a slot ("the offer came on Thursday")

    def value(self, slot: str) -> Any:
        m = self.mentions.get(slot)
        return m.value if m else None


def _phrase_regex(pattern: str, where: str) -> re.Pattern[str]:
    parts: list[str] = []
    pos = 0
    holders = 0

    def literal(words: str) -> None:
        if words:
            parts.append("(?i:" + re.sub(r"\s+", r"\\s+", words) + ")")

    for m in _PLACEHOLDER.finditer(pattern):
        literal(pattern[pos : m.start()])
        kind = m[1]
        if kind not in _PLACEHOLDERS:
            raise ContentError(where, None, f"unknown placeholder {{{kind}}} in '{pattern}'")
        parts.append(_PLACEHOLDERS[kind])
        holders += 1
        pos = m.end()
    literal(pattern[pos:])
    if holders != 1:
        raise ContentError(where, None, f"a pattern needs exactly one placeholder: '{pattern}'")
    source = "".join(parts)
    if pattern[:1].isalnum():
        source = r"(?<![\w'])" + source  # a cue word starts at a word's start
    try:
        return re.compile(source)
    except re.error as exc:
        raise ContentError(where, None, f"pattern '{pattern}' is not valid: {exc}") from exc


def _alternatives(phrases: list[str], where: str, *, whole: bool = False) -> re.Pattern[str]:
    body = "|".join("(?:" + re.sub(r"\s+", r"\\s+", p.strip()) + ")" for p in phrases)
    source = rf"^\s*(?:{body})\s*[.!]*\s*$" if whole else rf"(?<![\w'])(?:{body})(?![\w'])"
    try:
        return re.compile(source, re.IGNORECASE)
    except re.error as exc:
        raise ContentError(where, None, f"a phrase is not valid: {exc}") from exc


class Reader:
    """The compiled form of `dialogues/understanding.yaml`."""

    def __init__(
        self,
        data: dict[str, Any],
        where: str = "understanding.yaml",
        slot_options: dict[str, dict[str, list[str]]] | None = None,
    ) -> None:
        self.where = where
        self.phrases: dict[str, list[tuple[re.Pattern[str], Any]]] = {}
        for slot, table in (data.get("phrases") or {}).items():
            said: list[tuple[re.Pattern[str], Any]] = []
            for raw_value, phrases in (table or {}).items():
                value: Any = {"yes": True, "no": False}.get(str(raw_value), str(raw_value))
                said.append((_alternatives([str(p) for p in phrases or []], where), value))
            self.phrases[str(slot)] = said
        self.implies = {str(k): dict(v or {}) for k, v in (data.get("implies") or {}).items()}
        self.implies_by_value = {
            str(slot): {str(value): dict(then or {}) for value, then in (table or {}).items()}
            for slot, table in (data.get("implies_by_value") or {}).items()
        }
        self.slot_options = slot_options or {}
        self.options: dict[str, list[tuple[re.Pattern[str], str, int]]] = {}
        for slot, keys in (data.get("options") or {}).items():
            table = (slot_options or {}).get(str(slot)) or {}
            entries = []
            for key in keys or []:
                for phrase in [str(key), *table.get(str(key), [])]:
                    words = re.escape(phrase.strip()).replace(r"\ ", r"\s+")
                    # "not about the money" does not name the money as the reason
                    pat = re.compile(rf"(?<![\w'])(?<!not\s)(?<!n't\s){words}(?![\w'])", re.I)
                    entries.append((pat, str(key), len(phrase)))
            self.options[str(slot)] = entries
        # Each pattern keeps its own placeholder's kind: a pay gap is a percent in one
        # pattern and an amount of money in the next.
        self.patterns: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
        for slot, phrases in (data.get("mentions") or {}).items():
            self.patterns[str(slot)] = [(self._kind(str(p)), _phrase_regex(str(p), where)) for p in phrases or []]
        self.past_dates = frozenset(str(s) for s in data.get("past_dates") or [])
        self.preferences = frozenset(str(s) for s in data.get("preferences") or [])
        self.not_name_words = frozenset(str(w).lower() for w in data.get("not_name_words") or [])
        self.not_role_words = frozenset(str(w).lower() for w in data.get("not_role_words") or [])
        leads = [str(p) for p in data.get("lead_ins") or []]
        self.lead_in = _alternatives(leads, where) if leads else None
        self._lead_in_start = (
            re.compile(r"^\s*(?:(?:" + "|".join(f"(?:{p})" for p in leads) + r")\s*[,:]?\s+)+", re.IGNORECASE)
            if leads
            else None
        )
        tails = [str(p) for p in data.get("tails") or []]
        self._tails = [re.compile(r"\s*" + t + ("" if t.endswith("$") else r"\s*$"), re.IGNORECASE) for t in tails]
        self.no_value = _alternatives([str(p) for p in data.get("no_value") or []], where, whole=True)
        self.not_values = _alternatives([str(p) for p in data.get("not_values") or []], where, whole=True)
        self.cleared = _alternatives([str(p) for p in data.get("cleared") or []], where, whole=True)
        self.corrections = _alternatives([str(p) for p in data.get("corrections") or []], where)
        self.stance_intents = {str(k): str(v) for k, v in (data.get("stance_intents") or {}).items()}
        self.question_intents = {str(k): str(v) for k, v in (data.get("question_intents") or {}).items()}
        stance = data.get("stance") or {}
        self.stance = {str(k): _alternatives([str(p) for p in v or []], where) for k, v in stance.items()}

    @staticmethod
    def _kind(pattern: str) -> str:
        m = _PLACEHOLDER.search(pattern)
        return m[1] if m else "text"

    # -- answers to a question -----------------------------------------------------------------

    def strip_answer(self, text: str) -> str:
        """The answer without the words around it: "that'd be Sofia Petrov" -> "Sofia Petrov"."""
        s = text.strip().strip("\"'“”‘’")
        if self._lead_in_start is not None:
            s = self._lead_in_start.sub("", s)
        for tail in self._tails:
            cut = tail.sub("", s)
            if cut.strip():
                s = cut
        return s.strip().strip("\"'“”‘’").rstrip(" .,!;:")

    def strip_correction(self, text: str) -> str:
        """The line without the words that mark it as a correction ("actually", "I meant")."""
        return self.corrections.sub(" ", text).strip(" ,.;:-")

    def implied(self, slot: str, value: Any) -> dict[str, Any]:
        """What a fact says about other slots: a pay gap means the gap is the pay."""
        out = dict(self.implies.get(slot, {}))
        out.update(self.implies_by_value.get(slot, {}).get(str(value), {}))
        return out

    def without_cleared(self, text: str) -> str:
        """The line without its clauses that clear a topic ("the pay is fine"), unless
        nothing would be left."""
        parts = [p for p in re.split(r"\s*(?:[,;.!]|\bbut\b|\band\b)\s*", text.strip()) if p.strip()]
        kept = [p for p in parts if not self.cleared.match(p)]
        return ", ".join(kept) if kept and len(kept) < len(parts) else text

    def means_none(self, text: str) -> bool:
        """"nobody", "skip", "nobody else, just the hiring manager": every part says none."""
        parts = [p for p in re.split(r"\s*(?:[,;.!]|\s-\s|—)\s*", text.strip()) if p.strip()]
        return bool(parts) and all(self.no_value.match(p) for p in parts)

    def never_a_value(self, text: str) -> bool:
        """Yes/no words, pronouns, questions and dates are never a name, company or title."""
        s = text.strip()
        return bool(self.not_values.match(s)) or bool(_WHOLE_DATE.fullmatch(s.rstrip(".!")))

    # -- a whole line ----------------------------------------------------------------------------

    def read(
        self,
        text: str,
        today: dt.date,
        *,
        asked: str | None = None,
        open_answer: bool = False,
        names_people: bool = False,
    ) -> Reading:
        """``asked``: the slot the current question asks for (its parser reads the answer).
        ``open_answer``: the question asks for a description in the person's own words
        (goals, priorities, how the offer does), where "pay" is a topic, not a reason.
        ``names_people``: the question asks for people's names (no title is read then)."""
        reading = Reading(text=text)
        stripped = text.strip()
        reading.no_value = self.means_none(stripped)
        reading.correction = bool(self.corrections.search(stripped))
        # Sentence by sentence: "I need to decline. Can you help me write it?" has decided
        # (the question is a request); "Should I turn it down?" has not.
        sentences = [x.strip() for x in re.split(r"(?<=[.!?])\s+", stripped) if x.strip()]
        asking = [x for x in sentences if x.endswith("?") and _DELIBERATION.match(x)]
        telling = [x for x in sentences if x not in asking]
        decided = self.stance.get("decided")
        unsure = self.stance.get("unsure")
        if decided is not None and any(decided.search(x) for x in telling):
            reading.stance = "decided"
        elif asking or (unsure is not None and unsure.search(stripped)):
            reading.stance = "unsure"
        reading.question = bool(asking) and reading.stance != "decided"
        # Options named in passing, but not in a clause that clears them ("great pay, but the
        # hours are nights" names the hours).
        named = self.without_cleared(text)
        for slot, entries in self.options.items():
            if slot == asked or open_answer:
                continue
            best: tuple[int, str, re.Match[str]] | None = None
            for pat, key, size in entries:
                hit = pat.search(named)
                if hit and (best is None or size > best[0]):
                    best = (size, key, hit)
            if best is not None:
                reading.mentions[slot] = Mention(slot, best[1], best[2].span(), best[2][0], sure=False)
        for slot, said in self.phrases.items():
            if slot == asked:
                continue
            for pat, value in said:
                hit = pat.search(text)
                if hit:
                    # A preference said outright ("I'd rather email") is meant, and said back.
                    sure = slot in self.preferences
                    reading.mentions[slot] = Mention(slot, value, hit.span(), hit[0], sure=sure)
                    break
        for slot, patterns in self.patterns.items():
            if slot == asked:
                continue  # the question's own answer is parsed by the slot's parser
            if names_people and slot == "role":
                continue  # at "who did you meet?", "Dana Rivera, Sam Lee" names two people
            for kind, pat in patterns:
                found = self._first(slot, kind, pat, text, today)
                if found is not None:
                    reading.mentions[slot] = found
                    break
        return reading

    def _first(self, slot: str, kind: str, pat: re.Pattern[str], text: str, today: dt.date) -> Mention | None:
        for m in pat.finditer(text):
            raw = m["v"]
            start = m.start("v")
            value = self._value(slot, kind, raw, today)
            if value is None:
                continue
            shown = raw if kind not in ("name", "company", "lname", "lcompany") else str(value)
            # The span is every word the pattern used ("three rounds", not just "three"):
            # those words belong to this slot and are no one's name.
            return Mention(slot, value, (min(start, m.start()), max(start + len(shown), m.end())), shown)
        return None

    def _value(self, slot: str, kind: str, raw: str, today: dt.date) -> Any:
        if kind == "name":
            words: list[str] = []
            for word in _STOP_AFTER.sub("", raw).split():
                bare = word.rstrip(".,;:!?")
                if bare in _NOT_A_NAME_WORD:
                    if words:
                        break  # "Rebecca Stone. The commute...": the name ended
                    continue
                words.append(bare)
                if bare != word and not re.fullmatch(r"[A-Z]\.?", bare + "."):
                    break  # a full stop or comma after a word ends the name (not an initial)
            return " ".join(words) if words else None
        if kind == "names":
            people = [self._value(slot, "name", part, today) for part in re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", raw)]
            return [p for p in people if p] or None
        if kind in ("lcompany", "lname"):
            words = raw.split()
            if any(w.lower().strip(".,'’") in self.not_name_words for w in words):
                return None
            if words[0].rstrip(".") in _NOT_A_NAME_WORD:
                return None
            # "tailspin toys" -> "Tailspin Toys"; "VanArsdel" keeps its own capitals
            return " ".join(w if any(c.isupper() for c in w) else w[:1].upper() + w[1:] for w in words)
        if kind == "company":
            name = _STOP_AFTER.sub("", raw).strip(" .,'’")
            name = re.sub(r"'s$|’s$", "", name)
            name = re.sub(r"^The\s+(?=[A-Z])", "", name)  # "The Graphic Design Institute"
            if not name or name in _NOT_A_NAME_WORD or name.split()[0] in _NOT_A_NAME_WORD:
                return None
            return name
        if kind == "role":
            role = re.sub(
                r"^(?:(?:the|a|an|new|great|good|really|full[- ]time|permanent)\s+)+", "", raw.strip(), flags=re.I
            )
            role = re.sub(r"\s+(?:role|position|job|post)$", "", role, flags=re.I)
            if not role or re.search(r"\b(?:this|that|the|their|new|my|your|an?|offer|job)$", role, re.I):
                return None
            if len(role.split()) > 6:
                return None
            if any(w.lower() in self.not_role_words for w in re.findall(r"[\w'’]+", role)):
                return None  # "offered me 10% more money", "offered me a lot": not a title
            return role
        if kind == "date":
            d = extract.parse_date(raw, today)
            if d is None:
                return None
            if slot in self.past_dates and d.date > today:
                # "the offer came on Monday" is the Monday that has been, not the next one
                return (d.date - dt.timedelta(days=7)).isoformat()
            return d.iso()
        if kind == "duration":
            # A choice slot ("days", "weeks", "months"): the option whose words hold the unit.
            unit = _UNIT.search(raw)
            if unit is None:
                return None
            stem = unit[0].lower()
            table = self.slot_options.get(slot, {})
            for key in table:
                if stem in key:
                    return key
            for key, phrases in table.items():
                if any(stem in p for p in phrases):
                    return key
            return None
        if kind == "percent":
            return f"{raw.replace('~', '').strip()}%"
        if kind == "money":
            money = extract.parse_money(raw)
            return money.phrase if money else None
        if kind == "count":
            try:
                return extract._num(raw)
            except KeyError:
                return None
        return raw.strip() or None


def reader_for(content: Content) -> Reader:
    """One compiled reader per loaded content (compiled on first use)."""
    cached = content.files.get("_reader")
    if isinstance(cached, Reader):
        return cached
    reader = Reader(
        content.files.get("understanding.yaml") or {},
        str(content.dialogues / "understanding.yaml"),
        {name: spec.options for name, spec in content.slots.items() if spec.options},
    )
    content.files["_reader"] = reader
    return reader
