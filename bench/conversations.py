"""Conversation benchmark: goal-driven simulated users talk to the real `chat --plain`.

    python -m bench.conversations                     # the table (dev, held-out, all; 10 seeds)
    python -m bench.conversations --half dev --seeds 3
    python -m bench.conversations --show PERSONA --seed 4   # one annotated transcript
    python -m bench.conversations --failures           # dev failures grouped by kind

Personas live in ``bench/data/personas/{dev,heldout}/*.yaml``: facts (company, role, the
hiring manager, ...), a goal family, several over-informative openings (each saying which
facts it gives) and answer phrasings; ``bench/data/personas/phrasings.yaml`` holds the
shared ways people answer. A seed picks the opening and every phrasing, so each seed is a
different conversation. The personas were written without reading the coach's example
phrases; the question rules below come from talking to the coach.

The simulator runs ``decline-coach chat --plain --no-save --turn-end MARK`` in a
subprocess, reads each turn up to the mark, works out what the coach is asking from its
words (``detect_question``), answers from the persona's facts, and stops when the goal is
reached or after ``MAX_TURNS`` user turns. Per conversation it records:

- success (goal reached within ``MAX_TURNS``) and the user turn that reached it;
- not-understood turns: the coach says it did not catch it, offers the easier list, the
  "going in circles" menu, or its off-topic reply;
- redundant questions: the coach asks for a fact the persona gave in an earlier turn (a
  re-ask in the same turn as a not-understood notice counts as not-understood instead);
- wrong values: an echo, a channel or whom-to-tell line, a draft or a rehearsal line holding
  a value for a fact that is not what the persona gave for it (a stand-in for a fact the
  persona never gave is not counted unless it is made of the persona's own words).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PERSONAS = HERE / "data" / "personas"
MARK = "<<turn-end>>"
MAX_TURNS = 20
WITHIN = 10
TODAY = "2026-12-02"
TURN_TIMEOUT = 30.0

# ---------------------------------------------------------------------------- goals

FAMILIES = {
    "pay_gap": "negotiate",
    "misfit": "decline_recommended_and_drafted",
    "decided": "decline_draft",
    "recruiter": "recruiter_message",
    "ghosted": "late_reply",
    "backing_out": "withdraw",
    "counteroffer": "counteroffer",
    "reopened": "reopened",
    "needs_time": "more_time",
    "rehearse": "rehearsal_started",
}

# What a situation card's title ("What I'd suggest: ...") or a draft's title says, per goal.
SITUATION_WORDS = {
    "recruiter_message": r"recruiter|agency",
    "late_reply": r"went quiet|going quiet|answer late|late reply|replying late|ghost",
    "withdraw": r"withdraw|back(ing)? out|renege",
    "counteroffer": r"counter-?offer",
    "reopened": r"came back|new terms|reopen",
    "more_time": r"more time|extension",
}
SITUATION_DRAFTS = r"recruiter|late|withdraw|counter|reopen|more time|thank|follow|linkedin|feedback|accept"

NOT_UNDERSTOOD = (
    "didn't quite catch",
    "did not quite catch",
    "didn't catch",
    "didn't understand",
    "not sure i follow",
    "let me make it easier",
    "going in circles",
    "one for a general assistant",
    "i only know about job offers",
)


# Which option a persona of each family picks from a menu, in order of preference (the
# start menu, the "going in circles" menu, or a "which of these is closest?" list).
FAMILY_PICKS = {
    "pay_gap": r"negotiat|decide",
    "misfit": r"decide|declin",
    "decided": r"decided to decline|declin|write",
    "recruiter": r"recruiter|agency|tricky",
    "ghosted": r"quiet|late|never replied|ghost|tricky",
    "backing_out": r"accepted and|withdraw|back out|renege|tricky",
    "counteroffer": r"counter|current employer|tricky",
    "reopened": r"came back|new terms|reopen|tricky",
    "needs_time": r"more time|extension|waiting|tricky",
    "rehearse": r"rehears|practi|decided to decline|declin|write",
}


@dataclass
class Opening:
    text: str
    gives: list[str]


@dataclass
class Persona:
    name: str
    family: str
    facts: dict[str, Any]
    openings: list[Opening]
    answers: dict[str, list[str]]
    half: str = "dev"

    @property
    def goal(self) -> str:
        return FAMILIES[self.family]


def load_persona(path: Path, half: str) -> Persona:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    family = raw["family"]
    if family not in FAMILIES:
        raise ValueError(f"{path}: unknown family {family!r}")
    openings = [Opening(o["text"].strip(), list(o.get("gives", []))) for o in raw["openings"]]
    if len(openings) < 3:
        raise ValueError(f"{path}: a persona needs 3 or more openings")
    facts = dict(raw.get("facts", {}))
    answers = {k: [str(x) for x in v] for k, v in (raw.get("answers") or {}).items()}
    return Persona(raw.get("name", path.stem), family, facts, openings, answers, half)


def load_personas(half: str = "all") -> list[Persona]:
    halves = ["dev", "heldout"] if half == "all" else [half]
    out: list[Persona] = []
    for h in halves:
        for path in sorted((PERSONAS / h).glob("*.yaml")):
            out.append(load_persona(path, h))
    return out


def load_phrasings() -> dict[str, list[str]]:
    raw = yaml.safe_load((PERSONAS / "phrasings.yaml").read_text(encoding="utf-8"))
    return {k: [str(x) for x in v] for k, v in raw.items()}


# ---------------------------------------------------------------------------- reading the coach

OPTION = re.compile(r"^  (\d+)\) (.+)$")
DRAFT_HEAD = re.compile(r"^--- (.+?) \((\w[\w -]*)\) ---$")


@dataclass
class Question:
    kind: str  # what the coach asks for, "menu", "yesno" or "unknown"
    fact: str | None  # the persona fact it asks for, if any
    options: list[str] = field(default_factory=list)
    prompt: str = ""


# (kind, fact asked for, pattern on the question's own lines), first match wins. Written by
# watching the coach's questions in `chat --plain`.
QUESTION_RULES: list[tuple[str, str | None, str]] = [
    ("greeting", None, r"what brings you here"),
    ("circles", None, r"going in circles|where we can go from here"),
    ("story", None, r"tell me what happened|what's going on|describe (the|your) situation"),
    ("company", "company", r"which company|what company|company (made|is it)|name of the company|who made the offer"),
    ("role", "role", r"what's the role|what is the role|which role|the role\?|job title|what position"),
    (
        "recruiter_name",
        "recruiter",
        r"recruiter's name|name of the recruiter|who is the recruiter|who was the recruiter",
    ),
    ("has_recruiter", "recruiter", r"did a recruiter|was there a recruiter|recruiter (run|handle)|through a recruiter"),
    ("recruiter_kind", "recruiter_kind", r"outside agency|work for the company itself|agency recruiter"),
    (
        "own_name",
        "own_name",
        r"what name should i sign|your (own )?name|sign it with|what should i call you|who'?s calling",
    ),
    ("interviewers", "interviewers", r"who else interviewed|other interviewers|anyone else (who )?interview"),
    ("rapport", "rapport", r"how well did you get on|get on with"),
    (
        "manager",
        "manager",
        r"who(?: is|'s) the hiring manager|hiring manager's name|name of the hiring manager|who should it go to"
        r"|manager's name|who will you be (calling|telling)",
    ),
    ("offer_date", "offer_date", r"when did the offer (arrive|come)|when did you get the offer|when was the offer"),
    ("deadline", "deadline", r"when do they need your answer|deadline\?|answer by\?|when do you have to answer"),
    ("rounds", "rounds", r"interview rounds|how many rounds|how many interviews|how many times did you interview"),
    ("silence", "silence", r"how long has it been|since you last replied|how long ago"),
    ("signed", "signed", r"signed (a|the) contract|have you signed|did you sign|signed anything"),
    ("accepted_new", "accepted_new", r"already accepted the new|had you (already )?accepted"),
    ("what_changed", "new_terms", r"what changed in the new offer|what's different|what did they change"),
    ("fixes_reason", "fixes_reason", r"fix the main reason|fix what made you say no|solve the reason"),
    ("worry", "worry", r"what worries you|worried about"),
    ("asked_for", "asked_for", r"what did they ask for"),
    ("fix_would_accept", "accept_if", r"if they fixed that|would you say yes|would you take it if|would you accept"),
    ("holding_back", "reason", r"holding you back|stands? in the way|sticking point"),
    ("reason", "reason", r"main reason|what's the reason|why are you (declining|saying no)|what made you decide"),
    ("goals", "goals", r"next one to three years|bigger picture|what do you want from your work"),
    ("must_haves", "must_haves", r"must-haves|deal-breaker"),
    ("mobility", "mobility", r"where or how you live|relocat|visa"),
    ("priorities", "priorities", r"what matters most|how much\? words or numbers"),
    ("current_scores", "current_scores", r"how does your current job do|current job do on"),
    ("scores", "scores", r"do on pay|score out of 10|how does .* (do|measure)"),
    ("alternatives", "alternatives", r"weighing it against|compare it (with|to)|anything else on the table"),
    ("gut", "gut", r"how do you feel about the people|your gut|feel about the (team|place)"),
    ("channel_pref", "channel", r"how they like to hear back|prefer (to hear|a call|email)|how do they like"),
    ("channel_confirm", None, r"does that suit you|rather do it another way"),
    ("appreciation", "appreciation", r"anything you'd like to mention|specific thing you appreciated|you appreciated"),
    ("draft_offer", None, r"i can draft|shall i\?|want me to draft|draft it\?"),
    ("ready_write", None, r"ready to write"),
    ("after_draft", None, r"what would you like to do with it"),
    ("pick_up", None, r"who should pick up"),
    ("push", None, r"how hard should they push"),
    ("after_script", None, r"rehears|practise the call|practice the call"),
    ("decision", None, r"what would you like to do\?|what do you want to do\?"),
]

YESNO = re.compile(r"^(did|do|does|have|has|had|is|are|was|were|would|will|shall|should|can|could)\b", re.I)


def split_turn(text: str) -> tuple[list[str], list[str]]:
    """The turn's lines outside drafts and advice points, and its numbered options."""
    lines: list[str] = []
    options: list[str] = []
    in_draft = False
    for line in text.splitlines():
        if DRAFT_HEAD.match(line):
            in_draft = True
            continue
        if in_draft:
            if line == "---":
                in_draft = False
            continue
        m = OPTION.match(line)
        if m:
            options.append(m.group(2).strip())
            continue
        if not line.strip() or line.startswith("  ") or line.startswith("> "):
            continue
        lines.append(line.strip())
    return lines, options


