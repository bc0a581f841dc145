"""Sentence-level appraisal for the critic: what a letter says about the employer, and how.

The critic's phrase cues catch the wordings someone thought of. This module reads the shape
of each sentence instead, so new wordings of the same move are caught too:

- an **evaluation**: a negative word ("slow", "outdated"), a positive word under a negation
  ("not kind", "would not be easy to work with"), a verb of failing someone ("ignored",
  "interrupted"), or an effort verb under a negation ("didn't read", "never replied");
- its **target**: the nearest thing named, looking at the words the evaluation describes
  (an attributive noun right after it) and otherwise back to the clause's subject. Only an
  evaluation of the employer (its people, process, offer, place) is criticism; one about
  the writer's own life ("the commute would be too long for me") is not;
- what turns a statement into a **dig** (a tone problem): second-person blame ("you
  failed to..."), mockery (a joke, laughing at the offer, an eye-roll), shouting in capitals,
  a rhetorical question, praise bent by a surprise or a contrast ("for such a small outfit,
  surprisingly professional"; "lovely people, which makes it a shame..."), a grudging time
  word on their action ("thanks for eventually..."), reassurance about their failing ("no
  worries about the five rescheduled interviews"), a lecture ("in future you...") and
  wishing the next candidate something better.

Words live in ``dialogues/critic.yaml`` under ``appraisal:``; this module is mechanism only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.%]*|[^\w\s]")
_CLAUSE_BREAK = frozenset({";", ":", "—", "–"})


@dataclass(frozen=True)
class Token:
    text: str
    low: str
    start: int
    end: int


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    stop = len(text) if end is None else end
    out = []
    for m in _TOKEN.finditer(text, start, stop):
        word = m.group().replace("’", "'")
        out.append(Token(m.group(), word.lower(), m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Terms:
    """Words and phrases (a ``*`` ends a word freely), matched on tokens."""

    entries: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, items: Iterable[Any] | None) -> Terms:
        out = []
        for item in items or ():
            words = tuple(str(item).lower().replace("’", "'").split())
            if words:
                out.append(words)
        out.sort(key=len, reverse=True)
        return cls(tuple(out))

    @staticmethod
    def _same(word: str, pattern: str) -> bool:
        if pattern.endswith("*"):
            return word.startswith(pattern[:-1])
        return word == pattern

    def at(self, toks: Sequence[Token], i: int) -> int:
        """How many tokens from ``i`` one entry matches (0: none)."""
        for entry in self.entries:
            n = len(entry)
            if i + n <= len(toks) and all(self._same(toks[i + k].low, entry[k]) for k in range(n)):
                return n
        return 0

    def find(self, toks: Sequence[Token]) -> list[tuple[int, int]]:
        """Every match as token spans (i, j), left to right, not overlapping."""
        out = []
        i = 0
        while i < len(toks):
            n = self.at(toks, i)
            if n:
                out.append((i, i + n))
                i += n
            else:
                i += 1
        return out


@dataclass(frozen=True)
class Lexicon:
    employer: Terms
    second_person: Terms
    own: Terms
    own_after: Terms
    negative: Terms
    positive: Terms
    negators: Terms
    blame: Terms
    effort: Terms
    mockery: Terms
    sarcasm_openers: Terms
    surprise: Terms
    contrast: Terms
    concession: Terms
    thanks: Terms
    time_digs: Terms
    reassurance: Terms
    lecture: Terms
    next_candidate: Terms
    praise_of_hard_things: Terms
    shout_words: frozenset[str]
    stops: Terms
    intensifiers: Terms
    emotions: Terms
    superiority: Terms
    publicity: Terms
    request_openers: Terms
    disbelief: Terms
    please_dont: Terms
    not_advice: Terms
    shared: Terms
    expectation: Terms
    more_better: Terms
    verdicts: Terms
    sacrifice: Terms
    feeling_valued: Terms
    stance: Terms
    restate: Terms
    repetition: Terms
    rhetorical: Terms
    advice_modals: Terms
    than_mine: Terms
    negation_window: int = 8

    @classmethod
    def of(cls, block: Mapping[str, Any] | None) -> Lexicon:
        block = block or {}

        def terms(key: str) -> Terms:
            return Terms.of(block.get(key))

        return cls(
            employer=terms("employer"),
            second_person=terms("second_person"),
            own=terms("own"),
            own_after=terms("own_after"),
            negative=terms("negative"),
            positive=terms("positive"),
            negators=terms("negators"),
            blame=terms("blame"),
            effort=terms("effort"),
            mockery=terms("mockery"),
            sarcasm_openers=terms("sarcasm_openers"),
            surprise=terms("surprise"),
            contrast=terms("contrast"),
            concession=terms("concession"),
            thanks=terms("thanks"),
            time_digs=terms("time_digs"),
            reassurance=terms("reassurance"),
            lecture=terms("lecture"),
            next_candidate=terms("next_candidate"),
            praise_of_hard_things=terms("praise_of_hard_things"),
            shout_words=frozenset(str(a).lower() for a in block.get("shout_words") or ()),
            advice_modals=terms("advice_modals"),
            stops=terms("stops"),
            intensifiers=terms("intensifiers"),
            emotions=terms("emotions"),
            superiority=terms("superiority"),
            publicity=terms("publicity"),
            request_openers=terms("request_openers"),
            disbelief=terms("disbelief"),
            please_dont=terms("please_dont"),
            not_advice=terms("not_advice"),
            shared=terms("shared"),
            expectation=terms("expectation"),
            more_better=terms("more_better"),
            verdicts=terms("verdicts"),
            sacrifice=terms("sacrifice"),
            feeling_valued=terms("feeling_valued"),
            stance=terms("stance"),
            restate=terms("restate"),
            repetition=terms("repetition"),
            rhetorical=terms("rhetorical"),
            than_mine=terms("than_mine"),
            negation_window=int(block.get("negation_window", 8)),
        )


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    check: str  # "criticism" or "tone"
    kind: str  # for tone: the critic.yaml outcome (sarcasm, passive-aggression, ...)
    why: str  # which rule, for explanations and tests
    instead: str | None = None  # kinder words for the span ("": cut them; None: drop the sentence)


def _clauses(toks: Sequence[Token], lex: Lexicon) -> list[tuple[int, int]]:
    """Token ranges split at semicolons, colons, dashes and contrast words."""
    out = []
    begin = 0
    i = 0
    while i < len(toks):
        n = lex.contrast.at(toks, i)
        if toks[i].text in _CLAUSE_BREAK or toks[i].text == "-" or n:
            if i > begin:
                out.append((begin, i))
            begin = i + max(n, 1)
            i = begin
            continue
        i += 1
    if begin < len(toks):
        out.append((begin, len(toks)))
    return out


class _Sentence:
    def __init__(self, text: str, start: int, end: int, lex: Lexicon) -> None:
        self.text = text
        self.lex = lex
        self.toks = tokens(text, start, end)
        self.clauses = _clauses(self.toks, lex)
        self.employer = lex.employer.find(self.toks)
        self.own = lex.own.find(self.toks)
        self.second = lex.second_person.find(self.toks)

    def span(self, i: int, j: int) -> tuple[int, int]:
        return self.toks[i].start, self.toks[j - 1].end

    def clause_of(self, i: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= i < b:
                return a, b
        return 0, len(self.toks)

    def _stance(self, i: int) -> bool:
        """"I" in "I'm sure", "I think", "I guess": the writer's stance, not a subject."""
        return (
            self.toks[i].low in ("i", "i'm")
            and i + 1 < len(self.toks)
            and bool(self.lex.stance.at(self.toks, i + 1))
        )

    def _term_at(self, i: int) -> str | None:
        """"employer", "own" or None; a possessive before the term decides ("my manager"
        is the writer's own, "your reply" is theirs)."""
        if self._stance(i):
            return None
        for a, b in self.employer + self.own:
            if a <= i < b:
                before = self.toks[a - 1].low if a > 0 else ""
                if before in ("my", "our") and not self.lex.shared.at(self.toks, a):
                    return "own"
                if before in ("your", "their"):
                    return "employer"
                return "employer" if (a, b) in self.employer else "own"
        return None

    def target(self, i: int, j: int, verb: bool = False) -> str | None:
        """Who the evaluation at tokens [i, j) is about: "employer", "own" or None."""
        a, b = self.clause_of(i)
        if not verb:
            # "for me", "for my family" right after: the writer's own measure.
            for k in range(j, min(j + 3, b)):
                if self.lex.own_after.at(self.toks, k):
                    return "own"
            # Attributive: the noun the word describes ("outdated tools", "disappointing news"),
            # past further evaluation words or a noun of a compound ("worst hiring process").
            found = self._attributive(j, b)
            if found:
                return found
        # Back to the subject: the nearest thing named before it in the clause.
        for k in range(i - 1, a - 1, -1):
            found = self._term_at(k)
            if found:
                return found
        if not verb and any(self.toks[k].low == "how" for k in range(max(a, i - 2), i)):
            # "how distracted the interviewers seemed": the subject comes after.
            for k in range(j, b):
                found = self._term_at(k)
                if found:
                    return found
        return None

    def _attributive(self, j: int, b: int) -> str | None:
        for k in range(j, min(j + 3, b)):
            found = self._term_at(k)
            if found:
                return found
            tok = self.toks[k]
            if not tok.text[:1].isalpha() or self.lex.stops.at(self.toks, k):
                return None
        return None

    def second_person_subject(self, i: int) -> bool:
        a, _b = self.clause_of(i)
        return any(a <= s < i for s, _e in self.second)

    def negated(self, i: int, window: int | None = None) -> tuple[int, int] | None:
        """The negation governing token ``i`` (within the clause, a few words before)."""
        a, _b = self.clause_of(i)
        lo = max(a, i - (window or self.lex.negation_window))
        for k in range(i - 1, lo - 1, -1):
            n = self.lex.negators.at(self.toks, k)
            if n or self.toks[k].low.endswith("n't"):
                return k, k + max(n, 1)
        return None


