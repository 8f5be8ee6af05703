"""Embedding drift on a probe set: did re-embedding the same texts move the vectors?

Row ``i`` of both arrays embeds the same probe text (e.g. after a library or model upgrade).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag_eval_assets.lib.embedding.base import l2_normalize


@dataclass(frozen=True)
class DriftReport:
    """``mean_cosine``/``min_cosine``: row-wise cosine (None when the dimensions differ);
    ``neighbour_jaccard``: mean Jaccard of top-``k`` neighbour sets; ``n`` probes."""

    n: int
    k: int
    mean_cosine: float | None
    min_cosine: float | None
    neighbour_jaccard: float


def _top_k_neighbours(vectors: np.ndarray, k: int) -> np.ndarray:
    """Indices of each row's ``k`` most similar other rows (itself excluded), ties by index."""
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return np.argsort(-sims, axis=1, kind="stable")[:, :k]


def drift(reference_vectors: np.ndarray, new_vectors: np.ndarray, k: int = 10) -> DriftReport:
    """Probe-set drift between two embeddings of the same texts.

    mean cosine = mean_i cos(ref_i, new_i) (rows L2-normalized first; needs equal dimensions,
    else None). Neighbour stability = mean_i |N_ref(i) ∩ N_new(i)| / |N_ref(i) ∪ N_new(i)|,
    N(i) = the top-``k`` neighbours of probe ``i`` among the other probes, by cosine in each
    space (works across dimensions). ``k`` is capped at ``n - 1``; with fewer than two probes
    (no neighbours) stability is 1.0. No probes: cosines None, stability 1.0.
    """
    ref = l2_normalize(reference_vectors)
    new = l2_normalize(new_vectors)
    if len(ref) != len(new):
        raise ValueError(f"{len(ref)} reference rows vs {len(new)} new rows: rows must embed the same probes")
    n = len(ref)
    k = max(0, min(k, n - 1))
    mean_cos = min_cos = None
    if ref.shape[1] == new.shape[1] and n:
        cos = np.sum(ref * new, axis=1, dtype=np.float64)
        mean_cos, min_cos = float(cos.mean()), float(cos.min())
    if k == 0:
        return DriftReport(n, k, mean_cos, min_cos, 1.0)
    a, b = _top_k_neighbours(ref, k), _top_k_neighbours(new, k)
    jac = [len(set(x) & set(y)) / len(set(x) | set(y)) for x, y in zip(a.tolist(), b.tolist())]
    return DriftReport(n, k, mean_cos, min_cos, float(np.mean(jac)))