def detect_question(text: str) -> Question:
    """What the coach's turn asks for, from its last lines (the prompt) and its options."""
    lines, options = split_turn(text)
    # The prompt: the last line that asks something, else the last line.
    prompt = ""
    for line in reversed(lines):
        if "?" in line or line.endswith(":") or re.search(r"\bor \"?skip\"?", line, re.I):
            prompt = line
            break
    if not prompt and lines:
        prompt = lines[-1]
    low = prompt.lower()
    for kind, fact, pattern in QUESTION_RULES:
        if re.search(pattern, low):
            return Question(kind, fact, options, prompt)
    if options:
        return Question("menu", None, options, prompt)
    if YESNO.match(prompt.strip()) and prompt.rstrip().endswith("?"):
        return Question("yesno", None, options, prompt)
    return Question("unknown", None, options, prompt)


def not_understood(text: str) -> bool:
    low = text.lower()
    return any(p in low for p in NOT_UNDERSTOOD)


def advice_titles(text: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^What I'd suggest: (.+)$", text, re.M)]


def drafts(text: str) -> list[tuple[str, str]]:
    """(title, body) of every draft in a turn."""
    out: list[tuple[str, str]] = []
    current: list[str] | None = None
    title = ""
    for line in text.splitlines():
        m = DRAFT_HEAD.match(line)
        if m and current is None:
            title, current = m.group(1), []
            continue
        if current is not None:
            if line == "---":
                out.append((title, "\n".join(current)))
                current = None
            else:
                current.append(line)
    return out


def is_decline_draft(title: str, body: str) -> bool:
    if re.search(SITUATION_DRAFTS, title, re.I):
        return False
    return bool(re.search(r"declin|turn (it|the offer|this) down|not (be )?accept|say no|decided not to", body, re.I))


# ---------------------------------------------------------------------------- wrong values


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w%]+", " ", text.lower()).split())


