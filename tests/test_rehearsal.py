"""Phone-call rehearsal: golden calls per persona, determinism, reading turns, the scorecard."""

from __future__ import annotations

import json

import pytest

from bot.events import Say, Scorecard
from bot.rehearsal import Rehearsal, RehearsalError, default_book
from bot.scorecard import CHECKS, default_rules, score_call

PERSONAS = ("gracious", "disappointed", "persuasive", "inquisitive", "frustrated", "voicemail")
CONTEXT = {"name": "Priya Nair", "company": "Halcyon Labs", "role": "Data Engineer",
           "manager": "Tom Okafor", "plan": "decline"}

STRONG = [
    "Hi Tom, it's Priya. Thank you for taking my call.",
    "I wanted to thank you for the offer. After a lot of thought, I've decided not to accept it.",
    "I've accepted a role that lines up more closely with my career goals.",
    "I appreciate that, but my decision is final.",
    "Thank you, I'm sure.",
    "I'd love to stay in touch, and I wish the team every success.",
    "Take care, bye.",
]
WAVERING = [
    "Hi Tom, thanks for the call.",
    "I've decided to decline the offer.",
    "Well, maybe if the salary were higher I might reconsider.",
    "I'm not sure. Let me think about it.",
    "Okay, bye.",
]
OVERSHARING = [
    "Hello, thank you for the offer.",
    "I'm declining. The other company is paying $135k, which is 20% more than yours.",
    "And frankly your process was a mess.",
    "Good luck anyway. Bye.",
]
EXPECTED = {
    "strong": dict.fromkeys(CHECKS, True),
    "wavering": {"gratitude": True, "decision-stated": True, "held-firm": False,
                 "no-oversharing": True, "goodwill-close": False},
    "oversharing": {"gratitude": True, "decision-stated": True, "held-firm": True,
                    "no-oversharing": False, "goodwill-close": True},
}
SCRIPTS = {"strong": STRONG, "wavering": WAVERING, "oversharing": OVERSHARING}


def play(persona: str, lines: list[str], *, seed: int = 1, difficulty: str = "normal",
         plan: str = "decline") -> Rehearsal:
    r = Rehearsal(persona, difficulty, seed, {**CONTEXT, "plan": plan})
    r.opening()
    for line in lines:
        if r.finished:
            break
        r.turn(line)
    if not r.finished:
        r.end()
    return r


def verdicts(r: Rehearsal) -> dict[str, bool]:
    return {line.check: line.ok for line in r.scorecard().lines}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("kind", sorted(SCRIPTS))
def test_golden_calls(persona: str, kind: str) -> None:
    r = play(persona, SCRIPTS[kind])
    got = verdicts(r)
    for check, expected in EXPECTED[kind].items():
        assert got[check] is expected, (persona, kind, check, r.scorecard())
    assert r.finished
    assert r.transcript[0]["speaker"] == "coach"
    assert any(t["speaker"] == "manager" for t in r.transcript)
    said = [t["text"] for t in r.transcript if t["speaker"] == "user"]
    assert said == SCRIPTS[kind][: len(said)]


@pytest.mark.parametrize("persona", PERSONAS)
def test_same_seed_same_call(persona: str) -> None:
    a = play(persona, STRONG, seed=42)
    b = play(persona, STRONG, seed=42)
    assert a.transcript == b.transcript
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "voicemail"])
def test_different_seeds_vary_lines(persona: str) -> None:
    calls = {tuple(t["text"] for t in play(persona, STRONG, seed=s).transcript) for s in range(8)}
    assert len(calls) > 1


def test_quotes_are_the_persons_exact_words() -> None:
    r = play("persuasive", OVERSHARING)
    lines = {line.check: line for line in r.scorecard().lines}
    over = lines["no-oversharing"]
    assert "$135k" in over.quote and "a mess" in over.quote
    assert over.better
    said = " ".join(t["text"] for t in r.transcript if t["speaker"] == "user")
    for line in r.scorecard().lines:
        for part in filter(None, line.quote.split(" … ")):
            assert part in said


def test_manager_lines_are_in_character_and_rendered() -> None:
    r = Rehearsal("gracious", "normal", 3, CONTEXT)
    events = r.opening()
    manager = [e for e in events if isinstance(e, Say) and e.speaker == "manager"]
    assert manager and ("Priya" in manager[0].text or "Halcyon" in manager[0].text)
    assert all("{{" not in e.text for e in events if isinstance(e, Say))


def test_user_text_is_data_not_template() -> None:
    r = Rehearsal("persuasive", "normal", 1, {**CONTEXT, "name": "{{ 7*7 }}", "company": "{% x %}"})
    r.opening()
    events = r.turn("Thanks {{ 7*7 }}, but I'm declining.")
    assert r.transcript[2]["text"] == "Thanks {{ 7*7 }}, but I'm declining."
    assert not any("49" in e.text for e in events if isinstance(e, Say))


