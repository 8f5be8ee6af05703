"""Parse quality on real public data: OCR on FUNSD / SROIE scans, completeness on pypdf's
sample PDFs against their LaTeX sources, TEDS against docling's HTML/DOCX table sources.
Numbers are printed (run with -s) and recorded in benchmarks/; the asserts are sane bounds."""

import statistics

import pytest

from rag_eval_assets.lib.evaluation.realdata import (
    ocr_scores,
    pypdf_scores,
    source_table_scores,
)
from rag_eval_assets.lib.goldens.adapters import load_funsd, load_sroie
from rag_eval_assets.lib.parsers import parser_status

pytestmark = pytest.mark.evaldata


def _need(parser: str) -> None:
    reason = parser_status()[parser]
    if reason:
        pytest.skip(f"parser {parser} unavailable: {reason}")


def _mean(rows, key):
    return statistics.mean(r[key] for r in rows if r[key] is not None)


def test_ocr_on_funsd_forms(evaldata):
    _need("ocr")
    pages = load_funsd(evaldata / "ocr" / "funsd")
    rows = ocr_scores(dict(sorted(pages.items())[:10]))  # 10 of 25 forms keeps CI fast; all in benchmarks/
    assert len(rows) == 10 and not any(r["failure"] for r in rows)
    print(f"FUNSD tesseract: CER {_mean(rows, 'cer'):.3f} WER {_mean(rows, 'wer'):.3f} "
          f"order-free WER {_mean(rows, 'order_free_wer'):.3f}")
    assert 0.0 < _mean(rows, "order_free_wer") < 0.8
    assert all(r["order_free_wer"] <= r["wer"] + 1e-9 for r in rows)  # order-free never worse


def test_ocr_on_sroie_receipts(evaldata):
    _need("ocr")
    rows = ocr_scores(load_sroie(evaldata / "ocr" / "sroie"))
    assert len(rows) == 8 and not any(r["failure"] for r in rows)
    print(f"SROIE tesseract: CER {_mean(rows, 'cer'):.3f} WER {_mean(rows, 'wer'):.3f}")
    assert 0.0 < _mean(rows, "cer") < 0.5


@pytest.mark.parametrize("parser", ["pymupdf", "pymupdf4llm", "docling"])
def test_pypdf_samples_completeness(evaldata, parser):
    _need(parser)
    rows = {r["file"]: r for r in pypdf_scores(evaldata / "parse" / "pypdf_sample_files", parser)}
    trivial = rows["minimal-document.pdf"]
    assert 0.98 <= trivial["completeness"] <= 1.02 and trivial["cer"] < 0.02
    assert rows["multicolumn.pdf"]["teds"] is not None  # the tabular is scored (0.0 if no table found)


def test_pymupdf4llm_recovers_the_latex_table(evaldata):
    _need("pymupdf4llm")
    rows = {r["file"]: r for r in pypdf_scores(evaldata / "parse" / "pypdf_sample_files", "pymupdf4llm")}
    assert rows["multicolumn.pdf"]["teds"] > 0.9


@pytest.mark.parametrize("parser", ["docling", "unstructured"])
def test_tables_against_source_markup(evaldata, parser):
    _need(parser)
    rows = source_table_scores(evaldata / "tables" / "docling_tables", parser)
    assert len(rows) == 14 and not any(r["failure"] for r in rows)
    html = [r for r in rows if r["file"].endswith(".html")]
    print(f"{parser}: TEDS html {_mean(html, 'teds'):.3f}, all {_mean(rows, 'teds'):.3f}, TEDS-S {_mean(rows, 'teds_s'):.3f}")
    assert _mean(html, "teds") > 0.7