TITLES = re.compile(r"^(dr|mr|mrs|ms|miss|prof) ")


def person_ok(value: str, expected: Any) -> bool:
    if not expected or expected == "none":
        return False
    names = expected if isinstance(expected, list) else [expected]
    v = TITLES.sub("", norm(value))
    for name in names:
        n = TITLES.sub("", norm(str(name)))
        if v == n or v == n.split()[0] or (len(n.split()) > 1 and v == n.split()[-1]):
            return True
    return False


def plain_ok(value: str, expected: Any, aliases: list[str] | None = None) -> bool:
    if not expected:
        return False
    v = norm(value)
    for e in [expected, *(aliases or [])]:
        n = norm(str(e))
        # the exact value, or its leading words ("Northwind" for "Northwind Traders")
        if v == n or (v and n.startswith(v + " ")):
            return True
    return False


# (slot, pattern) for values the coach echoes. Slots: company, role, manager, recruiter,
# interviewer, person (the manager or the recruiter), own_name.
ECHO_RULES: list[tuple[str, str]] = [
    ("company+role", r"Thanks\. (?P<company>[^,\n]+), (?P<role>[^:\n]+): got it\."),
    ("person", r"Best way to tell them: [^\n(]*? to (?P<person>[A-Z][^.\n]*?)(?: at [A-Z][^.\n]*)?\.$"),
    ("person", r"Best way to tell them: [^\n]*?\((?P<person>[^)\n]+)\)"),
    ("list", r"^  - (?P<person>[^\n(]+?) \((?P<what>hiring manager|interviewer|recruiter)\)"),
    ("company", r"How does (?P<company>.+?) do on pay"),
    ("call", r"^Calling (?P<first>[^\n]+?) at (?P<company>[^\n]+?) about the (?P<role>[^\n]+?) offer"),
    ("play", r"I'll play (?P<person>[A-Z][\w' -]+?)(?:, an? [^,]+,)? at (?P<company>[^,.\n]+)"),
    ("offer", r"for the (?P<role>[^\n.,\"]+?) offer"),
    # The coach's brief "Got it: ..." / "Updated: ..." acknowledgements name people by role.
    ("person", r"(?:Got it|Updated): [^\n]*?hiring manager (?P<person>[A-Z][\w' -]*?)(?=,|\.| \(|$)"),
    ("person", r"(?:Got it|Updated): [^\n]*?recruiter (?P<person>[A-Z][\w' -]*?)(?=,|\.| \(|$)"),
]


