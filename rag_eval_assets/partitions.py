"""Partitions and asset-scope tags shared by every stage file in ``defs/``."""

import dagster as dg

DOCUMENTS = "documents"

#: One partition per document; key = stable id of the corpus-relative path (lib.documents).
documents_partitions = dg.DynamicPartitionsDefinition(name=DOCUMENTS)

#: Tag that tells automation which assets run per document and which per corpus.
SCOPE_TAG = "rag_eval/scope"
PER_DOCUMENT = {SCOPE_TAG: "document"}
CORPUS_LEVEL = {SCOPE_TAG: "corpus"}

per_document_selection = dg.AssetSelection.tag(SCOPE_TAG, "document")
corpus_level_selection = dg.AssetSelection.tag(SCOPE_TAG, "corpus")


def document_backfill_policy(batch_size: int = 50) -> dg.BackfillPolicy:
    """Backfills of per-document assets run ``batch_size`` documents per run, never one each."""
    return dg.BackfillPolicy.multi_run(max_partitions_per_run=batch_size)


def latest_batch_metadata(context: dg.AssetCheckExecutionContext, asset: str) -> dict:
    """Metadata values (key -> plain value) of ``asset``'s latest materialization, i.e. of the
    batch the check runs after; empty when it was never materialized."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey(asset))
    if not event or not event.asset_materialization:
        return {}
    return {k: v.value for k, v in event.asset_materialization.metadata.items()}
