"""The conversation benchmark's own logic, on canned coach text (no conversation is run)."""

from __future__ import annotations

from bench.conversations import (
    FAMILIES,
    GoalTracker,
    Opening,
    Persona,
    User,
    detect_question,
    drafts,
    is_decline_draft,
    load_personas,
    load_phrasings,
    not_understood,
    wrong_values,
)


def persona(**facts: object) -> Persona:
    base = {
        "own_name": "Maya Lindqvist",
        "company": "Fabrikam",
        "role": "logistics analyst",
        "manager": "Sofia Petrov",
        "interviewers": "none",
        "recruiter": "none",
    }
    base.update(facts)
    return Persona("p", "decided", base, [Opening("hi", [])] * 3, {})


def test_detects_what_the_coach_asks() -> None:
    assert detect_question("Which company made the offer?").fact == "company"
    assert detect_question("And what's the role?").fact == "role"
    assert detect_question('Who is the hiring manager? Just a name is fine, or "skip".').fact == "manager"
    # Asking how it went with the manager is not asking for the manager's name.
    q = detect_question("How well did you get on with the hiring manager?\n  1) Really well\n  2) Mostly formal")
    assert (q.kind, q.fact, q.options) == ("rapport", "rapport", ["Really well", "Mostly formal"])
    assert detect_question("When did the offer arrive, and did they give you a deadline?").fact == "offer_date"
    assert detect_question("Have you signed a contract or offer letter?").fact == "signed"
    assert detect_question("What's the recruiter's name? Or \"skip\".").fact == "recruiter"
    assert detect_question("Did a recruiter run the process?\n  1) Yes, a recruiter").kind == "has_recruiter"
    # The question is read from the prompt at the end, not from advice points above it.
    text = (
        "Timing: answer today.\n  - Which company made the offer does not matter here.\n"
        "How many interview rounds did you have?"
    )
    assert detect_question(text).fact == "rounds"
    assert detect_question("Shall we carry on?").kind == "yesno"
    assert detect_question("Hmm.").kind == "unknown"


def test_draft_text_does_not_count_as_the_question() -> None:
    text = (
        "--- Decline (warm) ---\nHi Sofia,\nWhich company made the offer?\n---\n"
        "What would you like to do with it?\n  1) It's good"
    )
    assert detect_question(text).kind == "after_draft"
    assert drafts(text) == [("Decline", "Hi Sofia,\nWhich company made the offer?")]


def test_not_understood_lines() -> None:
    assert not_understood("I didn't quite catch that. Could you say it another way?")
    assert not_understood("We seem to be going in circles, and that's on me.")
    assert not_understood("That sounds like one for a general assistant.")
    assert not not_understood("Thanks. Fabrikam, logistics analyst: got it.")


def test_wrong_values_in_echoes_drafts_and_rehearsal() -> None:
    p = persona()
    given = {"company", "role", "manager", "own_name"}
    said = "that'd be Sofia Petrov\nthe offer is from Fabrikam"
    assert wrong_values("Thanks. Fabrikam, logistics analyst: got it.", p, given, said) == []
    assert wrong_values("Thanks. the offer is from Fabrikam, logistics analyst: got it.", p, given, said) == [
        "company='the offer is from Fabrikam'"
    ]
    draft = "--- Decline (warm) ---\nHi That'd,\n\nThank you for the logistics analyst offer at Fabrikam.\n---"
    assert wrong_values(draft, p, given, said) == ['person="That\'d"']
    assert wrong_values("--- Decline (warm) ---\nHi Sofia,\n---", p, given, said) == []
    listing = "Whom to tell\n  - Sofia Petrov (hiring manager).\n  - nobody else (interviewer): a note."
    assert wrong_values(listing, p, {"interviewers", *given}, "nobody else, just her") == ["interviewer='nobody else'"]
    call = (
        "Let's practise the call out loud. I'll play Dana Rivera, a gracious hiring manager, at Fabrikam.\n"
        "Fabrikam, this is Dana. Oh, hi Sam! How are you?"
    )
    found = wrong_values(call, p, given, said)
    assert "person='Dana Rivera'" in found and "own_name='Sam'" in found
    good = "Let's practise the call out loud.\nFabrikam, this is Sofia. Oh, hi Maya! How are you?"
    assert wrong_values(good, p, given, said) == []


def test_a_stand_in_for_a_fact_never_given_is_not_a_wrong_value() -> None:
    p = persona()
    call = "Let's practise the call out loud. I'll play Dana Rivera at Fabrikam.\nHi Sam, Dana here."
    assert wrong_values(call, p, {"company"}, "I want to practise") == []


def test_redundant_questions_are_counted_against_facts_already_given() -> None:
    p = Persona(
        "p",
        "decided",
        {"company": "Fabrikam", "role": "analyst", "manager": "Sofia Petrov"},
        [Opening("I'm declining Fabrikam's analyst offer", ["company", "role"])] * 3,
        {},
    )
    user = User(p, seed=3, phrasings=load_phrasings())
    user.opening()
    assert user.given == {"company", "role"}
    q = detect_question("Which company made the offer?")
    assert q.fact in user.given  # asking it now would be redundant
    answer = user.answer(detect_question("Who is the hiring manager?"))
    assert "Sofia Petrov" in answer and "manager" in user.given


def test_menus_are_picked_toward_the_goal() -> None:
    p = Persona("p", "pay_gap", {"company": "Contoso"}, [Opening("hi", [])] * 3, {})
    user = User(p, seed=1, phrasings=load_phrasings())
    q = detect_question(
        "What would you like to do?\n  1) Sounds right\n  2) Decline\n  3) Accept\n  4) Negotiate first"
    )
    for _ in range(10):
        answer = user.answer(q).lower()
        assert answer in ("4", "negotiate first") or "negotiat" in answer


def test_goal_tracker_reads_drafts_and_cards() -> None:
    decided = GoalTracker(persona())
    assert not decided.reached("Which company made the offer?")
    assert decided.reached("--- Decline: other offer (warm) ---\nHi Sofia,\nI've decided to turn the offer down.\n---")
    assert is_decline_draft("Phone call script", '"I\'ve decided to turn it down."')
    assert not is_decline_draft("Withdrawing an acceptance", "I must decline")
    quiet = Persona("q", "ghosted", {}, [Opening("hi", [])] * 3, {})
    assert GoalTracker(quiet).reached("What I'd suggest: I went quiet on them and now have to answer late\n  - a")


def test_personas_load_with_every_family_in_both_halves() -> None:
    personas = load_personas("all")
    assert len(personas) >= 40
    for half in ("dev", "heldout"):
        assert {p.family for p in personas if p.half == half} == set(FAMILIES)
    for p in personas:
        assert len(p.openings) >= 3, p.name
        for o in p.openings:
            assert set(o.gives) <= set(p.facts) | {"channel"}, (p.name, o.gives)
