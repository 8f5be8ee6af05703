"""Dedup benchmark and threshold sweep.

``python benchmarks/bench_dedup.py bench [--docs 2000] [--words 400]``
    Signature throughput of ``MinHashSigner`` (vectorized) against datasketch's per-document
    ``MinHash.update`` loop and ``MinHash.bulk`` on the same generated documents (identical
    signatures asserted), then MinHashLSH insert / query and full ``find_near_duplicates`` time.
    Documents are synthetic (seeded): families of an original, an exact copy, a light edit and a
    heavy edit, plus unrelated documents, drawn from a 5,000-word vocabulary.

``python benchmarks/bench_dedup.py sweep``
    Threshold tables (``metrics.dedup.sweep_table``): resemblance 0.5-0.95 for word 2/3/5-shingles,
    and the containment threshold in mode ``both`` at the default shingles, on the committed sample
    golden set and on the Clough corpus (``../shared/evaldata/dedup/clough``). The full grid that
    sets the defaults (word / char shingles x mode x thresholds, false merges held at 0, against
    datasketch alone) is ``benchmarks/sweep_dedup.py``.

Clough labels (pairs are answer vs. ``orig_task<T>.txt``): ``cut`` (copy-paste of excerpts) and
``light`` (light revision) are duplicates of their source; ``heavy`` (heavy revision) is a
paraphrase, reported separately (recall column) and left out of the overall P/R; ``non``
(independently written on the same task) is distinct. ``tests/test_dedup_evaldata.py`` loads
:func:`load_clough` and :func:`load_sample` from here.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

from datasketch import MinHash

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rag_eval_assets.lib.dedup import (
    MatchParams,
    MinHashSigner,
    NearDuplicateIndex,
    SketchParams,
    datasketch_signatures,
    find_near_duplicates,
    lsh_candidate_pairs,
    shingle_set,
)
from rag_eval_assets.lib.goldens import (
    DedupPair,
    default_evaldata_root,
    load_dedup_clusters,
    load_dedup_pairs,
)
from rag_eval_assets.lib.metrics.dedup import sweep_table, threshold_sweep

CLOUGH_DUPLICATE = frozenset({"cut", "light"})
CLOUGH_PARAPHRASE = "heavy"


def load_sample(golden_root: Path = ROOT / "golden_sets" / "sample") -> tuple[dict[str, str], list[DedupPair]]:
    """Texts (``parse/<doc_id>.txt``) and labelled pairs of a golden-set folder."""
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((golden_root / "parse").glob("*.txt"))}
    return texts, load_dedup_pairs(golden_root)


def load_clough(root: Path | None = None) -> tuple[dict[str, str], list[DedupPair]]:
    """Clough texts (file stem -> text) and one pair per answer vs. its task's source.

    kind = Clough category; label ``duplicate`` for cut / light / heavy, ``distinct`` for non
    (use ``overall_kinds`` to leave ``heavy`` out of the overall scores).
    """
    root = root or default_evaldata_root() / "dedup" / "clough"
    texts: dict[str, str] = {}
    pairs: list[DedupPair] = []
    with open(root / "file_information.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            name = Path(row["File"]).stem
            texts[name] = (root / row["File"]).read_bytes().decode("utf-8", errors="replace")
            if row["Category"] != "orig":
                label = "distinct" if row["Category"] == "non" else "duplicate"
                pairs.append(DedupPair(name, f"orig_task{row['Task']}", label, row["Category"]))
    return texts, pairs


def clough_overall_kinds() -> frozenset[str]:
    return CLOUGH_DUPLICATE | {"non"}


def clough_clusters(pairs: list[DedupPair]) -> dict[str, str]:
    """Reference clusters: each source with its cut / light answers, non answers alone; heavy
    answers are left out (a paraphrase is measured separately, not scored as a false merge)."""
    out = {p.doc_b: p.doc_b for p in pairs}
    out.update({p.doc_a: p.doc_b if p.kind in CLOUGH_DUPLICATE else p.doc_a
                for p in pairs if p.kind != CLOUGH_PARAPHRASE})
    return out


# ------------------------------------------------------------------ sweep

def _sweep(name: str, texts: dict[str, str], pairs: list[DedupPair], overall: frozenset[str] | None,
           reference: dict[str, str] | None) -> None:
    for k in (2, 3, 5):
        index = NearDuplicateIndex(texts, SketchParams(shingle_k=k))
        points = threshold_sweep(
            pairs, lambda t, ix=index: ix.find(MatchParams(threshold=t, mode="resemblance")).as_sets(),
            overall_kinds=overall, reference_clusters=reference)
        print(f"\n{name}: resemblance, word {k}-shingles (threshold = LSH + verification Jaccard)\n")
        print(sweep_table(points))
    index = NearDuplicateIndex(texts, SketchParams())
    points = threshold_sweep(
        pairs, lambda t: index.find(MatchParams(mode="both", containment_threshold=t)).as_sets(),
        overall_kinds=overall, reference_clusters=reference)
    print(f"\n{name}: mode=both (default resemblance {MatchParams().threshold} + containment), default "
          f"shingles ({SketchParams().shingle_unit} {SketchParams().shingle_k}), threshold = containment threshold\n")
    print(sweep_table(points))


def run_sweep() -> None:
    texts, pairs = load_sample()
    reference = load_dedup_clusters(ROOT / "golden_sets" / "sample")
    _sweep(f"sample ({len(texts)} docs, {len(pairs)} pairs)", texts, pairs, None, reference)
    clough_root = default_evaldata_root() / "dedup" / "clough"
    if clough_root.is_dir():
        texts, pairs = load_clough(clough_root)
        _sweep(f"Clough ({len(texts)} docs, {len(pairs)} pairs; overall = cut+light vs non)",
               texts, pairs, clough_overall_kinds(), clough_clusters(pairs))
    else:
        print(f"\nClough skipped: {clough_root} is absent")


# ------------------------------------------------------------------ benchmark

def synthetic_corpus(n_docs: int, words: int, seed: int = 0) -> dict[str, str]:
    """Seeded families (original, exact copy, light edit, heavy edit) and unrelated documents."""
    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(5000)]
    texts: dict[str, str] = {}
    while len(texts) < n_docs:
        base = [rng.choice(vocab) for _ in range(words)]
        i = len(texts)
        texts[f"doc{i:06d}"] = " ".join(base)
        if rng.random() < 0.5:  # a family
            light = [w if rng.random() > 0.03 else rng.choice(vocab) for w in base]
            heavy = [w if rng.random() > 0.3 else rng.choice(vocab) for w in base]
            for j, doc in enumerate((base, light, heavy), start=1):
                texts[f"doc{i:06d}_{j}"] = " ".join(doc)
    return dict(list(texts.items())[:n_docs])


def _timed(fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run_bench(n_docs: int, words: int, num_perm: int = 128) -> None:
    texts = synthetic_corpus(n_docs, words)
    shingles = [sorted(shingle_set(t, 5)) for t in texts.values()]
    n_sh = sum(map(len, shingles))
    print(f"{n_docs} documents, {words} words each, {n_sh:,} word 5-shingles, num_perm={num_perm}")
    signer = MinHashSigner(num_perm=num_perm)
    t_ours, ours = _timed(lambda: signer.signatures(shingles), repeat=3)
    t_loop, loop = _timed(lambda: datasketch_signatures(shingles, num_perm=num_perm))
    # every contender starts from the same str shingle sets (datasketch needs bytes: encoding counts)
    t_bulk, bulk = _timed(lambda: MinHash.bulk([[s.encode("utf-8") for s in doc] for doc in shingles],
                                               num_perm=num_perm))
    assert (ours == loop).all(), "signatures differ from datasketch's update loop"
    assert all((row == m.hashvalues).all() for row, m in zip(ours, bulk, strict=True)), "signatures differ from bulk"
    print("signatures identical to datasketch update loop and MinHash.bulk: yes")
    for name, t in (("datasketch update loop", t_loop), ("datasketch MinHash.bulk", t_bulk),
                    ("MinHashSigner (ours)", t_ours)):
        print(f"  {name:24s} {t:8.3f} s  {n_docs / t:10,.0f} docs/s  {n_sh / t / 1e6:6.2f} M shingles/s")
    print(f"  ratio ours vs update loop: {t_loop / t_ours:.1f}x;  ours vs bulk: {t_bulk / t_ours:.1f}x")

    keys = list(texts)
    minhashes = [signer.to_minhash(row) for row in ours]
    t_lsh, pairs = _timed(lambda: lsh_candidate_pairs(keys, minhashes, 0.7, num_perm, (0.1, 0.9)))
    print(f"MinHashLSH insert + query all (threshold 0.7): {t_lsh:.3f} s, {len(pairs)} candidate pairs")
    t_find, result = _timed(lambda: find_near_duplicates(texts))
    print(f"find_near_duplicates (defaults: {MatchParams().mode}, end to end): {t_find:.3f} s, "
          f"{len(result.clusters)} clusters")
    t_res, result = _timed(lambda: find_near_duplicates(texts, mode="resemblance", shingle_k=5, threshold=0.7))
    print(f"find_near_duplicates (previous defaults: resemblance, word 5, 0.7): {t_res:.3f} s, "
          f"{len(result.clusters)} clusters")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd")
    bench = sub.add_parser("bench")
    bench.add_argument("--docs", type=int, default=2000)
    bench.add_argument("--words", type=int, default=400)
    sub.add_parser("sweep")
    args = parser.parse_args(argv)
    if args.cmd == "sweep":
        run_sweep()
    else:
        run_bench(getattr(args, "docs", 2000), getattr(args, "words", 400))


if __name__ == "__main__":
    main()
