"""Online eval, retrieval: the golden queries through the dense lane (the vector index), the
sparse lane (BM25) and their Reciprocal Rank Fusion; every retrieval metric per lane, query and
slice (intent, document class) and ΔnDCG@10 of hybrid over each lane."""

from pathlib import Path

import dagster as dg

from rag_eval_assets.defs.index import sparse_index, vector_index
from rag_eval_assets.lib.evaluation.retrieval_lanes import (
    LANES,
    credit_canonical,
    document_rankings,
    evaluate_lanes,
    lane_hits,
)
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    EmbedConfig,
    GoldenSetResource,
    IndexConfig,
    RetrievalEvalConfig,
    StorageResource,
)

GROUP = "online_eval"
HITS_KEY = "_hits"  # storage key of the lane hits, read by filter_eval and generation_eval


def golden_queries_and_qrels(golden: GoldenSetResource, store):
    """The golden set and the judged qrels of its first split (``test`` in the sample): the
    relevant documents (grade > 0) of each golden query that has at least one of them in the
    current corpus. A query whose gold is entirely outside the corpus (another corpus, or a
    subset run) is not judged; gold that is in the corpus but not indexed counts as missed,
    except a near-duplicate copy, whose canonical document is credited (``credit_canonical``)."""
    gs = golden.load()
    split = "test" if "test" in gs.qrels else next(iter(gs.qrels), None)
    corpus_docs = {r["doc_id"] for r in store.read_rows("corpus_manifest")} if store.exists("corpus_manifest") else set()
    qrels = {q: {d: g for d, g in rel.items() if g > 0} for q, rel in (gs.qrels.get(split, {}) if split else {}).items()
             if q in gs.queries}
    qrels = {q: rel for q, rel in qrels.items() if set(rel) & corpus_docs}
    if store.exists("near_duplicates"):
        qrels = credit_canonical(qrels, {r["doc_id"]: r["canonical"] for r in store.read_rows("near_duplicates")})
    return gs, qrels


def skipped(context, asset: str, reason: str, checks) -> dg.MaterializeResult:
    """Nothing to measure (e.g. no golden queries): say so in the metadata and fail every
    check as a WARN naming the reason, so a missing golden set is visible, not green."""
    context.log.warning(f"{asset}: {reason}")
    return dg.MaterializeResult(
        metadata={"skipped": reason},
        check_results=[dg.AssetCheckResult(check_name=c, passed=False, severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"skipped": reason}) for c in checks])


def indexed_chunks(store):
    """The flat vector index (the indexed chunk set, with doc metadata per chunk) and its
    chunk -> document map."""
    from rag_eval_assets.lib.indexing import VectorIndex

    flat = VectorIndex.load(Path(store.root) / "vector_index" / "flat")
    return flat, {c: m["doc_id"] for c, m in zip(flat.ids, flat.metadata)}


