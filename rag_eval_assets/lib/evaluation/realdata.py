"""Parse quality on real public data (``../shared/evaldata``): OCR on FUNSD/SROIE scans,
completeness on the pypdf sample PDFs against their LaTeX sources, and TEDS of parsed tables
against the source markup of docling's HTML/DOCX table files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rag_eval_assets.lib.evaluation.parse import match_tables
from rag_eval_assets.lib.goldens.adapters import OcrPage
from rag_eval_assets.lib.goldens.source_tables import (
    docx_tables,
    html_tables,
    latex_document_text,
    latex_tabulars,
)
from rag_eval_assets.lib.metrics import text


def _parse(path: Path, parser: str, timeout_s: float | None):
    from rag_eval_assets.lib.parsers import parse_document

    return parse_document(path, parser, timeout_s=timeout_s)


def ocr_scores(pages: dict[str, OcrPage], parser: str = "ocr", timeout_s: float | None = 120) -> list[dict[str, Any]]:
    """Per scanned page: CER/WER against the reference in reading order and the order-free
    WER against the bag of reference words (FUNSD has no reading order)."""
    rows = []
    for image_id, page in sorted(pages.items()):
        if page.image_path is None:
            continue
        doc = _parse(page.image_path, parser, timeout_s)
        hyp = doc.text if doc.ok else ""
        rows.append({"id": image_id, "parser": parser, "failure": doc.failure.kind if doc.failure else None,
                     "cer": text.cer(page.text, hyp), "wer": text.wer(page.text, hyp),
                     "order_free_wer": text.order_free_wer(page.text, hyp), "seconds": doc.seconds})
    return rows


def pypdf_scores(folder: str | Path, parser: str, timeout_s: float | None = 120) -> list[dict[str, Any]]:
    """Each PDF of pypdf's sample files against its LaTeX source: completeness and CER of the
    body text where the source holds all of it (no ``\\lipsum``), TEDS of every ``tabular``."""
    rows = []
    for tex_path in sorted(Path(folder).glob("*/*.tex")):
        pdf = tex_path.with_suffix(".pdf")
        if not pdf.is_file():
            continue
        tex = tex_path.read_text(encoding="utf-8")
        doc = _parse(pdf, parser, timeout_s)
        hyp = doc.text if doc.ok else ""
        row: dict[str, Any] = {"file": pdf.name, "parser": parser, "failure": doc.failure.kind if doc.failure else None,
                               "completeness": None, "cer": None, "teds": None, "teds_s": None}
        if "\\lipsum" not in tex:
            ref = latex_document_text(tex)
            row.update(completeness=text.completeness(ref, hyp), cer=text.cer(ref, hyp))
        tables = latex_tabulars(tex)
        if tables:
            pairs = match_tables(doc.tables if doc.ok else [], tables)
            row.update(teds=sum(p[0] for p in pairs) / len(pairs), teds_s=sum(p[1] for p in pairs) / len(pairs))
        rows.append(row)
    return rows


def source_table_scores(folder: str | Path, parser: str, timeout_s: float | None = 120) -> list[dict[str, Any]]:
    """docling's table files (``html/sources/*.html``, ``docx/sources/*.docx``): the tables a
    parser finds against the tables of the source markup, TEDS and TEDS-S per file."""
    rows = []
    folder = Path(folder)
    files = sorted(folder.glob("html/sources/*.html")) + sorted(folder.glob("docx/sources/*.docx"))
    for path in files:
        refs = html_tables(path.read_text(encoding="utf-8")) if path.suffix == ".html" else docx_tables(path)
        if not refs:
            continue
        doc = _parse(path, parser, timeout_s)
        pairs = match_tables(doc.tables if doc.ok else [], refs)
        rows.append({"file": path.name, "parser": parser, "failure": doc.failure.kind if doc.failure else None,
                     "tables_expected": len(refs), "tables_found": len(doc.tables),
                     "teds": sum(p[0] for p in pairs) / len(pairs), "teds_s": sum(p[1] for p in pairs) / len(pairs)})
    return rows
