"""Unit tests: per-document parse scoring, table matching, class thresholds, scorecards,
reference tables from source markup."""

import pytest

from rag_eval_assets.lib.documents import Block, ParsedDocument, ParseFailure
from rag_eval_assets.lib.evaluation.parse import (
    class_means,
    match_tables,
    score_parse,
    threshold_breaches,
)
from rag_eval_assets.lib.goldens.source_tables import (
    html_tables,
    latex_document_text,
    latex_tabulars,
)
from rag_eval_assets.lib.report.scorecard import describe, scorecard

T1 = "<table><thead><tr><td>a</td><td>b</td></tr></thead><tbody><tr><td>1.5</td><td>2</td></tr></tbody></table>"
T2 = "<table><tbody><tr><td colspan=\"2\">x</td></tr><tr><td>y</td><td>z</td></tr></tbody></table>"


def test_match_tables_pairs_by_structure_and_penalizes_missing():
    scores = match_tables([T2, T1], [T1, T2])
    assert scores == [(1.0, 1.0), (1.0, 1.0)]
    assert match_tables([], [T1]) == [(0.0, 0.0)]
    assert match_tables([T1], [T1, T2])[1] == (0.0, 0.0)


def test_score_parse_counts_failures_against_the_parser():
    ok = ParsedDocument("p", text="Intro\n\nHello  world", tables=[T1],
                        blocks=[Block("heading", "Intro", 1, [], 1), Block("paragraph", "Hello world", 1, ["Intro"])])
    row = score_parse(ok, "Intro Hello world", ["Intro"], [T1])
    assert row["cer"] == 0.0 and row["completeness"] == 1.0 and row["teds"] == 1.0 and row["heading_order"] == 1.0
    failed = ParsedDocument("p", failure=ParseFailure("corrupt", "xref broken"))
    row = score_parse(failed, "Intro Hello world", ["Intro"], [T1])
    assert row["cer"] == 1.0 and row["completeness"] == 0.0 and row["teds"] == 0.0 and row["heading_order"] == 0.0
    assert score_parse(ok, None)["cer"] is None  # no reference, no score


def test_class_thresholds():
    rows = [{"doc_id": "a", "doc_class": "x", "cer": 0.02}, {"doc_id": "b", "doc_class": "x", "cer": 0.0},
            {"doc_id": "c", "doc_class": "y", "cer": 0.5}, {"doc_id": "d", "doc_class": "y", "cer": None}]
    assert class_means(rows) == {"x": 0.01, "y": 0.5}
    breaches = threshold_breaches(rows, {"x": 0.005, "z": 0.1})
    assert [b["doc_class"] for b in breaches] == ["x"] and breaches[0]["worst_doc"] == "a"
    assert threshold_breaches(rows, {"x": 0.01}) == []  # at the limit passes


def test_scorecard_groups_and_stats():
    assert describe([1.0, 2.0, 3.0, None]) == {"mean": 2.0, "median": 2.0, "p90": pytest.approx(2.8)}
    assert describe([]) == {"mean": None, "median": None, "p90": None}
    rows = [{"parser": "p", "doc_class": "c", "cer": 0.1, "failure_kind": None, "pages": 2, "seconds": 1.0},
            {"parser": "p", "doc_class": "c", "cer": None, "failure_kind": "timeout", "pages": None, "seconds": 1.0}]
    [card] = scorecard(rows, ["parser", "doc_class"], ["cer"])
    assert card["documents"] == 2 and card["failure_rate"] == 0.5 and card["failures_timeout"] == 1
    assert card["cer_mean"] == 0.1 and card["pages_per_s"] == 1.5


def test_reference_tables_from_markup():
    [t] = html_tables("<p>x</p><table><tr><th>A</th><th colspan='2'>B</th></tr>"
                      "<tr><td>1<br>2</td><td>3</td><td rowspan=2>4</td></tr></table>")
    assert t == ("<table><thead><tr><td>A</td><td colspan=\"2\">B</td></tr></thead>"
                 "<tbody><tr><td>1 2</td><td>3</td><td rowspan=\"2\">4</td></tr></tbody></table>")
    tex = r"""\begin{document}Hello \textbf{world}.
\begin{table}\begin{tabular}{ll}\toprule \textbf{Area (km\textsuperscript{2})} & b \\ \midrule 8.9 & x \\ \bottomrule\end{tabular}\end{table}
\end{document}"""
    assert latex_document_text(tex) == "Hello world."
    assert latex_tabulars(tex) == ["<table><thead><tr><td>Area (km^2)</td><td>b</td></tr></thead>"
                                   "<tbody><tr><td>8.9</td><td>x</td></tr></tbody></table>"]
