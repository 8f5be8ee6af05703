"""End to end through the CLI: `rag-eval run` / `backfill --changed` / `status` on a temporary
corpus, with the state the sensor reads."""

import json

import dagster as dg
import pytest
from _corpus import write_corpus

from rag_eval_assets import cli
from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.partitions import DOCUMENTS

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    (tmp_path / "golden").mkdir()
    for var, value in {"RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_GOLDEN_ROOT": str(tmp_path / "golden"),
                       "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"), "RAG_EVAL_BATCH_SIZE": "3",
                       "DAGSTER_HOME": str(tmp_path / "home"), "RAG_EVAL_PARSERS": "pymupdf",
                       "RAG_EVAL_PRIMARY_PARSER": "pymupdf", "RAG_EVAL_EMBED_MODEL": "hashing"}.items():
        monkeypatch.setenv(var, value)
    return corpus, Outputs(tmp_path / "storage"), tmp_path


def test_run_then_incremental_backfill_then_delete(project, capsys):
    corpus, out, tmp = project
    assert cli.main(["run", "--dry-run"]) == 0  # a dry run lists and writes nothing
    assert "4 with work left" in capsys.readouterr().out
    assert not (tmp / "home").exists() and not (tmp / "storage" / "_state").exists()
    assert cli.main(["run"]) == 0
    text = capsys.readouterr().out
    assert "4 with work left" in text and "[2/2] document_stages" in text  # batches of 3: two runs, not four
    assert "corpus_manifest:metadata_valid: PASS" in text and "report:" in text
    assert len(out.versions("document_records")) == 4 and len(out.manifest()) == 4
    assert (tmp / "home" / "dagster.yaml").read_text().startswith(cli.MANAGED)  # runs queue beyond 1 at a time

    assert cli.main(["run"]) == 0  # nothing changed: no run at all
    assert "0 with work left" in (text := capsys.readouterr().out) and "refresh: up to date" in text

    (corpus / "notes/vpn.txt").write_text("The VPN gateway now rotates keys every 4 hours.")
    assert cli.main(["backfill", "--changed", "--dry-run"]) == 0
    assert "notes/vpn.txt: document_records" in capsys.readouterr().out
    assert cli.main(["backfill", "--changed"]) == 0
    assert "1 with work left" in capsys.readouterr().out
    assert cli.main(["status"]) == 0
    status = capsys.readouterr().out
    assert "0 with work left" in status and "out of date" in status  # the backfill did not refresh

    (corpus / "guides/sso.txt").unlink()
    assert cli.main(["run"]) == 0
    gone = doc_id_for("guides/sso.txt")
    assert gone not in out.versions("document_records")
    assert gone not in {r["doc_id"] for r in out.manifest()}
    with dg.DagsterInstance.get() as instance:
        assert gone not in instance.get_dynamic_partitions(DOCUMENTS)


def test_invalid_metadata_excludes_the_document_and_the_refresh_goes_on(project, capsys):
    corpus, out, _ = project
    meta = corpus / "_metadata.jsonl"
    rows = [json.loads(line) for line in meta.read_text().splitlines()]
    rows[0]["tenant"] = "evilcorp"  # out of the ontology
    meta.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken line\n")
    assert cli.main(["run"]) == 0  # quality findings are not run failures
    text = capsys.readouterr().out
    assert "corpus_manifest:metadata_valid: FAIL (ERROR)" in text
    assert "invalid_metadata" in text and rows[0]["path"] in text  # the summary names the document
    assert len(out.manifest()) == 3  # the other documents go on: indexed and evaluated
    flat, doc_of = out.indexed_chunks()
    assert doc_id_for(rows[0]["path"]) not in set(doc_of.values()) and len(set(doc_of.values())) == 3
    assert cli.main(["run", "--strict"]) == 3
    capsys.readouterr()
    rows[0]["tenant"] = "acme"  # fixing the row re-processes exactly that document
    meta.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert cli.main(["run"]) == 0
    assert "1 with work left" in capsys.readouterr().out and len(out.manifest()) == 4


def test_bad_settings_exit_2_with_one_line(project, monkeypatch, capsys):
    monkeypatch.setenv("RAG_EVAL_PARSERS", "pymupdf,nonesuch")
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "RAG_EVAL_PARSERS" in err[0] and "nonesuch" in err[0]
