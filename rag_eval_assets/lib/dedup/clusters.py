"""Duplicate clusters: exact hash, MinHash LSH candidates, verification, linkage, canonical id.

Pipeline of :meth:`NearDuplicateIndex.find`:

1. **exact**: documents with equal :func:`~.shingles.content_hash` (NFKC + casefold + collapsed
   whitespace) form one group; only its canonical member goes on to the sketches. Documents whose
   normalized text is empty are left out (listed in ``DedupResult.empty``): two failed parses are
   not duplicates of each other.
2. **candidates**: ``MinHashLSH`` over the signatures (resemblance mode) and/or
   ``MinHashLSHEnsemble`` (containment mode). LSH band parameters use ``lsh_weights=(0.1, 0.9)``
   (false-positive, false-negative) instead of datasketch's ``(0.5, 0.5)``: a false candidate costs
   one set intersection at verification, a missed candidate is a missed merge. At
   ``threshold=0.7`` datasketch's weights give bands x rows = 14 x 9, which finds a pair of Jaccard
   0.75 with probability 0.66; ours give 20 x 6: 0.98.
3. **verification** (against false merges): a candidate pair is merged only when its exact
   shingle Jaccard is ``>= verify_threshold`` (rule ``"resemblance"``) or, in containment mode,
   when the exact containment of the shorter document is ``>= containment_threshold`` and the
   shorter document has ``>= min_containment_shingles`` shingles (rule ``"containment"``).
   ``verify_on="estimate"`` uses the MinHash estimates instead (no shingle sets needed).
   An excerpt keeps only its best containment edge (highest containment, then the canonical
   order below), so a paragraph quoted by two unrelated documents cannot bridge them.
4. **clusters**: verified pairs are taken strongest first (Jaccard; containment for a
   containment pair); a pair joins its two clusters only when every member of the union passes
   step 3 against the union's canonical document (the one the index keeps), so no document is
   dropped for a document it does not resemble. Plain union-find (single linkage) chains
   templated documents: on 2,000 generated documents 1.3 % of the same-product pairs of distinct
   documents reach Jaccard 0.5 on shared bank prose, and chains of 2-15 such pairs put 140
   labelled distinct pairs (Jaccard <= 0.46, containment <= 0.69) into clusters of up to 95
   documents. Exact groups are merged as before; clusters of size >= 2 are reported.
   **Canonical document** of a cluster: the longest normalized text (most content; in containment
   mode, the source rather than the excerpt), ties broken by the lexicographically smallest id.

Defaults (``DEFAULT_*`` below): word 2-shingles, ``mode="both"``, resemblance ``threshold=0.5``,
``containment_threshold=0.8``, ``num_perm=128``. They come from ``python benchmarks/sweep_dedup.py``:
910 settings (word 2/3/4/5/7 and char 4/5/7/9/12 shingles x resemblance / containment / both x
thresholds 0.30-0.90) on the Clough corpus (35 texts: 6 cut, 6 light, 6 heavy, 12 non answers
against their task's source) and on the committed sample (104 documents, 90 labelled pairs:
6 exact, 12 light_edit, 18 heavy_edit duplicates; 24 same_topic, 30 random distinct; plus
``clusters.csv``). Admissible = no false merge at all: no Clough ``non`` answer, no sample
distinct pair, cluster-pair precision 1.0 on both sets (340 of 910). Ranked by Clough cut + light
recall, then sample recall, then margin (admissible neighbouring thresholds with equal recall):

| setting | Clough cut | light | heavy | non | sample exact / light / heavy | distinct merged |
|---|---|---|---|---|---|---|
| word 2, both, 0.5 + containment 0.8 (**default**) | 4/6 | 4/6 | 1/6 | 0 | 6/6, 12/12, 18/18 | 0 |
| char 9, both, 0.5 + 0.8 (same, ~5x the shingles to sign) | 4/6 | 4/6 | 1/6 | 0 | 6, 12, 18 | 0 |
| char 5, both, 0.6 + 0.8 | 4/6 | 5/6 | 1/6 | 0 | 6, 12, 18 | 0 |
| word 5, both, 0.6 + 0.65 (best word 5) | 4/6 | 4/6 | 1/6 | 0 | 6, 12, 0 | 0 |
| word 2, resemblance 0.5 (best without containment) | 2/6 | 2/6 | 1/6 | 0 | 6, 12, 18 | 0 |
| word 5, resemblance 0.7 (the previous default) | 1/6 | 1/6 | 0/6 | 0 | 6, 12, 0 | 0 |
| datasketch alone: char 5-grams, MinHashLSH 0.5, no verification | 3/6 | 3/6 | 1/6 | 0 | 6, 12, 18 | **47** (cluster P 0.02) |

Why word 2-shingles, both, 0.5 / 0.8 (exact shingle scores, ``benchmarks/sweep_dedup.py``):

- containment separates copies from independent text best: the containment of an answer in its
  source at word 2-shingles is >= 0.85 for 4 of 6 cut and 4 of 6 light answers, while the most
  contained independent Clough answer scores 0.17 and the most contained distinct sample pair
  (templated documents sharing sections) 0.58. 0.8 keeps 0.22 above the latter; 0.75-0.85 give
  (and 0.90) the same merges. At char 5-grams distinct sample pairs reach 0.70 (0.10 below 0.8).
- resemblance 0.5 merges the sample's heavy edits (J 0.57-0.63 at word 2-shingles; labelled
  duplicate there) 0.15 above the most similar distinct pair (J 0.35); longer shingles push heavy
  edits under distinct pairs (word 5: J 0.25-0.35 vs 0.27).
- Heavy Clough revisions are paraphrases: 1 of 6 is merged (containment 0.94: it copies most of
  the source); the other two cut answers copy only 35 % and 55 % of their text.
- ``min_containment_shingles=25`` (~26 words at word 2-shingles): shorter overlaps are boilerplate.
"""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Literal

