"""The whole pipeline with a non-local storage root (fsspec ``memory://``): every output lands
in the object store, nothing on the local disk, and a second run reads it back."""

import os

import fsspec
import pytest
from _corpus import write_corpus
from _harness import Project, write_beir_golden

from rag_eval_assets.lib.documents import doc_id_for

pytestmark = pytest.mark.slow


def _files(root):
    return {p for p in root.rglob("*") if p.is_file()}


def test_corpus_level_stages_on_a_memory_root(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    golden = write_beir_golden(tmp_path / "golden", {"q1": "How often does the VPN gateway rotate keys?",
                                                      "q2": "When are invoices issued?"},
                               {"q1": {doc_id_for("notes/vpn.txt"): 1}, "q2": {doc_id_for("notes/billing.txt"): 1}})
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)  # a path mangled into a local folder ("memory:/...") would land here
    before = _files(tmp_path)
    project = Project(tmp_path, corpus, golden=golden, storage_root="memory://rag-eval/t1")
    outcome = project.run()
    assert outcome.ok
    fs = fsspec.filesystem("memory")
    stored = fs.find("/rag-eval/t1")
    for part in ("/corpus_manifest/_corpus.parquet", "/vector_index/flat/current.json", "/sparse_index/current.json",
                 "/retrieval_eval/_summary.json", "/rag_eval_report/_latest.html", "/_cache/embeddings/"):
        assert any(part in s for s in stored), part
    assert _files(tmp_path) == before  # nothing on the local disk (corpus and golden files were there before)
    assert not os.listdir(work)
    again = project.run()  # read back from the store: nothing to do
    assert again.ok and not [r for r in again.results if r.dagster_run.job_name == "document_stages"]
