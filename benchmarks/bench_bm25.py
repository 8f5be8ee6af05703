"""BM25 library choice on SciFact: bm25s, rank-bm25 and tantivy on the same tokens.

``python benchmarks/bench_bm25.py [--split train] [--limit N] [--k 100] [--no-stem] [--repeat 3]``

Every library gets the tokens of ``rag_eval_assets.lib.retrieval.Tokenizer`` (NFKC + casefold,
unicode ``\\w+``, Lucene's 33 English stopwords, Snowball English stemming via PyStemmer unless
``--no-stem``), documents = title + " " + abstract, k1 = 1.2, b = 0.75. Per library: nDCG@10,
recall@100 and MRR of the top-``--k`` run (``evaluate_run``), index build seconds (from tokens),
queries/s over the claims (single thread, pre-tokenized, after one warm-up query; best
of ``--repeat`` passes), install size
(files listed in the installed distributions' RECORD), and whether anything is downloaded. Ratios
are against the fastest row and against rank-bm25 (the baseline), both measured in this run.
Rows:

- ``rank-bm25``: ``BM25Okapi`` (Robertson idf with an epsilon floor), ``get_scores`` + top-k.
- ``bm25s``: ``BM25(method="lucene")``, ``retrieve`` (numpy backend); ``bm25s+numba``: the
  same index, numba backend (numba is already in the venv for unstructured and ranx).
- ``BM25Index``: our wrapper (bm25s), end to end: tokenizes texts itself in build and search.
- ``tantivy``: a whitespace-tokenized field over the same tokens (Lucene BM25, 1-byte field
  norms), a boolean OR of term queries, one indexing thread.
- ``bm25s own tokenizer``: ``bm25s.tokenize`` (its regex ``\\w\\w+``, stopwords, PyStemmer) for
  comparison with the library's own pipeline.

Then a bm25s (k1, b) / stemming sweep, and the agreement of the libraries' top-10 with bm25s.
Not measured: pyserini (Anserini) needs JDK 21 and ~100 MB of Lucene jars; this machine has
Java 17. Published BM25 nDCG@10 on SciFact *test* (300 claims): 0.665 (BEIR, Anserini flat),
0.679 (Anserini multifield); the shared evaldata has only the train qrels (809 claims).

Reads ``../shared/evaldata/retrieval/scifact`` (``$RAG_EVAL_EVALDATA`` overrides); never copies it.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.goldens.adapters import default_evaldata_root, load_beir
from rag_eval_assets.lib.metrics.retrieval import evaluate_run
from rag_eval_assets.lib.retrieval import DEFAULT_B, DEFAULT_K1, BM25Index, Tokenizer

Search = Callable[[list[str]], list[tuple[int, float]]]  # query tokens -> [(row, score)], best first
METRICS = ("ndcg@10", "recall@100", "mrr")
DISTRIBUTIONS = {"rank-bm25": ["rank-bm25"], "bm25s": ["bm25s", "PyStemmer"], "tantivy": ["tantivy"]}
DOWNLOADS = {"rank-bm25": "none", "bm25s": "none (hf extra optional)", "tantivy": "none"}


def install_mb(dists: Sequence[str]) -> float:
    """Megabytes of the files the installed distributions list in RECORD (dependencies not counted)."""
    total = 0
    for name in dists:
        for f in importlib.metadata.distribution(name).files or []:
            path = Path(f.locate())
            total += path.stat().st_size if path.is_file() else 0
    return total / 1e6


def top_rows(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Rows with score > 0, best first (ties by row), at most k."""
    rows = np.flatnonzero(scores > 0)
    if len(rows) > k:
        rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
    rows = rows[np.lexsort((rows, -scores[rows]))]
    return [(int(r), float(scores[r])) for r in rows]


def build_rank_bm25(tokens: list[list[str]], k: int, k1: float, b: float) -> Search:
    from rank_bm25 import BM25Okapi

    model = BM25Okapi(tokens, k1=k1, b=b)
    return lambda q: top_rows(model.get_scores(q), k)


def build_bm25s(tokens: list[list[str]], k: int, k1: float, b: float, backend: str = "numpy") -> Callable[
        [list[list[str]]], list[list[tuple[int, float]]]]:
    import bm25s

    model = bm25s.BM25(k1=k1, b=b, method="lucene", backend=backend)
    model.index(tokens, show_progress=False)
    kk = min(k, len(tokens))

    def search_all(queries: list[list[str]]) -> list[list[tuple[int, float]]]:
        docs, scores = model.retrieve(queries, k=kk, show_progress=False, n_threads=1)
        return [[(int(d), float(s)) for d, s in zip(dd, ss) if s > 0] for dd, ss in zip(docs, scores)]

    return search_all


