"""Render planned documents to files and write the golden sets in the formats of golden_sets/README.md."""

from __future__ import annotations

import csv
import io
import json
import random
import shutil
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import METADATA_FILENAME
from rag_eval_assets.sample.hazards import TYPESET_CLASSES
from rag_eval_assets.sample.html_page import render_html
from rag_eval_assets.sample.model import Doc
from rag_eval_assets.sample.pii import unannotated
from rag_eval_assets.sample.plan import EXT
from rag_eval_assets.sample.render_office import render_docx, render_markdown
from rag_eval_assets.sample.render_pdf import render_pdf
from rag_eval_assets.sample.render_scan import scan_pdf, scan_pdf_profile
from rag_eval_assets.sample.typeset import typeset_pdf

GOLDEN_OWNED = ("documents.jsonl", "parse", "headings.jsonl", "tables.jsonl", "boilerplate.json", "language.json",
                "dedup", "pii.jsonl", "pii_annotated.json", "retrieval")
ROLE_ORDER = ("original", "exact", "light_edit", "heavy_edit", "same_topic")


Rendered = tuple[bytes, list[list[int]] | None, list[str] | None]


def render_doc(doc: Doc, seed: int) -> Rendered:
    """File bytes of one document and, for PDFs, the block indices drawn on each page and (for
    the typeset hazard classes) the reference text of each page."""
    cls = doc.doc_class
    if cls in TYPESET_CLASSES:
        result = typeset_pdf(doc)
        return result.data, result.pages, result.page_refs
    if cls.startswith("pdf_"):
        data, pages = render_pdf(doc.blocks, doc.title, columns=2 if cls == "pdf_two_column" else 1)
        rng = random.Random(f"{seed}:scan:{doc.relpath}")
        if cls == "pdf_scanned":
            data, _ = scan_pdf(data, rng)
        elif "scan" in doc.layout:
            data = scan_pdf_profile(data, rng, doc.layout["scan"], doc.layout.get("layer_error"))
        return data, pages, None
    if cls == "html_article":
        return render_html(doc.html), None, None
    if cls == "docx_report":
        return render_docx(doc.blocks, doc.title), None, None
    if doc.raw_text is not None:
        return doc.raw_text.encode("utf-8"), None, None
    return render_markdown(doc.blocks), None, None


def _render_chunk(args: tuple[list[Doc], int]) -> list[Rendered]:
    docs, seed = args
    return [render_doc(d, seed) for d in docs]


def render_all(docs: list[Doc], seed: int, workers: int = 1) -> list[bytes]:
    """Render every document (in worker processes when ``workers`` > 1); sets ``doc.pages``."""
    if workers > 1 and len(docs) > 200:
        chunks = [docs[i:i + 100] for i in range(0, len(docs), 100)]
        with ProcessPoolExecutor(workers) as pool:
            results = [r for part in pool.map(_render_chunk, [(c, seed) for c in chunks]) for r in part]
    else:
        results = _render_chunk((docs, seed))
    for doc, (_, pages, page_refs) in zip(docs, results):
        doc.pages, doc.page_refs = pages, page_refs
    return [data for data, _, _ in results]


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _jsonl(rows: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in rows)


def _json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def clear_outputs(corpus_dir: Path, golden_dir: Path) -> None:
    """Remove what a previous generation wrote (and nothing else)."""
    for name in [*EXT, METADATA_FILENAME]:
        target = corpus_dir / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
    for name in GOLDEN_OWNED:
        target = golden_dir / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)


def write_corpus(corpus_dir: Path, docs: list[Doc], files: list[bytes]) -> None:
    for doc, data in zip(docs, files):
        path = corpus_dir / doc.relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    rows = sorted((d.metadata() for d in docs), key=lambda r: r["path"])
    _write_text(corpus_dir / METADATA_FILENAME, _jsonl(rows))


