"""Chunk stage: the redacted cleaned text cut by the configured chunker, with offsets, page,
section path and token count per chunk; boundary and attribution checks per batch."""

import dagster as dg

from rag_eval_assets.defs.clean import cleaned_documents, current_cleaned_texts
from rag_eval_assets.lib.chunking import chunk_document
from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.metrics.chunks import (
    attribution_fidelity,
    boundary_violations,
    hierarchy_preservation,
    reference_section_paths,
    size_distribution,
)
from rag_eval_assets.lib.parsers.structure import assign_section_paths
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.partitions import (
    CORPUS_LEVEL,
    PER_DOCUMENT,
    document_backfill_policy,
    documents_partitions,
)
from rag_eval_assets.resources import (
    SETTINGS,
    ChunkConfig,
    EmbedConfig,
    GoldenSetResource,
    StorageResource,
)

GROUP = "chunk"


def document_chunks(doc_id: str, cleaned: dict, config: ChunkConfig, embed=None):
    """Chunks of one cleaned document (structural falls back to recursive without blocks;
    semantic needs ``embed``, a texts -> vectors function)."""
    blocks = [Block(**b) for b in cleaned.get("blocks") or []]
    strategy = config.strategy if (config.strategy != "structural" or blocks) else "recursive"
    params = {"size": config.size, "overlap": config.overlap} if strategy == "recursive" else {"max_tokens": config.size}
    if strategy == "semantic":
        params["embed"] = embed
    return strategy, blocks, chunk_document(doc_id, cleaned["text"], blocks, strategy, **params)


@dg.asset(
    partitions_def=documents_partitions,
    deps=[cleaned_documents],
    backfill_policy=document_backfill_policy(SETTINGS.batch_size),
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=PER_DOCUMENT,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("boundary_violations", asset="chunks",
                          description="Tables, lists and numbered sections split across chunks (WARN; "
                          "zero expected for the structural chunker)."),
        dg.AssetCheckSpec("attribution_fidelity", asset="chunks",
                          description="Share of chunks whose doc id + page/section pointer resolves (WARN < 1)."),
        dg.AssetCheckSpec("hierarchy_preservation", asset="chunks",
                          description="Share of chunks whose section path equals the one given by the "
                          "golden headings (WARN below 0.9)."),
    ],
)
def chunks(context: dg.AssetExecutionContext, storage: StorageResource, chunk_config: ChunkConfig,
           embed_config: EmbedConfig, golden: GoldenSetResource) -> dg.MaterializeResult:
    """Chunks (doc id, chunk id, character offsets into the cleaned text, page, section path,
    token count, kind) by the chunker in ``chunk_config`` (recursive | structural | semantic)."""
    store = storage.get()
    embed = embed_config.embedder().embed if chunk_config.strategy == "semantic" else None
    headings = golden.load().headings
    all_chunks, violations, units, docs, judged = [], 0, 0, {}, []
    for doc_id in context.partition_keys:
        if not store.exists("cleaned_documents", doc_id, "json"):
            continue
        cleaned = store.read_json("cleaned_documents", doc_id)
        strategy, blocks, found = document_chunks(doc_id, cleaned, chunk_config, embed)
        store.write_rows("chunks", [c.to_json() for c in found], key=doc_id)
        report = boundary_violations(found, cleaned["text"], blocks)
        violations, units = violations + report.violations, units + report.units
        docs[doc_id] = (cleaned["text"], blocks)
        all_chunks.extend(found)
        if headings.get(doc_id):
            reference = [Block("heading", h.text, level=h.level) for h in headings[doc_id]]
            paths = reference_section_paths(found, cleaned["text"], assign_section_paths(reference))
            judged.append((found, paths))
    fidelity = attribution_fidelity(all_chunks, docs) if all_chunks else 1.0
    judged_chunks = sum(len(c) for c, _ in judged)
    preserved = (sum(hierarchy_preservation(c, p) * len(c) for c, p in judged) / judged_chunks
                 if judged_chunks else None)
    sizes = size_distribution(all_chunks) if all_chunks else {}
    return dg.MaterializeResult(
        metadata={"documents": len(docs), "chunks": len(all_chunks), "strategy": chunk_config.strategy,
                  "hierarchy_preservation": preserved if preserved is not None else float("nan"),
                  "sizes": dg.MetadataValue.md(markdown_table([sizes])) if sizes else "none",
                  **{f"tokens_{k}": float(v) for k, v in sizes.items()}},
        check_results=[
            dg.AssetCheckResult(check_name="boundary_violations", passed=violations == 0,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"violations": violations, "protected_units": units}),
            dg.AssetCheckResult(check_name="attribution_fidelity", passed=fidelity >= 1.0,
                                severity=dg.AssetCheckSeverity.WARN, metadata={"fidelity": fidelity}),
            dg.AssetCheckResult(check_name="hierarchy_preservation", passed=preserved is None or preserved >= 0.9,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"preserved": preserved if preserved is not None else -1.0,
                                          "chunks_judged": judged_chunks}),
        ],
    )


