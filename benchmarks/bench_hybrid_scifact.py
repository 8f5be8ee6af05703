"""Online-eval retrieval lanes on real data: dense, sparse and hybrid (RRF) on BEIR SciFact.

``python benchmarks/bench_hybrid_scifact.py [--cache DIR] [--limit N] [--rrf-k 60]``

(``--cache`` defaults to ``/tmp/bench_cache/minilm``, where ``bench_index.py`` stored the SciFact
abstract and claim vectors; ``EmbeddingCache`` adds a model sub-folder under it.)

Measures, on the 5,183 SciFact abstracts and the train claims (qrels/train.tsv, 809 claims; the
shared evaldata has no test split), using the project's own code end to end:

1. Lanes (``lib.evaluation.retrieval_lanes.lane_hits``, depth 100; chunk = document, so the
   chunk -> document map is the identity):
   - dense: all-MiniLM-L6-v2 vectors through ``EmbeddingCache(--cache, SentenceTransformerEmbedder())``
     (documents embedded exactly as ``benchmarks/bench_index.py`` does, text =
     ``f"{title}. {abstract}".strip()``, so its cache hits), exact ``build_index("flat")`` search;
   - sparse: ``BM25Index.build`` over ``f"{title} {abstract}"`` (as ``benchmarks/bench_bm25.py``);
   - hybrid: Reciprocal Rank Fusion of the two top-100 lists (``--rrf-k``, default 60).
2. Quality per lane (``evaluate_lanes`` -> ``evaluate_run``): nDCG@10, recall@10, recall@100,
   MRR, MAP; ΔnDCG@10 of hybrid over dense and over sparse. The hybrid run is re-scored by
   pytrec_eval (ndcg_cut_10, recall_10, recall_100, recip_rank, map, P_10) and the max absolute
   per-query difference is printed (the run is given to pytrec_eval with rank-derived scores,
   100 − rank, because RRF scores tie and trec_eval breaks ties by doc id, not by our order).
3. Metadata filters (``lib.evaluation.filters.evaluate_filters``) on the hybrid ranking with an
   in-code ontology holding one bool field ``structured_abstract`` (corpus_metadata.tsv): a wrong
   predicate ``structured_abstract: True`` forced on every claim (correct predicate = no filter),
   then ``False``: false-exclusion rate, naive survivor recall@10 (filtered ranking vs all
   gold), survivor-only recall@10 (what an evaluator that only sees the filtered index reports),
   and the unfiltered recall@10.
4. Timings: query embedding seconds (uncached model call, and through the cache), BM25 build
   seconds, per-lane query time over all claims (dense = flat search of pre-embedded vectors;
   hybrid = dense + sparse + fusion as ``lane_hits`` runs them), and hybrid / dense ratios.

Reads ``../shared/evaldata/retrieval/scifact`` (``$RAG_EVAL_EVALDATA`` overrides); never copies it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.embedding import EmbeddingCache, SentenceTransformerEmbedder
from rag_eval_assets.lib.evaluation.filters import evaluate_filters
from rag_eval_assets.lib.evaluation.retrieval_lanes import (
    LANES,
    document_rankings,
    evaluate_lanes,
    lane_hits,
)
from rag_eval_assets.lib.goldens.adapters import (
    default_evaldata_root,
    load_beir,
    load_beir_corpus_metadata,
)
from rag_eval_assets.lib.goldens.formats import FilterCase
from rag_eval_assets.lib.indexing import build_index
from rag_eval_assets.lib.ontology import Field, Ontology
from rag_eval_assets.lib.retrieval import BM25Index

DEPTH = 100
METRICS = ("ndcg@10", "recall@10", "recall@100", "mrr", "ap", "precision@10")
SHOWN = (("nDCG@10", "ndcg@10"), ("recall@10", "recall@10"), ("recall@100", "recall@100"),
         ("MRR", "mrr"), ("MAP", "ap"))
# ours -> pytrec_eval measure
TREC = {"ndcg@10": "ndcg_cut_10", "recall@10": "recall_10", "recall@100": "recall_100",
        "mrr": "recip_rank", "ap": "map", "precision@10": "P_10"}


def pytrec_max_diff(ranked: dict[str, list[str]], qrels: dict[str, dict[str, int]],
                    ours: dict[str, dict[str, float]]) -> dict[str, float]:
    """Max |ours − pytrec_eval| per metric over the judged queries, rank-derived scores."""
    import pytrec_eval

    run = {q: {d: float(DEPTH - i) for i, d in enumerate(docs)} for q, docs in ranked.items()}
    evaluator = pytrec_eval.RelevanceEvaluator({q: dict(r) for q, r in qrels.items()}, set(TREC.values()))
    trec = evaluator.evaluate(run)
    out = {}
    for ours_name, trec_name in TREC.items():
        out[ours_name] = max(abs(ours[q][ours_name] - trec.get(q, {}).get(trec_name, 0.0)) for q in qrels)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, default=Path("/tmp/bench_cache/minilm"),
                    help="embedding cache folder (bench_index.py --cache /tmp/bench_cache/minilm left the vectors there)")
    ap.add_argument("--limit", type=int, default=None, help="first N train claims only (sorted ids)")
    ap.add_argument("--rrf-k", type=float, default=60, help="RRF constant k")
    args = ap.parse_args(argv)

    folder = default_evaldata_root() / "retrieval" / "scifact"
    if not folder.is_dir():
        sys.exit(f"SciFact not found at {folder}")
    data = load_beir(folder, "train")
    doc_meta = load_beir_corpus_metadata(folder)
    doc_ids = sorted(data.corpus)
    qids = sorted(data.queries)[: args.limit]
    queries = {q: data.queries[q] for q in qids}
    qrels = {q: data.qrels[q] for q in qids}
    structured = sum(bool(doc_meta.get(d, {}).get("structured_abstract")) for d in doc_ids)
    print(f"SciFact: {len(doc_ids)} documents ({structured} structured abstracts), {len(qids)} train claims, "
          f"{sum(len(r) for r in qrels.values())} qrels; depth {DEPTH}, RRF k={args.rrf_k:g}")

    # --- dense: document vectors (cache shared with bench_index.py), query vectors
    model = SentenceTransformerEmbedder()
    cache = EmbeddingCache(args.cache, model)
    dense_texts = [f"{data.corpus[d]['title']}. {data.corpus[d]['text']}".strip() for d in doc_ids]
    t = time.perf_counter()
    vectors = np.concatenate([cache.embed(dense_texts[i: i + 512]) for i in range(0, len(dense_texts), 512)])
    doc_secs = time.perf_counter() - t
    doc_hits, doc_embedded = cache.hit_rate, cache.embedded
    claim_texts = [queries[q] for q in qids]
    model.embed(["warm up"])
    t = time.perf_counter()
    raw_q = model.embed(claim_texts)
    q_model_secs = time.perf_counter() - t
    hits0, emb0 = cache.hits, cache.embedded
    t = time.perf_counter()
    q_vectors = cache.embed(claim_texts)
    q_cache_secs = time.perf_counter() - t
    q_hits, q_embedded = cache.hits - hits0, cache.embedded - emb0
    q_diff = float(np.abs(q_vectors - raw_q).max())
    vec_of = {text: v for text, v in zip(claim_texts, q_vectors)}
    flat = build_index("flat", vectors, doc_ids)

    # --- sparse
    t = time.perf_counter()
    bm25 = BM25Index.build(doc_ids, [f"{data.corpus[d]['title']} {data.corpus[d]['text']}" for d in doc_ids])
    bm25_secs = time.perf_counter() - t

    lane_secs = {"dense": 0.0, "sparse": 0.0}

    def dense_fn(texts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        start = time.perf_counter()
        out = flat.search(np.stack([vec_of[x] for x in texts]), k)
        lane_secs["dense"] += time.perf_counter() - start
        return out

    def sparse_fn(texts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
        start = time.perf_counter()
        out = bm25.search_many(texts, k)
        lane_secs["sparse"] += time.perf_counter() - start
        return out

    dense_fn(claim_texts[:1], DEPTH), sparse_fn(claim_texts[:1], DEPTH)  # warm-up
    lane_secs.update(dense=0.0, sparse=0.0)
    t = time.perf_counter()
    hits = lane_hits(queries, dense_fn, sparse_fn, depth=DEPTH, rrf_k=args.rrf_k)
    total_secs = time.perf_counter() - t
    fusion_secs = total_secs - lane_secs["dense"] - lane_secs["sparse"]
    rankings = document_rankings(hits, {d: d for d in doc_ids})
    report = evaluate_lanes(rankings, qrels, slice_fields=(), metrics=METRICS)

    print(f"\n## Embedding ({model.model_id}, dim {vectors.shape[1]}) via cache {args.cache}")
    print(f"documents: {len(doc_ids)} in {doc_secs:.2f} s, hit rate {doc_hits:.3f}, embedded {doc_embedded}")
    print(f"claims: model (uncached) {q_model_secs:.2f} s ({len(qids) / q_model_secs:.0f}/s); through cache "
          f"{q_cache_secs:.2f} s (hits {q_hits}, embedded {q_embedded}); max |cache − model| {q_diff:.2e}")

    print(f"\n## Lanes on {len(qids)} SciFact train claims (top {DEPTH}, evaluate_run)")
    print("| lane | " + " | ".join(n for n, _ in SHOWN) + " |")
    print("|---" * (len(SHOWN) + 1) + "|")
    for lane in LANES:
        m = report.evaluations[lane].mean
        print(f"| {lane} | " + " | ".join(f"{m[key]:.4f}" for _, key in SHOWN) + " |")
    print(f"ΔnDCG@10 hybrid − dense: {report.delta_ndcg['dense']:+.4f}   "
          f"hybrid − sparse: {report.delta_ndcg['sparse']:+.4f}")
    wins = {lane: sum(r["hybrid_ndcg@10"] > r[f"{lane}_ndcg@10"] + 1e-12 for r in report.per_query)
            for lane in ("dense", "sparse")}
    losses = {lane: sum(r["hybrid_ndcg@10"] < r[f"{lane}_ndcg@10"] - 1e-12 for r in report.per_query)
              for lane in ("dense", "sparse")}
    print(f"per-claim nDCG@10 hybrid better/worse: vs dense {wins['dense']}/{losses['dense']}, "
          f"vs sparse {wins['sparse']}/{losses['sparse']} (of {len(report.per_query)})")

    diff = pytrec_max_diff(rankings["hybrid"], qrels, report.evaluations["hybrid"].per_query)
    print("\n## Hybrid run vs pytrec_eval (max abs per-query difference)")
    print("  ".join(f"{TREC[k]} {v:.1e}" for k, v in diff.items()) + f"   -> max {max(diff.values()):.1e}")

    ontology = Ontology({"structured_abstract": Field("structured_abstract", is_bool=True)})
    gold = {q: {d for d, g in rel.items() if g > 0} for q, rel in qrels.items()}
    gold_structured = sum(any(doc_meta[d]["structured_abstract"] for d in g) for g in gold.values())
    print(f"\n## Wrong filter forced on every claim, hybrid ranking (evaluate_filters, k=10); "
          f"{gold_structured}/{len(gold)} claims have a structured gold abstract")
    print("| predicate | false-exclusion rate | excluded | naive survivor recall@10 | "
          "survivor-only recall@10 | unfiltered recall@10 | s |")
    print("|---|---|---|---|---|---|---|")
    for value in (True, False):
        cases = [FilterCase(q, {"structured_abstract": value}, correct=False, correct_predicate={}) for q in qids]
        t = time.perf_counter()
        res = evaluate_filters(cases, gold, rankings["hybrid"], doc_meta, ontology, rrf_k=int(args.rrf_k))
        secs = time.perf_counter() - t
        print(f"| structured_abstract: {value} | {res['false_exclusion_rate']:.4f} | {len(res['excluded'])}/"
              f"{res['queries']} | {res['naive_survivor_recall@10']:.4f} | {res['survivor_only_recall@10']:.4f} | "
              f"{res['recall@10_unfiltered']:.4f} | {secs:.1f} |")

    print(f"\n## Timings ({len(qids)} claims, single process)")
    print(f"query embedding (MiniLM, uncached): {q_model_secs:.2f} s   BM25 build: {bm25_secs:.2f} s")
    print("| lane | query time s | ms/claim | / dense |")
    print("|---|---|---|---|")
    per_lane = {"dense": lane_secs["dense"], "sparse": lane_secs["sparse"], "hybrid": total_secs}
    for lane, secs in per_lane.items():
        print(f"| {lane} | {secs:.3f} | {1000 * secs / len(qids):.3f} | {secs / lane_secs['dense']:.1f} |")
    print(f"fusion (RRF) alone: {fusion_secs:.3f} s")
    with_emb = (total_secs + q_model_secs) / (lane_secs["dense"] + q_model_secs)
    print(f"hybrid / dense time: {total_secs / lane_secs['dense']:.1f}x on pre-embedded queries; "
          f"{with_emb:.2f}x counting query embedding in both")


if __name__ == "__main__":
    main()