import numpy as np

from rag_eval_assets.lib.dedup.containment import containment_candidate_pairs
from rag_eval_assets.lib.dedup.minhash import (
    MinHashSigner,
    estimated_jaccard,
    lsh_candidate_pairs,
)
from rag_eval_assets.lib.dedup.overlaps import OverlapCache
from rag_eval_assets.lib.dedup.shingles import (
    ShingleUnit,
    content_hash,
    normalize_text,
    shingle_set,
)

Mode = Literal["resemblance", "containment", "both"]
Rule = Literal["exact", "resemblance", "containment"]

# Measured defaults (module doc, benchmarks/sweep_dedup.py): on Clough cut 4/6, light 4/6 (word 5
# at 0.7, the previous default: 1/6, 1/6; datasketch char 5-grams at 0.5: 3/6, 3/6 and 47 false
# merges on the sample), no false merge on Clough or the sample.
DEFAULT_SHINGLE_UNIT: ShingleUnit = "word"
DEFAULT_SHINGLE_K = 2
DEFAULT_MODE: Mode = "both"
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT_THRESHOLD = 0.8


@dataclass(frozen=True)
class SketchParams:
    """How documents become sketches (fixed for one :class:`NearDuplicateIndex`)."""

    shingle_k: int = DEFAULT_SHINGLE_K  # module doc: the sweep's best separation of copies from distinct text
    shingle_unit: ShingleUnit = DEFAULT_SHINGLE_UNIT
    num_perm: int = 128  # datasketch default; Jaccard estimate std <= 0.044
    seed: int = 1  # datasketch default

    def cache_key(self, content_sha256: str) -> str:
        """Key of a document's signature in a signature cache (content hash + sketch settings)."""
        return f"{content_sha256}:{self.shingle_unit}{self.shingle_k}:p{self.num_perm}:s{self.seed}:affine32"


@dataclass(frozen=True)
class MatchParams:
    """When two sketched documents are merged (cheap to vary: see ``threshold_sweep``)."""

    threshold: float = DEFAULT_THRESHOLD  # LSH threshold and default verification Jaccard (module doc)
    verify_threshold: float | None = None  # None: same as ``threshold``
    verify_on: Literal["exact", "estimate"] = "exact"
    mode: Mode = DEFAULT_MODE
    containment_threshold: float = DEFAULT_CONTAINMENT_THRESHOLD  # module doc
    min_containment_shingles: int = 25  # ~30 words: shorter overlaps are boilerplate lines
    lsh_weights: tuple[float, float] = (0.1, 0.9)  # (false positive, false negative), see step 2
    ensemble_num_part: int = 16  # datasketch default
    ensemble_m: int = 8  # datasketch default

    def __post_init__(self) -> None:
        for name in ("threshold", "containment_threshold", "verify_threshold"):
            value = getattr(self, name)
            if value is not None and not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.mode not in ("resemblance", "containment", "both"):
            raise ValueError(f"mode must be resemblance, containment or both, got {self.mode!r}")
        if self.verify_on not in ("exact", "estimate"):
            raise ValueError(f"verify_on must be exact or estimate, got {self.verify_on!r}")

    @property
    def jaccard_threshold(self) -> float:
        return self.threshold if self.verify_threshold is None else self.verify_threshold


