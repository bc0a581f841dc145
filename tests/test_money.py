"""Pay figures in free text (bot/money.py): amounts, ranges, percentages, k, hourly/yearly,
and whose figure each one is."""

from __future__ import annotations

import pytest

from bot.money import format_amount, parse_amounts, parse_percentages, read_pay


def test_the_issue_sentence() -> None:
    talk = read_pay("their offer is 120k and I need about 138k")
    assert talk.offer is not None and talk.offer.value == 120_000
    assert talk.target is not None and talk.target.value == 138_000 and talk.target.approx
    assert talk.gap == 18_000
    assert talk.gap_percent == pytest.approx(15.0)


@pytest.mark.parametrize(
    "text, low, high, currency, period",
    [
        ("$95k", 95_000, 95_000, "USD", ""),
        ("95,000 a year", 95_000, 95_000, "", "year"),
        ("£45 an hour", 45, 45, "GBP", "hour"),
        ("£52/hr", 52, 52, "GBP", "hour"),
        ("130-140k", 130_000, 140_000, "", ""),
        ("between 130k and 140k", 130_000, 140_000, "", ""),
        ("€60.000 per annum", 60_000, 60_000, "EUR", "year"),
        ("4,500 a month", 4_500, 4_500, "", "month"),
        ("1.2m", 1_200_000, 1_200_000, "", ""),
        ("70000 EUR", 70_000, 70_000, "EUR", ""),
        ("60 grand", 60_000, 60_000, "", ""),
    ],
)
def test_amounts(text: str, low: float, high: float, currency: str, period: str) -> None:
    (amount,) = parse_amounts(f"it is {text} in total")
    assert (amount.low, amount.high, amount.currency, amount.period) == (low, high, currency, period)
    assert amount.phrase in f"it is {text} in total"


@pytest.mark.parametrize("text", ["3 rounds of interviews", "in 2024", "a 2 week notice", "room 101"])
def test_small_numbers_and_years_are_not_pay(text: str) -> None:
    assert parse_amounts(text) == []


def test_hourly_and_yearly_compare() -> None:
    talk = read_pay("they pay £45 an hour and I want £52")
    assert talk.target is not None and talk.target.period == "hour" and talk.target.currency == "GBP"
    assert talk.offer is not None and talk.offer.yearly() == 45 * 40 * 52


def test_percentages_make_a_target_from_the_offer() -> None:
    talk = read_pay("the offer is 120k, I'd need 10 percent more")
    assert talk.raise_percent == 10
    assert talk.target is not None and talk.target.value == pytest.approx(132_000)
    known = read_pay("I'd like a 15% raise", offer=parse_amounts("100k")[0])
    assert known.target is not None and known.target.value == pytest.approx(115_000)
    assert [p.value for p in parse_percentages("5% or 7.5 per cent")] == [5, 7.5]


def test_walk_away_and_unlabelled_pairs() -> None:
    talk = read_pay("my walk-away is 125k, they offered 118k and I want 135k")
    assert talk.walk_away is not None and talk.walk_away.value == 125_000
    assert talk.offer is not None and talk.offer.value == 118_000
    assert talk.target is not None and talk.target.value == 135_000
    pair = read_pay("120k vs 138k")
    assert pair.offer is not None and pair.target is not None
    assert (pair.offer.value, pair.target.value) == (120_000, 138_000)


def test_one_figure_with_no_owner_is_left_unassigned() -> None:
    talk = read_pay("about 138k")
    assert talk.offer is None and talk.target is None and len(talk.unassigned) == 1


def test_format_amount() -> None:
    assert format_amount(parse_amounts("£138k")[0]) == "£138,000"
    assert format_amount(parse_amounts("130-140k")[0]) == "130,000-140,000"
    assert format_amount(45.5, "USD") == "$45.50"