def build_tantivy(tokens: list[list[str]], k: int, k1: float, b: float) -> Search:
    import tantivy

    if (k1, b) != (1.2, 0.75):
        raise ValueError("tantivy's BM25 is fixed at k1=1.2, b=0.75")
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("row", stored=True)
    builder.add_text_field("body", tokenizer_name="whitespace", index_option="freq")
    schema = builder.build()
    index = tantivy.Index(schema)  # in memory
    writer = index.writer(heap_size=200_000_000, num_threads=1)
    for row, toks in enumerate(tokens):
        writer.add_document(tantivy.Document(row=row, body=" ".join(toks)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def search(q: list[str]) -> list[tuple[int, float]]:
        if not q:
            return []
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t, "freq")) for t in q])
        hits = searcher.search(query, k).hits
        return [(searcher.doc(addr)["row"][0], float(score)) for score, addr in hits]

    return search


REPEAT = 3


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """Result and the best wall time of ``REPEAT`` calls (the machine is shared: best-of damps noise)."""
    best = float("inf")
    for _ in range(REPEAT):
        start = time.perf_counter()
        out = fn(*args, **kwargs)
        best = min(best, time.perf_counter() - start)
    return out, best


def run_of(results: list[list[tuple[int, float]]], qids: list[str], doc_ids: list[str]) -> dict[str, dict[str, float]]:
    return {q: {doc_ids[r]: s for r, s in hits} for q, hits in zip(qids, results)}


