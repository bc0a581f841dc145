from __future__ import annotations

import datetime as dt

import pytest

from bot.extract import mentions, parse_company, parse_date, parse_money, parse_person, parse_role

TODAY = dt.date(2026, 11, 21)  # a Saturday


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("by Friday", "2026-11-27"),
        ("in 3 days", "2026-11-24"),
        ("within two weeks", "2026-12-05"),
        ("tomorrow", "2026-11-22"),
        ("Nov 28", "2026-11-28"),
        ("the 5th of December", "2026-12-05"),
        ("2026-12-01", "2026-12-01"),
        ("next monday", "2026-11-23"),
        ("they sent it 2 days ago", "2026-11-19"),
        ("in 2 business days", "2026-11-24"),
    ],
)
def test_dates(text: str, iso: str) -> None:
    got = parse_date(text, TODAY)
    assert got is not None and got.iso() == iso


def test_no_date() -> None:
    assert parse_date("I have no idea", TODAY) is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [("$95k", 95000, "USD"), ("95,000 a year", 95000, ""), ("£80k", 80000, "GBP"), ("120000 EUR", 120000, "EUR")],
)
def test_money(text: str, amount: float, currency: str) -> None:
    m = parse_money(text)
    assert m is not None and m.amount == amount and m.currency == currency


def test_small_counts_are_not_money() -> None:
    assert parse_money("after 3 interviews") is None


def test_names_and_titles() -> None:
    assert parse_person("her name is dana rivera") == "Dana Rivera"
    assert parse_person("i don't know") is None
    assert parse_company("it's Globex") == "Globex"
    assert parse_company("{{ 7*7 }} Industries") == "{{ 7*7 }} Industries"
    assert parse_company("1") is None
    assert parse_role("a senior data analyst role") == "senior data analyst"


def test_mentions_in_passing() -> None:
    found = mentions("I got an offer from Acme Corp for the data analyst role, answer by Friday", TODAY)
    assert found["company"] == "Acme Corp"
    assert found["role"] == "data analyst"
    assert found["deadline"] == "2026-11-27"


def test_hesitation_before_a_name_is_not_the_name() -> None:
    assert parse_role("uh, Senior Analyst") == "Senior Analyst"
    assert parse_person("hmm, Sam Lee") == "Sam Lee"
    assert parse_company("So Energy") == "So Energy"  # "so" without its comma is part of a name


def test_company_stops_before_the_next_clause() -> None:
    # "and I want..." starts a new clause; "and Gamble" continues the name.
    assert mentions("I got an offer from Acme and I want to turn it down", TODAY)["company"] == "Acme"
    assert mentions("an offer from Procter and Gamble for the role", TODAY)["company"] == "Procter and Gamble"
