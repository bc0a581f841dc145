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


# ---------------------------------------------------------------------- a planted cache runs nothing


class _Boom:
    """A pickle that, when loaded, creates a marker file (what an attacker's code would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _hostile(marker: Path) -> bytes:
    import pickle

    return pickle.dumps(_Boom(marker))


@pytest.mark.parametrize("shape", ["bare", "with-header", "signed-wrong", "old-format"])
def test_a_planted_pickle_never_runs(tmp_path: Path, cache: Path, shape: str) -> None:
    import pickle

    from bot import content_cache

    load_content_cached()  # a real cache and key exist
    marker = tmp_path / f"ran-{shape}"
    evil = _hostile(marker)
    path = cache / FILE_NAME
    if shape == "bare":
        blob = evil
    elif shape == "with-header":  # the right header, no valid tag
        blob = content_cache._MAGIC + b"\0" * 32 + evil
    elif shape == "signed-wrong":  # signed with a key that is not the user's
        blob = content_cache._MAGIC + content_cache._sign(b"k" * 32, evil) + evil
    else:  # the previous format: a pickled key, then the content
        blob = pickle.dumps(("key",)) + evil
    path.write_bytes(blob)
    _same(load_content_cached(), load_content())
    # In the commands too: plain chat, classify.
    for args in (("chat", "--plain", "--no-save"), ("classify", "hello")):
        path.write_bytes(blob)
        result = run_cli(*args, stdin="hi\n", env={"DECLINE_COACH_CACHE": str(cache)})
        assert result.returncode == 0, result.stderr
    assert not marker.exists(), "a planted pickle ran"


def test_the_key_is_private_and_a_stolen_key_is_not_trusted(tmp_path: Path, cache: Path) -> None:
    from bot import content_cache
    from bot.paths import data_dir

    load_content_cached()
    key = data_dir() / content_cache.KEY_NAME
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32
    # A key others can read protects nothing: the cache is not read while it is so.
    key.chmod(0o644)
    marker = tmp_path / "ran"
    evil = _hostile(marker)
    secret = key.read_bytes()
    (cache / FILE_NAME).write_bytes(content_cache._MAGIC + content_cache._sign(secret, evil) + evil)
    _same(load_content_cached(), load_content())
    assert not marker.exists()


def test_a_cache_folder_others_can_write_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(folder))
    marker = tmp_path / "ran"
    (folder / FILE_NAME).write_bytes(_hostile(marker))
    _same(load_content_cached(), load_content())
    assert not marker.exists()
    assert os.listdir(folder) == [FILE_NAME]  # nothing written into it either
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777  # and its modes left as they were
    # A link to a private folder is not the folder.
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(link))
    load_content_cached()
    assert os.listdir(real) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another owner needs root")
def test_a_cache_folder_of_another_owner_is_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o700)
    marker = tmp_path / "ran"
    (folder / FILE_NAME).write_bytes(_hostile(marker))
    os.chown(folder, 65534, 65534)
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(folder))
    _same(load_content_cached(), load_content())
    assert not marker.exists()
    assert os.listdir(folder) == [FILE_NAME]


def test_a_new_cache_folder_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "new" / "cache"
    monkeypatch.setenv("DECLINE_COACH_CACHE", str(folder))
    load_content_cached()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / FILE_NAME).exists()
