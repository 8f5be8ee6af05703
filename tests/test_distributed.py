"""Many machines on a real engine, on one machine: `scripts/stack.sh` starts PostgreSQL (the
Dagster instance), Redis (Celery's broker), moto's S3 server (the storage root) and two Celery
workers; `rag-eval run` with ``RAG_EVAL_EXECUTOR=celery`` sends each batch of documents to a
worker. The figures (every per-document version, scorecards, index, online evaluation) must
equal those of a plain local run of the same corpus, and both workers must have done work.

Skipped, with the reason, where a service or the ``distributed`` extra is missing; CI installs
them (scripts/setup.sh), so there it runs."""

from __future__ import annotations

import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from _harness import figures, sample_subset

from rag_eval_assets.distributed import stack_env
from rag_eval_assets.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.distributed]
STACK = PROJECT_ROOT / "scripts" / "stack.sh"
CLASSES = {"text_multilingual", "text_pii", "text_near_duplicate", "pdf_single_column"}


def _missing() -> str | None:
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL server binaries are absent (apt-get install postgresql; scripts/setup.sh does it as root)"
    if shutil.which("redis-server") is None:
        return "redis-server is absent (apt-get install redis-server; scripts/setup.sh does it as root)"
    for module in ("dagster_celery", "dagster_postgres", "moto", "s3fs"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[distributed]'; scripts/setup.sh does it)"
    return None


def _free_port_base() -> int:
    """A base whose three stack ports (+32, +50, +79) are free."""
    for base in range(56000, 60000, 100):
        free = True
        for offset in (32, 50, 79):
            with socket.socket() as s:
                free &= s.connect_ex(("127.0.0.1", base + offset)) != 0
        if free:
            return base
    raise RuntimeError("no free port range for the stack")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    reason = _missing()
    if reason:
        pytest.skip(reason)
    # not under pytest's 0700 folders: PostgreSQL runs as its own user when the tests run as root
    folder = Path(tempfile.mkdtemp(prefix="rag-eval-stack-"))
    os.chmod(folder, 0o755)
    env = {**os.environ, "RAG_EVAL_STACK_DIR": str(folder), "RAG_EVAL_STACK_PORT_BASE": str(_free_port_base())}
    started = subprocess.run(["bash", str(STACK), "start", "2"], env=env, capture_output=True, text=True, timeout=600)
    try:
        assert started.returncode == 0, f"stack did not start:\n{started.stdout}\n{started.stderr}"
        yield folder, stack_env(folder / "env")
    finally:
        subprocess.run(["bash", str(STACK), "stop"], env=env, capture_output=True, timeout=300)
        shutil.rmtree(folder, ignore_errors=True)


def _run(env: dict[str, str], log: Path) -> str:
    proc = subprocess.run([sys.executable, "-m", "rag_eval_assets.cli", "run"], env={**os.environ, **env},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1800)
    log.write_text(proc.stdout)
    assert proc.returncode == 0, f"rag-eval run failed (log {log}):\n{proc.stdout[-4000:]}"
    return proc.stdout


def test_celery_workers_postgres_and_s3_give_the_local_figures(stack, tmp_path, monkeypatch):
    folder, stack_env = stack
    corpus, keys = sample_subset(tmp_path / "corpus", CLASSES, per_class=4)
    common = {"RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_BATCH_SIZE": "4", "RAG_EVAL_PARSERS": "pymupdf",
              "RAG_EVAL_PRIMARY_PARSER": "pymupdf", "RAG_EVAL_EMBED_MODEL": "hashing", "OMP_THREAD_LIMIT": "1"}
    local = {**common, "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "local"), "DAGSTER_HOME": str(tmp_path / "home"),
             "RAG_EVAL_EXECUTOR": "in_process"}
    _run(local, tmp_path / "local.log")

    remote = {**common, **stack_env, "RAG_EVAL_STORAGE_ROOT": "s3://rag-eval/test", "RAG_EVAL_MAX_CONCURRENT_RUNS": "2"}
    out = _run(remote, tmp_path / "distributed.log")
    assert f"{len(keys) // 4} runs on Celery workers" in out
    done = {w: open(folder / f"{w}.log").read().count("Task execute_plan") for w in ("worker1", "worker2")}
    assert all(n > 0 for n in done.values()), f"a worker took no task: {done}"  # both workers did work

    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(key, stack_env[key])
    expected = figures(tmp_path / "local")
    got = figures("s3://rag-eval/test")
    assert got["versions"]["embeddings"] and len(got["manifest"]) == len(keys)
    assert got == expected

    # the runs are in the PostgreSQL instance, which any machine with DAGSTER_HOME reads
    import dagster as dg

    monkeypatch.setenv("DAGSTER_HOME", stack_env["DAGSTER_HOME"])
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs(dg.RunsFilter(job_name="document_stages"))
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert len(runs) == len(keys) // 4 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)


def test_s3_listings_are_one_request_and_see_other_writers(stack, monkeypatch):
    """Folder listings on S3: files vs folders, by key prefix, and never a stale cache (another
    process's new output shows at once)."""
    _, stack_env = stack
    for key in ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"):
        monkeypatch.setenv(key, stack_env[key])
    from rag_eval_assets.lib.storage import Storage

    s = Storage("s3://rag-eval/listing")
    for name in ("a/x@1.json", "a/x@2.json", "a/xy@1.json", "a/sub/z.json"):
        s.write_bytes(name, b"{}")
    assert s.names("a") == ["x@1.json", "x@2.json", "xy@1.json"] and s.folders("a") == ["sub"]
    assert s.names("a", prefix="x@") == ["x@1.json", "x@2.json"] and s.names("missing") == []
    code = ("from rag_eval_assets.lib.storage import Storage; "
            "Storage('s3://rag-eval/listing').write_bytes('a/x@3.json', b'{}')")
    subprocess.run([sys.executable, "-c", code], env={**os.environ}, check=True, timeout=120)
    assert s.names("a", prefix="x@") == ["x@1.json", "x@2.json", "x@3.json"]


def test_no_worker_on_the_broker_is_one_clear_line_not_a_hang(stack, tmp_path):
    """The broker is up but no worker listens on it (another Redis database): `rag-eval run`
    says so and exits 2 instead of queueing runs nobody takes."""
    _, stack_env = stack
    corpus, _ = sample_subset(tmp_path / "corpus", {"text_multilingual"}, per_class=1)
    broker = stack_env["RAG_EVAL_CELERY_BROKER"].rsplit("/", 1)[0] + "/5"
    env = {**os.environ, **stack_env, "RAG_EVAL_CELERY_BROKER": broker, "RAG_EVAL_CORPUS_ROOT": str(corpus),
           "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"), "DAGSTER_HOME": str(tmp_path / "home"),
           "RAG_EVAL_PARSERS": "pymupdf", "RAG_EVAL_PRIMARY_PARSER": "pymupdf", "RAG_EVAL_EMBED_MODEL": "hashing"}
    proc = subprocess.run([sys.executable, "-m", "rag_eval_assets.cli", "run"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 2, proc.stdout[-2000:] + proc.stderr[-2000:]
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("rag-eval:")]
    assert line and "no Celery worker answered" in line[0] and broker in line[0]
