"""Where every asset's output lives and how to read it: the one owner of the storage layout.

Stage code asks ``Outputs`` for a location or a reader and never joins paths to a root, so the
same code runs on a local folder and on ``s3://…`` (see ``lib/storage``).

Layout under the storage root:

- per-document outputs: ``<asset>/<doc_id>@<version>.<json|parquet>``; a final failure (a
  corrupt PDF, invalid metadata, a parse that failed upstream) is ``<doc_id>@<version>.failed.json``.
  ``version`` is the document's expected version for that stage (``lib/state``): content hash
  plus the configuration the stage depends on. Listing a folder therefore tells, without
  reading a file, which documents are processed for their current content: the state that the
  CLI, the sensor and the assets all read. Writing a new version removes the older ones.
- retryable per-document errors (an unexpected exception, a killed parser worker, a timeout):
  ``_failures/<stage>/<doc_id>@<version>.json``. They are not outputs, so the document stays
  pending and is retried; they are kept for the run summary and the report.
- corpus-level outputs: ``<asset>/_<key>.<ext>`` (``_corpus.parquet`` by default) and the
  multi-file outputs below; ``prune`` never touches them.
- indexes ``vector_index/<kind>/``, ``sparse_index/``; caches ``_cache/embeddings/``,
  ``_cache/judge/``, ``_cache/scores/``; pipeline state ``_state/``.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from rag_eval_assets.lib import statcache
from rag_eval_assets.lib.storage import Storage, parquet_to_rows

CORPUS_KEY = "_corpus"
FAILED_SUFFIX = ".failed.json"
FAILURES = "_failures"
STATE = "_state"
#: Per-document assets (every folder named ``parsed_<parser>`` is one too).
DOCUMENT_ASSETS = ("document_records", "parsed_documents", "cleaned_documents", "chunks", "embeddings")
_FORMATS = {"chunks": "parquet", "embeddings": "parquet"}  # the others are JSON
STATS_KEY = b"rag_eval_stats"


def is_document_asset(asset: str) -> bool:
    return asset in DOCUMENT_ASSETS or asset.startswith("parsed_")


def document_format(asset: str) -> str:
    return _FORMATS.get(asset, "json")


@dataclass(frozen=True)
class DocOutput:
    """One stored per-document output: its version and whether it records a final failure."""

    doc_id: str
    version: str
    failed: bool
    name: str  # file name inside the asset folder


def _parse_name(name: str) -> DocOutput | None:
    if name.startswith((".", "_")) or "@" not in name:
        return None
    doc_id, rest = name.split("@", 1)
    if rest.endswith(FAILED_SUFFIX):
        return DocOutput(doc_id, rest[: -len(FAILED_SUFFIX)], True, name)
    version, dot, _ = rest.partition(".")
    return DocOutput(doc_id, version, False, name) if dot else None


_INDEX_CACHE: dict[tuple[str, str], Any] = {}
_STATS: dict[tuple[str, str, str], dict[str, Any]] = {}
_INDEX_LOCK = threading.Lock()


class Outputs:
    """Locations and readers of every output under one storage root."""

    def __init__(self, storage: Storage | str) -> None:
        self.storage = storage if isinstance(storage, Storage) else Storage(storage)

    @property
    def root(self) -> str:
        return self.storage.root

    # --- corpus-level files ----------------------------------------------------------------
    @staticmethod
    def name(asset: str, key: str = CORPUS_KEY, ext: str = "parquet") -> str:
        return f"{asset}/{key}.{ext}"

    def url(self, asset: str, key: str = CORPUS_KEY, ext: str = "parquet") -> str:
        return self.storage.url(self.name(asset, key, ext))

    def exists(self, asset: str, key: str = CORPUS_KEY, ext: str = "parquet") -> bool:
        return self.storage.exists(self.name(asset, key, ext))

    def write_rows(self, asset: str, rows: Iterable[Mapping[str, Any]], key: str = CORPUS_KEY,
                   schema: pa.Schema | None = None) -> str:
        return self.storage.write_table(self.name(asset, key), rows, schema)

    def read_rows(self, asset: str, key: str = CORPUS_KEY, default: list | None = None) -> list[dict[str, Any]]:
        """Rows of a corpus-level table; ``default`` (when given) if it does not exist."""
        if default is not None and not self.exists(asset, key):
            return default
        return self.storage.read_table(self.name(asset, key))

    def write_json(self, asset: str, obj: Any, key: str = CORPUS_KEY) -> str:
        return self.storage.write_json(self.name(asset, key, "json"), obj)

    def read_json(self, asset: str, key: str = CORPUS_KEY, default: Any = ...) -> Any:
        """A corpus-level JSON file; ``default`` (when given) if it does not exist."""
        if default is not ... and not self.exists(asset, key, "json"):
            return default
        return self.storage.read_json(self.name(asset, key, "json"))

    def write_bytes(self, asset: str, key: str, ext: str, data: bytes) -> str:
        return self.storage.write_bytes(self.name(asset, key, ext), data)

    def read_bytes(self, asset: str, key: str, ext: str, default: bytes | None = None) -> bytes:
        if default is not None and not self.exists(asset, key, ext):
            return default
        return self.storage.read_bytes(self.name(asset, key, ext))

    # --- per-document outputs --------------------------------------------------------------
    def listing(self, asset: str) -> Mapping[str, tuple[DocOutput, ...]]:
        """doc_id -> its stored outputs (one folder listing, no file read; read-only). A document
        has two only when a write was killed before the older version was removed. While the
        local folder is unchanged the same object is returned (an object store has no folder
        mtime to trust: a new listing each call), so results derived from it can be reused."""
        def build() -> Mapping[str, tuple[DocOutput, ...]]:
            out: dict[str, list[DocOutput]] = {}
            for name in self.storage.names(asset):
                parsed = _parse_name(name)
                if parsed is not None:
                    out.setdefault(parsed.doc_id, []).append(parsed)
            return MappingProxyType({d: tuple(outs) for d, outs in out.items()})

        return statcache.cached(self.storage.local_path(asset), "listing", build)

    def versions(self, asset: str) -> dict[str, DocOutput]:
        """doc_id -> one stored output (see ``current_outputs`` to pick the expected version)."""
        return {d: outs[-1] for d, outs in self.listing(asset).items()}

    def _all_versions(self, asset: str, doc_id: str) -> list[str]:
        return self.storage.names(asset, prefix=f"{doc_id}@")

    def write_document(self, asset: str, doc_id: str, version: str, data: Any,
                       schema: pa.Schema | None = None, file_metadata: Mapping[str, Any] | None = None) -> str:
        """Store one document's output (a JSON-able object; rows or a ``pa.Table`` for Parquet
        assets, with optional ``file_metadata`` stats in the Parquet footer) under its version,
        then remove its older versions (a kill in between leaves both; readers take the
        expected version)."""
        ext = document_format(asset)
        name = f"{doc_id}@{version}.{ext}"
        if ext == "parquet":
            table = data if isinstance(data, pa.Table) else (
                pa.Table.from_pylist(list(data), schema=schema) if data or schema else pa.table({}))
            if file_metadata is not None:
                meta = dict(table.schema.metadata or {})
                meta[STATS_KEY] = json.dumps(dict(file_metadata), default=str).encode()
                table = table.replace_schema_metadata(meta)
            buf = io.BytesIO()
            pq.write_table(table, buf)
            url = self.storage.write_bytes(f"{asset}/{name}", buf.getvalue())
        else:
            url = self.storage.write_json(f"{asset}/{name}", data)
        self._supersede(asset, doc_id, name)
        return url

    def write_document_failure(self, asset: str, doc_id: str, version: str, failure: Mapping[str, Any]) -> str:
        """Store a final failure as the document's output for this version (not retried)."""
        name = f"{doc_id}@{version}{FAILED_SUFFIX}"
        url = self.storage.write_json(f"{asset}/{name}", dict(failure))
        self._supersede(asset, doc_id, name)
        return url

    def _supersede(self, asset: str, doc_id: str, keep: str) -> None:
        for old in self._all_versions(asset, doc_id):
            if old != keep:
                self.storage.delete(f"{asset}/{old}")

    def read_document(self, asset: str, doc_id: str, version: str | None = None) -> Any:
        """A document's stored output: the JSON object, rows (Parquet assets), or for a final
        failure the failure record with ``"failed": True``. ``version`` None: the stored one.
        Raises FileNotFoundError when it is absent."""
        if version is None:
            found = self.versions(asset).get(doc_id)
            if found is None:
                raise FileNotFoundError(f"{asset}: no output for {doc_id}")
            return self.read_output(asset, found)
        ext = document_format(asset)
        for name, failed in ((f"{doc_id}@{version}.{ext}", False), (f"{doc_id}@{version}{FAILED_SUFFIX}", True)):
            if self.storage.exists(f"{asset}/{name}"):
                return self.read_output(asset, DocOutput(doc_id, version, failed, name))
        raise FileNotFoundError(f"{asset}: no output for {doc_id} at version {version}")

    def read_output(self, asset: str, out: DocOutput) -> Any:
        if out.failed:
            return {**self.storage.read_json(f"{asset}/{out.name}"), "failed": True}
        if out.name.endswith(".parquet"):
            return parquet_to_rows(self.storage.read_bytes(f"{asset}/{out.name}"))
        return self.storage.read_json(f"{asset}/{out.name}")

    def read_table(self, asset: str, out: DocOutput) -> pa.Table:
        """A Parquet output as an Arrow table (vectors stay one float32 buffer)."""
        return pq.read_table(io.BytesIO(self.storage.read_bytes(f"{asset}/{out.name}")))

    def read_stats(self, asset: str, out: DocOutput) -> dict[str, Any]:
        """The stats stored with a Parquet output (its footer only); {} for failures/none.
        Outputs never change under their versioned name, so stats are kept per process."""
        if out.failed or not out.name.endswith(".parquet"):
            return {}
        key = (self.root, asset, out.name)
        if key not in _STATS:
            with self.storage.open(f"{asset}/{out.name}") as fh:
                meta = pq.ParquetFile(fh).schema_arrow.metadata or {}
            if len(_STATS) > 200_000:
                _STATS.clear()
            _STATS[key] = json.loads(meta[STATS_KEY]) if STATS_KEY in meta else {}
        return _STATS[key]

    def current_outputs(self, asset: str, expected: Mapping[str, str]) -> dict[str, DocOutput]:
        """The outputs of ``asset`` at their expected version (``expected``: doc_id -> version)."""
        found = {}
        for d, outs in self.listing(asset).items():
            match = next((o for o in outs if o.version == expected.get(d)), None)
            if match is not None:
                found[d] = match
        return found

    # --- retryable errors ------------------------------------------------------------------
    def record_error(self, stage: str, doc_id: str, version: str, record: Mapping[str, Any]) -> None:
        """Keep a retryable per-document error (the document stays pending)."""
        folder = f"{FAILURES}/{stage}"
        for old in self.storage.names(folder):
            if old.startswith(f"{doc_id}@"):
                self.storage.delete(f"{folder}/{old}")
        self.storage.write_json(f"{folder}/{doc_id}@{version}.json", {**record, "stage": stage, "doc_id": doc_id,
                                                                     "version": version})

    def clear_error(self, stage: str, doc_id: str) -> None:
        folder = f"{FAILURES}/{stage}"
        for old in self.storage.names(folder):
            if old.startswith(f"{doc_id}@"):
                self.storage.delete(f"{folder}/{old}")

    def errors(self, current: set[str] | None = None) -> list[dict[str, Any]]:
        """Every recorded retryable error (of ``current`` documents only, when given)."""
        out = []
        for stage in self.storage.folders(FAILURES):
            for name in self.storage.names(f"{FAILURES}/{stage}"):
                if current is None or name.split("@", 1)[0] in current:
                    out.append(self.storage.read_json(f"{FAILURES}/{stage}/{name}"))
        return out

    # --- housekeeping ----------------------------------------------------------------------
    def prune(self, current: set[str]) -> dict[str, int]:
        """Delete per-document outputs and errors of documents not in ``current``. Corpus-level
        files, indexes and caches are never touched. Returns asset -> files removed."""
        removed: dict[str, int] = {}
        folders = [a for a in self.storage.folders() if is_document_asset(a)]
        folders += [f"{FAILURES}/{s}" for s in self.storage.folders(FAILURES)]
        for folder in folders:
            for name in self.storage.names(folder):
                doc_id = name.split("@", 1)[0] if "@" in name else None
                if doc_id is not None and doc_id not in current:
                    self.storage.delete(f"{folder}/{name}")
                    removed[folder] = removed.get(folder, 0) + 1
        return removed

    # --- corpus readers ----------------------------------------------------------------------
    def manifest(self) -> list[dict[str, Any]]:
        """Records of the current, valid documents (the corpus manifest); [] before it exists."""
        return self.read_rows("corpus_manifest", default=[])

    def manifest_by_doc(self) -> dict[str, dict[str, Any]]:
        return {r["doc_id"]: r for r in self.manifest()}

    def canonical_of(self) -> dict[str, str]:
        """doc_id -> canonical document of its near-duplicate cluster (itself when unique)."""
        return {r["doc_id"]: r["canonical"] for r in self.read_rows("near_duplicates", default=[])}

    def duplicates(self) -> set[str]:
        """Documents that are near-duplicate copies of another (left out of the indexes)."""
        return {d for d, c in self.canonical_of().items() if c != d}

    def documents(self, asset: str, outputs: Mapping[str, DocOutput], ok_only: bool = True) -> dict[str, Any]:
        """doc_id -> stored output for the given listing entries (final failures skipped
        when ``ok_only``)."""
        return {d: self.read_output(asset, o) for d, o in sorted(outputs.items()) if not (ok_only and o.failed)}

    # --- indexes (multi-file outputs: each save is a new version folder, then a pointer) -----
    def _versioned(self, folder: str) -> str | None:
        """The current version folder of a multi-file output (None before the first save)."""
        pointer = f"{folder}/current.json"
        return f"{folder}/{self.storage.read_json(pointer)['version']}" if self.storage.exists(pointer) else None

    def _save_versioned(self, folder: str, save: Any) -> str:
        """``save(url)`` into a new version folder, then switch ``current.json`` to it (atomic)
        and remove older versions: a kill at any point leaves the previous version readable."""
        import uuid

        version = f"v-{uuid.uuid4().hex[:12]}"
        save(self.storage.url(f"{folder}/{version}"))
        self.storage.write_json(f"{folder}/current.json", {"version": version})
        for old in self.storage.folders(folder):
            if old != version:
                self.storage.delete_tree(f"{folder}/{old}")
        return self.storage.url(f"{folder}/{version}")

    def vector_index_url(self, kind: str) -> str:
        """Location of the current saved index of ``kind`` (raises when there is none)."""
        current = self._versioned(f"vector_index/{kind}")
        if current is None:
            raise FileNotFoundError(f"no saved {kind} vector index under {self.storage.url('vector_index')}")
        return self.storage.url(current)

    def save_vector_index(self, index: Any, kind: str) -> str:
        return self._save_versioned(f"vector_index/{kind}", index.save)

    def load_vector_index(self, kind: str) -> Any:
        """The current saved FAISS index, loaded once per process per saved version."""
        from rag_eval_assets.lib.indexing import VectorIndex

        url = self.vector_index_url(kind)
        with _INDEX_LOCK:
            cached = _INDEX_CACHE.get((url, kind))
            if cached is None:
                cached = VectorIndex.load(url)
                _INDEX_CACHE.clear()  # keep one version of one index per process
                _INDEX_CACHE[(url, kind)] = cached
            return cached

    def vector_index_exists(self, kind: str = "flat") -> bool:
        return self._versioned(f"vector_index/{kind}") is not None

    def vector_index_manifest(self, kind: str) -> dict[str, Any]:
        return read_json_url(f"{self.vector_index_url(kind)}/manifest.json")

    def indexed_chunks(self) -> tuple[Any, dict[str, str]]:
        """The flat (exact) vector index and its chunk -> document map (the indexed chunk set)."""
        flat = self.load_vector_index("flat")
        return flat, {c: m["doc_id"] for c, m in zip(flat.ids, flat.metadata)}

    def sparse_index_url(self) -> str:
        current = self._versioned("sparse_index")
        if current is None:
            raise FileNotFoundError(f"no saved BM25 index under {self.storage.url('sparse_index')}")
        return self.storage.url(current)

    def save_sparse_index(self, index: Any) -> str:
        return self._save_versioned("sparse_index", index.save)

    def sparse_index_exists(self) -> bool:
        return self._versioned("sparse_index") is not None

    def load_sparse_index(self) -> Any:
        from rag_eval_assets.lib.retrieval import BM25Index

        return BM25Index.load(self.sparse_index_url())

    # --- caches ------------------------------------------------------------------------------
    def embedding_cache(self, embedder: Any) -> Any:
        """The (chunk hash, model id) embedding cache shared by every stage that embeds."""
        from rag_eval_assets.lib.embedding import EmbeddingCache

        return EmbeddingCache(self.storage.sub("_cache/embeddings"), embedder)

    def judge_cache(self) -> Storage:
        return self.storage.sub("_cache/judge")

    def vector_cache(self, name: str) -> "VectorCache":
        """A persistent key -> array mapping (e.g. MinHash signatures by content hash)."""
        return VectorCache(self.storage, f"_cache/{name}.parquet")

    def overlap_cache(self, name: str) -> Any:
        """The persistent :class:`~rag_eval_assets.lib.dedup.overlaps.OverlapCache` ``name``; an
        unreadable file (another format, a torn copy) is an empty cache: it only saves work."""
        from rag_eval_assets.lib.dedup.overlaps import OverlapCache

        path = f"_cache/{name}.npz"
        if self.storage.exists(path):
            try:
                return OverlapCache.from_bytes(self.storage.read_bytes(path))
            except (OSError, ValueError, KeyError, EOFError):
                pass
        return OverlapCache()

    def save_overlap_cache(self, name: str, cache: Any, keep: Collection[str]) -> None:
        """Write ``cache`` with only the pairs of the sketch keys in ``keep``, when that changed it."""
        kept = cache.pruned(keep)
        if cache.added or len(kept) != cache.loaded:
            self.storage.write_bytes(f"_cache/{name}.npz", kept.to_bytes())

    def score_cache(self, name: str) -> "ScoreCache":
        return ScoreCache(self.storage, f"_cache/scores/{name}.json")

    # --- pipeline state ----------------------------------------------------------------------
    def state_url(self, name: str) -> str:
        return self.storage.url(f"{STATE}/{name}")

    def read_state(self, name: str, default: Any = None) -> Any:
        return self.storage.read_json(f"{STATE}/{name}.json") if self.storage.exists(f"{STATE}/{name}.json") else default

    def write_state(self, name: str, obj: Any) -> None:
        self.storage.write_json(f"{STATE}/{name}.json", obj)

    # --- report ------------------------------------------------------------------------------
    def report_url(self, run_id: str | None = None) -> str:
        return self.url("rag_eval_report", f"_run-{run_id}" if run_id else "_latest", "html")


