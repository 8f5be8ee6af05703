"""Index stage (corpus-level): exact flat index + an ANN index over the chunk vectors of every
current, canonical (non-duplicate) document, with a metadata table; ANN recall@k vs flat."""

from pathlib import Path

import dagster as dg
import numpy as np

from rag_eval_assets.defs.corpus import corpus_manifest
from rag_eval_assets.defs.dedup import near_duplicates
from rag_eval_assets.defs.embed import embeddings
from rag_eval_assets.lib.indexing import VectorIndex, build_index
from rag_eval_assets.lib.metrics.ann import (
    ann_recall,
    cheapest_at_recall,
    measure_qps,
    sample_rows,
    sweep,
)
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.plots import markdown_image, xy_plot_png
from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.partitions import CORPUS_LEVEL, DOCUMENTS
from rag_eval_assets.resources import IndexConfig, RetrievalEvalConfig, StorageResource

GROUP = "index"
METADATA_FIELDS = ("doc_class", "tenant", "locale", "product", "version", "current", "permitted")


def _indexed_rows(store, current: list[str], duplicates: set[str]):
    """Embedding rows of current, non-duplicate documents, their matrix, ids and metadata."""
    meta = {r["doc_id"]: r for r in store.read_rows("corpus_manifest")} if store.exists("corpus_manifest") else {}
    rows = [r for d in current if d not in duplicates for r in store.read_many("embeddings", [d])]
    if not rows:
        raise dg.Failure("no chunk embeddings to index: run the per-document stages first")
    vectors = np.asarray([r["vector"] for r in rows], dtype=np.float32)
    ids = [r["chunk_id"] for r in rows]
    metadata = [{"doc_id": r["doc_id"], "chunk_id": r["chunk_id"],
                 **{f: meta.get(r["doc_id"], {}).get(f) for f in METADATA_FIELDS}} for r in rows]
    return rows, vectors, ids, metadata


@dg.asset(
    deps=[embeddings, near_duplicates, corpus_manifest],
    group_name=GROUP,
    kinds={"python", "faiss"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("ann_recall_at_k", asset="vector_index", blocking=True,
                                   description="ANN recall@k against exact flat search on ≤ 1,000 sampled "
                                   "chunk queries, with a 95% bootstrap interval (ERROR below the limit).")],
)
def vector_index(context: dg.AssetExecutionContext, storage: StorageResource, index_config: IndexConfig) -> dg.MaterializeResult:
    """FAISS flat (exact) and HNSW/IVF indexes over the chunks of current documents, leaving
    out near-duplicates (dedup decisions), with doc metadata per vector for filters; saved
    atomically under ``<storage>/vector_index/``."""
    store = storage.get()
    current = sorted(context.instance.get_dynamic_partitions(DOCUMENTS))
    duplicates = {r["doc_id"] for r in store.read_rows("near_duplicates") if r["is_duplicate"]} \
        if store.exists("near_duplicates") else set()
    rows, vectors, ids, metadata = _indexed_rows(store, current, duplicates)
    folder = Path(store.root) / "vector_index"
    flat = build_index("flat", vectors, ids, metadata)
    ann = build_index(index_config.kind, vectors, ids, metadata)
    flat.save(folder / "flat")
    ann.save(folder / index_config.kind)
    queries = vectors[sample_rows(len(vectors), index_config.sample_queries)]
    k = min(index_config.k, len(vectors))
    recall = ann_recall(ann, flat, queries, k=k)
    return dg.MaterializeResult(
        metadata={"vectors": len(ids), "documents": len({r["doc_id"] for r in rows}),
                  "duplicates_excluded": len(duplicates & set(current)), "kind": index_config.kind,
                  "recall_at_k": recall.recall, "path": dg.MetadataValue.path(str(folder))},
        check_results=[dg.AssetCheckResult(
            check_name="ann_recall_at_k", passed=recall.recall >= index_config.recall_min,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"recall": recall.recall, "ci95_low": recall.low, "ci95_high": recall.high, "k": k,
                      "queries": recall.n_queries, "limit": index_config.recall_min})],
    )


EF_SEARCH = (8, 16, 32, 64, 128, 256)
NPROBE = (1, 2, 4, 8, 16, 32, 64)


