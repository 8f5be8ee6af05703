"""Embedding cache keyed by (sha256 of the chunk text, model id): unchanged chunks are never
re-embedded.

Layout (a ``Storage`` location, local or remote): ``<model slug>/part-<n>-<hash>.parquet``,
each with columns ``key`` (sha256 hex of the UTF-8 text) and ``vector`` (fixed-size list of
float32), sorted by key in row groups of ``ROW_GROUP`` rows. ``flush`` writes what the last
calls added as one new shard; when there are more than ``MAX_SHARDS`` shards, ``flush``
compacts them into one (the old shards are deleted after the merged one is written, so a kill
leaves duplicates, never a gap). Opening reads only the ``key`` columns; vectors are read by
row group on the first request for one of their keys (a run that changes 1% of the corpus
reads ~1% of the vectors). Every write is atomic; the model id and dimension are in each
shard's schema metadata and checked when a shard is read.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rag_eval_assets.lib.embedding.base import Embedder
from rag_eval_assets.lib.storage import Storage

ROW_GROUP = 2048
MAX_SHARDS = 8


def text_key(text: str) -> str:
    """sha256 hex digest of the UTF-8 text: the cache key within one model."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "__", model_id)


class EmbeddingCache:
    """Embeds through ``embedder`` and remembers every vector by text hash.

    Counters (per requested text, cumulative): ``hits`` were served from vectors stored before
    the call, ``misses`` were not; ``embedded`` counts the distinct texts actually sent to the
    model (duplicates within one call are embedded once). ``embed`` keeps new vectors in memory;
    ``flush`` (called by ``embed`` when ``autoflush``) persists them as one new shard.
    """

    def __init__(self, location: Storage | str | Path, embedder: Embedder, autoflush: bool = False) -> None:
        self.embedder = embedder
        base = location if isinstance(location, Storage) else Storage(location)
        self.store = base.sub(_slug(embedder.model_id))
        self.autoflush = autoflush
        self.hits = self.misses = self.embedded = 0
        self._vectors: dict[str, np.ndarray] = {}
        self._pending: dict[str, np.ndarray] = {}
        self._where: dict[str, tuple[str, int]] = {}  # key -> (shard, row group) not loaded yet
        self._index()

    # --- persistence ---------------------------------------------------------------------
    def _shards(self) -> list[str]:
        return [n for n in self.store.names() if n.startswith("part-") and n.endswith(".parquet")]

    def _check(self, name: str, schema: pa.Schema) -> None:
        meta = schema.metadata or {}
        model_id = meta.get(b"model_id", b"").decode()
        dim = int(meta.get(b"dim", b"0"))
        if model_id != self.embedder.model_id or dim != self.embedder.dim:
            raise ValueError(f"{self.store.url(name)}: cached for {model_id!r} (dim {dim}), not "
                             f"{self.embedder.model_id!r} (dim {self.embedder.dim})")

    def _index(self) -> None:
        """Read the key column of every shard (not the vectors)."""
        for name in self._shards():
            with self.store.open(name) as fh:
                pf = pq.ParquetFile(fh)
                self._check(name, pf.schema_arrow)
                for rg in range(pf.num_row_groups):
                    for key in pf.read_row_group(rg, columns=["key"]).column("key").to_pylist():
                        self._where[key] = (name, rg)

    def _load(self, keys: Sequence[str]) -> None:
        """Read the row groups holding ``keys`` (vectors not in memory yet)."""
        groups: dict[str, set[int]] = defaultdict(set)
        for key in keys:
            if key not in self._vectors and key in self._where:
                name, rg = self._where[key]
                groups[name].add(rg)
        for name, rgs in groups.items():
            with self.store.open(name) as fh:
                pf = pq.ParquetFile(fh)
                for rg in sorted(rgs):
                    table = pf.read_row_group(rg)
                    ks = table.column("key").to_pylist()
                    flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
                    vectors = np.asarray(flat, dtype=np.float32).reshape(len(ks), -1)
                    for k, v in zip(ks, vectors):
                        self._vectors[k] = v
                        self._where.pop(k, None)

    def _write(self, items: dict[str, np.ndarray], name: str) -> str:
        dim = self.embedder.dim
        keys = sorted(items)
        flat = np.stack([items[k] for k in keys]).astype(np.float32).ravel() if keys else np.zeros(0, np.float32)
        vectors = pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), dim)
        schema = pa.schema([("key", pa.string()), ("vector", pa.list_(pa.float32(), dim))],
                           metadata={"model_id": self.embedder.model_id, "dim": str(dim)})
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_arrays([pa.array(keys, pa.string()), vectors], schema=schema), buf,
                       row_group_size=ROW_GROUP)
        return self.store.write_bytes(name, buf.getvalue())

    def flush(self) -> str | None:
        """Persist vectors added since the last flush as one new shard (compacting when there
        are more than MAX_SHARDS); None when nothing is new."""
        if not self._pending:
            return None
        digest = hashlib.sha256("".join(sorted(self._pending)).encode()).hexdigest()[:12]
        shards = self._shards()
        name = f"part-{len(shards):06d}-{digest}.parquet"
        url = self._write(self._pending, name)
        for key in self._pending:
            self._where.pop(key, None)
        self._pending = {}
        if len(shards) + 1 > MAX_SHARDS:
            url = self.compact() or url
        return url

    def compact(self) -> str | None:
        """Rewrite all stored vectors as a single shard and delete the old shards."""
        if self._pending:
            self.flush()
        old = self._shards()
        if len(old) <= 1:
            return self.store.url(old[0]) if old else None
        self._load(list(self._where))
        digest = hashlib.sha256("".join(sorted(self._vectors)).encode()).hexdigest()[:12]
        name = f"part-{0:06d}-{digest}-c.parquet"
        url = self._write(self._vectors, name)
        for shard in old:
            if shard != name:
                self.store.delete(shard)
        return url

    # --- lookup --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(set(self._vectors) | set(self._where))

    def __contains__(self, text: str) -> bool:
        key = text_key(text)
        return key in self._vectors or key in self._where

    @property
    def shards(self) -> int:
        return len(self._shards())

    @property
    def hit_rate(self) -> float:
        """hits / (hits + misses); 0.0 before any request."""
        total = self.hits + self.misses
        return self.hits / total if total else 0.0

    def reset_counters(self) -> None:
        self.hits = self.misses = self.embedded = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts`` (``(n, dim)`` float32), embedding only texts never seen before."""
        keys = [text_key(t) for t in texts]
        self._load(keys)
        todo: dict[str, str] = {}
        for key, text in zip(keys, texts):
            if key in self._vectors:
                self.hits += 1
            else:
                self.misses += 1
                todo.setdefault(key, text)
        if todo:
            fresh = self.embedder.embed(list(todo.values()))
            self.embedded += len(todo)
            new = dict(zip(todo, np.asarray(fresh, dtype=np.float32)))
            self._vectors.update(new)
            self._pending.update(new)
            if self.autoflush:
                self.flush()
        if not keys:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])