class VectorCache(dict):
    """key -> numpy array, loaded from and saved to one Parquet file (only when it grew); keys
    that were not used in this process are dropped on save (their documents are gone)."""

    def __init__(self, storage: Storage, name: str, dtype: str = "uint32") -> None:
        super().__init__()
        self.storage, self.name = storage, name
        self.loaded = 0
        if storage.exists(name):
            import numpy as np

            table = pq.read_table(io.BytesIO(storage.read_bytes(name)))
            keys = table.column("key").to_pylist()
            values = table.column("value").to_pylist()
            for k, v in zip(keys, values):
                dict.__setitem__(self, k, np.asarray(v, dtype=dtype))
            self.loaded = len(keys)
        self.used: set[str] = set()

    def __getitem__(self, key: str):  # noqa: ANN204
        self.used.add(key)
        return dict.__getitem__(self, key)

    def __setitem__(self, key: str, value) -> None:  # noqa: ANN001
        self.used.add(key)
        dict.__setitem__(self, key, value)

    def save(self) -> bool:
        keep = sorted(k for k in self if k in self.used)
        if len(keep) == self.loaded and len(keep) == len(self):
            return False
        table = pa.table({"key": keep, "value": [list(map(int, dict.__getitem__(self, k))) for k in keep]})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        self.storage.write_bytes(self.name, buf.getvalue())
        return True


