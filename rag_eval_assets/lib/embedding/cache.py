"""Embedding cache keyed by (sha256 of the chunk text, model id): unchanged chunks are never
re-embedded.

Layout: ``<folder>/<model slug>/part-<n>-<hash>.parquet``, one file per ``flush``, holding only
the vectors that flush added (columns ``key`` = sha256 hex of the UTF-8 text, ``vector`` =
fixed-size list of float32). Appending a shard costs what changed, not the corpus size;
``compact`` merges shards into one. Each file is written atomically
(``storage.atomic_write_bytes``), so a killed run leaves whole shards or none. The model id and
dimension are stored in each shard's schema metadata and checked when loading.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rag_eval_assets.lib.embedding.base import Embedder
from rag_eval_assets.lib.storage import atomic_write_bytes


def text_key(text: str) -> str:
    """sha256 hex digest of the UTF-8 text: the cache key within one model."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _slug(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "__", model_id)


class EmbeddingCache:
    """Embeds through ``embedder`` and remembers every vector by text hash.

    Counters (per requested text, cumulative): ``hits`` were served from vectors stored before
    the call, ``misses`` were not; ``embedded`` counts the distinct texts actually sent to the
    model (duplicates within one call are embedded once). ``embed`` adds new vectors to memory;
    ``flush`` (called by ``embed`` when ``autoflush``) persists them as one new shard.
    """

    def __init__(self, folder: str | Path, embedder: Embedder, autoflush: bool = True) -> None:
        self.embedder = embedder
        self.folder = Path(folder) / _slug(embedder.model_id)
        self.autoflush = autoflush
        self.hits = self.misses = self.embedded = 0
        self._vectors: dict[str, np.ndarray] = {}
        self._pending: dict[str, np.ndarray] = {}
        self._load()

    # --- persistence ---------------------------------------------------------------------
    def _shards(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet")) if self.folder.is_dir() else []

    def _load(self) -> None:
        for shard in self._shards():
            table = pq.read_table(shard)
            meta = table.schema.metadata or {}
            model_id = meta.get(b"model_id", b"").decode()
            dim = int(meta.get(b"dim", b"0"))
            if model_id != self.embedder.model_id or dim != self.embedder.dim:
                raise ValueError(f"{shard}: cached for {model_id!r} (dim {dim}), not "
                                 f"{self.embedder.model_id!r} (dim {self.embedder.dim})")
            keys = table.column("key").to_pylist()
            flat = table.column("vector").combine_chunks().flatten().to_numpy(zero_copy_only=False)
            vectors = np.asarray(flat, dtype=np.float32).reshape(len(keys), dim)
            self._vectors.update(zip(keys, vectors))

    def _write(self, items: dict[str, np.ndarray], name: str) -> Path:
        dim = self.embedder.dim
        keys = list(items)
        flat = np.stack([items[k] for k in keys]).astype(np.float32).ravel() if keys else np.zeros(0, np.float32)
        vectors = pa.FixedSizeListArray.from_arrays(pa.array(flat, pa.float32()), dim)
        schema = pa.schema([("key", pa.string()), ("vector", pa.list_(pa.float32(), dim))],
                           metadata={"model_id": self.embedder.model_id, "dim": str(dim)})
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_arrays([pa.array(keys, pa.string()), vectors], schema=schema), buf)
        path = self.folder / name
        atomic_write_bytes(path, buf.getvalue())
        return path

    def flush(self) -> Path | None:
        """Persist vectors added since the last flush as one new shard; None when nothing is new."""
        if not self._pending:
            return None
        digest = hashlib.sha256("".join(sorted(self._pending)).encode()).hexdigest()[:12]
        path = self._write(self._pending, f"part-{len(self._shards()):06d}-{digest}.parquet")
        self._pending = {}
        return path

    def compact(self) -> Path | None:
        """Rewrite all stored vectors as a single shard and delete the old shards."""
        self.flush()
        old = self._shards()
        if len(old) <= 1:
            return old[0] if old else None
        digest = hashlib.sha256("".join(sorted(self._vectors)).encode()).hexdigest()[:12]
        path = self._write(self._vectors, f"part-{0:06d}-{digest}-c.parquet")
        for shard in old:
            if shard != path:
                shard.unlink(missing_ok=True)
        return path

    # --- lookup --------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._vectors)

    def __contains__(self, text: str) -> bool:
        return text_key(text) in self._vectors

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
