"""Routing by evidence: the rule on scorecard rows, and in the pipeline a route change
re-processes exactly the affected class's documents from the route on."""

import pytest
from _harness import Project, materializations, sample_subset

from rag_eval_assets.lib.evaluation.routing import choose_routes


def _row(parser, cls, cer=None, teds=None, heading=None, pps=1.0, docs=2):
    return {"parser": parser, "doc_class": cls, "documents": docs, "cer_mean": cer, "teds_mean": teds,
            "heading_order_mean": heading, "pages_per_s": pps}


def test_rule_tables_by_teds_text_by_cer_then_headings_then_speed():
    card = [_row("a", "tables", cer=0.0, teds=0.0), _row("b", "tables", cer=0.01, teds=0.82),
            _row("a", "text", cer=0.000, heading=0.2, pps=100), _row("b", "text", cer=0.003, heading=1.0, pps=5),
            _row("c", "text", cer=0.2, heading=1.0),
            _row("a", "fast", cer=0.0, heading=None, pps=100), _row("b", "fast", cer=0.0, heading=None, pps=5),
            _row("a", "unscored", docs=3)]
    routes, evidence = choose_routes(card, primary="a")
    assert routes == {"*": "a", "tables": "b", "text": "b", "fast": "a", "unscored": "a"}
    ev = {e["doc_class"]: e for e in evidence}
    assert ev["tables"]["metric"] == "teds_mean" and ev["tables"]["margin"] == pytest.approx(0.82)
    assert ev["tables"]["runner_up"] == "a"
    assert ev["text"]["runner_up"] == "a" and "heading order" in ev["text"]["reason"]  # within CER tolerance
    assert ev["unscored"]["metric"] == "none" and "primary" in ev["unscored"]["reason"]


@pytest.mark.slow
def test_a_route_change_reprocesses_only_that_class_from_the_route_on(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", {"pdf_tables", "pdf_single_column"}, per_class=2)
    project = Project(tmp_path, corpus, parsers=("pymupdf", "pymupdf4llm"), primary_parser="pymupdf")
    first = project.run()  # routes by the primary parser; the refresh then routes by evidence
    assert first.ok
    routes = project.outputs.read_json("parse_routes")["routes"]
    assert routes["pdf_tables"] == "pymupdf4llm"  # TEDS: pymupdf finds no tables
    tables = {k for k in keys if project.view().docs[k].doc_class == "pdf_tables"}
    second = project.run()  # what `rag-eval run` does next: the re-routed documents only
    mats = materializations(*second.results)
    assert {m.partition for m in mats.get("parsed_documents", [])} == tables
    assert "parsed_pymupdf" not in mats and "parsed_pymupdf4llm" not in mats  # parses are reused
    assert {m.partition for m in mats["embeddings"]} == tables
    assert not project.view().pending()
