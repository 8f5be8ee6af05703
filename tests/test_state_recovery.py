"""Trust in state: a run killed with SIGKILL at any point, then a plain re-run, gives exactly
the figures of an uninterrupted run; a document whose step failed is retried, alone, by the
next run. (Slow: real `rag-eval run` processes.)"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _harness import figures, sample_subset

from rag_eval_assets import cli
from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.outputs import Outputs

pytestmark = pytest.mark.slow
CLASSES = {"text_multilingual", "text_pii", "text_near_duplicate"}


def _env(tmp: Path, corpus: Path) -> dict[str, str]:
    return {"RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_STORAGE_ROOT": str(tmp / "storage"),
            "DAGSTER_HOME": str(tmp / "home"), "RAG_EVAL_BATCH_SIZE": "4", "RAG_EVAL_PARSERS": "pymupdf",
            "RAG_EVAL_PRIMARY_PARSER": "pymupdf", "RAG_EVAL_EMBED_MODEL": "hashing"}


def _start(tmp: Path, corpus: Path) -> subprocess.Popen:
    tmp.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "rag_eval_assets.cli", "run"], env={**os.environ, **_env(tmp, corpus)},
                            stdout=open(tmp / f"run-{time.monotonic_ns()}.log", "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def _kill_when(proc: subprocess.Popen, ready, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its parser workers, mid-write
            proc.wait(30)
            return
        if proc.poll() is not None:
            raise AssertionError(f"the run ended before {what}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_sigkill_mid_documents_and_mid_refresh_then_plain_rerun_gives_the_same_figures(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", CLASSES, per_class=4)
    reference = tmp_path / "reference"
    assert _start(reference, corpus).wait(900) == 0
    expected = figures(reference / "storage")

    killed = tmp_path / "killed"
    cleaned = killed / "storage" / "cleaned_documents"
    proc = _start(killed, corpus)  # killed inside the per-document stages
    _kill_when(proc, lambda: cleaned.is_dir() and 0 < len(list(cleaned.glob("*.json"))) < len(keys), "some cleaned outputs")
    proc = _start(killed, corpus)  # killed inside the corpus refresh (documents done, index being built)
    _kill_when(proc, lambda: (killed / "storage" / "near_duplicates" / "_corpus.parquet").exists(), "the refresh")
    assert _start(killed, corpus).wait(900) == 0  # a plain re-run: no flag
    assert figures(killed / "storage") == expected


def test_a_failed_clean_step_is_retried_alone_by_the_next_run(tmp_path, monkeypatch, capsys):
    corpus, keys = sample_subset(tmp_path / "corpus", {"text_multilingual"}, per_class=4)
    for var, value in _env(tmp_path, corpus).items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("RAG_EVAL_GOLDEN_ROOT", str(tmp_path))
    victim = keys[1]
    from rag_eval_assets.lib.cleaning import document

    real = document.clean_document

    def flaky(doc_id, *args, **kwargs):
        if doc_id == victim:
            raise MemoryError("simulated: the clean step of one document blew up")
        return real(doc_id, *args, **kwargs)

    monkeypatch.setattr(document, "clean_document", flaky)
    assert cli.main(["run"]) == 0  # one document, one failure: the batch and the refresh go on
    text = capsys.readouterr().out
    assert "cleaned_documents: error: MemoryError" in text and "retried: next run" in text
    out = Outputs(tmp_path / "storage")
    assert set(out.versions("cleaned_documents")) == set(keys) - {victim}
    assert victim not in {r["doc_id"] for r in out.read_rows("near_duplicates")}
    monkeypatch.setattr(document, "clean_document", real)
    assert cli.main(["run", "--dry-run"]) == 0
    assert "1 with work left" in capsys.readouterr().out  # exactly it, nothing else
    assert cli.main(["run"]) == 0
    capsys.readouterr()
    assert set(out.versions("cleaned_documents")) == set(keys) and not out.errors()
    flat, doc_of = out.indexed_chunks()
    assert victim in set(doc_of.values())


def test_a_deleted_document_leaves_no_output_and_indexes_survive(tmp_path, monkeypatch, capsys):
    corpus, keys = sample_subset(tmp_path / "corpus", {"text_multilingual"}, per_class=3)
    for var, value in _env(tmp_path, corpus).items():
        monkeypatch.setenv(var, value)
    monkeypatch.setenv("RAG_EVAL_GOLDEN_ROOT", str(tmp_path))
    assert cli.main(["run"]) == 0
    first = sorted(p for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("_"))[0]
    first.unlink()
    assert cli.main(["run"]) == 0
    out = Outputs(tmp_path / "storage")
    gone = doc_id_for(first.relative_to(corpus).as_posix())
    for asset in ("document_records", "parsed_pymupdf", "cleaned_documents", "chunks", "embeddings"):
        assert gone not in out.versions(asset)
    assert out.vector_index_exists() and out.sparse_index_exists()  # pruning never touches corpus-level outputs
    assert json.loads(json.dumps(out.read_state("refresh")))["inputs_digest"]
