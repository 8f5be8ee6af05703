"""Online eval, report: one self-contained HTML report per refresh, verdict first, then stage by
stage. It runs in its own run after every corpus refresh, whatever the refresh's gates said, so a
failing gate always comes with the report that explains it (``<storage>/rag_eval_report/_run-<run
id>.html``; the newest also at ``_latest.html``). The verdict needs the refresh's check results:
the asset reads the latest evaluation of every check from the Dagster instance and hands them to
the renderer as plain data. Beside each report it stores its headline figures
(``_figures-<run id>.json``, the newest at ``_figures.json``), which the next report diffs
against. Its completion records which inputs the refresh covered."""

from datetime import UTC, datetime
from typing import Any

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.partitions import INPUTS_DIGEST, REPORT
from rag_eval_assets.resources import GoldenSetResource, StorageResource
from rag_eval_assets.settings import Settings

GROUP = "online_eval"
ASSET = "rag_eval_report"
REFRESH_JOB = "corpus_refresh"
UPSTREAM = ["parser_scorecard", "clean_scorecard", "near_duplicates", "dedup_threshold_sweep", "chunk_size_sweep",
            "index_sweep", "retrieval_eval", "filter_eval", "generation_eval"]


def _plain(value: dg.MetadataValue) -> Any:
    inner = getattr(value, "value", value)
    return inner if isinstance(inner, (str, int, float, bool)) or inner is None else str(inner)


def _check_keys(context: dg.AssetExecutionContext, refresh_run_id: str | None) -> set[dg.AssetCheckKey]:
    """Every check of the code location (and any the refresh evaluated), the report's own excluded."""
    keys: set[dg.AssetCheckKey] = set()
    try:
        keys |= set(context.repository_def.asset_graph.asset_check_keys)
    except Exception as e:  # noqa: BLE001 - direct invocation has no repository: fall back to the refresh's events
        context.log.debug(f"no repository definition ({e}); reading the checks the refresh evaluated")
    if refresh_run_id:
        for record in context.instance.all_logs(refresh_run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            data = record.dagster_event.event_specific_data if record.dagster_event else None
            if data is not None:
                keys.add(dg.AssetCheckKey(data.asset_key, data.check_name))
    return {k for k in keys if k.asset_key != dg.AssetKey(ASSET)}


def latest_check_results(context: dg.AssetExecutionContext) -> tuple[list[dict[str, Any]], str | None]:
    """The latest evaluation of every check as plain dicts (see ``lib/report/checks``), and the
    run id of the latest corpus refresh. A check the refresh planned but did not run has
    ``passed`` None; one last evaluated before that refresh started is marked ``stale``."""
    from dagster._core.storage.asset_check_execution_record import (
        AssetCheckExecutionRecordStatus,
    )

    instance = context.instance
    runs = instance.get_run_records(filters=dg.RunsFilter(job_name=REFRESH_JOB), limit=1)
    refresh_run_id = runs[0].dagster_run.run_id if runs else None
    refresh_created = runs[0].create_timestamp.timestamp() if runs else None
    keys = sorted(_check_keys(context, refresh_run_id), key=lambda k: (k.asset_key.to_user_string(), k.name))
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys) if keys else {}
    out = []
    for key in keys:
        record = records.get(key)
        base = {"asset": key.asset_key.to_user_string(), "name": key.name}
        if record is None:
            out.append({**base, "passed": None, "metadata": {"reason": "never evaluated"}})
            continue
        evaluation = record.event.dagster_event.event_specific_data if (
            record.event is not None and record.event.dagster_event is not None) else None
        stale = refresh_created is not None and record.run_id != refresh_run_id and \
            record.create_timestamp < refresh_created  # evaluated before the refresh started
        if record.status == AssetCheckExecutionRecordStatus.PLANNED or not isinstance(evaluation, dg.AssetCheckEvaluation):
            out.append({**base, "passed": None, "run_id": record.run_id, "stale": stale, "metadata": {}})
            continue
        out.append({**base, "passed": evaluation.passed, "severity": evaluation.severity.value,
                    "metadata": {k: _plain(v) for k, v in evaluation.metadata.items()}, "run_id": record.run_id,
                    "stale": stale})
    return out, refresh_run_id


def _golden_inputs(golden: GoldenSetResource) -> tuple[dict[str, dict], dict[str, str]]:
    """Golden filters (predicate and labelled correct predicate) and reference answers per query."""
    gs = golden.load()
    filters = {c.query_id: {"predicate": dict(c.predicate),
                            "correct_predicate": dict(c.correct_predicate) if c.correct_predicate is not None else None}
               for c in gs.filters}
    answers = {q: str(m["answer"]) for q, m in gs.query_metadata.items() if m.get("answer")}
    return filters, answers


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=UPSTREAM, group_name=GROUP, kinds={"html"}, tags=REPORT,
        check_specs=[dg.AssetCheckSpec("report_complete", asset=ASSET,
                                       description="Every stage section of the report has figures (WARN: a stage has "
                                       "not been materialized).")])
    def rag_eval_report(context: dg.AssetExecutionContext, storage: StorageResource,
                        golden: GoldenSetResource) -> dg.MaterializeResult:
        """The HTML report of the latest refresh, verdict first (release gate, failing ERROR checks
        with value and limit, first failed stages, the stages losing most, changes since the
        previous report), then every check and one section per stage with its figures; the
        summary is in this materialization's metadata."""
        from rag_eval_assets.lib.report.inputs import ReportInputs
        from rag_eval_assets.lib.report.run_report import build_report

        outputs = storage.outputs()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        checks, refresh_run_id = latest_check_results(context)
        filters, answers = _golden_inputs(golden)
        previous = outputs.read_json(ASSET, "_figures", default=None)  # the previous report's headline figures
        if previous:
            outputs.write_json(ASSET, previous, key="_figures_previous")
        inputs = ReportInputs(checks=checks, refresh_run_id=refresh_run_id, run_id=context.run_id, stamp=stamp,
                              predicates=filters, answers=answers, previous=previous)
        path = outputs.url(ASSET, f"_run-{context.run_id}", "html").removeprefix("file://")
        report = build_report(outputs, subtitle=f"report run {context.run_id} · refresh run {refresh_run_id or 'n/a'} · "
                              f"{stamp}", inputs=inputs, report_path=path)
        data = report.html.encode("utf-8")
        url = outputs.write_bytes(ASSET, f"_run-{context.run_id}", "html", data).removeprefix("file://")
        latest = outputs.write_bytes(ASSET, "_latest", "html", data).removeprefix("file://")
        outputs.write_json(ASSET, report.figures, key=f"_figures-{context.run_id}")
        outputs.write_json(ASSET, report.figures, key="_figures")
        digest = context.run.tags.get(INPUTS_DIGEST)
        if digest:
            outputs.write_state("refresh", {"inputs_digest": digest, "report_run_id": context.run_id, "at": stamp})
        empty = report.missing
        context.log.info(f"report written to {url}")
        return dg.MaterializeResult(
            metadata={"summary": dg.MetadataValue.md(report.summary), "report": dg.MetadataValue.path(url),
                      "latest": dg.MetadataValue.path(latest), "verdict": dg.MetadataValue.text(report.figures["status"]),
                      "checks_read": len(checks), "sections": len(report.sections), "bytes": len(data)},
            check_results=[gate("report_complete", value=len(empty), limit=0, op="<=",
                                n=f"{len(report.sections)} sections", severity=WARN,
                                extra={"missing_sections": ", ".join(empty) or "none"})])

    return dg.Definitions(assets=[rag_eval_report])
