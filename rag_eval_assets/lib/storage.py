"""A folder of output files, local or remote, with atomic writes.

``Storage(root)`` takes a local path or an fsspec URL (``s3://bucket/prefix``, ``gs://…``,
``memory://…``). Names inside it are ``/``-separated relative paths (``vector_index/flat/
index.faiss``); ``sub(name)`` is the storage of a sub-folder, so code that owns a location
never joins strings to a root. Remote roots stay URLs end to end (universal-pathlib):
``Path("s3://b/p")`` would silently become the local folder ``s3:/b/p``.

Writes are atomic: a local write goes to a temporary file in the same folder and is renamed
over the target (``os.replace``), so a run killed mid-way (even with SIGKILL) never leaves a
half-written file that a later run reads; an object store's single PUT is atomic by itself.
Files are not fsync'ed: that protects against power loss, not kills, and costs a disk flush
per output (tens of thousands per run at 10,000 documents).
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


def is_remote(location: str) -> bool:
    """True for an fsspec URL (``scheme://…``) other than ``file://``."""
    return "://" in location and not location.startswith("file://")


def _local(location: str) -> Path:
    return Path(location.removeprefix("file://"))


def _upath(location: str):  # noqa: ANN202 - UPath is imported lazily
    from upath import UPath

    # no listing cache: other processes (workers on other machines) write into the same
    # folders, and a cached listing would hide their outputs from the state (lib.state)
    return UPath(location, use_listings_cache=False)


def atomic_write_bytes(location: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` so that readers see either the old file or the whole new one."""
    target = str(location)
    if is_remote(target):
        up = _upath(target)
        up.parent.mkdir(parents=True, exist_ok=True)
        up.write_bytes(data)
        return
    p = _local(target)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _lists_by_prefix(fs: Any) -> bool:
    """True when the file system's ``find`` lists by key prefix (s3fs, gcsfs: ``prefix=``)."""
    import inspect

    find = getattr(type(fs), "_find", None)
    return find is not None and "prefix" in inspect.signature(find).parameters


def read_bytes(location: str | os.PathLike) -> bytes:
    """Bytes of a file under a local path or fsspec URL."""
    location = str(location)
    return _upath(location).read_bytes() if is_remote(location) else _local(location).read_bytes()


def rows_to_parquet(rows: Iterable[Mapping[str, Any]], schema: pa.Schema | None = None) -> bytes:
    """Rows (dicts) as Parquet bytes; no rows and no schema give an empty table."""
    rows = list(rows)
    table = pa.Table.from_pylist(rows, schema=schema) if rows or schema else pa.table({})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def parquet_to_rows(data: bytes) -> list[dict[str, Any]]:
    return pq.read_table(io.BytesIO(data)).to_pylist()


class Storage:
    """Files under one root folder (local path or fsspec URL)."""

    def __init__(self, root: str | os.PathLike) -> None:
        root = str(root)
        self.root = root if root == "/" else root.rstrip("/")
        self.remote = is_remote(self.root)

    def __repr__(self) -> str:
        return f"Storage({self.root!r})"

    def url(self, name: str = "") -> str:
        """Location of ``name`` (a local path or a URL)."""
        return f"{self.root}/{name}" if name else self.root

    def sub(self, name: str) -> "Storage":
        """The storage of the sub-folder ``name``."""
        return Storage(self.url(name))

    # --- bytes ---------------------------------------------------------------------------
    def write_bytes(self, name: str, data: bytes) -> str:
        location = self.url(name)
        atomic_write_bytes(location, data)
        return location

    def read_bytes(self, name: str) -> bytes:
        return read_bytes(self.url(name))

    def open(self, name: str):  # noqa: ANN201 - a binary file object
        """Open a file for reading in binary mode (random access: Parquet reads only what it needs)."""
        location = self.url(name)
        return _upath(location).open("rb") if self.remote else open(_local(location), "rb")  # noqa: SIM115

    def exists(self, name: str) -> bool:
        location = self.url(name)
        return _upath(location).exists() if self.remote else _local(location).exists()

    def delete(self, name: str) -> bool:
        """Remove one file; True when something was deleted."""
        location = self.url(name)
        if self.remote:
            up = _upath(location)
            if not up.exists():
                return False
            up.unlink()
            return True
        p = _local(location)
        if not p.exists():
            return False
        p.unlink()
        return True

    def delete_tree(self, folder: str) -> None:
        """Remove a sub-folder and everything in it (no error when it does not exist)."""
        location = self.url(folder)
        if self.remote:
            up = _upath(location)
            if up.exists():
                up.fs.rm(up.path, recursive=True)
            return
        import shutil

        shutil.rmtree(_local(location), ignore_errors=True)

    def local_path(self, name: str = "") -> Path | None:
        """The local file-system path of ``name`` (default: this storage's folder), or None
        on an object store."""
        return None if self.remote else _local(self.url(name))

    def _remote_entries(self, folder: str, kind: str, prefix: str = "") -> list[str]:
        """Names of the ``kind`` ("file" / "directory") entries directly in a remote folder
        (starting with ``prefix``): one listing, paginated by the store, never a request per
        entry; object stores that list by key prefix (s3fs, gcsfs) list only ``prefix``."""
        up = _upath(self.url(folder))
        try:
            if prefix and kind == "file" and _lists_by_prefix(up.fs):
                entries = up.fs.find(up.path, maxdepth=1, detail=True, prefix=prefix).values()
            else:
                entries = up.fs.ls(up.path, detail=True)
        except FileNotFoundError:
            return []
        names = (e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") == kind)
        return [n for n in names if n.startswith(prefix)]

    def names(self, folder: str = "", prefix: str = "") -> list[str]:
        """Names of the files directly in ``folder`` that start with ``prefix`` (sorted;
        temporary files excluded)."""
        location = self.url(folder)
        if self.remote:
            names = self._remote_entries(folder, "file", prefix)
        else:
            try:
                with os.scandir(_local(location)) as entries:
                    names = [e.name for e in entries if e.name.startswith(prefix) and e.is_file()]
            except (FileNotFoundError, NotADirectoryError):
                names = []
        return sorted(n for n in names if not n.endswith(".tmp"))

    def folders(self, folder: str = "") -> list[str]:
        """Names of the sub-folders directly in ``folder``."""
        location = self.url(folder)
        if self.remote:
            return sorted(self._remote_entries(folder, "directory"))
        p = _local(location)
        return sorted(e.name for e in p.iterdir() if e.is_dir()) if p.is_dir() else []

    # --- typed files ---------------------------------------------------------------------
    def write_json(self, name: str, obj: Any) -> str:
        return self.write_bytes(name, json.dumps(obj, indent=1, sort_keys=True, default=str).encode())

    def read_json(self, name: str) -> Any:
        return json.loads(self.read_bytes(name))

    def write_table(self, name: str, rows: Iterable[Mapping[str, Any]], schema: pa.Schema | None = None) -> str:
        return self.write_bytes(name, rows_to_parquet(rows, schema))

    def read_table(self, name: str) -> list[dict[str, Any]]:
        return parquet_to_rows(self.read_bytes(name))
