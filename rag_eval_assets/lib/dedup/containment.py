"""Containment candidates with datasketch ``MinHashLSHEnsemble``.

A document that copies an excerpt of a longer one has a low Jaccard *resemblance* with it
(``|A ∩ B| / |A ∪ B|`` is bounded by ``|A| / |B|``: a 100-word excerpt of a 500-word page scores
at most 0.2), but a high *containment* ``|A ∩ B| / |A|`` of the shorter set ``A``. The Clough
corpus "cut" answers are exactly this case (``tests/test_dedup_evaldata.py``).

``MinHashLSHEnsemble`` answers "which indexed sets contain the query set with containment >=
threshold" by partitioning the index by set size; every document is queried once with its own
size, so each excerpt finds its sources. Candidates are then verified on exact shingle
containment by :mod:`rag_eval_assets.lib.dedup.clusters`.
"""

from __future__ import annotations

from collections.abc import Sequence

from datasketch import MinHash, MinHashLSHEnsemble


def containment_candidate_pairs(keys: Sequence[str], minhashes: Sequence[MinHash], sizes: Sequence[int],
                                threshold: float, num_perm: int, num_part: int = 16, m: int = 8,
                                weights: tuple[float, float] = (0.5, 0.5)) -> set[tuple[str, str]]:
    """Pairs ``(a, b)``, ``a < b``, where one set probably contains the other at ``>= threshold``.

    ``sizes`` are the exact shingle-set sizes (all > 0). ``num_part`` (16) and ``m`` (8) are
    datasketch's defaults: size partitions and the memory/accuracy factor; ``num_part`` is capped
    at the number of distinct sizes (small corpora).
    """
    if not keys:
        return set()
    if min(sizes) <= 0:
        raise ValueError("containment needs non-empty shingle sets")
    ensemble = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm,
                                  num_part=max(1, min(num_part, len(set(sizes)))), m=m, weights=weights)
    entries = list(zip(keys, minhashes, sizes, strict=True))
    ensemble.index(entries)
    pairs: set[tuple[str, str]] = set()
    for key, mh, size in entries:
        for other in ensemble.query(mh, size):
            if other != key:
                pairs.add((key, other) if key < other else (other, key))
    return pairs
