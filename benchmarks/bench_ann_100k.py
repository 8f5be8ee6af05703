"""ANN index settings at scale: HNSW and IVF over 100,000 synthetic clustered 384-d unit vectors,
against exact flat search measured in the same run; FAISS threads and OpenMP wait policy.

``python benchmarks/bench_ann_100k.py [--n 100000] [--queries 1000] [--seed 14] [--sections threads,sweep,defaults]``
(the same as ``python benchmarks/bench_index.py --synthetic 100000``)

Why synthetic: the shared SciFact data gives 5,183 real MiniLM vectors, 20x too few. The
generator (``clustered_unit_vectors``, numpy ``default_rng(seed)``, seed 14) is a topic tree
shaped like MiniLM embeddings of real text: a shared mean direction splits into 8 topics, each
into 8 sub-topics, twice more (4,096 leaf topics, spreads 0.8 / 1.0 / 1.1 / 1.2, log-normal
leaf sizes); documents of 4 chunks sit around a leaf, chunks around their document. Every draw
is coloured by one random rotation with eigenvalues i^-0.5 * exp(-i/120) (anisotropic: the shape
fitted to the PCA spectrum of the SciFact MiniLM vectors). Queries are held-out draws of the same
process (never indexed). A flat mixture of a few hundred centres was tried first and rejected:
IVF cells lined up with its centres, so IVF recall *rose* with nlist, where on real vectors it
falls. Parameters were chosen so that, at SciFact's size (5,183 vectors, 500 held-out queries),
the synthetic set matches the real one:

| at 5,183 vectors | pair cos | PCA dims 50% / 90% | query top-1 / top-10 cos | LID | HNSW16 recall@10 ef 10/16/32 | IVF nprobe 2/4/8, nlist 72 | nlist 288 |
|---|---|---|---|---|---|---|---|
| SciFact, held-out abstracts | 0.132 | 32 / 165 | 0.674 / 0.524 | 16.7 | 0.94 / 0.97 / 0.995 | 0.72 / 0.85 / 0.93 | 0.62 / 0.77 / 0.88 |
| SciFact, 809 claims | 0.133 | 32 / 165 | 0.622 / 0.450 | 20.9 | 0.89 / 0.94 / 0.97 | 0.64 / 0.78 / 0.89 | 0.57 / 0.70 / 0.81 |
| synthetic (these parameters) | 0.143 | 28 / 144 | 0.674 / 0.486 | 15.2 | 0.89 / 0.95 / 0.98 | 0.75 / 0.85 / 0.92 | 0.71 / 0.80 / 0.87 |

(LID = median maximum-likelihood local intrinsic dimension over each query's 20 nearest
neighbours.) So ANN difficulty sits between real held-out abstracts and real claims. Uniform
random vectors would be far harder and meaningless (DESIGN.md).

Sections: (1) threads x wait policy x a CPU-burning process on the other core, each in its own
child process (libgomp reads OMP_WAIT_POLICY once, when faiss loads it); (2) flat baseline, HNSW
over M at one efConstruction then efConstruction at the best M, IVF over nlist (flat coarse
quantizer, and an HNSW coarse quantizer on the same centroids); recall@10 vs flat with a 95%
bootstrap interval over queries, QPS with all queries in one call (how the pipeline searches)
and one query per call, both as ratios to flat, build seconds; the cheapest point at recall >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.indexing import faiss_index as fi  # noqa: E402  (faiss not imported yet)

K, TARGET = 10, 0.95
GENERATOR = {"levels": ((8, 0.8), (8, 1.0), (8, 1.1), (8, 1.2)), "chunks_per_doc": 4, "beta": 0.5, "tau": 120.0,
             "common": 1.2, "leaf_sigma": 1.0, "doc_spread": 0.8, "chunk_spread": 1.9}
# A second tree, five levels deep (32,768 leaf topics), fitted to the same SciFact statistics at
# 1.2k, 2.3k and 4.7k vectors (slightly worse fit than GENERATOR, other extrapolation to 100k):
# the library defaults are also checked on it, as a guard against over-fitting one generator.
FINER_TREE = {**GENERATOR, "levels": ((8, 0.87), (8, 0.88), (8, 0.9), (8, 0.91), (8, 0.93)), "chunk_spread": 1.74,
              "doc_spread": 0.76, "common": 1.42}
EF_SEARCH = (16, 24, 32, 48, 64, 96, 128, 192, 256)
NPROBE = (1, 2, 4, 8, 16, 32, 64, 128, 256)


# --- data -----------------------------------------------------------------------------------

def clustered_unit_vectors(n: int, dim: int = 384, seed: int = 14,
                           levels: tuple[tuple[int, float], ...] = ((8, 0.8), (8, 1.0), (8, 1.1), (8, 1.2)),
                           chunks_per_doc: int = 4, beta: float = 0.5, tau: float = 120.0, common: float = 1.2,
                           leaf_sigma: float = 1.0, doc_spread: float = 0.8, chunk_spread: float = 1.9) -> np.ndarray:
    """``n`` float32 unit vectors from the topic tree -> document -> chunk mixture described above."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((dim, dim)))[0].astype(np.float32)
    i = np.arange(1, dim + 1, dtype=np.float32)
    spectrum = np.sqrt(i ** -beta * np.exp(-i / tau))
    colour = (basis * (spectrum / np.sqrt((spectrum ** 2).sum()))).T  # z @ colour: E|draw|^2 = 1

    def draw(m: int) -> np.ndarray:
        return rng.standard_normal((m, dim), dtype=np.float32) @ colour

    centres = (basis[:, 0] * common)[None, :]  # the shared mean direction (mean pair cosine ~0.13)
    for branch, spread in levels:  # each centre splits into `branch` children around it
        centres = np.repeat(centres, branch, axis=0) + spread * draw(len(centres) * branch)
    weights = rng.lognormal(0.0, leaf_sigma, len(centres))
    n_docs = -(-n // chunks_per_doc)
    doc_centres = centres[rng.choice(len(centres), size=n_docs, p=weights / weights.sum())] + doc_spread * draw(n_docs)
    x = doc_centres[np.repeat(np.arange(n_docs), chunks_per_doc)[:n]] + chunk_spread * draw(n)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def corpus_and_queries(n: int, n_queries: int, seed: int, generator: dict[str, Any] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """``n`` indexed vectors and ``n_queries`` held-out draws of the same process (seeded split)."""
    x = clustered_unit_vectors(n + n_queries, seed=seed, **(generator or GENERATOR))
    perm = np.random.default_rng(seed + 1).permutation(len(x))
    return x[np.sort(perm[n_queries:])], x[perm[:n_queries]]


# --- threads and wait policy ----------------------------------------------------------------

def _busy_cpu_seconds() -> float:
    """Machine-wide non-idle CPU seconds so far (/proc/stat), to report what else ran."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = map(int, f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _measured(fn: Callable[[], Any]) -> dict[str, float]:
    """Wall and process CPU seconds of ``fn()`` and the load (cores) other processes put on the machine."""
    busy0, cpu0, t0 = _busy_cpu_seconds(), time.process_time(), time.perf_counter()
    fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"wall": wall, "cpu": cpu, "other": max(0.0, (_busy_cpu_seconds() - busy0 - cpu) / wall)}


def probe(cfg: dict[str, Any]) -> dict[str, Any]:
    """Child side: build with ``cfg['threads']`` and wait policy ``cfg['policy']`` set the way the
    library sets it (os.environ just before faiss loads); IVF train+add, HNSW build and
    one-query-per-call HNSW search, each timed."""
    fi.FAISS_THREADS = cfg["threads"]
    fi.FAISS_WAIT_POLICY = cfg["policy"]
    runtime = fi.faiss_runtime()
    x, q = corpus_and_queries(cfg["n"], 1000, cfg["seed"])
    ids = [str(i) for i in range(len(x))]
    out: dict[str, Any] = {"runtime": runtime}
    out["ivf"] = _measured(lambda: fi.build_index("ivf", x, ids, nlist=round(4 * math.sqrt(len(x)))))
    n_h = cfg["n_hnsw"]
    built: dict[str, Any] = {}
    out["hnsw"] = _measured(lambda: built.setdefault("i", fi.build_index("hnsw", x[:n_h], ids[:n_h], M=32,
                                                                           ef_construction=100, ef_search=64)))
    out["search1"] = _measured(lambda: [built["i"].search_rows(q[j: j + 1], K) for j in range(len(q))])
    return out


def run_probe(cfg: dict[str, Any], burners: int) -> dict[str, Any]:
    """Parent side: one child process per setting, beside ``burners`` CPU-burning processes."""
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS")}
    burning = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(burners)]
    try:
        out = subprocess.run([sys.executable, __file__, "--probe", json.dumps(cfg)], env=env, check=True,
                             capture_output=True, text=True).stdout
    finally:
        for burner in burning:
            burner.kill()
            burner.wait()
    return json.loads(out.strip().splitlines()[-1])


def spin_count_seen(how: str) -> str:
    """GOMP_SPINCOUNT faiss's libgomp reports (OMP_DISPLAY_ENV=VERBOSE) when PASSIVE is set
    ``start`` (in the process environment), ``before`` or ``after`` ``import faiss`` (os.environ);
    0 = passive, 300000 = libgomp's default spin before sleeping."""
    code = {"start": "import faiss", "before": "import os; os.environ['OMP_WAIT_POLICY']='PASSIVE'; import faiss",
            "after": "import os, faiss; os.environ['OMP_WAIT_POLICY']='PASSIVE'",
            "library": "from rag_eval_assets.lib.indexing.faiss_index import faiss_runtime; faiss_runtime()"}[how]
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    env.update(OMP_DISPLAY_ENV="VERBOSE", PYTHONPATH=str(ROOT), **({"OMP_WAIT_POLICY": "PASSIVE"} if how == "start" else {}))
    err = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stderr
    found = re.search(r"GOMP_SPINCOUNT = '(\d+)'", err)
    return found.group(1) if found else "?"


def thread_section(n: int, n_hnsw: int, seed: int, reps: int = 2) -> list[dict[str, Any]]:
    print("\n## FAISS threads x OpenMP wait policy x a busy second core")
    print("GOMP_SPINCOUNT as faiss's libgomp saw OMP_WAIT_POLICY=PASSIVE set: "
          + ", ".join(f"{how} -> {spin_count_seen(how)}" for how in ("start", "before", "after", "library"))
          + "  (0 = passive; 300000 = default spin)")
    rows = []
    for burners in (0, 1, 2):
        settings = [(1, None), (2, None), (2, "PASSIVE")]
        runs: dict[tuple, list] = {st: [] for st in settings}
        for rep in range(reps):  # alternate the order so a change of load hits every setting
            for threads, policy in (settings if rep % 2 == 0 else settings[::-1]):
                runs[(threads, policy)].append(run_probe({"threads": threads, "policy": policy, "n": n,
                                                          "n_hnsw": n_hnsw, "seed": seed}, burners))
        rows += [{"threads": t, "policy": p or "default", "burners": burners, "runs": runs[(t, p)]} for t, p in settings]
    print(f"IVF = IndexIVFFlat train + add, {n:,} vectors, nlist {round(4 * math.sqrt(n))}; HNSW = M 32 / "
          f"efConstruction 100 build, {n_hnsw:,} vectors; search = 1,000 one-query calls, ef 64. "
          f"'other' = cores used by other processes (the burners, other users of the machine). Each cell: the {reps} "
          "runs, in the order run.")
    print("| threads | wait policy | CPU burners | IVF wall s | IVF CPU s | HNSW wall s | HNSW CPU s "
          "| search wall s | other load (cores) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        def cell(work: str, what: str, digits: int = 1) -> str:
            return " / ".join(f"{run[work][what]:.{digits}f}" for run in r["runs"])
        other = " / ".join(f"{np.mean([run[w]['other'] for w in ('ivf', 'hnsw', 'search1')]):.2f}" for run in r["runs"])
        print(f"| {r['threads']} | {r['policy']} | {r['burners']} | {cell('ivf', 'wall')} | {cell('ivf', 'cpu')} | "
              f"{cell('hnsw', 'wall')} | {cell('hnsw', 'cpu')} | {cell('search1', 'wall', 2)} | {other} |")
    return rows


# --- recall / QPS sweep ---------------------------------------------------------------------

def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def hnsw_quantized_ivf(ivf: fi.VectorIndex, x: np.ndarray, M: int = 32) -> fi.VectorIndex:
    """The same IVF lists with an HNSW coarse quantizer over ``ivf``'s trained centroids."""
    faiss = fi._faiss()
    nlist = ivf.params["nlist"]
    quantizer = faiss.IndexHNSWFlat(x.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    quantizer.hnsw.efConstruction = 100
    quantizer.add(ivf.index.quantizer.reconstruct_n(0, nlist))
    index = faiss.IndexIVFFlat(quantizer, x.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    index.is_trained = True
    index.add(x)
    out = fi.VectorIndex("ivf", index, ivf.ids, [], {**ivf.params, "quantizer": f"HNSW{M}"})
    out.extra["quantizer"] = quantizer  # keep the Python object alive
    return out


def set_knob(index: fi.VectorIndex, value: int) -> None:
    if index.kind == "hnsw":
        index.set_search_params(ef_search=value)
        return
    index.set_search_params(nprobe=value)
    if "quantizer" in index.extra:
        index.extra["quantizer"].hnsw.efSearch = max(64, 2 * value)  # HNSW must return nprobe good lists


class Sweep:
    """Rows of the table. QPS is measured in ``reps`` short slices alternating with flat search on
    the same queries, and the ratio to flat is the median of the paired ratios: the machine is
    shared, and a baseline taken minutes earlier under another load would skew the ratios."""

    def __init__(self, flat: fi.VectorIndex, queries: np.ndarray, exact_rows: np.ndarray, slice_s: float = 0.2,
                 reps: int = 3) -> None:
        self.flat, self.q, self.exact, self.slice_s, self.reps = flat, queries, exact_rows, slice_s, reps
        self.rows: list[dict[str, Any]] = []

    def paired_qps(self, index: fi.VectorIndex) -> dict[str, float]:
        """Median QPS of ``index`` and of flat and median paired ratio, for all queries in one
        call (``batch``) and for one query per call (``single``, on the first 200 queries)."""
        from rag_eval_assets.lib.metrics.ann import measure_qps
        out = {}
        for mode, queries, size in (("batch", self.q, None), ("single", self.q[:200], 1)):
            pairs = []
            for _ in range(self.reps):
                a = measure_qps(index, queries, K, self.slice_s, batch_size=size)
                pairs.append((a, measure_qps(self.flat, queries, K, self.slice_s, batch_size=size)))
            out[mode] = float(np.median([a for a, _ in pairs]))
            out[f"{mode}_flat"] = float(np.median([b for _, b in pairs]))
            out[f"{mode}_ratio"] = float(np.median([a / b for a, b in pairs]))
        return out

    def run(self, name: str, index: fi.VectorIndex, build_s: float, values: tuple[int, ...]) -> list[dict[str, Any]]:
        from rag_eval_assets.lib.metrics.ann import ann_recall
        param = "ef_search" if index.kind == "hnsw" else "nprobe"
        limit = index.params.get("nlist", max(values))
        rows = []
        for v in (v for v in values if v <= limit):
            set_knob(index, v)
            r = ann_recall(index, self.flat, self.q, K, self.exact)
            rows.append({"index": name, "build_s": build_s, "knob": f"{param}={v}", "recall": r, **self.paired_qps(index)})
            if r.recall >= 0.999 or rows[-1]["batch_ratio"] < 0.5:
                break  # higher values cost more for nothing, or are already far slower than exact search
        self.rows += rows
        return rows

    @staticmethod
    def print(rows: list[dict[str, Any]]) -> None:
        for r in rows:
            rc = r["recall"]
            print(f"| {r['index']} | {r['build_s']:.1f} | {r['knob']} | {rc.recall:.4f} | [{rc.low:.4f}, {rc.high:.4f}] "
                  f"| {r['batch']:,.0f} | {r['batch_ratio']:.2f} | {r['single']:,.0f} | {r['single_ratio']:.1f} "
                  f"| {r['batch_flat']:,.0f} / {r['single_flat']:,.0f} |", flush=True)

    def cheapest(self, rows: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
        ok = [r for r in (self.rows if rows is None else rows) if r["recall"].recall >= TARGET]
        return max(ok, key=lambda r: r["batch_ratio"]) if ok else None


def sweep_section(n: int, n_queries: int, seed: int, quick: bool) -> Sweep:
    x, q = corpus_and_queries(n, n_queries, seed)
    ids = [str(i) for i in range(n)]
    print(f"\n## Recall@{K} vs flat and QPS over {n:,} x {x.shape[1]} synthetic vectors, {len(q):,} held-out queries "
          f"(FAISS runtime {fi.faiss_runtime()})")
    flat, flat_build = _timed(lambda: fi.build_index("flat", x, ids))
    exact = flat.search_rows(q, K)[1]
    s = Sweep(flat, q, exact, reps=2 if quick else 3)
    print(f"flat: build {flat_build:.2f} s. QPS: median of {s.reps} slices alternating with flat on the same queries; "
          f"'x flat' = median paired ratio. 'batch {len(q)}' = all queries in one call (how the pipeline searches: "
          "flat is one BLAS matrix product); 'batch 1' = one query per call (first 200 queries).")
    print(f"| index | build s | knob | recall@{K} | 95% CI | QPS (batch {len(q)}) | x flat | QPS (batch 1) | x flat "
          "| flat QPS (batch / 1) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    ms, ef_c0 = ((16, 32), 100) if quick else ((8, 16, 32, 48), 100)
    best_m, best_qps = ms[0], -1.0
    for m in ms:
        index, secs = _timed(lambda: fi.build_index("hnsw", x, ids, M=m, ef_construction=ef_c0))
        rows = s.run(f"HNSW M={m} efC={ef_c0}", index, secs, EF_SEARCH)
        s.print(rows)
        c = s.cheapest(rows)
        if c and c["batch_ratio"] > best_qps:
            best_m, best_qps = m, c["batch_ratio"]
        del index
    for ef_c in (() if quick else (40, 200)):
        index, secs = _timed(lambda: fi.build_index("hnsw", x, ids, M=best_m, ef_construction=ef_c))
        s.print(s.run(f"HNSW M={best_m} efC={ef_c}", index, secs, EF_SEARCH))
        del index
    root = round(math.sqrt(n))
    for mult in ((1, 4) if quick else (1, 4, 16)):
        index, secs = _timed(lambda: fi.build_index("ivf", x, ids, nlist=mult * root))
        s.print(s.run(f"IVF nlist={mult * root} ({mult}√N)", index, secs, NPROBE))
        if mult > 1:
            ivf = index
            hq, hsecs = _timed(lambda: hnsw_quantized_ivf(ivf, x))
            s.print(s.run(f"IVF-HNSW32 nlist={mult * root}", hq, secs + hsecs, NPROBE))
            del hq, ivf
        del index
    best = s.cheapest()
    if best is None:
        print(f"no setting reaches recall@{K} >= {TARGET}")
    else:
        print(f"cheapest at recall@{K} >= {TARGET}: {best['index']} {best['knob']}: recall {best['recall'].recall:.4f} "
              f"[{best['recall'].low:.4f}, {best['recall'].high:.4f}], {best['batch']:,.0f} QPS = "
              f"{best['batch_ratio']:.2f}x flat (batch {len(q)}); one query per call {best['single']:,.0f} QPS = "
              f"{best['single_ratio']:.1f}x flat")
    return s


def defaults_section(n: int, n_queries: int, seed: int) -> None:
    """The library defaults (``DEFAULTS``, ``default_nlist``) on the calibrated generator and on
    the finer tree: recall@10 with its interval, QPS ratios to flat, build seconds."""
    print(f"\n## Library defaults at {n:,} vectors: hnsw {fi.DEFAULTS['hnsw']}, ivf {fi.DEFAULTS['ivf']} "
          f"with nlist = default_nlist(N) = {fi.default_nlist(n)}")
    print(f"| generator | index | build s | knob | recall@{K} | 95% CI | QPS (batch {n_queries}) | x flat | QPS (batch 1) "
          "| x flat | flat QPS (batch / 1) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, generator in (("calibrated", GENERATOR), ("finer tree", FINER_TREE)):
        x, q = corpus_and_queries(n, n_queries, seed, generator)
        ids = [str(i) for i in range(n)]
        flat = fi.build_index("flat", x, ids)
        s = Sweep(flat, q, flat.search_rows(q, K)[1])
        for kind in ("hnsw", "ivf"):
            index, secs = _timed(lambda: fi.build_index(kind, x, ids))
            knob = index.params["ef_search" if kind == "hnsw" else "nprobe"]
            s.print([{**s.run(f"{name} | {kind} {json.dumps(index.params)}", index, secs, (knob,))[0]}])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="indexed vectors")
    ap.add_argument("--queries", type=int, default=1000, help="held-out queries")
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--threads", type=int, default=None, help=f"FAISS threads for the sweep (default {fi.FAISS_THREADS})")
    ap.add_argument("--probe-n", type=int, default=50_000, help="vectors for the IVF thread probe")
    ap.add_argument("--probe-hnsw-n", type=int, default=20_000, help="vectors for the HNSW thread probe")
    ap.add_argument("--thread-reps", type=int, default=2, help="runs per thread / wait-policy setting")
    ap.add_argument("--sections", default="threads,sweep,defaults",
                    help="comma-separated: threads (wait policy), sweep (recall/QPS grid), defaults (library defaults)")
    ap.add_argument("--quick", action="store_true", help="a smaller grid (M 16/32, no efC or 16√N)")
    ap.add_argument("--probe", default=None, help=argparse.SUPPRESS)  # child process of the thread section
    args = ap.parse_args(argv)
    if args.probe:
        print(json.dumps(probe(json.loads(args.probe))))
        return
    start = time.perf_counter()
    print(f"synthetic generator: seed {args.seed}, {json.dumps(GENERATOR)}; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    sections = set(args.sections.split(","))
    if "threads" in sections:
        thread_section(args.probe_n, args.probe_hnsw_n, args.seed, args.thread_reps)
    if args.threads:
        fi.FAISS_THREADS = args.threads
    if "sweep" in sections:
        sweep_section(args.n, args.queries, args.seed, args.quick)
    if "defaults" in sections:
        defaults_section(args.n, args.queries, args.seed)
    print(f"\ntotal {time.perf_counter() - start:.0f} s; load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
