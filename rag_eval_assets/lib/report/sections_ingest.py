"""Report sections of the ingestion stages: corpus, parse, clean, dedup, chunk, embed + index.
Each reads what its assets stored, shows its checks, at least one figure, its numbers with
the count they are over, and flags where a parser clearly loses on a document class."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from rag_eval_assets.lib.report.checks import CheckOutcome
from rag_eval_assets.lib.report.html import (
    Column,
    Metric,
    Section,
    table_html,
)
from rag_eval_assets.lib.report.inputs import ReportData
from rag_eval_assets.lib.report.plots import (
    bar_plot_png,
    heatmap_png,
    line_plot_png,
    xy_plot_png,
)

CHECK_COLUMNS = (Column("check"), Column("status"), Column("value", "value", "what the check judged"),
                 Column("limit", nowrap=True), Column("n", "over"), Column("why"))
PARSE_COLUMNS = (
    Column("doc_class", "class"), Column("parser"), Column("documents", "docs", "scored (n/a formats left out)"),
    Column("failure_rate", "failure rate"), Column("cer_mean", "CER", "character error rate, mean (lower is better)"),
    Column("wer_mean", "WER", "word error rate, mean"),
    Column("completeness_mean", "completeness", "extracted / expected characters: 1 = all text, < 1 text lost, "
           "> 1 extra text"),
    Column("over_extraction_mean", "over-extraction", "share of documents with > 10 % more characters than expected"),
    Column("teds_mean", "TEDS", "table structure + content similarity (1 = identical); n/a: no reference table"),
    Column("heading_order_mean", "heading order", "share of reference headings in order"),
    Column("pages_per_s", "pages/s"))


def missing_section(title: str, asset: str) -> Section:
    return Section(title, notes=[f"{asset} has not been materialized: no figures for this stage."], missing=True)


def checks_table(checks: list[CheckOutcome], caption: str = "Checks") -> str:
    if not checks:
        return ""
    return table_html([c.row() for c in checks], caption, columns=CHECK_COLUMNS)


def _num(pattern: str, text: str) -> float | None:
    m = re.search(pattern, text or "")
    return float(m.group(1)) if m else None


# --- corpus ----------------------------------------------------------------------------------
def corpus_section(data: ReportData) -> Section:
    manifest = data.rows("corpus_manifest")
    problems = data.json("corpus_manifest", "_problems") or {}
    sec = Section("Corpus", slug="stage-corpus")
    if not manifest and not problems:
        sec.notes.append("corpus_manifest has not been materialized: no figures for this stage.")
        sec.missing = True
    sec.numbers["valid documents"] = Metric(len(manifest), "the corpus manifest")
    for key in ("excluded", "bad_lines", "orphans", "rejected", "pending"):
        if problems.get(key):
            sec.numbers[key.replace("_", " ")] = Metric(len(problems[key]), "corpus files / metadata lines")
    failures = _failures(data)
    sec.numbers["per-document failures"] = Metric(len(failures), f"{len(manifest)} documents",
                                                  passed=not failures if manifest else None)
    if failures:
        sec.tables.append(("Per-document failures (final ones and retried errors)", failures,
                           [Column("doc_id", "document"), Column("stage"), Column("kind"), Column("message"),
                            Column("retried")]))
    sec.checks_html = checks_table(data.checks_of("corpus"))
    return sec


def _failures(data: ReportData) -> list[dict[str, Any]]:
    from rag_eval_assets.lib.outputs import DOCUMENT_ASSETS

    store, rows = data.store, []
    try:
        assets = [a for a in store.storage.folders() if a in DOCUMENT_ASSETS or a.startswith("parsed_")]
        for asset in sorted(assets):
            for doc_id, out in sorted(store.versions(asset).items()):
                if out.failed:
                    rec = store.read_output(asset, out)
                    if rec.get("kind") == "unsupported":  # a format the parser does not read: n/a, not a failure
                        continue
                    rows.append({"doc_id": doc_id, "stage": asset, "kind": rec.get("kind"),
                                 "message": str(rec.get("message", ""))[:160], "retried": "no"})
        current = {r["doc_id"] for r in data.rows("corpus_manifest")} or None
        for e in store.errors(current):
            rows.append({"doc_id": e.get("doc_id"), "stage": e.get("stage"), "kind": e.get("kind"),
                         "message": str(e.get("message", ""))[:160], "retried": "next run"})
    except (OSError, ValueError):
        pass
    return rows


# --- parse -----------------------------------------------------------------------------------
def parser_flags(card: list[dict[str, Any]], routed: dict[str, str | None] | None = None) -> list[tuple[float, str]]:
    """(gap, sentence) where a parser clearly loses on a class against another parser: TEDS
    lower by ≥ 0.3 (best ≥ 0.5), CER higher by ≥ 0.05 and ≥ twice the best, failure rate
    higher by ≥ 0.2. One sentence per class and metric, the parser each class is routed to
    marked; largest gap first."""
    routed = routed or {}
    by_class: dict[str, list[dict]] = defaultdict(list)
    for r in card:
        if r.get("documents"):
            by_class[r["doc_class"]].append(r)
    flags = []
    for cls, rows in sorted(by_class.items()):
        for metric, label, higher in (("teds_mean", "TEDS", True), ("cer_mean", "CER", False),
                                      ("failure_rate", "failure rate", False)):
            scored = [r for r in rows if r.get(metric) is not None]
            if len(scored) < 2:
                continue
            best = max(scored, key=lambda r: r[metric]) if higher else min(scored, key=lambda r: r[metric])
            losers = []
            for r in scored:
                gap = (best[metric] - r[metric]) if higher else (r[metric] - best[metric])
                clear = (metric == "teds_mean" and gap >= 0.3 and best[metric] >= 0.5) or \
                        (metric == "cer_mean" and gap >= 0.05 and r[metric] >= 2 * best[metric]) or \
                        (metric == "failure_rate" and gap >= 0.2)
                if clear and r is not best:
                    losers.append((gap, r))
            if losers:
                names = " and ".join(f"{r['parser']}{' (routed)' if routed.get(cls) == r['parser'] else ''} "
                                     f"{r[metric]:.3f}" for _, r in sorted(losers, key=lambda x: -x[0]))
                winner = f"{best['parser']}{' (routed)' if routed.get(cls) == best['parser'] else ''}"
                sentence = f"{cls}: {label} {names} vs {best[metric]:.3f} for {winner}, over {best['documents']} documents"
                flags.append((max(g for g, _ in losers), sentence))
    return sorted(flags, key=lambda f: -f[0])


def parse_section(data: ReportData) -> Section:
    card = data.rows("parser_scorecard")
    if not card:
        return missing_section("Parse", "parser_scorecard")
    docs = data.rows("parser_scorecard", "_documents")
    parsers = sorted({r["parser"] for r in card})
    classes = sorted({r["doc_class"] for r in card})
    routed = {c: data.routed_parser(c, parsers) for c in classes}
    routed_docs = [d for d in docs if routed.get(d["doc_class"]) == d["parser"]]
    scored = [d for d in routed_docs if d.get("cer") is not None]
    sec = Section("Parse", slug="stage-parse")
    if scored:
        sec.numbers["mean CER, routed parsers"] = Metric(sum(d["cer"] for d in scored) / len(scored),
                                                         f"{len(scored)} documents with a reference")
        complete = [d["completeness"] for d in scored if d.get("completeness") is not None]
        if complete:
            sec.numbers["completeness (extracted / expected chars)"] = Metric(
                sum(complete) / len(complete), f"{len(complete)} documents",
                note=f"{sum(bool(d.get('over_extraction')) for d in scored)} over-extracted (> 110 %)")
    tables = [d for d in routed_docs if d.get("teds") is not None]
    if tables:
        sec.numbers["mean TEDS, routed parsers"] = Metric(sum(d["teds"] for d in tables) / len(tables),
                                                          f"{len(tables)} documents with reference tables")
    sec.numbers["parsers × classes"] = Metric(f"{len(parsers)} × {len(classes)}", f"{len(docs)} parses")
    flags = parser_flags(card, routed)
    sec.flags += [f for _, f in flags[:8]]
    if len(flags) > 8:
        sec.notes.append(f"{len(flags) - 8} more parser/class gaps in the full table below.")
    counts = {(r["doc_class"], r["parser"]): r["documents"] for r in card if r.get("documents")}
    cer = {(r["doc_class"], r["parser"]): r.get("cer_mean") for r in card}
    sec.figures.append((("Mean CER per class × parser (documents in brackets; grey = n/a: format not read); "
                         "colour saturates at 0.3"),
                        heatmap_png(classes, parsers, cer, "CER (lower is better)", False, vmax=0.3, counts=counts)))
    teds_classes = [c for c in classes if any(r.get("teds_mean") is not None for r in card if r["doc_class"] == c)]
    if teds_classes:
        teds = {(r["doc_class"], r["parser"]): r.get("teds_mean") for r in card}
        sec.figures.append(("Mean TEDS per class × parser, classes with reference tables",
                            heatmap_png(teds_classes, parsers, teds, "TEDS (higher is better)", True, counts=counts)))
    main = [r for r in card if routed.get(r["doc_class"]) == r["parser"]] if any(routed.values()) else card
    sec.tables.append(("Per class, the parser it is routed to" if main is not card else "Parser × document class",
                       main, PARSE_COLUMNS))
    worst = sorted(scored, key=lambda d: -d["cer"])[:8]
    if worst and worst[0]["cer"] > 0:
        sec.tables.append(("Worst documents (routed parser, by CER)", [d for d in worst if d["cer"] > 0],
                           [Column("path", "document"), Column("doc_class", "class"), Column("parser"),
                            Column("cer", "CER"), Column("completeness", "completeness", "extracted / expected chars"),
                            Column("teds", "TEDS")]))
    if main is not card:
        sec.details.append((f"Every parser × class ({len(card)} rows)", table_html(card, columns=PARSE_COLUMNS)))
    sec.checks_html = checks_table(data.checks_of("parse"))
    return sec


# --- clean -----------------------------------------------------------------------------------
def clean_section(data: ReportData) -> Section:
    f = data.json("clean_scorecard")
    if f is None:
        return missing_section("Clean", "clean_scorecard")
    sec = Section("Clean", slug="stage-clean")
    labelled = sum(r.get("support") or 0 for r in f.get("per_language", []))
    annotated = sum(r.get("annotated") or 0 for r in f.get("pii_per_entity", []))
    documents = sum(r.get("documents") or 0 for r in f.get("per_class", []))
    sec.numbers["PII recall, all types"] = Metric(f.get("pii_overall_recall"), f"{annotated} annotated spans")
    sec.numbers["PII false redactions"] = Metric(f.get("pii_false_redaction_rate"),
                                                 f"{f.get('pii_false_redaction_predicted') or 0} redactions in "
                                                 f"{f.get('pii_fully_annotated_docs') or 0} fully annotated documents")
    sec.numbers["language macro-F1"] = Metric(f.get("language_macro_f1"), f"{labelled} labelled documents")
    sec.numbers["NFKC drift share"] = Metric(f.get("nfkc_drift_share"), f"{documents} documents")
    bp = [r for r in f.get("per_class", []) if r.get("boilerplate_f1") is not None]
    if bp:
        sec.numbers["boilerplate F1 (worst class)"] = Metric(min(r["boilerplate_f1"] for r in bp),
                                                             f"{sum(r['documents'] for r in bp)} documents with a main text")
    entities = [e for e in f.get("pii_per_entity", []) if e.get("annotated")]
    if entities:
        limit = _num(r"([0-9.]+)", (data.check("clean_scorecard:pii_recall") or CheckOutcome("", "", None)).limit)
        values = {e["entity"]: e.get("recall") for e in entities}
        labels = {e["entity"]: f"{e['recall']:.3f} of {e['annotated']}" if e.get("recall") is not None else "n/a"
                  for e in entities}
        low = [k for k, v in values.items() if v is not None and limit is not None and v < limit]
        sec.figures.append((("PII recall per entity type (annotated spans after the value; red: below the "
                             "high-risk limit)"), bar_plot_png(values, "recall", "PII recall per type", horizontal=True,
                                                             labels=labels, highlight=low)))
    sec.tables.append(("PII per entity type", f.get("pii_per_entity", []),
                       [Column("entity"), Column("annotated", "annotated spans"), Column("predicted"),
                        Column("precision"), Column("recall"), Column("f2", "F2", "recall-weighted")]))
    sec.details.append(("Per document class and per language", table_html(
        f.get("per_class", []), columns=[Column("doc_class", "class"), Column("documents", "docs"),
                                         Column("boilerplate_precision", "boilerplate P"),
                                         Column("boilerplate_recall", "boilerplate R"),
                                         Column("boilerplate_f1", "boilerplate F1"),
                                         Column("nfkc_drift_share", "NFKC drift"),
                                         Column("mixed_language_docs", "mixed-language docs"),
                                         Column("zero_width", "zero-width chars"), Column("bidi_controls", "bidi")])
        + table_html(f.get("per_language", []), columns=[Column("language"), Column("support", "documents"),
                                                         Column("precision"), Column("recall"), Column("f1", "F1")])))
    sec.checks_html = checks_table(data.checks_of("clean"))
    return sec


# --- dedup -----------------------------------------------------------------------------------
def dedup_section(data: ReportData) -> Section:
    rows, sweep = data.rows("near_duplicates"), data.json("dedup_threshold_sweep")
    if not rows and sweep is None:
        return missing_section("Dedup", "near_duplicates")
    sec = Section("Dedup", slug="stage-dedup")
    dups = sum(bool(r.get("is_duplicate")) for r in rows)
    sec.numbers["near-duplicates dropped"] = Metric(dups, f"{len(rows)} documents")
    sec.numbers["clusters with copies"] = Metric(len({r["canonical"] for r in rows if r.get("cluster_size", 1) > 1}),
                                                 f"{len(rows)} documents")
    for key, label in (("near_duplicates:false_merge_rate", "false-merge rate"),
                       ("near_duplicates:missed_merge_rate", "missed-merge rate")):
        c = data.check(key)
        if c is not None:
            sec.numbers[label] = Metric(c.value, c.n or None, passed=c.passed)
    if sweep:
        threshold = _num(r"([0-9.]+)", str((data.check("dedup_threshold_sweep:default_threshold_is_clean")
                                            or CheckOutcome("", "", None)).metadata.get("threshold", "")))
        xs = [p["threshold"] for p in sweep]
        png = line_plot_png(xs, {"precision": [p.get("precision") for p in sweep],
                                 "recall": [p.get("recall") for p in sweep],
                                 "false-merge rate": [p.get("false_merge_rate") for p in sweep]},
                            "MinHash LSH threshold", "rate", "Dedup threshold sweep (labelled pairs)",
                            vline=(threshold, f"configured {threshold:.2f}") if threshold is not None else None)
        sec.figures.append(("Dedup threshold sweep: pair precision, recall and false-merge rate", png))
    sec.checks_html = checks_table(data.checks_of("dedup"))
    return sec


# --- chunk -----------------------------------------------------------------------------------
def chunk_section(data: ReportData) -> Section:
    sweep = data.json("chunk_size_sweep")
    sec = Section("Chunk", slug="stage-chunk")
    if not sweep and not data.checks_of("chunk"):
        return missing_section("Chunk", "chunk_size_sweep")
    for c in data.checks_of("chunk"):
        if c.name in ("boundary_violations", "attribution_fidelity", "hierarchy_preservation"):
            sec.numbers[c.name.replace("_", " ")] = Metric(c.value, c.n or None, passed=c.passed)
    if sweep:
        best = max(sweep, key=lambda r: (r["recall@10"], r["ndcg@10"]))
        sec.numbers["best dense Recall@10 of the sweep"] = Metric(
            best["recall@10"], f"{best.get('queries', '?')} queries",
            note=f"size {best['size']}, overlap {best['overlap']:.0%}")
        sizes = sorted({r["size"] for r in sweep})
        overlaps = sorted({r["overlap"] for r in sweep})
        for metric in ("recall@10", "ndcg@10"):
            series = {f"overlap {o:.0%}": [next((r[metric] for r in sweep if r["size"] == s and r["overlap"] == o), None)
                                           for s in sizes] for o in overlaps}
            sec.figures.append((f"Chunk size / overlap sweep: dense {metric} ({best.get('queries', '?')} queries)",
                                xy_plot_png({k: (sizes, v) for k, v in series.items()}, "chunk size (tokens)", metric,
                                            f"Chunk sweep: {metric}", logx=True)))
        sec.details.append(("Sweep table", table_html(sweep, columns=[Column("size", "size (tokens)"), Column("overlap"),
                                                                      Column("chunks"), Column("queries"),
                                                                      Column("recall@10"), Column("ndcg@10")])))
    sec.checks_html = checks_table(data.checks_of("chunk"))
    return sec


# --- embed + index ---------------------------------------------------------------------------
def index_section(data: ReportData) -> Section:
    sweep = data.json("index_sweep")
    manifest = None
    try:
        manifest = data.store.vector_index_manifest("flat")
    except (OSError, ValueError, KeyError):
        pass
    if sweep is None and manifest is None:
        return missing_section("Embed and index", "vector_index")
    sec = Section("Embed and index", slug="stage-index")
    if manifest:
        sec.numbers["indexed chunks"] = Metric(manifest.get("count"), "chunks of the canonical documents")
        sec.numbers["dimensions"] = manifest.get("dim")
    ann = data.check("vector_index:ann_recall_at_k")
    if ann is not None:
        sec.numbers["ANN recall@k vs exact"] = Metric(ann.value, ann.n or None, passed=ann.passed)
    if sweep and sweep.get("points"):
        series: dict[str, tuple[list, list]] = {}
        for p in sweep["points"]:
            xs, ys = series.setdefault(f"{p['index']} ({p['knob']})", ([], []))
            xs.append(p["qps"])
            ys.append(p["recall"])
        if sweep.get("flat_qps"):
            series["flat (exact)"] = ([sweep["flat_qps"]], [1.0])
        lows = [y for _, ys in series.values() for y in ys]
        sec.figures.append((f"ANN recall vs queries per second ({len(sweep['points'])} settings)",
                            xy_plot_png(series, "queries per second (log)", "recall@k vs flat", "ANN recall–QPS",
                                        ylim=(max(0.0, min(lows) - 0.02), 1.005), logx=True)))
        sec.details.append(("Index sweep table", table_html(sweep["points"], columns=[
            Column("index"), Column("knob"), Column("value"), Column("recall", "recall@k"),
            Column("ci95_low", "95 % CI low"), Column("qps", "QPS", digits=0)])))
    sec.checks_html = checks_table(data.checks_of("embed") + data.checks_of("index"))
    return sec