@dg.asset(
    deps=[vector_index, sparse_index],
    group_name=GROUP,
    kinds={"python"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("hybrid_recall_at_10", asset="retrieval_eval", blocking=True,
                          description="Hybrid (RRF) Recall@10 over the judged golden queries (ERROR below the limit)."),
        dg.AssetCheckSpec("slice_recall_at_10", asset="retrieval_eval",
                          description="Every intent and document-class slice keeps hybrid Recall@10 above the "
                          "slice limit (WARN; names the failing slices)."),
        dg.AssetCheckSpec("hybrid_not_worse", asset="retrieval_eval",
                          description="Hybrid nDCG@10 is not below the better single lane (WARN: fusion hurts)."),
    ],
)
def retrieval_eval(context: dg.AssetExecutionContext, storage: StorageResource, golden: GoldenSetResource,
                   embed_config: EmbedConfig, index_config: IndexConfig,
                   retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
    """Dense (the ANN index of the index stage), BM25 and RRF (k = ``rrf_k``) rankings of the
    golden queries; Recall@10/100, P@10, hit@10, nDCG@10, MRR and MAP per lane, query and slice."""
    from rag_eval_assets.lib.indexing import VectorIndex
    from rag_eval_assets.lib.retrieval import BM25Index

    cfg = retrieval_eval_config
    store = storage.get()
    gs, judged = golden_queries_and_qrels(golden, store)
    if not (gs.queries and judged):
        return skipped(context, "retrieval_eval", f"no golden queries with qrels under {golden.golden_root}/retrieval",
                       ("hybrid_recall_at_10", "slice_recall_at_10", "hybrid_not_worse"))
    _, doc_of = indexed_chunks(store)
    ann = VectorIndex.load(Path(store.root) / "vector_index" / index_config.kind)
    bm25 = BM25Index.load(Path(store.root) / "sparse_index")
    embedder = embed_config.embedder()
    context.log.info(f"{len(gs.queries)} golden queries over {len(ann)} chunks: dense, sparse, hybrid")
    hits = lane_hits(gs.queries, lambda texts, k: ann.search(embedder.embed(list(texts)), k),
                     bm25.search_many, depth=cfg.depth, rrf_k=cfg.rrf_k)
    store.write_json("retrieval_eval", {lane: {q: [[c, s] for c, s in h] for q, h in per_q.items()}
                                        for lane, per_q in hits.items()}, key=HITS_KEY)
    indexed_docs = set(doc_of.values())
    unindexed = {q: sorted(set(rel) - indexed_docs) for q, rel in judged.items() if set(rel) - indexed_docs}
    report = evaluate_lanes(document_rankings(hits, doc_of), judged, gs.query_metadata)
    store.write_rows("retrieval_eval", report.per_query, key="_per_query")
    store.write_rows("retrieval_eval", report.slices, key="_slices")
    means = [{"lane": lane, **report.evaluations[lane].mean} for lane in LANES]
    store.write_json("retrieval_eval", {"means": means, "delta_ndcg@10": report.delta_ndcg,
                                        "queries": len(judged)}, key="_summary")
    hybrid = report.evaluations["hybrid"].mean
    weak = [r for r in report.slices if r["lane"] == "hybrid" and r["recall@10"] < cfg.slice_recall_at_10_min]
    best_single = max(report.evaluations[lane].mean["ndcg@10"] for lane in ("dense", "sparse"))
    return dg.MaterializeResult(
        metadata={"queries_judged": len(judged), "queries_not_judged": len(gs.queries) - len(judged),
                  "chunks": len(ann), **{f"{lane}_ndcg@10": report.evaluations[lane].mean["ndcg@10"] for lane in LANES},
                  **{f"delta_ndcg@10_hybrid_vs_{lane}": d for lane, d in report.delta_ndcg.items()},
                  "gold_not_indexed": len(unindexed),
                  "lanes": dg.MetadataValue.md(markdown_table(means, digits=3)),
                  "slices": dg.MetadataValue.md(markdown_table(
                      [r for r in report.slices if r["lane"] == "hybrid"], digits=3))},
        check_results=[
            dg.AssetCheckResult(check_name="hybrid_recall_at_10", passed=hybrid["recall@10"] >= cfg.recall_at_10_min,
                                severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"recall@10": hybrid["recall@10"], "limit": cfg.recall_at_10_min}),
            dg.AssetCheckResult(check_name="slice_recall_at_10", passed=not weak, severity=dg.AssetCheckSeverity.WARN,
                                metadata={"limit": cfg.slice_recall_at_10_min,
                                          "failing_slices": ", ".join(f"{r['slice']}={r['value']} ({r['recall@10']:.2f})"
                                                                      for r in weak) or "none"}),
            dg.AssetCheckResult(check_name="hybrid_not_worse", passed=hybrid["ndcg@10"] >= best_single - 1e-9,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"hybrid_ndcg@10": hybrid["ndcg@10"], "best_single_lane_ndcg@10": best_single}),
        ],
    )
