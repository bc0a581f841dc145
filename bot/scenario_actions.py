"""The chat side of tricky situations: recognising one mid-conversation, and the actions the
scenario flow (``dialogues/flows/scenario.yaml``) runs.

Two interrupts take turns the current state did not understand:

- ``faq`` answers a question the FAQ covers ("do I have to give a reason?") and asks the
  current question again;
- ``scenario`` recognises a described situation and enters the scenario flow as a side trip;
  when the flow finishes it goes ``@return``, back to where the person was. When two
  situations fit about equally, the flow first asks which one is meant.

Both are cheap (one fuzzy ranking, cached per text) and say nothing on texts of fewer than
``detection.chat_min_words`` words. Every word they say comes from ``scenarios.yaml``,
``faq.yaml`` or the flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.actions import action, interrupt
from bot.events import Advice, Choice, Choices, Event, Say
from bot.moves import Detour, Goto, Move

if TYPE_CHECKING:
    from bot.scenarios import ScenarioLibrary
    from bot.session import Session

FLOW = "scenario"
# What a draft kind may need (bot.drafts value names) -> the slot the flow asks for it.
NEED_SLOTS = {
    "name": "name",
    "company": "company",
    "role": "role",
    "manager": "manager",
    "recruiter": "recruiter",
    "date": "deadline",
    "interviewer": "interviewers",
}
TONES = ("formal", "warm")
# A text that reads this clearly as one of these intents is a decision, not a situation.
DECISIONS = frozenset({"decline_offer", "accept_offer", "negotiate"})
DECISION_SCORE = 70.0


def _lib(session: Session) -> ScenarioLibrary:
    # Imported on first use: the library is only needed once a turn goes unclaimed, and
    # importing it at start-up would cost the plain chat a measurable share of its launch.
    from bot.scenarios import library_for

    return library_for(session.content)


def _current(session: Session) -> str | None:
    sid = session.slots.get("scenario")
    return sid if isinstance(sid, str) and sid in _lib(session).scenarios else None


# -- interrupts -----------------------------------------------------------------------------------


def _repeat_question(session: Session) -> list[Event]:
    """The current state's question again, after an aside."""
    st = session.spec
    out: list[Event] = []
    if st.template:
        out.append(Say(session.render_file(st.template)))
    if st.say:
        out.append(Say(session.render(st.say, origin=f"{st.file}:{st.line}")))
    choices = [c for c in st.choices if not c.when or session.condition(c.when)]
    if choices:
        out.append(Choices(tuple(Choice(c.label, c.label) for c in choices)))
    return out


def _busy(session: Session) -> bool:
    # A pasted letter is not a description of a situation.
    return session.expects_multiline


@interrupt("faq", order=30)
def faq_interrupt(session: Session, text: str) -> list[Event] | None:
    lib = _lib(session)
    if _busy(session) or len(text.split()) < 3:
        return None
    fid, score = lib.faq_match(text)
    if fid is None:
        return None
    det = lib.detect(text)
    if det.scenario is not None and det.score > score and lib.confident(det, text):
        return None  # a described situation: the scenario interrupt gives fuller help
    entry = lib.faq[fid]
    answer = session.render(entry.answer, origin=f"{entry.file}:{entry.line}")
    return [Say(answer), *_repeat_question(session)]


@interrupt("scenario", order=40, goes=[f"{FLOW}.which", f"{FLOW}.intro"])
def scenario_interrupt(session: Session, text: str) -> list[Event] | Move | None:
    lib = _lib(session)
    if _busy(session):
        return None
    if session.reading is not None and session.reading.only_facts:
        return None  # "the offer came on Thursday" is a fact for the case, not a story
    det = lib.detect(text)
    if not lib.confident(det, text, invited=session.spec.invites_story) or _plain_decision(session, text, det.score):
        return None
    card = lib.scenarios.get(det.scenario or "")
    if card is not None and card.defer_if and not det.ambiguous and session.condition(card.defer_if):
        return None  # the case already says the flow here is the better help (scenarios.yaml defer_if)
    in_flow = session.spec.flow == FLOW
    if in_flow and det.scenario == _current(session):
        return None  # the same situation again: let the question be asked again
    session.slots["situation"] = text
    session.slots["scenario"] = det.scenario
    session.slots["scenario_options"] = list(det.candidates) if det.ambiguous else None
    if not in_flow:
        session.slots["scenario_side_trip"] = True
    target = f"{FLOW}.which" if det.ambiguous else f"{FLOW}.intro"
    return Goto(target) if in_flow else Detour(target)


def _plain_decision(session: Session, text: str, situation_score: float) -> bool:
    """ "I want to decline" states a decision; it does not describe a tricky situation, even
    if a situation's examples ("I declined, and now I want it back") share its words. Both
    scores are phrase similarities on the same 0-100 scale, so the closer reading wins."""
    m = session.match_intent(text)
    return (
        m.label in DECISIONS
        and m.reason in ("exact", "typo", "fuzzy")
        and m.score >= DECISION_SCORE
        and m.score > situation_score
    )


# -- the flow's actions ---------------------------------------------------------------------------


@action("scenario-detect", produces=["scenario", "scenario_options"], reads=["situation"])
def detect_action(session: Session) -> list[Event] | None:
    det = _lib(session).detect(str(session.slots.get("situation") or ""))
    session.slots["scenario"] = det.scenario
    session.slots["scenario_options"] = list(det.candidates) if det.ambiguous else None
    return None


