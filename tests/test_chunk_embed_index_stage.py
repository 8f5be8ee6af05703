"""Chunk, embed and index stages in Dagster: checks, zero re-embedding on an unchanged
re-run, duplicates left out of the index, ANN recall against flat."""

import dagster as dg
import pytest

from rag_eval_assets.defs import chunk, clean, dedup, embed, index
from rag_eval_assets.defs import parse as parse_defs
from rag_eval_assets.lib.documents import load_metadata
from rag_eval_assets.lib.indexing import VectorIndex
from rag_eval_assets.lib.storage import Storage
from rag_eval_assets.partitions import DOCUMENTS
from rag_eval_assets.resources import (
    PROJECT_ROOT,
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    DedupConfig,
    EmbedConfig,
    GoldenSetResource,
    IndexConfig,
    ParseConfig,
    StorageResource,
)

pytestmark = pytest.mark.slow
CORPUS = PROJECT_ROOT / "sample_corpus"


def test_chunks_embeddings_index(tmp_path):
    meta = load_metadata(CORPUS)
    keys = sorted(d for d, m in meta.items() if m.doc_class in ("text_near_duplicate", "pdf_single_column"))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(DOCUMENTS, keys)
    resources = {"corpus": CorpusResource(corpus_root=str(CORPUS)),
                 "golden": GoldenSetResource(golden_root=str(PROJECT_ROOT / "golden_sets" / "sample")),
                 "storage": StorageResource(root=str(tmp_path)), "parse_config": ParseConfig(),
                 "clean_config": CleanConfig(), "dedup_config": DedupConfig(), "chunk_config": ChunkConfig(),
                 "embed_config": EmbedConfig(model="hashing"), "index_config": IndexConfig()}
    primary = next(a for a in parse_defs.parse_assets if a.key.to_user_string() == f"parsed_{parse_defs.PRIMARY}")
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    first = dg.materialize([primary, parse_defs.parsed_documents, clean.cleaned_documents, chunk.chunks,
                            embed.embeddings], instance=instance, resources=resources, tags=tags)
    assert first.success
    checks = {e.check_name: e for e in first.get_asset_check_evaluations()}
    assert checks["boundary_violations"].passed and checks["attribution_fidelity"].passed
    assert checks["drift_probe"].passed and checks["chunk_coherence"].passed

    def embedded(result):
        return next(m.materialization.metadata["embedded"].value for m in result.get_asset_materialization_events()
                    if m.asset_key.to_user_string() == "embeddings")

    assert embedded(first) > 0
    again = dg.materialize([chunk.chunks, embed.embeddings], instance=instance, resources=resources, tags=tags)
    assert again.success and embedded(again) == 0  # unchanged corpus: nothing re-embedded

    corpus_level = dg.materialize([dedup.near_duplicates, index.vector_index, index.index_sweep, chunk.chunk_size_sweep],
                                  instance=instance, resources=resources)
    assert corpus_level.success
    [recall] = [e for e in corpus_level.get_asset_check_evaluations() if e.check_name == "ann_recall_at_k"]
    assert recall.passed and recall.metadata["recall"].value >= 0.95
    flat = VectorIndex.load(tmp_path / "vector_index" / "flat")
    indexed_docs = {m["doc_id"] for m in flat.metadata}
    assert len(indexed_docs) == len(keys) - 12  # 6 exact + 6 light-edit copies left out
    sweep = next(m.materialization.metadata for m in corpus_level.get_asset_materialization_events()
                 if m.asset_key.to_user_string() == "index_sweep")
    assert "ef_search" in sweep["sweep"].value and "nprobe" in sweep["sweep"].value
    assert (tmp_path / "index_sweep" / "_recall_qps.png").stat().st_size > 1000
    chunk_sweep = next(m.materialization.metadata for m in corpus_level.get_asset_materialization_events()
                       if m.asset_key.to_user_string() == "chunk_size_sweep")
    assert chunk_sweep["knee_size"].value in (128, 256, 512, 1024)
    assert chunk_sweep["queries"].value > 0

    # the chunker is chosen per run through config
    semantic = dg.materialize([chunk.chunks], instance=instance, tags=tags,
                              resources={**resources, "chunk_config": ChunkConfig(strategy="semantic")})
    assert semantic.success
    rows = Storage(tmp_path).read_rows("chunks", keys[0])
    assert rows and {r["strategy"] for r in rows} == {"semantic"}
    # the drift probe's reference survives the pruning of deleted documents' outputs
    store = Storage(tmp_path)
    store.prune(keep=set(keys))
    assert [p.name for p in (tmp_path / "embedding_probe").iterdir()] == ["_probe_hashing-bow-v1-384.json"]
