"""Score one parsed document against its references: CER/WER, completeness, TEDS, headings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag_eval_assets.lib.documents import ParsedDocument
from rag_eval_assets.lib.metrics import tables, text

SCORE_COLUMNS = ("cer", "wer", "completeness", "over_extraction", "teds", "teds_s", "heading_order",
                 "tables_expected", "tables_found")


def match_tables(predicted: Sequence[str], reference: Sequence[str]) -> list[tuple[float, float]]:
    """(TEDS, TEDS-S) per reference table, each matched greedily to the unused predicted
    table with the highest TEDS-S; a reference table with no prediction left scores (0, 0)."""
    unused = list(range(len(predicted)))
    scores = []
    for ref in reference:
        if not unused:
            scores.append((0.0, 0.0))
            continue
        structure = {i: tables.teds(predicted[i], ref, structure_only=True) for i in unused}
        best = max(unused, key=lambda i: structure[i])
        unused.remove(best)
        scores.append((tables.teds(predicted[best], ref), structure[best]))
    return scores


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def score_parse(parsed: ParsedDocument, reference_text: str | None,
                reference_headings: Sequence[str] = (), reference_tables: Sequence[str] = ()) -> dict[str, Any]:
    """One score row. Metrics without a reference are None; a failed parse scores like an
    empty extraction (CER 1.0, completeness 0.0) so failures count against the parser."""
    row: dict[str, Any] = dict.fromkeys(SCORE_COLUMNS)
    row["tables_expected"] = len(reference_tables)
    row["tables_found"] = len(parsed.tables)
    hyp = parsed.text if parsed.ok else ""
    if reference_text is not None and text.normalize(reference_text):
        row["cer"] = text.cer(reference_text, hyp)
        row["wer"] = text.wer(reference_text, hyp)
        row["completeness"] = text.completeness(reference_text, hyp)
        row["over_extraction"] = text.over_extraction(reference_text, hyp)
    if reference_tables:
        pairs = match_tables(parsed.tables if parsed.ok else [], reference_tables)
        row["teds"] = _mean([p[0] for p in pairs])
        row["teds_s"] = _mean([p[1] for p in pairs])
    if reference_headings:
        found = [b.text for b in parsed.blocks if b.kind == "heading"] if parsed.ok else []
        row["heading_order"] = text.heading_order(list(reference_headings), found)
    return row


def class_means(rows: Sequence[dict[str, Any]], metric: str = "cer") -> dict[str, float]:
    """Mean of ``metric`` per ``doc_class`` over the rows that have it."""
    acc: dict[str, list[float]] = {}
    for r in rows:
        if r.get(metric) is not None:
            acc.setdefault(r["doc_class"], []).append(float(r[metric]))
    return {c: sum(v) / len(v) for c, v in sorted(acc.items())}


def threshold_breaches(rows: Sequence[dict[str, Any]], max_by_class: dict[str, float],
                       metric: str = "cer") -> list[dict[str, Any]]:
    """Classes whose mean ``metric`` exceeds their configured maximum (classes without a
    threshold are not judged). Each breach: doc_class, mean, max, documents, worst doc."""
    breaches = []
    for cls, mean in class_means(rows, metric).items():
        limit = max_by_class.get(cls)
        if limit is None or mean <= limit:
            continue
        members = [r for r in rows if r["doc_class"] == cls and r.get(metric) is not None]
        worst = max(members, key=lambda r: r[metric])
        breaches.append({"doc_class": cls, "mean": mean, "max": limit, "documents": len(members),
                         "worst_doc": worst.get("path", worst["doc_id"]), "worst": worst[metric]})
    return breaches


SCORE_VERSION = "2"  # bump when a metric changes: every cached parse score is recomputed
NOT_APPLICABLE = "unsupported"  # a format the parser does not read: n/a, not a failure


def reference_digest(golden: Any, doc_id: str) -> str:
    """Changes when any reference a parse score uses for ``doc_id`` changes."""
    from rag_eval_assets.lib.outputs import digest

    return digest(SCORE_VERSION, golden.parse.get(doc_id), [h.text for h in golden.headings.get(doc_id, [])],
                  [t.html for t in golden.tables.get(doc_id, [])])


def score_stored(stored: dict[str, Any], doc_id: str, golden: Any) -> dict[str, Any]:
    """Score row of one stored parse output (``ParsedDocument`` JSON, or a failure record with
    ``failed``): the metrics of ``score_parse``; a format the parser does not read is n/a
    (None metrics), any other failure scores as an empty extraction (it counts against the parser)."""
    refs = (golden.parse.get(doc_id), [h.text for h in golden.headings.get(doc_id, [])],
            [t.html for t in golden.tables.get(doc_id, [])])
    if stored.get("failed"):
        kind = stored.get("kind", "error")
        row = {"failure_kind": kind, "failure_message": str(stored.get("message", ""))[:300], "pages": None,
               "seconds": float(stored.get("seconds") or 0.0), "chars": 0, "ocr_pages": 0}
        if kind == NOT_APPLICABLE:
            return {**row, **dict.fromkeys(SCORE_COLUMNS), "tables_expected": len(refs[2]), "tables_found": 0}
        return {**row, **score_parse(ParsedDocument(parser=str(stored.get("parser", ""))), *refs)}
    parsed = ParsedDocument.from_json(stored)
    return {"failure_kind": None, "failure_message": None, "pages": parsed.pages, "seconds": parsed.seconds,
            "chars": len(parsed.text), "ocr_pages": len(parsed.ocr_pages), **score_parse(parsed, *refs)}


def parse_and_score(path: str, parser: str, doc_id: str, doc_class: str, golden: Any,
                    timeout_s: float | None, isolation: str = "process",
                    **options: Any) -> tuple[ParsedDocument, dict[str, Any]]:
    """Parse one document and score it against the golden set (``GoldenSet``-like object
    with ``parse``, ``headings`` and ``tables`` mappings keyed by doc id)."""
    from rag_eval_assets.lib.parsers import parse_document

    parsed = parse_document(path, parser, timeout_s=timeout_s, isolation=isolation, **options)
    headings = [h.text for h in golden.headings.get(doc_id, [])]
    tables_ = [t.html for t in golden.tables.get(doc_id, [])]
    row = {
        "doc_id": doc_id,
        "parser": parser,
        "parser_version": parsed.parser_version,
        "doc_class": doc_class,
        "failure_kind": parsed.failure.kind if parsed.failure else None,
        "failure_message": parsed.failure.message[:500] if parsed.failure else None,
        "pages": parsed.pages,
        "ocr_pages": len(parsed.ocr_pages),
        "seconds": parsed.seconds,
        "chars": len(parsed.text),
        **score_parse(parsed, golden.parse.get(doc_id), headings, tables_),
    }
    return parsed, row
