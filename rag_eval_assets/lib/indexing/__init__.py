"""Vector indexes: FAISS flat (exact), HNSW and IVF over unit-norm vectors, with string ids and
a metadata table, saved and loaded atomically. ANN quality (recall@k vs flat, sweeps) lives in
``rag_eval_assets.lib.metrics.ann``. faiss is imported only when an index is built or loaded.
"""

from rag_eval_assets.lib.indexing.faiss_index import (
    DEFAULTS,
    INDEX_KINDS,
    VectorIndex,
    build_index,
    default_nlist,
)

__all__ = ["DEFAULTS", "INDEX_KINDS", "VectorIndex", "build_index", "default_nlist"]
