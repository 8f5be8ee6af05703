"""Run-to-run comparison: the headline figures of a report as compact JSON (stored beside it,
``rag_eval_report/_figures.json``), and what changed against the previous report's figures:
metric deltas, checks that newly fail (or recovered), cases that newly fail (or recovered)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rag_eval_assets.lib.report.cases import failed_cases
from rag_eval_assets.lib.report.html import Column, esc, fmt, table_html
from rag_eval_assets.lib.report.inputs import ReportData
from rag_eval_assets.lib.report.verdict import Verdict

VERSION = 1


def _put(out: dict, key: str, label: str, value: Any, n: Any, better: str) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out[key] = {"label": label, "value": round(float(value), 6), "n": str(n), "better": better}


def headline_figures(data: ReportData, verdict: Verdict) -> dict[str, Any]:
    """The compact JSON the next report diffs against."""
    h: dict[str, Any] = {}
    for loss in verdict.losses:
        _put(h, f"loss/{loss['stage'].lower()}", f"{loss['stage']}: {loss['what']}", loss["lost"], loss["n"], "lower")
    clean = data.json("clean_scorecard") or {}
    _put(h, "clean/language_macro_f1", "language macro-F1", clean.get("language_macro_f1"), "labelled documents", "higher")
    retrieval = data.json("retrieval_eval", "_summary")
    if retrieval:
        for r in retrieval["means"]:
            for m in ("recall@10", "ndcg@10", "mrr"):
                _put(h, f"retrieval/{r['lane']}/{m}", f"{r['lane']} {m}", r.get(m), f"{retrieval['queries']} queries",
                     "higher")
    filters = data.json("filter_eval", "_summary")
    if filters:
        _put(h, "filters/false_exclusion_rate", "filter false-exclusion rate", filters["false_exclusion_rate"],
             f"{filters['queries']} queries", "lower")
    gen = data.json("generation_eval", "_summary")
    if gen:
        _put(h, "generation/pass_rate", "generation pass rate", gen["gate"]["overall"], f"{gen['cases']} cases", "higher")
        for m, v in gen["means"].items():
            better = "lower" if m == "false_abstention_rate" else "higher"
            _put(h, f"generation/{m}", m.replace("_", " "), v, (gen.get("means_n") or {}).get(m, "cases"), better)
    return {
        "version": VERSION, "run_id": data.inputs.run_id, "refresh_run_id": data.inputs.refresh_run_id,
        "at": data.inputs.stamp, "status": verdict.status, "verdict": verdict.headline, "headline": h,
        "checks": {c.key: {"status": c.status, "severity": c.severity, "value": c.value if isinstance(c.value, (int, float))
                           else None} for c in data.checks if c.stage != "report"},
        "failed_cases": {str(r["case_id"]): r["failure"] for r in failed_cases(data)},
        "failure_counts": verdict.counts,
    }


def compare(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> dict[str, Any] | None:
    """What changed from ``previous`` to ``current`` figures (None when there is no previous)."""
    if not previous:
        return None
    deltas = []
    for key, cur in current["headline"].items():
        old = previous.get("headline", {}).get(key)
        if old is None or abs(cur["value"] - old["value"]) < 1e-9:
            continue
        delta = cur["value"] - old["value"]
        deltas.append({"metric": cur["label"], "before": old["value"], "after": cur["value"], "delta": delta,
                       "n": cur["n"], "better": (delta > 0) == (cur["better"] == "higher")})
    bad = ("FAIL", "warn", "not evaluated")
    was = previous.get("checks", {})
    new_failing = [k for k, c in current["checks"].items() if c["status"] in bad and was.get(k, {}).get("status") not in bad]
    recovered = [k for k, c in current["checks"].items() if c["status"] == "pass" and was.get(k, {}).get("status") in bad]
    old_cases, cases = previous.get("failed_cases", {}), current["failed_cases"]
    return {"run_id": previous.get("run_id"), "at": previous.get("at"), "deltas": sorted(deltas, key=lambda d: d["metric"]),
            "new_failing_checks": new_failing, "recovered_checks": recovered,
            "new_failed_cases": {c: f for c, f in cases.items() if c not in old_cases},
            "recovered_cases": [c for c in old_cases if c not in cases],
            "moved_cases": {c: (old_cases[c], f) for c, f in cases.items() if c in old_cases and old_cases[c] != f},
            "unchanged": len(current["headline"]) - len(deltas)}


def changes_short(diff: dict[str, Any] | None) -> str:
    """Three lines for the verdict block."""
    if diff is None:
        return "<p class='note'>No previous run: this is the first report (its figures are kept for the next).</p>"
    worse = sum(1 for d in diff["deltas"] if not d["better"])
    items = [f"{len(diff['new_failing_checks'])} newly failing checks"
             + (f" ({esc(', '.join(diff['new_failing_checks'][:3]))}{' …' if len(diff['new_failing_checks']) > 3 else ''})"
                if diff["new_failing_checks"] else ""),
             f"{len(diff['new_failed_cases'])} newly failed cases, {len(diff['recovered_cases'])} recovered",
             f"{len(diff['deltas'])} headline numbers changed ({worse} worse), {diff['unchanged']} unchanged"]
    return (f"<ul class='changes'>{''.join(f'<li>{i}</li>' for i in items)}</ul>"
            f"<p class='note'>vs run {esc(str(diff['run_id'])[:8])} ({esc(diff['at'])}) · "
            f"<a href='#changes'>details</a></p>")


def changes_html(diff: dict[str, Any] | None) -> str:
    """The full comparison for its own section."""
    if diff is None:
        return "<p class='note'>No previous run: nothing to compare with yet.</p>"
    parts = [f"<p class='note'>Compared with the report of run {esc(str(diff['run_id']))} ({esc(diff['at'])}).</p>"]
    if diff["new_failing_checks"] or diff["recovered_checks"]:
        parts.append(f"<p>Newly failing checks: {esc(', '.join(diff['new_failing_checks']) or 'none')}. "
                     f"Recovered: {esc(', '.join(diff['recovered_checks']) or 'none')}.</p>")
    if diff["new_failed_cases"]:
        parts.append(table_html([{"case_id": c, "failure": f} for c, f in diff["new_failed_cases"].items()],
                                "Newly failed cases", columns=[Column("case_id", "case"), Column("failure", "failed at")]))
    if diff["moved_cases"]:
        parts.append(table_html([{"case_id": c, "before": b, "after": a} for c, (b, a) in diff["moved_cases"].items()],
                                "Cases failing at another stage", columns=[Column("case_id", "case"), Column("before"),
                                                                           Column("after")]))
    if diff["recovered_cases"]:
        parts.append(f"<p>Recovered cases: {esc(', '.join(diff['recovered_cases']))}.</p>")
    rows = [{**d, "_html_delta": f"<span class='{'st-pass' if d['better'] else 'st-fail'}'>"
                                 f"{'▲' if d['delta'] > 0 else '▼'} {esc(fmt(d['delta']))}</span>"} for d in diff["deltas"]]
    parts.append(table_html(rows, f"Headline numbers that changed ({diff['unchanged']} unchanged)",
                            columns=[Column("metric"), Column("before"), Column("after"), Column("delta", "Δ"),
                                     Column("n", "over")]) if rows else
                 f"<p class='note'>No headline number changed ({diff['unchanged']} compared).</p>")
    return "".join(parts)
