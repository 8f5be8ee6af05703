"""Markdown tables (rendered by the Dagster UI in asset and check metadata)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if value is None:
        return "n/a"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None,
                   digits: int = 3, max_rows: int = 200) -> str:
    """A GitHub-flavoured Markdown table; floats rounded to ``digits``, long tables cut."""
    rows = list(rows)
    if not rows:
        return "_(no rows)_"
    cols = list(columns or rows[0].keys())
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows[:max_rows]:
        lines.append("| " + " | ".join(_cell(r.get(c), digits) for c in cols) + " |")
    if len(rows) > max_rows:
        lines.append(f"\n_{len(rows) - max_rows} more rows not shown_")
    return "\n".join(lines)


def summary_markdown(verdict: Any, data: Any, diff: Mapping[str, Any] | None, report_path: str = "") -> str:
    """The report's summary for the Dagster UI: verdict, failing gates with value and limit,
    first-failed-stage counts, stages losing most, worst documents and queries, changes."""
    from rag_eval_assets.lib.report.cases import failed_cases

    lines = [f"**{verdict.headline}**", ""]
    g = verdict.gate
    if g is not None:
        lines.append(f"Release gate `{g.key}`: **{g.status}**, value {_cell(g.value, 3)} (limit {g.limit}, over {g.n})")
        lines.append("")
    failing = [*verdict.errors, *verdict.warnings]
    if failing:
        lines.append(markdown_table([{"check": c.key, "status": c.status, "value": c.value, "limit": c.limit,
                                      "over": c.n} for c in failing], max_rows=25))
        lines.append("")
    if verdict.counts:
        counts = " · ".join(f"{k} {v}" for k, v in verdict.counts.items())
        note = f" ({verdict.filter_excluded} of the candidate-retrieval failures: gold excluded by filter)" \
            if verdict.filter_excluded else ""
        lines += [f"**First failed stage** ({verdict.cases} cases): {counts}{note}", ""]
    if verdict.losses:
        lines.append("**Stages losing most**: " + "; ".join(
            f"{x['stage']} {x['lost']:.3f} ({x['what']}, over {x['n']})" for x in verdict.losses[:3]))
        lines.append("")
    rows = data.rows("parser_scorecard", "_documents")
    parsers = sorted({d["parser"] for d in rows})
    docs = [d for d in rows if (d.get("cer") or 0) > 0 and data.routed_parser(d["doc_class"], parsers) == d["parser"]]
    if docs:
        worst = sorted(docs, key=lambda d: -d["cer"])[:5]
        lines += ["**Worst documents** (CER of the parser each class is routed to)", markdown_table(worst, ["path", "parser", "doc_class", "cer"]), ""]
    cases = failed_cases(data)
    if cases:
        kinds: dict[str, list] = {}
        for c in cases:
            kinds.setdefault(c["failure"], []).append(c)
        picked = [c for group in kinds.values() for c in group[:3]][:10]  # a few of every kind of failure
        lines += [f"**Worst queries** ({len(picked)} of {len(cases)} failed cases, up to 3 per failure)",
                  markdown_table(picked, ["case_id", "failure", "cause"], max_rows=10), ""]
    if diff is None:
        lines.append("_No previous run: this is the first report._")
    else:
        worse = sum(1 for d in diff["deltas"] if not d["better"])
        lines.append(f"**Since run {str(diff['run_id'])[:8]}**: {len(diff['new_failing_checks'])} newly failing checks"
                     f" ({', '.join(diff['new_failing_checks']) or 'none'}), {len(diff['new_failed_cases'])} newly "
                     f"failed cases, {len(diff['deltas'])} headline numbers changed ({worse} worse)")
    if report_path:
        lines += ["", f"Report: `{report_path}`"]
    return "\n".join(lines)