def _shouting(sent: _Sentence, lex: Lexicon) -> list[int]:
    """Ordinary words written in capitals for emphasis (not acronyms or names)."""
    out = []
    for k, tok in enumerate(sent.toks):
        word = tok.text
        if len(word) >= 2 and word.isalpha() and word.isupper() and word.lower() in lex.shout_words:
            out.append(k)
    if len(out) * 2 > len([t for t in sent.toks if t.text.isalpha()]):
        return []  # a whole line in capitals is a heading or a shout of a name, not emphasis
    return out


def appraise(text: str, spans: Iterable[tuple[int, int]], lex: Lexicon) -> list[Hit]:
    """Every criticism and tone hit, sentence by sentence (``spans`` are the sentences)."""
    hits: list[Hit] = []
    for s, e in spans:
        sent = _Sentence(text, s, e, lex)
        if not sent.toks:
            continue
        hits += _criticism(sent, lex)
        hits += _digs(sent, lex, [h for h in hits if s <= h.start < e and h.check == "criticism"])
    return hits


def _criticism(sent: _Sentence, lex: Lexicon) -> list[Hit]:
    out: list[Hit] = []
    toks = sent.toks
    praise_hard = bool(lex.praise_of_hard_things.find(toks))
    for i, j in lex.negative.find(toks):
        if praise_hard or sent.negated(i, 2):
            continue
        if sent.target(i, j) == "employer":
            out.append(Hit(*sent.span(i, j), "criticism", "found", "negative word about them"))
    for i, j in lex.positive.find(toks):
        neg = sent.negated(i)
        if neg and sent.target(i, j) == "employer":
            out.append(Hit(*sent.span(neg[0], j), "criticism", "found", "praise denied"))
    for i, j in lex.blame.find(toks):
        if sent.negated(i, 2):
            continue
        if sent.target(i, j, verb=True) == "employer":
            out.append(Hit(*sent.span(i, j), "criticism", "found", "blame"))
    for i, j in lex.effort.find(toks):
        neg = sent.negated(i, 4)
        if neg and sent.target(neg[0], neg[1], verb=True) == "employer":
            out.append(Hit(*sent.span(neg[0], j), "criticism", "found", "effort withheld"))
    return out


