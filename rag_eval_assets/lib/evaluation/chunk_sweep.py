"""Chunk size / overlap sweep: Recall@k and nDCG@k of dense retrieval on the golden queries for
each (size, overlap) of the recursive chunker; the knee is the smallest size within ``tolerance``
of the best recall (bigger chunks cost context tokens without finding more)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from rag_eval_assets.lib.chunking import chunk_document
from rag_eval_assets.lib.metrics.retrieval import ndcg_at_k, recall_at_k

SIZES = (128, 256, 512, 1024)
OVERLAPS = (0.0, 0.1, 0.2)


def sweep_documents(texts: Mapping[str, str], qrels: Mapping[str, Mapping[str, int]],
                    max_documents: int) -> dict[str, str]:
    """The documents a sweep ranks over: every judged relevant document, then the others in a
    fixed pseudo-random order (by a hash of the id) up to ``max_documents``; all of them when
    the corpus is smaller. Distractors stay in (recall needs them); the cost stays bounded."""
    import hashlib

    if len(texts) <= max_documents:
        return dict(texts)
    gold = sorted({d for rel in qrels.values() for d in rel if d in texts})
    others = sorted((d for d in texts if d not in set(gold)), key=lambda d: hashlib.sha1(d.encode()).hexdigest())
    chosen = gold + others[: max(0, max_documents - len(gold))]
    return {d: texts[d] for d in sorted(chosen)}


def sweep_version() -> str:
    """Changes when the sweep's grid or rule does (part of the reuse key)."""
    return f"chunk-sweep/1:{SIZES}:{OVERLAPS}"


def rank_documents(query_vectors: np.ndarray, chunk_vectors: np.ndarray, chunk_docs: Sequence[str]) -> list[list[str]]:
    """Per query, documents ranked by their best chunk's cosine (max-pooling over chunks)."""
    scores = query_vectors @ chunk_vectors.T
    ranked = []
    for row in scores:
        seen: dict[str, None] = {}
        for i in np.argsort(-row, kind="stable"):
            seen.setdefault(chunk_docs[i])
        ranked.append(list(seen))
    return ranked


def chunk_size_sweep(texts: Mapping[str, str], queries: Mapping[str, str], qrels: Mapping[str, Mapping[str, int]],
                     embed: Callable[[Sequence[str]], np.ndarray], sizes: Sequence[int] = SIZES,
                     overlaps: Sequence[float] = OVERLAPS, k: int = 10) -> list[dict[str, Any]]:
    """One row per (size, overlap share): chunks, mean Recall@k and nDCG@k over the queries that
    have relevant documents in ``texts``."""
    judged = {q: {d: g for d, g in qrels.get(q, {}).items() if d in texts and g > 0} for q in queries}
    judged = {q: rel for q, rel in judged.items() if rel}
    qids = sorted(judged)
    query_vectors = embed([queries[q] for q in qids]) if qids else np.zeros((0, 1))
    rows = []
    for size in sizes:
        for share in overlaps:
            chunks = [c for doc_id in sorted(texts) for c in
                      chunk_document(doc_id, texts[doc_id], None, "recursive", size=size, overlap=int(size * share))]
            if not chunks or not qids:
                continue
            ranked = rank_documents(query_vectors, embed([c.text for c in chunks]), [c.doc_id for c in chunks])
            rows.append({"size": size, "overlap": share, "chunks": len(chunks),
                         f"recall@{k}": float(np.mean([recall_at_k(r, judged[q], k) for r, q in zip(ranked, qids)])),
                         f"ndcg@{k}": float(np.mean([ndcg_at_k(r, judged[q], k) for r, q in zip(ranked, qids)])),
                         "queries": len(qids)})
    return rows


def knee(rows: Sequence[Mapping[str, Any]], metric: str, tolerance: float = 0.01) -> dict[str, Any] | None:
    """The smallest chunk size (then smallest overlap) whose ``metric`` is within ``tolerance``
    of the best; None without rows."""
    if not rows:
        return None
    best = max(r[metric] for r in rows)
    return min((r for r in rows if r[metric] >= best - tolerance), key=lambda r: (r["size"], r["overlap"]))