def overlap_at_10(a: list[list[tuple[int, float]]], b: list[list[tuple[int, float]]]) -> float:
    """Mean |top10(a) ∩ top10(b)| / 10 over queries."""
    return float(np.mean([len({r for r, _ in x[:10]} & {r for r, _ in y[:10]}) / 10 for x, y in zip(a, b)]))


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="train")
    ap.add_argument("--limit", type=int, default=None, help="first N queries (sorted ids)")
    ap.add_argument("--k", type=int, default=100)
    ap.add_argument("--no-stem", action="store_true")
    ap.add_argument("--repeat", type=int, default=3, help="best of N timings per build and search pass")
    args = ap.parse_args(argv)
    global REPEAT
    REPEAT = max(1, args.repeat)
    folder = default_evaldata_root() / "retrieval" / "scifact"
    data = load_beir(folder, args.split)
    doc_ids = sorted(data.corpus)
    texts = [f"{data.corpus[d]['title']} {data.corpus[d]['text']}" for d in doc_ids]
    qids = sorted(data.queries)[: args.limit]
    qrels = {q: data.qrels[q] for q in qids}
    stemmer = None if args.no_stem else "english"
    tokenizer = Tokenizer(stemmer)
    doc_tokens, tok_s = timed(tokenizer.many, texts)
    q_tokens = tokenizer.many(data.queries[q] for q in qids)
    k1, b, k = DEFAULT_K1, DEFAULT_B, args.k
    try:  # imports outside the timings
        import bm25s
        import rank_bm25  # noqa: F401
        import Stemmer
        import tantivy  # noqa: F401
    except ImportError as exc:
        sys.exit(f"{exc.name} missing: pip install bm25s==0.3.16 PyStemmer==3.1.0 rank-bm25==0.2.2 tantivy==0.27.0")

    build_bm25s(doc_tokens[:50], 5, k1, b, "numba")(q_tokens[:1])  # numba JIT compile, outside timings
    print(f"SciFact {args.split}: {len(doc_ids)} docs, {len(qids)} queries; stemmer={stemmer}, k1={k1}, b={b}, "
          f"top {k}; corpus tokenization {tok_s:.2f} s (shared, not in build times)")

    results: dict[str, dict[str, Any]] = {}

    def per_query(name: str, dist: str, search: Search, build_s: float) -> None:
        search(q_tokens[0])  # warm-up
        hits, s = timed(lambda: [search(q) for q in q_tokens])
        results[name] = {"dist": dist, "build_s": build_s, "search_s": s, "hits": hits}

    def batched(name: str, dist: str, search_all: Callable, build_s: float, queries: list[list[str]]) -> None:
        search_all(queries[:1])
        hits, s = timed(search_all, queries)
        results[name] = {"dist": dist, "build_s": build_s, "search_s": s, "hits": hits}

    search, s = timed(build_rank_bm25, doc_tokens, k, k1, b)
    per_query("rank-bm25", "rank-bm25", search, s)
    for backend in ("numpy", "numba"):
        search_all, s = timed(build_bm25s, doc_tokens, k, k1, b, backend)
        batched("bm25s" if backend == "numpy" else "bm25s+numba", "bm25s", search_all, s, q_tokens)
    index, s = timed(BM25Index.build, doc_ids, texts, k1=k1, b=b, stemmer=stemmer)
    index.search(data.queries[qids[0]], k)
    row_of = {d: i for i, d in enumerate(doc_ids)}
    hits, qs = timed(lambda: [index.search(data.queries[q], k) for q in qids])
    results["BM25Index (e2e)"] = {"dist": "bm25s", "build_s": s, "search_s": qs,
                                  "hits": [[(row_of[d], sc) for d, sc in h] for h in hits]}
    search, s = timed(build_tantivy, doc_tokens, k, k1, b)
    per_query("tantivy", "tantivy", search, s)
    own_stemmer = Stemmer.Stemmer("english") if stemmer else None
    own_tokens = bm25s.tokenize(texts, stemmer=own_stemmer, show_progress=False, return_ids=False)
    search_all, s = timed(build_bm25s, own_tokens, k, k1, b)
    own_q = bm25s.tokenize([data.queries[q] for q in qids], stemmer=own_stemmer, show_progress=False, return_ids=False)
    batched("bm25s own tokenizer", "bm25s", search_all, s, own_q)

    fastest_qps = max(len(qids) / r["search_s"] for r in results.values())
    fastest_build = min(r["build_s"] for r in results.values())
    base = results["rank-bm25"]
    print(f"\n{'library':<22}{'nDCG@10':>8}{'R@100':>8}{'MRR':>7}{'build s':>9}{'q/s':>9}{'q/s÷fast':>9}"
          f"{'q/s÷rank':>9}{'build÷rank':>11}{'MB':>7}  downloads")
    for name, r in results.items():
        m = evaluate_run(run_of(r["hits"], qids, doc_ids), qrels, METRICS, k=10).mean
        qps = len(qids) / r["search_s"]
        print(f"{name:<22}{m['ndcg@10']:>8.4f}{m['recall@100']:>8.4f}{m['mrr']:>7.4f}{r['build_s']:>9.3f}{qps:>9.0f}"
              f"{qps / fastest_qps:>9.3f}{base['search_s'] / r['search_s']:>9.1f}{r['build_s'] / base['build_s']:>11.3f}"
              f"{install_mb(DISTRIBUTIONS[r['dist']]):>7.2f}  {DOWNLOADS[r['dist']]}")
    print("(bm25s+numba also needs numba + llvmlite, ~150 MB, already installed here for unstructured/ranx)")
    print(f"{'pyserini':<22}  excluded: needs JDK 21 (Java 17 here) and ~100 MB of Anserini/Lucene jars")
    print(f"fastest build: {fastest_build:.3f} s; fastest q/s: {fastest_qps:.0f}")

    ref = results["bm25s"]["hits"]
    print("\nTop-10 overlap with bm25s (same tokens): " + ", ".join(
        f"{n} {overlap_at_10(r['hits'], ref):.3f}" for n, r in results.items() if n != "bm25s"))
    ours = [[s for _, s in h] for h in results["BM25Index (e2e)"]["hits"]]
    raw = [[s for _, s in h] for h in ref]
    same_len = all(len(x) == len(y) for x, y in zip(ours, raw))
    diff = max((abs(x - y) for a, c in zip(ours, raw) for x, y in zip(a, c)), default=0.0)
    print(f"BM25Index vs raw bm25s: same result counts {same_len}, max |score diff| {diff:.2e}")

    print("\nbm25s sweep (nDCG@10 / R@100):")
    for stem in ("english", None):
        toks = doc_tokens if stem == stemmer else Tokenizer(stem).many(texts)
        qt = q_tokens if stem == stemmer else Tokenizer(stem).many(data.queries[q] for q in qids)
        cells = []
        for kk1, bb in ((0.9, 0.4), (1.2, 0.75), (1.5, 0.75), (0.9, 0.75), (1.2, 0.5)):
            hits = build_bm25s(toks, k, kk1, bb)(qt)
            m = evaluate_run(run_of(hits, qids, doc_ids), qrels, METRICS, k=10).mean
            cells.append(f"k1={kk1},b={bb}: {m['ndcg@10']:.4f}/{m['recall@100']:.4f}")
        print(f"  stem={stem}: " + "; ".join(cells))
    with tempfile.TemporaryDirectory() as tmp:
        _, save_s = timed(index.save, tmp)
        _, load_s = timed(BM25Index.load, tmp)
        size = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6
    print(f"\nBM25Index save {save_s:.3f} s, load {load_s:.3f} s, {size:.1f} MB on disk")


if __name__ == "__main__":
    main()
