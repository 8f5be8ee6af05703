"""Online-eval library glue: lanes and slices, pipeline traces, filter evaluation, the
generation summary and the HTML report (plain Python, no Dagster)."""

import pytest

from rag_eval_assets.lib.evaluation.filters import (
    class_pairs,
    evaluate_filters,
    ontology_rows,
    value_pairs,
)
from rag_eval_assets.lib.evaluation.generation import evaluate_traces, summarize
from rag_eval_assets.lib.evaluation.pipeline_traces import (
    answer_points,
    build_trace,
    covers,
    gold_case,
    required_sources,
)
from rag_eval_assets.lib.evaluation.retrieval_lanes import (
    document_rankings,
    documents_of,
    evaluate_lanes,
    lane_hits,
)
from rag_eval_assets.lib.generation import (
    EvidenceChunk,
    ExtractiveGenerator,
    PhraseJudge,
)
from rag_eval_assets.lib.goldens.formats import FilterCase
from rag_eval_assets.lib.metrics.retrieval import ndcg_at_k
from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.lib.report.html import Section, render_report, table_html

DOC_OF = {"a1": "A", "a2": "A", "b1": "B", "c1": "C", "d1": "D"}


def fake_search(table):
    return lambda texts, k: [table[t][:k] for t in texts]


def test_lanes_fuse_chunks_then_collapse_to_documents():
    dense = {"q one": [("a1", 0.9), ("b1", 0.8), ("c1", 0.1)], "q two": [("c1", 0.9), ("d1", 0.5)]}
    sparse = {"q one": [("b1", 7.0), ("a2", 6.0)], "q two": [("d1", 3.0), ("c1", 2.0)]}
    hits = lane_hits({"q1": "q one", "q2": "q two"}, fake_search(dense), fake_search(sparse), depth=10)
    # b1: 1/62 + 1/61 beats a1: 1/61 alone
    assert [c for c, _ in hits["hybrid"]["q1"]][:2] == ["b1", "a1"]
    assert documents_of(hits["dense"]["q1"], DOC_OF) == ["A", "B", "C"]
    ranks = document_rankings(hits, DOC_OF)
    assert ranks["sparse"]["q1"] == ["B", "A"]
    meta = {"q1": {"intent": "factoid"}, "q2": {"intent": "comparison"}}
    report = evaluate_lanes(ranks, {"q1": {"A": 1}, "q2": {"D": 1}}, meta, slice_fields=("intent",))
    dense_ndcg = (ndcg_at_k(["A", "B", "C"], {"A"}, 10) + ndcg_at_k(["C", "D"], {"D"}, 10)) / 2
    assert report.evaluations["dense"].mean["ndcg@10"] == pytest.approx(dense_ndcg)
    assert report.delta_ndcg["dense"] == pytest.approx(report.evaluations["hybrid"].mean["ndcg@10"] - dense_ndcg)
    factoid = next(r for r in report.slices if r["lane"] == "dense" and r["value"] == "factoid")
    assert factoid["queries"] == 1 and factoid["ndcg@10"] == pytest.approx(1.0)
    assert {r["query_id"] for r in report.per_query} == {"q1", "q2"}
    q1 = next(r for r in report.per_query if r["query_id"] == "q1")
    assert q1["dense_mrr"] == 1.0 and q1["sparse_mrr"] == 0.5  # every metric per lane and query
    assert q1["delta_ndcg@10_vs_sparse"] == pytest.approx(q1["hybrid_ndcg@10"] - q1["sparse_ndcg@10"])


def test_answer_points_and_required_sources():
    points = answer_points("Open the console. Choose Create bucket.")
    assert points == {"p1": "Open the console", "p2": "Choose Create bucket"}
    assert covers("First, open the Console now", "open the console")
    assert not covers("Close everything", "open the console")
    chunks = [("x1", "Intro text."), ("x2", "To start, open the console and log in.")]
    assert required_sources(points, chunks) == ["x2"]
    assert required_sources({"p1": "rotate keys hourly"}, [("y1", "keys are rotated"), ("y2", "nothing")]) == ["y1"]


def _evidence(chunk_id, doc, text, permitted=True):
    return EvidenceChunk(chunk_id, doc, f"{doc}/v1", permitted, True, text)


VERSIONS = [("retriever", "r"), ("index", "i"), ("sparse", "s"), ("dense", "d"), ("fusion", "f"), ("reranker", "x")]


