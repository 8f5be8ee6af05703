"""Online eval, filters: each golden query's metadata predicate as a hard filter (hierarchy-
aware), the false-exclusion rate that survivor-only recall hides, predicate precision/recall,
hard filter vs soft boost per field, and ontology-aware confusion of filter values and classes."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.lib.evaluation.filters import (
    class_pairs,
    evaluate_filters,
    ontology_rows,
    value_pairs,
)
from rag_eval_assets.lib.evaluation.qrels import judged_qrels
from rag_eval_assets.lib.evaluation.retrieval_lanes import documents_of
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    CorpusResource,
    GoldenSetResource,
    RetrievalEvalConfig,
    StorageResource,
)
from rag_eval_assets.settings import Settings

GROUP = "online_eval"
HITS_KEY = "_hits"
CHECKS = ("false_exclusion_rate", "labelled_predicates_admit_gold")


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=["retrieval_eval", "corpus_manifest", "golden_sets"], group_name=GROUP, kinds={"python"}, tags=CORPUS_LEVEL,
        check_specs=[
            dg.AssetCheckSpec("false_exclusion_rate", asset="filter_eval",
                              description="Share of judged queries whose gold documents are ALL removed by the query's "
                              "hard metadata filter ≤ limit (ERROR; survivor-only recall cannot see this)."),
            dg.AssetCheckSpec("labelled_predicates_admit_gold", asset="filter_eval",
                              description="Share of queries whose labelled correct predicate still excludes all gold "
                              "= 0 (WARN: the golden filters contradict the qrels or the metadata)."),
        ])
    def filter_eval(context: dg.AssetExecutionContext, storage: StorageResource, golden: GoldenSetResource,
                    corpus: CorpusResource, retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
        """Filter false-exclusion rate of the queries' predicates (and of the labelled correct
        ones), naive survivor recall@10 vs recall@10 against all gold, predicate P/R, hard vs soft
        per field with the decision rule, hierarchical P/R/F1, Wu-Palmer and sibling / parent /
        descendant confusion of filter values and of the class of the top retrieved document."""
        cfg = retrieval_eval_config
        outputs = storage.outputs()
        gs = golden.load()
        meta = outputs.manifest_by_doc()
        qrels = judged_qrels(gs, set(meta), outputs.canonical_of())
        filtered = {c.query_id for c in gs.filters} & set(qrels)
        hits_ready = outputs.exists("retrieval_eval", HITS_KEY, "json")
        if not gs.filters or not filtered or not hits_ready:
            none = "the golden set has no filters (retrieval/filters.jsonl)" if not gs.filters else None
            reason = ("no filtered query is judged (no relevant document in the corpus)" if not filtered
                      else "retrieval_eval has not stored its rankings")
            context.log.warning(f"filter_eval: {none or reason}")
            return dg.MaterializeResult(
                metadata={"skipped": none or reason},
                check_results=[gate(c, value=None, limit=0.0, op="<=", n="0 filtered queries",
                                    severity=dg.AssetCheckSeverity.ERROR if c == CHECKS[0] else WARN,
                                    nothing_to_judge=none, reason=reason) for c in CHECKS])
        ontology = corpus.ontology()
        flat, doc_of = outputs.indexed_chunks()
        hits = outputs.read_json("retrieval_eval", HITS_KEY)["hybrid"]
        rankings = {q: documents_of(h, doc_of) for q, h in hits.items()}
        gold = {q: {d for d, g in rel.items() if g > 0} for q, rel in qrels.items()}
        result = evaluate_filters(gs.filters, gold, rankings, meta, ontology, k=10, epsilon=cfg.hard_filter_epsilon,
                                  boost=cfg.soft_boost, rrf_k=cfg.rrf_k)
        pairs = value_pairs(gs.filters, ontology)
        if "doc_class" in ontology.fields and ontology.fields["doc_class"].tree is not None:
            pairs["doc_class"] = class_pairs(rankings, gs.query_metadata, meta)
        result["ontology"] = ontology_rows(pairs, ontology)
        outputs.write_json("filter_eval", {k: v for k, v in result.items() if k != "per_query"}, key="_summary")
        outputs.write_rows("filter_eval", result["per_query"], key="_per_query")
        rate, n = result["false_exclusion_rate"], f"{result['queries']} judged queries with a filter"
        context.log.info(f"filter false-exclusion {rate:.3f} ({len(result['excluded'])} of {result['queries']} queries)")
        return dg.MaterializeResult(
            metadata={"queries_judged": result["queries"], "false_exclusion_rate": round(rate, 4),
                      "naive_survivor_recall@10": round(result["naive_survivor_recall@10"], 4),
                      "survivor_only_recall@10": round(result["survivor_only_recall@10"], 4),
                      "recall@10_unfiltered": round(result["recall@10_unfiltered"], 4),
                      "predicate_precision": result["predicates"]["precision"],
                      "predicate_recall": result["predicates"]["recall"],
                      "hard_vs_soft": dg.MetadataValue.md(markdown_table(result["fields"], digits=3)),
                      "ontology": dg.MetadataValue.md(markdown_table(result["ontology"], digits=3))},
            check_results=[
                gate("false_exclusion_rate", value=rate, limit=cfg.false_exclusion_max, op="<=", n=n,
                     extra={"excluded_queries": ", ".join(result["excluded"]) or "none",
                            "naive_survivor_recall@10": result["naive_survivor_recall@10"]}),
                gate("labelled_predicates_admit_gold", value=result["false_exclusion_rate_correct_predicates"],
                     limit=0.0, op="<=", n=n, severity=WARN,
                     extra={"excluded_queries": ", ".join(result["excluded_by_correct_predicates"]) or "none"}),
            ])

    return dg.Definitions(assets=[filter_eval])