def _digs(sent: _Sentence, lex: Lexicon, criticism: list[Hit]) -> list[Hit]:
    out: list[Hit] = []
    toks = sent.toks
    whole = sent.span(0, len(toks))
    names_them = bool(sent.employer)
    # Criticism said with contempt: blame aimed at "you", mockery, shouting, a rhetorical question.
    for hit in criticism:
        i = next(k for k, t in enumerate(toks) if t.start == hit.start)
        if hit.why in ("blame", "effort withheld") and sent.second_person_subject(i):
            a, _b = sent.clause_of(i)
            who = min(s for s, _e in sent.second if a <= s < i)
            out.append(Hit(toks[who].start, hit.end, "tone", "bitterness", "blame aimed at you"))
    mock = lex.mockery.find(toks)
    if mock and names_them:
        out.append(Hit(*sent.span(*mock[0]), "tone", "sarcasm", "mockery"))
        if not criticism:
            out.append(Hit(*sent.span(*mock[0]), "criticism", "found", "mockery"))
    loud = _shouting(sent, lex)
    warm = bool(lex.thanks.find(toks) or lex.positive.find(toks))
    if loud and (criticism or not warm):
        for k in loud:
            tok = toks[k]
            out.append(Hit(tok.start, tok.end, "tone", "passive-aggression", "shouting", tok.low))
    words = [t for t in toks if t.text[:1].isalpha()]
    # A real question opens, or opens a clause, with a request ("..., would it be possible?").
    asks = any(
        lex.request_openers.at(toks, k)
        for k, t in enumerate(toks)
        if t is (words[0] if words else None) or (k and toks[k - 1].low in (",", "so", "and", "but"))
    )
    if toks[-1].text == "?" and (
        (len(toks) >= 2 and toks[-2].text in "?!" and names_them)
        or (sent.second and lex.rhetorical.find(toks))
        or (not asks and (names_them or criticism or len(words) <= 2 or lex.rhetorical.find(toks)))
    ):
        out.append(Hit(*whole, "tone", "passive-aggression", "rhetorical question"))
    # Saying it again, pointedly: "as I already explained twice".
    for i, _j in lex.restate.find(toks):
        again = lex.repetition.find(toks[i:])
        if again:
            stop = i + again[0][1]
            while stop < len(toks) and toks[stop].text not in ",;:.!?":
                stop += 1
            out.append(Hit(*sent.span(i, stop), "tone", "passive-aggression", "pointed repetition", ""))
            break
    # Sarcasm: an opener such as "Wow," or "Oh great," on a sentence about them or their offer.
    if lex.sarcasm_openers.at(toks, 0) and (criticism or loud):
        out.append(Hit(*whole, "tone", "sarcasm", "sarcastic opener"))
    # Backhanded praise: praise of them bent by a surprise ("surprisingly professional",
    # "for such a small outfit"), or praise and a criticism joined by a contrast.
    praise = [(i, j) for i, j in lex.positive.find(toks) if not sent.negated(i)]
    surprise = lex.surprise.find(toks)
    bent = surprise or lex.contrast.find(toks)
    if praise and surprise and names_them:
        out.append(Hit(*whole, "tone", "backhanded-thanks", "praise with a surprise"))
    elif criticism and praise and bent:
        out.append(Hit(*whole, "tone", "backhanded-thanks", "praise bent by a contrast"))
    elif criticism and lex.concession.at(toks, 0):
        out.append(Hit(*whole, "tone", "backhanded-thanks", "conceded criticism"))
    # Grudging time words on their action ("thanks for eventually...", "you got round to it").
    for i, j in lex.time_digs.find(toks):
        subject_next = j < len(toks) and lex.own.at(toks, j) and toks[j].low in ("i", "we")
        if subject_next or sent.target(i, j, verb=True) == "own":
            continue
        if names_them or lex.thanks.find(toks):
            out.append(Hit(*sent.span(i, j), "tone", "passive-aggression", "grudging time word", ""))
            break
    # Reassurance about their failing ("no worries about the rescheduled interviews").
    for i, _j in lex.reassurance.find(toks):
        if criticism or (names_them and lex.negative.find(toks[i:])):
            out.append(Hit(*whole, "tone", "passive-aggression", "reassurance about a failing"))
            break
    # Expectations let down: "I expected a lot more than this".
    for i, j in lex.expectation.find(toks):
        if any(a < 5 for a, _b in lex.more_better.find(toks[j:])):
            out.append(Hit(*sent.span(i, len(toks)), "tone", "bitterness", "expectation let down"))
            break
    # A verdict on them: "that tells me everything I need to know", "it speaks for itself".
    verdict = lex.verdicts.find(toks)
    if verdict and (names_them or criticism):
        out.append(Hit(*whole, "tone", "bitterness", "verdict"))
        if not criticism:
            out.append(Hit(*sent.span(*verdict[0]), "criticism", "found", "verdict"))
    # A guilt trip: what the writer gave up, next to a let-down.
    if lex.sacrifice.find(toks) and (criticism or lex.negative.find(toks)):
        out.append(Hit(*whole, "tone", "bitterness", "guilt trip"))
    # Feeling valued, said of a failing: "which really made me feel like a priority".
    if lex.feeling_valued.find(toks) and (criticism or lex.negative.find(toks)):
        out.append(Hit(*whole, "tone", "sarcasm", "valued, after a failing"))
    # A lecture: telling them what they should do ("you should know...", "in future you
    # may want to...", "please don't waste other candidates' time").
    advice = any(
        lex.advice_modals.at(toks, k) and not lex.not_advice.find(toks[k : k + 4])
        for a, _b in sent.second
        for k in (a + 1, a + 2)
    )
    strong = any(
        toks[k].low in ("should", "must", "ought")
        for a, _b in sent.second
        for k in (a + 1, a + 2)
        if k < len(toks)
    )
    if (advice and (lex.lecture.at(toks, 0) or strong)) or lex.please_dont.at(toks, 0):
        out.append(Hit(*whole, "tone", "passive-aggression", "lecture"))
    # Wishing the next candidate something better than you got.
    better = lex.than_mine.find(toks) or lex.more_better.find(toks)
    if lex.next_candidate.find(toks) and better and not any(t.low == "fit" for t in toks):
        out.append(Hit(*whole, "tone", "passive-aggression", "better luck to the next one"))
    # Criticism turned up loud: "absolutely ridiculous", "the worst process", "a complete waste".
    for hit in criticism:
        a = next(k for k, t in enumerate(toks) if t.start == hit.start)
        lo, _hi = sent.clause_of(a)
        near = [k for k in range(max(lo, a - 3), min(len(toks), a + 2)) if lex.intensifiers.at(toks, k)]
        if near:
            start = min(toks[near[0]].start, hit.start)
            end = max(toks[near[-1]].end, hit.end)
            out.append(Hit(start, end, "tone", "bitterness", "intensified criticism"))
            break
    # Their failing, felt out loud: "I'm extremely disappointed with how this went".
    for i, j in lex.emotions.find(toks):
        if sent.target(i, j) != "own" or (j < len(toks) and toks[j].low in ("with", "by", "at", "about")):
            out.append(Hit(*whole, "tone", "bitterness", "anger or disappointment at them"))
            break
    # Rising above them: "I have better options", "I'm not desperate enough".
    if lex.superiority.find(toks):
        out.append(Hit(*whole, "tone", "bitterness", "superiority"))
    # Going public: "I'll be leaving an honest review".
    going_public = lex.publicity.find(toks) and any(t.low in ("i'll", "will", "i'm", "going") for t in toks)
    if going_public and not warm:
        out.append(Hit(*whole, "tone", "bitterness", "threat to go public"))
    # Disbelief at them: "I can't believe you expected me to...".
    if lex.disbelief.find(toks) and (names_them or criticism):
        out.append(Hit(*whole, "tone", "bitterness", "disbelief"))
    # Thanks for a failing: "Cheers for the lowball".
    for i, _j in lex.thanks.find(toks):
        if any(i < next(k for k, t in enumerate(toks) if t.start == h.start) <= i + 5 for h in criticism):
            out.append(Hit(*whole, "tone", "backhanded-thanks", "thanks for a failing"))
            break
    return out


def describes_own(text: str, sentence: tuple[int, int], span: tuple[int, int], lex: Lexicon) -> bool:
    """Whether the words at ``span`` describe the writer's own things by their shape: the noun
    right after them is theirs ("disappointing news") or a "for me" follows ("too much for me")."""
    sent = _Sentence(text, sentence[0], sentence[1], lex)
    inside = [k for k, t in enumerate(sent.toks) if span[0] <= t.start < span[1]]
    if not inside:
        return False
    i, j = inside[0], inside[-1] + 1
    _a, b = sent.clause_of(i)
    for k in range(j, min(j + 3, b)):
        if lex.own_after.at(sent.toks, k):
            return True
    return sent._attributive(j, b) == "own"

