"""FAISS indexes over unit-norm vectors (inner product = cosine), with string ids and a
metadata table, persisted atomically.

Kinds: ``flat`` (``IndexFlatIP``, exact: the reference for ANN recall), ``hnsw``
(``IndexHNSWFlat``, inner-product metric; ``M``, ``ef_construction``, ``ef_search``) and
``ivf`` (``IndexIVFFlat`` over a flat-IP coarse quantizer; ``nlist`` defaults to
``default_nlist(N)`` = min(4√N, N/39), ``nprobe``). FAISS row ``i`` is ``ids[i]`` and ``metadata[i]``.

On disk (a folder): ``index.faiss`` (``faiss.serialize_index``), ``metadata.parquet`` (the
``id`` column + metadata fields) and ``manifest.json`` (kind, params, dim, count, sha256 of
both files). Each file is written to a temporary name and renamed (``atomic_write_bytes``);
the manifest goes last and its checksums let ``load`` refuse a half-replaced set.

Threads: ``FAISS_THREADS = 2`` with ``OMP_WAIT_POLICY=PASSIVE``, chosen by
``benchmarks/bench_ann_100k.py`` on this 2-core machine (IVF train+add of 50k vectors / HNSW
M=32 build of 20k; three runs per setting, each beside 0, 1 or 2 CPU-burning processes). By
default faiss's bundled libgomp spins (GOMP_SPINCOUNT 300000) at every barrier: two spinning
threads burnt 15-50% more CPU than one thread for the same build (IVF 3.1-4.3 s vs 2.5-2.9 s)
and beside one busy core were slower than one thread (IVF 3.4-3.8 s vs 2.6-2.7 s): the stall
that made wave 1 run single-threaded (its "minutes" were not reproduced at this size). Passive
threads sleep instead: two of them burn about the CPU of one (IVF 2.9-3.8 s), are as fast as
one beside a busy core (IVF 2.8-3.2 s, HNSW 3.6-4.9 s vs 3.8-6.0 s) and 1.6-1.8x faster on idle
cores (IVF 1.6 s vs 2.5 s, HNSW 2.2 s vs 3.9 s). libgomp reads OMP_WAIT_POLICY once, when faiss
is first imported: GOMP_SPINCOUNT was 0 when the policy was set in ``os.environ`` just before
``import faiss`` (as at process start) and 300000 when set after. So ``_faiss`` sets it only
around that first import and restores the environment (torch and other OpenMP users keep
their own); a value already in the environment wins; if something imported faiss first,
``faiss_runtime()`` reports the policy as unknown. libgomp keeps the thread count per calling
thread, so every build, load and search applies ``FAISS_THREADS``.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.lib.storage import read_bytes as _read_bytes

INDEX_KINDS = ("flat", "hnsw", "ivf")
INDEX_FILE, METADATA_FILE, MANIFEST_FILE = "index.faiss", "metadata.parquet", "manifest.json"
DEFAULTS: dict[str, dict[str, int]] = {
    "flat": {},
    "hnsw": {"M": 16, "ef_construction": 100, "ef_search": 48},
    "ivf": {"nprobe": 32},
}
# Chosen by benchmarks/bench_ann_100k.py (100,000 synthetic vectors calibrated on SciFact, and a
# second generator that extrapolates differently) and benchmarks/bench_index.py (SciFact, 5,183
# MiniLM vectors, 809 real claims): the cheapest setting whose recall@10 95% lower bound is
# >= 0.96 on all three (0.01 above the recall gate, so a new corpus does not fail the gate on
# noise). HNSW M=16/efC=100/ef=48: SciFact 0.986 [0.983, 0.989]; 100k 0.994 and 0.979 (second
# generator, where ef=32 drops to 0.964 [0.956]) at ~5x flat QPS with all queries in one call
# and 100-200x one query per call; builds 100k in ~12 s on 2 free cores. At equal recall M=32
# (ef 32) searches no faster and builds ~2x slower; efConstruction 200 adds <= 0.002 recall for
# 2.5x the build, 40 loses 0.02. IVF nlist=min(4√N, N/39), nprobe=32: SciFact (nlist 132) 0.975
# [0.971], 100k (nlist 1,265) 0.998 and 0.987 at ~2.4x flat (~37x one query per call). The
# synthetic sets reach recall 0.95 with 2-8 of 1,265 lists probed; real claims on SciFact need
# 24-32 of 132, so nprobe keeps the real-data margin. Measured numbers: the benchmark outputs.


# One thread. benchmarks/bench_index.py measured 2 threads with the passive wait policy 1.6-1.8x
# faster on idle cores and no slower beside one busy core; but in the test suite (2 pytest workers,
# MiniLM's torch threads in the same process) a flat search of 809 x 5,183 vectors on 2 threads
# spun for over 15 CPU-minutes instead of < 1 s. Correctness and a bounded cost come first; set
# FAISS_THREADS = 2 on a machine whose cores the index build has to itself.
FAISS_THREADS = 1
FAISS_WAIT_POLICY: str | None = "PASSIVE"  # OMP_WAIT_POLICY for faiss's own OpenMP runtime
_RUNTIME: dict[str, Any] = {}


def _faiss() -> Any:
    """faiss with ``FAISS_THREADS`` OpenMP threads for the calling thread and, when this is the
    first import, ``OMP_WAIT_POLICY=FAISS_WAIT_POLICY`` for its runtime (see the docstring)."""
    if "faiss" not in sys.modules:
        before = os.environ.get("OMP_WAIT_POLICY")
        if before is None and FAISS_WAIT_POLICY:
            os.environ["OMP_WAIT_POLICY"] = FAISS_WAIT_POLICY
        try:
            import faiss  # its bundled libgomp reads OMP_WAIT_POLICY once, here
        finally:
            if before is None:
                os.environ.pop("OMP_WAIT_POLICY", None)  # scoped: torch & co. keep their own
        _RUNTIME["wait_policy"] = before or FAISS_WAIT_POLICY or "default"
    import faiss

    _RUNTIME.setdefault("wait_policy", "unknown: faiss was imported before rag_eval_assets")
    faiss.omp_set_num_threads(FAISS_THREADS)
    return faiss


def faiss_runtime() -> dict[str, Any]:
    """Threads and OpenMP wait policy FAISS runs with in this process (for run metadata)."""
    faiss = _faiss()
    return {"threads": int(faiss.omp_get_max_threads()), "wait_policy": _RUNTIME["wait_policy"]}


def _as_matrix(vectors: np.ndarray) -> np.ndarray:
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-d array of vectors, got shape {arr.shape}")
    return arr


@dataclass
class VectorIndex:
    """A FAISS index plus the string id and metadata row of each vector."""

    kind: str
    index: Any
    ids: list[str]
    metadata: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. model_id, stored in the manifest

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def set_search_params(self, ef_search: int | None = None, nprobe: int | None = None) -> None:
        """Change the search-time knob of an HNSW (``ef_search``) or IVF (``nprobe``) index."""
        if ef_search is not None:
            if self.kind != "hnsw":
                raise ValueError(f"ef_search applies to hnsw, not {self.kind}")
            self.index.hnsw.efSearch = int(ef_search)
            self.params["ef_search"] = int(ef_search)
        if nprobe is not None:
            if self.kind != "ivf":
                raise ValueError(f"nprobe applies to ivf, not {self.kind}")
            self.index.nprobe = int(nprobe)
            self.params["nprobe"] = int(nprobe)

    def search_rows(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """FAISS rows and scores ``(n, k)``; missing results are row -1 with score -inf."""
        q = _as_matrix(queries)
        _faiss()  # OpenMP thread counts are per calling thread: apply ours on this one too
        k = min(k, len(self))
        if k <= 0 or len(q) == 0:
            return np.zeros((len(q), 0), np.float32), np.zeros((len(q), 0), np.int64)
        scores, rows = self.index.search(q, k)
        scores = np.where(rows < 0, -np.inf, scores).astype(np.float32)
        return scores, rows

    def search(self, queries: np.ndarray, k: int) -> list[list[tuple[str, float]]]:
        """Per query, up to ``k`` ``(id, cosine)`` pairs, best first."""
        scores, rows = self.search_rows(queries, k)
        return [[(self.ids[r], float(s)) for r, s in zip(rr, ss) if r >= 0]
                for rr, ss in zip(rows.tolist(), scores.tolist())]

    # --- persistence ---------------------------------------------------------------------
    def save(self, folder: str | Path) -> None:
        """Write index, metadata and manifest (last) atomically under ``folder``."""
        folder = str(folder).rstrip("/")
        index_bytes = _faiss().serialize_index(self.index).tobytes()
        rows = [{"id": i, **m} for i, m in zip(self.ids, self.metadata or [{}] * len(self.ids))]
        buf = io.BytesIO()
        pq.write_table(pa.Table.from_pylist(rows) if rows else pa.table({"id": pa.array([], pa.string())}), buf)
        meta_bytes = buf.getvalue()
        atomic_write_bytes(f"{folder}/{INDEX_FILE}", index_bytes)
        atomic_write_bytes(f"{folder}/{METADATA_FILE}", meta_bytes)
        manifest = {"kind": self.kind, "params": self.params, "dim": self.dim, "count": len(self),
                    "extra": self.extra, "sha256": {INDEX_FILE: hashlib.sha256(index_bytes).hexdigest(),
                                                    METADATA_FILE: hashlib.sha256(meta_bytes).hexdigest()}}
        atomic_write_bytes(f"{folder}/{MANIFEST_FILE}", json.dumps(manifest, indent=1, sort_keys=True).encode())

    @classmethod
    def load(cls, folder: str | Path) -> VectorIndex:
        """Read a saved index; raises ValueError when a file does not match the manifest."""
        folder = str(folder).rstrip("/")
        manifest = json.loads(_read_bytes(f"{folder}/{MANIFEST_FILE}"))
        blobs = {name: _read_bytes(f"{folder}/{name}") for name in (INDEX_FILE, METADATA_FILE)}
        for name, data in blobs.items():
            if hashlib.sha256(data).hexdigest() != manifest["sha256"][name]:
                raise ValueError(f"{folder}/{name} does not match {MANIFEST_FILE} (interrupted write?)")
        faiss = _faiss()
        index = faiss.deserialize_index(np.frombuffer(blobs[INDEX_FILE], dtype=np.uint8))
        rows = pq.read_table(io.BytesIO(blobs[METADATA_FILE])).to_pylist()
        out = cls(manifest["kind"], index, [r.pop("id") for r in rows], rows, dict(manifest["params"]),
                  dict(manifest.get("extra", {})))
        out.set_search_params(ef_search=out.params.get("ef_search"), nprobe=out.params.get("nprobe"))
        return out


def default_nlist(n: int) -> int:
    """IVF list count: round(4√N), capped at N/39 (FAISS's minimum of 39 training vectors per
    list, below which its k-means warns), at least 1."""
    return max(1, min(round(4 * math.sqrt(n)), n // 39))


def build_index(kind: str, vectors: np.ndarray, ids: Sequence[str],
                metadata: Sequence[Mapping[str, Any]] | None = None, **params: Any) -> VectorIndex:
    """Build a ``flat`` | ``hnsw`` | ``ivf`` index over unit-norm ``vectors`` with string ``ids``.

    hnsw params: ``M`` (graph degree, 16), ``ef_construction`` (100), ``ef_search`` (48).
    ivf params: ``nlist`` (``default_nlist``), ``nprobe`` (32, capped at nlist); trained on the vectors
    themselves (k-means, FAISS's seed). ``metadata``: one mapping per vector (doc_id, chunk_id, …).
    """
    if kind not in INDEX_KINDS:
        raise ValueError(f"index kind {kind!r} not in {INDEX_KINDS}")
    unknown = set(params) - set(DEFAULTS[kind]) - ({"nlist"} if kind == "ivf" else set())
    if unknown:
        raise ValueError(f"unknown {kind} params {sorted(unknown)}")
    x = _as_matrix(vectors)
    ids = [str(i) for i in ids]
    if len(ids) != len(x) or (metadata is not None and len(metadata) != len(x)):
        raise ValueError(f"{len(x)} vectors, {len(ids)} ids, {len(metadata or [])} metadata rows")
    if len(set(ids)) != len(ids):
        raise ValueError("ids must be unique")
    faiss = _faiss()
    p: dict[str, Any] = {**DEFAULTS[kind], **params}
    if kind == "flat":
        index = faiss.IndexFlatIP(x.shape[1])
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(x.shape[1], int(p["M"]), faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = int(p["ef_construction"])
        index.hnsw.efSearch = int(p["ef_search"])
    else:
        p["nlist"] = int(p.get("nlist") or default_nlist(len(x)))
        p["nprobe"] = min(int(p["nprobe"]), p["nlist"])
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(x.shape[1]), x.shape[1], p["nlist"], faiss.METRIC_INNER_PRODUCT)
        index.train(x)
        index.nprobe = p["nprobe"]
    index.add(x)
    return VectorIndex(kind, index, ids, [dict(m) for m in metadata] if metadata is not None else [], p)
