"""Output storage under one root: Parquet/JSON per asset and partition, written atomically.

Layout: ``<root>/<asset>/<partition>.parquet`` for per-document assets and
``<root>/<asset>/_corpus.<ext>`` for corpus-level ones. A write goes to a temporary file in the
same folder and is then renamed over the target (``os.replace``), so a run killed mid-way
never leaves a half-written file that a later run reads. Roots that are not local paths
(``s3://…``, ``gs://…``) go through universal-pathlib; object stores make a single PUT
atomic, so the rename step is skipped there.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

CORPUS_KEY = "_corpus"


def _is_remote(root: str) -> bool:
    return "://" in root and not root.startswith("file://")


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see either the old file or the whole new one."""
    target = str(path)
    if _is_remote(target):
        from upath import UPath

        up = UPath(target)
        up.parent.mkdir(parents=True, exist_ok=True)
        up.write_bytes(data)
        return
    p = Path(target.removeprefix("file://"))
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_bytes(path: str) -> bytes:
    """Bytes of a file under a local path or fsspec URL."""
    return _read_bytes(path)


def _read_bytes(path: str) -> bytes:
    if _is_remote(path):
        from upath import UPath

        return UPath(path).read_bytes()
    return Path(path.removeprefix("file://")).read_bytes()


class Storage:
    """Asset outputs under one root folder (local path or fsspec URL)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = str(root).rstrip("/")

    def path(self, asset: str, key: str = CORPUS_KEY, ext: str = "parquet") -> str:
        return f"{self.root}/{asset}/{key}.{ext}"

    def _exists(self, path: str) -> bool:
        if _is_remote(path):
            from upath import UPath

            return UPath(path).exists()
        return Path(path.removeprefix("file://")).exists()

    def exists(self, asset: str, key: str = CORPUS_KEY, ext: str = "parquet") -> bool:
        return self._exists(self.path(asset, key, ext))

    # --- tables -------------------------------------------------------------------------
    def write_rows(self, asset: str, rows: Iterable[Mapping[str, Any]], key: str = CORPUS_KEY,
                   schema: pa.Schema | None = None) -> str:
        """Write rows (dicts) as one Parquet file; returns its path."""
        rows = list(rows)
        table = pa.Table.from_pylist(rows, schema=schema) if rows or schema else pa.table({})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        path = self.path(asset, key)
        atomic_write_bytes(path, buf.getvalue())
        return path

    def read_rows(self, asset: str, key: str = CORPUS_KEY) -> list[dict[str, Any]]:
        return pq.read_table(io.BytesIO(_read_bytes(self.path(asset, key)))).to_pylist()

    def read_many(self, asset: str, keys: Iterable[str]) -> list[dict[str, Any]]:
        """Rows of several per-document files concatenated; missing keys are skipped."""
        out: list[dict[str, Any]] = []
        for key in keys:
            if self.exists(asset, key):
                out.extend(self.read_rows(asset, key))
        return out

    # --- JSON ---------------------------------------------------------------------------
    def write_json(self, asset: str, obj: Any, key: str = CORPUS_KEY) -> str:
        path = self.path(asset, key, "json")
        atomic_write_bytes(path, json.dumps(obj, indent=1, sort_keys=True, default=str).encode())
        return path

    def read_json(self, asset: str, key: str = CORPUS_KEY) -> Any:
        return json.loads(_read_bytes(self.path(asset, key, "json")))

    # --- housekeeping -------------------------------------------------------------------
    def _names(self, asset: str) -> list[str]:
        base = f"{self.root}/{asset}"
        if _is_remote(base):
            from upath import UPath

            folder = UPath(base)
            return [p.name for p in folder.iterdir()] if folder.exists() else []
        folder = Path(base.removeprefix("file://"))
        return [p.name for p in folder.iterdir()] if folder.is_dir() else []

    def keys(self, asset: str, ext: str = "parquet") -> list[str]:
        """Partition keys stored for an asset with extension ``ext`` (corpus-level file excluded)."""
        return sorted(n[: -len(ext) - 1] for n in self._names(asset)
                      if n.endswith("." + ext) and not n.startswith((".", "_")))

    def delete(self, asset: str, key: str, ext: str = "parquet") -> bool:
        """Remove one stored partition; True when something was deleted."""
        path = self.path(asset, key, ext)
        if not self._exists(path):
            return False
        if _is_remote(path):
            from upath import UPath

            UPath(path).unlink()
        else:
            Path(path.removeprefix("file://")).unlink()
        return True

    def assets(self) -> list[str]:
        """Asset folders present under the root."""
        if _is_remote(self.root):
            from upath import UPath

            base = UPath(self.root)
            return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []
        base = Path(self.root.removeprefix("file://"))
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []

    def prune(self, keep: set[str]) -> dict[str, list[str]]:
        """Delete per-document outputs (any extension) whose key is not in ``keep``.

        Returns asset -> removed keys. Corpus-level files (``_corpus``) are never touched.
        """
        removed: dict[str, list[str]] = {}
        for asset in self.assets():
            for name in self._names(asset):
                if name.startswith((".", "_")) or "." not in name:
                    continue
                key, ext = name.rsplit(".", 1)
                if key not in keep:
                    self.delete(asset, key, ext)
                    removed.setdefault(asset, []).append(key)
        return removed