def test_every_persona_line_renders() -> None:
    book = default_book()
    from bot.render import Renderer

    renderer = Renderer(None)
    ctx = {**CONTEXT, "who": "x", "persona": "x", "persona_title": "x", "difficulty": "normal",
           "next_difficulty": "hard", "plan": "decline", "seed": 7, "reply_by": "", "known": []}

    def walk(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, list):
            return [s for v in value for s in walk(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in walk(v)]
        return []

    for p in book.personas.values():
        for source in walk(p.lines) + walk(p.hard) + walk(p.stay) + walk(p.react) + walk(p.hints):
            assert renderer.inline(source, ctx).strip(), (p.id, source)
        for level in book.difficulties:
            assert level in p.difficulty, (p.id, level)
    for source in walk(dict(book.raw["manager"])) + walk(dict(book.raw["coach"])):
        renderer.inline(source, {**ctx, "asked": "x", "known": ["a"]})


def test_silence_gets_an_in_character_nudge_then_a_hang_up() -> None:
    r = Rehearsal("gracious", "hard", 0, CONTEXT)
    r.opening()
    first = r.turn("")
    assert [e.speaker for e in first if isinstance(e, Say)] == ["manager"]
    assert "?" in first[0].text  # "Hello? Are you still there?"
    assert not r.finished
    second = r.turn("   ")
    assert r.finished  # hard: patience of two silent turns
    assert isinstance(second[0], Say) and second[0].speaker == "manager"
    assert any(isinstance(e, Scorecard) for e in second)
    assert r.end() == []  # already over


def test_nonsense_gets_asked_again() -> None:
    r = Rehearsal("inquisitive", "normal", 0, CONTEXT)
    r.opening()
    events = r.turn("purple monkey dishwasher")
    text = " ".join(e.text for e in events if isinstance(e, Say))
    assert "?" in text and r.state == "opening"


def test_hint_restart_and_end_call() -> None:
    r = Rehearsal("persuasive", "normal", 5, CONTEXT)
    opening = r.opening()
    hint = r.turn("hint")
    assert [e.speaker for e in hint if isinstance(e, Say)] == ["coach"]
    assert not r.turns  # a hint is not a line of the call
    r.turn("Thanks, but I'm declining.")
    assert r.state == "pressing"
    restarted = r.turn("restart")
    assert r.state == "opening" and not r.turns
    assert restarted[-1] == opening[-1]  # same seed: the same manager picks up
    r.turn("Thanks for the offer, I've decided to decline.")
    ended = r.turn("end call")
    assert r.finished
    assert any(isinstance(e, Scorecard) for e in ended)
    after = r.turn("hello?")
    assert [e.speaker for e in after if isinstance(e, Say)] == ["coach"]


def test_wavering_is_pushed_on_harder() -> None:
    firm = play("persuasive", ["Thanks, I'm declining.", "No thank you.", "No thank you.",
                               "No thank you.", "No thank you."])
    wavering = play("persuasive", ["Thanks, I'm declining.", "Maybe if you could pay more.",
                                   "No thank you.", "No thank you.", "No thank you."])
    pushes = lambda r: sum(1 for t in r.turns if t.state == "pressing")  # noqa: E731
    assert pushes(wavering) > pushes(firm)


def test_difficulty_pushes_longer() -> None:
    lines = ["Thanks for the offer, I'm declining."] + ["No, thank you, my decision is final."] * 6
    counts = {}
    for level in ("easy", "normal", "hard"):
        r = play("persuasive", lines, difficulty=level)
        counts[level] = r.model.pushes
    assert counts["easy"] < counts["normal"] < counts["hard"]


def test_negotiating_is_coached_differently() -> None:
    lines = ["Hi Tom, thanks for the offer.",
             "I can't accept it as it stands. If there's flexibility on the base salary, "
             "I'd like to talk.",
             "Thank you, I look forward to hearing back. Bye."]
    as_plan = verdicts(play("persuasive", lines, plan="negotiate"))
    as_decline = verdicts(play("persuasive", lines, plan="decline"))
    assert as_plan["held-firm"] is True and as_plan["decision-stated"] is True
    assert as_decline["held-firm"] is False
    r = Rehearsal("persuasive", "normal", 0, {**CONTEXT, "plan": "negotiate"})
    r.opening()
    hint_negotiate = r.turn("hint")[0]
    r2 = Rehearsal("persuasive", "normal", 0, CONTEXT)
    r2.opening()
    assert hint_negotiate.text != r2.turn("hint")[0].text  # type: ignore[union-attr]


def test_voicemail_cuts_off_a_long_message_on_hard() -> None:
    r = Rehearsal("voicemail", "hard", 0, CONTEXT)
    r.opening()
    r.turn("Hi Tom, it's Priya. " + "I just wanted to explain everything in detail. " * 12)
    assert r.finished
    manager = [t["text"] for t in r.transcript if t["speaker"] == "manager"]
    assert "time is up" in manager[-1]


def test_voicemail_stays_silent_while_recording() -> None:
    r = Rehearsal("voicemail", "normal", 0, CONTEXT)
    r.opening()
    assert all(e.speaker != "manager" for e in r.turn("Hi Tom, thanks for the offer.")
               if isinstance(e, Say))


def test_json_shape() -> None:
    doc = play("frustrated", STRONG).to_json()
    json.dumps(doc)
    assert doc["persona"] == "frustrated"
    assert {"speaker", "text"} <= set(doc["transcript"][0])
    assert [c["check"] for c in doc["scorecard"]] == list(CHECKS)
    assert all({"check", "ok", "note"} <= set(c) for c in doc["scorecard"])


def test_snapshot_replays_the_same_call() -> None:
    r = Rehearsal("inquisitive", "hard", 9, CONTEXT)
    r.opening()
    for line in WAVERING[:3]:
        r.turn(line)
    again = Rehearsal.replay(r.snapshot())
    assert again.transcript == r.transcript and again.state == r.state


def test_unknown_persona_and_difficulty() -> None:
    with pytest.raises(RehearsalError, match="gracious"):
        Rehearsal("nobody")
    with pytest.raises(RehearsalError):
        Rehearsal("gracious", "impossible")


def test_try_again_harder() -> None:
    r = play("disappointed", STRONG)
    assert r.harder().difficulty == "hard"
    assert r.harder().harder().difficulty == "hard"


# -- reading turns: many phrasings ----------------------------------------------------------------

READINGS = [
    ("thanks", "Thank you so much for thinking of me."),
    ("thanks", "I really appreciate the time you all spent."),
    ("thanks", "I'm grateful for the opportunity."),
    ("thanks", "cheers for the offer"),
    ("decision", "I've decided not to accept the offer."),
    ("decision", "I'm going to have to turn it down."),
    ("decision", "I won't be joining the team."),
    ("decision", "Unfortunately I can't accept."),
    ("decision", "I'll be passing on this one, I'm afraid."),
    ("decision", "I've accepted a position elsewhere."),
    ("decision", "I must respectfully decline."),
    ("reason", "I've accepted another offer."),
    ("reason", "It's not the right fit for me right now."),
    ("reason", "I've decided to stay with my current employer."),
    ("reason", "The relocation doesn't work for my family."),
    ("waver", "I might reconsider if the salary were higher."),
    ("waver", "Unless you could make it remote?"),
    ("waver", "Let me think about it."),
    ("waver", "I'm not totally sure, to be honest."),
    ("negotiation", "Is there any flexibility on the base?"),
    ("waver", "I could be persuaded."),
    ("cave", "Okay, you've convinced me, I'll take it."),
    ("figures", "They offered me $120k."),
    ("figures", "It's 20% more than yours."),
    ("figures", "I'm on 95,000 now."),
    ("figures", "an extra ten grand would do it"),
    ("criticism", "Your process was a mess."),
    ("criticism", "The interviewer was rude to me."),
    ("criticism", "Nobody got back to me for weeks."),
    ("criticism", "Honestly the offer was a lowball."),
    ("firm", "My decision is final."),
    ("firm", "Thank you, but my answer is still no."),
    ("firm", "Nothing you could offer would change my mind."),
    ("firm", "I won't reconsider."),
    ("refusal", "I'd rather not say."),
    ("goodwill", "I hope our paths cross again."),
    ("goodwill", "Please keep me in mind for future roles."),
    ("goodwill", "Let's stay in touch."),
    ("goodwill", "I wish you and the team all the best."),
    ("goodbye", "Have a great day, bye."),
    ("goodbye", "Talk soon!"),
]

NOT_READINGS = [
    ("waver", "I won't reconsider."),
    ("waver", "Nothing would make me reconsider."),
    ("waver", "I'm not open to a counteroffer."),
    ("decision", "I don't want to decline without explaining."),
    ("criticism", "I don't want to mess you around."),
    ("criticism", "I know this is disappointing news."),
    ("figures", "I'll let you know in 2 weeks."),
    ("reason", "I'd love to stay in touch."),
]


@pytest.mark.parametrize(("kind", "text"), READINGS)
def test_reads_many_phrasings(kind: str, text: str) -> None:
    hits, _ = default_rules().read(text)
    assert kind in {h.kind for h in hits}, (text, hits)


@pytest.mark.parametrize(("kind", "text"), NOT_READINGS)
def test_does_not_misread(kind: str, text: str) -> None:
    hits, _ = default_rules().read(text)
    assert kind not in {h.kind for h in hits}, (text, hits)


def test_hedged_decision_is_not_clear() -> None:
    lines = {s.check: s for s in score_call(["Hi, thanks.", "I'm leaning towards declining."])}
    assert lines["decision-stated"].ok is False
    assert "leaning towards declining" in lines["decision-stated"].quote


def test_late_decision_is_not_early() -> None:
    lines = {s.check: s for s in score_call(
        ["Hello!", "Thanks for everything.", "It's been a busy week.", "I've decided to decline."])}
    assert lines["decision-stated"].ok is False
    assert lines["decision-stated"].quote == "I've decided to decline."


def test_too_many_reasons_is_not_brief() -> None:
    lines = {s.check: s for s in score_call([
        "Thanks, I'm declining. The salary was low, the commute is long, my partner isn't keen "
        "and I'm not sure about growth."])}
    assert lines["reason-given"].ok is False


def test_meta_lines() -> None:
    rules = default_rules()
    assert rules.meta_kind("hint") == "hint"
    assert rules.meta_kind("What should I say?") == "hint"
    assert rules.meta_kind("restart") == "restart"
    assert rules.meta_kind("end call") == "end-call"
    assert rules.meta_kind("Could you help me understand the bonus?") is None


# -- inside the chat ------------------------------------------------------------------------


def _chat(seed: int = 3):  # type: ignore[no-untyped-def]
    from bot.content import load_content
    from bot.session import Session

    s = Session(load_content(), seed=seed)
    s.slots.update(name="Priya Nair", company="Halcyon", manager="Tom Okafor", decision="decline")
    s.start()
    return s


def test_chat_rehearsal_from_menu_to_scorecard() -> None:
    from bot.events import Choices

    s = _chat()
    s.handle("go:rehearse")
    assert s.state == "rehearse.intro"
    s.handle("3")  # persuasive
    opening = s.handle("Hard")
    assert s.state == "rehearse.call"
    manager = [e for e in opening if isinstance(e, Say) and e.speaker == "manager"]
    assert manager and "Priya" in manager[0].text
    for line in ["Hi Tom, thanks for taking my call.",
                 "I've decided not to accept the offer; I've accepted another role.",
                 "No thank you, my decision is final."]:
        events = s.handle(line)
        assert s.state == "rehearse.call"
        assert any(isinstance(e, Say) and e.speaker == "manager" for e in events)
    events = s.handle("Thanks again Tom, I hope our paths cross. Take care.")
    assert s.state == "rehearse.debrief"
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("Scorecard") < kinds.index("Choices")
    card = next(e for e in events if isinstance(e, Scorecard))
    assert {line.check: line.ok for line in card.lines}["decision-stated"] is True
    choices = next(e for e in events if isinstance(e, Choices))
    assert "harder" in choices.options[0].label
    s.handle("1")  # try again, harder
    assert s.state == "rehearse.call" and s.slots["rehearsal_difficulty"] == "hard"


def test_chat_end_call_choice_scores_the_call_so_far() -> None:
    s = _chat()
    s.handle("go:rehearse")
    s.handle("1")
    s.handle("easy")
    s.handle("Hi Tom, thank you for the offer. I've decided to decline it.")
    events = s.handle("End the call and see my scorecard")
    assert s.state == "rehearse.debrief"
    card = next(e for e in events if isinstance(e, Scorecard))
    assert {line.check: line.ok for line in card.lines}["gratitude"] is True
    assert s.slots["rehearsal"]["inputs"][-1].startswith("Hi Tom")


def test_chat_plan_follows_the_decision_slot() -> None:
    s = _chat()
    s.slots["decision"] = "negotiate"
    s.handle("go:rehearse")
    s.handle("6")  # voicemail goes straight to the call
    assert s.state == "rehearse.call"
    assert s.slots["rehearsal"]["context"]["plan"] == "negotiate"


def test_chat_call_survives_a_restore() -> None:
    from bot.content import load_content
    from bot.session import Session

    s = _chat()
    s.handle("go:rehearse")
    s.handle("4")
    s.handle("normal")
    s.handle("Hi Tom, thanks for the offer, but I've decided to decline.")
    snap = s.snapshot()
    expected = s.handle("I've accepted another role.")
    again = Session.restore(load_content(), snap)
    got = again.handle("I've accepted another role.")
    assert [getattr(e, "text", "") for e in got] == [getattr(e, "text", "") for e in expected]