# In a draft or a call script the persona greets the person the message goes to.
DRAFT_RULES: list[tuple[str, str]] = [
    ("greeting", r"^\"?(?:Hi|Hello|Dear|Hey) (?P<person>[A-Z][\w' -]*?)(?:,|!)(?: it's (?P<own>[A-Z][\w'-]*))?"),
    ("at", r"\b(?:role|offer|position|job) at (?P<company>[^,.\n]+?)(?:,|\.|\band\b|$)"),
    ("role", r"\babout the (?P<role>[^\n,.\"]+?) (?:role|position|job)\b"),
]
# In the rehearsal the manager picks up and greets the persona.
CALL_RULES: list[tuple[str, str]] = [
    ("hi", r"(?:^|[.!?] |, )(?:[Hh]i|[Hh]ello|[Hh]ey) (?P<own>[A-Z][\w'-]*)"),
    ("name!", r"(?:^|[.!?] )(?P<own>[A-Z][\w'-]*)! "),
    ("it's", r"\b(?:it's|this is) (?P<person>[A-Z][\w'-]*)"),
    ("here", r"^(?P<person>[A-Z][\w'-]*) here\b"),
    ("company", r"^(?P<company>[A-Z][^,\n]*?), this is"),
]
REHEARSAL_START = re.compile(r"practi[sc]e the call out loud|let's (start|begin) the call", re.I)