def dedup_pairs(docs: list[Doc], seed: int, n_random: int = 30) -> list[tuple[str, str, str, str]]:
    """Every within-family pair, labelled, plus random cross-family ``distinct`` pairs."""
    families: dict[str, list[Doc]] = {}
    for d in docs:
        if d.family:
            families.setdefault(d.family, []).append(d)
    rows = []
    for members in families.values():
        members.sort(key=lambda d: ROLE_ORDER.index(d.role))
        for a, b in combinations(members, 2):
            if "same_topic" in (a.role, b.role):
                rows.append((a.doc_id, b.doc_id, "distinct", "same_topic"))
            else:
                rows.append((a.doc_id, b.doc_id, "duplicate", b.role))
    rng = random.Random(f"{seed}:dedup")
    names = sorted(families)
    seen: set[tuple[str, str]] = set()
    for _ in range(n_random * 4):
        if len(seen) >= n_random or len(names) < 2:
            break
        fa, fb = rng.sample(names, 2)
        a, b = rng.choice(families[fa]), rng.choice(families[fb])
        if a.meta["product"] != b.meta["product"] and (a.doc_id, b.doc_id) not in seen:
            seen.add((a.doc_id, b.doc_id))
            rows.append((a.doc_id, b.doc_id, "distinct", "random"))
    return rows


def write_goldens(golden_dir: Path, docs: list[Doc], records: list[dict[str, Any]], filters: list[dict[str, Any]],
                  seed: int) -> None:
    docs = sorted(docs, key=lambda d: d.relpath)
    g = golden_dir
    _write_text(g / "documents.jsonl", _jsonl(
        {"doc_id": d.doc_id, "path": d.relpath, "doc_class": d.doc_class, "language": d.language, "family": d.family}
        for d in docs))
    for d in docs:
        _write_text(g / "parse" / f"{d.doc_id}.txt", d.reference_text())
        for n, text in enumerate(d.page_texts(), 1):
            _write_text(g / "parse" / "pages" / d.doc_id / f"{n}.txt", text)
    _write_text(g / "headings.jsonl", _jsonl({"doc_id": d.doc_id, "headings": d.headings()} for d in docs if d.headings()))
    tables = []
    for d in docs:
        page_of = {i: n for n, page in enumerate(d.pages or [], 1) for i in page}
        for t_index, (b_index, b) in enumerate((i, b) for i, b in enumerate(d.blocks) if b.table is not None):
            tables.append({"doc_id": d.doc_id, "page": page_of.get(b_index), "table_index": t_index, "html": b.table.to_html()})
    _write_text(g / "tables.jsonl", _jsonl(tables))
    _write_text(g / "boilerplate.json", _json(
        {d.doc_id: "\n\n".join(t for _, t in d.html.blocks("main")) for d in docs if d.html is not None}))
    _write_text(g / "language.json", _json({d.doc_id: d.language for d in docs}))
    _write_text(g / "dedup" / "pairs.csv", _csv(["doc_a", "doc_b", "label", "kind"], dedup_pairs(docs, seed)))
    clusters = [(d.doc_id, d.family if d.family and d.role != "same_topic" else d.doc_id) for d in docs]
    _write_text(g / "dedup" / "clusters.csv", _csv(["doc_id", "cluster_id"], clusters))
    _write_text(g / "pii.jsonl", _jsonl(
        {"doc_id": d.doc_id, "start": s.start, "end": s.end, "entity_type": s.entity_type} for d in docs for s in d.pii))
    complete = [d.doc_id for d in docs if not unannotated(d.reference_text(), d.pii, d.pii_issued)]
    _write_text(g / "pii_annotated.json", _json(["*"] if len(complete) == len(docs) else complete))
    _write_text(g / "retrieval" / "queries.jsonl", _jsonl(
        {"_id": r["_id"], "text": r["text"], "metadata": r["metadata"]} for r in records))
    qrels = [(r["_id"], doc_id, grade) for r in records for doc_id, grade in sorted(r["gold"].items())]
    _write_text(g / "retrieval" / "qrels" / "test.tsv", "query-id\tcorpus-id\tscore\n"
                + "".join(f"{q}\t{d}\t{s}\n" for q, d, s in qrels))
    _write_text(g / "retrieval" / "filters.jsonl", _jsonl(filters))


def summary(docs: list[Doc], records: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "documents": len(docs),
        "classes": dict(sorted(Counter(d.doc_class for d in docs).items())),
        "languages": dict(sorted(Counter(d.language for d in docs).items())),
        "queries": len(records),
        "intents": dict(sorted(Counter(r["metadata"]["intent"] for r in records).items())),
        "pii_spans": sum(len(d.pii) for d in docs),
        "tables": sum(len(d.tables()) for d in docs),
    }
