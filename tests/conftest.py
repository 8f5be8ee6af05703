"""Shared fixtures. ``evaldata``: the real public evaluation data (../shared/evaldata, or
``$RAG_EVAL_EVALDATA``); tests that use it skip with a clear reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag_eval_assets.lib.goldens.adapters import EVALDATA_ENV, default_evaldata_root


@pytest.fixture(scope="session")
def evaldata() -> Path:
    """Root of the shared evaluation data; skips the test when the folder is absent."""
    root = default_evaldata_root()
    if not root.is_dir():
        pytest.skip(f"evaldata folder {root} is absent (set ${EVALDATA_ENV} or check out ../shared/evaldata)")
    return root
