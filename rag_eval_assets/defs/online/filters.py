"""Online eval, filters: each golden query's metadata predicate as a hard filter (hierarchy-
aware), the false-exclusion rate that survivor-only recall hides, predicate precision/recall,
hard filter vs soft boost per field, and ontology-aware confusion of filter values and classes."""

import dagster as dg

from rag_eval_assets.defs.corpus import corpus_manifest
from rag_eval_assets.defs.online.retrieval import (
    HITS_KEY,
    golden_queries_and_qrels,
    indexed_chunks,
    retrieval_eval,
    skipped,
)
from rag_eval_assets.lib.evaluation.filters import (
    class_pairs,
    evaluate_filters,
    ontology_rows,
    value_pairs,
)
from rag_eval_assets.lib.evaluation.retrieval_lanes import documents_of
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    CorpusResource,
    GoldenSetResource,
    RetrievalEvalConfig,
    StorageResource,
)

GROUP = "online_eval"


def corpus_metadata(store) -> dict[str, dict]:
    """Ontology metadata per current document, from the corpus manifest."""
    return {r["doc_id"]: r for r in store.read_rows("corpus_manifest")}


def hybrid_document_rankings(store) -> dict[str, list[str]]:
    """The hybrid lane's document ranking per golden query, as stored by retrieval_eval."""
    _, doc_of = indexed_chunks(store)
    hits = store.read_json("retrieval_eval", HITS_KEY)["hybrid"]
    return {q: documents_of(h, doc_of) for q, h in hits.items()}


@dg.asset(
    deps=[retrieval_eval, corpus_manifest],
    group_name=GROUP,
    kinds={"python"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("false_exclusion_rate", asset="filter_eval",
                          description="Share of judged queries whose gold documents are ALL removed by the query's "
                          "hard metadata filter (ERROR above the limit; survivor-only recall cannot see this)."),
        dg.AssetCheckSpec("labelled_predicates_admit_gold", asset="filter_eval",
                          description="The labelled correct predicates keep at least one gold document of every "
                          "query (WARN: the golden filters contradict the qrels or the metadata)."),
    ],
)
def filter_eval(context: dg.AssetExecutionContext, storage: StorageResource, golden: GoldenSetResource,
                corpus: CorpusResource, retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
    """Filter false-exclusion rate of the queries' predicates (and of the labelled correct
    ones), naive survivor recall@10 vs recall@10 against all gold, predicate P/R, hard vs soft
    per field with the decision rule, hierarchical P/R/F1, Wu-Palmer and sibling / parent /
    descendant confusion of filter values and of the class of the top retrieved document."""
    cfg = retrieval_eval_config
    store = storage.get()
    gs, qrels = golden_queries_and_qrels(golden, store)
    if not (gs.filters and qrels and store.exists("retrieval_eval", HITS_KEY, "json")):
        return skipped(context, "filter_eval", f"no filter cases with qrels under {golden.golden_root}/retrieval",
                       ("false_exclusion_rate", "labelled_predicates_admit_gold"))
    ontology = corpus.ontology()
    meta = corpus_metadata(store)
    rankings = hybrid_document_rankings(store)
    gold = {q: {d for d, g in rel.items() if g > 0} for q, rel in qrels.items()}
    result = evaluate_filters(gs.filters, gold, rankings, meta, ontology, k=10, epsilon=cfg.hard_filter_epsilon,
                              boost=cfg.soft_boost, rrf_k=cfg.rrf_k)
    result["ontology"] = ontology_rows({**value_pairs(gs.filters, ontology),
                                        "doc_class": class_pairs(rankings, gs.query_metadata, meta)}, ontology)
    store.write_json("filter_eval", {k: v for k, v in result.items() if k != "per_query"}, key="_summary")
    store.write_rows("filter_eval", result["per_query"], key="_per_query")
    rate, limit = result["false_exclusion_rate"], cfg.false_exclusion_max
    context.log.info(f"filter false-exclusion {rate:.3f} ({len(result['excluded'])} of {result['queries']} queries); "
                     f"naive survivor recall@10 {result['naive_survivor_recall@10']:.3f}")
    return dg.MaterializeResult(
        metadata={"queries_judged": result["queries"], "false_exclusion_rate": rate,
                  "naive_survivor_recall@10": result["naive_survivor_recall@10"],
                  "survivor_only_recall@10": result["survivor_only_recall@10"],
                  "recall@10_unfiltered": result["recall@10_unfiltered"],
                  "predicate_precision": result["predicates"]["precision"],
                  "predicate_recall": result["predicates"]["recall"],
                  "hard_vs_soft": dg.MetadataValue.md(markdown_table(result["fields"], digits=3)),
                  "ontology": dg.MetadataValue.md(markdown_table(result["ontology"], digits=3))},
        check_results=[
            dg.AssetCheckResult(check_name="false_exclusion_rate", passed=rate <= limit,
                                severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"rate": rate, "limit": limit, "excluded": ", ".join(result["excluded"]) or "none",
                                          "naive_survivor_recall@10": result["naive_survivor_recall@10"]}),
            dg.AssetCheckResult(check_name="labelled_predicates_admit_gold",
                                passed=not result["excluded_by_correct_predicates"], severity=dg.AssetCheckSeverity.WARN,
                                metadata={"rate": result["false_exclusion_rate_correct_predicates"],
                                          "excluded": ", ".join(result["excluded_by_correct_predicates"]) or "none"}),
        ],
    )
