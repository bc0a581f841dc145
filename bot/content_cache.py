"""A cache of loaded content, so a command starts without parsing YAML again.

Parsing ``dialogues/`` and building the intent matcher is most of what the plain chat does
before its first prompt, and the answer only changes when a content file (or the code that
reads it) changes. ``load_content_cached`` keeps the loaded ``Content``, intent matcher
included, as a pickle in the user's cache folder, under a key made of:

- this format's version, the package's and Python's versions, and PyYAML's installed copy
  (the size and modification time of its ``__init__.py``, which holds its version; read
  without importing it, since a cache hit never parses YAML);
- the dialogues and templates folders;
- a digest of every file under the dialogues folder, its path and its bytes (reading them
  costs well under a millisecond, and unlike a modification time it cannot miss an edit made
  within the same clock tick);
- the size and modification time of the engine's own modules (``bot/*.py``), which is how
  Python itself decides whether a module's bytecode is current.

Any difference, or a cache file that cannot be read, is a miss: content is loaded from the
YAML as always (so a broken file gives its ``file:line`` error, and nothing is cached), and
a good load replaces the cache atomically. ``decline-coach check`` never uses the cache.

``DECLINE_COACH_CACHE`` names the cache folder; set to an empty string it turns the cache off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import pickle
import sys
from pathlib import Path
from typing import Any

from bot import __version__
from bot.content import Content, load_content

FORMAT = 1
FILE_NAME = "content.pickle"
_ENGINE = Path(__file__).resolve().parent


def cache_dir() -> Path | None:
    """The folder the cache lives in, or None when caching is turned off."""
    env = os.environ.get("DECLINE_COACH_CACHE")
    if env is not None:
        return Path(env).expanduser() if env.strip() else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("decline-coach", appauthor=False))


def _digest(root: Path) -> str:
    h = hashlib.blake2b(digest_size=20)
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            h.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            h.update(len(data).to_bytes(8, "little") + data)
    return h.hexdigest()


def _yaml_stamp() -> tuple[Any, ...]:
    """Where PyYAML is installed and the size and time of its ``__init__.py``: a reinstall,
    upgrade or downgrade changes them."""
    module = sys.modules.get("yaml")
    origin = getattr(module, "__file__", None)
    if origin is None:
        from importlib.machinery import PathFinder  # importlib.util costs more to import

        spec = PathFinder.find_spec("yaml")
        origin = spec.origin if spec is not None else None
    if origin is None:  # pragma: no cover - PyYAML is a dependency
        return ("yaml", None)
    st = os.stat(origin)
    return (origin, st.st_size, st.st_mtime_ns)


def cache_key(dialogues: Path, templates: Path) -> tuple[Any, ...]:
    engine = [(p.name, st.st_size, st.st_mtime_ns) for p in sorted(_ENGINE.glob("*.py")) for st in [p.stat()]]
    return (
        FORMAT,
        __version__,
        sys.version,
        _yaml_stamp(),
        str(dialogues.resolve()),
        str(templates.resolve()),
        _digest(dialogues),
        tuple(engine),
    )


def _read(path: Path, key: tuple[Any, ...]) -> Content | None:
    try:
        with path.open("rb") as f:
            if pickle.load(f) != key:
                return None
            # Unpickling makes tens of thousands of objects, none of them garbage; with the
            # collector on, they set off full collections of everything already loaded (in the
            # app, all of Textual): 40 ms instead of 15.
            enabled = gc.isenabled()
            gc.disable()
            try:
                content = pickle.load(f)
            finally:
                if enabled:
                    gc.enable()
    except Exception:  # a missing, truncated, corrupt or outdated cache is only a miss
        return None
    return content if isinstance(content, Content) else None


def _write(folder: Path, key: tuple[Any, ...], content: Content) -> None:
    """Replace the cache file in one step (a reader sees the old file or the new, never half)."""
    import tempfile

    try:
        blob = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
        blob += pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=FILE_NAME + ".")  # readable only by the user
    except Exception:  # content that will not pickle, or no folder to write in: no cache, no error
        return
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, folder / FILE_NAME)
    except OSError:  # a full or read-only disk: no cache, no error
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def load_content_cached(dialogues: Path | str | None = None, templates: Path | str | None = None) -> Content:
    """``load_content``, from the cache when nothing it depends on has changed."""
    from bot.paths import dialogues_dir, templates_dir

    folder = cache_dir()
    d = Path(dialogues) if dialogues else dialogues_dir()
    t = Path(templates) if templates else templates_dir()
    if folder is None or not d.is_dir():
        return load_content(d, t)
    try:
        key = cache_key(d, t)
    except OSError:  # a file vanished while we looked: load normally, cache nothing
        return load_content(d, t)
    cached = _read(folder / FILE_NAME, key)
    if cached is not None:
        return cached
    content = load_content(d, t)
    content.intent_matcher  # noqa: B018 (built now so the cache holds it)
    try:
        unchanged = cache_key(d, t) == key
    except OSError:
        unchanged = False
    if unchanged:  # a file edited during the load must not be cached under the old key
        _write(folder, key, content)
    return content
