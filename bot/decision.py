"""Working through the decision: the ``@action``s the decision flow runs with ``do:`` (Clarify,
Compare, Commit, then timing and channel) and the ``revise`` interrupt.

The mechanisms they call are pure and live in modules named for what they hold:

- ``bot.priorities``: ``parse_weights`` / ``parse_ratings`` (priorities and how an option
  does on them, in words or numbers), ``score``, ``is_close_call``, ``weakest``;
- ``bot.recommendation``: ``recommend`` (decline / accept / negotiate first / ask for time);
- ``bot.timing``: ``response_timing``, ``parse_offer_timing``;
- ``bot.channel``: ``choose_channel``, ``notify_list``, ``checklist``, ``channel_in_text``;
- ``bot.revision``: ``find_revision`` (a correction to an earlier answer).

Every sentence the actions say comes from ``templates/decision/*.j2``; the word lists (factors,
how much something matters, how good something is) are choice slots in
``dialogues/slots.yaml`` (``factor``, ``weight_word``, ``rating_word``), so a coach can extend
them without Python. The names above are re-exported here for older callers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.actions import action, interrupt
from bot.events import (
    Advice,
    Choice,
    Choices,
    Comparison,
    ComparisonRow,
    Event,
    Say,
    Scorecard,
    ScoreLine,
)
from bot.machine import next_target
from bot.moves import Goto, Move, Stay

if TYPE_CHECKING:
    from bot.session import Session

from bot.channel import (
    CALL_ROUNDS,
    CHANNELS,
    CHECKLIST,
    ChannelChoice,
    channel_in_text,
    checklist,
    choose_channel,
    is_senior,
    notify_list,
)
from bot.priorities import (
    CLOSE_CALL_POINTS,
    NEUTRAL_RATING,
    Score,
    Vocab,
    as_numbers,
    is_close_call,
    parse_ratings,
    parse_weights,
    score,
    weakest,
)
from bot.recommendation import (
    ACCEPT_BAR,
    BRIDGEABLE,
    DECISIONS,
    DECLINE_BAR,
    REASON_FOR_FACTOR,
    REASON_FOR_GAP,
    STRUCTURAL,
    Facts,
    Recommendation,
    recommend,
)
from bot.revision import Revision, find_revision, option_in_text
from bot.timing import RESPONSE_DAYS, Timing, parse_offer_timing, response_timing, timing_from_slots

__all__ = [
    "ACCEPT_BAR",
    "BRIDGEABLE",
    "CALL_ROUNDS",
    "CHANNELS",
    "CHECKLIST",
    "CLOSE_CALL_POINTS",
    "DECISIONS",
    "DECLINE_BAR",
    "NEUTRAL_RATING",
    "REASON_FOR_FACTOR",
    "REASON_FOR_GAP",
    "RESPONSE_DAYS",
    "STRUCTURAL",
    "ChannelChoice",
    "Facts",
    "Recommendation",
    "Revision",
    "Score",
    "Timing",
    "Vocab",
    "channel_in_text",
    "checklist",
    "choose_channel",
    "find_revision",
    "is_close_call",
    "is_senior",
    "notify_list",
    "option_in_text",
    "parse_offer_timing",
    "parse_ratings",
    "parse_weights",
    "recommend",
    "response_timing",
    "score",
    "weakest",
]

# -- reading the session --------------------------------------------------------------------------


def facts_from_slots(slots: Mapping[str, Any]) -> Facts:
    weights = as_numbers(slots.get("weights"))
    offer = as_numbers(slots.get("offer_ratings"))
    other = as_numbers(slots.get("other_ratings"))
    top = max(weights, key=lambda k: weights[k]) if weights else None
    winner = None
    if top and slots.get("other_score") is not None:
        a, b = offer.get(top, NEUTRAL_RATING), other.get(top, NEUTRAL_RATING)
        winner = "offer" if a >= b else "other"
    kind = slots.get("other_kind")
    return Facts(
        gap=slots.get("gap_kind"),
        would_accept_if_fixed=slots.get("would_accept_if_fixed"),
        already_negotiated=bool(slots.get("already_negotiated")),
        visa_needed=bool(slots.get("visa_needed")),
        sponsorship=slots.get("sponsorship"),
        waiting_on_other=bool(slots.get("waiting_on_other")),
        offer_score=slots.get("offer_score"),
        other_score=slots.get("other_score") if kind and kind != "none" else None,
        other_kind=kind if kind and kind != "none" else None,
        gut=slots.get("gut"),
        top_priority_winner=winner,
        weakest=weakest(weights, offer, slots.get("offer_overall")) if weights else None,
        family=bool(slots.get("partner_work") or slots.get("family_timing")),
    )


def _parts(rendered: str) -> dict[str, str]:
    """A template split into named parts: lines ``@@ name`` start each part."""
    out: dict[str, str] = {}
    name = ""
    lines: list[str] = []
    for line in rendered.splitlines():
        m = re.match(r"^@@\s*([\w-]+)\s*$", line)
        if m:
            if name:
                out[name] = "\n".join(lines).strip()
            name, lines = m[1], []
        else:
            lines.append(line)
    if name:
        out[name] = "\n".join(lines).strip()
    return out


def _points(text: str) -> tuple[str, ...]:
    """Lines starting with "- " are points; a point's continuation lines join it."""
    pts: list[str] = []
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if s.startswith("- "):
            pts.append(s[2:].strip())
        elif pts:
            pts[-1] += " " + s
        else:
            pts.append(s)
    return tuple(pts)


