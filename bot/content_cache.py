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

Loading a pickle runs code, and a cache folder is a place other programs can write to. So
the pickle is never loaded unless:

- the cache folder is a real folder (not a link) owned by this user with no access for
  group or others (0700; a folder with looser modes or another owner is not used at all,
  neither read nor written);
- the file is a regular file owned by this user, and starts with an HMAC-SHA256 of the rest,
  keyed by a random secret kept 0600 in the user's data folder (``coach.db.cache-key``); the
  HMAC is checked (in constant time) before a single byte is unpickled. A file planted by
  anyone without the key fails the check and is a miss.

``DECLINE_COACH_CACHE`` names the cache folder; set to an empty string it turns the cache off.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import hmac
import os
import pickle
import stat
import sys
from pathlib import Path
from typing import Any

from bot import __version__
from bot.content import Content, load_content
from bot.treehash import hash_tree

FORMAT = 2
FILE_NAME = "content.pickle"
KEY_NAME = "coach.db.cache-key"  # in the data folder; `forget` deletes it with the rest
_MAGIC = b"decline-coach content cache 2\n"
_TAG = 32  # bytes of HMAC-SHA256
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
    hash_tree(h, root)
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


def _own_private_folder(folder: Path, *, create: bool) -> bool:
    """True when ``folder`` is a folder (not a link) this user owns, closed to everyone else."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        if not create:
            return False
        try:
            folder.mkdir(parents=True, mode=0o700)
            folder.chmod(0o700)
            info = os.lstat(folder)
        except OSError:
            return False
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and stat.S_IMODE(info.st_mode) & 0o077 == 0
    )


def _secret(*, create: bool) -> bytes | None:
    """The HMAC key: 32 random bytes in a 0600 file of the user's own, made when missing."""
    from bot.paths import data_dir

    folder = data_dir()
    path = folder / KEY_NAME
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except FileNotFoundError:
            if not create:
                return None
            try:
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            except FileExistsError:
                continue  # another process made it first: read theirs
            except OSError:
                return None
            try:
                os.write(fd, os.urandom(32))
            except OSError:
                os.close(fd)
                with contextlib.suppress(OSError):
                    path.unlink()
                return None
            os.close(fd)
            continue
        except OSError:
            return None
        try:
            info = os.fstat(fd)
            key = os.read(fd, 64)
        except OSError:
            return None
        finally:
            os.close(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.geteuid()
            or stat.S_IMODE(info.st_mode) & 0o077
            or len(key) != 32
        ):
            return None  # a key others could read (or another owner's) protects nothing
        return key
    return None


def _sign(key: bytes, payload: bytes | memoryview) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def _read(path: Path, key: tuple[Any, ...], secret: bytes) -> Content | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
            return None
        with os.fdopen(fd, "rb") as raw:
            fd = -1
            blob = raw.read()
    except OSError:
        return None
    finally:
        if fd >= 0:
            os.close(fd)
    head = len(_MAGIC)
    if blob[:head] != _MAGIC or len(blob) < head + _TAG:
        return None
    tag, payload = blob[head : head + _TAG], memoryview(blob)[head + _TAG :]
    # Nothing is unpickled unless the file was written with this user's secret.
    if not hmac.compare_digest(tag, _sign(secret, payload)):
        return None
    try:
        import io

        f = io.BytesIO(payload)
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
    except Exception:  # a truncated, corrupt or outdated (but signed) cache is only a miss
        return None
    return content if isinstance(content, Content) else None


def _write(folder: Path, key: tuple[Any, ...], content: Content, secret: bytes) -> None:
    """Replace the cache file in one step (a reader sees the old file or the new, never half)."""
    import tempfile

    try:
        payload = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
        payload += pickle.dumps(content, protocol=pickle.HIGHEST_PROTOCOL)
        blob = _MAGIC + _sign(secret, payload) + payload
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
    usable = _own_private_folder(folder, create=False)
    secret = _secret(create=False) if usable else None
    if secret is not None:
        cached = _read(folder / FILE_NAME, key, secret)
        if cached is not None:
            return cached
    content = load_content(d, t)
    content.intent_matcher  # noqa: B018 (built now so the cache holds it)
    try:
        unchanged = cache_key(d, t) == key
    except OSError:
        unchanged = False
    # A file edited during the load must not be cached under the old key; a folder that is not
    # the user's own and private is not written to either.
    if unchanged and (usable or _own_private_folder(folder, create=True)):
        secret = secret or _secret(create=True)
        if secret is not None:
            _write(folder, key, content, secret)
    return content
