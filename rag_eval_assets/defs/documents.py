"""The per-document stages as one step: records → every parser → route → clean → chunks →
embeddings, over a batch of document partitions.

Each stage is its own asset in the lineage (its spec, checks and corpus-level assets live in
its stage file); they run in one step so that a batch of scattered documents is one run (a
run covers a partition range, and the step processes only the documents of the range whose
outputs are missing for their current content: ``lib.state``), each document flows through
every stage without re-reading what the previous stage just wrote, and a failure stays with
its document. Each processed (stage, document) is reported as that partition's
materialization with the document's own masked path, class, figures and failure; a retried
error is an observation. Documents of the range that were already up to date get no event.
"""

from collections.abc import Sequence

import dagster as dg

from rag_eval_assets.lib.pipeline import (
    ChunkSettings,
    DocumentPipeline,
    PipelineSettings,
)
from rag_eval_assets.partitions import (
    FORCE_TAG,
    document_backfill_policy,
    documents_partitions,
)
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

_METADATA_TYPES = (str, int, float, bool)


def _metadata(values: dict) -> dict:
    return {k: v for k, v in values.items() if isinstance(v, _METADATA_TYPES)}


def build(settings: Settings, specs: Sequence[dg.AssetSpec]) -> dg.Definitions:
    @dg.multi_asset(specs=list(specs), name="per_document_stages", partitions_def=documents_partitions, can_subset=True,
                    backfill_policy=document_backfill_policy(settings.batch_size))
    def document_stages(context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource,
                        parse_config: ParseConfig, clean_config: CleanConfig, chunk_config: ChunkConfig,
                        embed_config: EmbedConfig):
        keys = set(context.partition_keys)
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config)
        docs = [view.docs[k] for k in sorted(keys) if k in view.docs]
        gone = len(keys) - len(docs)
        if gone:
            context.log.warning(f"{gone} partitions of this range are no longer corpus files; skipped")
        selected = {k.to_user_string() for k in context.selected_asset_keys}
        force = context.run.tags.get(FORCE_TAG) == "true"
        pending = {d for d, stages in view.pending(force=force).items() if d in keys and set(stages) & selected}
        todo = [d for d in docs if d.doc_id in pending]
        context.log.info(f"{len(todo)} of {len(docs)} documents of the range have work left "
                         f"({', '.join(sorted(selected))})")
        settings_ = PipelineSettings(
            config=view.config, parser_options={p: parse_config.options(p) for p in parse_config.parsers},
            parse_timeout_s=parse_config.timeout_s, isolation=parse_config.isolation.value,
            parse_concurrency=parse_config.concurrency, clean_options=clean_config.options(view.ontology),
            clean_limits=clean_config.limits(),
            chunk=ChunkSettings(chunk_config.strategy.value, chunk_config.size, chunk_config.overlap),
            embedder=embed_config.embedder, coherence_share=embed_config.coherence_share)
        pipeline = DocumentPipeline(view.outputs, corpus.corpus_root, view.ontology, view.metadata, settings_,
                                    log=context.log.info)
        counts: dict[str, int] = {}
        for o in pipeline.run(todo, selected, force=force):
            counts[o.status] = counts.get(o.status, 0) + 1
            meta = _metadata({**o.metadata, "version": o.version, "status": o.status})
            if o.kind:
                meta.update(failure_kind=o.kind, failure_message=o.message or "")
            if o.status in ("ok", "failed"):
                yield dg.AssetMaterialization(asset_key=o.asset, partition=o.doc_id, metadata=meta,
                                              tags={"rag_eval/status": o.status})
            else:
                yield dg.AssetObservation(asset_key=o.asset, partition=o.doc_id, metadata=meta)
            if o.status in ("failed", "error"):
                context.log.warning(f"{o.asset} {o.metadata.get('path', o.doc_id)}: {o.status} {o.kind}: "
                                    f"{(o.message or '')[:200]}")
        context.log.info(f"per-document outcomes: {counts or 'nothing to do'}")
        if pipeline.timings:
            context.log.info("stage seconds (wall / CPU incl. parser workers): " + ", ".join(
                f"{k} {v['wall_s']:.1f}/{v['cpu_s']:.1f}" for k, v in pipeline.timings.items()))
            view.outputs.write_state(f"stage_seconds/{context.run.run_id}", {"documents": len(todo), **pipeline.timings})

    return dg.Definitions(assets=[document_stages])
