"""Results derived from a file or folder, reused while its ``stat`` signature is unchanged.

A long-lived process (the sensor's code server, one `rag-eval run`) re-reads the same metadata
sidecar and lists the same output folders on every tick; when the file or folder has not
changed since, the previous result is returned. The signature is (inode, size, mtime in ns):
adding, removing or renaming a file in a folder (every output write is a rename) changes the
folder's mtime, rewriting a file changes its own.

Racy entries are never cached: a result computed less than ``RACY_S`` seconds after the
path's mtime could miss a change made within the same clock tick (which leaves the mtime
equal), so it is recomputed next time (git's "racy clean" rule).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")
RACY_S = 2.0
MAX_ENTRIES = 4096
_CACHE: dict[Hashable, tuple[tuple[int, int, int], Any]] = {}
_LOCK = threading.Lock()


def signature(path: str | os.PathLike) -> tuple[int, int, int] | None:
    """(inode, size, mtime_ns) of ``path``, or None when it does not exist."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def cached(path: str | os.PathLike | None, key: Hashable, build: Callable[[], T]) -> T:
    """``build()``, or its earlier result for the same ``key`` while ``path`` is unchanged
    (``path`` None, e.g. on an object store: always ``build()``). Callers must not mutate what
    is returned."""
    if path is None:
        return build()
    before = signature(path)
    full_key = (os.fspath(path), key)
    if before is not None:
        with _LOCK:
            hit = _CACHE.get(full_key)
        if hit is not None and hit[0] == before:
            return hit[1]
    value = build()
    if before is not None and signature(path) == before and time.time_ns() - before[2] > RACY_S * 1e9:
        with _LOCK:
            if len(_CACHE) >= MAX_ENTRIES:
                _CACHE.clear()
            _CACHE[full_key] = (before, value)
    return value


def clear() -> None:
    with _LOCK:
        _CACHE.clear()
