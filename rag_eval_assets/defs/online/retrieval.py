"""Online eval, retrieval: the golden queries through the dense lane (the vector index), the
sparse lane (BM25) and their Reciprocal Rank Fusion; every retrieval metric per lane, query and
slice (intent, document class, when the golden queries carry them) and ΔnDCG@10 of hybrid."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.evaluation.qrels import judged_qrels
from rag_eval_assets.lib.evaluation.retrieval_lanes import (
    LANES,
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
from rag_eval_assets.settings import Settings

GROUP = "online_eval"
HITS_KEY = "_hits"  # storage key of the lane hits, read by filter_eval and generation_eval
SLICE_FIELDS = ("intent", "doc_class")
CHECKS = ("hybrid_recall_at_10", "slice_recall_at_10", "hybrid_not_worse")


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=["vector_index", "sparse_index", "golden_sets"], group_name=GROUP, kinds={"python"}, tags=CORPUS_LEVEL,
        check_specs=[
            dg.AssetCheckSpec("hybrid_recall_at_10", asset="retrieval_eval",
                              description="Hybrid (RRF) Recall@10 over the judged golden queries ≥ limit (ERROR; not "
                              "blocking: the filter and generation evaluations and the report still run)."),
            dg.AssetCheckSpec("slice_recall_at_10", asset="retrieval_eval",
                              description="The weakest intent / document-class slice keeps hybrid Recall@10 ≥ the slice "
                              "limit (WARN; names the failing slices)."),
            dg.AssetCheckSpec("hybrid_not_worse", asset="retrieval_eval",
                              description="Hybrid nDCG@10 minus the better single lane ≥ 0 (WARN: fusion hurts)."),
        ])
    def retrieval_eval(context: dg.AssetExecutionContext, storage: StorageResource, golden: GoldenSetResource,
                       embed_config: EmbedConfig, index_config: IndexConfig,
                       retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
        """Dense (the ANN index of the index stage), BM25 and RRF (k = ``rrf_k``) rankings of the
        golden queries; Recall@10/100, P@10, hit@10, nDCG@10, MRR and MAP per lane, query and slice."""
        cfg = retrieval_eval_config
        outputs = storage.outputs()
        gs = golden.load()
        corpus_docs = {r["doc_id"] for r in outputs.manifest()}
        judged = judged_qrels(gs, corpus_docs, outputs.canonical_of())
        problem = _problem(gs, judged)
        if problem is not None:
            context.log.warning(f"retrieval_eval: {problem[1]}")
            return dg.MaterializeResult(
                metadata={"skipped": problem[1]},
                check_results=[gate(c, value=None, limit=None, n="0 judged queries",
                                    severity=dg.AssetCheckSeverity.ERROR if c == CHECKS[0] else WARN,
                                    nothing_to_judge=problem[1] if problem[0] == "none" else None, reason=problem[1])
                               for c in CHECKS])
        flat, doc_of = outputs.indexed_chunks()
        ann = outputs.load_vector_index(index_config.kind.value)
        bm25 = outputs.load_sparse_index()
        embedder = embed_config.embedder()
        queries = {q: gs.queries[q] for q in judged}
        context.log.info(f"{len(queries)} judged golden queries over {len(ann)} chunks: dense, sparse, hybrid")
        hits = lane_hits(gs.queries, lambda texts, k: ann.search(embedder.embed(list(texts)), k),
                         bm25.search_many, depth=cfg.depth, rrf_k=cfg.rrf_k)
        outputs.write_json("retrieval_eval", {lane: {q: [[c, s] for c, s in h] for q, h in per_q.items()}
                                              for lane, per_q in hits.items()}, key=HITS_KEY)
        fields = [f for f in SLICE_FIELDS if any(m.get(f) is not None for m in gs.query_metadata.values())]
        report = evaluate_lanes(document_rankings(hits, doc_of), judged, gs.query_metadata, slice_fields=fields)
        outputs.write_rows("retrieval_eval", report.per_query, key="_per_query")
        outputs.write_rows("retrieval_eval", report.slices, key="_slices")
        means = [{"lane": lane, **report.evaluations[lane].mean} for lane in LANES]
        indexed = set(doc_of.values())
        unindexed = sorted(q for q, rel in judged.items() if not set(rel) & indexed)
        outputs.write_json("retrieval_eval", {"means": means, "delta_ndcg@10": report.delta_ndcg,
                                              "queries": len(judged), "slice_fields": fields}, key="_summary")
        hybrid = report.evaluations["hybrid"].mean
        hybrid_slices = [r for r in report.slices if r["lane"] == "hybrid"]
        weakest = min(hybrid_slices, key=lambda r: r["recall@10"], default=None)
        weak = [r for r in hybrid_slices if r["recall@10"] < cfg.slice_recall_at_10_min]
        best_single = max(report.evaluations[lane].mean["ndcg@10"] for lane in ("dense", "sparse"))
        n = f"{len(judged)} judged queries"
        return dg.MaterializeResult(
            metadata={"queries_judged": len(judged), "queries_not_judged": len(gs.queries) - len(judged),
                      "chunks": len(ann), **{f"{lane}_ndcg@10": round(report.evaluations[lane].mean["ndcg@10"], 4)
                                             for lane in LANES},
                      **{f"delta_ndcg@10_hybrid_vs_{lane}": round(d, 4) for lane, d in report.delta_ndcg.items()},
                      "queries_with_no_gold_indexed": len(unindexed),
                      "lanes": dg.MetadataValue.md(markdown_table(means, digits=3)),
                      "slices": dg.MetadataValue.md(markdown_table(hybrid_slices, digits=3) if hybrid_slices else
                                                    "no slice fields (intent, doc_class) in the golden queries")},
            check_results=[
                gate("hybrid_recall_at_10", value=hybrid["recall@10"], limit=cfg.recall_at_10_min, n=n),
                gate("slice_recall_at_10", value=weakest["recall@10"] if weakest else None,
                     limit=cfg.slice_recall_at_10_min, n=f"{len(hybrid_slices)} slices", severity=WARN,
                     nothing_to_judge=None if hybrid_slices else "the golden queries carry no intent or doc_class",
                     extra={"weakest": f"{weakest['slice']}={weakest['value']}" if weakest else "n/a",
                            "failing_slices": table(weak, ["slice", "value", "queries", "recall@10"])}),
                gate("hybrid_not_worse", value=hybrid["ndcg@10"] - best_single, limit=0.0, n=n, severity=WARN,
                     extra={"hybrid_ndcg@10": hybrid["ndcg@10"], "best_single_lane_ndcg@10": best_single}),
            ])

    return dg.Definitions(assets=[retrieval_eval])


def _problem(gs, judged) -> tuple[str, str] | None:  # noqa: ANN001
    """(kind, reason) when there is nothing to score: ``none`` = no references of this kind
    (WARN), ``broken`` = references exist but none can be judged (the gate's own severity)."""
    from rag_eval_assets.lib.goldens import formats as f

    broken = [e for e in gs.errors if f.QUERIES in str(e) or f.QRELS_DIR in str(e)]
    if not gs.queries and not gs.qrels and not broken:
        return "none", "the golden set has no retrieval queries (retrieval/queries.jsonl)"
    if not judged:
        why = "no judged query: " + ("queries.jsonl or qrels have errors (see golden_sets_valid)" if broken else
                                     "no query has a relevant document among the valid corpus documents")
        return "broken", why
    return None
