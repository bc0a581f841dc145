"""The content cache: the same content as a fresh load, and never stale, broken or in the way."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from bench.engine import SCRIPT
from bot.content import Content, load_content
from bot.content_cache import FILE_NAME, load_content_cached
from bot.yamlfile import ContentError
from tests.conftest import ROOT, run_cli


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(folder))
    return folder


def _copy(tmp_path: Path) -> tuple[Path, Path]:
    d, t = tmp_path / "dialogues", tmp_path / "templates"
    shutil.copytree(ROOT / "dialogues", d)
    shutil.copytree(ROOT / "templates", t)
    return d, t


def _replace(path: Path, old: str, new: str) -> None:
    src = path.read_text(encoding="utf-8")
    assert old in src
    path.write_text(src.replace(old, new, 1), encoding="utf-8")


def _same(a: Content, b: Content) -> None:
    for name in ("flows", "slots", "intents", "messages", "start", "stages", "files", "domain_terms", "common_terms"):
        assert getattr(a, name) == getattr(b, name), name
    assert a.files["coach.yaml"].key_lines == b.files["coach.yaml"].key_lines
    na, nb = a.normaliser, b.normaliser
    assert (na.contractions, na.stopwords, na.negations) == (nb.contractions, nb.stopwords, nb.negations)
    lines = [*SCRIPT, "I don't want to decline", "no", "now", "k", "what's the weather like"]
    lines += [ex for i in a.intents.values() for ex in i.examples[::9]]
    for line in lines:
        assert a.match_intent(line) == b.match_intent(line), line
        assert a.match_intent(line, {"affirm", "deny"}) == b.match_intent(line, {"affirm", "deny"}), line


def test_cached_content_is_the_loaded_content(cache: Path) -> None:
    first = load_content_cached()  # a miss: loaded from the YAML, then cached
    path = cache / FILE_NAME
    before = path.stat()
    assert stat.S_IMODE(before.st_mode) == 0o600
    second = load_content_cached()  # a hit: the file is read, not written again
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert "intent_matcher" in vars(second)  # the matcher came with it
    fresh = load_content()
    _same(first, fresh)
    _same(second, fresh)


def test_an_edited_or_added_file_is_read_again(tmp_path: Path, cache: Path) -> None:
    d, t = _copy(tmp_path)
    assert "Good luck" in load_content_cached(d, t).messages["goodbye"]
    # Same size, same modification time: still seen.
    coach = d / "coach.yaml"
    before = coach.stat()
    _replace(coach, "Good luck", "Good LUCK")
    os.utime(coach, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert "Good LUCK" in load_content_cached(d, t).messages["goodbye"]
    _replace(coach, "Good LUCK", "All the best")
    assert "All the best" in load_content_cached(d, t).messages["goodbye"]
    (d / "flows" / "zz-extra.yaml").write_text("flow: zz-extra\nstates:\n  only:\n    say: hi\n    end: true\n")
    assert "zz-extra" in load_content_cached(d, t).flows
    _replace(d / "intents.yaml", "      - i want to quit\n", "      - i want to quit\n      - time to log off\n")
    assert load_content_cached(d, t).match_intent("time to log off").label == "quit"


def test_a_broken_file_gives_its_error_even_with_a_cache(tmp_path: Path, cache: Path) -> None:
    d, t = _copy(tmp_path)
    load_content_cached(d, t)
    flow = d / "flows" / "journey.yaml"
    good = flow.read_text(encoding="utf-8")
    flow.write_text(good + "  broken: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_content_cached(d, t)
    assert err.value.path.endswith("journey.yaml") and err.value.line
    result = run_cli("chat", "--plain", "--no-save", "--dialogues", str(d), "--templates", str(t), stdin="hi\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"journey.yaml:{err.value.line}: YAML error" in result.stderr
    flow.write_text(good, encoding="utf-8")
    assert "journey" in load_content_cached(d, t).flows


@pytest.mark.parametrize("junk", [b"", b"not a pickle at all", None], ids=["empty", "garbage", "truncated"])
def test_a_corrupt_cache_is_ignored_and_replaced(cache: Path, junk: bytes | None) -> None:
    load_content_cached()
    path = cache / FILE_NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if junk is None else junk)
    _same(load_content_cached(), load_content())
    assert path.read_bytes() == data


def test_no_cache_when_turned_off_or_unwritable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DECLINE_COACH_CACHE", "")
    assert "journey" in load_content_cached().flows
    assert not any(tmp_path.iterdir())
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(blocker / "cache"))
    assert "journey" in load_content_cached().flows
    assert sorted(os.listdir(tmp_path)) == ["a-file"]


def test_plain_chat_is_the_same_from_the_cache(tmp_path: Path, cache: Path) -> None:
    script = "\n".join(SCRIPT) + "\n"
    cold = run_cli("chat", "--plain", "--no-save", stdin=script, env={"DECLINE_COACH_CACHE": str(cache)})
    assert (cache / FILE_NAME).exists()
    warm = run_cli("chat", "--plain", "--no-save", stdin=script, env={"DECLINE_COACH_CACHE": str(cache)})
    off = run_cli("chat", "--plain", "--no-save", stdin=script, env={"DECLINE_COACH_CACHE": ""})
    assert cold.returncode == warm.returncode == off.returncode == 0, cold.stderr + warm.stderr
    assert cold.stdout == warm.stdout == off.stdout
