"""Report sections of the online evaluation: retrieval lanes, metadata filters, generation
(first failed stage of every case, each failed case with its cause and a link to its trace)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rag_eval_assets.lib.report.cases import (
    CASE_COLUMNS,
    FILTER_EXCLUDED,
    failed_cases,
    failure_counts,
    predicate_text,
    traces_html,
)
from rag_eval_assets.lib.report.html import (
    Column,
    Metric,
    Section,
    table_html,
)
from rag_eval_assets.lib.report.inputs import ReportData
from rag_eval_assets.lib.report.plots import bar_plot_png, grouped_bar_png
from rag_eval_assets.lib.report.sections_ingest import checks_table, missing_section

MAX_TRACES = 300  # the failed-case table shows 300 rows: one trace per listed case keeps the file small
LANE_METRICS = ("recall@10", "recall@100", "precision@10", "hit@10", "ndcg@10", "mrr", "ap")
GEN_METRICS = (("candidate_recall", "candidate recall"), ("context_recall", "context recall"),
               ("context_precision", "context precision"), ("citation_coverage", "citation coverage"),
               ("faithfulness", "faithfulness"), ("citation_support", "citation support"),
               ("supported_point_coverage", "point coverage"), ("abstention_accuracy", "abstention accuracy"),
               ("false_abstention_rate", "false abstention rate"))


def retrieval_section(data: ReportData) -> Section:
    summary = data.json("retrieval_eval", "_summary")
    if summary is None:
        return missing_section("Retrieval", "retrieval_eval")
    n = f"{summary['queries']} judged queries"
    means = {r["lane"]: r for r in summary["means"]}
    sec = Section("Retrieval", slug="stage-retrieval")
    hybrid_gate = data.check("retrieval_eval:hybrid_recall_at_10")
    for lane, r in means.items():
        passed = hybrid_gate.passed if lane == "hybrid" and hybrid_gate is not None else None
        sec.numbers[f"{lane} Recall@10"] = Metric(r["recall@10"], n, passed=passed)
    for lane, r in means.items():
        sec.numbers[f"{lane} nDCG@10"] = Metric(r["ndcg@10"], n)
    for lane, d in summary.get("delta_ndcg@10", {}).items():
        sec.numbers[f"ΔnDCG@10 hybrid − {lane}"] = Metric(d, n)
    shown = ("recall@10", "ndcg@10", "mrr", "precision@10")
    sec.figures.append((f"Retrieval per lane over {n} (nDCG@10 per lane and more)",
                        grouped_bar_png(list(shown), {lane: [means[lane].get(m) for m in shown] for lane in means},
                                        "score", "nDCG@10 per lane, with Recall@10, MRR, P@10")))
    lane_cols = [Column("lane"), *(Column(m) for m in LANE_METRICS)]
    sec.tables.append(("Mean per lane", summary["means"], lane_cols))
    slices = [r for r in data.rows("retrieval_eval", "_slices") if r["lane"] == "hybrid"]
    if slices:
        sec.tables.append(("Hybrid per slice", slices, [Column("slice", "slice field"), Column("value", "slice"),
                                                        Column("queries"), *(Column(m) for m in LANE_METRICS)]))
    per_query = data.rows("retrieval_eval", "_per_query")
    worst = sorted(per_query, key=lambda r: (r.get("hybrid_ndcg@10", 1.0), r["query_id"]))[:10]
    worst = [{**r, "first_gold_rank": round(1 / r["hybrid_mrr"]) if r.get("hybrid_mrr") else None}
             for r in worst if r.get("hybrid_ndcg@10", 1.0) < 1.0]
    if worst:
        sec.tables.append(("Worst queries (hybrid nDCG@10)", worst, [
            Column("query_id", "query"), Column("intent"), Column("doc_class", "gold class"),
            Column("hybrid_recall@10", "Recall@10"), Column("hybrid_ndcg@10", "nDCG@10"),
            Column("first_gold_rank", "first gold rank", "n/a: not in the top 100")]))
    sec.checks_html = checks_table(data.checks_of("retrieval"))
    return sec


def filter_section(data: ReportData) -> Section:
    s = data.json("filter_eval", "_summary")
    if s is None:
        return missing_section("Filters", "filter_eval")
    n = f"{s['queries']} judged queries with a filter"
    gate = data.check("filter_eval:false_exclusion_rate")
    rate = s["false_exclusion_rate"]
    sec = Section("Filters", slug="stage-filters")
    sec.numbers["false-exclusion rate"] = Metric(rate, n, passed=gate.passed if gate else None,
                                                 note=f"{len(s['excluded'])} queries lose all gold")
    sec.numbers["recall@10 without filters"] = Metric(s.get("recall@10_unfiltered"), n)
    sec.numbers["naive survivor recall@10"] = Metric(s.get("naive_survivor_recall@10"), n,
                                                     note="filtered ranking vs all gold")
    sec.numbers["survivor-only recall@10"] = Metric(s.get("survivor_only_recall@10"), n,
                                                    note="blind to excluded queries")
    sec.numbers["false exclusion, labelled predicates"] = Metric(s.get("false_exclusion_rate_correct_predicates"), n)
    sec.numbers["predicate precision"] = Metric(s["predicates"].get("precision"), "predicate clauses")
    sec.numbers["predicate recall"] = Metric(s["predicates"].get("recall"), "labelled clauses")
    sec.notes.append(f"Queries whose gold the hard filter removes: {', '.join(s['excluded']) or 'none'}. Survivor-only "
                     "recall does not count them as failures; the false-exclusion rate does.")
    fields = s.get("fields", [])
    if fields:
        values = {f["field"]: f.get("hard_false_exclusion") for f in fields}
        labels = {f["field"]: f"{f['hard_false_exclusion']:.3f} of {f['queries']} queries"
                  for f in fields if f.get("hard_false_exclusion") is not None}
        sec.figures.append(("False exclusion per filter field (each field's clause alone as a hard filter)",
                            bar_plot_png(values, "share of queries whose gold the clause removes",
                                         "Exclusion per filter field", horizontal=True, labels=labels,
                                         highlight=[k for k, v in values.items() if v])))
    excluded = [{"query_id": q, "predicate": predicate_text(_predicate(data, q))} for q in s["excluded"]]
    for row, case in zip(excluded, s["excluded"]):
        correct = (data.inputs.predicates.get(case) or {}).get("correct_predicate")
        row["correct"] = predicate_text(correct) if correct else None
    if excluded:
        sec.tables.append(("Queries whose gold the hard filter removes", excluded,
                           [Column("query_id", "query"), Column("predicate", "filter"),
                            Column("correct", "labelled correct filter", "n/a: not labelled")]))
    sec.tables.append(("Hard filter vs soft boost per field", fields, [
        Column("field"), Column("queries"), Column("decision"),
        Column("hard_false_exclusion", "hard: false exclusion"), Column("hard_recall", "hard: recall@10"),
        Column("hard_ndcg", "hard: nDCG@10"), Column("soft_recall", "soft: recall@10"),
        Column("soft_ndcg", "soft: nDCG@10"), Column("reason")]))
    sec.details.append(("Ontology-aware confusion (filter values; doc_class = top retrieved document)", table_html(
        s.get("ontology", []), columns=[Column("field"), Column("pairs"), Column("exact"), Column("hP"), Column("hR"),
                                        Column("hF1"), Column("wu_palmer", "Wu-Palmer"), Column("sibling"),
                                        Column("parent"), Column("descendant"), Column("other")])))
    sec.checks_html = checks_table(data.checks_of("filters"))
    return sec


def _predicate(data: ReportData, qid: str) -> dict[str, Any]:
    spec = data.inputs.predicates.get(qid) or {}
    return dict(spec.get("predicate", {})) if isinstance(spec, dict) else {}


def _mean_counts(data: ReportData, summary: dict[str, Any]) -> dict[str, int]:
    if summary.get("means_n"):
        return summary["means_n"]
    cases = data.json("generation_eval", "_cases") or []
    return {m: sum(r.get(m) is not None for r in cases) for m, _ in GEN_METRICS}


def generation_section(data: ReportData) -> Section:
    s = data.json("generation_eval", "_summary")
    if s is None:
        return missing_section("Generation", "generation_eval")
    gate, cases = s["gate"], s["cases"]
    counts = failure_counts(data)
    failed = failed_cases(data)
    sec = Section("Generation", slug="stage-generation")
    sec.numbers["release allowed"] = Metric(gate["allowed"], passed=gate["allowed"],
                                            note=f"lowest slice {min(gate['by_slice'].values(), default=gate['overall']):.3f}")
    sec.numbers["pass rate"] = Metric(gate["overall"], f"{cases} cases")
    mean_n = _mean_counts(data, s)
    for key, label in GEN_METRICS:
        if key in s["means"]:
            judged = f" ({s['judge']})" if key in s.get("judged", ()) else ""
            sec.numbers[label + judged] = Metric(s["means"][key], f"{mean_n.get(key, '?')} cases")
    sec.numbers["judge invalid rate"] = Metric(s["judge_invalid_rate"], f"{s.get('judge_verdicts', '?')} verdicts")
    sec.notes.append(f"Judge: {s['judge']}; generator: {s['generator']}. {gate['reason']}. Faithfulness and citation "
                     "support are n/a for answers without claims (an abstention claims nothing); point coverage is "
                     "n/a without a reference answer. Answer completeness has two failures: “no answer” (no claim) "
                     "and “points missing” (claims made, a required point not covered).")
    excluded = sum(1 for r in failed if r["filter_excluded"])
    if counts.get("candidate retrieval"):
        sec.notes.append(f"Of the {counts['candidate retrieval']} candidate-retrieval failures, {excluded} are queries "
                         f"whose hard filter excluded every gold document ({FILTER_EXCLUDED} in the cause).")
    labels = {k: f"{v} of {cases}" for k, v in counts.items()}
    sec.figures.append((f"First failed stage per case ({cases} cases)",
                        bar_plot_png(counts, "cases", "First failed stage per case", horizontal=True, labels=labels,
                                     highlight=[k for k in counts if k != "pass"])))
    by_slice = Counter(r.get("slice") for r in (data.json("generation_eval", "_cases") or []))
    sec.tables.append(("Pass rate per slice", [{"slice": k, "cases": by_slice.get(k), "pass_rate": v}
                                               for k, v in gate["by_slice"].items()],
                       [Column("slice"), Column("cases"), Column("pass_rate", "pass rate")]))
    sec.tables.append(("Cases by first failed stage", [{"stage": k, "cases": v} for k, v in counts.items()],
                       [Column("stage", "first failed stage"), Column("cases")]))
    sec.tables.append((f"Failed cases ({len(failed)} of {cases}; the case id links to its trace)", failed, CASE_COLUMNS))
    traces = traces_html(data, [r["case_id"] for r in failed][:MAX_TRACES])
    if traces:
        sec.html.append(f"<h3 id='traces'>Traces of the failed cases</h3>{traces}")
    ext = s.get("external")
    if ext:
        sec.details.append(("External traces", table_html(
            [{"cases": ext["cases"], "pass_rate": ext["gate"]["overall"], "allowed": ext["gate"]["allowed"],
              **{k: v for k, v in ext["means"].items()}}])))
    sec.checks_html = checks_table(data.checks_of("generation"))
    return sec
