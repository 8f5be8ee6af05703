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
        row: dict[str, Any] = {"file": pdf.name, "parser": parser, "failure": doc.failure.kind if doc.failure else None,
                               "completeness": None, "cer": None, "teds": None, "teds_s": None}
        row.update(_latex_scorer(tex)(doc))
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


# --- the real-data parser scorecard (parser × benchmark) -------------------------------------

BENCHMARKS = {
    "funsd": ("ocr/funsd", "scanned forms: CER, WER, order-free WER"),
    "sroie": ("ocr/sroie", "scanned receipts: CER, WER"),
    "pypdf_samples": ("parse/pypdf_sample_files", "born-digital PDFs vs their LaTeX: completeness, CER, TEDS"),
    "docling_tables": ("tables/docling_tables", "HTML and DOCX tables vs their markup: TEDS, TEDS-S"),
}
METRICS = ("cer", "wer", "order_free_wer", "completeness", "teds", "teds_s")


def benchmark_items(root: str | Path, limit: int | None = 10) -> list[tuple[str, str, Path, Any]]:
    """(benchmark, item id, file, score(parsed) -> metrics) for every benchmark folder present
    under ``root`` (at most ``limit`` items each; None: all). Scores are the ones of
    ``ocr_scores`` / ``pypdf_scores`` / ``source_table_scores``."""
    from rag_eval_assets.lib.goldens.adapters import load_funsd, load_sroie

    root = Path(root)
    items: list[tuple[str, str, Path, Any]] = []

    def ocr(page: OcrPage):  # noqa: ANN202
        def score(doc: Any) -> dict[str, Any]:
            hyp = doc.text if doc.ok else ""
            return {"cer": text.cer(page.text, hyp), "wer": text.wer(page.text, hyp),
                    "order_free_wer": text.order_free_wer(page.text, hyp)}
        return score

    for name, loader in (("funsd", load_funsd), ("sroie", load_sroie)):
        folder = root / BENCHMARKS[name][0]
        if folder.is_dir():
            pages = [(k, p) for k, p in sorted(loader(folder).items()) if p.image_path is not None]
            items += [(name, k, p.image_path, ocr(p)) for k, p in pages[:limit]]
    folder = root / BENCHMARKS["pypdf_samples"][0]
    if folder.is_dir():
        for tex_path in sorted(folder.glob("*/*.tex"))[:limit]:
            pdf = tex_path.with_suffix(".pdf")
            if pdf.is_file():
                items.append(("pypdf_samples", pdf.name, pdf, _latex_scorer(tex_path.read_text(encoding="utf-8"))))
    folder = root / BENCHMARKS["docling_tables"][0]
    if folder.is_dir():
        files = sorted(folder.glob("html/sources/*.html")) + sorted(folder.glob("docx/sources/*.docx"))
        for path in files[: limit * 2 if limit else None]:
            refs = html_tables(path.read_text(encoding="utf-8")) if path.suffix == ".html" else docx_tables(path)
            if refs:
                items.append(("docling_tables", path.name, path, _table_scorer(refs)))
    return items


def _latex_scorer(tex: str):  # noqa: ANN202
    def score(doc: Any) -> dict[str, Any]:
        hyp = doc.text if doc.ok else ""
        row: dict[str, Any] = {}
        if "\\lipsum" not in tex:
            ref = latex_document_text(tex)
            row.update(completeness=text.completeness(ref, hyp), cer=text.cer(ref, hyp))
        tables = latex_tabulars(tex)
        if tables:
            pairs = match_tables(doc.tables if doc.ok else [], tables)
            row.update(teds=sum(p[0] for p in pairs) / len(pairs), teds_s=sum(p[1] for p in pairs) / len(pairs))
        return row
    return score


def _table_scorer(refs: list[str]):  # noqa: ANN202
    def score(doc: Any) -> dict[str, Any]:
        pairs = match_tables(doc.tables if doc.ok else [], refs)
        return {"teds": sum(p[0] for p in pairs) / len(pairs), "teds_s": sum(p[1] for p in pairs) / len(pairs)}
    return score


def benchmark_scores(root: str | Path, parsers: list[str], limit: int | None = 10, timeout_s: float | None = 120,
                     cache: Any = None, fingerprint: Any = None, log: Any = None) -> list[dict[str, Any]]:
    """One row per (benchmark item, parser): failure kind and the metrics. ``cache``: a
    ``ScoreCache`` (scores kept by file content, parser and ``fingerprint(parser)``), so a
    benchmark is parsed once per parser version, not on every refresh."""
    from rag_eval_assets.lib.documents import file_hash
    from rag_eval_assets.lib.evaluation.parse import NOT_APPLICABLE

    rows = []
    items = benchmark_items(root, limit)
    for parser in parsers:
        done = 0
        for bench, item_id, path, score in items:
            key = f"{parser}:{file_hash(path)[:16]}:{fingerprint(parser) if fingerprint else ''}"
            row = cache.get(f"{bench}/{item_id}", key) if cache is not None else None
            if row is None:
                doc = _parse(path, parser, timeout_s)
                kind = doc.failure.kind if doc.failure else None
                row = {"failure": kind, "seconds": doc.seconds,
                       **({} if kind == NOT_APPLICABLE else {m: score(doc).get(m) for m in METRICS})}
                if cache is not None:
                    cache.put(f"{bench}/{item_id}", key, row)
                done += 1
            rows.append({"benchmark": bench, "item": item_id, "parser": parser, **{m: row.get(m) for m in METRICS},
                         "failure": row.get("failure"), "seconds": row.get("seconds")})
        if log and done:
            log(f"{parser}: {done} benchmark files parsed ({len(items) - done} from the cache)")
    return rows


def benchmark_card(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parser × benchmark: items, failures, n/a (formats the parser does not read) and the mean
    of each metric over the items that have it."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["benchmark"], r["parser"]), []).append(r)
    card = []
    for (bench, parser), members in sorted(groups.items()):
        applicable = [m for m in members if m["failure"] != "unsupported"]
        out: dict[str, Any] = {"benchmark": bench, "parser": parser, "items": len(applicable),
                               "not_applicable": len(members) - len(applicable),
                               "failures": sum(bool(m["failure"]) for m in applicable)}
        for metric in METRICS:
            values = [m[metric] for m in applicable if m.get(metric) is not None]
            out[f"{metric}_mean"] = sum(values) / len(values) if values else None
        card.append(out)
    return card
