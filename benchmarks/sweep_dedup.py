"""Sweep that sets the near-duplicate defaults (``rag_eval_assets/lib/dedup/clusters.py``).

``python benchmarks/sweep_dedup.py [--out FILE]``

Grid: shingle unit and size (word 2, 3, 4, 5, 7; char 4, 5, 7, 9, 12) x mode (resemblance;
containment; both = resemblance at 0.5-0.9 + containment) x thresholds 0.3-0.9, on

- Clough (``../shared/evaldata/dedup/clough``, 35 texts): answer vs. source of its task; cut and
  light are duplicates, heavy is a paraphrase (reported, neither hit nor false merge), non is
  distinct (merging it is a false merge);
- the committed sample (``golden_sets/sample``: ``dedup/pairs.csv`` over the parse references;
  duplicate = exact / light_edit / heavy_edit, distinct = same_topic / random) and its reference
  clusters (``dedup/clusters.csv``), which also see merges of unlabelled pairs.

A setting is *admissible* when nothing distinct is merged: no Clough ``non`` answer, no sample
distinct pair, cluster-pair precision 1.0 on both sets. Admissible settings are ranked by Clough
cut + light recall, then sample duplicate recall, then margin (how many neighbouring thresholds,
one step either way, are admissible with the same recall), then simplicity (resemblance before
both before containment). The baseline is datasketch itself: ``MinHash`` (128 permutations) over
character 5-grams of the normalized text, ``MinHashLSH(threshold=0.5)``, every candidate pair
merged (no verification).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from datasketch import MinHash, MinHashLSH  # noqa: E402

from rag_eval_assets.lib.dedup import (  # noqa: E402
    MatchParams,
    NearDuplicateIndex,
    SketchParams,
    shingle_set,
)
from rag_eval_assets.lib.goldens import (  # noqa: E402
    DedupPair,
    default_evaldata_root,
    load_dedup_clusters,
)
from rag_eval_assets.lib.metrics.dedup import cluster_pair_scores, pair_scores_by_kind  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_dedup import clough_clusters, load_clough, load_sample  # noqa: E402

SHINGLES = [("word", 2), ("word", 3), ("word", 4), ("word", 5), ("word", 7),
            ("char", 4), ("char", 5), ("char", 7), ("char", 9), ("char", 12)]
THRESHOLDS = tuple(round(0.3 + 0.05 * i, 2) for i in range(13))  # 0.30 ... 0.90
BOTH_RESEMBLANCE = (0.5, 0.6, 0.7, 0.8, 0.9)
SAMPLE_DUPLICATE = ("exact", "light_edit", "heavy_edit")
SAMPLE_DISTINCT = ("same_topic", "random")


@dataclass(frozen=True)
class Row:
    unit: str
    k: int
    mode: str
    threshold: float  # resemblance threshold (resemblance / both)
    containment_threshold: float | None  # containment / both
    cut: int
    light: int
    heavy: int
    non: int
    clough_cluster_p: float | None
    sample_dup: int
    sample_kinds: tuple[int, ...]  # merged exact, light_edit, heavy_edit
    sample_distinct: int
    sample_cluster_p: float | None

    @property
    def admissible(self) -> bool:
        return (self.non == 0 and self.sample_distinct == 0 and self.clough_cluster_p in (None, 1.0)
                and self.sample_cluster_p in (None, 1.0))


@dataclass
class Data:
    texts: dict[str, str]
    pairs: list[DedupPair]
    reference: dict[str, str]


def _merged(kinds: dict, kind: str) -> int:
    s = kinds.get(kind)
    return 0 if s is None else s.merged


def _evaluate(clusters_c: list[set[str]], clusters_s: list[set[str]], clough: Data, sample: Data,
              key: tuple) -> Row:
    kc = pair_scores_by_kind(clough.pairs, clusters_c)
    ks = pair_scores_by_kind(sample.pairs, clusters_s)
    sample_kinds = tuple(_merged(ks, k) for k in SAMPLE_DUPLICATE)
    return Row(*key, _merged(kc, "cut"), _merged(kc, "light"), _merged(kc, "heavy"), _merged(kc, "non"),
               cluster_pair_scores(clough.reference, clusters_c).precision, sum(sample_kinds), sample_kinds,
               sum(_merged(ks, k) for k in SAMPLE_DISTINCT), cluster_pair_scores(sample.reference, clusters_s).precision)


def _settings() -> Iterable[tuple[str, float, float | None]]:
    for t in THRESHOLDS:
        yield "resemblance", t, None
    for t in THRESHOLDS:
        yield "containment", 0.7, t
    for r in BOTH_RESEMBLANCE:
        for t in THRESHOLDS:
            yield "both", r, t


def sweep(clough: Data, sample: Data) -> list[Row]:
    rows = []
    for unit, k in SHINGLES:
        sketch = SketchParams(shingle_k=k, shingle_unit=unit)  # type: ignore[arg-type]
        index_c, index_s = NearDuplicateIndex(clough.texts, sketch), NearDuplicateIndex(sample.texts, sketch)
        for mode, t, c in _settings():
            mp = MatchParams(threshold=t, mode=mode, containment_threshold=c or 0.7)  # type: ignore[arg-type]
            rows.append(_evaluate(index_c.find(mp).as_sets(), index_s.find(mp).as_sets(), clough, sample,
                                  (unit, k, mode, t, c)))
    return rows


def datasketch_baseline(data: Data, k: int = 5, threshold: float = 0.5, num_perm: int = 128) -> list[set[str]]:
    """datasketch alone: char k-grams of the normalized text, MinHashLSH, every candidate merged."""
    keys = sorted(data.texts)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    minhashes = {}
    for key in keys:
        m = MinHash(num_perm=num_perm)
        m.update_batch([s.encode("utf-8") for s in shingle_set(data.texts[key], k, "char")])
        minhashes[key] = m
        lsh.insert(key, m)
    parent = {key: key for key in keys}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for key in keys:
        for other in lsh.query(minhashes[key]):
            parent[find(other)] = find(key)
    groups: dict[str, set[str]] = {}
    for key in keys:
        groups.setdefault(find(key), set()).add(key)
    return [g for g in groups.values() if len(g) > 1]


def _margin(row: Row, by_key: dict[tuple, Row]) -> int:
    """Admissible neighbours (one threshold step either way) with the same recalls."""
    step = 0.05
    out = 0
    for dt, dc in ((-step, 0), (step, 0), (0, -step), (0, step)):
        if row.mode == "resemblance" and dc or row.mode == "containment" and dt:
            continue
        if row.mode == "both" and dt:
            dt *= 2  # the resemblance grid of "both" steps by 0.1
        t = round(row.threshold + dt, 2)
        c = None if row.containment_threshold is None else round(row.containment_threshold + dc, 2)
        other = by_key.get((row.unit, row.k, row.mode, t, c))
        if other and other.admissible and (other.cut, other.light, other.sample_dup) == (row.cut, row.light,
                                                                                            row.sample_dup):
            out += 1
    return out


def _fmt(row: Row, margin: int) -> str:
    c = "-" if row.containment_threshold is None else f"{row.containment_threshold:.2f}"
    t = "-" if row.mode == "containment" else f"{row.threshold:.2f}"
    return (f"| {row.unit} {row.k} | {row.mode} | {t} | {c} | {row.cut}/6 | {row.light}/6 | {row.heavy}/6 | "
            f"{row.non} | {row.sample_dup}/{row.sample_kinds} | {row.sample_distinct} | "
            f"{row.clough_cluster_p if row.clough_cluster_p is None else round(row.clough_cluster_p, 2)} | "
            f"{row.sample_cluster_p if row.sample_cluster_p is None else round(row.sample_cluster_p, 2)} | {margin} |")


HEAD = ("| shingles | mode | resemblance t | containment t | Clough cut | light | heavy | non merged | "
        "sample dup merged (exact, light, heavy) | sample distinct merged | Clough cluster P | sample cluster P | margin |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|")
MODE_ORDER = {"resemblance": 0, "both": 1, "containment": 2}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="also write every row as a Markdown table here")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    root = default_evaldata_root() / "dedup" / "clough"
    if not root.is_dir():
        raise SystemExit(f"{root} is absent: the sweep needs the Clough corpus")
    texts_c, pairs_c = load_clough(root)
    clough = Data(texts_c, pairs_c, clough_clusters(pairs_c))
    texts_s, pairs_s = load_sample()
    sample = Data(texts_s, pairs_s, load_dedup_clusters(ROOT / "golden_sets" / "sample"))
    n_kind = {k: sum(p.kind == k for p in pairs_s) for k in SAMPLE_DUPLICATE + SAMPLE_DISTINCT}
    print(f"Clough: {len(texts_c)} texts, {len(pairs_c)} pairs; sample: {len(texts_s)} texts, pairs {n_kind}")
    start = time.perf_counter()
    base_c, base_s = datasketch_baseline(clough), datasketch_baseline(sample)
    base = _evaluate(base_c, base_s, clough, sample, ("char", 5, "datasketch LSH", 0.5, None))
    print("\nBaseline (datasketch MinHash char 5-grams, MinHashLSH 0.5, no verification):\n" + HEAD)
    print(_fmt(base, 0))
    rows = sweep(clough, sample)
    by_key = {(r.unit, r.k, r.mode, r.threshold, r.containment_threshold): r for r in rows}
    ranked = sorted((r for r in rows if r.admissible),
                    key=lambda r: (-(r.cut + r.light), -r.sample_dup, -_margin(r, by_key), MODE_ORDER[r.mode],
                                   -r.cut, r.threshold, r.containment_threshold or 0))
    print(f"\n{len(rows)} settings in {time.perf_counter() - start:.0f} s, {len(ranked)} admissible. "
          f"Best {args.top} admissible:\n" + HEAD)
    for r in ranked[:args.top]:
        print(_fmt(r, _margin(r, by_key)))
    print("\nBest admissible per shingling (same ranking):\n" + HEAD)
    seen = set()
    for r in ranked:
        if (r.unit, r.k, r.mode) not in seen:
            seen.add((r.unit, r.k, r.mode))
            print(_fmt(r, _margin(r, by_key)))
    if args.out:
        args.out.write_text(HEAD + "\n" + "\n".join(_fmt(r, _margin(r, by_key)) for r in rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
