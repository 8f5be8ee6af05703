"""The embedder protocol and a model-free embedder for fast, deterministic tests.

Every embedder returns an ``(n, dim)`` float32 array whose rows have unit L2 norm, so inner
product is cosine similarity everywhere downstream (FAISS ``IndexFlatIP``, drift, coherence).
An empty text (or one with no token) embeds to the zero vector: it has no direction, and its
cosine with anything is 0.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into unit-norm float32 vectors of a fixed dimension."""

    model_id: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalized (zero rows stay zero)."""
        ...


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows divided by their L2 norm, as float32; all-zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


class HashingEmbedder:
    """Signed feature hashing of lower-cased ``\\w+`` tokens, weight ``1 + ln(tf)``, L2-normalized.

    Deterministic across processes and platforms (blake2b of the token, not Python's salted
    ``hash``): token ``t`` goes to bucket ``h(t) mod dim`` with sign from one more hash bit.
    Its cosine is a hashed bag-of-words similarity: a lexical ranker, good enough for tests of
    caches, indexes and metrics without loading a model.
    """

    def __init__(self, dim: int = 384) -> None:
        if dim < 1:
            raise ValueError("dim must be >= 1")
        self.dim = dim
        self.model_id = f"hashing-bow-v1-{dim}"
        self._buckets: dict[str, tuple[int, float]] = {}

    def _bucket(self, token: str) -> tuple[int, float]:
        hit = self._buckets.get(token)
        if hit is None:
            h = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
            hit = self._buckets[token] = ((h >> 1) % self.dim, 1.0 if h & 1 else -1.0)
        return hit

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token, tf in Counter(_WORD.findall(text.lower())).items():
                col, sign = self._bucket(token)
                out[row, col] += sign * (1.0 + np.log(tf))
        return l2_normalize(out)
