"""Online eval, report: one self-contained HTML report per refresh, stage by stage. It runs in
its own run after every corpus refresh, whatever the refresh's gates said, so a failing gate
always comes with the report that explains it (``<storage>/rag_eval_report/_run-<run id>.html``;
the newest also at ``_latest.html``). Its completion records which inputs the refresh covered."""

from datetime import UTC, datetime

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.partitions import INPUTS_DIGEST, REPORT
from rag_eval_assets.resources import StorageResource
from rag_eval_assets.settings import Settings

GROUP = "online_eval"
UPSTREAM = ["parser_scorecard", "clean_scorecard", "near_duplicates", "dedup_threshold_sweep", "chunk_size_sweep",
            "index_sweep", "retrieval_eval", "filter_eval", "generation_eval"]


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=UPSTREAM, group_name=GROUP, kinds={"html"}, tags=REPORT,
        check_specs=[dg.AssetCheckSpec("report_complete", asset="rag_eval_report",
                                       description="Every stage section of the report has figures (WARN: a stage has "
                                       "not been materialized).")])
    def rag_eval_report(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
        """The HTML report of the latest refresh: parser scorecard, clean and dedup, chunks and
        index, retrieval, filters, generation with a histogram of first failed stages."""
        from rag_eval_assets.lib.report.run_report import build_report

        outputs = storage.outputs()
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        html, sections = build_report(outputs, subtitle=f"run {context.run_id} · {stamp}")
        data = html.encode("utf-8")
        url = outputs.write_bytes("rag_eval_report", f"_run-{context.run_id}", "html", data)
        latest = outputs.write_bytes("rag_eval_report", "_latest", "html", data)
        digest = context.run.tags.get(INPUTS_DIGEST)
        if digest:
            outputs.write_state("refresh", {"inputs_digest": digest, "report_run_id": context.run_id, "at": stamp})
        empty = [s.title for s in sections if not (s.numbers or s.tables or s.figures)]
        context.log.info(f"report written to {url}")
        return dg.MaterializeResult(
            metadata={"report": dg.MetadataValue.path(url), "latest": dg.MetadataValue.path(latest),
                      "sections": len(sections), "bytes": len(data)},
            check_results=[gate("report_complete", value=len(empty), limit=0, op="<=", n=f"{len(sections)} sections",
                                severity=WARN, extra={"missing_sections": ", ".join(empty) or "none"})])

    return dg.Definitions(assets=[rag_eval_report])
