"""The per-run HTML report, stage by stage, from what each asset stored: parser scorecard,
clean and dedup, chunks, index, retrieval, filters, generation (with a histogram of first failed
stages). A stage that has not been materialized yet gets a note, never a made-up number."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from rag_eval_assets.lib.outputs import CORPUS_KEY, Outputs
from rag_eval_assets.lib.report.html import Section, render_report
from rag_eval_assets.lib.report.plots import bar_plot_png

FIRST_FAILED_ORDER = ("admissibility", "candidate retrieval", "context selection", "answer completeness",
                      "answer faithfulness", "citation support", "abstention", "pass")


CASE_COLUMNS = ("case_id", "slice", "stage", "candidate_recall", "context_recall", "faithfulness",
                "citation_support", "supported_point_coverage")


def _json(store: Outputs, asset: str, key: str = CORPUS_KEY) -> Any:
    return store.read_json(asset, key, default=None)


def _rows(store: Outputs, asset: str, key: str = CORPUS_KEY) -> list[dict[str, Any]]:
    return store.read_rows(asset, key, default=[])


def _png(store: Outputs, asset: str, key: str) -> bytes:
    return store.read_bytes(asset, key, "png", default=b"")


def _lead(rows: list[dict[str, Any]], *first: str) -> list[dict[str, Any]]:
    """Rows with the ``first`` columns leading (stored JSON comes back key-sorted)."""
    return [{**{k: r[k] for k in first if k in r}, **{k: v for k, v in r.items() if k not in first}} for r in rows]


def _missing(title: str, asset: str) -> Section:
    return Section(title, notes=[f"{asset} has not been materialized: no figures for this stage."])


def parse_section(store: Outputs) -> Section:
    card = _rows(store, "parser_scorecard")
    if not card:
        return _missing("Parse", "parser_scorecard")
    cols = ("parser", "doc_class", "documents", "cer_mean", "wer_mean", "completeness_mean", "teds_mean", "failure_rate")
    table = [{c: r.get(c) for c in cols if c in r} for r in card]
    return Section("Parse", numbers={"parsers": len({r["parser"] for r in card}),
                                     "document classes": len({r["doc_class"] for r in card})},
                   tables=[("Parser × document class (mean CER / WER, TEDS, failures)", table)])


def clean_dedup_section(store: Outputs) -> Section:
    figures, dedup = _json(store, "clean_scorecard"), _rows(store, "near_duplicates")
    if figures is None and not dedup:
        return _missing("Clean and dedup", "clean_scorecard")
    sec = Section("Clean and dedup")
    if figures:
        sec.numbers.update({"language macro-F1": figures.get("language_macro_f1"),
                            "PII recall (all types)": figures.get("pii_overall_recall"),
                            "NFKC drift share": figures.get("nfkc_drift_share")})
        sec.tables.append(("Per document class", _lead(figures.get("per_class", []), "doc_class", "documents")))
        sec.tables.append(("PII per entity type", _lead(figures.get("pii_per_entity", []), "entity", "annotated")))
    if dedup:
        sec.numbers["near-duplicate documents"] = sum(bool(r.get("is_duplicate")) for r in dedup)
    sec.figures.append(("Dedup threshold sweep", _png(store, "dedup_threshold_sweep", "_sweep")))
    return sec


def chunk_index_section(store: Outputs) -> Section:
    sweep, manifest = _json(store, "chunk_size_sweep"), None
    try:
        manifest = store.vector_index_manifest("flat")
    except (OSError, ValueError):
        pass
    if sweep is None and manifest is None:
        return _missing("Chunks and index", "vector_index")
    sec = Section("Chunks and index")
    if manifest:
        sec.numbers["indexed chunks"] = manifest.get("count")
        sec.numbers["dimensions"] = manifest.get("dim")
    if sweep:
        sec.tables.append(("Chunk size / overlap sweep (dense Recall@10, nDCG@10)", sweep))
    sec.figures += [("Chunk size sweep", _png(store, "chunk_size_sweep", "_sweep")),
                    ("ANN recall vs QPS", _png(store, "index_sweep", "_recall_qps"))]
    return sec


def retrieval_section(store: Outputs) -> Section:
    summary = _json(store, "retrieval_eval", "_summary")
    if summary is None:
        return _missing("Retrieval", "retrieval_eval")
    means = {r["lane"]: r for r in summary["means"]}
    slices = [r for r in _rows(store, "retrieval_eval", "_slices") if r["lane"] == "hybrid"]
    numbers = {f"{lane} nDCG@10": r["ndcg@10"] for lane, r in means.items()}
    numbers.update({f"ΔnDCG@10 hybrid − {lane}": d for lane, d in summary["delta_ndcg@10"].items()})
    numbers["judged queries"] = summary["queries"]
    png = bar_plot_png({lane: r["ndcg@10"] for lane, r in means.items()}, "nDCG@10", "nDCG@10 per lane")
    return Section("Retrieval", numbers=numbers,
                   tables=[("Mean per lane", _lead(summary["means"], "lane")), ("Hybrid per slice", slices)],
                   figures=[("nDCG@10 per lane", png)])


def filter_section(store: Outputs, false_exclusion_max: float = 0.0) -> Section:
    s = _json(store, "filter_eval", "_summary")
    if s is None:
        return _missing("Filters", "filter_eval")
    rate = s["false_exclusion_rate"]
    return Section(
        "Filters",
        numbers={"false-exclusion rate": (rate, rate <= false_exclusion_max),
                 "naive survivor recall@10": s["naive_survivor_recall@10"],
                 "survivor-only recall@10": s["survivor_only_recall@10"],
                 "recall@10 without filters": s["recall@10_unfiltered"],
                 "false exclusion of the labelled predicates": s["false_exclusion_rate_correct_predicates"],
                 "predicate precision": s["predicates"]["precision"], "predicate recall": s["predicates"]["recall"]},
        notes=[(f"Queries whose gold the hard filter removes: {', '.join(s['excluded']) or 'none'}. Survivor-only "
                "recall does not count them as failures; the false-exclusion rate does.")],
        tables=[("Hard filter vs soft boost per field", _lead(s["fields"], "field", "decision", "queries")),
                ("Ontology-aware confusion (filter values; doc_class = top retrieved document)",
                 _lead(s["ontology"], "field", "pairs", "hP", "hR", "hF1", "wu_palmer", "exact"))])


def generation_section(store: Outputs) -> Section:
    s = _json(store, "generation_eval", "_summary")
    if s is None:
        return _missing("Generation", "generation_eval")
    stages = Counter(s["first_failed_stage"])
    ordered = {k: stages[k] for k in FIRST_FAILED_ORDER if k in stages}
    ordered.update({k: v for k, v in stages.items() if k not in ordered})
    gate = s["gate"]
    numbers: dict[str, Any] = {f"{m} ({s['judge']})" if m in s.get("judged", ()) else m: v for m, v in s["means"].items()}
    numbers["judge invalid rate"] = s["judge_invalid_rate"]
    numbers["release allowed"] = (gate["allowed"], gate["allowed"])
    numbers["pass rate"] = gate["overall"]
    return Section(
        "Generation", numbers=numbers,
        notes=[f"Judge: {s['judge']}; generator: {s['generator']}. {gate['reason']}"],
        tables=[("Pass rate per slice", [{"slice": k, "pass_rate": v} for k, v in gate["by_slice"].items()]),
                ("Cases by first failed stage", [{"stage": k, "cases": v} for k, v in ordered.items()]),
                ("Failed cases", [{c: r.get(c) for c in CASE_COLUMNS} for r in _json(store, "generation_eval", "_cases") or []
                                  if not r.get("may_release")])],
        figures=[("First failed stage", bar_plot_png(ordered, "cases", "First failed stage per case", horizontal=True))])


SECTIONS: tuple[Callable[[Outputs], Section], ...] = (
    parse_section, clean_dedup_section, chunk_index_section, retrieval_section, filter_section, generation_section)


def build_report(store: Outputs, title: str = "RAG ingestion quality report", subtitle: str = "") -> tuple[str, list[Section]]:
    """The HTML report of everything stored under ``store`` and its sections."""
    sections = [build(store) for build in SECTIONS]
    return render_report(title, sections, subtitle), sections
