"""Embed stage: chunk vectors from an offline model, cached by (chunk hash, model id) so an
unchanged chunk is never embedded twice; a drift probe re-embeds fixed texts every run."""

from pathlib import Path

import dagster as dg
import numpy as np

from rag_eval_assets.defs.chunk import chunks
from rag_eval_assets.lib.chunking import Chunk, sentence_spans
from rag_eval_assets.lib.embedding import EmbeddingCache, drift
from rag_eval_assets.lib.metrics.chunks import coherence_parts, sentence_labels
from rag_eval_assets.partitions import PER_DOCUMENT, document_backfill_policy, documents_partitions
from rag_eval_assets.resources import SETTINGS, EmbedConfig, StorageResource

GROUP = "embed"
PROBE_TEXTS = [
    "How long are snapshots of block volumes retained?", "Invoices are issued on the first day of the month.",
    "The VPN gateway rekeys IKE security associations every eight hours.", "Reset a forgotten password.",
    "Load balancer health checks run every ten seconds.", "Single sign-on with SAML 2.0 and OIDC.",
    "Object storage buckets keep 30 versions of each object.", "Serverless functions time out after 15 minutes.",
    "Refunds can be requested within 90 days of the charge.", "Access keys must be rotated every 90 days.",
    "Wie lange werden Snapshots aufbewahrt?", "Les factures sont émises le premier jour du mois.",
    "¿Cuántos túneles admite una pasarela VPN?", "Quanto tempo durano le sessioni?",
    "Как часто проверяется состояние балансировщика?", "Πόσο συχνά γίνεται εναλλαγή κλειδιών;",
    "A cat sits on the mat.", "Tax law changed in 2024.", "Quarterly revenue grew by 12 percent.",
    "The meeting is moved to Thursday afternoon.",
]


@dg.asset(
    partitions_def=documents_partitions,
    deps=[chunks],
    backfill_policy=document_backfill_policy(SETTINGS.batch_size),
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=PER_DOCUMENT,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("drift_probe", asset="embeddings", blocking=True,
                                   description="Fixed probe texts re-embedded now vs. their stored reference "
                                   "vectors: mean cosine and top-10 neighbour stability (ERROR, blocking)."),
                 dg.AssetCheckSpec("chunk_coherence", asset="embeddings",
                                   description="Mean within-chunk adjacent-sentence cosine minus mean "
                                   "across-boundary cosine, over the batch's documents, is > 0 (WARN).")],
)
def embeddings(context: dg.AssetExecutionContext, storage: StorageResource, embed_config: EmbedConfig) -> dg.MaterializeResult:
    """Unit-norm chunk vectors per document. Cached by (sha256 of the chunk text, model id):
    the metadata says how many chunks were actually embedded (``embedded``) and the cache hit
    rate (chunks and the sentences embedded for the coherence check)."""
    store = storage.get()
    embedder = embed_config.embedder()
    cache = EmbeddingCache(Path(store.root) / "_embedding_cache", embedder)
    total, coherences, chunks_embedded = 0, [], 0
    for doc_id in context.partition_keys:
        if not store.exists("chunks", doc_id):
            continue
        rows = store.read_rows("chunks", doc_id)
        before = cache.embedded
        vectors = cache.embed([r["text"] for r in rows]) if rows else np.zeros((0, embedder.dim), np.float32)
        store.write_rows("embeddings", [{"doc_id": doc_id, "chunk_id": r["chunk_id"], "vector": v.tolist()}
                                        for r, v in zip(rows, vectors)], key=doc_id)
        total += len(rows)
        chunks_embedded += cache.embedded - before
        value = _coherence(store.read_json("cleaned_documents", doc_id)["text"], rows, cache.embed)
        if value is not None:
            coherences.append(value)
    cache.flush()
    mean_coherence = float(np.mean(coherences)) if coherences else None
    probe = embedder.embed(PROBE_TEXTS)
    ref_key = f"_probe_{embedder.model_id.replace('/', '_')}"  # "_": not a document key, never pruned
    if not store.exists("embedding_probe", ref_key, "json"):
        store.write_json("embedding_probe", probe.tolist(), key=ref_key)
        context.log.info("drift probe: first run, reference vectors stored")
    report = drift(np.asarray(store.read_json("embedding_probe", ref_key), dtype=np.float32), probe)
    ok = (report.mean_cosine or 0) >= embed_config.drift_min_cosine and \
        report.neighbour_jaccard >= embed_config.drift_min_neighbour_jaccard
    return dg.MaterializeResult(
        metadata={"chunks": total, "embedded": chunks_embedded, "sentences_embedded": cache.embedded - chunks_embedded,
                  "cache_hits": cache.hits,
                  "cache_hit_rate": cache.hit_rate, "model": embedder.model_id, "dim": embedder.dim,
                  "chunk_coherence": mean_coherence if mean_coherence is not None else float("nan")},
        check_results=[dg.AssetCheckResult(
            check_name="drift_probe", passed=ok, severity=dg.AssetCheckSeverity.ERROR,
            metadata={"mean_cosine": report.mean_cosine if report.mean_cosine is not None else -1.0,
                      "neighbour_jaccard": report.neighbour_jaccard, "probes": report.n}),
            dg.AssetCheckResult(
                check_name="chunk_coherence", passed=mean_coherence is None or mean_coherence > 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"coherence": mean_coherence if mean_coherence is not None else -1.0,
                          "documents_with_boundaries": len(coherences)})],
    )


def _coherence(text: str, chunk_rows: list[dict], embed) -> float | None:
    """Coherence of one document's chunking (None with fewer than two chunks or no boundary)."""
    if len(chunk_rows) < 2:
        return None
    sentences = sentence_spans(text)
    labels = sentence_labels(sentences, [Chunk(**r) for r in chunk_rows])
    within, across = coherence_parts(embed([text[s:e] for s, e in sentences]), labels)
    return within - across if within is not None and across is not None else None