@action("scenario-unknown")
def unknown_action(session: Session) -> list[Event] | None:
    lib = _lib(session)
    out: list[Event] = []
    text = str(session.slots.get("situation") or "")
    answer = lib.answer(text)
    if answer is not None:
        out.append(Say(session.render(answer[1], origin=lib.faq[answer[0]].file)))
    elif lib.job_related(lib.detect(text)) and lib.messages.get("advise_other_job"):
        # About work but none of the situations (resigning, an offer taken back, an employer who
        # went quiet): say kindly what the coach is for, as `advise` does; the choices follow.
        out.append(Say(lib.message("advise_other_job", session.renderer)))
        return out
    out.append(Say(lib.message("unknown", session.renderer)))
    titles = tuple(s.title for s in lib.scenarios.values())
    out.append(Advice(title=lib.message("unknown_title", session.renderer), points=titles))
    return out


@action(
    "scenario-intro",
    produces=["scenario_asked", "scenario_options", "scenario_needs_asked", "scenario_rehearse"],
    reads=["scenario"],
)
def intro_action(session: Session) -> list[Event] | None:
    sid = _current(session)
    session.slots["scenario_options"] = None
    session.slots["scenario_asked"] = []
    session.slots["scenario_needs_asked"] = []
    if sid is None:
        return None
    s = _lib(session).scenarios[sid]
    session.slots["scenario_rehearse"] = s.rehearse
    return [Say(session.render(s.intro, origin=f"{s.file}:{s.line}"))] if s.intro else None


@action("scenario-route", produces=["scenario_next", "scenario_asked"], reads=["scenario"])
def route_action(session: Session) -> list[Event] | None:
    sid = _current(session)
    session.slots["scenario_next"] = None
    if sid is None:
        return None
    asked = list(session.slots.get("scenario_asked") or [])
    for slot in _lib(session).scenarios[sid].questions:
        if slot in asked or session.slots.get(slot) not in (None, "", []):
            continue
        asked.append(slot)
        session.slots["scenario_asked"] = asked
        session.slots["scenario_next"] = slot
        break
    return None


def _draft_kinds(session: Session) -> dict[str, Any] | None:
    try:
        from bot.drafts import load_kinds
    except ImportError:
        return None
    try:
        return dict(load_kinds(session.content.dialogues))
    except Exception:  # the drafts registry reports its own problems in `check`
        return None


@action(
    "scenario-advice",
    produces=["scenario_draft", "scenario_draft_title"],
    reads=["scenario"],
)
def advice_action(session: Session) -> list[Event] | None:
    sid = _current(session)
    if sid is None:
        return None
    lib = _lib(session)
    s = lib.scenarios[sid]
    kind = s.draft
    if s.draft_if_accepting and session.slots.get("concern_addressed") is True:
        kind = s.draft_if_accepting
    kinds = _draft_kinds(session)
    session.slots["scenario_draft"] = kind
    if kind and kinds and kind in kinds:
        session.slots["scenario_draft_title"] = kinds[kind].title
    else:
        session.slots["scenario_draft_title"] = (kind or "").replace("-", " ")
    return [lib.advice(sid, session.context(), session.renderer)]


# The practice call is the flow scenarios.yaml names in `rehearsal_flow` (check verifies it is
# declared here).
@action("scenario-rehearse", produces=["scenario_rehearse"], goes=["rehearse", f"{FLOW}.offer-draft"])
def rehearse_action(session: Session) -> list[Event] | Move | None:
    lib = _lib(session)
    session.slots["scenario_rehearse"] = False
    flow = lib.rehearsal_flow
    if flow and flow in session.content.flows:
        # Hand over to the rehearsal; when it returns, carry on with the draft offer.
        return Detour(flow, back_to=f"{FLOW}.offer-draft")
    return [Say(lib.message("rehearse_fallback", session.renderer))]


def _draft_values(session: Session) -> dict[str, Any]:
    return {k: v for k, v in session.slots.items() if not k.startswith("scenario")}


def _tone(session: Session) -> str:
    tone = session.slots.get("tone")
    return tone if tone in TONES else "warm"


@action("scenario-draft-check", produces=["scenario_need", "scenario_needs_asked"])
def draft_check_action(session: Session) -> list[Event] | None:
    session.slots["scenario_need"] = None
    kind = session.slots.get("scenario_draft")
    kinds = _draft_kinds(session)
    if not kind or not kinds or kind not in kinds:
        return None
    from bot.drafts import MissingValue, render_draft

    try:
        render_draft(kinds[kind], _tone(session), _draft_values(session), session.renderer)
    except MissingValue as exc:
        asked = list(session.slots.get("scenario_needs_asked") or [])
        for group in exc.missing:
            slot = next((NEED_SLOTS[n] for n in group if n in NEED_SLOTS), None)
            if slot and slot not in asked:
                asked.append(slot)
                session.slots["scenario_needs_asked"] = asked
                session.slots["scenario_need"] = slot
                return None
    except Exception:  # rendering problems are shown by the draft action
        return None
    return None


@action("scenario-draft", reads=["scenario_draft"])
def draft_action(session: Session) -> list[Event] | None:
    lib = _lib(session)
    kind = session.slots.get("scenario_draft")
    if not kind:
        return None
    kinds = _draft_kinds(session)
    if not kinds or kind not in kinds:
        return [Say(lib.message("draft_unavailable", session.renderer, kind=kind))]
    from bot.drafts import MissingValue, render_draft

    try:
        return [render_draft(kinds[kind], _tone(session), _draft_values(session), session.renderer)]
    except MissingValue as exc:
        return [Say(lib.message("draft_missing", session.renderer, kind=kind, missing=exc.names))]


@action("scenario-steps", reads=["scenario"])
def steps_action(session: Session) -> list[Event] | None:
    sid = _current(session)
    if sid is None:
        return None
    return [_lib(session).next_steps(sid, session.renderer)]
