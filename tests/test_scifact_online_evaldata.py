"""SciFact on real data: BM25 quality, a wrong hard filter on the real ``structured_abstract``
field (false-exclusion rate recomputed here from the raw TSVs), the naive survivor metric hiding
the exclusion, and ``evaluate_run`` equal to trec_eval (pytrec_eval) on unfiltered and filtered
runs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from _scifact_filters import (
    OURS_TO_TREC,
    SciFactFilterFigures,
    bm25_rankings,
    scifact_filter_figures,
    top_k_run,
)

from rag_eval_assets.lib.goldens.adapters import load_beir
from rag_eval_assets.lib.metrics.filters import survivor_recall_at_k

pytestmark = pytest.mark.evaldata


@pytest.fixture(scope="module")
def scifact(evaldata: Path) -> Path:
    folder = evaldata / "retrieval" / "scifact"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


@pytest.fixture(scope="module")
def figures(scifact: Path) -> SciFactFilterFigures:
    return scifact_filter_figures(scifact, "train")


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_bm25_quality_in_published_range(figures: SciFactFilterFigures) -> None:
    assert figures.n_queries == 809 and figures.n_docs == 5183
    # published BM25 on the test claims: 0.665 (BEIR/Anserini); train claims run a little higher
    assert 0.6 < figures.unfiltered["ndcg@10"] < 0.8
    assert figures.unfiltered["recall@100"] > 0.85


def test_false_exclusion_recomputed_from_raw_files(scifact: Path, figures: SciFactFilterFigures) -> None:
    structured = {r["doc_id"]: r["structured_abstract"] == "True" for r in _tsv(scifact / "corpus_metadata.tsv")}
    gold: dict[str, set[str]] = {}
    for r in _tsv(scifact / "qrels" / "train.tsv"):
        if int(r["score"]) > 0:
            gold.setdefault(r["query-id"], set()).add(r["corpus-id"])
    for value in (True, False):
        excluded = sum(all(structured[d] is not value for d in docs) for docs in gold.values())
        got = figures.predicates[value]
        assert got.excluded_queries == excluded
        assert got.false_exclusion_rate == excluded / len(gold)
        assert got.naive_queries == len(gold) - excluded
        assert got.survivor_docs == sum(v is value for v in structured.values())
    # both wrong predicates lose real claims; forcing the minority value (977 of 5,183) loses most
    assert figures.predicates[True].false_exclusion_rate > 0.5 > figures.predicates[False].false_exclusion_rate > 0.1


def test_naive_metric_hides_the_exclusion(figures: SciFactFilterFigures) -> None:
    for got in figures.predicates.values():
        assert got.true_recall_at_10 <= 1 - got.false_exclusion_rate
        assert got.true_recall_at_10 < figures.unfiltered["recall@10"]
        assert got.naive_recall_at_10 > got.true_recall_at_10 + 0.2
        assert got.naive_ndcg_at_10 > got.true_ndcg_at_10 + 0.15


def test_evaluate_run_equals_trec_eval(figures: SciFactFilterFigures) -> None:
    pytest.importorskip("pytrec_eval")
    for diffs in [figures.unfiltered_trec_max_diff] + [p.trec_max_diff for p in figures.predicates.values()]:
        assert diffs is not None and set(diffs) == set(OURS_TO_TREC)
        assert max(diffs.values()) <= 1e-9, diffs


def test_true_recall_independently(scifact: Path, figures: SciFactFilterFigures) -> None:
    """The filtered run's true recall@10 / nDCG@10, from pytrec_eval directly and from
    ``survivor_recall_at_k`` (a post-filter of the full ranking equals the pre-filtered top k)."""
    pytrec_eval = pytest.importorskip("pytrec_eval")
    data = load_beir(scifact, "train")
    rankings = bm25_rankings(data)
    structured = {r["doc_id"] for r in _tsv(scifact / "corpus_metadata.tsv") if r["structured_abstract"] == "True"}
    survivors = {q: structured for q in data.qrels}
    run = top_k_run(rankings, 100, survivors)
    trec = pytrec_eval.RelevanceEvaluator(data.qrels, {"recall.10", "ndcg_cut.10"}).evaluate(
        {q: hits for q, hits in run.items() if hits})
    n = len(data.qrels)
    got = figures.predicates[True]
    assert got.true_recall_at_10 == pytest.approx(sum(v["recall_10"] for v in trec.values()) / n, abs=1e-12)
    assert got.true_ndcg_at_10 == pytest.approx(sum(v["ndcg_cut_10"] for v in trec.values()) / n, abs=1e-12)
    gold = {q: set(rel) for q, rel in data.qrels.items()}
    full = {q: [d for d, _ in hits] for q, hits in rankings.items()}
    assert survivor_recall_at_k(full, gold, survivors, 10) == pytest.approx(got.true_recall_at_10, abs=1e-12)
