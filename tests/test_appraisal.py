"""The critic's sentence-shape reading (bot/appraisal.py): whom an evaluation is about, and
what turns it into a dig. Each case pairs a sentence that should fire with one that should not."""

from __future__ import annotations

import pytest

from bot.appraisal import appraise
from bot.critic import critique, default_config


def kinds(sentence: str) -> set[tuple[str, str]]:
    lex = default_config().appraisal
    assert lex is not None
    return {(h.check, h.why) for h in appraise(sentence, [(0, len(sentence))], lex)}


def checks(sentence: str) -> set[str]:
    return {check for check, _why in kinds(sentence)}


@pytest.mark.parametrize(
    ("theirs", "mine"),
    [
        ("The atmosphere in the office felt tense.", "The commute would be too stressful for me."),
        ("Your tech stack is badly outdated.", "I'm sorry to bring disappointing news."),
        ("I did not feel the manager would be easy to work with.", "It would not be fair to you."),
        ("The interviewers didn't seem to have read my CV.", "I didn't read the contract closely."),
        ("I was put off by how distracted the panel seemed.", "My manager was slow to reply."),
    ],
)
def test_criticism_is_an_evaluation_of_them_not_of_the_writers_own_life(theirs: str, mine: str) -> None:
    assert "criticism" in checks(theirs), theirs
    assert "criticism" not in checks(mine), mine


@pytest.mark.parametrize(
    ("dig", "plain"),
    [
        ("Thanks for eventually getting back to me.", "I finally made my decision."),
        ("I will ONLY accept if the base goes up.", "Thank you SO much for the offer!"),
        ("Did you even read my profile?", "Could you share any feedback on my interviews?"),
        ("In future you may want to reply sooner.", "In the future, I'd love to hear from you."),
        ("You should know that good people don't wait.", "You should feel free to contact me."),
        ("For such a small outfit, your team was surprisingly professional.", "Your team was professional."),
        ("Despite the chaotic interview day, I enjoyed meeting the team.", "Despite the long commute, I was tempted."),
        ("The offer was absolutely ridiculous.", "I was absolutely impressed by the team."),
        ("No worries about the five rescheduled interviews.", "No worries if feedback isn't possible."),
        ("I'll be leaving an honest review online.", "I'll leave a glowing review of the day."),
    ],
)
def test_a_dig_is_read_from_its_shape(dig: str, plain: str) -> None:
    assert "tone" in checks(dig), dig
    assert "tone" not in checks(plain), plain


def test_a_letter_that_criticises_ranks_below_a_kind_one_with_a_slip() -> None:
    kind_with_hedge = (
        "Hi Ana,\n\nThank you for the offer. I think I'll decline for now, as I'm staying in my "
        "current role.\n\nI hope we stay in touch.\n\nBest,\nLi\n"
    )
    criticising = (
        "Hi Ana,\n\nThank you for the offer. I have decided to decline, as the interview process "
        "was disorganised.\n\nI hope we stay in touch.\n\nBest,\nLi\n"
    )
    slip = critique(kind_with_hedge)
    crit = critique(criticising)
    assert not slip.checks()["hedging"] and slip.checks()["criticism"]
    assert not crit.checks()["criticism"] and crit.checks()["hedging"]
    assert slip.score > crit.score