@dataclass(frozen=True)
class PairScore:
    """One scored pair (``doc_a < doc_b``): exact-hash pair or LSH candidate, merged or rejected."""

    doc_a: str
    doc_b: str
    jaccard: float | None  # exact shingle Jaccard (None with verify_on="estimate")
    estimated_jaccard: float
    containment: float | None  # of the shorter document, exact (or estimated)
    candidate_of: tuple[str, ...]  # "exact_hash", "lsh", "ensemble"
    merged_by: Rule | None  # None: candidate rejected by verification


@dataclass(frozen=True)
class Cluster:
    canonical: str
    members: frozenset[str]  # includes the canonical document
    rules: frozenset[Rule]  # rules of the merged pairs inside the cluster


@dataclass
class DedupResult:
    """Clusters (size >= 2, largest first), every scored pair, and the documents left out."""

    clusters: list[Cluster]
    pairs: list[PairScore]
    empty: list[str] = field(default_factory=list)

    def as_sets(self) -> list[set[str]]:
        return [set(c.members) for c in self.clusters]

    def canonical_of(self) -> dict[str, str]:
        """Clustered doc id -> canonical id of its cluster (documents not listed are unique)."""
        return {m: c.canonical for c in self.clusters for m in c.members}


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: a match allocates millions of pair objects without
    reference cycles (4.6 M candidate pairs at 10,000 generated documents), and the collections
    they trigger cost ~40 % of a match (3,000 documents: 8.1 s -> 4.8 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[set[str]]:
        out: dict[str, set[str]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), set()).add(x)
        return list(out.values())


