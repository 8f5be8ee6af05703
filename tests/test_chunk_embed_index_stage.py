"""Chunk, embed and index stages in Dagster: checks, zero re-embedding when nothing changed,
a chunker change re-processes only chunks and embeddings, duplicates left out of the index,
ANN recall against flat."""

import pytest
from _harness import Project, checks, materializations, sample_subset

from rag_eval_assets.resources import ChunkConfig, ChunkStrategy

pytestmark = pytest.mark.slow


def test_chunks_embeddings_index(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", {"text_near_duplicate", "pdf_single_column"})
    project = Project(tmp_path, corpus)
    first = project.run()
    assert first.ok
    c = checks(*first.results)
    assert c["chunks:boundary_violations"].passed and c["chunks:attribution_fidelity"].passed
    assert c["embeddings:chunk_coherence"].passed
    drift = c["embeddings:drift_probe"]  # first run with this model: nothing to compare yet, said as such
    assert not drift.passed and "first run" in drift.metadata["reason"].value
    embedded = [m.metadata["embedded"].value for m in materializations(*first.results)["embeddings"]]
    assert len(embedded) == len(keys) and sum(embedded) > 0

    again = project.run()  # nothing changed: no document run; the refresh is up to date but run here explicitly
    assert again.ok and "embeddings" not in materializations(*again.results)
    assert checks(*again.results)["embeddings:drift_probe"].passed
    swept = {k: v[-1].metadata for k, v in materializations(*again.results).items()}
    for sweep in ("chunk_size_sweep", "index_sweep"):  # evidence for configuration: reused when nothing moved
        assert swept[sweep]["recomputed"].value == "no: reused", sweep
    forced = project.run(force=True, refresh=False)  # every document again: every chunk from the cache
    assert sum(m.metadata["embedded"].value for m in materializations(*forced.results)["embeddings"]) == 0

    c = checks(*first.results)
    assert c["vector_index:ann_recall_at_k"].passed and c["vector_index:ann_recall_at_k"].metadata["value"].value >= 0.95
    flat, doc_of = project.outputs.indexed_chunks()
    assert len(set(doc_of.values())) == len(keys) - 18  # 6 exact + 6 light + 6 heavy-edit copies left out
    mats = {k: v[-1].metadata for k, v in materializations(*first.results).items()}
    assert "ef_search" in mats["index_sweep"]["sweep"].value and "nprobe" in mats["index_sweep"]["sweep"].value
    assert project.outputs.exists("index_sweep", "_recall_qps", "png")
    assert mats["chunk_size_sweep"]["knee"].value.split()[0] in ("128", "256", "512", "1024")

    # the chunker is configuration: changing it makes exactly chunks and embeddings pending
    semantic = Project(tmp_path, corpus, instance=project.instance)
    semantic.resources["chunk_config"] = ChunkConfig(strategy=ChunkStrategy.semantic)
    pending = semantic.view().pending()
    assert set(pending) == set(keys) and all(stages == ["chunks", "embeddings"] for stages in pending.values())


def test_flat_index_kind_serves_exact_search(tmp_path):
    """RAG_EVAL_INDEX_KIND=flat: the exact index is the one served and evaluated; ANN recall
    against it is measured (1.0), and retrieval_eval's dense lane searches it."""
    from rag_eval_assets.resources import IndexConfig, IndexKind

    corpus, keys = sample_subset(tmp_path / "corpus", {"pdf_single_column"})
    project = Project(tmp_path, corpus, index_kind="flat")
    assert project.resources["index_config"].kind == IndexKind.flat and IndexConfig().kind == IndexKind.hnsw
    first = project.run()
    assert first.ok
    c = checks(*first.results)
    assert c["vector_index:ann_recall_at_k"].passed and c["vector_index:ann_recall_at_k"].metadata["value"].value == 1.0
    mats = {k: v[-1].metadata for k, v in materializations(*first.results).items()}
    assert mats["vector_index"]["kind"].value == "flat" and "dense_ndcg@10" in mats["retrieval_eval"]