def _vocab(session: Session) -> Vocab:
    return Vocab.from_content(session.content)


# -- actions: Clarify -----------------------------------------------------------------------------

_MOBILITY = {
    "visa_needed": r"\bvisa|sponsor|work permit|right to work|green card|h ?1 ?b\b",
    "relocation_needed": (
        r"\brelocat|\bmov(?:e|ing)\b|\bnew city\b|\banother country\b|\babroad\b|\bcost of living\b"
    ),
    "partner_work": r"\bpartner|\bwife\b|\bhusband\b|\bspouse\b",
    "family_timing": r"\bfamily\b|\bkids?\b|\bchildren\b|\bschool\b|\bbaby\b|\bparents?\b|\bcare\b",
}


_NEGATION_BEFORE = re.compile(
    r"\b(?:no|not|never|without|nor|neither|don'?t|doesn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|no need)\b[^.,;!?]*$"
)


def parse_mobility(text: str) -> dict[str, bool]:
    """Which life changes the offer would bring, with negation read per clause:
    "no move or visa, but my partner would need work" is a partner question only."""
    s = text.lower()
    if re.search(
        r"^\s*(?:none|nothing|no|nope|n/a|none of (?:these|those|them)|not really)\b", s
    ) and not re.search(r"visa|sponsor|relocat|move|partner|family|kids", s):
        return dict.fromkeys(_MOBILITY, False)
    found = dict.fromkeys(_MOBILITY, False)
    for clause in re.split(r"[.;!?]|,|\bbut\b|\bhowever\b|\bthough\b", s):
        for key, pattern in _MOBILITY.items():
            m = re.search(pattern, clause)
            if m and not _NEGATION_BEFORE.search(clause[: m.start()]):
                found[key] = True
    return found


@action(
    "read-mobility", produces=["visa_needed", "relocation_needed", "partner_work", "family_timing"]
)
def read_mobility(session: Session) -> list[Event] | None:
    session.slots.update(parse_mobility(str(session.slots.get("mobility") or "")))
    return None


# -- actions: Compare -----------------------------------------------------------------------------


@action("read-priorities", produces=["weights"])
def read_priorities(session: Session) -> list[Event] | None:
    weights = parse_weights(str(session.slots.get("priorities") or ""), _vocab(session))
    session.slots["weights"] = weights or None
    return None


@action("read-offer-ratings", produces=["offer_ratings", "offer_overall"])
def read_offer_ratings(session: Session) -> list[Event] | None:
    ratings, overall = parse_ratings(str(session.slots.get("offer_said") or ""), _vocab(session))
    session.slots["offer_ratings"] = ratings or None
    session.slots["offer_overall"] = overall
    return None


@action("read-other-ratings", produces=["other_ratings", "other_overall"])
def read_other_ratings(session: Session) -> list[Event] | None:
    ratings, overall = parse_ratings(str(session.slots.get("other_said") or ""), _vocab(session))
    session.slots["other_ratings"] = ratings or None
    session.slots["other_overall"] = overall
    return None


