"""Deduplication metrics against labelled pairs and reference clusters (pure functions).

Argument order ``(reference, hypothesis)``: labelled pairs (or reference clusters) first, the
predicted clusters (``Iterable`` of doc-id sets, e.g. ``near_duplicate_clusters(...)``) second.
A labelled pair is *merged* when both documents are in the same predicted cluster; documents
absent from every cluster are unique. Only labelled pairs count here; merges of unlabelled pairs
are seen by ``cluster_pair_scores`` (pair counting against ``doc_id -> cluster_id``).

- precision        = merged pairs labelled duplicate / merged labelled pairs
- recall           = merged pairs labelled duplicate / pairs labelled duplicate
- false-merge rate = merged pairs labelled distinct / merged labelled pairs  (= 1 - precision)
- missed-merge rate = duplicate-labelled pairs not merged / duplicate-labelled pairs (= 1 - recall)

Edge cases: no merged labelled pair -> precision None, false-merge rate 0.0 with
``no_merged_pairs=True`` (nothing was wrongly merged, but nothing was tested either); no pair
labelled duplicate -> recall and missed-merge rate None. Per family kind (``exact``,
``light_edit``, ``heavy_edit``, ``same_topic``, ``random``) the same numbers are computed on that
kind's pairs; for a distinct-only kind ``merged_fraction`` (merged / labelled) is the share of
its pairs falsely merged. ``threshold_sweep`` evaluates a clustering function at 0.5 ... 0.95
and ``sweep_table`` renders the points as Markdown (the Dagster sweep asset plots them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "SWEEP_THRESHOLDS",
    "ClusterScores",
    "LabelledPair",
    "PairScores",
    "SweepPoint",
    "cluster_pair_scores",
    "false_merge_rate",
    "missed_merge_rate",
    "pair_scores",
    "pair_scores_by_kind",
    "sweep_table",
    "threshold_sweep",
]

SWEEP_THRESHOLDS: tuple[float, ...] = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


class LabelledPair(Protocol):
    """A labelled pair, e.g. ``goldens.DedupPair``: label ``duplicate`` | ``distinct``."""

    doc_a: str
    doc_b: str
    label: str
    kind: str | None


@dataclass(frozen=True)
class PairScores:
    pairs: int
    duplicates: int  # pairs labelled duplicate
    merged: int  # labelled pairs inside one predicted cluster
    true_merges: int
    false_merges: int
    missed_merges: int
    precision: float | None
    recall: float | None
    false_merge_rate: float
    missed_merge_rate: float | None
    no_merged_pairs: bool  # false_merge_rate is 0.0 because nothing was merged

    @property
    def merged_fraction(self) -> float | None:
        """Merged / labelled pairs (None without pairs)."""
        return self.merged / self.pairs if self.pairs else None


def _cluster_of(clusters: Iterable[Iterable[str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, cluster in enumerate(clusters):
        for doc_id in cluster:
            if out.setdefault(doc_id, i) != i:
                raise ValueError(f"document {doc_id!r} is in two predicted clusters")
    return out


def _is_merged(pair: LabelledPair, cluster_of: Mapping[str, int]) -> bool:
    a = cluster_of.get(pair.doc_a)
    return a is not None and a == cluster_of.get(pair.doc_b)


def _scores(pairs: Sequence[LabelledPair], cluster_of: Mapping[str, int]) -> PairScores:
    counts: Counter[tuple[bool, bool]] = Counter(
        (p.label == "duplicate", _is_merged(p, cluster_of)) for p in pairs)
    tp, fp, fn = counts[True, True], counts[False, True], counts[True, False]
    merged, duplicates = tp + fp, tp + fn
    return PairScores(
        pairs=len(pairs), duplicates=duplicates, merged=merged, true_merges=tp, false_merges=fp,
        missed_merges=fn,
        precision=tp / merged if merged else None,
        recall=tp / duplicates if duplicates else None,
        false_merge_rate=fp / merged if merged else 0.0,
        missed_merge_rate=fn / duplicates if duplicates else None,
        no_merged_pairs=merged == 0,
    )


def pair_scores(labelled_pairs: Sequence[LabelledPair], clusters: Iterable[Iterable[str]]) -> PairScores:
    """Pair precision / recall, false- and missed-merge rates over all labelled pairs."""
    return _scores(labelled_pairs, _cluster_of(clusters))


def pair_scores_by_kind(labelled_pairs: Sequence[LabelledPair],
                        clusters: Iterable[Iterable[str]]) -> dict[str, PairScores]:
    """:func:`pair_scores` per pair kind (kind None -> ``"unlabelled"``), kinds sorted."""
    cluster_of = _cluster_of(clusters)
    by_kind: dict[str, list[LabelledPair]] = {}
    for p in labelled_pairs:
        by_kind.setdefault(p.kind or "unlabelled", []).append(p)
    return {k: _scores(v, cluster_of) for k, v in sorted(by_kind.items())}


def false_merge_rate(labelled_pairs: Sequence[LabelledPair], clusters: Iterable[Iterable[str]]) -> float:
    """Merged pairs labelled distinct / merged labelled pairs; 0.0 when nothing is merged."""
    return pair_scores(labelled_pairs, clusters).false_merge_rate


def missed_merge_rate(labelled_pairs: Sequence[LabelledPair],
                      clusters: Iterable[Iterable[str]]) -> float | None:
    """Duplicate-labelled pairs not merged / duplicate-labelled pairs; None without duplicates."""
    return pair_scores(labelled_pairs, clusters).missed_merge_rate


@dataclass(frozen=True)
class ClusterScores:
    reference_pairs: int  # same-cluster pairs in the reference
    predicted_pairs: int  # same-cluster pairs predicted (within the reference's documents)
    true_pairs: int
    precision: float | None  # None: no predicted pair
    recall: float | None  # None: no reference pair
    f1: float | None  # None when precision or recall is None, 0.0 when both are 0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def cluster_pair_scores(reference: Mapping[str, str], clusters: Iterable[Iterable[str]]) -> ClusterScores:
    """Pair-counting precision / recall / F1 of predicted clusters against ``doc_id -> cluster_id``.

    Every pair of reference documents counts: a pair is positive when both share a cluster.
    Predicted documents missing from ``reference`` are ignored; reference documents absent from
    the prediction are singletons. Computed from cluster-size counts (no pair enumeration).
    """
    cluster_of = _cluster_of(clusters)
    ref_sizes = Counter(reference.values())
    pred_sizes = Counter(cluster_of[d] for d in reference if d in cluster_of)
    cell_sizes = Counter((c, cluster_of[d]) for d, c in reference.items() if d in cluster_of)
    ref_pairs = sum(_pairs(n) for n in ref_sizes.values())
    pred_pairs = sum(_pairs(n) for n in pred_sizes.values())
    true_pairs = sum(_pairs(n) for n in cell_sizes.values())
    precision = true_pairs / pred_pairs if pred_pairs else None
    recall = true_pairs / ref_pairs if ref_pairs else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClusterScores(ref_pairs, pred_pairs, true_pairs, precision, recall, f1)


@dataclass(frozen=True)
class SweepPoint:
    threshold: float
    overall: PairScores
    by_kind: dict[str, PairScores]
    clusters: ClusterScores | None = None  # against reference clusters, when given


def threshold_sweep(labelled_pairs: Sequence[LabelledPair],
                    clusters_at: Callable[[float], Iterable[Iterable[str]]],
                    thresholds: Iterable[float] = SWEEP_THRESHOLDS,
                    overall_kinds: Collection[str] | None = None,
                    reference_clusters: Mapping[str, str] | None = None) -> list[SweepPoint]:
    """Scores of ``clusters_at(t)`` for each threshold ``t`` (default 0.5, 0.55, ..., 0.95).

    ``clusters_at`` is e.g. ``lambda t: index.find(MatchParams(threshold=t)).as_sets()`` with a
    ``dedup.NearDuplicateIndex`` built once. ``overall_kinds``: kinds counted in the overall
    scores (None: all); the others are reported per kind only (e.g. paraphrases).
    ``reference_clusters`` (doc_id -> cluster_id) adds :func:`cluster_pair_scores`, which also
    sees merges of unlabelled pairs.
    """
    overall_pairs = [p for p in labelled_pairs if overall_kinds is None or p.kind in overall_kinds]
    points = []
    for t in thresholds:
        clusters = [set(c) for c in clusters_at(t)]
        cluster_scores = None if reference_clusters is None else cluster_pair_scores(reference_clusters, clusters)
        points.append(SweepPoint(t, pair_scores(overall_pairs, clusters),
                                 pair_scores_by_kind(labelled_pairs, clusters), cluster_scores))
    return points


def _fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def sweep_table(points: Sequence[SweepPoint]) -> str:
    """Markdown table: threshold, pair P / R / false-merge rate, cluster-pair P / R (when
    computed), then per kind the recall (duplicate kinds) or merged share (distinct kinds)."""
    kinds = sorted({k for p in points for k in p.by_kind})
    with_clusters = any(p.clusters is not None for p in points)
    head = ["threshold", "P", "R", "false-merge"] + (["cluster P", "cluster R"] if with_clusters else []) + kinds
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for p in points:
        row = [f"{p.threshold:.2f}", _fmt(p.overall.precision), _fmt(p.overall.recall),
               _fmt(p.overall.false_merge_rate)]
        if with_clusters:
            row += [_fmt(p.clusters.precision if p.clusters else None),
                    _fmt(p.clusters.recall if p.clusters else None)]
        row += [_fmt(None if s is None else s.recall if s.duplicates else s.merged_fraction)
                for s in (p.by_kind.get(k) for k in kinds)]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)