@dg.asset(
    deps=[vector_index],
    group_name=GROUP,
    kinds={"python", "faiss"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("target_recall_reachable", asset="index_sweep",
                                   description="Some efSearch / nprobe setting reaches the recall limit (WARN).")],
)
def index_sweep(context: dg.AssetExecutionContext, storage: StorageResource, index_config: IndexConfig) -> dg.MaterializeResult:
    """Recall@k vs flat and queries/s of HNSW over efSearch and of IVF over nprobe (nlist ≈ √N),
    on the indexed chunk vectors, plotted as recall–QPS curves with the cheapest setting at the
    recall limit."""
    store = storage.get()
    flat = VectorIndex.load(Path(store.root) / "vector_index" / "flat")
    vectors = flat.index.reconstruct_n(0, len(flat))
    queries = vectors[sample_rows(len(vectors), index_config.sample_queries)]
    k = min(index_config.k, len(vectors))
    table, series, best = [], {}, {}
    for kind, values in (("hnsw", EF_SEARCH), ("ivf", NPROBE)):
        ann = build_index(kind, vectors, flat.ids, flat.metadata)
        if kind == "ivf":
            values = [v for v in values if v <= ann.params.get("nlist", max(values))]
        points = sweep(ann, flat, queries, values, k=k)
        series[kind] = ([p.qps for p in points], [p.recall.recall for p in points])
        table += [{"index": kind, "knob": p.param, "value": p.value, "recall": p.recall.recall, "ci95_low": p.recall.low,
                   "qps": p.qps} for p in points]
        best[kind] = cheapest_at_recall(points, index_config.recall_min)
    flat_qps = measure_qps(flat, queries, k)
    png = xy_plot_png(series, "queries per second", f"recall@{k} vs flat", "ANN recall–QPS", logx=True)
    atomic_write_bytes(store.path("index_sweep", "_recall_qps", "png"), png)
    summary = {f"{kind}_best": f"{p.param}={p.value}: recall {p.recall.recall:.3f}, {p.qps / flat_qps:.2f}x flat QPS"
               if p else "limit not reached" for kind, p in best.items()}
    return dg.MaterializeResult(
        metadata={"vectors": len(vectors), "queries": len(queries), "flat_qps": flat_qps, **summary,
                  "plot": dg.MetadataValue.md(markdown_image(png, "recall vs QPS")),
                  "sweep": dg.MetadataValue.md(markdown_table(table, digits=3))},
        check_results=[dg.AssetCheckResult(check_name="target_recall_reachable",
                                           passed=any(best.values()), severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"limit": index_config.recall_min})],
    )


SELF_RECALL_MIN = 0.95


@dg.asset(
    deps=[vector_index],
    group_name=GROUP,
    kinds={"python", "bm25"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("sparse_self_recall", asset="sparse_index",
                                   description="Share of ≤ 200 sampled chunks found in the BM25 top 10 by their own "
                                   "first 64 words (WARN below 0.95: tokenization or stemming is losing a language).")],
)
def sparse_index(storage: StorageResource, retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
    """BM25 index over exactly the chunks of the vector index (same ids, so the lanes fuse),
    saved atomically under ``<storage>/sparse_index/``: the sparse lane of hybrid retrieval."""
    from rag_eval_assets.lib.retrieval import BM25Index

    store = storage.get()
    flat = VectorIndex.load(Path(store.root) / "vector_index" / "flat")
    docs = sorted({m["doc_id"] for m in flat.metadata})
    text_of = {r["chunk_id"]: r["text"] for r in store.read_many("chunks", docs)}
    missing = [c for c in flat.ids if c not in text_of]
    if missing:
        raise dg.Failure(f"{len(missing)} indexed chunks have no chunk text (e.g. {missing[0]}): re-run chunks")
    bm25 = BM25Index.build(flat.ids, [text_of[c] for c in flat.ids],
                           stemmer=retrieval_eval_config.bm25_stemmer or None)
    folder = Path(store.root) / "sparse_index"
    bm25.save(folder)
    probe = [flat.ids[i] for i in sample_rows(len(flat.ids), 200)]
    found = bm25.search_many([" ".join(text_of[c].split()[:64]) for c in probe], 10)
    self_recall = sum(c in {h for h, _ in hits} for c, hits in zip(probe, found)) / len(probe) if probe else 0.0
    return dg.MaterializeResult(
        metadata={"chunks": len(bm25), "documents": len(docs), "self_recall@10": self_recall,
                  "stemmer": retrieval_eval_config.bm25_stemmer or "none", "path": dg.MetadataValue.path(str(folder))},
        check_results=[dg.AssetCheckResult(check_name="sparse_self_recall", passed=self_recall >= SELF_RECALL_MIN,
                                           severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"self_recall@10": self_recall, "probes": len(probe),
                                                     "limit": SELF_RECALL_MIN})])
