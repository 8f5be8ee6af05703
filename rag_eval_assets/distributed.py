"""Document runs on Celery workers (``RAG_EVAL_EXECUTOR=celery``, see docs/scaling.md).

The per-document job ``document_stages`` has one step per run (a partition range of
``RAG_EVAL_BATCH_SIZE`` documents). With the Celery executor that step is a Celery task: the
process that started the run (``rag-eval run``, or the run worker the daemon launches for a
sensor's request) only waits, and whichever worker takes the task parses, cleans, chunks and
embeds the batch. Several runs at once (``RAG_EVAL_MAX_CONCURRENT_RUNS``) keep several workers
busy. Workers rebuild the job from the submitter's settings (``document_stages_job``), so they
need the same code, the corpus at the same path, the Dagster instance (PostgreSQL) and the
storage root (an object store) but no ``RAG_EVAL_*`` variables of their own besides the broker.

Nothing else changes: what is processed is still decided from the outputs (``lib.state``), so
a worker killed mid-batch leaves its documents pending for the next run, on any machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import dagster as dg

from rag_eval_assets.settings import Settings

JOB_NAME = "document_stages"


def stack_env(path: str | Path) -> dict[str, str]:
    """The variables ``scripts/stack.sh start`` wrote to ``$STACK/env`` (``export K=V ...`` lines)."""
    out = {}
    for line in Path(path).read_text().splitlines():
        for assignment in line.removeprefix("export ").split():
            key, _, value = assignment.partition("=")
            out[key] = value
    return out


def document_stages_job(settings_json: str) -> dg.JobDefinition:
    """The ``document_stages`` job of these settings: what a Celery worker reconstructs."""
    from rag_eval_assets.definitions import build_definitions

    return build_definitions(Settings.from_json(settings_json)).resolve_job_def(JOB_NAME)


def reconstructable_document_job(settings: Settings) -> Any:
    """A pointer to ``document_stages`` that a worker process can load (module, function and
    the settings as JSON)."""
    return dg.build_reconstructable_job(__name__, "document_stages_job",
                                        reconstructable_kwargs={"settings_json": settings.to_json()})


class NoWorkers(RuntimeError):
    """No Celery worker answers on the configured broker (a run would wait in the queue forever)."""


def celery_app(settings: Settings) -> Any:
    """dagster-celery's app on ``RAG_EVAL_CELERY_BROKER`` / ``RAG_EVAL_CELERY_BACKEND``, configured
    as its executor configures it (queue, priorities): what workers run and the CLI pings."""
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app

    return make_app(CeleryExecutor.for_cli(broker=settings.celery_broker, backend=settings.celery_backend).app_args())


def workers_answering(settings: Settings, timeout_s: float = 5.0) -> list[str]:
    """Names of the Celery workers that answer a ping on ``RAG_EVAL_CELERY_BROKER``; raises
    ``NoWorkers`` (one line: broker and what to start) when none does or the broker is down."""
    app = celery_app(settings)
    try:
        replies = app.control.ping(timeout=timeout_s)
    except Exception as exc:  # noqa: BLE001 - kombu raises several connection error types
        raise NoWorkers(f"RAG_EVAL_CELERY_BROKER={settings.celery_broker!r}: broker unreachable "
                        f"({type(exc).__name__}: {exc}); start it (scripts/stack.sh start)") from None
    names = sorted(name for reply in replies for name in reply)
    if not names:
        raise NoWorkers(f"RAG_EVAL_CELERY_BROKER={settings.celery_broker!r}: no Celery worker answered within "
                        f"{timeout_s:.0f} s; start workers (scripts/stack.sh start, or `celery -A "
                        "rag_eval_assets.celery_worker worker -Q dagster --pool solo`) or set RAG_EVAL_EXECUTOR=in_process")
    return names


@dataclass(frozen=True)
class DocumentRun:
    """What the submitting process keeps of a run executed elsewhere."""

    run_id: str
    success: bool


def _execute_one(settings_json: str, tags: Mapping[str, str], run_config: Mapping[str, Any]) -> DocumentRun:
    """One run, in a process of its own (Dagster's per-run logging set-up is not thread-safe:
    two runs in threads of one process deadlock on the logging locks)."""
    settings = Settings.from_json(settings_json)
    with dg.DagsterInstance.get() as instance:
        result = dg.execute_job(reconstructable_document_job(settings), instance=instance,
                                run_config=dict(run_config), tags=dict(tags))
        return DocumentRun(result.run_id, result.success)


def execute_document_runs(settings: Settings, tag_sets: Sequence[Mapping[str, str]], run_config: Mapping[str, Any],
                          on_done: Callable[[int, DocumentRun], None] | None = None) -> list[DocumentRun]:
    """One ``document_stages`` run per tag set on the instance of ``DAGSTER_HOME``,
    ``max_concurrent_runs`` at a time (each from its own process, which only waits while a
    worker executes the run's step). Returns the runs in the order of ``tag_sets``."""
    results: list[DocumentRun | None] = [None] * len(tag_sets)
    with ProcessPoolExecutor(max_workers=settings.max_concurrent_runs, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(_execute_one, settings.to_json(), dict(tags), dict(run_config)): i
                   for i, tags in enumerate(tag_sets)}
        for future in as_completed(futures):
            i = futures[future]
            results[i] = future.result()
            if on_done is not None:
                on_done(i, results[i])
    return [r for r in results if r is not None]
