"""Retrieval lanes: sparse BM25 (``sparse``) over string ids, saved and loaded atomically.
bm25s and PyStemmer are imported only when an index is built, loaded or a stemmer is made."""

from __future__ import annotations

from rag_eval_assets.lib.retrieval.sparse import (
    DEFAULT_B,
    DEFAULT_K1,
    ENGLISH_STOPWORDS,
    BM25Index,
    Tokenizer,
    stemmer_languages,
)

__all__ = ["DEFAULT_B", "DEFAULT_K1", "ENGLISH_STOPWORDS", "BM25Index", "Tokenizer", "stemmer_languages"]
