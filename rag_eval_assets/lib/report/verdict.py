"""The verdict a RAG engineer reads first: may this corpus release, which ERROR gates fail (value
and limit), where the generation cases fail first, and the three stages that lose most.

"Losing" is measured per stage as the share of that stage's units it loses, each over its own
count: characters mis-read (parse, mean CER of the routed parsers), annotated PII spans missed
(clean), labelled pairs merged wrongly (dedup), chunks with a wrong section path (chunk),
neighbours the ANN index misses against exact search (index), gold documents outside the hybrid
top 10 (retrieval), queries whose filter removes every gold document (filters), and cases whose
first failure comes after retrieval: context selection, the answer, or a missed abstention
(generation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rag_eval_assets.lib.report.cases import (
    FILTER_EXCLUDED,
    failed_cases,
    failure_counts,
)
from rag_eval_assets.lib.report.checks import CheckOutcome, status_class
from rag_eval_assets.lib.report.html import Column, esc, fmt, table_html
from rag_eval_assets.lib.report.inputs import ReportData

RELEASE_GATE = "generation_eval:release_gate"
AFTER_RETRIEVAL = ("context selection", "no answer", "answer faithfulness", "citation support", "points missing",
                   "abstention")


@dataclass
class Verdict:
    status: str  # "blocked" | "warnings" | "ok"
    headline: str
    gate: CheckOutcome | None
    errors: list[CheckOutcome]
    warnings: list[CheckOutcome]
    counts: dict[str, int]
    cases: int
    filter_excluded: int
    losses: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _loss(stage: str, lost: float | None, what: str, n: Any) -> dict[str, Any] | None:
    if lost is None:
        return None
    return {"stage": stage, "lost": max(0.0, float(lost)), "what": what, "n": n}


def stage_losses(data: ReportData) -> list[dict[str, Any]]:
    """Share lost per stage (see the module docstring), largest first; stages without data left out."""
    out = []
    docs = data.rows("parser_scorecard", "_documents")
    parsers = sorted({d["parser"] for d in docs})
    routed = [d for d in docs if d.get("cer") is not None and data.routed_parser(d["doc_class"], parsers) == d["parser"]]
    if routed:
        out.append(_loss("Parse", sum(min(1.0, d["cer"]) for d in routed) / len(routed),
                         "characters mis-read (mean CER, routed parsers)", f"{len(routed)} documents"))
    clean = data.json("clean_scorecard") or {}
    if clean.get("pii_overall_recall") is not None:
        spans = sum(e.get("annotated") or 0 for e in clean.get("pii_per_entity", []))
        out.append(_loss("Clean", 1 - clean["pii_overall_recall"], "annotated PII spans missed", f"{spans} spans"))
    for key, stage, what, invert in (("near_duplicates:false_merge_rate", "Dedup", "merged pairs that are distinct", False),
                                     ("chunks:hierarchy_preservation", "Chunk", "chunks with a wrong section path", True),
                                     ("vector_index:ann_recall_at_k", "Index", "neighbours missed vs exact search", True)):
        c = data.check(key)
        if c is not None and isinstance(c.value, (int, float)):
            out.append(_loss(stage, 1 - c.value if invert else c.value, what, c.n))
    retrieval = data.json("retrieval_eval", "_summary")
    if retrieval:
        hybrid = next((r for r in retrieval["means"] if r["lane"] == "hybrid"), None)
        if hybrid:
            out.append(_loss("Retrieval", 1 - hybrid["recall@10"], "gold documents outside the hybrid top 10",
                             f"{retrieval['queries']} queries"))
    filters = data.json("filter_eval", "_summary")
    if filters:
        out.append(_loss("Filters", filters["false_exclusion_rate"], "queries whose filter removes all gold",
                         f"{filters['queries']} queries"))
    counts = failure_counts(data)
    cases = sum(counts.values())
    if cases:
        out.append(_loss("Generation", sum(counts.get(k, 0) for k in AFTER_RETRIEVAL) / cases,
                         "cases lost after retrieval: context, answer or abstention", f"{cases} cases"))
    return sorted((x for x in out if x is not None), key=lambda x: -x["lost"])


def build_verdict(data: ReportData) -> Verdict:
    checks = [c for c in data.checks if c.stage != "report"]
    errors = [c for c in checks if c.failing and c.severity == "ERROR"]
    warnings = [c for c in checks if c.failing and c.severity != "ERROR"]
    gate = data.check(RELEASE_GATE)
    summary = data.json("generation_eval", "_summary")
    counts = failure_counts(data)
    excluded = sum(1 for r in failed_cases(data) if r["filter_excluded"])
    note = ""
    if not data.inputs.checks_known:
        allowed = bool(summary and summary["gate"]["allowed"])
        status = "ok" if allowed else "blocked"
        note = "Check results of the refresh were not available to this report: the verdict is the generation gate's."
    else:
        status = "blocked" if errors or gate is None or gate.failing else ("warnings" if warnings else "ok")
        if gate is None:
            note = "The release gate has no evaluation: generation_eval did not run in this refresh."
    if status == "blocked":
        headline = f"Release blocked: {len(errors)} ERROR check{'s' if len(errors) != 1 else ''} failing"
    elif status == "warnings":
        headline = f"Release allowed, {len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    else:
        headline = "Release allowed: every check passes"
    return Verdict(status, headline, gate, errors, warnings, counts, sum(counts.values()), excluded,
                   stage_losses(data), note)


def _gate_line(v: Verdict, data: ReportData) -> str:
    g, summary = v.gate, data.json("generation_eval", "_summary")
    if g is None and summary is None:
        return "<p class='gate'>Release gate: <b>not evaluated</b> (generation_eval has not run).</p>"
    if g is None:
        gate = summary["gate"]
        return (f"<p class='gate'>Release gate (from generation_eval's summary): "
                f"<b>{'pass' if gate['allowed'] else 'FAIL'}</b> — {esc(gate['reason'])}</p>")
    lowest = g.metadata.get("lowest_slice", "")
    overall = g.metadata.get("overall_pass_rate")
    return (f"<p class='gate'>Release gate <code>{esc(g.key)}</code>: <span class='{status_class(g)}'>{esc(g.status)}"
            f"</span> — lowest slice pass rate <b>{esc(fmt(g.value))}</b>{f' ({esc(lowest)})' if lowest else ''}, "
            f"limit {esc(g.limit)}, over {esc(g.n)}; overall pass rate {esc(fmt(_float(overall)))}.</p>")


def _float(x: Any) -> Any:
    try:
        return float(x)
    except (TypeError, ValueError):
        return x


def verdict_html(v: Verdict, data: ReportData, changes: str) -> str:
    """The verdict block (first thing on the page; ~900 px high at 1200 px wide)."""
    cls = {"blocked": "", "warnings": " warn", "ok": " ok"}[v.status]
    errors = [{"check": c.key, "value": c.value, "limit": c.limit, "n": c.n,
               "why": c.hint(110)}
              for c in v.errors]
    err_html = table_html(errors, columns=[Column("check"), Column("value"), Column("limit", nowrap=True), Column("n", "over"),
                                           Column("why")]) if errors else "<p class='note'>none</p>"
    biggest = max(v.counts.values(), default=1) or 1
    stage_rows = []
    for k, n in v.counts.items():
        extra = f" · {v.filter_excluded} {FILTER_EXCLUDED}" if k == "candidate retrieval" and v.filter_excluded else ""
        bar = f"<span class='bar' style='width:{max(2, int(110 * n / biggest))}px'></span>"
        stage_rows.append({"stage": k + extra, "cases": n, "_html_cases": f"{bar}{n}"})
    stages = table_html(stage_rows, columns=[Column("stage", "first failed stage"),
                                             Column("cases", f"cases (of {v.cases})")]) if stage_rows else \
        "<p class='note'>generation_eval has not run</p>"
    losses = table_html([{**x, "stage": x["stage"]} for x in v.losses[:3]],
                        columns=[Column("stage"), Column("lost", "share lost"), Column("what"), Column("n", "over")]) \
        if v.losses else "<p class='note'>no stage has figures yet</p>"
    warn = (f"<p class='note'>{len(v.warnings)} WARN checks failing: "
            f"{esc(', '.join(c.key for c in v.warnings[:8]))}{' …' if len(v.warnings) > 8 else ''} "
            f"(<a href='#checks'>all checks</a>)</p>") if v.warnings else ""
    note = f"<p class='note'>{esc(v.note)}</p>" if v.note else ""
    return (f"<section id='verdict' class='verdict{cls}'><h2>Verdict: {esc(v.headline)}</h2>{_gate_line(v, data)}"
            f"<div class='vgrid'><div><h3>Failing ERROR checks ({len(v.errors)})</h3>{err_html}"
            f"<h3>Stages losing most <small>(<a href='#losses'>all</a>)</small></h3>{losses}</div>"
            f"<div><h3>First failed stage of the generation cases</h3>{stages}"
            f"<h3>Since the previous report</h3>{changes}</div></div>{warn}{note}</section>")


def losses_table(v: Verdict) -> str:
    return table_html(v.losses, columns=[Column("stage"), Column("lost", "share lost"), Column("what"),
                                         Column("n", "over")])
