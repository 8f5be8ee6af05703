"""Parse-stage benchmark: pages/s per parser per document class, CER against the golden
references, and the cost of ``parse_document(..., "pymupdf")`` against a raw pymupdf
``get_text`` loop on the same PDFs, measured in the same run (goal: ratio <= 1.25).

    python benchmarks/bench_parse.py                       # sample corpus (or generated files)
    python benchmarks/bench_parse.py --parsers pymupdf ocr --repeat 5
    python benchmarks/bench_parse.py --malformed            # + the full evaldata robustness matrix

Corpus: ``sample_corpus/`` with ``golden_sets/sample/documents.jsonl`` when present, else the
generated samples of ``tests/_parse_samples.py`` (copied ``--copies`` times).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the generated sample documents shared with the parser tests

import _parse_samples as samples  # noqa: E402

from rag_eval_assets.lib.documents import FAILURE_KINDS, doc_id_for  # noqa: E402
from rag_eval_assets.lib.parsers import (  # noqa: E402
    parse_document,
    parse_documents,
    shutdown_workers,
    usable_parsers,
)

SAMPLE_CLASSES = {"pdf": "generated_pdf", "scanned_pdf": "generated_scan", "image": "generated_image",
                  "html": "generated_html", "docx": "generated_docx", "md": "generated_md", "txt": "generated_txt"}


def corpus(args: argparse.Namespace, tmp: Path) -> tuple[list[tuple[str, Path, Path | None]], str]:
    """[(doc_class, path, reference path or None)] and a description of the corpus."""
    docs_file = args.golden / "documents.jsonl"
    if args.corpus.is_dir() and docs_file.is_file():
        rows = [json.loads(line) for line in docs_file.read_text().splitlines() if line.strip()]
        out = [(r["doc_class"], args.corpus / r["path"], args.golden / "parse" / f"{doc_id_for(r['path'])}.txt")
               for r in rows if (args.corpus / r["path"]).is_file()]
        return out, f"{args.corpus} ({len(out)} documents)"
    out = []
    for i in range(args.copies):
        for kind, path in samples.write_all(tmp / f"copy{i}").items():
            out.append((SAMPLE_CLASSES[kind], path, None))
    return out, f"generated samples x{args.copies} ({len(out)} files)"


def raw_pymupdf_loop(pdfs: list[Path]) -> tuple[float, int]:
    """The baseline: open each PDF, ``get_text()`` every page."""
    import pymupdf

    start, pages = time.perf_counter(), 0
    for path in pdfs:
        with pymupdf.open(path) as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return time.perf_counter() - start, pages


def timed_parse(pdfs: list[Path], **kwargs: object) -> float:
    start = time.perf_counter()
    for path in pdfs:
        doc = parse_document(path, "pymupdf", **kwargs)
        assert doc.ok, (path, doc.failure)
    return time.perf_counter() - start


def timed_batch(pdfs: list[Path], **kwargs: object) -> float:
    start = time.perf_counter()
    for doc in parse_documents(pdfs, "pymupdf", **kwargs):
        assert doc.ok, (doc.source, doc.failure)
    return time.perf_counter() - start


def overhead_table(pdfs: list[Path], repeat: int) -> None:
    """Best-of-``repeat`` seconds of the raw loop and of parse_document variants, and ratios."""
    parse_document(pdfs[0], "pymupdf")  # start the worker outside the measurement
    variants = {
        "raw pymupdf get_text loop": lambda: raw_pymupdf_loop(pdfs)[0],
        "parse_document isolation=process": lambda: timed_parse(pdfs),
        "parse_documents (batch) process": lambda: timed_batch(pdfs),
        "parse_document isolation=none": lambda: timed_parse(pdfs, isolation="none"),
        "  ... process, structure=False": lambda: timed_parse(pdfs, structure=False),
        "  ... none, structure=False": lambda: timed_parse(pdfs, isolation="none", structure=False),
        "  ... batch process, structure=False": lambda: timed_batch(pdfs, structure=False),
    }
    best = {name: min(fn() for _ in range(repeat)) for name, fn in variants.items()}
    pages = raw_pymupdf_loop(pdfs)[1]
    base = best["raw pymupdf get_text loop"]
    print(f"\n## pymupdf overhead on {len(pdfs)} PDF parses / {pages} pages (best of {repeat})\n")
    print(f"| {'variant':<36} | seconds | pages/s | ratio to raw |")
    print(f"|{'-' * 38}|--------:|--------:|-------------:|")
    for name, secs in best.items():
        print(f"| {name:<36} | {secs:7.3f} | {pages / secs:7.0f} | {secs / base:12.2f} |")


def cer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = " ".join(reference.split()), " ".join(hypothesis.split())
    return jiwer.cer(ref, hyp) if ref else float(bool(hyp))


def parser_table(docs: list[tuple[str, Path, Path | None]], parsers: list[str], timeout_s: float) -> None:
    """pages/s, outcome counts and mean CER per parser and document class."""
    rows = []
    for parser in parsers:
        parse_document(docs[0][1], parser, timeout_s=600)  # warm the worker (model loading)
        by_class: dict[str, list] = defaultdict(list)
        for doc_class, path, ref in docs:
            start = time.perf_counter()
            doc = parse_document(path, parser, timeout_s=timeout_s)
            wall = time.perf_counter() - start
            score = cer(ref.read_text(encoding="utf-8"), doc.text) if ref and ref.is_file() and doc.ok else None
            by_class[doc_class].append((wall, doc.pages or 1, doc.failure.kind if doc.failure else "ok", score))
        for doc_class, results in sorted(by_class.items()):
            secs = sum(r[0] for r in results)
            pages = sum(r[1] for r in results if r[2] == "ok")
            outcome = Counter(r[2] for r in results)
            scores = [r[3] for r in results if r[3] is not None]
            rows.append((parser, doc_class, len(results), pages, secs, outcome, scores))
        shutdown_workers()
    print("\n## pages/s per parser and document class (isolation=process, warm worker)\n")
    print("| parser | class | docs | ok pages | seconds | pages/s | outcomes | mean CER |")
    print("|---|---|--:|--:|--:|--:|---|--:|")
    for parser, doc_class, n, pages, secs, outcome, scores in rows:
        outs = " ".join(f"{k}={v}" for k, v in sorted(outcome.items()))
        mean = f"{statistics.mean(scores):.3f}" if scores else "-"
        print(f"| {parser} | {doc_class} | {n} | {pages} | {secs:.2f} | {pages / secs if secs else 0:.1f} | {outs} | {mean} |")


def malformed_table(evaldata: Path, parsers: list[str], timeout_s: float) -> None:
    """Outcome counts of every parser on every file of evaldata/malformed."""
    base = evaldata / "malformed"
    files = sorted(p for p in base.rglob("*") if p.is_file() and not p.name.startswith("SOURCE_"))
    print(f"\n## robustness: {len(files)} files of {base}\n")
    print("| parser | " + " | ".join(("ok", *FAILURE_KINDS)) + " | seconds | slowest |")
    print("|---|" + "--:|" * (len(FAILURE_KINDS) + 3))
    for parser in parsers:
        outcomes: Counter[str] = Counter()
        start, slowest = time.perf_counter(), (0.0, "")
        for path in files:
            t = time.perf_counter()
            doc = parse_document(path, parser, timeout_s=timeout_s)
            slowest = max(slowest, (time.perf_counter() - t, path.name))
            outcomes[doc.failure.kind if doc.failure else "ok"] += 1
        total = time.perf_counter() - start
        print(f"| {parser} | " + " | ".join(str(outcomes[k]) for k in ("ok", *FAILURE_KINDS))
              + f" | {total:.1f} | {slowest[0]:.1f} s {slowest[1]} |")
        shutdown_workers()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT / "sample_corpus")
    ap.add_argument("--golden", type=Path, default=ROOT / "golden_sets" / "sample")
    ap.add_argument("--parsers", nargs="*", default=None, help="default: every usable parser")
    ap.add_argument("--repeat", type=int, default=5, help="repeats of the overhead measurement (best of)")
    ap.add_argument("--rounds", type=int, default=5, help="passes over the PDFs in one overhead measurement")
    ap.add_argument("--copies", type=int, default=5, help="copies of the generated samples (no corpus)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--malformed", action="store_true", help="also run every parser on evaldata/malformed")
    ap.add_argument("--evaldata", type=Path, default=(ROOT / ".." / "shared" / "evaldata").resolve())
    args = ap.parse_args(argv)
    parsers = args.parsers or usable_parsers()
    with tempfile.TemporaryDirectory() as tmp:
        docs, described = corpus(args, Path(tmp))
        print(f"# parse benchmark: {described}; parsers: {', '.join(parsers)}")
        pdfs = [p for c, p, _ in docs if p.suffix.lower() == ".pdf" and "scan" not in c]
        if pdfs and "pymupdf" in parsers:
            overhead_table(pdfs * args.rounds, args.repeat)
        parser_table(docs, parsers, args.timeout)
        if args.malformed and (args.evaldata / "malformed").is_dir():
            malformed_table(args.evaldata, parsers, args.timeout)
    shutdown_workers()
    return 0


if __name__ == "__main__":
    sys.exit(main())
