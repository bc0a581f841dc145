"""Writing the coach's files (exports, transcripts, calendars): private, and never through a link.

``write_private`` is the one way the coach writes a file a person asked for:

- the file is created 0600, and an existing file it overwrites is re-moded 0600 as well
  (``O_CREAT`` only applies the mode to a new file);
- it is opened with ``O_NOFOLLOW``: a symbolic link at that name is refused with
  ``LinkRefused`` (a clear message naming the link), never followed to wherever it points;
- only regular files are written (a FIFO or a device at that name is refused too).

Files written into a data folder can be remembered (``remember``) so ``decline-coach forget``
can list them and offer to delete them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
from pathlib import Path

#: The list of files the coach wrote for the person (exports, transcripts, .ics), kept in the
#: data folder. ``forget`` keeps it while the files it lists are kept, and deletes it with them.
MANIFEST = "written-files.json"


class LinkRefused(OSError):
    """The target is a symbolic link (or not a regular file): the coach does not write through it."""

    def __init__(self, path: Path, what: str = "a symbolic link") -> None:
        super().__init__(errno.ELOOP, f"{path} is {what}; not writing through it (remove it or pick another name)")
        self.path = path

    def __str__(self) -> str:
        return str(self.strerror)


def write_private(path: str | os.PathLike[str], text: str, *, newline: str | None = "") -> Path:
    """Write ``text`` to ``path`` (UTF-8), the file 0600 whether new or overwritten; never via a link.

    Raises ``LinkRefused`` for a symbolic link or a non-regular file, ``OSError`` otherwise.
    """
    target = Path(path).expanduser()
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LinkRefused(target) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LinkRefused(target, "not a regular file")
        os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT: tighten it
        os.ftruncate(fd, 0)
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            fd = -1
            fh.write(text)
    finally:
        if fd >= 0:
            os.close(fd)
    return target


def remember(data_dir: Path, written: Path) -> None:
    """Add ``written`` to the data folder's list of files the coach wrote (best effort)."""
    try:
        if not data_dir.is_dir():
            return
        known = written_files(data_dir, existing_only=False)
        entry = str(written.resolve())
        if entry in map(str, known):
            return
        write_private(data_dir / MANIFEST, json.dumps([*map(str, known), entry], ensure_ascii=False))
    except (OSError, ValueError):
        return  # the list is a courtesy for `forget`; the file itself was written


def written_files(data_dir: Path, *, existing_only: bool = True) -> list[Path]:
    """The files the coach wrote for the person, as remembered in the data folder."""
    manifest = data_dir / MANIFEST
    try:
        if manifest.is_symlink():
            return []
        items = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        items = []
    paths = [Path(p) for p in items if isinstance(p, str)] if isinstance(items, list) else []
    exports = data_dir / "exports"  # where the app saves drafts and transcripts by default
    if exports.is_dir() and not exports.is_symlink():
        with contextlib.suppress(OSError):
            paths += sorted(p for p in exports.iterdir() if p.is_file() and not p.is_symlink())
    seen: set[str] = set()
    result = []
    for p in paths:
        if str(p) in seen:
            continue
        seen.add(str(p))
        if not existing_only or (p.is_file() and not p.is_symlink()):
            result.append(p)
    return result
