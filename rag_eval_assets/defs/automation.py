"""Automation: the corpus sensor (new/changed/deleted documents) and the nightly refresh.

- ``corpus_sensor`` (RUNNING by default) scans the corpus root, adds and removes ``documents``
  partitions, records the new content hash of each changed file as a ``raw_documents``
  observation, and requests the per-document stages only for new or changed documents, in
  contiguous batches (a bulk load becomes runs of ``RAG_EVAL_BATCH_SIZE`` documents). A
  deletion also requests the corpus-level refresh so aggregates drop the document at once.
- ``nightly_corpus_refresh`` (RUNNING by default) re-materializes the corpus-level assets at
  ``RAG_EVAL_NIGHTLY_CRON`` (default 02:00) in ``RAG_EVAL_TIMEZONE``.
"""


import hashlib
import json

import dagster as dg

from rag_eval_assets.lib.corpus_sync import contiguous_batches, diff_states
from rag_eval_assets.partitions import (
    DOCUMENTS,
    corpus_level_selection,
    documents_partitions,
    per_document_selection,
)
from rag_eval_assets.resources import SETTINGS, CorpusResource

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"

document_stages_job = dg.define_asset_job(
    "document_stages",
    selection=per_document_selection,
    partitions_def=documents_partitions,
    description="Per-document stages for one document or a contiguous range of documents.",
)

corpus_refresh_job = dg.define_asset_job(
    "corpus_refresh",
    selection=corpus_level_selection,
    description="Corpus-level assets (manifest, golden sets, scorecards, indexes, online eval).",
)

nightly_corpus_refresh = dg.ScheduleDefinition(
    name="nightly_corpus_refresh",
    job=corpus_refresh_job,
    cron_schedule=SETTINGS.nightly_cron,
    execution_timezone=SETTINGS.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Nightly refresh of the corpus-level assets (RAG_EVAL_NIGHTLY_CRON).",
)


def _digest(keys: list[str]) -> str:
    return hashlib.sha1(",".join(keys).encode()).hexdigest()[:12]


@dg.sensor(
    name="corpus_sensor",
    jobs=[document_stages_job, corpus_refresh_job],
    minimum_interval_seconds=SETTINGS.sensor_interval_s,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds/removes document partitions and requests runs for new or changed files.",
)
def corpus_sensor(context: dg.SensorEvaluationContext, corpus: CorpusResource) -> dg.SensorResult:
    previous: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    scan = corpus.scan()
    current = {doc_id: f.sha256 for doc_id, f in scan.items()}
    partitions = list(context.instance.get_dynamic_partitions(DOCUMENTS))
    # A partition without a cursor entry (e.g. added by `rag-eval run`) counts as known but
    # unverified: compare against an empty hash so it is processed once.
    previous = {**{k: "" for k in partitions if k not in previous}, **previous}
    changes = diff_states(previous, current)
    if not changes:
        return dg.SensorResult(skip_reason=f"no change in {len(current)} documents",
                               cursor=json.dumps(current, sort_keys=True))

    to_add = [k for k in changes.added if k not in partitions]
    to_delete = [k for k in changes.deleted if k in partitions]
    ordered = [k for k in partitions if k not in set(to_delete)] + to_add
    requests = []
    for first, last in contiguous_batches(ordered, changes.to_process, SETTINGS.batch_size):
        first_sha, last_sha = current[first][:12], current[last][:12]
        if first == last:
            requests.append(dg.RunRequest(job_name=document_stages_job.name, partition_key=first,
                                          run_key=f"doc:{first}:{first_sha}"))
        else:
            requests.append(dg.RunRequest(job_name=document_stages_job.name,
                                          run_key=f"docs:{first}:{last}:{first_sha}:{last_sha}",
                                          tags={RANGE_START: first, RANGE_END: last}))
    if changes.deleted:
        requests.append(dg.RunRequest(job_name=corpus_refresh_job.name,
                                      run_key=f"deleted:{_digest(changes.deleted)}"))
    observations = [
        dg.AssetObservation(asset_key="raw_documents", partition=k,
                            tags={"dagster/data_version": current[k]},
                            metadata={"path": scan[k].relpath, "size_bytes": scan[k].size})
        for k in changes.to_process
    ]
    context.log.info(
        f"{len(changes.added)} added, {len(changes.modified)} modified, {len(changes.deleted)} deleted; "
        f"{len(requests)} run requests"
    )
    partition_requests = []
    if to_add:
        partition_requests.append(documents_partitions.build_add_request(to_add))
    if to_delete:
        partition_requests.append(documents_partitions.build_delete_request(to_delete))
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=partition_requests,
        asset_events=observations,
        cursor=json.dumps(current, sort_keys=True),
    )