def test_pipeline_trace_passes_and_a_wrong_filter_fails_at_candidate_retrieval():
    evidence = {"a1": _evidence("a1", "A", "Audit logs are retained for 400 days in Meridian Payments."),
                "b1": _evidence("b1", "B", "Meridian SSO supports SAML."),
                "c1": _evidence("c1", "C", "Unrelated gardening advice.")}
    question = "How long are audit logs for Meridian Payments retained?"
    case, points = gold_case("q1", question, {"answer": "400 days", "intent": "factoid"}, ["A"],
                             {"A": [("a1", evidence["a1"].text)]})
    assert case.required_source_ids == ("a1",) and case.slice == "factoid"
    gen = ExtractiveGenerator()
    keep = lambda ids: list(ids)  # noqa: E731

    def trace(admitted):
        return build_trace(case, question, ["c1", "a1", "b1"], admitted, lambda q, ids: keep(ids), evidence,
                           VERSIONS, gen.generate, points, candidates=3, context_k=2)

    good = trace(lambda c: True)
    assert good.selected_context_ids == ("c1", "a1")
    assert any(c.answer_point == "p1" and c.citation_id == "a1" for c in good.answer.claims)
    filtered = trace(lambda c: c != "a1")  # the hard filter drops the only gold chunk
    ok, bad = evaluate_traces([good, filtered], {"q1": case}, evidence, PhraseJudge())
    assert ok.stage == "pass" and ok.may_release
    assert bad.stage == "candidate retrieval" and bad.candidate_recall == 0.0
    summary = summarize([ok, bad], "support_phrases_in_chunk", "ExtractiveGenerator", 0.95)
    assert summary["stage_counts"] == {"pass": 1, "candidate retrieval": 1}
    assert summary["gate"]["overall"] == 0.5 and not summary["gate"]["allowed"]
    assert summary["means"]["candidate_recall"] == 0.5


def test_out_of_scope_query_expects_abstention():
    evidence = {"c1": _evidence("c1", "C", "Unrelated gardening advice about tomatoes.")}
    question = "What is the capital of Mars?"
    case, points = gold_case("q9", question, {"intent": "out_of_scope"}, [], {})
    assert case.out_of_scope and case.required_points == ()
    t = build_trace(case, question, ["c1"], lambda c: True, lambda q, ids: list(ids), evidence, VERSIONS,
                    ExtractiveGenerator().generate, points)
    [result] = evaluate_traces([t], {"q9": case}, evidence, PhraseJudge())
    assert t.answer.abstained and result.stage == "pass"
    with pytest.raises(KeyError, match="no gold case"):
        evaluate_traces([t], {}, evidence, PhraseJudge())


def test_filter_evaluation_on_the_project_ontology():
    onto = Ontology.load()
    meta = {"A": {"tenant": "acme", "locale": "en-GB", "product": "sso", "doc_class": "pdf_single_column"},
            "B": {"tenant": "acme", "locale": "en-US", "product": "sso", "doc_class": "pdf_two_column"},
            "C": {"tenant": "globex", "locale": "de-DE", "product": "payments", "doc_class": "html_article"}}
    cases = [FilterCase("q1", {"locale": "en-US"}, False, {"locale": "en"}),  # drops gold A (en-GB)
             FilterCase("q2", {"tenant": "globex"}, True, {"tenant": "globex"}),
             FilterCase("q3", {"product": "sso"}, True, {"product": "sso"})]
    gold = {"q1": {"A"}, "q2": {"C"}, "q3": {"B"}}
    rankings = {"q1": ["B", "A", "C"], "q2": ["C", "A"], "q3": ["A", "B"]}
    out = evaluate_filters(cases, gold, rankings, meta, onto, k=2)
    assert out["false_exclusion_rate"] == pytest.approx(1 / 3) and out["excluded"] == ["q1"]
    assert out["false_exclusion_rate_correct_predicates"] == 0.0
    assert out["naive_survivor_recall@2"] == pytest.approx(2 / 3)
    assert out["survivor_only_recall@2"] == 1.0 and out["recall@2_unfiltered"] == 1.0
    assert {f["field"] for f in out["fields"]} == {"locale", "tenant", "product"}
    pairs = value_pairs(cases, onto)
    assert pairs["locale"] == [("en-US", "en")]
    [locale] = ontology_rows({"locale": pairs["locale"]}, onto)
    assert locale["descendant"] == 1.0  # en-US is a proper descendant of en: too specific
    cls = class_pairs(rankings, {"q1": {"doc_class": "pdf_single_column"}}, meta)
    assert cls == [("pdf_two_column", "pdf_single_column")]
    [row] = ontology_rows({"doc_class": cls}, onto)
    assert row["sibling"] == 1.0 and row["wu_palmer"] == pytest.approx(0.75)


def test_html_report_escapes_and_lays_out_sections():
    html = render_report("Report <1>", [Section("Retrieval", numbers={"nDCG@10": 0.5, "gate": (False, False)},
                                                tables=[("t", [{"a": 1.23456, "b": "<x>"}])], figures=[("f", b"\x89PNG")])])
    assert "Report &lt;1&gt;" in html and "&lt;x&gt;" in html and "1.235" in html
    assert "id='retrieval'" in html and "data:image/png;base64," in html and "class='num fail'" in html
    assert "no rows" in table_html([], "empty")


def test_a_deduplicated_gold_document_credits_its_canonical_copy():
    from rag_eval_assets.lib.evaluation.retrieval_lanes import credit_canonical

    qrels = {"q1": {"dup": 2, "other": 1}, "q2": {"keep": 1}}
    out = credit_canonical(qrels, {"dup": "keep", "keep": "keep"})
    assert out == {"q1": {"keep": 2, "other": 1}, "q2": {"keep": 1}}
    assert qrels["q1"] == {"dup": 2, "other": 1}  # input untouched
