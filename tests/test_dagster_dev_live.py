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
from rag_eval_assets.partitions import DOCUMENTS

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


def test_dagster_dev_sensor_and_lineage(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus")
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").touch()
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "RAG_EVAL_CORPUS_ROOT": str(corpus),
           "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"), "RAG_EVAL_SENSOR_INTERVAL_S": "3",
           "RAG_EVAL_GOLDEN_ROOT": str(tmp_path / "golden")}
    dagster = Path(sys.executable).with_name("dagster")
    proc = subprocess.Popen(
        [str(dagster), "dev", "-w", "workspace.yaml", "-p", str(port), "-h", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=open(tmp_path / "dev.log", "wb"), stderr=subprocess.STDOUT,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL), start_new_session=True)
    try:
        monkeypatch.setenv("DAGSTER_HOME", str(home))
        instance = dg.DagsterInstance.get()

        def runs():
            return [r for r in instance.get_runs() if r.job_name == "document_stages"]

        # the sensor (RUNNING by default) adds the 4 partitions and runs them as one batch
        _wait(lambda: len(instance.get_dynamic_partitions(DOCUMENTS)) == 4, what="partitions")
        _wait(lambda: runs() and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs()),
              what="first batch run")
        assert len(runs()) == 1

        # lineage served by the webserver
        nodes = _graphql(port, "{ assetNodes { assetKey { path } dependencyKeys { path } } }")["data"]["assetNodes"]
        deps = {n["assetKey"]["path"][-1]: {d["path"][-1] for d in n["dependencyKeys"]} for n in nodes}
        assert "raw_documents" in deps["document_records"]
        assert "document_records" in deps["corpus_manifest"]

        # one edit -> exactly one new run, for exactly that document
        (corpus / "notes/billing.txt").write_text("Invoices are issued on the third business day.")
        edited = doc_id_for("notes/billing.txt")
        new = _wait(lambda: [r for r in runs() if r.tags.get("dagster/partition") == edited], what="edit run")
        time.sleep(8)  # two more sensor ticks: nothing else may be requested
        assert len(runs()) == 2 and len(new) == 1
        assert new[0].tags["dagster/run_key"].startswith(f"doc:{edited}:")

        # one deletion -> its partition is removed
        (corpus / "guides/sso.txt").unlink()
        _wait(lambda: doc_id_for("guides/sso.txt") not in instance.get_dynamic_partitions(DOCUMENTS),
              what="partition removal")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
