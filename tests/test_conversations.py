"""Golden conversations (tests/conversations/*.yaml) and which states none of them reaches."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content import Content
from tests.conversation_runner import run_conversation

FILES = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_golden_conversation(path: Path, content: Content) -> None:
    result = run_conversation(path, content)
    assert not result.failures, "\n\n".join(result.failures)


def test_state_coverage_report(content: Content, capsys: pytest.CaptureFixture[str]) -> None:
    visited: set[str] = set()
    for path in FILES:
        visited |= run_conversation(path, content).visited
    unreached = sorted(set(content.states) - visited)
    with capsys.disabled():
        print(f"\nconversation coverage: {len(visited & set(content.states))}/{len(content.states)} states")
        for name in unreached:
            print(f"  not reached by any golden conversation: {name}")
    # Most of the journey must be pinned down by a golden conversation.
    assert len(visited & set(content.states)) >= 0.6 * len(content.states)
