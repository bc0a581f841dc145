from __future__ import annotations

from bot.text import MAX_INPUT_CHARS, sanitise


def test_escape_sequences_and_controls_are_removed() -> None:
    raw = "\x1b[31mred\x1b[0m \x1b]0;title\x07ok\x00 \u202eevil\u202c done\x07"
    clean = sanitise(raw)
    assert clean.text == "red ok evil done"
    assert "\x1b" not in clean.text and "\x00" not in clean.text


def test_markup_and_template_syntax_are_kept_literally() -> None:
    raw = "[@click=app.quit] [bold]hi[/bold] [/foo] {{ 7*7 }} {% if x %}"
    assert sanitise(raw).text == raw


def test_huge_paste_is_trimmed_and_reported() -> None:
    clean = sanitise("word " * 300_000)
    assert clean.trimmed
    assert len(clean.text) <= MAX_INPUT_CHARS
    assert clean.original_length == 1_500_000


def test_multiline_keeps_line_breaks_single_line_folds_them() -> None:
    assert sanitise("a\r\nb\n\nc", multiline=True).text == "a\nb\n\nc"
    assert sanitise("a\nb\tc").text == "a b c"


def test_unicode_is_kept() -> None:
    text = "مرحبا שלום e\u0301 👩\u200d💻 日本"
    assert sanitise(text).text.startswith("مرحبا שלום é")
    assert "👩\u200d💻" in sanitise(text).text


def test_normaliser_folds_contractions_and_synonyms(content) -> None:  # type: ignore[no-untyped-def]
    n = content.normaliser
    assert n.normalise("I DON'T want to turn down the job offer!") == "i do not want to decline the offer"
    assert n.negated(n.normalise("I don't"))
