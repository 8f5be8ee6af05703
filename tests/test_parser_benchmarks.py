"""The real-data parser scorecard in the pipeline: parser × public benchmark, equal to the
figures the library computes (and the parse evaldata tests assert on); absent folders are
skipped with a reason, never a failure."""

import pytest
from _corpus import write_corpus
from _harness import Project, checks, materializations

from rag_eval_assets.lib.evaluation.realdata import ocr_scores, pypdf_scores, source_table_scores
from rag_eval_assets.lib.goldens.adapters import load_funsd
from rag_eval_assets.resources import BenchmarkConfig

pytestmark = pytest.mark.slow


def test_absent_benchmark_folders_are_skipped_with_a_reason(tmp_path):
    project = Project(tmp_path, write_corpus(tmp_path / "corpus"), golden=tmp_path)
    result = project.materialize(["parser_benchmarks"])
    assert result.success
    check = checks(result)["parser_benchmarks:benchmarks_parsed"]
    assert not check.passed and "no benchmark folder configured" in check.metadata["reason"].value


@pytest.mark.evaldata
def test_benchmark_scorecard_equals_the_library_figures(tmp_path, evaldata):
    project = Project(tmp_path, write_corpus(tmp_path / "corpus"), golden=tmp_path, parsers=("pymupdf", "ocr"),
                      evaldata_root=str(evaldata))
    result = project.materialize(["parser_benchmarks"], benchmark_config=BenchmarkConfig(root=str(evaldata), limit=3))
    assert result.success and checks(result)["parser_benchmarks:benchmarks_parsed"].passed
    card = {(r["benchmark"], r["parser"]): r for r in project.outputs.read_rows("parser_benchmarks")}
    funsd = ocr_scores(dict(sorted(load_funsd(evaldata / "ocr" / "funsd").items())[:3]), "ocr")
    assert card[("funsd", "ocr")]["cer_mean"] == pytest.approx(sum(r["cer"] for r in funsd) / 3, abs=1e-12)
    pdfs = [r for r in pypdf_scores(evaldata / "parse" / "pypdf_sample_files", "pymupdf") if r["cer"] is not None]
    assert card[("pypdf_samples", "pymupdf")]["cer_mean"] == pytest.approx(sum(r["cer"] for r in pdfs) / len(pdfs))
    html = [r for r in source_table_scores(evaldata / "tables" / "docling_tables", "pymupdf") if r["file"].endswith(".html")][:6]
    assert card[("docling_tables", "ocr")]["not_applicable"] == 6 and card[("docling_tables", "ocr")]["teds_mean"] is None  # ocr reads no HTML: n/a, not 0
    assert card[("docling_tables", "pymupdf")]["teds_mean"] == pytest.approx(sum(r["teds"] for r in html) / len(html))
    meta = materializations(result)["parser_benchmarks"][-1].metadata
    assert "funsd" in meta["benchmarks"].value and "cer_mean/ocr/funsd" in meta
    again = project.materialize(["parser_benchmarks"], benchmark_config=BenchmarkConfig(root=str(evaldata), limit=3))
    assert again.success and project.outputs.read_rows("parser_benchmarks") == list(card.values())  # from the cache
