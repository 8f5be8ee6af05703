"""Semantic chunking: cut where the similarity of adjacent sentences drops.

Sentences (``model.sentence_spans``) are embedded with the given function; s_i = cos(e_i,
e_{i+1}). A cut goes between sentences i and i+1 when s_i < P_p(s), the ``percentile``-th
percentile of all s (numpy's linear interpolation), so about ``percentile``% of the gaps become
boundaries — the "percentile breakpoint" rule of LlamaIndex/LangChain, stated on similarity
rather than distance (a gap exactly at the threshold is not cut). A group is also closed before
it would exceed ``max_tokens``, and a single sentence longer than that is cut by the recursive
splitter. One sentence: one chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from rag_eval_assets.lib.chunking.model import sentence_spans
from rag_eval_assets.lib.chunking.recursive import recursive_spans
from rag_eval_assets.lib.chunking.tokens import TokenIndex
from rag_eval_assets.lib.embedding.base import l2_normalize

EmbedFn = Callable[[Sequence[str]], np.ndarray]


def adjacent_similarities(vectors: np.ndarray) -> np.ndarray:
    """cos(v_i, v_{i+1}) for i < n-1 (rows normalized first; zero rows give 0)."""
    v = l2_normalize(vectors)
    return np.sum(v[:-1] * v[1:], axis=1, dtype=np.float64) if len(v) > 1 else np.zeros(0)


def semantic_spans(text: str, tokens: TokenIndex, embed: EmbedFn, percentile: float = 10.0,
                   max_tokens: int = 256) -> list[tuple[int, int]]:
    """Chunk spans of ``text``: groups of sentences cut at similarity drops (module docstring)."""
    if not 0 <= percentile <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {percentile}")
    sents = sentence_spans(text)
    if not sents:
        return []
    sims = adjacent_similarities(embed([text[s:e] for s, e in sents]))
    threshold = float(np.percentile(sims, percentile)) if len(sims) else 0.0
    out: list[tuple[int, int]] = []
    group: list[tuple[int, int]] = []

    def close() -> None:
        if group:
            out.append((group[0][0], group[-1][1]))
            group.clear()

    for i, (s, e) in enumerate(sents):
        if tokens.count(s, e) > max_tokens:
            close()
            out.extend(recursive_spans(text, tokens, max_tokens, 0, s, e))
            continue
        if group and (sims[i - 1] < threshold or tokens.count(group[0][0], e) > max_tokens):
            close()
        group.append((s, e))
    close()
    return out
