"""FAISS runtime settings: the OpenMP thread count on every calling thread, and the OpenMP wait
policy that faiss's bundled libgomp reads once, when faiss is first imported. The policy tests
run in child processes (a fresh libgomp each) and read what libgomp itself reports through
``OMP_DISPLAY_ENV=VERBOSE``: ``GOMP_SPINCOUNT`` 0 = passive, 300000 = its default spin."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from rag_eval_assets.lib.indexing import build_index
from rag_eval_assets.lib.indexing import faiss_index as fi

ROOT = Path(__file__).resolve().parents[1]


def _child(code: str, **env: str) -> tuple[str, str]:
    """Run ``code`` in a fresh interpreter that imports this checkout; (stdout, GOMP_SPINCOUNT)."""
    base = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_DISPLAY_ENV")}
    base.update(PYTHONPATH=str(ROOT), OMP_DISPLAY_ENV="VERBOSE", **env)
    done = subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, check=True)
    spin = re.search(r"GOMP_SPINCOUNT = '(\d+)'", done.stderr)
    assert spin, done.stderr[-2000:]
    return done.stdout.strip(), spin.group(1)


def _on_new_thread(fn):
    out: list = []
    worker = threading.Thread(target=lambda: out.append(fn()))
    worker.start()
    worker.join()
    return out[0]


def test_thread_count_applied_on_every_calling_thread(monkeypatch) -> None:
    faiss = fi._faiss()
    default = _on_new_thread(faiss.omp_get_max_threads)  # a fresh thread starts from libgomp's default
    monkeypatch.setattr(fi, "FAISS_THREADS", default + 1)  # a value no thread would have by itself
    x = np.random.default_rng(0).standard_normal((200, 16)).astype(np.float32)
    index = build_index("hnsw", x, [str(i) for i in range(200)])
    assert faiss.omp_get_max_threads() == default + 1
    searched_elsewhere = _on_new_thread(lambda: (index.search_rows(x[:3], 5), faiss.omp_get_max_threads())[1])
    assert searched_elsewhere == default + 1  # search_rows applies it on its own thread too
    assert fi.faiss_runtime()["threads"] == default + 1


def test_library_sets_passive_wait_policy_for_faiss_only() -> None:
    out, spin = _child("import os\nfrom rag_eval_assets.lib.indexing.faiss_index import faiss_runtime\n"
                       "r = faiss_runtime()\nprint(r['wait_policy'], r['threads'], os.environ.get('OMP_WAIT_POLICY'))")
    assert spin == "0"  # libgomp runs passive: idle threads sleep instead of spinning
    assert out == f"PASSIVE {fi.FAISS_THREADS} None"  # and the process environment is left as it was


def test_wait_policy_from_the_environment_wins() -> None:
    out, spin = _child("from rag_eval_assets.lib.indexing.faiss_index import faiss_runtime\n"
                       "print(faiss_runtime()['wait_policy'])", OMP_WAIT_POLICY="ACTIVE")
    assert (out, spin) == ("ACTIVE", "30000000000")


def test_faiss_imported_first_keeps_libgomp_default_and_says_so() -> None:
    out, spin = _child("import faiss\nfrom rag_eval_assets.lib.indexing.faiss_index import faiss_runtime\n"
                       "print(faiss_runtime()['wait_policy'])")
    assert spin == "300000" and out.startswith("unknown")  # too late: libgomp read its environment at import
