"""Parser scorecard on the sample's parse-hazard classes: every parser on every document of the
chosen classes, scored against the golden references with ``score_parse`` (CER, WER,
completeness, TEDS where tables, heading order where headings).

    python benchmarks/bench_sample_parsers.py                      # the eight hazard classes
    python benchmarks/bench_sample_parsers.py --classes pdf_single_column pdf_scanned pdf_glyphs
    python benchmarks/bench_sample_parsers.py --parsers pymupdf docling --json scores.jsonl

Prints mean CER / WER / completeness / TEDS / heading order per parser and class, the winner
of each class (lowest mean CER, and lowest mean WER: hyphenation and glyphs cost words more
than characters) with its margin over the runner-up, the TEDS winner where the class has
tables, TEDS per table layout (grid / borderless / rotated; layouts from the generator's plan,
``--seed``), and the seconds each parser took. Parsers run one at a time in their worker
process (isolation=process), as the pipeline runs them.

Measured on the committed sample (generator at c8424c0; pymupdf 2.0, pymupdf4llm 2.0 with its layout
model, docling native pipeline, unstructured auto = fast + ocr_only, tesseract via tesserocr at
200 dpi; 2 shared cores, 190 s for all twelve PDF classes): mean CER per class, winner and margin.

| class | pymupdf | pymupdf4llm | docling | unstructured | ocr | winner (margin over runner-up) |
|---|--:|--:|--:|--:|--:|---|
| pdf_headers_footers | 0.059 | 0.062 | 0.059 | 0.073 | 0.060 | none: every parser keeps headers/footers |
| pdf_footnotes | 0.000 | 0.021 | 0.001 | 0.012 | 0.004 | pymupdf (0.001) |
| pdf_hyphenation | 0.007 | 0.008 | 0.007 | 0.030 | 0.009 | CER: pymupdf = docling (0.001); WER: pymupdf4llm 0.022 vs 0.055 |
| pdf_glyphs | 0.007 | 0.002 | 0.002 | 0.009 | 0.005 | docling = pymupdf4llm (0.003) |
| pdf_multicolumn_figures | 0.059 | 0.177 | 0.059 | 0.550 | 0.054 | ocr (0.005); figure labels cost everyone ~0.05 |
| pdf_complex_tables | 0.000 | 0.070 | 0.000 | 0.122 | 0.106 | text: pymupdf = docling (0.070); TEDS: pymupdf4llm 0.654, others 0 |
| pdf_scanned_degraded | 0.418 | 0.418 | 0.418 | 0.136 | 0.418 | unstructured (0.282) |
| pdf_bad_ocr_layer | 0.158 | 0.158 | 0.158 | 0.158 | 0.000 | ocr (0.158) |
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.evaluation.parse import match_tables, score_parse  # noqa: E402
from rag_eval_assets.lib.goldens.catalog import GoldenSet  # noqa: E402
from rag_eval_assets.lib.parsers import parse_document, shutdown_workers, usable_parsers  # noqa: E402
from rag_eval_assets.sample.hazards import HAZARD_COUNTS  # noqa: E402

PARSERS = ("pymupdf", "pymupdf4llm", "docling", "unstructured", "ocr")
METRICS = ("cer", "wer", "completeness", "teds", "heading_order")


def _mean(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.fmean(vals) if vals else None


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def run(golden: GoldenSet, corpus: Path, classes: list[str], parsers: list[str], timeout_s: float) -> list[dict]:
    """One score row per (parser, document) of ``classes``."""
    docs = sorted((d for d in golden.documents.values() if d.doc_class in classes), key=lambda d: (d.doc_class, d.path))
    rows = []
    for parser in parsers:
        parse_document(corpus / docs[0].path, parser, timeout_s=600)  # warm the worker (imports, models)
        for d in docs:
            start = time.perf_counter()
            parsed = parse_document(corpus / d.path, parser, timeout_s=timeout_s)
            wall = time.perf_counter() - start
            tables = [t.html for t in sorted(golden.tables.get(d.doc_id, []), key=lambda t: t.table_index)]
            score = score_parse(parsed, golden.parse.get(d.doc_id), [h.text for h in golden.headings.get(d.doc_id, [])],
                                tables)
            rows.append({"parser": parser, "doc_class": d.doc_class, "doc_id": d.doc_id, "path": d.path,
                         "seconds": wall, "pages": parsed.pages, "ocr_pages": len(parsed.ocr_pages),
                         "failure": parsed.failure.kind if parsed.failure else None, **score,
                         "table_teds": [t for t, _ in match_tables(parsed.tables if parsed.ok else [], tables)]})
        shutdown_workers()
    return rows


def report(rows: list[dict], classes: list[str], parsers: list[str]) -> None:
    cells: dict[tuple[str, str], dict[str, float | None]] = {}
    for parser in parsers:
        for cls in classes:
            mine = [r for r in rows if r["parser"] == parser and r["doc_class"] == cls]
            cells[(parser, cls)] = {m: _mean([r[m] for r in mine]) for m in METRICS} | {
                "seconds": sum(r["seconds"] for r in mine), "n": len(mine),
                "failures": sum(r["failure"] is not None for r in mine)}
    print("\n## mean per parser and class (CER/WER lower is better; completeness 1.0 = all text; "
          "TEDS and heading order higher is better)\n")
    print("| class | parser | docs | CER | WER | completeness | TEDS | heading order | seconds | failures |")
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for cls in classes:
        for parser in parsers:
            c = cells[(parser, cls)]
            print(f"| {cls} | {parser} | {c['n']} | " + " | ".join(_fmt(c[m]) for m in METRICS)
                  + f" | {c['seconds']:.1f} | {c['failures']} |")
    print("\n## winner per class (parsers within 0.0005 of the best share the win; margin = runner-up minus winner)\n")
    print("| class | CER winner | CER | runner-up | CER | margin | WER winner | WER | runner-up | margin "
          "| TEDS winner | TEDS | margin |")
    print("|---|---|--:|---|--:|--:|---|--:|---|--:|---|--:|--:|")
    for cls in classes:
        cols: list[str] = []
        for metric, sign in (("cer", 1), ("wer", 1), ("teds", -1)):
            ranked = sorted((p for p in parsers if cells[(p, cls)][metric] is not None),
                            key=lambda p: sign * cells[(p, cls)][metric])
            best = cells[(ranked[0], cls)][metric] if ranked else None
            tied = [p for p in ranked if abs(cells[(p, cls)][metric] - best) < 0.0005] if ranked else []
            rest = ranked[len(tied):]
            if not ranked:
                cols += ["-"] * (5 if metric == "cer" else 4 if metric == "wer" else 3)
                continue
            rest = rest or ["(all tie)"]
            second = cells[(rest[0], cls)][metric] if rest[0] in parsers else best
            margin = f"{sign * (second - best):.3f}"
            if metric == "teds":
                cols += [" = ".join(tied), f"{best:.3f}", margin]
            elif metric == "wer":
                cols += [" = ".join(tied), f"{best:.3f}", rest[0], margin]
            else:
                cols += [" = ".join(tied), f"{best:.3f}", rest[0], f"{second:.3f}", margin]
        print(f"| {cls} | " + " | ".join(cols) + " |")
    print("\n## seconds per parser (all classes)\n")
    for parser in parsers:
        mine = [r for r in rows if r["parser"] == parser]
        pages = sum(r["pages"] or 0 for r in mine)
        secs = sum(r["seconds"] for r in mine)
        print(f"- {parser}: {secs:.1f} s for {len(mine)} documents / {pages} pages ({pages / secs if secs else 0:.1f} pages/s)")


def layout_report(rows: list[dict], parsers: list[str], seed: int) -> None:
    """Mean TEDS per table layout and parser, layouts from the generator's plan of ``seed``."""
    from rag_eval_assets.sample import plan_corpus

    layouts = {d.doc_id: [t.layout for t in d.tables()] for d in plan_corpus(seed)}
    acc: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        for layout, teds in zip(layouts.get(r["doc_id"], []), r["table_teds"]):
            acc[(r["parser"], layout)].append(teds)
    found = sorted({layout for _, layout in acc})
    if not found:
        return
    print("\n## mean TEDS per table layout (tables of the chosen classes)\n")
    print("| parser | " + " | ".join(f"{lay} (n={len(acc[(parsers[0], lay)])})" for lay in found) + " |")
    print("|---|" + "--:|" * len(found))
    for parser in parsers:
        print(f"| {parser} | " + " | ".join(_fmt(_mean(acc[(parser, lay)])) for lay in found) + " |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "sample_corpus")
    ap.add_argument("--golden", type=Path, default=ROOT / "golden_sets" / "sample")
    ap.add_argument("--classes", nargs="*", default=list(HAZARD_COUNTS))
    ap.add_argument("--parsers", nargs="*", default=None, help="default: every usable one of " + ", ".join(PARSERS))
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--json", type=Path, default=None, help="also write every score row here (JSON lines)")
    ap.add_argument("--seed", type=int, default=0, help="seed the sample was generated with (table layouts)")
    ap.add_argument("--rows", type=Path, default=None, help="print the report from the --json rows of an earlier run")
    args = ap.parse_args(argv)
    usable = set(usable_parsers())
    parsers = args.parsers or [p for p in PARSERS if p in usable]
    golden = GoldenSet.load(args.golden)
    if golden.errors:
        print("golden-set errors:", *golden.errors, sep="\n  ")
    start = time.perf_counter()
    print(f"# sample parser scorecard: {args.corpus} ({', '.join(args.classes)}); parsers: {', '.join(parsers)}")
    if args.rows:  # report again from the rows of an earlier run
        rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line.strip()]
        parsers = [p for p in parsers if any(r["parser"] == p for r in rows)]
    else:
        rows = run(golden, args.corpus, args.classes, parsers, args.timeout)
    report(rows, args.classes, parsers)
    layout_report(rows, parsers, args.seed)
    print(f"\ntotal {time.perf_counter() - start:.0f} s")
    if args.json and not args.rows:
        args.json.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in rows), encoding="utf-8")
    shutdown_workers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
