"""Hashing a folder's files (names and bytes), for the caches that must notice any content
change. Kept free of the engine's imports: the app hashes the content before it opens."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def hash_tree(h: Any, root: Path) -> None:
    """Feed every file under ``root`` (relative name and bytes, in a fixed order) into ``h``."""
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                data = f.read()
            h.update(os.path.relpath(path, root).encode("utf-8", "surrogateescape") + b"\0")
            h.update(len(data).to_bytes(8, "little") + data)


def stat_tree(h: Any, root: Path) -> None:
    """Feed every file under ``root`` (relative name, size and modification time) into ``h``.

    Cheaper than ``hash_tree`` (no file is read), for a cache whose mistakes are harmless:
    the app's cached first words are replaced by the engine's own if they differ.
    """
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            st = os.stat(path)
            rel = os.path.relpath(path, root).encode("utf-8", "surrogateescape")
            h.update(rel + b"\0" + f"{st.st_size}:{st.st_mtime_ns}\0".encode())
