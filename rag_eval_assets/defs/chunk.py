"""Chunk stage: the redacted cleaned text cut by the configured chunker (offsets, page, section
path and token count per chunk); corpus-wide boundary, attribution and hierarchy checks; the
chunk size / overlap sweep."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.evaluation.qrels import judged_qrels
from rag_eval_assets.lib.evaluation.reuse import reusable
from rag_eval_assets.lib.outputs import digest
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.state import CHUNKS, CLEANED
from rag_eval_assets.partitions import CORPUS_LEVEL, PER_DOCUMENT, documents_partitions
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    GoldenSetResource,
    ParseConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

GROUP = "chunk"
HIERARCHY_MIN = 0.9


def document_specs(settings: Settings) -> list[dg.AssetSpec]:
    return [dg.AssetSpec(
        CHUNKS, deps=[CLEANED], partitions_def=documents_partitions, group_name=GROUP, kinds={"python", "parquet"},
        tags=PER_DOCUMENT,
        description="Chunks of the redacted cleaned text by `chunk_config.strategy` (structural: cut on headings, "
        "tables/lists/numbered sections never split, recursive without blocks; recursive: size/overlap in tokens; "
        "semantic: cut where adjacent-sentence similarity drops): chunk id, character offsets, page, section "
        "path, token count; per-document boundary and attribution figures in the file's footer.")]


def _stats(view) -> dict[str, dict]:  # noqa: ANN001
    return {d: view.outputs.read_stats(CHUNKS, o) for d, o in sorted(view.ok(CHUNKS).items())}


def build(settings: Settings) -> dg.Definitions:
    @dg.asset_check(asset=CHUNKS, description="Tables, lists and numbered sections split across chunks, over every "
                    "current document (WARN; zero expected for the structural chunker).")
    def boundary_violations(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                            clean_config: CleanConfig, chunk_config: ChunkConfig,
                            embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        stats = _stats(view)
        units = sum(s.get("protected_units", 0) for s in stats.values())
        split = [{"path": view.display_path(d), "violations": s["boundary_violations"]}
                 for d, s in stats.items() if s.get("boundary_violations")]
        return gate("boundary_violations", value=sum(r["violations"] for r in split) if units else None, limit=0,
                    op="<=", n=f"{units} protected units in {len(stats)} documents", severity=WARN,
                    nothing_to_judge=None if units else ("no chunked documents" if not stats else
                                                         "no table, list or numbered section in the chunked documents"),
                    extra={"documents": table(split)})

    @dg.asset_check(asset=CHUNKS, description="Share of chunks whose doc id + offsets + page/section pointer "
                    "resolve, over every current document (WARN below 1).")
    def attribution_fidelity(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                             clean_config: CleanConfig, chunk_config: ChunkConfig,
                             embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        stats = _stats(view)
        total = sum(s.get("chunks", 0) for s in stats.values())
        failed = sum(s.get("attribution_failures", 0) for s in stats.values())
        bad = [{"path": view.display_path(d), "failures": s["attribution_failures"]}
               for d, s in stats.items() if s.get("attribution_failures")]
        return gate("attribution_fidelity", value=1 - failed / total if total else None, limit=1.0,
                    n=f"{total} chunks", severity=WARN, nothing_to_judge=None if total else "no chunks",
                    extra={"documents": table(bad)})

    @dg.asset_check(asset=CHUNKS, additional_deps=["golden_sets"],
                    description=f"Share of chunks whose section path equals the one the golden headings give, over "
                    f"every current document with golden headings (WARN below {HIERARCHY_MIN}).")
    def hierarchy_preservation(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, golden: GoldenSetResource, storage: StorageResource,
                               parse_config: ParseConfig, clean_config: CleanConfig, chunk_config: ChunkConfig,
                               embed_config: EmbedConfig) -> dg.AssetCheckResult:
        from rag_eval_assets.lib.chunking import Chunk
        from rag_eval_assets.lib.metrics.chunks import (
            hierarchy_preservation as preserved,
        )
        from rag_eval_assets.lib.metrics.chunks import reference_section_paths
        from rag_eval_assets.lib.parsers.structure import assign_section_paths

        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        headings = golden.load().headings
        cleaned = view.ok(CLEANED)
        judged, per_doc = 0, []
        hits = 0.0
        for doc_id, out in sorted(view.ok(CHUNKS).items()):
            if not headings.get(doc_id) or doc_id not in cleaned:
                continue
            chunks = [Chunk(**r) for r in view.outputs.read_output(CHUNKS, out)]
            text = view.outputs.read_output(CLEANED, cleaned[doc_id])["text"]
            reference = assign_section_paths([Block("heading", h.text, level=h.level) for h in headings[doc_id]])
            share = preserved(chunks, reference_section_paths(chunks, text, reference))
            judged += len(chunks)
            hits += share * len(chunks)
            per_doc.append({"path": view.display_path(doc_id), "chunks": len(chunks), "preserved": share})
        worst = sorted(per_doc, key=lambda r: r["preserved"])[:20]
        return gate("hierarchy_preservation", value=hits / judged if judged else None, limit=HIERARCHY_MIN,
                    n=f"{judged} chunks of {len(per_doc)} documents with golden headings", severity=WARN,
                    nothing_to_judge=None if headings and per_doc else (
                        "the golden set has no headings" if not headings else "no chunked document has golden headings"),
                    extra={"worst_documents": table(worst)})

    @dg.asset(
        deps=[CLEANED, "near_duplicates", "golden_sets"], group_name=GROUP, kinds={"python"}, tags=CORPUS_LEVEL,
        check_specs=[dg.AssetCheckSpec("configured_size_near_knee", asset="chunk_size_sweep",
                                       description="Recall@10 at the configured chunk size is within 0.05 of the best "
                                       "size/overlap (WARN).")])
    def chunk_size_sweep(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                         storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                         chunk_config: ChunkConfig, embed_config: EmbedConfig) -> dg.MaterializeResult:
        """Recursive chunks of size {128, 256, 512, 1024} tokens × overlap {0, 10, 20 %} → dense
        Recall@10 / nDCG@10 of the golden queries (documents ranked by their best chunk, over the
        documents the index keeps, judged by the same qrels rule as retrieval_eval; on a large
        corpus the judged documents plus a fixed sample of the others, ``sweep_max_documents``
        in all, so its cost is bounded), plotted,
        with the knee (smallest size within 0.01 of the best recall). Embeddings go through the
        shared (chunk hash, model id) cache."""
        from rag_eval_assets.lib.evaluation.chunk_sweep import (
            OVERLAPS,
            knee,
            sweep_documents,
            sweep_version,
        )
        from rag_eval_assets.lib.evaluation.chunk_sweep import chunk_size_sweep as sweep
        from rag_eval_assets.lib.report.plots import line_plot_png, markdown_image

        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        duplicates = view.outputs.duplicates()
        texts = {d: view.outputs.read_output(CLEANED, o)["text"] for d, o in sorted(view.ok(CLEANED).items())
                 if d not in duplicates}
        gs = golden.load()
        qrels = judged_qrels(gs, set(texts), view.outputs.canonical_of())
        texts = sweep_documents(texts, qrels, chunk_config.sweep_max_documents)
        cleaned = view.ok(CLEANED)
        inputs = {d: cleaned[d].version for d in texts}
        config = digest(sweep_version(), embed_config.fingerprint(), golden.digest(), sorted(qrels))
        reuse, share = reusable(view.outputs.read_json("chunk_size_sweep", "_inputs", default=None), config, inputs,
                                chunk_config.sweep_rerun_share)
        cache = view.outputs.embedding_cache(embed_config.embedder())
        if reuse:
            rows = view.outputs.read_json("chunk_size_sweep")
            context.log.info(f"sweep reused: {share:.1%} of its documents changed (re-run above "
                             f"{chunk_config.sweep_rerun_share:.0%})")
        else:
            rows = sweep(texts, {q: gs.queries[q] for q in qrels}, qrels, cache.embed) if qrels else []
            cache.flush()
        metric = "recall@10"
        metadata: dict = {"queries": dg.MetadataValue.text(str(len(qrels))),
                          "embedded": dg.MetadataValue.text(str(cache.embedded)),
                          "recomputed": dg.MetadataValue.text("no: reused" if reuse else "yes"),
                          "documents_changed_since": dg.MetadataValue.text(f"{share:.1%}")}
        if rows:
            best_row = knee(rows, metric)
            sizes = sorted({r["size"] for r in rows})
            series = {f"overlap {int(o * 100)}%": [next((r[metric] for r in rows if r["size"] == s and r["overlap"] == o),
                                                        None) for s in sizes] for o in OVERLAPS}
            png = line_plot_png(sizes, series, "chunk size (tokens)", metric, "Chunk size / overlap sweep")
            if not reuse:
                view.outputs.write_bytes("chunk_size_sweep", "_sweep", "png", png)
            metadata.update(knee=dg.MetadataValue.text(f"{best_row['size']} tokens, overlap {best_row['overlap']:.0%}"),
                            best_recall_at_10=round(max(r[metric] for r in rows), 4),
                            plot=dg.MetadataValue.md(markdown_image(png, "chunk sweep")),
                            sweep=dg.MetadataValue.md(markdown_table(rows)))
        if not reuse:
            view.outputs.write_json("chunk_size_sweep", rows)
            view.outputs.write_json("chunk_size_sweep", {"config": config, "inputs": inputs}, key="_inputs")
        at_config = max((r[metric] for r in rows if r["size"] == chunk_config.size), default=None)
        best = max((r[metric] for r in rows), default=None)
        check = gate("configured_size_near_knee", value=(best - at_config) if rows and at_config is not None else None,
                     limit=0.05, op="<=", n=f"{len(qrels)} judged queries", severity=WARN,
                     nothing_to_judge=None if qrels else "no golden query has a relevant document in the corpus",
                     reason=None if at_config is not None or not rows else
                     f"the configured size {chunk_config.size} is not among the swept sizes",
                     extra={"configured_size": chunk_config.size, "recall_at_configured": at_config, "best": best})
        return dg.MaterializeResult(metadata=metadata, check_results=[check])

    return dg.Definitions(assets=[chunk_size_sweep],
                          asset_checks=[boundary_violations, attribution_fidelity, hierarchy_preservation])
