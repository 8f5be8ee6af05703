"""Dedup stage (corpus-level): exact and near-duplicate clusters with a canonical document, and
the threshold sweep. Decisions are a table the index stage applies (duplicates are left out of
the index), so a dedup change never makes the per-document stages stale."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.lib.dedup import MatchParams, NearDuplicateIndex, SketchParams
from rag_eval_assets.lib.evaluation.reuse import reusable
from rag_eval_assets.lib.metrics.dedup import (
    pair_scores,
    pair_scores_by_kind,
    sweep_table,
    threshold_sweep,
)
from rag_eval_assets.lib.outputs import digest
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.plots import line_plot_png, markdown_image
from rag_eval_assets.lib.state import CLEANED
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    DedupConfig,
    EmbedConfig,
    GoldenSetResource,
    ParseConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

GROUP = "dedup"
DUPLICATE_KINDS = ("exact", "light_edit")  # what the missed-merge check holds to zero
OVERLAPS = "dedup_overlaps"  # exact shingle overlaps of verified pairs, by content (lib.dedup.overlaps)


def _index(texts: dict[str, str], config: DedupConfig, outputs) -> NearDuplicateIndex:  # noqa: ANN001
    """The sketch index; MinHash signatures persist by content hash + sketch settings, so a
    refresh signs only new or changed documents (and the sweep signs nothing)."""
    cache = outputs.vector_cache("minhash")
    index = NearDuplicateIndex(texts, SketchParams(shingle_k=config.shingle_k, shingle_unit=config.shingle_unit.value,
                                                   num_perm=config.num_perm), cache=cache,
                               overlaps=outputs.overlap_cache(OVERLAPS))
    cache.save()
    return index


def _save_overlaps(index: NearDuplicateIndex, outputs) -> None:  # noqa: ANN001
    """Keep the exact pair overlaps verified so far for the next refresh (current documents only)."""
    outputs.save_overlap_cache(OVERLAPS, index.overlaps, keep=index.sketch_key.values())


def _match(config: DedupConfig, threshold: float | None = None) -> MatchParams:
    return MatchParams(threshold=threshold or config.threshold, mode=config.mode.value,
                       containment_threshold=config.containment_threshold)


def _kind_rows(by_kind) -> list[dict]:  # noqa: ANN001
    return [{"kind": k, "pairs": s.pairs, "merged": s.merged, "recall": s.recall,
             "false_merge_rate": s.false_merge_rate, "missed_merge_rate": s.missed_merge_rate}
            for k, s in sorted(by_kind.items())]


def _texts(view) -> dict[str, str]:  # noqa: ANN001
    """doc_id -> redacted cleaned text of every current document that has one."""
    return {d: view.outputs.read_output(CLEANED, o)["text"] for d, o in sorted(view.ok(CLEANED).items())}


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=[CLEANED, "golden_sets"], group_name=GROUP, kinds={"python", "parquet"}, tags=CORPUS_LEVEL,
        check_specs=[
            dg.AssetCheckSpec("false_merge_rate", asset="near_duplicates", blocking=True,
                              description="Merged labelled pairs that are labelled distinct / merged labelled pairs "
                              "≤ limit (ERROR, blocking: a false merge drops a distinct document from the index, so "
                              "the index is not rebuilt on it)."),
            dg.AssetCheckSpec("missed_merge_rate", asset="near_duplicates",
                              description="Exact and light-edit duplicate pairs not merged ≤ limit (WARN)."),
        ])
    def near_duplicates(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                        storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                        chunk_config: ChunkConfig, embed_config: EmbedConfig,
                        dedup_config: DedupConfig) -> dg.MaterializeResult:
        """Exact duplicates (normalized content hash) and near-duplicates (MinHash LSH, verified by
        exact shingle Jaccard; optional containment mode) over the cleaned texts: one row per
        document with its cluster and canonical document; scored against the labelled pairs."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        texts = _texts(view)
        index = _index(texts, dedup_config, view.outputs)
        result = index.find(_match(dedup_config))
        _save_overlaps(index, view.outputs)
        canonical = result.canonical_of()
        size = {d: len(c.members) for c in result.clusters for d in c.members}
        rows = [{"doc_id": d, "canonical": canonical.get(d, d), "is_duplicate": canonical.get(d, d) != d,
                 "cluster_size": size.get(d, 1)} for d in sorted(texts)]
        view.outputs.write_rows("near_duplicates", rows)
        pairs = [p for p in golden.load().dedup_pairs if p.doc_a in texts and p.doc_b in texts]
        clusters = result.as_sets()
        overall = pair_scores(pairs, clusters)
        strict = pair_scores([p for p in pairs if p.kind in DUPLICATE_KINDS or p.label == "distinct"], clusters)
        distinct = sum(p.label == "distinct" for p in pairs)
        no_pairs = "the golden set has no labelled duplicate pairs among the cleaned documents" if not pairs else None
        return dg.MaterializeResult(
            metadata={"documents": len(texts), "clusters": len(clusters),
                      "duplicates_dropped": sum(r["is_duplicate"] for r in rows), "labelled_pairs": len(pairs),
                      "by_kind": dg.MetadataValue.md(markdown_table(_kind_rows(pair_scores_by_kind(pairs, clusters)))),
                      "clusters_table": dg.MetadataValue.md(markdown_table(
                          [{"canonical": view.display_path(c.canonical), "members": len(c.members),
                            "rules": ",".join(sorted(c.rules))} for c in result.clusters]))},
            check_results=[
                gate("false_merge_rate", value=overall.false_merge_rate if pairs else None,
                     limit=dedup_config.false_merge_rate_max, op="<=",
                     n=f"{overall.merged} merged labelled pairs ({distinct} labelled distinct)", nothing_to_judge=no_pairs,
                     extra={"false_merges": overall.false_merges}),
                gate("missed_merge_rate", value=strict.missed_merge_rate, limit=dedup_config.missed_merge_rate_max,
                     op="<=", n=f"{sum(p.kind in DUPLICATE_KINDS for p in pairs)} exact and light-edit pairs",
                     severity=WARN, nothing_to_judge=no_pairs or (None if strict.missed_merge_rate is not None
                                                                   else "no exact or light-edit pair is labelled")),
            ])

    @dg.asset(
        deps=[CLEANED, "golden_sets"], group_name=GROUP, kinds={"python"}, tags=CORPUS_LEVEL,
        check_specs=[dg.AssetCheckSpec("default_threshold_is_clean", asset="dedup_threshold_sweep",
                                       description="At the configured threshold the sweep shows no false merge (WARN).")])
    def dedup_threshold_sweep(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                              storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                              chunk_config: ChunkConfig, embed_config: EmbedConfig,
                              dedup_config: DedupConfig) -> dg.MaterializeResult:
        """Pair precision / recall / false-merge rate for thresholds 0.50–0.95 (documents sketched
        once), with the P/R curve plotted: the evidence behind the default threshold. Reused while
        the configuration, the golden pairs and all but ``sweep_rerun_share`` of the documents are
        unchanged."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        cleaned = view.ok(CLEANED)
        inputs = {d: o.version for d, o in cleaned.items()}
        config = digest("dedup-sweep/1", repr(dedup_config), golden.digest())
        reuse, share = reusable(view.outputs.read_json("dedup_threshold_sweep", "_inputs", default=None), config,
                                inputs, dedup_config.sweep_rerun_share)
        metadata = {"configured_threshold": dg.MetadataValue.text(f"{dedup_config.threshold:.2f}"),
                    "recomputed": dg.MetadataValue.text("no: reused" if reuse else "yes"),
                    "documents_changed_since": dg.MetadataValue.text(f"{share:.1%}")}
        if reuse:
            rows = view.outputs.read_json("dedup_threshold_sweep", default=[])
            n_pairs = (view.outputs.read_json("dedup_threshold_sweep", "_inputs", default={}) or {}).get("pairs", 0)
        else:
            texts = _texts(view)
            index = _index(texts, dedup_config, view.outputs)
            pairs = [p for p in golden.load().dedup_pairs if p.doc_a in texts and p.doc_b in texts]
            n_pairs = len(pairs)
            points = threshold_sweep(pairs, lambda t: index.find(_match(dedup_config, t)).as_sets(),
                                     overall_kinds=DUPLICATE_KINDS + ("same_topic", "random")) if pairs else []
            _save_overlaps(index, view.outputs)
            rows = [{"threshold": p.threshold, "precision": p.overall.precision, "recall": p.overall.recall,
                     "false_merge_rate": p.overall.false_merge_rate,
                     "recall_heavy_edit": p.by_kind["heavy_edit"].recall if "heavy_edit" in p.by_kind else None}
                    for p in points]
            if points:
                png = line_plot_png([r["threshold"] for r in rows],
                                    {"precision": [r["precision"] for r in rows],
                                     "recall (exact+light)": [r["recall"] for r in rows],
                                     "false-merge rate": [r["false_merge_rate"] for r in rows],
                                     "recall heavy_edit": [r["recall_heavy_edit"] for r in rows]},
                                    "threshold", "rate", "MinHash LSH threshold sweep")
                view.outputs.write_bytes("dedup_threshold_sweep", "_sweep", "png", png)
                metadata["sweep"] = dg.MetadataValue.md(sweep_table(points))
            view.outputs.write_json("dedup_threshold_sweep", rows)
            view.outputs.write_json("dedup_threshold_sweep", {"config": config, "inputs": inputs, "pairs": n_pairs},
                                    key="_inputs")
        png = view.outputs.read_bytes("dedup_threshold_sweep", "_sweep", "png", default=b"")
        if rows and png:
            metadata.update(plot=dg.MetadataValue.md(markdown_image(png, "threshold sweep")),
                            plot_file=dg.MetadataValue.path(view.outputs.url("dedup_threshold_sweep", "_sweep", "png")))
        at_default = min(rows, key=lambda r: abs(r["threshold"] - dedup_config.threshold)) if rows else None
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[gate("default_threshold_is_clean",
                                value=at_default["false_merge_rate"] if at_default else None, limit=0.0, op="<=",
                                n=f"{n_pairs} labelled pairs", severity=WARN,
                                nothing_to_judge=None if n_pairs else "the golden set has no labelled duplicate pairs",
                                extra={"threshold": at_default["threshold"] if at_default else "n/a"})])

    return dg.Definitions(assets=[near_duplicates, dedup_threshold_sweep])
