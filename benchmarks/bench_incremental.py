"""Incremental cost: a full `rag-eval run`, a run with no change and a run after 1 % of the
documents changed, side by side in one process, on a generated corpus.

``python benchmarks/bench_incremental.py [--size 2000] [--parsers pymupdf] [--embed minilm]
[--change 0.01] [--workdir DIR]``

Each run is a real `rag-eval run` subprocess (the CLI a user runs: settings, instance, partitions,
document runs, corpus refresh, report). CPU seconds are the children's user+system time
(`rusage`, the run and its parser workers), peak memory the largest child resident set; the
instance size is the DAGSTER_HOME folder. Per stage: wall and CPU seconds of the per-document
stages (written by each document run under `_state/stage_seconds/`) and the wall seconds of
each corpus-level step (the Dagster event log). The 1 % change appends a sentence to that many
text documents (Markdown, HTML or plain text) chosen with a fixed seed. Ratios are against the
full run measured in the same invocation. Each run's figures are also written to
``WORKDIR/results.json`` as soon as it ends, so a long benchmark that is stopped keeps what it
measured.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def run(env: dict[str, str], label: str, log: Path) -> dict[str, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log, "ab") as fh:
        fh.write(f"\n===== {label}\n".encode())
        fh.flush()  # before the child writes to the same file
        code = subprocess.call([sys.executable, "-m", "rag_eval_assets.cli", "run"], env=env, stdout=fh,
                               stderr=subprocess.STDOUT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"exit": code, "wall_s": time.perf_counter() - start,
            "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "peak_rss_mb": after.ru_maxrss / 1024}


def stage_seconds(storage: Path, since: float) -> dict[str, dict[str, float]]:
    """Per-document stage seconds summed over the document runs written after ``since``."""
    total: dict[str, dict[str, float]] = {}
    folder = storage / "_state" / "stage_seconds"
    for f in folder.glob("*.json") if folder.is_dir() else []:
        if f.stat().st_mtime < since:
            continue
        for stage, t in json.loads(f.read_text()).items():
            if isinstance(t, dict):
                acc = total.setdefault(stage, {"wall_s": 0.0, "cpu_s": 0.0})
                acc["wall_s"] += t["wall_s"]
                acc["cpu_s"] += t["cpu_s"]
    return total


def refresh_steps(home: Path, since: float) -> dict[str, float]:
    """Wall seconds of each corpus-level step (and the report) of the runs started after ``since``."""
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home)
    out: dict[str, float] = {}
    with dg.DagsterInstance.get() as instance:
        for run_ in instance.get_runs():
            if run_.job_name not in ("corpus_refresh", "evaluation_report"):
                continue
            stats = instance.get_run_stats(run_.run_id)
            if (stats.start_time or 0) < since:
                continue
            for step in instance.get_run_step_stats(run_.run_id):
                if step.end_time and step.start_time:
                    out[step.step_key] = out.get(step.step_key, 0.0) + step.end_time - step.start_time
    return out


def change(corpus: Path, share: float, seed: int = 7) -> int:
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".md", ".txt", ".html") and not p.name.startswith("_"))
    n_docs = sum(1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("_"))
    k = max(1, round(n_docs * share))
    for path in random.Random(seed).sample(files, min(k, len(files))):
        text = path.read_text(encoding="utf-8")
        addition = "\n\nThis paragraph was added by the incremental benchmark.\n"
        path.write_text(text.replace("</body>", f"<p>{addition}</p></body>") if path.suffix == ".html" else text + addition,
                        encoding="utf-8")
    return min(k, len(files))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=2000)
    ap.add_argument("--parsers", default="pymupdf")
    ap.add_argument("--embed", default="minilm")
    ap.add_argument("--change", type=float, default=0.01)
    ap.add_argument("--workdir", default="/tmp/bench-incremental")
    args = ap.parse_args()
    work = Path(args.workdir)
    corpus, golden, storage, home = work / "corpus", work / "golden", work / "storage", work / "home"
    log = work / "runs.log"
    if not corpus.is_dir():
        from rag_eval_assets.sample import generate

        print(generate(str(corpus), str(golden), seed=0, size=args.size))
    env = {**os.environ, "RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_GOLDEN_ROOT": str(golden),
           "RAG_EVAL_STORAGE_ROOT": str(storage), "DAGSTER_HOME": str(home), "RAG_EVAL_PARSERS": args.parsers,
           "RAG_EVAL_PRIMARY_PARSER": args.parsers.split(",")[0], "RAG_EVAL_EMBED_MODEL": args.embed,
           "OMP_THREAD_LIMIT": "1", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "DO_NOT_TRACK": "1"}
    docs = sum(1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith("_"))
    rows = []
    for label, prepare in (("full run", None), ("no change", None), (f"{args.change:.0%} changed", "change")):
        changed = change(corpus, args.change) if prepare else 0
        since = time.time()
        result = run(env, label, log)
        result.update(label=label, changed=changed, instance_mb=folder_mb(home), storage_mb=folder_mb(storage),
                      stages=stage_seconds(storage, since), steps=refresh_steps(home, since))
        rows.append(result)
        (work / "results.json").write_text(json.dumps({"documents": docs, "parsers": args.parsers,
                                                       "embedder": args.embed, "runs": rows}, indent=1))
        print(f"{label}: exit {result['exit']}, {result['wall_s']:.0f} s wall, {result['cpu_s']:.0f} CPU-s", flush=True)
    full = rows[0]["cpu_s"]
    print(f"\n{docs} documents, parsers {args.parsers}, embedder {args.embed}")
    print("| run | documents changed | wall s | CPU s | CPU vs full run | docs/s (wall) | peak RSS MB | instance MB |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in rows:
        processed = docs if r is rows[0] else r["changed"]
        rate = processed / r["wall_s"] if processed else 0.0
        print(f"| {r['label']} | {r['changed']} | {r['wall_s']:.0f} | {r['cpu_s']:.0f} | {r['cpu_s'] / full:.1%} | "
              f"{rate:.2f} | {r['peak_rss_mb']:.0f} | {r['instance_mb']:.1f} |")
    print("\nper-document stages (wall / CPU seconds, summed over the document runs):")
    for r in rows:
        print(f"  {r['label']}: " + (", ".join(f"{k} {v['wall_s']:.0f}/{v['cpu_s']:.0f}" for k, v in r["stages"].items())
                                      or "no document run"))
    print("\ncorpus-level steps (wall seconds):")
    for r in rows:
        top = sorted(r["steps"].items(), key=lambda kv: -kv[1])[:12]
        print(f"  {r['label']}: " + (", ".join(f"{k} {v:.0f}" for k, v in top) or "no refresh"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
