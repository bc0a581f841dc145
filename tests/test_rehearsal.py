"""Phone-call rehearsal: golden calls per persona, determinism, reading turns, the scorecard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.events import Say, Scorecard, ScoreLine
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


# -- a manager who listens (issue 14) -------------------------------------------------------------


def manager_lines(r: Rehearsal) -> list[str]:
    return [t["text"] for t in r.transcript if t["speaker"] == "manager"]


def nonsense_pool(r: Rehearsal) -> set[str]:
    pool = r._common_pool("nonsense", r.persona.nonsense)
    return {r.book.renderer.inline(str(x), r._ctx()) for x in pool}


OFF_SCRIPT = [
    "Could I ask for some feedback? What did the panel think of my case study?",
    "The base is the main thing. I'd need it to move closer to what I'm seeing in the market.",
    "I don't care. Get over it.",
    "I'd rather not say.",
    "When do you need an answer by?",
    "The night shifts don't work for me.",
]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "voicemail"])
@pytest.mark.parametrize("line", OFF_SCRIPT)
def test_real_sentences_get_an_answer_not_a_bad_line(persona: str, line: str) -> None:
    r = Rehearsal(persona, "normal", 3, CONTEXT)
    r.opening()
    r.turn("Hi Tom, thanks for the offer, but I've decided not to accept it.")
    said = [e.text for e in r.turn(line) if isinstance(e, Say) and e.speaker == "manager"]
    assert r.triggers[-1] != "nonsense"
    assert said and not set(said) & nonsense_pool(r), said


def test_only_noise_and_silence_break_up() -> None:
    r = Rehearsal("gracious", "easy", 0, CONTEXT)
    r.opening()
    for junk in ("asdf jkl", "uhhh", "???"):
        said = [e.text for e in r.turn(junk) if isinstance(e, Say) and e.speaker == "manager"]
        assert r.triggers[-1] == "nonsense"
        assert not said or set(said) <= nonsense_pool(r)


def test_feedback_question_is_answered_in_the_personas_voice() -> None:
    r = Rehearsal("inquisitive", "normal", 2, CONTEXT)
    r.opening()
    r.turn("Thanks for the offer, Tom. I've decided to decline.")
    said = manager_lines(r)[-0:]
    r.turn("Could I ask for some feedback? What did the panel think of my case study?")
    reply = manager_lines(r)[len(said):]
    assert reply[0] in r.persona.react["feedback"]


def test_rudeness_gets_the_personas_reaction_and_courtesy_is_lost() -> None:
    r = play("frustrated", ["Hi. I'm not taking the job.", "I don't care. Get over it.", "Bye."])
    rendered = {r.book.renderer.inline(x, r._ctx()) for x in r.persona.react["rudeness"]}
    assert set(manager_lines(r)) & rendered
    assert verdicts(r)["courtesy"] is False


def test_the_manager_never_asks_for_what_it_was_just_told() -> None:
    asks = {
        "reason": ("why?", "proper reason", "tipped the balance"),
        "where": ("Which company", "other offer from", "Anyone I'd know", "heading instead"),
    }
    for seed in range(8):
        r = Rehearsal("inquisitive", "hard", seed, CONTEXT)
        r.opening()
        told: set[str] = set()
        for line, fact in [
            ("Hi Tom, thank you for the offer. I've decided not to accept it.", None),
            ("The night shifts don't work for me.", "reason"),
            ("It's with Contoso. They're paying 145 thousand.", "where"),
            ("No, that's all.", None),
            ("Thanks again, take care.", None),
        ]:
            if r.finished:
                break
            if fact:
                told.add(fact)
            said = " ".join(e.text for e in r.turn(line) if isinstance(e, Say))
            for known in told:
                assert not any(a in said for a in asks[known]), (seed, line, said)


def test_a_refusal_to_share_is_respected() -> None:
    r = play("inquisitive", ["Hi Tom, thanks for the offer, but I'm declining.",
                             "I'd rather not say.", "I'd rather not say.", "Bye."],
             difficulty="hard")
    said = " ".join(manager_lines(r))
    assert "what tipped the balance" not in said.lower() or "why" not in said.lower()
    assert "Which company" not in said and "other offer from" not in said


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("difficulty", ("easy", "normal", "hard"))
def test_never_the_same_line_twice(persona: str, difficulty: str) -> None:
    lines = ["Hello!", "Thanks for the offer, I'm declining.", "They pay $150k.", "They pay $150k.",
             "Maybe if you paid more.", "No.", "No.", "", "", "Hello?", "Thanks!", "Thanks!",
             "No thank you.", "Thank you for understanding.", "Take care, bye."]
    for seed in range(4):
        r = play(persona, lines, seed=seed, difficulty=difficulty)
        said = manager_lines(r)
        assert len(said) == len(set(said)), (seed, said)


def test_every_reaction_is_reachable_and_the_check_says_when_not(tmp_path: Path) -> None:
    import shutil

    from bot.rehearsal import load_book, unreachable_reactions

    assert unreachable_reactions(default_book()) == []
    from bot.paths import dialogues_dir

    copy = tmp_path / "dialogues"
    shutil.copytree(dialogues_dir(), copy)
    path = copy / "rehearsal.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("react-order: [rudeness, cave, feedback, question, ask, waver,",
                                 "react-order: [rudeness, cave, feedback, question, ask,"),
                    encoding="utf-8")
    found = unreachable_reactions(load_book(copy))
    assert {(k, f.rsplit("/", 1)[-1]) for f, k, _ in found} >= {
        ("waver", "persuasive.yaml"), ("waver", "inquisitive.yaml")}


def test_waver_reactions_are_heard() -> None:
    heard = set()
    for seed in range(6):
        r = play("persuasive", ["Hi, thanks for the offer. I'm declining.",
                                "Well, maybe if you could pay more I'd reconsider."], seed=seed)
        heard |= set(manager_lines(r))
    assert "Now we're talking." in heard


def test_a_greeting_is_answered_once_and_thanks_is_not_a_greeting() -> None:
    r = Rehearsal("gracious", "normal", 1, CONTEXT)
    r.opening()
    r.turn("Hello Tom!")
    first = manager_lines(r)
    r.turn("Thank you for the offer.")
    later = manager_lines(r)[len(first):]
    greetings = {r.book.renderer.inline(x, r._ctx())
                 for x in r.persona.react.get("greeting", []) + list(
                     r.book.raw["manager"]["react"]["greeting"])}
    assert not set(later) & greetings


def test_the_case_names_are_used_and_no_stand_in_appears() -> None:
    ctx = {"name": "Liam Byrne", "company": "Quantum Freight", "role": "Ops Lead",
           "manager": "Tara Jensen", "plan": "decline"}
    for persona in PERSONAS:
        r = Rehearsal(persona, "normal", 4, ctx)
        r.opening()
        for line in ["Hi Tara, it's Liam. Thank you for the offer; I've decided to decline.",
                     "No, my decision is final.", "All the best, bye."]:
            if not r.finished:
                r.turn(line)
        r.end()
        text = " ".join(t["text"] for t in r.transcript) + r.scorecard().title
        assert "Dana" not in text and "Northwind" not in text and "Sam" not in text
        assert "Tara" in text


def test_names_said_on_the_call_replace_the_stand_ins() -> None:
    r = Rehearsal("gracious", "normal", 5, {"plan": "decline"})
    r.opening()
    r.turn("Hi Rebecca, it's Liam.")
    r.turn("Thank you for the offer, but I've decided not to accept it.")
    r.turn("Bye!")
    after_greeting = " ".join(manager_lines(r)[1:])
    assert "Sam" not in after_greeting
    assert "Rebecca" in r.scorecard().title


def test_a_voicemail_that_signs_off_ends_the_recording() -> None:
    r = Rehearsal("voicemail", "easy", 0, CONTEXT)
    r.opening()
    r.turn("Hi Tom, it's Priya. Thanks for the offer; I've decided to decline. Take care, bye.")
    assert r.finished


# -- a fair scorecard ---------------------------------------------------------------------------


def card(lines: list[str], persona: str = "gracious", plan: str = "decline",
         **kw: Any) -> dict[str, ScoreLine]:
    r = play(persona, lines, plan=plan, **kw)
    return {s.check: s for s in r.scorecard().lines}


def test_silence_is_not_firmness() -> None:
    assert card(["", "", ""])["held-firm"].ok is False


def test_a_hedged_voicemail_did_not_hold_firm() -> None:
    c = card(["Hey, it's Ben. I think I'm probably going to pass on it, maybe. Bye."],
             persona="voicemail")
    assert c["held-firm"].ok is False and c["decision-stated"].ok is False


def test_thanks_bye_is_not_gratitude_for_the_offer() -> None:
    c = card(["Hi. I'm going to pass on the role.", "Thanks, bye."])
    assert c["gratitude"].ok is False
    assert card(["Thank you so much for the offer. I'm declining."])["gratitude"].ok is True


def test_goodwill_is_judged_at_the_close_not_the_first_line() -> None:
    c = card(["Hi Tom, I really enjoyed meeting the team.", "Thanks for the offer; I'm declining.",
              "I took another job.", "Okay.", "Bye."])
    assert c["goodwill-close"].ok is False


def test_no_false_flags_for_idioms_and_praise() -> None:
    c = card(["Thanks for the offer, Tom. I've decided to decline.", "I'm 100% sure.",
              "The interviews were really intense but I enjoyed every one.",
              "I hope our paths cross again. Bye."], persona="disappointed")
    assert c["no-oversharing"].ok is True, c["no-oversharing"].quote


@pytest.mark.parametrize("line", ["I don't care. Get over it.", "Oh wow, how generous.",
                                  "Yeah, right.", "Whatever. Bye."])
def test_rudeness_and_sarcasm_are_flagged(line: str) -> None:
    c = card(["Thanks for the offer; I'm declining.", line])
    assert c["courtesy"].ok is False and c["courtesy"].quote


def test_a_reason_in_any_words_counts_and_an_echo_does_not() -> None:
    assert card(["Thanks for the offer; I'm declining.",
                 "The night shifts don't work for me."])["reason-given"].ok is True
    echo = card(["Thanks for the offer, but I'm not going to accept.",
                 "No, it's not about the money.", "No thanks. Goodbye."], persona="persuasive")
    assert echo["reason-given"].ok is False


def test_try_lines_are_built_from_the_callers_words() -> None:
    c = card(["Hi. Honestly, um, the night shifts just don't really work for me.",
              "Thanks, bye."])
    assert "the night shifts don't work for me" in c["decision-stated"].better
    other = card(["Hi. I've accepted a role closer to home.", "Thanks, bye."])
    assert other["decision-stated"].better != c["decision-stated"].better


def test_plans_negotiate_and_ask_for_time_have_their_own_checks() -> None:
    neg = card(["Hi Tom, thanks for the offer.", "I'd need the base to be 120k to sign."],
               persona="persuasive", plan="negotiate")
    assert neg["figure-named"].ok is True and "reason-given" in neg
    vague = card(["Hi Tom, thanks for the offer.", "Is there any room on the salary?"],
                 persona="persuasive", plan="negotiate")
    assert vague["figure-named"].ok is False
    time = card(["Hi Tom, thanks so much for the offer.",
                 "Could I have a few more days? I'll come back to you by Friday."],
                plan="ask-for-time")
    assert time["date-named"].ok is True and "decision-stated" not in time
    r = Rehearsal("gracious", "normal", 0, {**CONTEXT, "plan": "ask-for-time",
                                             "reply_by": "Friday 12 December"})
    r.opening()
    r.turn("Hi Tom, thanks for the offer. I need a bit more time.")
    r.end()
    date = {s.check: s for s in r.scorecard().lines}["date-named"]
    assert date.ok is False and "Friday 12 December" in date.better


# -- the call uses the case -------------------------------------------------------------------------


def test_chat_call_uses_the_case_names() -> None:
    s = _chat()
    s.handle("go:rehearse")
    s.handle("1")
    events = s.handle("easy")
    assert s.state == "rehearse.call"  # everything known: nothing asked
    text = " ".join(e.text for e in events if isinstance(e, Say))
    assert "Tom Okafor" in text and "Halcyon" in text and "Dana" not in text
    assert "Priya" in " ".join(e.text for e in events if isinstance(e, Say) and e.speaker == "manager")


def test_chat_asks_once_for_a_missing_manager_and_name() -> None:
    from bot.content import load_content
    from bot.session import Session

    s = Session(load_content(), seed=2)
    s.slots.update(company="Quantum Freight", decision="decline")
    s.start()
    s.handle("go:rehearse")
    s.handle("1")
    s.handle("easy")
    assert s.state == "rehearse.ask-manager"
    s.handle("Tara Jensen")
    assert s.state == "rehearse.ask-name"
    events = s.handle("skip")
    assert s.state == "rehearse.call"
    said = " ".join(e.text for e in events if isinstance(e, Say))
    assert "Tara" in said and "Quantum Freight" in said and "Sam" not in said
    s.handle("End the call and see my scorecard")
    s.handle("Same call again")
    assert s.state == "rehearse.call"  # asked once: not again


def test_chat_plan_ask_for_time_comes_from_the_case() -> None:
    s = _chat()
    s.slots.update(decision="ask-for-time", reply_by="2026-12-11")
    s.handle("go:rehearse")
    s.handle("6")
    ctx = s.slots["rehearsal"]["context"]
    assert ctx["plan"] == "ask-for-time" and ctx["reply_by"] == "Friday 11 December"


def test_chat_each_call_gets_its_own_seed() -> None:
    s = _chat()
    s.handle("go:rehearse")
    s.handle("1")
    s.handle("easy")
    first = s.slots["rehearsal"]["seed"]
    s.handle("End the call and see my scorecard")
    s.handle("Same call again")
    assert s.slots["rehearsal"]["seed"] != first