def rehearsal_greeting(text: str) -> str:
    """The manager's first line when a practice call starts in this turn, else ''."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if REHEARSAL_START.search(line):
            return next((ln for ln in lines[i + 1 :] if ln.strip() and not OPTION.match(ln)), "")
    return ""


def _said(value: str, user_text: str) -> bool:
    v = norm(value)
    return bool(v) and v in norm(user_text)


def wrong_values(coach_text: str, persona: Persona, given: set[str], user_text: str) -> list[str]:
    """Values in a coach turn that are not what the persona gave for that fact."""
    f = persona.facts
    found: list[str] = []

    def check(slot: str, value: str) -> None:
        value = value.strip().strip('"')
        if not value:
            return
        if slot == "company":
            ok, known = plain_ok(value, f.get("company"), f.get("company_aliases")), "company" in given
        elif slot == "role":
            ok, known = plain_ok(value, f.get("role"), f.get("role_aliases")), "role" in given
        elif slot == "own_name":
            ok, known = person_ok(value, f.get("own_name")), "own_name" in given
        elif slot == "interviewer":
            ok = person_ok(value, f.get("interviewers")) or person_ok(value, f.get("manager"))
            known = "interviewers" in given
        elif slot == "recruiter":
            ok, known = person_ok(value, f.get("recruiter")), "recruiter" in given
        else:  # the manager, or whoever the message goes to
            ok = any(person_ok(value, f.get(k)) for k in ("manager", "recruiter", "interviewers"))
            known = "manager" in given or "recruiter" in given
        if not ok and (known or _said(value, user_text)):
            found.append(f"{slot}={value!r}")

    sections = [(coach_text, ECHO_RULES)]
    sections += [(body, ECHO_RULES + DRAFT_RULES) for _t, body in drafts(coach_text)]
    greeting = rehearsal_greeting(coach_text)
    if greeting:
        sections.append((greeting, CALL_RULES))
    seen: set[tuple[str, str]] = set()
    for text, rules in sections:
        for kind, pattern in rules:
            for m in re.finditer(pattern, text, re.M):
                for slot, value in m.groupdict().items():
                    if value is None or slot == "what":
                        continue
                    if kind == "list":
                        slot = {"hiring manager": "manager", "interviewer": "interviewer", "recruiter": "recruiter"}[
                            m.group("what")
                        ]
                    elif slot in ("person", "first"):
                        slot = "person"
                    elif slot == "own":
                        slot = "own_name"
                    key = (
                        (slot, norm(value).split(" ")[0])
                        if slot in ("person", "manager", "own_name")
                        else (slot, value)
                    )
                    if key in seen:
                        continue
                    seen.add(key)
                    check(slot, value)
    return found


# ---------------------------------------------------------------------------- the user


class User:
    """A persona in one seeded conversation: it answers from its facts toward its goal."""

    def __init__(self, persona: Persona, seed: int, phrasings: dict[str, list[str]]) -> None:
        self.p = persona
        self.rng = random.Random(f"{persona.name}/{seed}")
        self.phr = phrasings
        self.given: set[str] = set()
        self.said: list[str] = []
        self.asked: Counter[str] = Counter()
        self.told_story = False
        self.tried: list[str] = []  # options already picked from the "going in circles" menu

    # -- phrasing
    def pick(self, options: list[str]) -> str:
        return self.rng.choice(options) if options else ""

    def fill(self, template: str) -> str:
        values = {
            k: (", ".join(v) if isinstance(v, list) else str(v)) for k, v in self.p.facts.items() if v is not None
        }
        values.setdefault("first", str(self.p.facts.get("manager", "")).split(" ")[0])
        try:
            return template.format(**values)
        except (KeyError, IndexError):
            return ""

    def phrase(self, key: str) -> str:
        """The persona's own phrasings for `key` first, then the shared ones that fit its facts."""
        own = self.p.answers.get(key, [])
        shared = [t for t in self.phr.get(key, []) if self.fill(t)]
        pool = own + shared if own and self.rng.random() < 0.5 else (own or shared)
        if len(pool) > 1 and self.said:  # asked again, a person words it differently
            pool = [t for t in pool if self.fill(t) != self.said[-1]] or pool
        text = self.fill(self.pick(pool)) if pool else ""
        return self.typo(text)

    def typo(self, text: str) -> str:
        """Now and then two letters swapped in an everyday word (never in a name or a fact's value)."""
        if len(text) <= 12 or self.rng.random() >= 0.08:
            return text
        protected = " ".join(str(v).lower() for v in self.p.facts.values())
        words = text.split(" ")
        candidates = [
            i for i, w in enumerate(words) if w.isalpha() and w.islower() and len(w) >= 4 and w not in protected
        ]
        if not candidates:
            return text
        i = self.rng.choice(candidates)
        w = words[i]
        j = self.rng.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        return " ".join(words)

    def opening(self) -> str:
        o = self.rng.choice(self.p.openings)
        self.given.update(o.gives)
        return o.text

    # -- choosing from a menu, the way a person would: the number, the label or own words
    def choose(self, options: list[str], wanted: str, own_words: str = "") -> str | None:
        """The option matching the first of `wanted`'s alternatives (in order of preference)."""
        for alternative in wanted.split("|"):
            picked = self._choose(options, alternative, own_words)
            if picked:
                return picked
        return None

    def _choose(self, options: list[str], wanted: str, own_words: str) -> str | None:
        for i, label in enumerate(options, 1):
            if re.search(wanted, label, re.I):
                r = self.rng.random()
                if r < 0.3:
                    return str(i)
                if r < 0.6 or not own_words:
                    return label.lower() if self.rng.random() < 0.5 else label
                return own_words
        return None

    # -- answering
    def answer(self, q: Question) -> str:
        f = self.p.facts
        goal = self.p.goal
        k = q.kind
        if q.fact:
            self.asked[q.fact] += 1
        if k in ("greeting", "circles"):
            if k == "greeting" and not self.told_story and self.asked["greeting"] == 0:
                self.asked["greeting"] += 1
                return self.phrase(f"start_{self.p.family}") or self.phrase("start")
            want = FAMILY_PICKS[self.p.family]
            if k == "circles":  # a person tries another way out when the same menu comes back
                left = [o for o in q.options if o not in self.tried] or q.options
                if left:
                    pick = next((o for o in left if re.search(want, o, re.I)), left[0])
                    self.tried.append(pick)
                    return str(q.options.index(pick) + 1) if self.rng.random() < 0.5 else pick.lower()
            return self.choose(q.options, want, self.phrase(f"menu_{goal}")) or self.phrase(f"start_{self.p.family}")
        if k == "story":  # told again, in other words than before where possible
            self.told_story = True
            fresh = [o for o in self.p.openings if o.text not in self.said] or self.p.openings
            o = self.rng.choice(fresh)
            self.given.update(o.gives)
            return o.text
        if k == "decision":
            want = {"negotiate": r"negotiat", "decline_recommended_and_drafted": r"declin"}.get(
                goal, r"declin|sounds right"
            )
            return (
                self.choose(q.options, want, self.phrase(f"decide_{goal}"))
                or self.phrase(f"decide_{goal}")
                or "decline"
            )
        if k == "draft_offer":
            return self.choose(q.options, r"^yes|draft", self.phrase("yes_draft")) or self.phrase("yes_draft")
        if k == "ready_write":
            return self.choose(q.options, r"write", self.phrase("yes_write")) or self.phrase("yes_write")
        if k == "after_draft":
            return self.choose(q.options, r"good|next", self.phrase("looks_good")) or self.phrase("looks_good")
        if k == "after_script" and q.options:
            want = r"practi[sc]e|rehears" if goal == "rehearsal_started" else r"owe|next|another"
            return self.choose(q.options, want, self.phrase("practise")) or q.options[0]
        if k == "pick_up":
            mood = str(f.get("mood", "gracious"))
            return self.choose(q.options, mood, self.phrase("mood")) or "1"
        if k == "push":
            return self.choose(q.options, str(f.get("push", "normal")), self.phrase("push")) or "normal"
        if k == "has_recruiter":
            self.given.add("recruiter")
            if f.get("recruiter") and f.get("recruiter") != "none":
                return self.phrase("has_recruiter_yes")
            return self.phrase("has_recruiter_no")
        if q.fact:
            return self.fact_answer(q)
        if q.options:
            picked = self.choose(q.options, FAMILY_PICKS[self.p.family])
            if picked:
                return picked
            return self.choose([o for o in q.options if not re.search(r"none of", o, re.I)] or q.options, r".") or "1"
        if k == "yesno":
            return self.phrase("yes")
        if re.search(r"type \"?skip", q.prompt, re.I):
            return "skip"
        return self.phrase("unsure")

    def fact_answer(self, q: Question) -> str:
        fact = q.fact or ""
        key = q.kind
        f = self.p.facts
        value = f.get(fact)
        self.given.add(fact)
        if key == "offer_date" and f.get("deadline"):
            self.given.add("deadline")
            return self.phrase("offer_date_deadline")
        if value is None and q.options:  # a fact the persona has no view on: a plausible pick
            self.given.discard(fact)
            return self.choose(q.options, r".", "") or "1"
        if value in (None, "none", [], False):
            return self.phrase(f"no_{fact}") or self.phrase("skip")
        if value is True:
            return self.phrase(f"yes_{fact}") or self.phrase("yes")
        return self.phrase(key) or self.phrase(fact) or (", ".join(value) if isinstance(value, list) else str(value))


