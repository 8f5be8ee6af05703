"""Near-duplicate library (rag_eval_assets.lib.dedup) and dedup metrics: pinned values,
datasketch-identical signatures, hand-made clusters, metrics by hand, the committed sample."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from rag_eval_assets.lib.dedup import (
    MinHashSigner,
    NearDuplicateIndex,
    char_shingles,
    containment,
    content_hash,
    datasketch_signatures,
    estimated_jaccard,
    find_near_duplicates,
    jaccard,
    near_duplicate_clusters,
    normalize_text,
    word_shingles,
)
from rag_eval_assets.lib.goldens import DedupPair, load_dedup_clusters, load_dedup_pairs
from rag_eval_assets.lib.metrics.dedup import (
    cluster_pair_scores,
    false_merge_rate,
    missed_merge_rate,
    pair_scores,
    pair_scores_by_kind,
    sweep_table,
    threshold_sweep,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed_examples" / "minhash.json"
SAMPLE = ROOT / "golden_sets" / "sample"


def _words(rng: random.Random, n: int, vocab: int = 3000) -> list[str]:
    return [f"w{rng.randrange(vocab)}" for _ in range(n)]


# ------------------------------------------------------------------ signatures

@pytest.mark.parametrize("scheme,num_perm,seed", [("affine32", 128, 1), ("affine32", 64, 42), ("affine64", 32, 7)])
def test_signatures_identical_to_datasketch_update_loop(scheme: str, num_perm: int, seed: int) -> None:
    rng = random.Random(seed)
    sets: list[list[str | bytes]] = [[" ".join(_words(rng, 5)) for _ in range(rng.randrange(1, 300))]
                                     for _ in range(40)]
    sets += [[], ["ünïcødé ﬁ 東京"], [b"raw bytes", "raw bytes"], ["dup", "dup", "dup"],
             [f"big {i}" for i in range(5000)], []]  # a document larger than one numpy chunk
    ours = MinHashSigner(num_perm, seed, scheme).signatures(sets)  # type: ignore[arg-type]
    reference = datasketch_signatures(sets, num_perm, seed, scheme)  # type: ignore[arg-type]
    assert ours.dtype == reference.dtype and ours.shape == (len(sets), num_perm)
    assert np.array_equal(ours, reference)
    # the reference helper is datasketch's own loop: spot-check one row by hand
    m = MinHash(num_perm=num_perm, seed=seed, scheme=scheme)  # type: ignore[arg-type]
    for x in sets[0]:
        m.update(x.encode("utf-8") if isinstance(x, str) else x)
    assert np.array_equal(ours[0], m.hashvalues)


def test_signatures_equal_bulk_and_jaccard_estimates() -> None:
    rng = random.Random(3)
    sets = [{" ".join(_words(rng, 3)) for _ in range(100)} for _ in range(5)]
    signer = MinHashSigner()
    ours = signer.signatures(sets)
    bulk = MinHash.bulk([[x.encode() for x in s] for s in sets], num_perm=128)
    assert all(np.array_equal(row, m.hashvalues) for row, m in zip(ours, bulk, strict=True))
    assert estimated_jaccard(ours[0], ours[1]) == bulk[0].jaccard(bulk[1])
    assert signer.to_minhash(ours[0]).jaccard(bulk[0]) == 1.0


def test_empty_set_signature_is_datasketch_sentinel() -> None:
    assert np.array_equal(MinHashSigner().signature([]), MinHash().hashvalues)


# ------------------------------------------------------------------ seed example

def test_seed_example_minhash() -> None:
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    docs, k, num_perm = seed["docs"], seed["shingle_k"], seed["num_perm"]
    sets = {d: char_shingles(t, k) for d, t in docs.items()}
    # "char 5-gram shingles of the lowercased text": our normalization is lowercasing here
    assert all(normalize_text(t) == t.lower() for t in docs.values())
    assert jaccard(sets["d1"], sets["d2"]) == 33 / 35  # 34 + 34 shingles, only the last differs
    signer = MinHashSigner(num_perm=num_perm)
    sig = {d: signer.signature(s) for d, s in sets.items()}
    ds = {}
    for d, s in sets.items():
        ds[d] = MinHash(num_perm=num_perm)
        ds[d].update_batch([x.encode() for x in s])
    assert estimated_jaccard(sig["d1"], sig["d2"]) == ds["d1"].jaccard(ds["d2"]) == 124 / 128
    assert estimated_jaccard(sig["d1"], sig["d3"]) == 4 / 128
    # LSH band math: datasketch picks b x r = 9 x 13 for threshold 0.8, 128 permutations;
    # a pair of Jaccard s becomes a candidate with probability 1 - (1 - s**r)**b
    lsh = MinHashLSH(threshold=seed["threshold"], num_perm=num_perm)
    assert (lsh.b, lsh.r) == (9, 13)
    assert 1 - (1 - (33 / 35) ** lsh.r) ** lsh.b == pytest.approx(0.99643, abs=1e-5)
    for d in docs:
        lsh.insert(d, signer.to_minhash(sig[d]))
    assert sorted(lsh.query(signer.to_minhash(sig["d1"]))) == seed["expected_query_d1"]
    clusters = near_duplicate_clusters(docs, shingle_unit="char", shingle_k=k, num_perm=num_perm,
                                       threshold=seed["threshold"], lsh_weights=(0.5, 0.5))
    assert clusters == [set(seed["expected_query_d1"])]


# ------------------------------------------------------------------ shingles and exact rules

def test_normalization_and_exact_hash_rules() -> None:
    assert normalize_text("  Straße\u00a0ﬁle\tＡＢＣ\n\nx ") == "strasse file abc x"
    assert content_hash("Hello   World\n") == content_hash("hello world") == content_hash("HELLO\u2003WORLD")
    assert content_hash("ﬁnal") == content_hash("final")  # NFKC ligature
    assert content_hash("a b.") != content_hash("a b!")  # punctuation counts
    assert content_hash("a b") != content_hash("b a")  # order counts


def test_shingles() -> None:
    assert word_shingles("A b, c d.", 2) == {"a b", "b c", "c d"}
    assert word_shingles("one two", 5) == {"one two"}
    assert word_shingles(" \n", 5) == set() and char_shingles("", 3) == set()
    assert char_shingles("AbCd", 3) == {"abc", "bcd"}
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3 and jaccard(set(), set()) == 0.0
    assert containment({"a", "b"}, {"a", "b", "c", "d"}) == 1.0 and containment(set(), {"a"}) == 0.0
    with pytest.raises(ValueError):
        word_shingles("x", 0)


# ------------------------------------------------------------------ clusters

@pytest.fixture(scope="module")
def base_texts() -> dict[str, str]:
    rng = random.Random(11)
    original = _words(rng, 200)
    light = list(original)
    for i in (20, 90, 160):
        light[i] = "x"  # shorter than any vocabulary word: "light" is the shortest text
    return {
        "orig": " ".join(original),
        "copy": "  ".join(original).upper() + "\n",  # exact after normalization
        "light": " ".join(light),  # J ~ 0.86 at word 5-shingles
        "other": " ".join(_words(rng, 200)),
        "empty1": "   ",
        "empty2": "",
    }


def test_clusters_exact_light_distinct(base_texts: dict[str, str]) -> None:
    result = find_near_duplicates(base_texts)
    assert result.as_sets() == [{"orig", "copy", "light"}]
    cluster = result.clusters[0]
    # canonical: longest normalized text ("copy" has doubled spaces, equal after normalization),
    # tie -> smallest id
    assert cluster.canonical == "copy" and cluster.rules == {"exact", "resemblance"}
    rules = {(p.doc_a, p.doc_b): p.merged_by for p in result.pairs}
    assert rules[("copy", "orig")] == "exact"
    assert rules[("copy", "light")] == "resemblance"
    assert result.empty == ["empty1", "empty2"]  # empty texts are not duplicates of each other
    assert result.canonical_of() == {"orig": "copy", "copy": "copy", "light": "copy"}


def test_canonical_is_longest(base_texts: dict[str, str]) -> None:
    texts = {"a": base_texts["orig"], "b": base_texts["orig"] + " extra words at the end"}
    assert find_near_duplicates(texts).clusters[0].canonical == "b"


def test_verified_false_candidate_not_merged() -> None:
    rng = random.Random(5)
    a = _words(rng, 300)
    b = a[:240] + _words(rng, 60)  # J ~ 0.6: an LSH candidate at 0.5, below verification 0.9
    texts = {"a": " ".join(a), "b": " ".join(b)}
    kw = {"mode": "resemblance", "shingle_k": 5}
    result = find_near_duplicates(texts, threshold=0.5, verify_threshold=0.9, **kw)
    assert result.clusters == []
    (pair,) = result.pairs
    assert pair.candidate_of == ("lsh",) and pair.merged_by is None
    assert 0.5 < pair.jaccard < 0.9  # type: ignore[operator]
    assert near_duplicate_clusters(texts, threshold=0.5, **kw) == [{"a", "b"}]  # verified at 0.5
    est = find_near_duplicates(texts, threshold=0.5, verify_threshold=0.9, verify_on="estimate", **kw)
    assert est.clusters == [] and est.pairs[0].jaccard is None


def test_no_merge_through_a_chain_of_similar_documents() -> None:
    """a ~ b and b ~ c (Jaccard 0.6) but a and c share a third of their shingles: single
    linkage would drop c for a (the kept document, the longest); every member must match the
    kept document itself, so c stays."""
    words = [f"openingword{i}" if i < 10 else f"w{i}" for i in range(60)]  # a is the longest text
    texts = {"a": " ".join(words[0:40]), "b": " ".join(words[10:50]), "c": " ".join(words[20:60])}
    assert jaccard(word_shingles(texts["a"], 2), word_shingles(texts["c"], 2)) < 0.5
    result = find_near_duplicates(texts, threshold=0.5, mode="resemblance", shingle_k=2, shingle_unit="word")
    assert [(c.canonical, set(c.members)) for c in result.clusters] == [("a", {"a", "b"})]
    merged = [(p.doc_a, p.doc_b) for p in result.pairs if p.merged_by is not None]
    assert merged == [("a", "b")]  # b ~ c is verified, reported, and does not join


def test_containment_finds_excerpt_resemblance_misses() -> None:
    rng = random.Random(8)
    source = _words(rng, 600)
    texts = {"source": " ".join(source), "excerpt": " ".join(source[200:330]),
             "other": " ".join(_words(rng, 300))}
    sets = {d: word_shingles(t, 5) for d, t in texts.items()}
    assert jaccard(sets["source"], sets["excerpt"]) < 0.25 and containment(sets["source"], sets["excerpt"]) == 1.0
    assert near_duplicate_clusters(texts, mode="resemblance") == []
    for mode in ("containment", "both"):  # "both" is the default
        result = find_near_duplicates(texts, mode=mode)
        assert result.as_sets() == [{"source", "excerpt"}]
        assert result.clusters[0].canonical == "source" and result.clusters[0].rules == {"containment"}


def test_excerpt_does_not_bridge_two_sources() -> None:
    rng = random.Random(9)
    quote = _words(rng, 100)
    texts = {"s1": " ".join(_words(rng, 400) + quote), "s2": " ".join(quote + _words(rng, 500)),
             "quote": " ".join(quote)}
    result = find_near_duplicates(texts, mode="containment", shingle_k=5, containment_threshold=0.7)
    assert result.as_sets() == [{"quote", "s2"}]  # best edge: equal containment -> longest source
    demoted = [p for p in result.pairs if p.merged_by is None and "quote" in (p.doc_a, p.doc_b)]
    assert [p.doc_a for p in demoted] == ["quote"] and demoted[0].doc_b == "s1"


def test_short_documents_do_not_merge_by_containment() -> None:
    rng = random.Random(10)
    source = _words(rng, 400)
    texts = {"source": " ".join(source), "snippet": " ".join(source[:20])}  # 19 word 2-shingles
    assert near_duplicate_clusters(texts, mode="containment") == []
    assert near_duplicate_clusters(texts, mode="containment", min_containment_shingles=10) == [
        {"source", "snippet"}]


def test_parameters_validated() -> None:
    with pytest.raises(TypeError, match="unknown dedup parameter"):
        near_duplicate_clusters({}, treshold=0.5)
    with pytest.raises(ValueError):
        near_duplicate_clusters({}, threshold=1.5)
    with pytest.raises(ValueError):
        near_duplicate_clusters({}, mode="fuzzy")
    assert near_duplicate_clusters({}) == [] and near_duplicate_clusters({"a": "x y z"}) == []


def test_signature_cache_reused(base_texts: dict[str, str]) -> None:
    cache: dict[str, np.ndarray] = {}
    first = NearDuplicateIndex(base_texts, cache=cache)
    assert len(cache) == len(first.keys) == 3  # orig/copy share one exact group
    cache_ids = {k: id(v) for k, v in cache.items()}
    second = NearDuplicateIndex(base_texts, cache=cache)
    assert {k: id(v) for k, v in cache.items()} == cache_ids
    assert second.find().as_sets() == first.find().as_sets()


# ------------------------------------------------------------------ metrics

PAIRS = [
    DedupPair("a", "b", "duplicate", "exact"),
    DedupPair("a", "c", "duplicate", "light_edit"),
    DedupPair("a", "d", "duplicate", "heavy_edit"),
    DedupPair("a", "e", "distinct", "same_topic"),
    DedupPair("b", "e", "distinct", "same_topic"),
    DedupPair("f", "g", "distinct", "random"),
]


def test_pair_metrics_by_hand() -> None:
    clusters = [{"a", "b", "c", "e"}, {"f", "x"}]
    s = pair_scores(PAIRS, clusters)
    # merged: a-b, a-c (duplicates), a-e, b-e (distinct); missed: a-d
    assert (s.merged, s.true_merges, s.false_merges, s.missed_merges) == (4, 2, 2, 1)
    assert s.precision == 0.5 and s.false_merge_rate == 0.5
    assert s.recall == 2 / 3 and s.missed_merge_rate == 1 / 3 and not s.no_merged_pairs
    assert false_merge_rate(PAIRS, clusters) == 0.5 and missed_merge_rate(PAIRS, clusters) == 1 / 3
    kinds = pair_scores_by_kind(PAIRS, clusters)
    assert list(kinds) == ["exact", "heavy_edit", "light_edit", "random", "same_topic"]
    assert kinds["exact"].recall == 1.0 and kinds["heavy_edit"].recall == 0.0
    assert kinds["same_topic"].merged_fraction == 1.0 and kinds["same_topic"].recall is None
    assert kinds["random"].false_merge_rate == 0.0 and kinds["random"].no_merged_pairs


def test_pair_metrics_edge_cases() -> None:
    none = pair_scores(PAIRS, [])
    assert none.false_merge_rate == 0.0 and none.no_merged_pairs and none.precision is None
    assert none.recall == 0.0 and none.missed_merge_rate == 1.0
    distinct_only = [p for p in PAIRS if p.label == "distinct"]
    s = pair_scores(distinct_only, [{"f", "g"}])
    assert s.recall is None and s.missed_merge_rate is None and s.false_merge_rate == 1.0
    empty = pair_scores([], [{"a", "b"}])
    assert empty.merged_fraction is None and empty.recall is None and empty.precision is None
    with pytest.raises(ValueError, match="two predicted clusters"):
        pair_scores(PAIRS, [{"a", "b"}, {"a", "c"}])


def test_cluster_pair_scores_by_hand() -> None:
    reference = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2", "f": "3"}
    predicted = [{"a", "b"}, {"c", "d", "e"}, {"z", "f"}]  # z unknown: ignored
    s = cluster_pair_scores(reference, predicted)
    # reference pairs ab ac bc de = 4; predicted ab cd ce de = 4; true ab de = 2
    assert (s.reference_pairs, s.predicted_pairs, s.true_pairs) == (4, 4, 2)
    assert s.precision == s.recall == s.f1 == 0.5
    assert cluster_pair_scores(reference, []).precision is None
    assert cluster_pair_scores({"a": "1", "b": "2"}, [{"a", "b"}]).recall is None


def test_threshold_sweep_and_table() -> None:
    at = {0.5: [{"a", "b", "c", "e"}], 0.9: [{"a", "b"}]}
    points = threshold_sweep(PAIRS, lambda t: at[t], thresholds=(0.5, 0.9),
                             overall_kinds={"exact", "light_edit", "same_topic", "random"},
                             reference_clusters={"a": "1", "b": "1", "c": "1", "e": "2"})
    assert [p.threshold for p in points] == [0.5, 0.9]
    assert points[0].overall.recall == 1.0 and points[0].overall.false_merge_rate == 0.5
    assert points[0].by_kind["heavy_edit"].recall == 0.0  # left out of overall, reported per kind
    assert points[1].overall.precision == 1.0 and points[1].overall.recall == 0.5
    assert points[1].clusters is not None and points[1].clusters.recall == 1 / 3
    table = sweep_table(points).splitlines()
    assert table[0].startswith("| threshold | P | R | false-merge | cluster P | cluster R | exact |")
    assert table[2].startswith("| 0.50 | 0.50 | 1.00 | 0.50 | 0.50 | 1.00 | 1.00 | 0.00 |")


# ------------------------------------------------------------------ committed sample

@pytest.fixture(scope="module")
def sample() -> tuple[dict[str, str], list[DedupPair], dict[str, str]]:
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (SAMPLE / "parse").glob("*.txt")}
    return texts, load_dedup_pairs(SAMPLE), load_dedup_clusters(SAMPLE)


@pytest.mark.parametrize("mode", ["resemblance", "containment", "both"])
def test_sample_defaults(sample: tuple[dict[str, str], list[DedupPair], dict[str, str]], mode: str) -> None:
    texts, pairs, reference = sample
    clusters = near_duplicate_clusters(texts, mode=mode)
    overall = pair_scores(pairs, clusters)
    kinds = pair_scores_by_kind(pairs, clusters)
    heavy = kinds["heavy_edit"]
    print(f"\nsample, mode={mode}: P={overall.precision} R={overall.recall:.2f} "
          f"false-merge={overall.false_merge_rate}; heavy_edit recall={heavy.recall:.2f}")
    assert overall.false_merge_rate == 0.0 and not overall.no_merged_pairs
    assert kinds["exact"].recall == 1.0 and kinds["light_edit"].recall == 1.0
    assert kinds["same_topic"].merged == 0 and kinds["random"].merged == 0
    assert cluster_pair_scores(reference, clusters).precision == 1.0  # no unlabelled false merge
    # heavy edits (word 2-shingles: J 0.57-0.63, containment >= 0.73) are found by resemblance at
    # 0.5 (default "both" included), not by containment alone at 0.8 (benchmarks/sweep_dedup.py)
    assert heavy.recall == (0.0 if mode == "containment" else 1.0)


# ------------------------------------------------------------------ overlaps kept between runs

def _family_texts(seed: int = 3, families: int = 6, per_family: int = 5) -> dict[str, str]:
    """Families of edited copies of one base text: many candidate pairs, merged and rejected."""
    rng = random.Random(seed)
    texts = {}
    for f in range(families):
        base = _words(rng, 220)
        for i in range(per_family):
            words = list(base)
            for _ in range(rng.randrange(0, 90)):
                words[rng.randrange(len(words))] = f"e{rng.randrange(10_000)}"
            texts[f"f{f}-d{i}"] = " ".join(words[: rng.randrange(120, 220)])
    return texts


def test_overlap_cache_round_trip_and_pruning() -> None:
    from rag_eval_assets.lib.dedup.overlaps import OverlapCache

    cache = OverlapCache()
    assert cache.get_many([("a", "b")]).tolist() == [-1]
    cache.put_many([("a", "b"), ("c", "a"), ("b", "c")], [5, 7, 0])
    assert cache.get_many([("b", "a"), ("a", "c"), ("c", "b"), ("a", "z")]).tolist() == [5, 7, 0, -1]
    cache.put_many([("a", "b")], [99])  # a known pair keeps its value (overlaps never change)
    assert cache.get_many([("a", "b")]).tolist() == [5]
    again = OverlapCache.from_bytes(cache.to_bytes())
    assert again.get_many([("a", "b"), ("a", "c"), ("b", "c")]).tolist() == [5, 7, 0]
    kept = again.pruned({"c", "a", "gone"})
    assert len(kept) == 1 and kept.keys == ["a", "c"]
    assert kept.get_many([("c", "a"), ("a", "b")]).tolist() == [7, -1]


def test_overlaps_kept_between_runs_give_identical_results_and_only_new_pairs_are_intersected() -> None:
    from rag_eval_assets.lib.dedup import MatchParams
    from rag_eval_assets.lib.dedup.overlaps import OverlapCache

    texts = _family_texts()
    fresh = NearDuplicateIndex(texts).find()
    assert fresh.clusters and any(p.merged_by is None for p in fresh.pairs)  # merges and rejections
    stored = OverlapCache()
    first = NearDuplicateIndex(texts, overlaps=stored)
    assert first.find() == fresh
    assert stored.added == len(stored) >= len(fresh.pairs) - sum(p.candidate_of == ("exact_hash",) for p in fresh.pairs)
    stored = OverlapCache.from_bytes(stored.pruned(first.sketch_key.values()).to_bytes())

    changed = dict(texts, **{"f0-d1": texts["f0-d1"] + " an added closing sentence of the benchmark"})
    warm = NearDuplicateIndex(changed, overlaps=stored)
    assert warm.find() == NearDuplicateIndex(changed).find()
    new = {p for p in warm._overlap if "f0-d1" in p}
    assert 0 < stored.added <= len(new)  # only pairs with the changed document were intersected
    # a threshold sweep verifies each pair once: later thresholds intersect nothing new
    sweep = NearDuplicateIndex(changed, overlaps=stored)
    before = stored.added
    results = [sweep.find(MatchParams(threshold=t)) for t in (0.5, 0.7, 0.9)]
    assert stored.added == before
    assert [r.as_sets() for r in results] == [NearDuplicateIndex(changed).find(MatchParams(threshold=t)).as_sets()
                                             for t in (0.5, 0.7, 0.9)]


def test_find_restores_the_garbage_collector() -> None:
    import gc

    assert gc.isenabled()
    NearDuplicateIndex(_family_texts()).find()
    assert gc.isenabled()
    gc.disable()
    try:
        NearDuplicateIndex(_family_texts()).find()
        assert not gc.isenabled()  # a caller's choice is kept
    finally:
        gc.enable()
