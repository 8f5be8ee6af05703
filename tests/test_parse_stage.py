"""Parse stage in Dagster: per-document parse outputs with their own metadata, the routed
output, the corpus-wide scorecard and its gates."""

import pytest
from _harness import Project, checks, materializations, sample_subset

from rag_eval_assets.defs.parse import _breaches

pytestmark = pytest.mark.slow
CLASSES = {"pdf_single_column", "pdf_two_column", "pdf_scanned", "html_article"}


def test_parse_outputs_scorecard_and_checks(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", CLASSES, per_class=1)
    project = Project(tmp_path, corpus)
    outcome = project.run()
    assert outcome.ok
    mats = materializations(*outcome.results)
    parsed = {m.partition: m.metadata for m in mats["parsed_pymupdf"]}
    assert set(parsed) == set(keys)  # one materialization per document, with that document's own figures
    scanned = next(k for k in keys if parsed[k]["path"].value.startswith("pdf_scanned"))
    assert parsed[scanned]["ocr_pages"].value > 0, "the scanned PDF must have been routed to OCR"
    assert all(m.metadata["route"].value == "pymupdf" for m in mats["parsed_documents"])
    table = mats["parser_scorecard"][-1].metadata["scorecard"].value
    assert all(cls in table for cls in CLASSES)
    assert mats["parser_scorecard"][-1].metadata["cer_mean/pymupdf/pdf_single_column"].value < 0.01
    c = checks(*outcome.results)
    assert c["parser_scorecard:routed_parsers_within_thresholds"].passed
    assert c["parsed_pymupdf:failure_rate"].passed and c["parsed_documents:routed_output_present"].passed
    for name in ("parsed_pymupdf:cer_within_thresholds", "parser_scorecard:routed_parsers_within_thresholds"):
        meta = c[name].metadata
        assert {"value", "limit", "n", "severity"} <= set(meta), name


def test_breaches_name_the_worst_document():
    rows = [{"doc_id": "a", "doc_class": "pdf_single_column", "cer": 0.2, "path": "a.pdf", "parser": "p"},
            {"doc_id": "b", "doc_class": "pdf_single_column", "cer": 0.0, "path": "b.pdf", "parser": "p"}]
    [breach] = _breaches(rows, {"pdf_single_column": 0.01})
    assert breach["mean"] == pytest.approx(0.1) and breach["worst_document"] == "a.pdf"
    assert _breaches(rows, {"other": 0.01}) == []  # classes without a limit are not judged
