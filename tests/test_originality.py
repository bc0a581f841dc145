"""Content is written in the project's own words: no run of ten words in dialogues/ or
templates/ (nor in any draft the coach renders) appears in the career-advice articles kept in
../shared/seeds/. Facts from the articles are fine; their sentences are not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
RUN = 10
_TAGS = re.compile(r"\{%-?.*?-?%\}|\{#.*?#\}", re.DOTALL)

pytestmark = pytest.mark.skipif(
    not SEEDS.is_dir() or not any(SEEDS.glob("*.txt")),
    reason=f"the articles are not here ({SEEDS}); this check runs where they are",
)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def runs(text: str, n: int = RUN) -> set[tuple[str, ...]]:
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


@pytest.fixture(scope="module")
def article_runs() -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for path in SEEDS.glob("*.txt"):
        found |= runs(path.read_text(encoding="utf-8", errors="replace"))
    assert found, "the articles were read"
    return found


def _content_files() -> list[Path]:
    return sorted(
        p
        for folder in ("dialogues", "templates")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".yml", ".j2", ".md", ".txt")
    )


def test_the_check_itself_finds_a_copied_run(article_runs: set[tuple[str, ...]]) -> None:
    some_article = next(iter(sorted(SEEDS.glob("*.txt"))))
    sample = " ".join(words(some_article.read_text(encoding="utf-8"))[200:215])
    assert runs(sample) & article_runs


def test_no_ten_word_run_from_the_articles_in_content(article_runs: set[tuple[str, ...]]) -> None:
    copied = []
    for path in _content_files():
        raw = path.read_text(encoding="utf-8")
        for text in (raw, _TAGS.sub(" ", raw)):
            for run in sorted(runs(text) & article_runs):
                copied.append(f"{path.relative_to(ROOT)}: {' '.join(run)}")
    assert not sorted(set(copied)), "\n".join(sorted(set(copied)))


def test_no_ten_word_run_from_the_articles_in_rendered_drafts(
    article_runs: set[tuple[str, ...]],
) -> None:
    from bot.drafts import load_kinds, render_text

    copied = []
    for kind in load_kinds().values():
        assert kind.registry is not None
        for tone in kind.registry.tones:
            text = render_text(kind, tone, kind.sample)
            for run in sorted(runs(text) & article_runs):
                copied.append(f"{kind.id} ({tone}): {' '.join(run)}")
    assert not copied, "\n".join(copied)
