"""Two Celery workers against one: the per-document stages of a generated corpus on the stack
of ``scripts/stack.sh`` (PostgreSQL instance, Redis broker, moto S3 storage), side by side with
the same work in one local process.

``python benchmarks/bench_distributed.py [--size 150] [--batch 25] [--embed minilm]``

Each measurement is ``rag-eval backfill --changed`` (the per-document stages only, no corpus
refresh) into a fresh storage prefix, so every document is processed:

- local: ``RAG_EVAL_EXECUTOR=in_process``, local storage, SQLite instance (the default set-up);
- 1 worker busy: Celery executor, ``RAG_EVAL_MAX_CONCURRENT_RUNS=1`` (one batch at a time);
- 2 workers busy: ``RAG_EVAL_MAX_CONCURRENT_RUNS=2``.

A warm-up pass first (both workers load the parser and embedding model once per process, as
long-running workers do). Speed-ups are against the one-worker run measured in the same
invocation. On this 2-core machine two workers can give at most 2x, less what the submitting
processes, PostgreSQL, Redis and the S3 emulator take from the same cores.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def backfill(env: dict[str, str], log: Path) -> float:
    start = time.perf_counter()
    with open(log, "ab") as fh:
        code = subprocess.call([sys.executable, "-m", "rag_eval_assets.cli", "backfill", "--changed"],
                               env={**os.environ, **env}, stdout=fh, stderr=subprocess.STDOUT)
    if code != 0:
        raise SystemExit(f"backfill failed (exit {code}): see {log}")
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=150)
    ap.add_argument("--batch", type=int, default=25)
    ap.add_argument("--embed", default="minilm")
    ap.add_argument("--workdir", default="/tmp/bench-distributed")
    args = ap.parse_args()
    work = Path(args.workdir)
    corpus, golden, stack = work / "corpus", work / "golden", work / "stack"
    from rag_eval_assets.distributed import stack_env

    if not corpus.is_dir():
        from rag_eval_assets.sample import generate

        generate(str(corpus), str(golden), seed=0, size=args.size)
    stack.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o755)
    os.chmod(stack, 0o755)
    script_env = {**os.environ, "RAG_EVAL_STACK_DIR": str(stack)}
    subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "start", "2"], env=script_env, check=True,
                   stdout=subprocess.DEVNULL)
    try:
        remote = stack_env(stack / "env")
        common = {"RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_GOLDEN_ROOT": str(golden),
                  "RAG_EVAL_PARSERS": "pymupdf", "RAG_EVAL_PRIMARY_PARSER": "pymupdf",
                  "RAG_EVAL_EMBED_MODEL": args.embed, "RAG_EVAL_BATCH_SIZE": str(args.batch), "OMP_THREAD_LIMIT": "1"}
        log = work / "runs.log"
        stamp = time.strftime("%H%M%S")
        backfill({**common, **remote, "RAG_EVAL_STORAGE_ROOT": f"s3://rag-eval/warmup-{stamp}",
                  "RAG_EVAL_MAX_CONCURRENT_RUNS": "2"}, log)
        rows = [("local (in-process executor, local storage, SQLite)",
                 backfill({**common, "RAG_EVAL_STORAGE_ROOT": str(work / f"local-{stamp}"),
                           "DAGSTER_HOME": str(work / "home-local"), "RAG_EVAL_EXECUTOR": "in_process"}, log))]
        for n in (1, 2):
            rows.append((f"Celery, {n} worker{'s' if n > 1 else ''} busy (PostgreSQL, S3)",
                         backfill({**common, **remote, "RAG_EVAL_STORAGE_ROOT": f"s3://rag-eval/c{n}-{stamp}",
                                   "RAG_EVAL_MAX_CONCURRENT_RUNS": str(n)}, log)))
    finally:
        subprocess.run(["bash", str(ROOT / "scripts" / "stack.sh"), "stop"], env=script_env, stdout=subprocess.DEVNULL)
    docs = sum(1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("_"))
    one = rows[1][1]
    print(f"{docs} documents, batches of {args.batch}, pymupdf, {args.embed}; per-document stages only")
    print("| set-up | wall s | docs/s | speed-up vs 1 worker |\n|---|--:|--:|--:|")
    for label, wall in rows:
        print(f"| {label} | {wall:.1f} | {docs / wall:.2f} | {one / wall:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
