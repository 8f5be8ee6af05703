"""The per-document stages as one loop: records → every parser → route → clean → chunks →
embeddings, for a batch of documents, with one failure per document.

``DocumentPipeline.run(docs)`` processes, stage by stage, only what ``lib.state`` says is
missing for each document, writes each output under its expected version (``lib.outputs``)
and yields one ``StageOutcome`` per (stage, document) it touched:

- ``ok``: the output was written;
- ``failed``: a final failure was written as the output (invalid metadata, a corrupt or
  encrypted file, a format the parser does not read, ``too_large``, a failed route): the
  document's later stages are not expected and the next run does not retry it;
- ``error``: an unexpected exception, a killed parser worker or a timeout: nothing is written
  (the error is kept under ``_failures/`` for the summary), so the next run retries it;
- ``skipped``: an upstream output is missing (its error was reported): retried with it.

Nothing here imports Dagster: the Dagster asset turns outcomes into materializations.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import time
import zlib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from rag_eval_assets.lib.documents import (
    RETRYABLE_KINDS,
    Block,
    MetadataTable,
    ParsedDocument,
)
from rag_eval_assets.lib.inventory import document_record
from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.lib.state import (
    CHUNKS,
    CLEANED,
    EMBEDDINGS,
    PARSED,
    RECORDS,
    DocumentInput,
    PipelineConfig,
    expected_versions,
    listings,
    parse_asset,
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class StageOutcome:
    asset: str
    doc_id: str
    version: str
    status: str  # ok | failed | error | skipped
    kind: str | None = None
    message: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChunkSettings:
    strategy: str = "structural"
    size: int = 256
    overlap: int = 32


@dataclass
class PipelineSettings:
    """Everything the per-document stages need besides the documents."""

    config: PipelineConfig
    parser_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    parse_timeout_s: float | None = 120.0
    isolation: str = "process"
    parse_concurrency: int = 2  # parsers run side by side (each in its own worker process)
    clean_options: Any = None  # lib.cleaning.document.CleanOptions
    clean_limits: Any = None  # lib.cleaning.document.CleanLimits
    chunk: ChunkSettings = ChunkSettings()
    embedder: Callable[[], Any] | None = None  # lazy: the model loads only when something is embedded
    coherence_share: float = 0.25  # share of documents whose chunk coherence is measured (by doc id)
    coherence_max_sentences: int = 64


def _cpu_seconds() -> float:
    """CPU seconds of this process and its live child processes (the parser workers)."""
    total = time.process_time()
    try:
        import psutil

        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                t = child.cpu_times()
                total += t.user + t.system
    except ImportError:
        pass
    return total


def sampled(doc_id: str, share: float) -> bool:
    """Deterministic sample of documents by id (the same documents every run)."""
    return share >= 1 or (zlib.crc32(doc_id.encode()) % 10_000) < share * 10_000


class DocumentPipeline:
    def __init__(self, outputs: Outputs, corpus_root: str | Path, ontology: Ontology, metadata: MetadataTable,
                 settings: PipelineSettings, log: Log | None = None) -> None:
        self.outputs, self.root, self.ontology, self.metadata = outputs, Path(corpus_root), ontology, metadata
        self.s, self.cfg = settings, settings.config
        self.log = log or (lambda _msg: None)
        self._cache = None
        self._new_texts: set[str] = set()  # chunk texts this batch embeds for the first time
        self.timings: dict[str, dict[str, float]] = {}  # stage -> wall and CPU seconds of this run

    # --- helpers ---------------------------------------------------------------------------
    def _path(self, doc: DocumentInput) -> Path:
        return self.root / doc.relpath

    def _base(self, doc: DocumentInput) -> dict[str, Any]:
        from rag_eval_assets.lib.cleaning.paths import mask_path

        return {"path": mask_path(doc.relpath), "doc_class": doc.doc_class}

    def _error(self, asset: str, doc: DocumentInput, version: str, kind: str, message: str) -> StageOutcome:
        from rag_eval_assets.lib.cleaning.paths import mask_path

        base, message = self._base(doc), mask_path(message)
        self.outputs.record_error(asset, doc.doc_id, version, {**base, "kind": kind, "message": message[:500]})
        return StageOutcome(asset, doc.doc_id, version, "error", kind, message[:500], base)

    def _failed(self, asset: str, doc: DocumentInput, version: str, kind: str, message: str,
                extra: Mapping[str, Any] | None = None) -> StageOutcome:
        from rag_eval_assets.lib.cleaning.paths import mask_path

        base, message = self._base(doc), mask_path(message)
        record = {**base, "kind": kind, "message": message[:500], **(extra or {})}
        self.outputs.write_document_failure(asset, doc.doc_id, version, record)
        self.outputs.clear_error(asset, doc.doc_id)
        return StageOutcome(asset, doc.doc_id, version, "failed", kind, message[:500], base)

    def _ok(self, asset: str, doc: DocumentInput, version: str, data: Any, metadata: Mapping[str, Any],
            file_metadata: Mapping[str, Any] | None = None) -> StageOutcome:
        self.outputs.write_document(asset, doc.doc_id, version, data, file_metadata=file_metadata)
        self.outputs.clear_error(asset, doc.doc_id)
        return StageOutcome(asset, doc.doc_id, version, "ok", metadata={**self._base(doc), **metadata})

    # --- the loop --------------------------------------------------------------------------
    def run(self, docs: Sequence[DocumentInput], assets: Collection[str] | None = None,
            force: bool = False) -> Iterator[StageOutcome]:
        """Process what is missing for ``docs`` (only ``assets`` when given; all with ``force``)."""
        wanted = set(assets) if assets is not None else set(self.cfg.assets())
        lists = listings(self.outputs, self.cfg)
        exp = {d.doc_id: expected_versions(d, self.cfg) for d in docs}

        def stored(asset: str, doc_id: str) -> Any:
            return next((o for o in lists.get(asset, {}).get(doc_id, ()) if o.version == exp[doc_id][asset]), None)

        def needed(asset: str, doc_id: str) -> bool:
            return asset in wanted and (force or stored(asset, doc_id) is None)

        status: dict[tuple[str, str], str] = {}  # (asset, doc) -> ok | failed, for this run's view

        def state(asset: str, doc_id: str) -> str | None:
            if (asset, doc_id) in status:
                return status[(asset, doc_id)]
            found = stored(asset, doc_id)
            return None if found is None else ("failed" if found.failed else "ok")

        def note(outcome: StageOutcome) -> StageOutcome:
            if outcome.status in ("ok", "failed"):
                status[(outcome.asset, outcome.doc_id)] = outcome.status
            return outcome

        with self._clock(RECORDS):
            for doc in docs:
                if needed(RECORDS, doc.doc_id):
                    yield note(self._record(doc, exp[doc.doc_id][RECORDS]))
        active = [d for d in docs if state(RECORDS, d.doc_id) == "ok"]
        with self._clock("parse"):
            for outcome in self._parse_all(active, exp, needed):
                yield note(outcome)
        steps = ((PARSED, self._route), (CLEANED, self._clean), (CHUNKS, self._chunk))
        upstream = {PARSED: None, CLEANED: PARSED, CHUNKS: CLEANED, EMBEDDINGS: CHUNKS}
        for asset, step in steps:
            with self._clock(asset):
                yield from self._stage(asset, step, active, exp, needed, state, note, upstream)
        todo = [d for d in active if needed(EMBEDDINGS, d.doc_id) and state(CHUNKS, d.doc_id) == "ok"]
        with self._clock(EMBEDDINGS):
            for outcome in self._embed(todo, exp):
                yield note(outcome)

    def _clock(self, stage: str):  # noqa: ANN202 - a context manager
        """Adds the wall seconds and CPU seconds (this process and its parser workers) of a stage."""
        import contextlib

        @contextlib.contextmanager
        def clock():  # noqa: ANN202
            wall, cpu = time.perf_counter(), _cpu_seconds()
            try:
                yield
            finally:
                t = self.timings.setdefault(stage, {"wall_s": 0.0, "cpu_s": 0.0})
                t["wall_s"] += time.perf_counter() - wall
                t["cpu_s"] += _cpu_seconds() - cpu

        return clock()

    def _stage(self, asset: str, step: Callable, active: Sequence[DocumentInput], exp: Mapping[str, Mapping[str, str]],
               needed: Callable, state: Callable, note: Callable, upstream: Mapping[str, str | None]) -> Iterator[StageOutcome]:
        """One per-document step (route, clean or chunk) over the documents whose upstream is ok."""
        for doc in active:
            if not needed(asset, doc.doc_id):
                continue
            up = upstream[asset]
            if up is not None and state(up, doc.doc_id) != "ok":
                if state(up, doc.doc_id) is None:
                    yield StageOutcome(asset, doc.doc_id, exp[doc.doc_id][asset], "skipped", "upstream_missing",
                                       f"no {up} output yet", self._base(doc))
                continue
            yield note(self._guarded(asset, doc, exp[doc.doc_id], step))

    def _guarded(self, asset: str, doc: DocumentInput, versions: Mapping[str, str],
                 step: Callable[[DocumentInput, Mapping[str, str]], StageOutcome]) -> StageOutcome:
        """One document's step: a typed failure is final, anything else is retried next run."""
        from rag_eval_assets.lib.cleaning.document import CleanFailure

        try:
            return step(doc, versions)
        except CleanFailure as exc:
            return self._failed(asset, doc, versions[asset], exc.kind, str(exc))
        except Exception as exc:  # noqa: BLE001 - one document, one failure
            return self._error(asset, doc, versions[asset], "error", f"{type(exc).__name__}: {exc}")

    # --- stages ----------------------------------------------------------------------------
    def _record(self, doc: DocumentInput, version: str) -> StageOutcome:
        try:
            row = document_record(doc.doc_id, doc.relpath, self._path(doc), doc.sha256, self.metadata.get(doc.doc_id),
                                  self.ontology, self.metadata.problem(doc.doc_id))
        except Exception as exc:  # noqa: BLE001 - e.g. the file vanished
            return self._error(RECORDS, doc, version, "error", f"{type(exc).__name__}: {exc}")
        if row["metadata_errors"]:
            return self._failed(RECORDS, doc, version, "invalid_metadata", "; ".join(row["metadata_errors"]),
                                {"record": row})
        meta = {"size_bytes": row["size_bytes"], "pages": row["pages"] or 0, "format": row["suffix"]}
        return self._ok(RECORDS, doc, version, row, meta)

    def _parse_all(self, docs: Sequence[DocumentInput], exp: Mapping[str, Mapping[str, str]],
                   needed: Callable[[str, str], bool]) -> Iterator[StageOutcome]:
        """Every parser over its pending documents; parsers run side by side in threads (each
        drives its own worker process); outcomes are written and yielded from this thread."""
        from rag_eval_assets.lib.parsers import parse_documents

        jobs = {p: [d for d in docs if needed(parse_asset(p), d.doc_id)] for p in self.cfg.parsers}
        jobs = {p: ds for p, ds in jobs.items() if ds}
        if not jobs:
            return

        def run(parser: str) -> list[tuple[DocumentInput, ParsedDocument]]:
            opts = dict(self.s.parser_options.get(parser, {}))
            results = parse_documents([self._path(d) for d in jobs[parser]], parser, timeout_s=self.s.parse_timeout_s,
                                      isolation=self.s.isolation, **opts)
            return list(zip(jobs[parser], results))

        workers = max(1, min(self.s.parse_concurrency, len(jobs)))
        with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="parse") as pool:
            futures = {pool.submit(run, p): p for p in jobs}
            for fut in concurrent.futures.as_completed(futures):
                parser = futures[fut]
                asset = parse_asset(parser)
                try:
                    results = fut.result()
                except Exception as exc:  # noqa: BLE001 - the parser could not run at all
                    for d in jobs[parser]:
                        yield self._error(asset, d, exp[d.doc_id][asset], "error", f"{type(exc).__name__}: {exc}")
                    continue
                done = 0
                for d, parsed in results:
                    yield self._store_parse(asset, d, exp[d.doc_id][asset], parsed)
                    done += 1
                self.log(f"{parser}: parsed {done} documents")

    def _store_parse(self, asset: str, doc: DocumentInput, version: str, parsed: ParsedDocument) -> StageOutcome:
        parsed.source = doc.doc_id  # never a raw path in stored outputs
        stats = {"parser": parsed.parser, "pages": parsed.pages or 0, "chars": len(parsed.text),
                 "tables": len(parsed.tables), "headings": sum(b.kind == "heading" for b in parsed.blocks),
                 "ocr_pages": len(parsed.ocr_pages), "seconds": round(parsed.seconds, 3)}
        if parsed.failure is None:
            return self._ok(asset, doc, version, parsed.to_json(), stats)
        kind, message = parsed.failure.kind, parsed.failure.message
        if kind in RETRYABLE_KINDS:
            return self._error(asset, doc, version, kind, message)
        return self._failed(asset, doc, version, kind, message, {"parser": parsed.parser, "seconds": parsed.seconds})

    def _route(self, doc: DocumentInput, versions: Mapping[str, str]) -> StageOutcome:
        parser = self.cfg.route_for(doc.doc_class)
        source = parse_asset(parser)
        try:
            parsed = self.outputs.read_document(source, doc.doc_id, versions[source])
        except FileNotFoundError:
            return StageOutcome(PARSED, doc.doc_id, versions[PARSED], "skipped", "upstream_missing",
                                f"no {source} output yet", self._base(doc))
        if parsed.get("failed"):
            return self._failed(PARSED, doc, versions[PARSED], "upstream_failed",
                                f"{parser}: {parsed.get('kind')}: {parsed.get('message', '')}", {"route": parser})
        return self._ok(PARSED, doc, versions[PARSED], {**parsed, "route": parser},
                        {"route": parser, "chars": len(parsed.get("text", ""))})

    def _clean(self, doc: DocumentInput, versions: Mapping[str, str]) -> StageOutcome:
        from rag_eval_assets.lib.cleaning.document import (
            CleanLimits,
            CleanOptions,
            clean_document,
        )

        parsed = ParsedDocument.from_json({k: v for k, v in self.outputs.read_document(PARSED, doc.doc_id, versions[PARSED]).items()
                                           if k != "route"})
        meta = self.metadata.get(doc.doc_id)
        cleaned = clean_document(doc.doc_id, parsed, self._path(doc), self.s.clean_options or CleanOptions(),
                                 self.s.clean_limits or CleanLimits(), title=meta.title if meta else "")
        stats = {"language": cleaned.language or "none", "language_confidence": round(cleaned.language_confidence, 3),
                 "pii_redacted": len(cleaned.pii_spans), "chars": len(cleaned.text), "source": cleaned.source,
                 "nfkc_differs": bool(cleaned.unicode.get("nfkc_differs"))}
        if cleaned.language_in_ontology is not None:
            stats["language_in_ontology"] = bool(cleaned.language_in_ontology)
        return self._ok(CLEANED, doc, versions[CLEANED], cleaned.to_json(), stats)

    def _chunk(self, doc: DocumentInput, versions: Mapping[str, str]) -> StageOutcome:
        from rag_eval_assets.lib.chunking import chunk_document
        from rag_eval_assets.lib.metrics.chunks import (
            attribution_failures,
            boundary_violations,
        )

        cleaned = self.outputs.read_document(CLEANED, doc.doc_id, versions[CLEANED])
        blocks = [Block(**b) for b in cleaned.get("blocks") or []]
        c = self.s.chunk
        strategy = c.strategy if (c.strategy != "structural" or blocks) else "recursive"
        params: dict[str, Any] = ({"size": c.size, "overlap": c.overlap} if strategy == "recursive"
                                  else {"max_tokens": c.size})
        if strategy == "semantic":
            params["embed"] = self._embedding_cache().embed
        found = chunk_document(doc.doc_id, cleaned["text"], blocks, strategy, **params)
        boundary = boundary_violations(found, cleaned["text"], blocks)
        misattributed = len(attribution_failures(found, {doc.doc_id: (cleaned["text"], blocks)}))
        tokens = [ch.token_count for ch in found]
        stats = {"chunks": len(found), "strategy": strategy, "boundary_violations": boundary.violations,
                 "protected_units": boundary.units, "attribution_failures": misattributed,
                 "tokens_mean": round(float(np.mean(tokens)), 1) if tokens else 0.0}
        return self._ok(CHUNKS, doc, versions[CHUNKS], [ch.to_json() for ch in found], stats,
                        file_metadata={**stats, "token_counts": tokens})

    def _embedding_cache(self) -> Any:
        if self._cache is None:
            if self.s.embedder is None:
                raise RuntimeError("no embedder configured")
            self._cache = self.outputs.embedding_cache(self.s.embedder())
        return self._cache

    def _embed(self, docs: Sequence[DocumentInput], exp: Mapping[str, Mapping[str, str]]) -> Iterator[StageOutcome]:
        """Chunk vectors of ``docs`` through the (chunk hash, model) cache: one model call for the
        batch, per document on failure; coherence on the sampled documents."""
        if not docs:
            return
        try:
            cache = self._embedding_cache()
        except Exception as exc:  # noqa: BLE001 - the model cannot load: every document is retried
            for d in docs:
                yield self._error(EMBEDDINGS, d, exp[d.doc_id][EMBEDDINGS], "error", f"{type(exc).__name__}: {exc}")
            return
        rows = {}
        for d in docs:
            try:
                rows[d.doc_id] = self.outputs.read_document(CHUNKS, d.doc_id, exp[d.doc_id][CHUNKS])
            except Exception as exc:  # noqa: BLE001
                yield self._error(EMBEDDINGS, d, exp[d.doc_id][EMBEDDINGS], "error", f"{type(exc).__name__}: {exc}")
        texts = [r["text"] for d in docs if d.doc_id in rows for r in rows[d.doc_id]]
        self._new_texts = {t for t in texts if t not in cache}
        started = time.perf_counter()
        try:
            cache.embed(texts)  # one batched call; the per-document calls below are cache hits
        except Exception as exc:  # noqa: BLE001 - fall back to one call per document
            self.log(f"batched embedding failed ({type(exc).__name__}); embedding per document")
        self.log(f"embedded {len(texts)} chunks of {len(rows)} documents in {time.perf_counter() - started:.1f} s")
        for d in docs:
            if d.doc_id not in rows:
                continue
            yield self._guarded(EMBEDDINGS, d, exp[d.doc_id], lambda doc, v, r=rows[d.doc_id]: self._embed_one(doc, v, r))
        cache.flush()

    def _embed_one(self, doc: DocumentInput, versions: Mapping[str, str], chunk_rows: list[dict]) -> StageOutcome:
        cache = self._embedding_cache()
        texts = [r["text"] for r in chunk_rows]
        vectors = cache.embed(texts) if chunk_rows else np.zeros((0, cache.embedder.dim), np.float32)
        fresh = [t for t in dict.fromkeys(texts) if t in self._new_texts]
        self._new_texts.difference_update(fresh)  # a text shared by two documents counts once
        stats: dict[str, Any] = {"chunks": len(chunk_rows), "model": cache.embedder.model_id,
                                 "embedded": len(fresh), "from_cache": len(texts) - len(fresh)}
        if sampled(doc.doc_id, self.s.coherence_share) and len(chunk_rows) > 1:
            value = self._coherence(doc, versions, chunk_rows)
            if value is not None:
                stats["coherence"] = round(value, 4)
        table = embeddings_table(doc.doc_id, [r["chunk_id"] for r in chunk_rows], vectors)
        return self._ok(EMBEDDINGS, doc, versions[EMBEDDINGS], table, stats, file_metadata=stats)

    def _coherence(self, doc: DocumentInput, versions: Mapping[str, str], chunk_rows: list[dict]) -> float | None:
        from rag_eval_assets.lib.chunking import Chunk, sentence_spans
        from rag_eval_assets.lib.metrics.chunks import coherence_parts, sentence_labels

        text = self.outputs.read_document(CLEANED, doc.doc_id, versions[CLEANED])["text"]
        sentences = sentence_spans(text)[: self.s.coherence_max_sentences]
        chunks = [Chunk(**r) for r in chunk_rows]
        labels = sentence_labels(sentences, chunks)
        within, across = coherence_parts(self._embedding_cache().embed([text[s:e] for s, e in sentences]), labels)
        return within - across if within is not None and across is not None else None


