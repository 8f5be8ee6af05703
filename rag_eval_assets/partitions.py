"""Partitions, asset-scope tags and run tags shared by every stage file in ``defs/``."""

import dagster as dg

DOCUMENTS = "documents"

#: One partition per document; key = stable id of the corpus-relative path (lib.documents).
documents_partitions = dg.DynamicPartitionsDefinition(name=DOCUMENTS)

#: Tag that tells automation which assets run per document and which per corpus.
SCOPE_TAG = "rag_eval/scope"
PER_DOCUMENT = {SCOPE_TAG: "document"}
CORPUS_LEVEL = {SCOPE_TAG: "corpus"}
AFTER_REFRESH = {SCOPE_TAG: "after_refresh"}  # the report and the route decision: after every refresh
REPORT = AFTER_REFRESH

per_document_selection = dg.AssetSelection.tag(SCOPE_TAG, "document")
corpus_level_selection = dg.AssetSelection.tag(SCOPE_TAG, "corpus")
report_selection = dg.AssetSelection.tag(SCOPE_TAG, "after_refresh")

#: Run tags: who launched a run, and the digest of the inputs a corpus refresh was started for.
LAUNCHED_BY = "rag_eval/launched_by"
INPUTS_DIGEST = "rag_eval/inputs_digest"
FORCE_TAG = "rag_eval/force"  # "true": re-process the range's documents even when up to date
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def document_backfill_policy(batch_size: int = 50) -> dg.BackfillPolicy:
    """Backfills of per-document assets run ``batch_size`` documents per run, never one each."""
    return dg.BackfillPolicy.multi_run(max_partitions_per_run=batch_size)


def range_tags(first: str, last: str) -> dict[str, str]:
    return {RANGE_START: first, RANGE_END: last}
