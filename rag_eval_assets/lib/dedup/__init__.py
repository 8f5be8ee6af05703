"""Near-duplicate detection: exact content hash, MinHash LSH (resemblance), LSH Ensemble
(containment), verified clusters with a canonical document (every member verified against it).
Plain Python, no Dagster.

- ``near_duplicate_clusters(texts, **params) -> list[set[str]]``: clusters of size >= 2.
- ``find_near_duplicates(texts, **params) -> DedupResult``: clusters with canonical ids, every
  scored pair (exact / estimated Jaccard, containment) and the rule that merged it.
- ``NearDuplicateIndex(texts, SketchParams(...)).find(MatchParams(...))``: sketch once, match at
  many thresholds (the sweep in ``clusters``' docstring, ``metrics.dedup.threshold_sweep``).
- ``MinHashSigner``: datasketch-identical signatures, vectorized; ``shingles``: normalization,
  ``content_hash`` (exact-duplicate rule), word / char shingles, exact Jaccard and containment.

Parameters and their measured defaults: ``SketchParams`` and ``MatchParams`` in ``clusters``.
"""

from rag_eval_assets.lib.dedup.clusters import (
    Cluster,
    DedupResult,
    MatchParams,
    NearDuplicateIndex,
    PairScore,
    SketchParams,
    find_near_duplicates,
    near_duplicate_clusters,
    split_params,
)
from rag_eval_assets.lib.dedup.containment import containment_candidate_pairs
from rag_eval_assets.lib.dedup.minhash import (
    MinHashSigner,
    datasketch_signatures,
    estimated_jaccard,
    lsh_candidate_pairs,
)
from rag_eval_assets.lib.dedup.shingles import (
    char_shingles,
    containment,
    content_hash,
    jaccard,
    normalize_text,
    shingle_set,
    word_shingles,
)

__all__ = [
    "Cluster", "DedupResult", "MatchParams", "MinHashSigner", "NearDuplicateIndex", "PairScore",
    "SketchParams", "char_shingles", "containment", "containment_candidate_pairs", "content_hash",
    "datasketch_signatures", "estimated_jaccard", "find_near_duplicates", "jaccard",
    "lsh_candidate_pairs", "near_duplicate_clusters", "normalize_text", "shingle_set",
    "split_params", "word_shingles",
]
