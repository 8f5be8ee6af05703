"""Library equality on real data: our retrieval metrics equal trec_eval (pytrec_eval) on a
SciFact run (all 809 train claims against the 5,183 abstracts; lexical run from the hashing
embedder through a flat FAISS index, top 100), every metric per query within 1e-9."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag_eval_assets.lib.embedding import HashingEmbedder
from rag_eval_assets.lib.goldens.adapters import load_beir
from rag_eval_assets.lib.indexing import build_index
from rag_eval_assets.lib.metrics.retrieval import evaluate_run

pytestmark = pytest.mark.evaldata
K = 10
OURS_TO_TREC = {"recall@10": "recall_10", "precision@10": "P_10", "hit@10": "success_10",
                "ndcg@10": "ndcg_cut_10", "mrr": "recip_rank", "ap": "map", "ap@10": "map_cut_10",
                "recall@100": "recall_100"}
TREC_MEASURES = {"recall.10", "recall.100", "P.10", "success.10", "ndcg_cut.10", "recip_rank", "map", "map_cut.10"}


@pytest.fixture(scope="module")
def scifact_run(evaldata: Path) -> tuple[dict, dict]:
    folder = evaldata / "retrieval" / "scifact"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    data = load_beir(folder, "train")
    doc_ids = sorted(data.corpus)
    embedder = HashingEmbedder(dim=1024)
    index = build_index("flat", embedder.embed([f"{data.corpus[d]['title']} {data.corpus[d]['text']}" for d in doc_ids]),
                        doc_ids)
    qids = sorted(data.queries)
    hits = index.search(embedder.embed([data.queries[q] for q in qids]), 100)
    run = {q: dict(h) for q, h in zip(qids, hits)}
    qrels = {q: {d: int(g) for d, g in data.qrels[q].items()} for q in qids}
    return run, qrels


def test_scifact_metrics_equal_trec_eval(scifact_run: tuple[dict, dict]) -> None:
    pytrec_eval = pytest.importorskip("pytrec_eval")
    run, qrels = scifact_run
    ours = evaluate_run(run, qrels, OURS_TO_TREC, k=K)
    theirs = pytrec_eval.RelevanceEvaluator(qrels, TREC_MEASURES).evaluate(run)
    assert set(theirs) == set(ours.per_query) and len(theirs) == 809
    for name, trec_name in OURS_TO_TREC.items():
        diffs = [abs(ours.per_query[q][name] - theirs[q][trec_name]) for q in theirs]
        assert max(diffs) <= 1e-9, name
        mean_theirs = sum(theirs[q][trec_name] for q in theirs) / len(theirs)
        assert ours.mean[name] == pytest.approx(mean_theirs, abs=1e-9)
    assert 0.2 < ours.mean["ndcg@10"] < 0.9  # a real lexical ranker, not noise
