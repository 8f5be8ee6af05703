"""Ranked-retrieval metrics, equal to trec_eval (pytrec_eval) on the same run and qrels.

Argument order is fixed: ``(ranked, relevant, k)``. ``ranked`` is a sequence of doc ids, best
first (a repeated id counts once, at its first position). ``relevant`` is a collection of
relevant ids (grade 1 each) or a mapping ``{doc_id: grade}`` (graded qrels, ranx/BEIR shape); a
document is relevant when its grade is > 0, and grades <= 0 give no gain. ``k`` is a positive
cut-off; ``None`` (where allowed) means the whole ranking. With no relevant document every
metric returns 0.0 (trec_eval's convention), so such queries pull the mean down rather than
vanish from it; drop them from the qrels if that is not wanted.

nDCG uses trec_eval's linear gain by default (``ndcg_cut``; ranx ``ndcg``): gain = grade,
discount = log2(rank + 1). ``gain="exponential"`` gives 2^grade − 1 (Burges; ranx
``ndcg_burges``). With binary relevance both are equal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

Relevant = Collection[str] | Mapping[str, float]
Run = Mapping[str, Mapping[str, float]] | Mapping[str, Sequence[str]]
DEFAULT_METRICS = ("recall", "precision", "hit", "ndcg", "mrr", "ap")
_METRIC = re.compile(r"^(recall|precision|hit|ndcg|mrr|ap)(?:@(\d+))?$")


def _grades(relevant: Relevant) -> dict[str, float]:
    if isinstance(relevant, Mapping):
        return {str(d): float(g) for d, g in relevant.items()}
    return {str(d): 1.0 for d in relevant}


def _relevant_ids(relevant: Relevant) -> set[str]:
    return {d for d, g in _grades(relevant).items() if g > 0}


def _top(ranked: Sequence[str], k: int | None) -> list[str]:
    if k is not None and k <= 0:
        raise ValueError(f"k must be a positive integer or None, got {k}")
    seen: set[str] = set()
    out = [d for d in ranked if not (d in seen or seen.add(d))]
    return out if k is None else out[:k]


def recall_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """|top_k ∩ R| / |R|; 0.0 when R is empty."""
    rel = _relevant_ids(relevant)
    return sum(d in rel for d in _top(ranked, k)) / len(rel) if rel else 0.0


def precision_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """|top_k ∩ R| / k (divided by k even when fewer than k were retrieved, as trec_eval P_k)."""
    rel = _relevant_ids(relevant)
    return sum(d in rel for d in _top(ranked, k)) / k


def hit_at_k(ranked: Sequence[str], relevant: Relevant, k: int) -> float:
    """1.0 when any of the top k is relevant, else 0.0 (trec_eval success_k)."""
    rel = _relevant_ids(relevant)
    return float(any(d in rel for d in _top(ranked, k)))


def reciprocal_rank(ranked: Sequence[str], relevant: Relevant, k: int | None = None) -> float:
    """1 / rank of the first relevant document within the top k (all when None); 0.0 if none."""
    rel = _relevant_ids(relevant)
    return next((1.0 / i for i, d in enumerate(_top(ranked, k), start=1) if d in rel), 0.0)


def average_precision(ranked: Sequence[str], relevant: Relevant, k: int | None = None) -> float:
    """AP = Σ_{i ≤ k, d_i ∈ R} P@i / |R| (trec_eval map / map_cut_k); 0.0 when R is empty."""
    rel = _relevant_ids(relevant)
    if not rel:
        return 0.0
    found, total = 0, 0.0
    for i, d in enumerate(_top(ranked, k), start=1):
        if d in rel:
            found += 1
            total += found / i
    return total / len(rel)


def _gain(grade: float, gain: str) -> float:
    if grade <= 0:
        return 0.0
    if gain == "linear":
        return grade
    if gain == "exponential":
        return 2.0 ** grade - 1.0
    raise ValueError(f"gain must be 'linear' or 'exponential', got {gain!r}")


def ndcg_at_k(ranked: Sequence[str], relevant: Relevant, k: int, gain: str = "linear") -> float:
    """nDCG@k = DCG@k / IDCG@k, DCG@k = Σ_{i ≤ k} gain(grade(d_i)) / log2(i + 1).

    gain = grade (``linear``, trec_eval) or 2^grade − 1 (``exponential``); IDCG@k is the DCG of
    the judged grades sorted best first. 0.0 when no judged document has a grade > 0.
    """
    grades = _grades(relevant)
    dcg = sum(_gain(grades.get(d, 0.0), gain) / math.log2(i + 1) for i, d in enumerate(_top(ranked, k), start=1))
    ideal = sorted((_gain(g, gain) for g in grades.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 1) for i, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def ranking(scores_or_ranked: Mapping[str, float] | Sequence[str]) -> list[str]:
    """A ranked list from ``{doc: score}`` (score descending, ties by doc id descending, as
    trec_eval sorts) or a list that is already ranked (returned as a list)."""
    if isinstance(scores_or_ranked, Mapping):
        return [d for d, _ in sorted(scores_or_ranked.items(), key=lambda x: (x[1], x[0]), reverse=True)]
    return list(scores_or_ranked)


def coverage(run: Run, qrels: Mapping[str, Relevant], k: int) -> float:
    """Share of the qrels' queries with at least one relevant document in their top k (mean
    hit@k over qrels queries; a query absent from the run counts as a miss); 0.0 without queries."""
    if not qrels:
        return 0.0
    return sum(hit_at_k(ranking(run.get(q, [])), rel, k) for q, rel in qrels.items()) / len(qrels)


@dataclass(frozen=True)
class RunEvaluation:
    """Per-query values ``{qid: {metric: value}}`` and their mean over queries ``{metric: value}``."""

    per_query: dict[str, dict[str, float]]
    mean: dict[str, float]


def _metric(name: str, k: int | None, gain: str) -> tuple[str, Callable[[Sequence[str], Relevant], float]]:
    match = _METRIC.match(name)
    if not match:
        raise ValueError(f"unknown metric {name!r}; use one of {DEFAULT_METRICS}, optionally with @k")
    base, cut = match.group(1), int(match.group(2)) if match.group(2) else None
    if base in ("recall", "precision", "hit", "ndcg"):
        cut = cut or k
        if cut is None:
            raise ValueError(f"{name} needs a cut-off: write {base}@k or pass k")
    fn = {"recall": recall_at_k, "precision": precision_at_k, "hit": hit_at_k,
          "mrr": reciprocal_rank, "ap": average_precision}.get(base)
    label = f"{base}@{cut}" if cut else base
    if base == "ndcg":
        return label, lambda r, rel: ndcg_at_k(r, rel, cut, gain)
    return label, lambda r, rel: fn(r, rel, cut)


def evaluate_run(run: Run, qrels: Mapping[str, Relevant], metrics: Iterable[str] = DEFAULT_METRICS,
                 k: int | None = 10, gain: str = "linear") -> RunEvaluation:
    """Evaluate a run against qrels, per query and as the mean over queries.

    ``run``: ``{qid: {doc: score}}`` (ranked by ``ranking``) or ``{qid: [doc, ...]}``.
    ``metrics``: names ``recall precision hit ndcg mrr ap``, each optionally ``@k``; the bare
    cut-off metrics use ``k``, bare ``mrr``/``ap`` use the whole ranking. The queries are the
    qrels' (trec_eval ``-c``): one missing from the run scores 0.0; run-only queries are ignored.
    No queries: empty per-query and a mean of 0.0 per metric.
    """
    fns = [_metric(m, k, gain) for m in metrics]
    per_query = {}
    for qid, rel in qrels.items():
        ranked = ranking(run.get(qid, []))
        per_query[qid] = {label: fn(ranked, rel) for label, fn in fns}
    n = len(per_query)
    mean = {label: (sum(v[label] for v in per_query.values()) / n if n else 0.0) for label, _ in fns}
    return RunEvaluation(per_query, mean)
