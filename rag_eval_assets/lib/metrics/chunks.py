"""Chunk quality: semantic coherence, protected-structure splits, attribution, hierarchy, sizes.

Chunks are ``rag_eval_assets.lib.chunking.Chunk`` records (anything with doc_id, chunk_id, text,
start, end, page, section_path, token_count). Documents are ``{doc_id: (cleaned text, blocks)}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag_eval_assets.lib.chunking.model import (
    BlockLookup,
    Chunk,
    locate_blocks,
    protected_units,
)
from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.embedding.base import l2_normalize

Documents = Mapping[str, tuple[str, Sequence[Block]]]


def sentence_labels(sentences: Sequence[tuple[int, int]], chunks: Sequence[Chunk]) -> list[int]:
    """Index of the first chunk whose ``[start, end)`` holds each sentence's start; -1 if none."""
    return [next((i for i, c in enumerate(chunks) if c.start <= s < c.end), -1) for s, _ in sentences]


def coherence_parts(sentence_vectors: np.ndarray, labels: Sequence[int]) -> tuple[float | None, float | None]:
    """(mean cosine of adjacent sentences in the same chunk, mean across a chunk boundary);
    None where there is no such pair. Pairs touching a label -1 are skipped."""
    v = l2_normalize(sentence_vectors)
    if len(v) != len(labels):
        raise ValueError(f"{len(v)} sentence vectors but {len(labels)} labels")
    within, across = [], []
    for i in range(len(v) - 1):
        if labels[i] < 0 or labels[i + 1] < 0:
            continue
        (within if labels[i] == labels[i + 1] else across).append(float(v[i] @ v[i + 1]))
    return (float(np.mean(within)) if within else None, float(np.mean(across)) if across else None)


def coherence(sentence_vectors: np.ndarray, labels: Sequence[int]) -> float:
    """mean_{adjacent pairs in one chunk} cos − mean_{adjacent pairs across a boundary} cos.

    ``sentence_vectors[i]`` embeds sentence i (document order), ``labels[i]`` is its chunk
    (``sentence_labels``). Higher is better: chunks hold related sentences and cut where the
    topic moves. 0.0 when either set of pairs is empty (one chunk, or one sentence per chunk).
    """
    within, across = coherence_parts(sentence_vectors, labels)
    return within - across if within is not None and across is not None else 0.0


@dataclass(frozen=True)
class BoundaryReport:
    """``violations``: protected units (tables, lists, numbered runs) no chunk holds whole
    although some chunk touches them; ``units``: how many there were; per kind."""

    violations: int
    units: int
    by_kind: dict[str, int] = field(default_factory=dict)


def boundary_violations(chunks: Sequence[Chunk], text: str, blocks: Sequence[Block]) -> BoundaryReport:
    """Count tables, lists (adjacent list items) and numbered runs that were split: unit
    ``[s, e)`` is split when no chunk has ``start <= s`` and ``e <= end`` while at least one chunk
    overlaps it. Units no chunk touches (dropped text) are not splits. No units: 0 of 0."""
    units = protected_units(locate_blocks(text, blocks)[0])
    split: Counter[str] = Counter()
    for u in units:
        touched = [c for c in chunks if c.start < u.end and u.start < c.end]
        if touched and not any(c.start <= u.start and u.end <= c.end for c in touched):
            split[u.kind] += 1
    return BoundaryReport(sum(split.values()), len(units), dict(split))


def attribution_failures(chunks: Sequence[Chunk], documents: Documents) -> list[tuple[str, str]]:
    """``(chunk_id, reason)`` for each chunk whose pointer does not resolve. A chunk resolves
    when its doc id is known, ``text[start:end] == chunk.text``, its page is None or a page of a
    block overlapping the chunk (any block page when none is located there), and its section
    path is empty or the section path of some block of the document."""
    failures: list[tuple[str, str]] = []
    located: dict[str, tuple[list, set[tuple[str, ...]], set[int]]] = {}
    for c in chunks:
        if c.doc_id not in documents:
            failures.append((c.chunk_id, "unknown doc_id"))
            continue
        text, blocks = documents[c.doc_id]
        if c.doc_id not in located:
            spans = locate_blocks(text, blocks)[0]
            located[c.doc_id] = (spans, {tuple(b.section_path) for b in blocks},
                                 {b.page for b in blocks if b.page is not None})
        spans, sections, all_pages = located[c.doc_id]
        if not (0 <= c.start <= c.end <= len(text)) or text[c.start:c.end] != c.text:
            failures.append((c.chunk_id, "offsets do not give the chunk text"))
            continue
        if c.page is not None:
            pages = {s.block.page for s in spans if s.start < c.end and c.start < s.end} - {None} or all_pages
            if c.page not in pages:
                failures.append((c.chunk_id, f"page {c.page} not in {sorted(pages)}"))
                continue
        if c.section_path and tuple(c.section_path) not in sections:
            failures.append((c.chunk_id, f"section path {c.section_path} not in the document"))
    return failures


def attribution_fidelity(chunks: Sequence[Chunk], documents: Documents) -> float:
    """Share of chunks whose doc id + offsets + page/section pointer resolve (see
    ``attribution_failures``); 1.0 for no chunks."""
    return 1.0 - len(attribution_failures(chunks, documents)) / len(chunks) if chunks else 1.0


def reference_section_paths(chunks: Sequence[Chunk], text: str, reference_blocks: Sequence[Block]) -> dict[str, list[str]]:
    """chunk_id -> section path of the reference block (e.g. golden headings) the chunk starts in."""
    lookup = BlockLookup(locate_blocks(text, reference_blocks)[0])
    return {c.chunk_id: lookup.at(c.start)[1] for c in chunks}


def hierarchy_preservation(chunks: Sequence[Chunk], reference: Mapping[str, Sequence[str]]) -> float:
    """Share of chunks whose section path equals ``reference[chunk_id]`` (a chunk without a
    reference counts as a miss); 1.0 for no chunks."""
    if not chunks:
        return 1.0
    return sum(c.chunk_id in reference and list(c.section_path) == list(reference[c.chunk_id])
               for c in chunks) / len(chunks)


def size_distribution(token_counts: Sequence[int] | Sequence[Chunk]) -> dict[str, float]:
    """count, min, median, p90, max, mean of chunk sizes in tokens (percentiles by numpy's
    linear interpolation); all 0 for no chunks."""
    counts = np.asarray([c if isinstance(c, (int, np.integer)) else c.token_count for c in token_counts], float)
    if len(counts) == 0:
        return dict.fromkeys(("count", "min", "median", "p90", "max", "mean"), 0.0)
    return {"count": float(len(counts)), "min": float(counts.min()), "median": float(np.median(counts)),
            "p90": float(np.percentile(counts, 90)), "max": float(counts.max()), "mean": float(counts.mean())}
