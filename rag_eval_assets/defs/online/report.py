"""Online eval, report: one self-contained HTML report per run, stage by stage, linked from the
asset metadata (``<storage>/rag_eval_report/_run-<run id>.html``; the newest also at ``_latest.html``)."""

from datetime import UTC, datetime

import dagster as dg

from rag_eval_assets.defs.chunk import chunk_size_sweep
from rag_eval_assets.defs.clean import clean_scorecard
from rag_eval_assets.defs.dedup import dedup_threshold_sweep, near_duplicates
from rag_eval_assets.defs.index import index_sweep
from rag_eval_assets.defs.online.filters import filter_eval
from rag_eval_assets.defs.online.generation import generation_eval
from rag_eval_assets.defs.online.retrieval import retrieval_eval
from rag_eval_assets.defs.parse import parser_scorecard
from rag_eval_assets.lib.storage import atomic_write_bytes
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import StorageResource

GROUP = "online_eval"


@dg.asset(
    deps=[parser_scorecard, clean_scorecard, near_duplicates, dedup_threshold_sweep, chunk_size_sweep, index_sweep,
          retrieval_eval, filter_eval, generation_eval],
    group_name=GROUP,
    kinds={"html"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("report_complete", asset="rag_eval_report",
                                   description="Every stage section of the report has figures (WARN: a stage "
                                   "has not been materialized).")],
)
def rag_eval_report(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    """The HTML report of this run: parser scorecard, clean and dedup, chunks and index,
    retrieval, filters, generation with a histogram of first failed stages; plots inline."""
    from rag_eval_assets.lib.report.run_report import build_report

    store = storage.get()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html, sections = build_report(store, subtitle=f"run {context.run_id} · {stamp} · storage {store.root}")
    path = store.path("rag_eval_report", f"_run-{context.run_id}", "html")
    atomic_write_bytes(path, html.encode("utf-8"))
    atomic_write_bytes(store.path("rag_eval_report", "_latest", "html"), html.encode("utf-8"))
    empty = [s.title for s in sections if not (s.numbers or s.tables or s.figures)]
    context.log.info(f"report written to {path}")
    return dg.MaterializeResult(
        metadata={"report": dg.MetadataValue.path(path), "report_url": dg.MetadataValue.url(f"file://{path}"),
                  "sections": len(sections), "bytes": len(html)},
        check_results=[dg.AssetCheckResult(check_name="report_complete", passed=not empty,
                                           severity=dg.AssetCheckSeverity.WARN,
                                           metadata={"missing_sections": ", ".join(empty) or "none"})],
    )
