"""Sensor benchmark: one `corpus_sensor` tick over N unchanged, processed documents against
hashing them (what the sensor did on every tick before: the baseline, measured in the same run).

``python benchmarks/bench_sensor.py [--docs 2000] [--kb 30] [--repeat 3]``

The corpus is N generated text files of ``--kb`` KB (the sample corpus averages ~30 KB), each
with a metadata row. "Processed" is the state every stage's output gives: for each document and
each per-document asset an output file at the document's expected version (``lib.state``), so
the tick finds nothing to do, exactly as after `rag-eval run`. The tick is evaluated as the
daemon would (``evaluate_tick`` with the repository's resources), on a warm stat cache (the first
tick after `rag-eval run` finds the cache `rag-eval` wrote). Printed: seconds per tick, seconds
to hash every file, their ratio, and what the tick requested (nothing).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import dagster as dg  # noqa: E402

from rag_eval_assets.definitions import build_definitions  # noqa: E402
from rag_eval_assets.lib import statcache  # noqa: E402
from rag_eval_assets.lib.documents import METADATA_FILENAME, doc_id_for  # noqa: E402
from rag_eval_assets.lib.state import expected_versions  # noqa: E402
from rag_eval_assets.partitions import DOCUMENTS  # noqa: E402
from rag_eval_assets.resources import build_resources, corpus_view, refresh_digest  # noqa: E402
from rag_eval_assets.settings import Settings  # noqa: E402

WORDS = [f"w{i}" for i in range(5000)]


def make_corpus(root: Path, n: int, kb: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rel = f"folder{i // 500:02d}/doc{i:05d}.txt"
        words, size = [], 0
        while size < kb * 1024:
            words.append(rng.choice(WORDS))
            size += len(words[-1]) + 1
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(" ".join(words))
        rows.append({"path": rel, "doc_class": "text_multilingual", "tenant": "acme", "locale": "en-US",
                     "product": "sso", "version": "v1.0", "current": True, "permitted": True})
    (root / METADATA_FILENAME).write_text("".join(json.dumps(r) + "\n" for r in rows))


def hash_all(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted(root.rglob("*.txt")):
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                h.update(block)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--kb", type=int, default=30)
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sensor-") as tmp:
        tmp = Path(tmp)
        corpus, golden = tmp / "corpus", tmp / "golden"
        golden.mkdir()
        make_corpus(corpus, args.docs, args.kb)
        settings = Settings(corpus_root=str(corpus), golden_root=str(golden), storage_root=str(tmp / "storage"),
                            parsers=("pymupdf",), primary_parser="pymupdf", embed_model="hashing")
        defs = build_definitions(settings)
        r = build_resources(settings)
        view = corpus_view(r["corpus"], r["storage"], r["parse_config"], r["clean_config"], r["chunk_config"],
                           r["embed_config"])  # writes the stat cache, as `rag-eval run` does
        outputs = view.outputs
        for doc in view.docs.values():  # every stage's output at the expected version: processed
            for asset, version in expected_versions(doc, view.config).items():
                outputs.storage.write_bytes(f"{asset}/{doc.doc_id}@{version}.json", b"{}")
        view = corpus_view(r["corpus"], r["storage"], r["parse_config"], r["clean_config"], r["chunk_config"],
                           r["embed_config"])
        digest = refresh_digest(view, r)
        outputs.write_state("refresh", {"inputs_digest": digest})
        instance = dg.DagsterInstance.ephemeral()
        instance.add_dynamic_partitions(DOCUMENTS, sorted(view.docs, key=lambda d: view.docs[d].relpath))
        repo = defs.get_repository_def()
        sensor = repo.get_sensor_def("corpus_sensor")
        # unchanged means unchanged for a moment: results about files modified within the last
        # RACY_S seconds are never reused (a change in the same clock tick keeps the mtime)
        time.sleep(statcache.RACY_S + 0.1)
        ticks, requested = [], 0
        # the resources the daemon's code server builds for a tick: the ones the sensor requires
        required = {k: v for k, v in repo.get_top_level_resources().items() if k in sensor.required_resource_keys}
        for _ in range(args.repeat):
            ctx = dg.build_sensor_context(instance=instance, cursor=None, resources=required, repository_def=repo)
            start = time.perf_counter()
            data = sensor.evaluate_tick(ctx)
            ticks.append(time.perf_counter() - start)
            requested += len(data.run_requests)
        hashes = [hash_all(corpus) for _ in range(args.repeat)]
        tick, hashing = min(ticks[1:] or ticks), min(hashes)
        mb = sum(p.stat().st_size for p in corpus.rglob("*.txt")) / 1e6
        print(f"{args.docs} unchanged documents ({mb:.0f} MB), best of {args.repeat}")
        print("| measurement | seconds | ratio |\n|---|--:|--:|")
        print(f"| hash every file (baseline: the sensor's tick before) | {hashing:.3f} | 1.00 |")
        print(f"| first corpus_sensor tick of a process (fills its caches) | {ticks[0]:.3f} | {ticks[0] / hashing:.2f} |")
        print(f"| corpus_sensor tick (stat every file, cached sidecar and listings, pending, refresh digest) "
              f"| {tick:.3f} | {tick / hashing:.2f} |")
        print(f"run requests over {args.repeat} ticks: {requested}; a document id check: {doc_id_for('folder00/doc00000.txt')}")
        return 0 if requested == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