# ---------------------------------------------------------------------------- the coach


class Coach:
    """`decline-coach chat --plain` in a subprocess, read turn by turn up to the mark."""

    def __init__(self, seed: int) -> None:
        self.home = tempfile.TemporaryDirectory(prefix="dc-sim-")
        env = dict(os.environ, DECLINE_COACH_HOME=self.home.name, PYTHONUNBUFFERED="1")
        exe = Path(sys.executable).with_name("decline-coach")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "bot"]
        cmd += ["chat", "--plain", "--no-save", "--turn-end", MARK, "--seed", str(seed), "--today", TODAY]
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            env=env,
        )
        self.buffer = b""
        self.multiline = False
        self.ended = False

    def _line(self, deadline: float) -> str | None:
        """One line of output (without its newline), None at the end or after the timeout."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace")

    def read_turn(self) -> str:
        lines: list[str] = []
        deadline = time.monotonic() + TURN_TIMEOUT
        while True:
            line = self._line(deadline)
            if line is None:
                self.ended = True
                break
            if line.startswith(MARK):
                self.multiline = line.endswith("multiline")
                break
            lines.append(line)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines and lines[0].startswith("> "):  # the echo of our own line
            lines = lines[1:]
        return "\n".join(lines)

    def send(self, text: str) -> str:
        assert self.proc.stdin is not None
        try:
            line = text.replace("\n", " ") + "\n" + ("\n" if self.multiline else "")
            self.proc.stdin.write(line.encode("utf-8"))
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            self.ended = True
            return ""
        return self.read_turn()

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        self.home.cleanup()


# ---------------------------------------------------------------------------- one conversation


@dataclass
class Turn:
    user: str
    coach: str
    question: Question
    not_understood: bool = False
    redundant: str | None = None
    wrong: list[str] = field(default_factory=list)


@dataclass
class Result:
    persona: str
    family: str
    half: str
    seed: int
    opening_coach: str
    turns: list[Turn]
    goal_turn: int | None
    decline_draft_turn: int | None

    @property
    def success(self) -> bool:
        return self.goal_turn is not None

    @property
    def within(self) -> bool:
        return self.goal_turn is not None and self.goal_turn <= WITHIN

    @property
    def not_understood(self) -> int:
        return sum(t.not_understood for t in self.turns)

    @property
    def redundant(self) -> int:
        return sum(1 for t in self.turns if t.redundant)

    @property
    def wrong(self) -> int:
        return sum(len(t.wrong) for t in self.turns)


class GoalTracker:
    def __init__(self, persona: Persona) -> None:
        self.p = persona
        self.recommended_decline = False
        self.decline_draft = False
        self.in_rehearsal = False

    def reached(self, text: str) -> bool:
        goal = self.p.goal
        for title, body in drafts(text):
            if is_decline_draft(title, body):
                self.decline_draft = True
        low = text.lower()
        if goal == "negotiate":
            return bool(re.search(r"recommend[^\n]*negotiat", low))
        if goal == "decline_recommended_and_drafted":
            if re.search(r"recommend[^\n]*(declin|turn (it )?down|say no|walk away)", low):
                self.recommended_decline = True
            return self.recommended_decline and self.decline_draft
        if goal == "decline_draft":
            return self.decline_draft
        if goal == "rehearsal_started":
            return self.rehearsal_greets(text)
        words = SITUATION_WORDS[goal]
        titles = advice_titles(text) + [t for t, _b in drafts(text)]
        return any(re.search(words, t, re.I) for t in titles)

    def rehearsal_greets(self, text: str) -> bool:
        """The call has started and the manager's first line uses the persona's own names."""
        greeting = rehearsal_greeting(text)
        if not greeting:
            return False
        self.in_rehearsal = True
        own = str(self.p.facts.get("own_name", "")).split(" ")[0].lower()
        manager = str(self.p.facts.get("manager", "")).split(" ")[0].lower()
        words = set(norm(greeting).split())
        return own in words and (manager in words or manager in norm(text))


def converse(persona: Persona, seed: int, phrasings: dict[str, list[str]] | None = None) -> Result:
    phrasings = phrasings or load_phrasings()
    user = User(persona, seed, phrasings)
    coach = Coach(seed)
    tracker = GoalTracker(persona)
    turns: list[Turn] = []
    goal_turn: int | None = None
    decline_turn: int | None = None
    seen_wrong: set[str] = set()  # each wrong value counts once per conversation
    try:
        coach_text = coach.read_turn()
        opening_coach = coach_text
        message = user.opening()
        for n in range(1, MAX_TURNS + 1):
            given_before = set(user.given)
            said_before = " \n ".join(user.said)
            user.said.append(message)
            reply = coach.send(message)
            q = detect_question(reply)
            if q.kind in ("unknown", "menu") and not_understood(reply) and turns and turns[-1].question.fact:
                last = turns[-1].question  # a bare reprompt still asks the same thing
                q = Question(last.kind, last.fact, q.options, last.prompt)
            # The same question straight back after the persona answered it is a reprompt.
            reprompt = bool(turns) and q.kind == turns[-1].question.kind and q.kind not in ("unknown", "menu", "yesno")
            reprompt = reprompt or (not turns and q.kind == "greeting")
            t = Turn(message, reply, q, not_understood=not_understood(reply) or reprompt)
            if q.fact and q.fact in given_before and not t.not_understood:
                t.redundant = q.fact
            t.wrong = [
                w
                for w in wrong_values(reply, persona, user.given, said_before + " \n " + message)
                if w not in seen_wrong
            ]
            seen_wrong.update(t.wrong)
            turns.append(t)
            if tracker.reached(reply) and goal_turn is None:
                goal_turn = n
            if tracker.decline_draft and decline_turn is None:
                decline_turn = n
            if goal_turn is not None or coach.ended or tracker.in_rehearsal:
                break  # a practice call that started with the wrong names cannot reach the goal any more
            message = user.answer(q) or "ok"
    finally:
        coach.close()
    return Result(persona.name, persona.family, persona.half, seed, opening_coach, turns, goal_turn, decline_turn)


# ---------------------------------------------------------------------------- the table


def summarise(results: list[Result]) -> dict[str, float]:
    n = len(results) or 1
    to_goal = [r.goal_turn for r in results if r.goal_turn is not None]
    decided = [r.decline_draft_turn for r in results if r.family == "decided"]
    decided_turns = [d if d is not None else MAX_TURNS + 1 for d in decided]
    return {
        "conversations": len(results),
        "success": sum(r.success for r in results) / n,
        "within": sum(r.within for r in results) / n,
        "median_turns": statistics.median(to_goal) if to_goal else float("nan"),
        "median_decided": statistics.median(decided_turns) if decided_turns else float("nan"),
        "not_understood": sum(r.not_understood for r in results) / n,
        "redundant": sum(r.redundant for r in results) / n,
        "wrong": float(sum(r.wrong for r in results)),
    }


def run_all(personas: list[Persona], seeds: int, workers: int = 2) -> list[Result]:
    phrasings = load_phrasings()
    jobs = [(p, s) for p in personas for s in range(seeds)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: converse(job[0], job[1], phrasings), jobs))


def rows_for(label: str, s: dict[str, float]) -> list[dict[str, Any]]:
    n = int(s["conversations"])
    return [
        {"name": f"conversations {label}: task success", "value": s["success"], "target": None, "n": n},
        {"name": f"conversations {label}: success within {WITHIN} turns", "value": s["within"], "target": 0.95, "n": n},
        {
            "name": f"conversations {label}: median user turns to the goal",
            "value": s["median_turns"],
            "unit": " turns",
            "target": None,
            "lower_is_better": True,
            "n": n,
        },
        {
            "name": f"conversations {label}: median turns to a decline draft (decided)",
            "value": s["median_decided"],
            "unit": " turns",
            "target": 6,
            "lower_is_better": True,
            "n": n,
        },
        {
            "name": f"conversations {label}: not-understood turns per conversation",
            "value": s["not_understood"],
            "unit": "",
            "target": 0.1,
            "lower_is_better": True,
            "n": n,
        },
        {
            "name": f"conversations {label}: redundant questions per conversation",
            "value": s["redundant"],
            "unit": "",
            "target": 0,
            "lower_is_better": True,
            "n": n,
        },
        {
            "name": f"conversations {label}: wrong values (total)",
            "value": s["wrong"],
            "unit": "",
            "target": 0,
            "lower_is_better": True,
            "n": n,
        },
    ]


def run(seeds: int = 10, half: str = "all") -> list[dict[str, Any]]:
    personas = load_personas(half)
    results = run_all(personas, seeds)
    rows: list[dict[str, Any]] = []
    for label in ["dev", "heldout"] if half == "all" else [half]:
        rows += rows_for(label, summarise([r for r in results if r.half == label]))
    if half == "all":
        rows += rows_for("all", summarise(results))
    return rows


def show(persona: Persona, seed: int) -> str:
    r = converse(persona, seed)
    out = [
        f"# {persona.name} ({persona.family}, goal {persona.goal}, {persona.half}), seed {seed}",
        "",
        r.opening_coach,
    ]
    for i, t in enumerate(r.turns, 1):
        out.append(f"\n[{i}] USER: {t.user}")
        out.append(t.coach)
        flags = [f"asks={t.question.kind}" + (f" ({t.question.fact})" if t.question.fact else "")]
        if t.not_understood:
            flags.append("NOT-UNDERSTOOD")
        if t.redundant:
            flags.append(f"REDUNDANT({t.redundant})")
        if t.wrong:
            flags.append("WRONG-VALUE " + "; ".join(t.wrong))
        out.append("    {" + ", ".join(flags) + "}")
    verdict = f"goal reached at user turn {r.goal_turn}" if r.success else f"goal not reached in {len(r.turns)} turns"
    out.append(f"\n== {verdict}; not-understood {r.not_understood}, redundant {r.redundant}, wrong values {r.wrong}")
    return "\n".join(out)


def failure_kinds(results: list[Result]) -> tuple[Counter[str], dict[str, str]]:
    """How often each kind of failure happened, and where to see one (persona, seed, user turn)."""
    kinds: Counter[str] = Counter()
    where: dict[str, str] = {}

    def add(kind: str, r: Result, turn: int) -> None:
        kinds[kind] += 1
        where.setdefault(kind, f"--show {r.persona} --seed {r.seed}  (user turn {turn})")

    for r in results:
        for i, t in enumerate(r.turns, 1):
            if t.not_understood:
                add("not understood: the opening" if i == 1 else f"not understood: answer to {t.question.kind}", r, i)
            if t.redundant:
                add(f"redundant question: {t.redundant}", r, i)
            for w in t.wrong:
                add(f"wrong value: {w.split('=')[0]}", r, i)
        if not r.success:
            add(f"goal not reached: {r.family}", r, len(r.turns))
    return kinds, where


def _fmt(row: dict[str, Any]) -> str:
    value = row["value"]
    shown = f"{value:.1%}" if not row.get("lower_is_better") else f"{value:.2f}"
    target = row.get("target")
    mark = ""
    if target is not None:
        good = value <= target if row.get("lower_is_better") else value >= target
        mark = "pass" if good else "short"
        target = f"<= {target}" if row.get("lower_is_better") else f">= {target:.0%}"
    return f"{row['name']:<72} {shown:>8}  {target or '':>8}  {mark}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench.conversations", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--half", choices=["dev", "heldout", "all"], default="all")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--show", metavar="PERSONA", help="print one annotated transcript (dev personas)")
    ap.add_argument("--seed", type=int, default=0, help="the seed for --show")
    ap.add_argument("--failures", action="store_true", help="group the dev half's failures by kind")
    args = ap.parse_args(argv)
    if args.show:
        found = [p for p in load_personas("all") if p.name == args.show]
        if not found:
            print(f"no persona named {args.show!r}", file=sys.stderr)
            return 2
        print(show(found[0], args.seed))
        return 0
    if args.failures:
        kinds, where = failure_kinds(run_all(load_personas("dev"), args.seeds))
        for kind, count in kinds.most_common(25):
            print(f"{count:5d}  {kind:<48}  {where[kind]}")
        return 0
    started = time.perf_counter()
    for row in run(args.seeds, args.half):
        print(_fmt(row))
    print(f"\n{args.seeds} seeds; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
