"""A hard metadata filter on real data: SciFact's ``structured_abstract`` field under a wrong
predicate, with BM25 runs.

Each claim of a split is searched with ``BM25Index`` (title + abstract, default params). The
hard filter is a pre-filter: the claim's ranking of the whole corpus restricted to the docs that
pass the predicate, then cut to ``k`` (as a filtered search would return). The predicate is
forced, the same on every claim (``structured_abstract == True``, then ``== False``), so it is
wrong wherever a claim's gold abstracts have the other value. Figures per predicate:

- false-exclusion rate: share of claims whose gold docs all fail the predicate
  (``metrics.filters.false_exclusion_rate``); no retriever can recover those.
- naive recall@10 / nDCG@10: the filtered run scored against the gold that survives the filter,
  over the claims that still have gold: the excluded claims vanish from the mean, so it looks fine.
- true recall@10 / nDCG@10: the same run against the full gold over all claims (excluded claims
  score 0).
- the largest per-claim difference between ``evaluate_run`` and trec_eval (pytrec_eval) on the
  filtered run, and on the unfiltered one, for recall_10, recall_100, ndcg_cut_10, recip_rank,
  map and P_10 (``None`` when pytrec_eval is not installed).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rag_eval_assets.lib.goldens.adapters import (
    BeirDataset,
    load_beir,
    load_beir_corpus_metadata,
)
from rag_eval_assets.lib.metrics.filters import excluded_queries, false_exclusion_rate
from rag_eval_assets.lib.metrics.retrieval import evaluate_run
from rag_eval_assets.lib.retrieval import BM25Index

FIELD = "structured_abstract"
OURS_TO_TREC = {"recall@10": "recall_10", "recall@100": "recall_100", "ndcg@10": "ndcg_cut_10",
                "mrr": "recip_rank", "ap": "map", "precision@10": "P_10"}
Ranked = dict[str, list[tuple[str, float]]]  # qid -> [(doc_id, score)], best first


@dataclass(frozen=True)
class PredicateFigures:
    """One forced predicate ``structured_abstract == value`` applied to every claim."""

    value: bool
    survivor_docs: int  # corpus docs passing the predicate
    excluded_queries: int
    false_exclusion_rate: float
    naive_queries: int  # claims with gold left after the filter
    naive_recall_at_10: float
    naive_ndcg_at_10: float
    true_recall_at_10: float
    true_ndcg_at_10: float
    trec_max_diff: dict[str, float] | None


@dataclass(frozen=True)
class SciFactFilterFigures:
    """BM25 on a SciFact split, unfiltered and under each forced predicate."""

    split: str
    n_queries: int
    n_docs: int
    k: int
    unfiltered: dict[str, float]  # mean evaluate_run metrics of the top-k run (OURS_TO_TREC keys)
    unfiltered_trec_max_diff: dict[str, float] | None
    predicates: dict[bool, PredicateFigures]


def bm25_rankings(data: BeirDataset, index: BM25Index | None = None) -> Ranked:
    """Each claim's BM25 ranking of every matching doc (a new index over the corpus when None)."""
    if index is None:
        doc_ids = sorted(data.corpus)
        index = BM25Index.build(doc_ids, [f"{data.corpus[d]['title']} {data.corpus[d]['text']}" for d in doc_ids])
    return {q: index.search(text, len(index)) for q, text in sorted(data.queries.items())}


def top_k_run(rankings: Ranked, k: int, survivors: Mapping[str, set[str]] | None = None) -> dict[str, dict[str, float]]:
    """``{qid: {doc: score}}`` of the best ``k`` per claim, among its survivors when given."""
    def keep(q: str, d: str) -> bool:
        return survivors is None or d in survivors[q]

    return {q: dict([(d, s) for d, s in hits if keep(q, d)][:k]) for q, hits in rankings.items()}


def trec_eval_max_diff(run: Mapping[str, Mapping[str, float]], qrels: Mapping[str, Mapping[str, int]],
                       metrics: Mapping[str, str] = OURS_TO_TREC) -> dict[str, float] | None:
    """Per metric, the largest |ours − trec_eval| over the qrels' queries (a query trec_eval
    skips, having no retrieved doc, counts as 0.0 there, as ``trec_eval -c``); None without
    pytrec_eval."""
    try:
        import pytrec_eval
    except ImportError:
        return None
    ours = evaluate_run(run, qrels, metrics, k=10).per_query
    measures = {".".join(name.rsplit("_", 1)) if name[-1].isdigit() else name for name in metrics.values()}
    theirs = pytrec_eval.RelevanceEvaluator({q: dict(r) for q, r in qrels.items()}, measures).evaluate(
        {q: {d: float(s) for d, s in hits.items()} for q, hits in run.items() if hits})
    return {name: max((abs(ours[q][name] - theirs.get(q, {}).get(trec, 0.0)) for q in ours), default=0.0)
            for name, trec in metrics.items()}


def _predicate_figures(value: bool, rankings: Ranked, qrels: Mapping[str, Mapping[str, int]],
                       metadata: Mapping[str, Mapping[str, object]], k: int) -> PredicateFigures:
    passing = {d for d, fields in metadata.items() if fields.get(FIELD) is value}
    survivors = {q: passing for q in qrels}
    gold = {q: {d for d, g in rel.items() if g > 0} for q, rel in qrels.items()}
    run = top_k_run(rankings, k, survivors)
    surviving_gold = {q: {d: g for d, g in rel.items() if d in passing} for q, rel in qrels.items()}
    naive_qrels = {q: rel for q, rel in surviving_gold.items() if any(g > 0 for g in rel.values())}
    naive = evaluate_run(run, naive_qrels, ("recall@10", "ndcg@10")).mean
    true = evaluate_run(run, qrels, ("recall@10", "ndcg@10")).mean
    excluded = len(excluded_queries(gold, survivors))
    return PredicateFigures(value, len(passing), excluded, false_exclusion_rate(gold, survivors), len(naive_qrels),
                            naive["recall@10"], naive["ndcg@10"], true["recall@10"], true["ndcg@10"],
                            trec_eval_max_diff(run, qrels))


def scifact_filter_figures(folder: str | Path, split: str = "train", k: int = 100,
                           values: Sequence[bool] = (True, False), index: BM25Index | None = None) -> SciFactFilterFigures:
    """BM25 top-``k`` on ``split`` of the BEIR SciFact ``folder`` (with ``corpus_metadata.tsv``),
    unfiltered and under each forced ``structured_abstract == value`` predicate."""
    data = load_beir(folder, split)
    metadata = load_beir_corpus_metadata(folder)
    missing = set(data.corpus) - set(metadata)
    if missing:
        raise ValueError(f"{len(missing)} corpus docs lack {FIELD} metadata, e.g. {sorted(missing)[:3]}")
    rankings = bm25_rankings(data, index)
    run = top_k_run(rankings, k)
    return SciFactFilterFigures(
        split, len(data.qrels), len(data.corpus), k, evaluate_run(run, data.qrels, OURS_TO_TREC, k=10).mean,
        trec_eval_max_diff(run, data.qrels),
        {v: _predicate_figures(v, rankings, data.qrels, metadata, k) for v in values})
