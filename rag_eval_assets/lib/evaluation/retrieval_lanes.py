"""Golden queries through the retrieval lanes: dense (vector index), sparse (BM25) and hybrid
(Reciprocal Rank Fusion of the two), scored per query, per slice and as ΔnDCG of hybrid over
each lane.

Lanes rank chunks; the golden qrels judge documents, so each chunk ranking becomes a document
ranking by first occurrence (a document ranks where its best chunk ranks). Hybrid fuses the
chunk rankings (what a production hybrid retriever returns), then collapses them the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag_eval_assets.lib.metrics.fusion import rrf
from rag_eval_assets.lib.metrics.retrieval import RunEvaluation, evaluate_run

Hits = list[tuple[str, float]]
#: ``(query texts, k) -> per query, (id, score) best first``
SearchFn = Callable[[Sequence[str], int], list[Hits]]
LANES = ("dense", "sparse", "hybrid")
METRICS = ("recall@10", "recall@100", "precision@10", "hit@10", "ndcg@10", "mrr", "ap")


def lane_hits(queries: Mapping[str, str], dense: SearchFn, sparse: SearchFn, depth: int = 100,
              rrf_k: int = 60) -> dict[str, dict[str, Hits]]:
    """Chunk hits per lane and query: the top ``depth`` of each lane and their RRF fusion."""
    qids = sorted(queries)
    texts = [queries[q] for q in qids]
    out: dict[str, dict[str, Hits]] = {"dense": {}, "sparse": {}, "hybrid": {}}
    for lane, search in (("dense", dense), ("sparse", sparse)):
        out[lane] = dict(zip(qids, search(texts, depth))) if qids else {}
    for q in qids:
        out["hybrid"][q] = rrf([[c for c, _ in out["dense"][q]], [c for c, _ in out["sparse"][q]]], k=rrf_k)[:depth]
    return out


def documents_of(hits: Iterable[tuple[str, float]], doc_of: Mapping[str, str]) -> list[str]:
    """Document ranking from chunk hits: each document at the rank of its best chunk."""
    seen: dict[str, None] = {}
    for chunk_id, _ in hits:
        seen.setdefault(doc_of[chunk_id])
    return list(seen)


def document_rankings(hits: Mapping[str, Mapping[str, Hits]], doc_of: Mapping[str, str]) -> dict[str, dict[str, list[str]]]:
    """``{lane: {qid: [doc, ...]}}`` from ``lane_hits``."""
    return {lane: {q: documents_of(h, doc_of) for q, h in per_q.items()} for lane, per_q in hits.items()}


@dataclass(frozen=True)
class LaneReport:
    """Per lane: the run evaluation; per slice rows; ΔnDCG@10 of hybrid over each single lane."""

    evaluations: dict[str, RunEvaluation]
    slices: list[dict[str, Any]]
    delta_ndcg: dict[str, float]
    per_query: list[dict[str, Any]]


def slice_rows(evaluations: Mapping[str, RunEvaluation], query_metadata: Mapping[str, Mapping[str, Any]],
               fields: Sequence[str]) -> list[dict[str, Any]]:
    """Mean of every metric per (lane, slice field, slice value) over the judged queries."""
    rows = []
    for lane, ev in evaluations.items():
        for f in fields:
            groups: dict[str, list[str]] = defaultdict(list)
            for q in ev.per_query:
                groups[str(query_metadata.get(q, {}).get(f))].append(q)
            for value, qids in sorted(groups.items()):
                metrics = list(ev.mean)
                rows.append({"lane": lane, "slice": f, "value": value, "queries": len(qids),
                             **{m: sum(ev.per_query[q][m] for q in qids) / len(qids) for m in metrics}})
    return rows


def evaluate_lanes(rankings: Mapping[str, Mapping[str, list[str]]], qrels: Mapping[str, Mapping[str, int]],
                   query_metadata: Mapping[str, Mapping[str, Any]] | None = None,
                   slice_fields: Sequence[str] = ("intent", "doc_class"),
                   metrics: Sequence[str] = METRICS) -> LaneReport:
    """Every retrieval metric per lane, query and slice, and ΔnDCG@10 = hybrid − lane (mean and
    per query). Queries are the qrels' (queries without relevant documents are not judged)."""
    query_metadata = query_metadata or {}
    evaluations = {lane: evaluate_run(run, qrels, metrics) for lane, run in rankings.items()}
    delta: dict[str, float] = {}
    per_query = []
    hybrid = evaluations.get("hybrid")
    if hybrid is not None:
        for lane in (name for name in evaluations if name != "hybrid"):
            delta[lane] = hybrid.mean["ndcg@10"] - evaluations[lane].mean["ndcg@10"]
        for q in sorted(hybrid.per_query):
            row = {"query_id": q, **{f: query_metadata.get(q, {}).get(f) for f in slice_fields}}
            for lane, ev in evaluations.items():
                row.update({f"{lane}_{m}": v for m, v in ev.per_query[q].items()})
            row.update({f"delta_ndcg@10_vs_{lane}": row["hybrid_ndcg@10"] - row[f"{lane}_ndcg@10"] for lane in delta})
            per_query.append(row)
    return LaneReport(evaluations, slice_rows(evaluations, query_metadata, slice_fields), delta, per_query)


def credit_canonical(qrels: Mapping[str, Mapping[str, int]], canonical: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """Qrels where a gold document removed as a near-duplicate is replaced by the canonical copy
    the index keeps (its grade, or the higher one when both are judged): dedup must not turn a
    retrievable answer into a miss, and one answer must not count as two relevant documents."""
    out = {}
    for q, rel in qrels.items():
        grades: dict[str, int] = {}
        for d, g in rel.items():
            c = canonical.get(d, d)
            grades[c] = max(grades.get(c, 0), g)
        out[q] = grades
    return out
