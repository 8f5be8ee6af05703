"""Automation: the corpus sensor, the report after every refresh, and the nightly refresh.

- ``corpus_sensor`` (RUNNING by default): each tick stats the corpus files (hashing only the
  ones whose size or mtime changed), adds and removes ``documents`` partitions, and asks the
  same state function as ``rag-eval run`` which documents have work left. While no document run
  is queued or running it requests runs for them, up to ``RAG_EVAL_BATCH_SIZE`` documents per
  run (scattered documents share a run: the run covers their partition range and processes
  only them). When no document run is left and the inputs of the evaluation (per-document
  outputs, golden files, configuration) differ from those of the last completed refresh, it
  requests one corpus refresh: a corpus change or a golden-set edit reaches the report within
  minutes, once, after its document runs. A failed batch is retried once a day (run keys).
- ``report_after_refresh`` (RUNNING): the report runs after every corpus refresh, failed or not.
- ``nightly_corpus_refresh`` (RUNNING): the corpus-level assets at ``RAG_EVAL_NIGHTLY_CRON``.
"""

import json
from collections.abc import Mapping
from datetime import UTC, datetime

import dagster as dg

from rag_eval_assets.lib.outputs import digest
from rag_eval_assets.partitions import (
    DOCUMENTS,
    INPUTS_DIGEST,
    LAUNCHED_BY,
    corpus_level_selection,
    documents_partitions,
    per_document_selection,
    range_tags,
    report_selection,
)
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    GoldenSetResource,
    ParseConfig,
    StorageResource,
    corpus_view,
    refresh_digest,
)
from rag_eval_assets.settings import Settings

IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]


# A run over a partition range makes Dagster record a planned materialization for every
# partition in the range and every per-document asset, processed or not (~4 ms each on SQLite;
# 1,692 partitions x 6 assets cost ~40 CPU-s when 20 scattered documents of 2,000 changed), so a
# batch is split where the next wanted document is more than MAX_GAP partitions away: a run of
# its own costs less than that many skipped partitions.
MAX_GAP = 25


def batches(ordered: list[str], wanted: set[str], size: int, max_gap: int = MAX_GAP) -> list[list[str]]:
    """``wanted`` documents in partition order, at most ``size`` per batch and no gap of more
    than ``max_gap`` unwanted partitions inside one (a batch is run as the partition range from
    its first to its last document)."""
    out: list[list[str]] = []
    last = -1
    for i, key in enumerate(ordered):
        if key not in wanted:
            continue
        if not out or len(out[-1]) >= size or i - last - 1 > max_gap:
            out.append([])
        out[-1].append(key)
        last = i
    return out


def in_flight(instance: dg.DagsterInstance, job_name: str) -> int:
    return len(instance.get_run_ids(dg.RunsFilter(job_name=job_name, statuses=IN_FLIGHT), limit=100))


def run_key_used(instance: dg.DagsterInstance, key: str) -> bool:
    return bool(instance.get_run_ids(dg.RunsFilter(tags={"dagster/run_key": key}), limit=1))


def document_assets(settings: Settings) -> list[str]:
    """The per-document assets (their corpus-wide checks run in the corpus refresh)."""
    from rag_eval_assets.lib.state import (
        CHUNKS,
        CLEANED,
        EMBEDDINGS,
        PARSED,
        RECORDS,
        parse_asset,
    )

    return [RECORDS, *(parse_asset(p) for p in settings.parsers), PARSED, CLEANED, CHUNKS, EMBEDDINGS]


def document_executor(settings: Settings) -> dg.ExecutorDefinition:
    """The executor of the per-document job: in the run's process, or each step on a Celery
    worker (``RAG_EVAL_EXECUTOR=celery``, see ``rag_eval_assets.distributed``)."""
    if settings.executor != "celery":
        return dg.in_process_executor
    from dagster_celery import celery_executor

    return celery_executor.configured({"broker": settings.celery_broker, "backend": settings.celery_backend},
                                      name="celery_executor")