def comparison_event(session: Session) -> Comparison | None:
    """Score the offer (and the other option) and build the table; sets the score slots."""
    slots = session.slots
    weights = as_numbers(slots.get("weights"))
    if not weights:
        return None
    offer = score(weights, as_numbers(slots.get("offer_ratings")), slots.get("offer_overall"))
    slots["offer_score"] = offer.total
    other = None
    kind = slots.get("other_kind")
    if (
        kind
        and kind != "none"
        and (slots.get("other_ratings") or slots.get("other_overall") is not None)
    ):
        other = score(weights, as_numbers(slots.get("other_ratings")), slots.get("other_overall"))
        slots["other_score"] = other.total
    else:
        slots["other_score"] = None
    close = other is not None and is_close_call(offer.total, other.total)
    slots["close_call"] = close
    parts = _parts(
        session.render_file(
            "decision/comparison.j2",
            offer_total=offer.total,
            other_total=other.total if other else None,
            assumed=list(offer.assumed),
            other_assumed=list(other.assumed) if other else [],
            close=close,
            gap=round(abs(offer.total - (other.total if other else 0)), 1),
            weights=weights,
        )
    )
    rows = [ComparisonRow(parts.get("offer", "This offer"), offer.total, offer.details)]
    if other is not None:
        rows.append(
            ComparisonRow(parts.get("other", "The other option"), other.total, other.details)
        )
    return Comparison(
        parts.get("title", ""), tuple(rows), close_call=close, note=parts.get("note", "")
    )


@action("compare", produces=["offer_score", "other_score", "close_call"])
def compare(session: Session) -> list[Event] | None:
    event = comparison_event(session)
    return [event] if event else None


# -- actions: Commit ------------------------------------------------------------------------------


def _recommendation(session: Session) -> Recommendation:
    rec = recommend(facts_from_slots(session.slots))
    session.slots["recommendation"] = rec.decision
    session.slots["rec_reasons"] = list(rec.reasons)
    session.slots["suggested_reason"] = rec.main_reason
    return rec


