"""Approximate-nearest-neighbour quality: recall@k of an ANN index against exact flat search,
with a 95% confidence interval, and a sweep of the search knob (HNSW ``ef_search``, IVF
``nprobe``) giving recall and queries per second.

ANN recall@k for one query = |ANN top-k ∩ exact top-k| / k' with k' = min(k, index size): the
share of the true k nearest neighbours the index returned. The corpus value is the mean over
queries. Its interval is a percentile bootstrap over queries (resample queries with
replacement, ``n_boot`` times, seeded; 2.5th and 97.5th percentiles of the resampled means):
neighbours of one query are not independent trials, so the bootstrap over queries is honest
where a Wilson interval on the pooled k·n neighbour hits would be too narrow. ``wilson_interval``
is here for per-query 0/1 outcomes (e.g. hit rates). Queries should be real query embeddings or
a seeded sample of held-out vectors (``sample_rows``); sampling indexed vectors makes every
query find itself, which flatters recall at small k.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from rag_eval_assets.lib.indexing.faiss_index import VectorIndex


@dataclass(frozen=True)
class RecallEstimate:
    """Mean ANN recall@k over ``n_queries`` queries and its 95% interval ``[low, high]``."""

    recall: float
    low: float
    high: float
    k: int
    n_queries: int


@dataclass(frozen=True)
class SweepPoint:
    """One setting of the search knob: recall estimate and queries per second (batch search)."""

    param: str
    value: int
    recall: RecallEstimate
    qps: float


def sample_rows(n_total: int, n: int, seed: int = 0) -> np.ndarray:
    """``min(n, n_total)`` distinct row indices drawn without replacement, sorted, seeded."""
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_total, size=min(n, n_total), replace=False))


def recall_per_query(ann_rows: np.ndarray, exact_rows: np.ndarray, k: int) -> np.ndarray:
    """Per query |ann[:k] ∩ exact[:k]| / |exact[:k]| (rows ``-1`` = no result are ignored);
    a query whose exact list is empty scores 1.0 (nothing to find)."""
    out = np.empty(len(exact_rows), dtype=np.float64)
    for i, (ann, exact) in enumerate(zip(np.asarray(ann_rows)[:, :k], np.asarray(exact_rows)[:, :k])):
        truth = {int(r) for r in exact if r >= 0}
        out[i] = len(truth & {int(r) for r in ann if r >= 0}) / len(truth) if truth else 1.0
    return out


def bootstrap_interval(values: Sequence[float], confidence: float = 0.95, n_boot: int = 1000,
                       seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean; a single value (or none) gives (v, v) / (0, 0)."""
    x = np.asarray(values, dtype=np.float64)
    if len(x) == 0:
        return 0.0, 0.0
    if len(x) == 1 or np.all(x == x[0]):
        return float(x[0]), float(x[0])
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(n_boot, len(x)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion: (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) /
    (1 + z²/n); (0.0, 1.0) when there are no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _without(rows: np.ndarray, own: np.ndarray | None, k: int) -> np.ndarray:
    """The first ``k`` rows of each result list without the query's own row."""
    if own is None:
        return rows[:, :k]
    out = np.full((len(rows), k), -1, dtype=np.int64)
    for i, (r, o) in enumerate(zip(rows, own)):
        kept = [int(x) for x in r if x != o][:k]
        out[i, :len(kept)] = kept
    return out


def ann_recall(index: VectorIndex, exact: VectorIndex, queries: np.ndarray, k: int = 10,
               exact_rows: np.ndarray | None = None, n_boot: int = 1000, seed: int = 0,
               self_rows: np.ndarray | None = None) -> RecallEstimate:
    """Recall@k of ``index`` against the exact ``exact`` index (same vectors, same row order)
    over ``queries``, with a 95% bootstrap interval. Pass ``exact_rows`` to reuse flat results.
    ``self_rows``: when the queries are indexed vectors, their own rows; both lists then leave
    the query itself out (it is always found, and would flatter recall by ~1/k)."""
    depth = k + (1 if self_rows is not None else 0)
    if exact_rows is None:
        exact_rows = exact.search_rows(queries, depth)[1]
    truth = _without(np.asarray(exact_rows), self_rows, k)
    found = _without(index.search_rows(queries, depth)[1], self_rows, k)
    per_query = recall_per_query(found, truth, k)
    low, high = bootstrap_interval(per_query, n_boot=n_boot, seed=seed)
    mean = float(per_query.mean()) if len(per_query) else 0.0
    return RecallEstimate(mean, low, high, k, len(per_query))


def measure_qps(index: VectorIndex, queries: np.ndarray, k: int, min_seconds: float = 0.2,
                batch_size: int | None = None) -> float:
    """Queries per second, repeating the queries until ``min_seconds`` elapsed. ``batch_size``
    None searches all queries in one call (how the pipeline searches: flat search is then one
    BLAS matrix product); 1 is one call per query (an interactive caller)."""
    if len(queries) == 0:
        return 0.0
    step = len(queries) if batch_size is None else max(1, int(batch_size))
    batches = [queries[i: i + step] for i in range(0, len(queries), step)]
    done, start = 0, time.perf_counter()
    while True:
        for batch in batches:
            index.search_rows(batch, k)
            done += len(batch)
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                return done / elapsed


def sweep(index: VectorIndex, exact: VectorIndex, queries: np.ndarray, values: Iterable[int],
          k: int = 10, min_seconds: float = 0.2, exact_rows: np.ndarray | None = None,
          self_rows: np.ndarray | None = None) -> list[SweepPoint]:
    """Recall@k (vs ``exact``; ``self_rows``: leave each query's own row out, see ``ann_recall``)
    and QPS for each value of the index's search knob: ``ef_search`` for HNSW, ``nprobe`` for
    IVF. The knob is restored afterwards."""
    param = {"hnsw": "ef_search", "ivf": "nprobe"}.get(index.kind)
    if param is None:
        raise ValueError(f"nothing to sweep on a {index.kind} index")
    before = index.params.get(param)
    if exact_rows is None:
        exact_rows = exact.search_rows(queries, k + (1 if self_rows is not None else 0))[1]
    points = []
    try:
        for value in values:
            index.set_search_params(**{param: int(value)})
            points.append(SweepPoint(param, int(value),
                                     ann_recall(index, exact, queries, k, exact_rows, self_rows=self_rows),
                                     measure_qps(index, queries, k, min_seconds)))
    finally:
        index.set_search_params(**{param: before})
    return points


def cheapest_at_recall(points: Sequence[SweepPoint], target: float = 0.95) -> SweepPoint | None:
    """The fastest sweep point whose mean recall reaches ``target``; None when none does."""
    ok = [p for p in points if p.recall.recall >= target]
    return max(ok, key=lambda p: p.qps) if ok else None