class NearDuplicateIndex:
    """Normalized hashes, shingle sets and signatures of a corpus, ready for :meth:`find`.

    ``cache``: optional mapping ``SketchParams.cache_key(content hash) -> signature`` that is read
    and filled, so a nightly run signs only new or changed documents (persist it between runs).
    ``overlaps``: optional :class:`~.overlaps.OverlapCache` of exact pair overlaps under the same
    keys, read and filled, so verification intersects only pairs with a new or changed document.
    Within one index, overlaps and containment candidates are computed once for every
    :meth:`find` (a threshold sweep verifies each pair once).
    """

    def __init__(self, texts: Mapping[str, str], params: SketchParams | None = None,
                 cache: MutableMapping[str, np.ndarray] | None = None,
                 overlaps: OverlapCache | None = None) -> None:
        self.params = params or SketchParams()
        normalized = {doc_id: normalize_text(t) for doc_id, t in texts.items()}
        self.length = {d: len(t) for d, t in normalized.items()}
        self.empty = sorted(d for d, n in self.length.items() if n == 0)
        groups: dict[str, list[str]] = {}
        for doc_id in sorted(d for d, n in self.length.items() if n):
            groups.setdefault(content_hash(normalized[doc_id]), []).append(doc_id)
        self.exact_groups = [sorted(g, key=self.canonical_key) for g in groups.values()]
        rep_hash = {min(g, key=self.canonical_key): h for h, g in groups.items()}
        self.keys = sorted(rep_hash)  # one representative (the canonical member) per exact group
        p = self.params
        self.shingles = {d: shingle_set(normalized[d], p.shingle_k, p.shingle_unit) for d in self.keys}
        self.signer = MinHashSigner(p.num_perm, p.seed)
        cache = {} if cache is None else cache
        missing = [d for d in self.keys if p.cache_key(rep_hash[d]) not in cache]
        for doc_id, row in zip(missing, self.signer.signatures([self.shingles[d] for d in missing]), strict=True):
            cache[p.cache_key(rep_hash[doc_id])] = row
        self.signature = {d: np.asarray(cache[p.cache_key(rep_hash[d])]) for d in self.keys}
        self.sketch_key = {d: p.cache_key(rep_hash[d]) for d in self.keys}
        self.overlaps = OverlapCache() if overlaps is None else overlaps
        self._overlap: dict[tuple[str, str], int] = {}
        self._containment_candidates: dict[tuple, set[tuple[str, str]]] = {}

    def canonical_key(self, doc_id: str) -> tuple[int, str]:
        """Sort key: longest normalized text first, then smallest id."""
        return (-self.length[doc_id], doc_id)

    def find(self, params: MatchParams | None = None) -> DedupResult:
        """Exact groups + verified near-duplicate pairs -> clusters (see the module docstring)."""
        with _no_cyclic_gc():
            return self._find(params or MatchParams())

    def _find(self, mp: MatchParams) -> DedupResult:
        candidates = self._candidates(mp)
        if mp.verify_on == "exact":
            self._fill_overlaps(candidates)
        scored = [self._score(a, b, tuple(sorted(src)), mp) for (a, b), src in sorted(candidates.items())]
        scored = self._best_containment_edges(scored)
        scored = self._link(scored, mp)
        uf = _UnionFind()
        rules: dict[str, set[Rule]] = {}
        pairs: list[PairScore] = []
        for group in self.exact_groups:
            for member in group[1:]:
                a, b = sorted((group[0], member))
                pairs.append(PairScore(a, b, 1.0, 1.0, 1.0, ("exact_hash",), "exact"))
        pairs.extend(scored)
        for pair in pairs:
            if pair.merged_by is not None:
                uf.union(pair.doc_a, pair.doc_b)
        for pair in pairs:
            if pair.merged_by is not None:
                rules.setdefault(uf.find(pair.doc_a), set()).add(pair.merged_by)
        clusters = [
            Cluster(min(g, key=self.canonical_key), frozenset(g), frozenset(rules[uf.find(next(iter(g)))]))
            for g in uf.groups() if len(g) >= 2
        ]
        clusters.sort(key=lambda c: (-len(c.members), c.canonical))
        return DedupResult(clusters, pairs, list(self.empty))

    def _link(self, scored: list[PairScore], mp: MatchParams) -> list[PairScore]:
        """Step 4: verified pairs, strongest first, join two clusters only when every member of
        the union is verified against its canonical document; the pairs that did not join are
        demoted (``merged_by=None``)."""
        sources = (("lsh",) if mp.mode in ("resemblance", "both") else ()) + (
            ("ensemble",) if mp.mode in ("containment", "both") else ())
        verified = {(p.doc_a, p.doc_b): True for p in scored if p.merged_by is not None}

        def ok(a: str, b: str) -> bool:
            key = (a, b) if a < b else (b, a)
            if key not in verified:
                verified[key] = self._score(*key, sources, mp).merged_by is not None
            return verified[key]

        def strength(p: PairScore) -> float:
            if p.merged_by == "containment":
                return p.containment or 0.0
            return p.jaccard if p.jaccard is not None else p.estimated_jaccard

        cluster_of = {d: frozenset((d,)) for d in self.keys}
        # Cluster pairs already refused: the same two clusters give the same answer, and many pairs
        # link the same two clusters (values keep the clusters alive so their ids are not reused).
        refused: dict[tuple[int, int], tuple[frozenset[str], frozenset[str]]] = {}
        merged = sorted((p for p in scored if p.merged_by is not None), key=lambda p: (-strength(p), p.doc_a, p.doc_b))
        for p in merged:
            a, b = cluster_of[p.doc_a], cluster_of[p.doc_b]
            if a is b:
                continue
            pair_ids = (min(id(a), id(b)), max(id(a), id(b)))
            if pair_ids in refused:
                continue
            union = a | b
            canonical = min(union, key=self.canonical_key)
            if all(ok(canonical, d) for d in union if d != canonical):
                for d in union:
                    cluster_of[d] = union
            else:
                refused[pair_ids] = (a, b)
        return [replace(p, merged_by=None)
                if p.merged_by is not None and cluster_of[p.doc_a] is not cluster_of[p.doc_b] else p
                for p in scored]

    def _candidates(self, mp: MatchParams) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        if len(self.keys) < 2:
            return out
        if mp.mode in ("resemblance", "both"):
            for pair in lsh_candidate_pairs(self.keys, self.minhashes, mp.threshold, self.params.num_perm,
                                            mp.lsh_weights):
                out.setdefault(pair, set()).add("lsh")
        if mp.mode in ("containment", "both"):
            sizes = [len(self.shingles[d]) for d in self.keys]
            # containment candidates do not depend on the resemblance threshold a sweep varies:
            # computed once per index and set of containment parameters
            key = (mp.containment_threshold, mp.ensemble_num_part, mp.ensemble_m, mp.lsh_weights)
            if key not in self._containment_candidates:
                self._containment_candidates[key] = containment_candidate_pairs(
                    self.keys, self.minhashes, sizes, mp.containment_threshold, self.params.num_perm,
                    mp.ensemble_num_part, mp.ensemble_m, mp.lsh_weights)
            for pair in self._containment_candidates[key]:
                out.setdefault(pair, set()).add("ensemble")
        return out

    @cached_property
    def minhashes(self) -> list:
        """datasketch MinHash objects of the signatures (for the LSH indexes), built once."""
        return [self.signer.to_minhash(self.signature[d]) for d in self.keys]

    def _fill_overlaps(self, pairs: Collection[tuple[str, str]]) -> None:
        """Exact overlaps of ``pairs`` (``a < b``): from this index, then the overlap cache, then
        set intersections (added to the cache)."""
        todo = [pair for pair in pairs if pair not in self._overlap]
        if not todo:
            return
        keyed = [(self.sketch_key[a], self.sketch_key[b]) for a, b in todo]
        known = self.overlaps.get_many(keyed)
        new_pairs, new_values = [], []
        for pair, keys, value in zip(todo, keyed, known.tolist(), strict=True):
            if value < 0:
                value = len(self.shingles[pair[0]] & self.shingles[pair[1]])
                new_pairs.append(keys)
                new_values.append(value)
            self._overlap[pair] = value
        self.overlaps.put_many(new_pairs, new_values)

    def _score(self, a: str, b: str, sources: tuple[str, ...], mp: MatchParams) -> PairScore:
        na, nb = len(self.shingles[a]), len(self.shingles[b])
        est = estimated_jaccard(self.signature[a], self.signature[b])
        if mp.verify_on == "exact":
            both = self._overlap.get((a, b))
            if both is None:
                self._fill_overlaps(((a, b),))
                both = self._overlap[(a, b)]
            # = shingles.jaccard / shingles.containment: the same integers, the same divisions
            union, smaller = na + nb - both, min(na, nb)
            jac: float | None = both / union if union else 0.0
            cont = both / smaller if smaller else 0.0
            sim = jac
        else:
            jac, sim = None, est
            # |A ∩ B| = J (|A| + |B|) / (1 + J), divided by the smaller size
            cont = min(1.0, est * (na + nb) / ((1.0 + est) * min(na, nb)))
        rule: Rule | None = None
        if "lsh" in sources and sim >= mp.jaccard_threshold:
            rule = "resemblance"
        elif ("ensemble" in sources and cont >= mp.containment_threshold
              and min(na, nb) >= mp.min_containment_shingles):
            rule = "containment"
        return PairScore(a, b, jac, est, cont, sources, rule)

    def _best_containment_edges(self, pairs: list[PairScore]) -> list[PairScore]:
        """Keep, per excerpt (shorter document), only its best containment edge; demote the rest."""
        best: dict[str, tuple[float, tuple[int, str], tuple[str, str]]] = {}
        for p in pairs:
            if p.merged_by == "containment":
                excerpt, source = sorted((p.doc_a, p.doc_b), key=lambda d: (len(self.shingles[d]), d))
                rank = (-(p.containment or 0.0), self.canonical_key(source), (p.doc_a, p.doc_b))
                best[excerpt] = min(best.get(excerpt, rank), rank)
        kept = {v[2] for v in best.values()}
        return [replace(p, merged_by=None) if p.merged_by == "containment" and (p.doc_a, p.doc_b) not in kept
                else p for p in pairs]


