"""Rank fusion: Reciprocal Rank Fusion (Cormack, Clarke & Büttcher, SIGIR 2009), equal to ranx's
``fuse(method="rrf")``.

A lane is one retriever's ranked list of doc ids, best first. RRF scores a document by
Σ_lanes w_lane / (k + rank), rank counted from 1; a lane that does not list the document adds
nothing, and an id repeated within a lane counts at its first position only. Scores are summed
with ``math.fsum`` so equal rank sets give bit-equal scores whatever the lane order.

Ties in score are broken deterministically: the best (smallest) single rank in any lane first,
then the doc id ascending.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def _first_ranks(lane: Sequence[str]) -> dict[str, int]:
    """``{doc: rank}`` of each id's first position in the lane, rank from 1."""
    ranks: dict[str, int] = {}
    for rank, doc in enumerate(lane, start=1):
        ranks.setdefault(doc, rank)
    return ranks


def weighted_rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float],
                 k: float = 60) -> list[tuple[str, float]]:
    """Weighted RRF: score(d) = Σ_lanes weight_lane / (k + rank_lane(d)), sorted best first.

    ``weights`` has one non-negative weight per lane; ``k`` > 0 damps the advantage of the top
    ranks (60 in the paper). Ties: best single rank, then doc id ascending.
    """
    if not k > 0:
        raise ValueError(f"RRF constant k must be > 0, got {k!r}")
    if len(weights) != len(rankings):
        raise ValueError(f"need one weight per lane: {len(weights)} weights for {len(rankings)} lanes")
    if any(not w >= 0 for w in weights):
        raise ValueError(f"lane weights must be >= 0, got {list(weights)}")
    terms: dict[str, list[float]] = {}
    best: dict[str, int] = {}
    for lane, weight in zip(rankings, weights):
        for doc, rank in _first_ranks(lane).items():
            terms.setdefault(doc, []).append(weight / (k + rank))
            best[doc] = min(rank, best.get(doc, rank))
    scores = {doc: math.fsum(parts) for doc, parts in terms.items()}
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))


def rrf(rankings: Sequence[Sequence[str]], k: float = 60) -> list[tuple[str, float]]:
    """Reciprocal Rank Fusion: score(d) = Σ_lanes 1 / (k + rank_lane(d)), sorted best first.

    Ties: best single rank in any lane, then doc id ascending. ``k`` must be > 0.
    """
    return weighted_rrf(rankings, [1.0] * len(rankings), k)
