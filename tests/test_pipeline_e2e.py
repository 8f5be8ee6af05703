"""End to end: `rag-eval run` / `rag-eval backfill --changed` on a temporary corpus."""

import dagster as dg
import pytest
from _corpus import write_corpus

from rag_eval_assets import cli
from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.storage import Storage
from rag_eval_assets.partitions import DOCUMENTS

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    (tmp_path / "golden").mkdir()
    monkeypatch.setenv("RAG_EVAL_CORPUS_ROOT", str(corpus))
    monkeypatch.setenv("RAG_EVAL_GOLDEN_ROOT", str(tmp_path / "golden"))
    monkeypatch.setenv("RAG_EVAL_STORAGE_ROOT", str(tmp_path / "storage"))
    monkeypatch.setenv("RAG_EVAL_BATCH_SIZE", "3")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    return corpus, Storage(tmp_path / "storage")


def test_run_then_incremental_backfill_then_delete(project, capsys):
    corpus, store = project
    assert cli.main(["run"]) == 0
    out = capsys.readouterr().out
    assert "4 to process" in out
    assert "[2/2] document_stages" in out  # 4 documents in batches of 3: two runs, not four
    assert "corpus_manifest:metadata_valid: PASS" in out
    assert len(store.keys("document_records")) == 4
    assert len(store.read_rows("corpus_manifest")) == 4

    with dg.DagsterInstance.get() as instance:
        assert len(instance.get_dynamic_partitions(DOCUMENTS)) == 4
        mats = instance.fetch_materializations(dg.AssetKey("document_records"), limit=100).records
        assert len(mats) == 4

    # nothing changed: nothing to process
    assert cli.main(["backfill", "--changed", "--dry-run"]) == 0
    assert capsys.readouterr().out.strip().endswith("nothing changed")

    # one edit: exactly that document
    (corpus / "notes/vpn.txt").write_text("The VPN gateway now rotates keys every 4 hours.")
    assert cli.main(["backfill", "--changed", "--dry-run"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == doc_id_for("notes/vpn.txt")
    assert cli.main(["backfill", "--changed"]) == 0
    rec = store.read_rows("document_records", doc_id_for("notes/vpn.txt"))[0]
    assert "4 hours" not in rec["path"] and rec["size_bytes"] == len("The VPN gateway now rotates keys every 4 hours.")

    # one deletion: partition, record and manifest row are gone after the next run
    (corpus / "guides/sso.txt").unlink()
    assert cli.main(["run"]) == 0
    gone = doc_id_for("guides/sso.txt")
    assert gone not in store.keys("document_records")
    assert gone not in {r["doc_id"] for r in store.read_rows("corpus_manifest")}
    with dg.DagsterInstance.get() as instance:
        assert gone not in instance.get_dynamic_partitions(DOCUMENTS)


def test_invalid_metadata_fails_the_blocking_check(project, capsys):
    corpus, store = project
    meta = corpus / "_metadata.jsonl"
    meta.write_text(meta.read_text().replace('"locale": "en-US"', '"locale": "en-AU"', 1))
    assert cli.main(["run"]) == 1
    out = capsys.readouterr().out
    assert "corpus_manifest:metadata_valid: FAIL (ERROR)" in out
