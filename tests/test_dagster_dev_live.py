"""Live: `dagster dev -w workspace.yaml` serves the lineage, its daemon runs the corpus sensor,
and editing one file requests exactly that document (slow: starts a real webserver + daemon)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest
from _corpus import write_corpus

from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.outputs import Outputs

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout=180, step=1.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def test_dagster_dev_after_rag_eval_run(tmp_path, monkeypatch):
    """`rag-eval run`, then `dagster dev` on the same instance: 0 runs requested; one edit ->
    exactly that document, then one corpus refresh by itself and a new report; a golden-set
    edit -> the evaluation refreshes."""
    from rag_eval_assets import cli

    corpus = write_corpus(tmp_path / "corpus")
    golden = tmp_path / "golden"
    golden.mkdir()
    home = tmp_path / "home"
    env = {"DAGSTER_HOME": str(home), "RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"),
           "RAG_EVAL_SENSOR_INTERVAL_S": "3", "RAG_EVAL_GOLDEN_ROOT": str(golden), "RAG_EVAL_PARSERS": "pymupdf",
           "RAG_EVAL_PRIMARY_PARSER": "pymupdf", "RAG_EVAL_EMBED_MODEL": "hashing"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    assert cli.main(["run"]) == 0
    instance = dg.DagsterInstance.get()
    before = {r.run_id for r in instance.get_runs()}
    outputs = Outputs(tmp_path / "storage")
    first_report = outputs.read_state("refresh")["report_run_id"]

    port = _free_port()
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
        cwd=ROOT, env={**os.environ, **env}, stdout=open(tmp_path / "dev.log", "wb"), stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), start_new_session=True)
    try:
        def new_runs(job=None):
            return [r for r in instance.get_runs() if r.run_id not in before and (job is None or r.job_name == job)]

        def ticks():
            states = [st for st in instance.all_instigator_state() if st.name == "corpus_sensor"]
            return instance.get_ticks(states[0].instigator_origin_id, states[0].selector_id, limit=50) if states else []

        # the sensor ticks (RUNNING by default) and requests nothing: `rag-eval run` did the work
        _wait(lambda: len([t for t in ticks() if t.status.value != "STARTED"]) >= 3, what="three sensor ticks")
        assert new_runs() == [], [r.job_name for r in new_runs()]

        # lineage served by the webserver
        nodes = _graphql(port, "{ assetNodes { assetKey { path } dependencyKeys { path } } }")["data"]["assetNodes"]
        deps = {n["assetKey"]["path"][-1]: {d["path"][-1] for d in n["dependencyKeys"]} for n in nodes}
        assert "raw_documents" in deps["document_records"] and "golden_files" in deps["golden_sets"]
        assert "golden_sets" in deps["retrieval_eval"]

        # one edit -> one document run for exactly that document, then one refresh and a new report
        (corpus / "notes/billing.txt").write_text("Invoices are issued on the third business day.")
        doc_run = _wait(lambda: new_runs("document_stages"), what="the edited document's run")
        assert len(doc_run) == 1
        edited = doc_id_for("notes/billing.txt")
        assert doc_run[0].tags["dagster/asset_partition_range_start"] == edited
        assert doc_run[0].tags["dagster/asset_partition_range_end"] == edited
        _wait(lambda: (outputs.read_state("refresh") or {}).get("report_run_id") not in (None, first_report),
              timeout=300, what="the refresh and a new report")
        assert len(new_runs("corpus_refresh")) == 1 and len(new_runs("document_stages")) == 1
        second_report = outputs.read_state("refresh")["report_run_id"]

        # a golden-set edit refreshes the evaluation (no document run)
        (golden / "language.json").write_text(json.dumps({edited: "en"}))
        _wait(lambda: outputs.read_state("refresh")["report_run_id"] != second_report, timeout=300,
              what="the refresh after a golden-set edit")
        assert len(new_runs("document_stages")) == 1 and len(new_runs("corpus_refresh")) == 2
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)

