"""Dedup stage (corpus-level): exact and near-duplicate clusters with a canonical document, and
the threshold sweep. Decisions are a table the index stage applies (duplicates are left out of
the index), so a dedup change never makes the per-document stages stale."""

import dagster as dg

from rag_eval_assets.defs.clean import cleaned_documents, current_cleaned_texts
from rag_eval_assets.lib.dedup import MatchParams, NearDuplicateIndex, SketchParams
from rag_eval_assets.lib.metrics.dedup import pair_scores, pair_scores_by_kind, sweep_table, threshold_sweep
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.plots import line_plot_png, markdown_image
from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import DedupConfig, GoldenSetResource, StorageResource

GROUP = "dedup"
DUPLICATE_KINDS = ("exact", "light_edit")  # what the missed-merge check holds to zero


def _index(texts: dict[str, str], config: DedupConfig) -> NearDuplicateIndex:
    return NearDuplicateIndex(texts, SketchParams(shingle_k=config.shingle_k, num_perm=config.num_perm))


def _match(config: DedupConfig, threshold: float | None = None) -> MatchParams:
    return MatchParams(threshold=threshold or config.threshold, mode=config.mode,
                       containment_threshold=config.containment_threshold)


def _kind_rows(by_kind) -> list[dict]:
    return [{"kind": k, "pairs": s.pairs, "merged": s.merged, "recall": s.recall,
             "false_merge_rate": s.false_merge_rate, "missed_merge_rate": s.missed_merge_rate}
            for k, s in sorted(by_kind.items())]


@dg.asset(
    deps=[cleaned_documents],
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("false_merge_rate", asset="near_duplicates", blocking=True,
                          description="Merged labelled pairs that are labelled distinct / merged labelled "
                          "pairs ≤ limit (ERROR, blocking: a false merge drops a distinct document)."),
        dg.AssetCheckSpec("missed_merge_rate", asset="near_duplicates",
                          description="Exact and light-edit duplicate pairs not merged ≤ limit (WARN)."),
    ],
)
def near_duplicates(context: dg.AssetExecutionContext, golden: GoldenSetResource, storage: StorageResource,
                    dedup_config: DedupConfig) -> dg.MaterializeResult:
    """Exact duplicates (normalized content hash) and near-duplicates (MinHash LSH, verified by
    exact shingle Jaccard; optional containment mode) over the cleaned texts: one row per
    document with its cluster and canonical document; scored against the labelled pairs."""
    texts = current_cleaned_texts(context, storage)
    result = _index(texts, dedup_config).find(_match(dedup_config))
    canonical = result.canonical_of()
    rows = [{"doc_id": d, "canonical": canonical.get(d, d), "is_duplicate": canonical.get(d, d) != d,
             "cluster_size": next((len(c.members) for c in result.clusters if d in c.members), 1)}
            for d in sorted(texts)]
    storage.get().write_rows("near_duplicates", rows)
    pairs = [p for p in golden.load().dedup_pairs if p.doc_a in texts and p.doc_b in texts]
    clusters = result.as_sets()
    by_kind = pair_scores_by_kind(pairs, clusters)
    overall = pair_scores(pairs, clusters)
    strict = pair_scores([p for p in pairs if p.kind in DUPLICATE_KINDS or p.label == "distinct"], clusters)
    missed = strict.missed_merge_rate
    return dg.MaterializeResult(
        metadata={
            "documents": len(texts),
            "clusters": len(clusters),
            "duplicates_dropped": sum(r["is_duplicate"] for r in rows),
            "labelled_pairs": len(pairs),
            "pair_precision": overall.precision,
            "pair_recall": overall.recall,
            "false_merge_rate": overall.false_merge_rate,
            "by_kind": dg.MetadataValue.md(markdown_table(_kind_rows(by_kind))),
            "clusters_table": dg.MetadataValue.md(markdown_table(
                [{"canonical": c.canonical, "members": len(c.members), "rules": ",".join(sorted(c.rules))}
                 for c in result.clusters])),
        },
        check_results=[
            dg.AssetCheckResult(check_name="false_merge_rate",
                                passed=overall.false_merge_rate <= dedup_config.false_merge_rate_max,
                                severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"false_merge_rate": overall.false_merge_rate,
                                          "false_merges": overall.false_merges,
                                          "limit": dedup_config.false_merge_rate_max}),
            dg.AssetCheckResult(check_name="missed_merge_rate",
                                passed=missed is None or missed <= dedup_config.missed_merge_rate_max,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"missed_merge_rate": missed if missed is not None else -1.0,
                                          "kinds": ", ".join(DUPLICATE_KINDS)}),
        ],
    )


@dg.asset(
    deps=[cleaned_documents],
    group_name=GROUP,
    kinds={"python"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("default_threshold_is_clean", asset="dedup_threshold_sweep",
                                   description="At the configured threshold the sweep shows no false merge "
                                   "(WARN).")],
)
def dedup_threshold_sweep(context: dg.AssetExecutionContext, golden: GoldenSetResource, storage: StorageResource,
                          dedup_config: DedupConfig) -> dg.MaterializeResult:
    """Pair precision / recall / false-merge rate for thresholds 0.50–0.95 (documents sketched
    once), with the P/R curve plotted: the evidence behind the default threshold."""
    texts = current_cleaned_texts(context, storage)
    index = _index(texts, dedup_config)
    pairs = [p for p in golden.load().dedup_pairs if p.doc_a in texts and p.doc_b in texts]
    points = threshold_sweep(pairs, lambda t: index.find(_match(dedup_config, t)).as_sets(),
                             overall_kinds=DUPLICATE_KINDS + ("same_topic", "random"))
    xs = [p.threshold for p in points]
    png = line_plot_png(xs, {"precision": [p.overall.precision for p in points],
                             "recall (exact+light)": [p.overall.recall for p in points],
                             "false-merge rate": [p.overall.false_merge_rate for p in points],
                             **{f"recall {k}": [p.by_kind[k].recall if k in p.by_kind else None for p in points]
                                for k in ("heavy_edit",)}},
                        "threshold", "rate", "MinHash LSH threshold sweep")
    storage.get().write_json("dedup_threshold_sweep", [
        {"threshold": p.threshold, "precision": p.overall.precision, "recall": p.overall.recall,
         "false_merge_rate": p.overall.false_merge_rate} for p in points])
    png_path = storage.get().path("dedup_threshold_sweep", "_sweep", "png")
    atomic_write_bytes(png_path, png)
    at_default = min(points, key=lambda p: abs(p.threshold - dedup_config.threshold))
    return dg.MaterializeResult(
        metadata={"plot": dg.MetadataValue.md(markdown_image(png, "threshold sweep")),
                  "sweep": dg.MetadataValue.md(sweep_table(points)),
                  "plot_file": dg.MetadataValue.path(png_path),
                  "configured_threshold": dedup_config.threshold},
        check_results=[dg.AssetCheckResult(
            check_name="default_threshold_is_clean", passed=at_default.overall.false_merge_rate == 0.0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"threshold": at_default.threshold, "false_merge_rate": at_default.overall.false_merge_rate,
                      "recall": at_default.overall.recall if at_default.overall.recall is not None else -1.0})],
    )