def embeddings_table(doc_id: str, chunk_ids: Sequence[str], vectors: np.ndarray) -> pa.Table:
    """One document's vectors as a table: doc_id, chunk_id, vector (fixed-size float32 list)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else 0
    flat = pa.array(vectors.ravel(), pa.float32())
    return pa.table({"doc_id": pa.array([doc_id] * len(chunk_ids), pa.string()),
                     "chunk_id": pa.array(list(chunk_ids), pa.string()),
                     "vector": pa.FixedSizeListArray.from_arrays(flat, max(dim, 1)) if dim else
                     pa.array([[] for _ in chunk_ids], pa.list_(pa.float32()))})


def vectors_of(table_rows: Any) -> np.ndarray:
    """The ``(n, dim)`` float32 matrix of an embeddings output (table or rows)."""
    if isinstance(table_rows, pa.Table):
        col = table_rows.column("vector").combine_chunks()
        n = len(col)
        return np.asarray(col.flatten().to_numpy(zero_copy_only=False), np.float32).reshape(n, -1) if n else \
            np.zeros((0, 0), np.float32)
    return np.asarray([r["vector"] for r in table_rows], np.float32)


def document_inputs(files: Mapping[str, Any], metadata: MetadataTable) -> dict[str, DocumentInput]:
    """DocumentInput per scanned file (``CorpusFile``), with its metadata row (or the problem)."""
    out = {}
    for doc_id, f in files.items():
        meta = metadata.get(doc_id)
        out[doc_id] = DocumentInput(doc_id, f.relpath, f.sha256, meta.doc_class if meta else "unknown",
                                    meta.row() if meta else None, metadata.problem(doc_id))
    return out
