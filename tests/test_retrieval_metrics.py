"""Retrieval metrics: the pinned seed example, hand-computed values, edge cases, and equality
with trec_eval (pytrec_eval) on random graded runs with ties."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from rag_eval_assets.lib.metrics.retrieval import (
    average_precision,
    coverage,
    evaluate_run,
    hit_at_k,
    ndcg_at_k,
    precision_at_k,
    ranking,
    recall_at_k,
    reciprocal_rank,
)

SEED = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed_examples" / "retrieval.json"
# our metric name -> trec_eval measure (pytrec_eval spelling of the output key) at k=10
TREC_EQUIVALENT = {"recall@10": "recall_10", "precision@10": "P_10", "hit@10": "success_10",
                   "ndcg@10": "ndcg_cut_10", "mrr": "recip_rank", "ap": "map", "ap@10": "map_cut_10"}
TREC_MEASURES = {"recall.10", "P.10", "success.10", "ndcg_cut.10", "recip_rank", "map", "map_cut.10"}


def test_seed_example_recall_mrr_ndcg() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed example {SEED} is absent")
    seed = json.loads(SEED.read_text())
    k, digits = seed["k"], seed["rounding"]
    qrels = {q: set(docs) for q, docs in seed["gold"].items()}
    result = evaluate_run(seed["runs"], qrels, [f"recall@{k}", "mrr", f"ndcg@{k}"])
    got = {key: round(value, digits) for key, value in result.mean.items()}
    assert got == {f"recall@{k}": seed["expected"][f"recall@{k}"], "mrr": seed["expected"]["mrr"],
                   f"ndcg@{k}": seed["expected"][f"ndcg@{k}"]}


def test_hand_computed_values() -> None:
    ranked = ["d1", "d2", "d3", "d4"]
    rel = {"d2", "d4", "d9"}
    assert recall_at_k(ranked, rel, 2) == pytest.approx(1 / 3)
    assert precision_at_k(ranked, rel, 4) == 0.5
    assert precision_at_k(ranked, rel, 10) == 0.2  # divided by k, not by the 4 retrieved
    assert hit_at_k(ranked, rel, 1) == 0.0 and hit_at_k(ranked, rel, 2) == 1.0
    assert reciprocal_rank(ranked, rel) == 0.5
    assert reciprocal_rank(ranked, rel, k=1) == 0.0
    assert average_precision(ranked, rel) == pytest.approx((1 / 2 + 2 / 4) / 3)
    assert ndcg_at_k(ranked, rel, 3) == pytest.approx((1 / math.log2(3)) / (1 + 1 / math.log2(3) + 1 / 2))


def test_graded_ndcg_linear_and_exponential_gain() -> None:
    ranked = ["b", "a"]
    grades = {"a": 2, "b": 1}
    ideal_lin, ideal_exp = 2 + 1 / math.log2(3), 3 + 1 / math.log2(3)
    assert ndcg_at_k(ranked, grades, 2) == pytest.approx((1 + 2 / math.log2(3)) / ideal_lin)
    assert ndcg_at_k(ranked, grades, 2, gain="exponential") == pytest.approx((1 + 3 / math.log2(3)) / ideal_exp)
    assert ndcg_at_k(["a"], {"a": 1}, 5, "linear") == ndcg_at_k(["a"], {"a": 1}, 5, "exponential") == 1.0


def test_edge_cases() -> None:
    for fn in (recall_at_k, precision_at_k, hit_at_k, ndcg_at_k):
        assert fn(["a"], set(), 5) == 0.0
        assert fn([], {"a"}, 5) == 0.0
        with pytest.raises(ValueError):
            fn(["a"], {"a"}, 0)
    assert reciprocal_rank([], {"a"}) == average_precision(["a"], {}) == 0.0
    assert recall_at_k(["a", "a", "b"], {"b"}, 2) == 1.0  # a repeated id counts once
    assert recall_at_k(["a"], {"a": 0, "b": 1}, 5) == 0.0  # grade 0 is not relevant
    assert ranking({"x": 1.0, "a": 2.0, "b": 1.0}) == ["a", "x", "b"]  # ties: doc id descending
    assert evaluate_run({}, {}).mean == dict.fromkeys(("recall@10", "precision@10", "hit@10", "ndcg@10", "mrr", "ap"), 0.0)
    with pytest.raises(ValueError):
        evaluate_run({}, {"q": {"a"}}, ["ndcg"], k=None)
    with pytest.raises(ValueError):
        evaluate_run({}, {"q": {"a"}}, ["bleu"])


def test_coverage_and_missing_queries() -> None:
    run = {"q1": ["a", "b"], "q2": ["c"], "extra": ["z"]}
    qrels = {"q1": {"b"}, "q2": {"d"}, "q3": {"e"}}
    assert coverage(run, qrels, 2) == pytest.approx(1 / 3)
    assert coverage(run, qrels, 1) == 0.0
    result = evaluate_run(run, qrels, ["hit@2"])
    assert set(result.per_query) == {"q1", "q2", "q3"}  # the qrels' queries; q3 absent from the run scores 0
    assert result.mean["hit@2"] == pytest.approx(1 / 3)


def test_equal_to_trec_eval_on_random_graded_runs_with_ties() -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    rng = random.Random(7)
    docs = [f"d{i:03d}" for i in range(60)]
    qrels = {f"q{q}": {d: rng.choice([0, 1, 1, 2, 3]) for d in rng.sample(docs, rng.randint(1, 8))} for q in range(40)}
    run = {q: {d: round(rng.random(), 1) for d in rng.sample(docs, 30)} for q in qrels}  # many tied scores
    ours = evaluate_run(run, qrels, TREC_EQUIVALENT, k=10)
    theirs = pytrec_eval.RelevanceEvaluator(qrels, TREC_MEASURES).evaluate(run)
    for qid, values in ours.per_query.items():
        for name, trec_name in TREC_EQUIVALENT.items():
            assert values[name] == pytest.approx(theirs[qid][trec_name], abs=1e-9), (qid, name)