def build(settings: Settings, resources: Mapping[str, dg.ConfigurableResource]) -> dg.Definitions:
    """Jobs, sensors and the schedule. The sensor and the schedule read ``resources``, the very
    objects the code location binds (built once per load from ``Settings``), instead of
    declaring them as parameters: Dagster would initialise all twelve on every tick, two thirds
    of a tick over an unchanged corpus (``benchmarks/bench_sensor.py``)."""
    corpus: CorpusResource = resources["corpus"]
    golden: GoldenSetResource = resources["golden"]
    storage: StorageResource = resources["storage"]
    parse_config: ParseConfig = resources["parse_config"]
    clean_config: CleanConfig = resources["clean_config"]
    chunk_config: ChunkConfig = resources["chunk_config"]
    embed_config: EmbedConfig = resources["embed_config"]

    document_stages_job = dg.define_asset_job(
        "document_stages", selection=per_document_selection.without_checks(), partitions_def=documents_partitions,
        executor_def=document_executor(settings),
        description="Per-document stages for a partition range; only documents with work left are processed. "
        "One step (parsers run side by side in their own worker processes): no per-step process start-up.")
    corpus_refresh_job = dg.define_asset_job(
        "corpus_refresh",
        selection=corpus_level_selection | dg.AssetSelection.checks_for_assets(*document_assets(settings)),
        executor_def=dg.in_process_executor,
        description="Corpus-level assets (manifest, golden sets, scorecards, indexes, online eval) and the "
        "corpus-wide checks of the per-document stages, in one process (each step would otherwise pay a "
        "process start-up and the imports, ~5 s, for seconds of work).")
    report_job = dg.define_asset_job("evaluation_report", selection=report_selection, executor_def=dg.in_process_executor,
                                     description="After every corpus refresh, failed or not: the HTML report and the "
                                     "parse routes chosen from the refresh's evidence.")

    @dg.sensor(name="corpus_sensor", jobs=[document_stages_job, corpus_refresh_job],
               minimum_interval_seconds=settings.sensor_interval_s, default_status=dg.DefaultSensorStatus.RUNNING,
               description="Adds/removes document partitions, runs documents with work left, then one corpus refresh.")
    def corpus_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        cursor = json.loads(context.cursor) if context.cursor else {}
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config)
        instance = context.instance
        partitions = list(instance.get_dynamic_partitions(DOCUMENTS))
        known = set(partitions)
        to_add = sorted((d for d in view.docs if d not in known), key=lambda d: view.docs[d].relpath)
        to_delete = [k for k in partitions if k not in view.docs]
        ordered = [k for k in partitions if k in view.docs] + to_add
        requests: list[dg.RunRequest] = []
        events: list = []
        golden_digest = golden.digest()
        if cursor.get("golden") != golden_digest:
            events.append(dg.AssetObservation(asset_key="golden_files", tags={"dagster/data_version": golden_digest}))
        doc_runs = in_flight(instance, document_stages_job.name)
        pending = view.pending()
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        fresh = []
        if pending and not doc_runs:
            for batch in batches(ordered, set(pending), settings.batch_size):
                key = f"docs:{digest(sorted((d, view.docs[d].sha256) for d in batch))}:{day}"
                if not run_key_used(instance, key):
                    fresh.append((batch, key))
            for batch, key in fresh:
                requests.append(dg.RunRequest(job_name=document_stages_job.name, run_key=key,
                                              tags={**range_tags(batch[0], batch[-1]), LAUNCHED_BY: "corpus_sensor"}))
                events += [dg.AssetObservation(asset_key="raw_documents", partition=d,
                                               tags={"dagster/data_version": view.docs[d].sha256},
                                               metadata={"path": view.display_path(d)}) for d in batch]
        refresh = None
        if not doc_runs and not fresh and not in_flight(instance, corpus_refresh_job.name):
            inputs = refresh_digest(view, resources)
            last = view.outputs.read_state("refresh") or {}
            if last.get("inputs_digest") != inputs:
                refresh = dg.RunRequest(job_name=corpus_refresh_job.name, run_key=f"refresh:{inputs}",
                                        tags={INPUTS_DIGEST: inputs, LAUNCHED_BY: "corpus_sensor"})
                requests.append(refresh)
        partition_requests = []
        if to_add:
            partition_requests.append(documents_partitions.build_add_request(to_add))
        if to_delete:
            partition_requests.append(documents_partitions.build_delete_request(to_delete))
        summary = (f"{len(view.docs)} documents ({view.scan.hashed} hashed), {len(to_add)} added, {len(to_delete)} "
                   f"deleted, {len(pending)} with work left, {doc_runs} document runs in flight; "
                   f"{len(fresh)} document runs{' and a corpus refresh' if refresh else ''} requested")
        context.log.info(summary)
        new_cursor = json.dumps({"golden": golden_digest})
        if not (requests or partition_requests or events):
            return dg.SensorResult(skip_reason=summary, cursor=new_cursor)
        return dg.SensorResult(run_requests=requests, dynamic_partitions_requests=partition_requests,
                               asset_events=events, cursor=new_cursor)

    def _report_request(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        run = context.dagster_run
        return dg.RunRequest(run_key=f"report:{run.run_id}",
                             tags={k: v for k, v in run.tags.items() if k == INPUTS_DIGEST} | {LAUNCHED_BY: "report_after_refresh"})

    @dg.run_status_sensor(name="report_after_refresh", run_status=dg.DagsterRunStatus.SUCCESS,
                          monitored_jobs=[corpus_refresh_job], request_job=report_job,
                          default_status=dg.DefaultSensorStatus.RUNNING,
                          description="Builds the report after every successful corpus refresh.")
    def report_after_refresh(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return _report_request(context)

    @dg.run_status_sensor(name="report_after_failed_refresh", run_status=dg.DagsterRunStatus.FAILURE,
                          monitored_jobs=[corpus_refresh_job], request_job=report_job,
                          default_status=dg.DefaultSensorStatus.RUNNING,
                          description="Builds the report after a failed corpus refresh too: a blocked gate comes with "
                          "the report that explains it.")
    def report_after_failed_refresh(context: dg.RunStatusSensorContext) -> dg.RunRequest:
        return _report_request(context)

    @dg.schedule(name="nightly_corpus_refresh", job=corpus_refresh_job, cron_schedule=settings.nightly_cron,
                 execution_timezone=settings.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
                 description="Nightly refresh of the corpus-level assets (RAG_EVAL_NIGHTLY_CRON).")
    def nightly_corpus_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        inputs = refresh_digest(corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config),
                                resources)
        return dg.RunRequest(tags={INPUTS_DIGEST: inputs, LAUNCHED_BY: "nightly_corpus_refresh"})

    return dg.Definitions(jobs=[document_stages_job, corpus_refresh_job, report_job],
                          sensors=[corpus_sensor, report_after_refresh, report_after_failed_refresh],
                          schedules=[nightly_corpus_refresh])