@dg.asset(
    deps=[cleaned_documents],
    group_name=GROUP,
    kinds={"python"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("configured_size_near_knee", asset="chunk_size_sweep",
                                   description="Recall@10 at the configured chunk size is within 0.05 of the "
                                   "best size/overlap (WARN).")],
)
def chunk_size_sweep(context: dg.AssetExecutionContext, golden: GoldenSetResource, storage: StorageResource,
                     chunk_config: ChunkConfig, embed_config: EmbedConfig) -> dg.MaterializeResult:
    """Recursive chunks of size {128, 256, 512, 1024} tokens × overlap {0, 10, 20 %} → dense
    Recall@10 / nDCG@10 of the golden queries (documents ranked by their best chunk), plotted,
    with the knee (smallest size within 0.01 of the best recall). Embeddings go through the
    same (chunk hash, model id) cache as the embed stage, so a re-run costs little."""
    from pathlib import Path

    from rag_eval_assets.lib.embedding import EmbeddingCache
    from rag_eval_assets.lib.evaluation.chunk_sweep import OVERLAPS, knee
    from rag_eval_assets.lib.evaluation.chunk_sweep import chunk_size_sweep as sweep
    from rag_eval_assets.lib.report.plots import line_plot_png, markdown_image

    store = storage.get()
    texts = current_cleaned_texts(context, storage)
    gs = golden.load()
    qrels = next(iter(gs.qrels.values()), {})
    cache = EmbeddingCache(Path(store.root) / "_embedding_cache", embed_config.embedder())
    rows = sweep(texts, gs.queries, qrels, cache.embed)
    cache.flush()
    metric = "recall@10"
    best_row = knee(rows, metric)
    sizes = sorted({r["size"] for r in rows})
    series = {f"overlap {int(o * 100)}%": [next((r[metric] for r in rows if r["size"] == s and r["overlap"] == o), None)
                                           for s in sizes] for o in OVERLAPS}
    png = line_plot_png(sizes, series, "chunk size (tokens)", metric, "Chunk size / overlap sweep") if rows else b""
    store.write_json("chunk_size_sweep", rows)
    if png:
        atomic_write_bytes(store.path("chunk_size_sweep", "_sweep", "png"), png)
    at_config = [r[metric] for r in rows if r["size"] == chunk_config.size]
    best = max((r[metric] for r in rows), default=0.0)
    return dg.MaterializeResult(
        metadata={"queries": rows[0]["queries"] if rows else 0, "embedded": cache.embedded,
                  "knee_size": best_row["size"] if best_row else -1,
                  "knee_overlap": best_row["overlap"] if best_row else -1.0, "best_recall_at_10": best,
                  "plot": dg.MetadataValue.md(markdown_image(png, "chunk sweep")) if png else "no queries",
                  "sweep": dg.MetadataValue.md(markdown_table(rows))},
        check_results=[dg.AssetCheckResult(
            check_name="configured_size_near_knee", severity=dg.AssetCheckSeverity.WARN,
            passed=bool(at_config) and max(at_config) >= best - 0.05,
            metadata={"configured_size": chunk_config.size, "recall_at_configured": max(at_config, default=-1.0),
                      "best": best})],
    )