class ScoreCache:
    """Per-document scores keyed by (doc_id, key), one JSON file: scorecards re-score only
    documents whose output or reference changed. ``key`` is any string that changes when the
    score would (output version + reference digest + metric version)."""

    def __init__(self, storage: Storage, name: str) -> None:
        self.storage, self.name = storage, name
        rows = storage.read_json(name) if storage.exists(name) else []
        self.rows: dict[tuple[str, str], dict[str, Any]] = {(r["_doc_id"], r["_key"]): r for r in rows}
        self.used: set[tuple[str, str]] = set()
        self.added = 0

    def get(self, doc_id: str, key: str) -> dict[str, Any] | None:
        row = self.rows.get((doc_id, key))
        if row is not None:
            self.used.add((doc_id, key))
            return {k: v for k, v in row.items() if not k.startswith("_")}
        return None

    def put(self, doc_id: str, key: str, row: Mapping[str, Any]) -> None:
        self.rows[(doc_id, key)] = {**row, "_doc_id": doc_id, "_key": key}
        self.used.add((doc_id, key))
        self.added += 1

    def save(self) -> None:
        """Keep only the rows used in this pass (scores of gone versions drop out)."""
        if self.added or len(self.used) != len(self.rows):
            self.storage.write_json(self.name, [self.rows[k] for k in sorted(self.used)])


def read_json_url(location: str) -> Any:
    from rag_eval_assets.lib.storage import read_bytes

    return json.loads(read_bytes(location))


def digest(*parts: Any) -> str:
    """16 hex digits of sha256 over the JSON of ``parts`` (stable for JSON-like values)."""
    blob = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]