def recommendation_event(session: Session, rec: Recommendation) -> Advice:
    t = timing_from_slots(session.slots, session.today)
    parts = _parts(
        session.render_file(
            "decision/recommendation.j2",
            rec=rec.decision,
            reasons=list(rec.reasons),
            close=rec.close_call,
            propose=t.propose.isoformat() if t.propose else None,
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("recommend", produces=["recommendation", "rec_reasons", "suggested_reason", "reply_by"])
def recommend_action(session: Session) -> list[Event] | None:
    rec = _recommendation(session)
    if rec.decision == "ask-for-time":
        t = timing_from_slots(session.slots, session.today)
        session.slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return [recommendation_event(session, rec)]


@action("commit", produces=["reason", "decided_on", "reply_by"])
def commit(session: Session) -> list[Event] | None:
    """The person decided: date it, and keep the main reason if the rule found one."""
    slots = session.slots
    slots["decided_on"] = session.today.isoformat()
    if (
        not slots.get("reason")
        and slots.get("suggested_reason")
        and slots.get("decision") != "accept"
    ):
        slots["reason"] = slots["suggested_reason"]
    if slots.get("decision") == "ask-for-time" and not slots.get("reply_by"):
        t = timing_from_slots(slots, session.today)
        slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return None


_DONT_KNOW = re.compile(
    r"\b(?:not sure|unsure|no idea|don'?t know|do not know|can'?t remember|forgot|skip|unknown)\b",
    re.I,
)


@action("read-offer-timing", produces=["offer_date", "deadline"])
def read_offer_timing(session: Session) -> list[Event] | None:
    offer, deadline = parse_offer_timing(str(session.slots.get("offer_when") or ""), session.today)
    if offer:
        session.slots["offer_date"] = offer.isoformat()
    if deadline and not session.slots.get("deadline"):
        session.slots["deadline"] = deadline.isoformat()
    said = str(session.slots.get("offer_when") or "")
    if not offer and not deadline and not _DONT_KNOW.search(said):
        session.slots["offer_when"] = None  # nothing usable: the flow asks again
    return None


def timing_event(session: Session) -> Advice:
    t = timing_from_slots(session.slots, session.today)
    parts = _parts(
        session.render_file(
            "decision/timing.j2",
            respond_by=t.respond_by.isoformat(),
            days_left=t.days_left,
            late=t.late,
            past_deadline=t.past_deadline,
            known_offer=t.offer_date is not None,
            known_deadline=t.deadline is not None,
            propose=t.propose.isoformat() if t.propose else None,
            propose_after_deadline=t.propose_after_deadline,
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("timing", produces=["respond_by", "late", "reply_by"])
def timing_action(session: Session) -> list[Event] | None:
    t = timing_from_slots(session.slots, session.today)
    session.slots["respond_by"] = t.respond_by.isoformat()
    session.slots["late"] = t.late
    if session.slots.get("decision") == "ask-for-time" and not session.slots.get("reply_by"):
        session.slots["reply_by"] = t.propose.isoformat() if t.propose else None
    return [timing_event(session)]


# -- actions: channel -----------------------------------------------------------------------------


@action("infer-seniority", produces=["senior"])
def infer_seniority(session: Session) -> list[Event] | None:
    role = session.slots.get("role")
    if session.slots.get("senior") is None and role:
        words = session.content.slots.get("seniority_word")  # slots.yaml: vocabulary, not code
        session.slots["senior"] = words is not None and is_senior(str(role), words.options.get("senior") or ())
    if session.slots.get("recruiter") and session.slots.get("recruiter_involved") is None:
        session.slots["recruiter_involved"] = True
    return None


def _channel_choice(slots: Mapping[str, Any]) -> ChannelChoice:
    rounds = slots.get("rounds")
    return choose_channel(
        rounds=float(rounds) if isinstance(rounds, int | float) else None,
        rapport=slots.get("rapport"),
        senior=slots.get("senior"),
        recruiter_involved=slots.get("recruiter_involved"),
        employer_prefers=slots.get("employer_prefers"),
        needs_record=slots.get("decision") in ("negotiate", "ask-for-time")
        or bool(slots.get("already_negotiated")),
    )


def channel_event(session: Session, choice: ChannelChoice) -> Advice:
    parts = _parts(
        session.render_file(
            "decision/channel.j2", suggested=choice.channel, reasons=list(choice.reasons)
        )
    )
    return Advice(parts.get("title", ""), _points(parts.get("points", "")))


@action("suggest-channel", produces=["suggested_channel", "channel_reasons"])
def suggest_channel(session: Session) -> list[Event] | None:
    choice = _channel_choice(session.slots)
    session.slots["suggested_channel"] = choice.channel
    session.slots["channel_reasons"] = list(choice.reasons)
    return [channel_event(session, choice)]


@action("notify", produces=["notify"])
def notify(session: Session) -> list[Event] | None:
    s = session.slots
    people = notify_list(
        recruiter=s.get("recruiter"),
        recruiter_involved=s.get("recruiter_involved"),
        manager=s.get("manager"),
        interviewers=[str(n) for n in (s.get("interviewers") or [])],
    )
    s["notify"] = [{"role": r, "name": n} for r, n in people]
    parts = _parts(session.render_file("decision/notify.j2", people=s["notify"]))
    return [Advice(parts.get("title", ""), _points(parts.get("points", "")))]


@action("checklist", produces=["checklist_open"])
def checklist_action(session: Session) -> list[Event] | None:
    items = checklist(session.slots, session.today)
    t = timing_from_slots(session.slots, session.today)
    rendered = session.render_file(
        "decision/checklist.j2",
        items=[{"item": k, "ok": ok} for k, ok in items],
        respond_by=t.respond_by.isoformat(),
        late=t.late,
    )
    parts = _parts(rendered)
    lines = []
    for key, ok in items:
        text = parts.get(key, "")
        check, _, note = text.partition("\n")
        lines.append(ScoreLine(check.strip(), ok, " ".join(note.split())))
    session.slots["checklist_open"] = [k for k, ok in items if not ok and k != "message"]
    return [Scorecard(parts.get("title", ""), tuple(lines))]


def _route_target(session: Session) -> str | None:
    """Where decision.route would go now (its first `next` whose condition holds)."""
    return next_target(session.machine, session.model, session.content, "decision.route")


def _ask_again(session: Session) -> None:
    """The current question once more, without re-running the state's actions."""
    st = session.spec
    if st.say:
        session.emit(Say(session.render(st.say, origin=f"{st.file}:{st.line}")))
    visible = [c for c in st.choices if not c.when or session.condition(c.when)]
    if visible:
        session.emit(Choices(tuple(Choice(c.label, c.label) for c in visible)))


@interrupt("revise", order=20, goes=["decision.recommend", "decision.route", "draft.show"])
def revise(session: Session, text: str) -> list[Event] | Move | None:
    """Take a correction to an earlier answer, redo what depends on it, say what changed."""
    slots = session.slots
    rev = find_revision(text, slots, _vocab(session), session.today)
    if rev is None:
        return None
    reason_text = rev.changes.pop("reason_text", None)
    if reason_text is not None:
        key = option_in_text(session.content.slots["reason"].options, str(reason_text))
        if key is None:
            return None
        rev.changes["reason"] = key
        rev.what.append("reason")
    if not rev.what:
        return None
    before_rec = slots.get("recommendation")
    before_channel = slots.get("suggested_channel")
    before_decision = slots.get("decision")
    slots.update(rev.changes)
    events: list[Event] = []
    if any(w in rev.what for w in ("ratings", "weights")) and slots.get("weights"):
        comp = comparison_event(session)
        if comp:
            events.append(comp)
    # After the person decided, a changed recommendation takes them back to it (that state
    # shows the new one itself); otherwise say what changed and ask the same question again.
    redo_rec = False
    rec_changed = False
    if before_rec:
        rec = _recommendation(session)
        rec_changed = rec.decision != before_rec
        if rec.decision == "ask-for-time":
            t = timing_from_slots(slots, session.today)
            slots["reply_by"] = t.propose.isoformat() if t.propose else None
        redo_rec = rec_changed and (bool(before_decision) or session.state == "decision.recommend")
        if rec_changed and not redo_rec:
            events.append(recommendation_event(session, rec))
    channel_changed = False
    if before_channel:
        choice = _channel_choice(slots)
        channel_changed = choice.channel != before_channel
        slots["suggested_channel"] = choice.channel
        slots["channel_reasons"] = list(choice.reasons)
        if channel_changed and slots.get("channel") == before_channel:
            slots["channel"] = choice.channel  # they had taken the suggestion: follow it
        if channel_changed and not redo_rec:
            events.append(channel_event(session, choice))
    if any(w in rev.what for w in ("deadline", "offer_date")) and slots.get("respond_by"):
        t = timing_from_slots(slots, session.today)
        slots["respond_by"] = t.respond_by.isoformat()
        slots["late"] = t.late
        events.append(timing_event(session))
    said = session.render_file(
        "decision/revised.j2",
        what=rev.what,
        before_rec=before_rec,
        rec_changed=rec_changed,
        after_rec=slots.get("recommendation"),
        before_channel=before_channel,
        channel_changed=channel_changed,
        after_channel=slots.get("suggested_channel"),
        decided=before_decision,
        going_back=redo_rec,
    )
    session.emit(Say(said.strip()))
    for ev in events:
        session.emit(ev)
    if redo_rec:
        return Goto("decision.recommend")
    if session.state == "decision.recommend" and _route_target(session) != "decision.recommend":
        return Goto("decision.route")  # the correction opened questions the route had skipped
    if session.state == "draft.show":
        return Goto("draft.show")  # the draft on screen used the old facts: write it again
    _ask_again(session)
    return Stay()


# -- picking up what was said in passing -----------------------------------------------------


def _last_user_text(session: Session) -> str:
    for entry in reversed(session.transcript):
        if entry.get("speaker") == "user":
            return entry.get("text", "")
    return ""


@action("pick-up-mentions", produces=["channel", "reason", "gap_kind"])
def pick_up_mentions(session: Session) -> list[Event] | None:
    """Keep what the last reply said in passing: "help me write the email" names the channel,
    "I've decided to decline, the pay is too low" the reason."""
    text = _last_user_text(session)
    if not text or not session.slots.get("decision"):
        return None
    if not session.slots.get("channel"):
        ch = channel_in_text(text)
        if ch:
            session.slots["channel"] = ch
    slots = session.content.slots
    if not session.slots.get("reason") and "reason" in slots:
        key = option_in_text(slots["reason"].options, text)
        gap = option_in_text(slots["gap_kind"].options, text) if "gap_kind" in slots else None
        if key:
            session.slots["reason"] = key
        elif gap in REASON_FOR_GAP:
            # "I'd take it if they paid more": the gap names the reason.
            session.slots["reason"] = REASON_FOR_GAP[gap]
            session.slots.setdefault("gap_kind", gap)
    return None