def split_params(params: Mapping[str, object]) -> tuple[SketchParams, MatchParams]:
    """Route keyword parameters to :class:`SketchParams` / :class:`MatchParams` (unknown -> TypeError)."""
    names = {cls: {f.name for f in fields(cls)} for cls in (SketchParams, MatchParams)}
    unknown = set(params) - names[SketchParams] - names[MatchParams]
    if unknown:
        raise TypeError(f"unknown dedup parameter(s): {sorted(unknown)}")
    sketch = {k: v for k, v in params.items() if k in names[SketchParams]}
    match = {k: v for k, v in params.items() if k in names[MatchParams]}
    return SketchParams(**sketch), MatchParams(**match)  # type: ignore[arg-type]


def find_near_duplicates(texts: Mapping[str, str], **params: object) -> DedupResult:
    """Clusters with canonical ids, every scored pair and the rule that merged it.

    ``params``: any field of :class:`SketchParams` or :class:`MatchParams`.
    """
    sketch, match = split_params(params)
    return NearDuplicateIndex(texts, sketch).find(match)


def near_duplicate_clusters(texts: Mapping[str, str], **params: object) -> list[set[str]]:
    """Duplicate clusters (size >= 2) of ``texts`` (doc_id -> text); see :func:`find_near_duplicates`."""
    return find_near_duplicates(texts, **params).as_sets()

