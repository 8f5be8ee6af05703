"""Index stage (corpus-level): exact flat index + an ANN index over the chunk vectors of every
current, canonical (non-duplicate) document, with a metadata table; ANN recall@k vs flat; the
efSearch / nprobe sweep; the BM25 index over the same chunks."""

import dagster as dg
import numpy as np

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.lib.evaluation.reuse import reusable
from rag_eval_assets.lib.indexing import build_index
from rag_eval_assets.lib.metrics.ann import (
    ann_recall,
    cheapest_at_recall,
    measure_qps,
    sample_rows,
    sweep,
)
from rag_eval_assets.lib.outputs import digest
from rag_eval_assets.lib.pipeline import vectors_of
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.plots import markdown_image, xy_plot_png
from rag_eval_assets.lib.state import CHUNKS, EMBEDDINGS
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    IndexConfig,
    ParseConfig,
    RetrievalEvalConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

GROUP = "index"
EF_SEARCH = (8, 16, 24, 32, 48, 64, 128, 256)  # the default (48) is on the curve
NPROBE = (1, 2, 4, 8, 16, 24, 32, 48, 64)
SELF_RECALL_MIN = 0.95


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=[EMBEDDINGS, "near_duplicates", "corpus_manifest", "clean_scorecard"], group_name=GROUP,
        kinds={"python", "faiss"}, tags=CORPUS_LEVEL,
        check_specs=[dg.AssetCheckSpec("ann_recall_at_k", asset="vector_index",
                                       description="ANN recall@k against exact flat search on ≤ 1,000 sampled chunk "
                                       "queries, with a 95% bootstrap interval (ERROR below the limit).")])
    def vector_index(context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource,
                     parse_config: ParseConfig, clean_config: CleanConfig, chunk_config: ChunkConfig,
                     embed_config: EmbedConfig, index_config: IndexConfig) -> dg.MaterializeResult:
        """FAISS flat (exact) and HNSW/IVF indexes over the chunks of current, valid documents,
        leaving out near-duplicates (dedup decisions), with every ontology field per vector for
        filters; saved atomically under ``vector_index/`` of the storage root."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        outputs = view.outputs
        manifest = outputs.manifest_by_doc()
        duplicates = outputs.duplicates()
        embedded = {d: o for d, o in view.ok(EMBEDDINGS).items() if d in manifest and d not in duplicates}
        ids, metadata, blocks = [], [], []
        fields = [f for f in view.ontology.fields]
        for doc_id, out in sorted(embedded.items()):
            t = outputs.read_table(EMBEDDINGS, out)
            if t.num_rows == 0:
                continue
            blocks.append(vectors_of(t))
            chunk_ids = t.column("chunk_id").to_pylist()
            ids += chunk_ids
            row = manifest[doc_id]
            meta = {"doc_id": doc_id, **{f: row.get(f) for f in fields}}
            metadata += [{**meta, "chunk_id": c} for c in chunk_ids]
        if not ids:
            raise dg.Failure("no chunk embeddings of valid, non-duplicate documents to index: run the per-document "
                             "stages first (`rag-eval run`)")
        vectors = np.vstack(blocks).astype(np.float32)
        flat = build_index("flat", vectors, ids, metadata)
        url = outputs.save_vector_index(flat, "flat")
        ann = flat  # kind flat: the exact index is the one served (its recall vs itself is measured as 1)
        if index_config.kind.value != "flat":
            ann = build_index(index_config.kind.value, vectors, ids, metadata, **index_config.params())
            url = outputs.save_vector_index(ann, index_config.kind.value)
        rows = sample_rows(len(vectors), index_config.sample_queries)
        k = min(index_config.k, len(vectors) - 1) if len(vectors) > 1 else 1
        recall = ann_recall(ann, flat, vectors[rows], k=k, self_rows=rows if len(vectors) > 1 else None)
        return dg.MaterializeResult(
            metadata={"vectors": len(ids), "documents": len(embedded),
                      "duplicates_excluded": len(duplicates & set(view.docs)), "kind": index_config.kind.value,
                      "recall_at_k": round(recall.recall, 4), "path": dg.MetadataValue.path(url)},
            check_results=[gate("ann_recall_at_k", value=recall.recall, limit=index_config.recall_min,
                                n=f"{recall.n_queries} sampled chunk queries (their own chunk left out), k={k}",
                                extra={"ci95": f"{recall.low:.3f}–{recall.high:.3f}", "params": str(ann.params)})])

    @dg.asset(
        deps=[vector_index], group_name=GROUP, kinds={"python", "faiss"}, tags=CORPUS_LEVEL,
        check_specs=[dg.AssetCheckSpec("target_recall_reachable", asset="index_sweep",
                                       description="Some efSearch / nprobe setting reaches the recall limit (WARN).")])
    def index_sweep(context: dg.AssetExecutionContext, storage: StorageResource,
                    index_config: IndexConfig) -> dg.MaterializeResult:
        """Recall@k vs flat (each query's own chunk left out) and queries/s (one batched call, as
        the pipeline searches) of HNSW over efSearch and of IVF over nprobe (nlist by
        ``faiss_index.default_nlist``), on the indexed chunk vectors, plotted as recall–QPS curves
        with the cheapest setting at the recall limit. Reused while the index configuration and
        all but ``index_config.sweep_rerun_share`` of the indexed documents are unchanged."""
        outputs = storage.outputs()
        flat = outputs.load_vector_index("flat")
        inputs = {}
        for m in flat.metadata:
            inputs[m["doc_id"]] = inputs.get(m["doc_id"], 0) + 1
        inputs = {d: str(n) for d, n in inputs.items()}  # documents and their chunk counts
        config = digest("index-sweep/1", EF_SEARCH, NPROBE, repr(index_config))
        reuse, share = reusable(outputs.read_json("index_sweep", "_inputs", default=None), config, inputs,
                                index_config.sweep_rerun_share)
        if reuse:
            stored = outputs.read_json("index_sweep")
            rows, flat_qps, best_rows = stored["points"], stored["flat_qps"], stored.get("best", {})
            png = outputs.read_bytes("index_sweep", "_recall_qps", "png", default=b"")
            n_queries = stored.get("queries", 0)
        else:
            vectors = flat.index.reconstruct_n(0, len(flat))
            sample = sample_rows(len(vectors), index_config.sample_queries)
            queries = vectors[sample]
            k = min(index_config.k, len(vectors) - 1) if len(vectors) > 1 else 1
            exact = flat.search_rows(queries, k + 1)[1]
            rows, series, best_rows = [], {}, {}
            for kind, values in (("hnsw", EF_SEARCH), ("ivf", NPROBE)):
                ann = build_index(kind, vectors, flat.ids, flat.metadata)
                if kind == "ivf":
                    values = [v for v in values if v <= ann.params.get("nlist", max(values))]
                points = sweep(ann, flat, queries, values, k=k, exact_rows=exact, self_rows=sample)
                series[kind] = ([p.qps for p in points], [p.recall.recall for p in points])
                rows += [{"index": kind, "knob": p.param, "value": p.value, "recall": p.recall.recall,
                          "ci95_low": p.recall.low, "qps": p.qps} for p in points]
                best = cheapest_at_recall(points, index_config.recall_min)
                if best:
                    best_rows[kind] = {"param": best.param, "value": best.value, "recall": best.recall.recall,
                                       "qps": best.qps}
            flat_qps = measure_qps(flat, queries, k)
            png = xy_plot_png(series, "queries per second", f"recall@{k} vs flat", "ANN recall–QPS", logx=True)
            n_queries = len(queries)
            outputs.write_bytes("index_sweep", "_recall_qps", "png", png)
            outputs.write_json("index_sweep", {"points": rows, "flat_qps": flat_qps, "best": best_rows,
                                               "queries": n_queries})
            outputs.write_json("index_sweep", {"config": config, "inputs": inputs}, key="_inputs")
        summary = {f"{kind}_best": dg.MetadataValue.text(
            f"{b['param']}={b['value']}: recall {b['recall']:.3f}, {b['qps'] / flat_qps:.2f}x flat QPS"
            if (b := best_rows.get(kind)) else "limit not reached") for kind in ("hnsw", "ivf")}
        return dg.MaterializeResult(
            metadata={"vectors": len(flat), **summary, "recomputed": dg.MetadataValue.text("no: reused" if reuse else "yes"),
                      "documents_changed_since": dg.MetadataValue.text(f"{share:.1%}"),
                      "plot": dg.MetadataValue.md(markdown_image(png, "recall vs QPS")) if png else "none",
                      "sweep": dg.MetadataValue.md(markdown_table(rows, digits=3))},
            check_results=[gate("target_recall_reachable", value=max((b["recall"] for b in best_rows.values()),
                                                                     default=max((r["recall"] for r in rows), default=None)),
                                limit=index_config.recall_min, n=f"{len(rows)} settings, {n_queries} queries",
                                severity=WARN)])

    @dg.asset(
        deps=[vector_index], group_name=GROUP, kinds={"python", "bm25"}, tags=CORPUS_LEVEL,
        check_specs=[dg.AssetCheckSpec("sparse_self_recall", asset="sparse_index",
                                       description="Share of ≤ 200 sampled chunks found in the BM25 top 10 by their own "
                                       "first 64 words (WARN below 0.95: tokenization or stemming is losing a language).")])
    def sparse_index(context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                     clean_config: CleanConfig, chunk_config: ChunkConfig, embed_config: EmbedConfig,
                     retrieval_eval_config: RetrievalEvalConfig) -> dg.MaterializeResult:
        """BM25 index over exactly the chunks of the vector index (same ids, so the lanes fuse),
        saved atomically under ``sparse_index/``: the sparse lane of hybrid retrieval."""
        from rag_eval_assets.lib.retrieval import BM25Index

        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        flat, doc_of = view.outputs.indexed_chunks()
        chunk_outputs = view.ok(CHUNKS)
        text_of = {}
        for doc_id in sorted(set(doc_of.values())):
            if doc_id in chunk_outputs:
                text_of.update({r["chunk_id"]: r["text"] for r in view.outputs.read_output(CHUNKS, chunk_outputs[doc_id])})
        missing = [c for c in flat.ids if c not in text_of]
        if missing:
            raise dg.Failure(f"{len(missing)} indexed chunks have no chunk text (e.g. {missing[0]}): re-run the "
                             "per-document stages")
        bm25 = BM25Index.build(flat.ids, [text_of[c] for c in flat.ids], stemmer=retrieval_eval_config.bm25_stemmer or None)
        url = view.outputs.save_sparse_index(bm25)
        probe = [flat.ids[i] for i in sample_rows(len(flat.ids), 200)]
        found = bm25.search_many([" ".join(text_of[c].split()[:64]) for c in probe], 10)
        self_recall = sum(c in {h for h, _ in hits} for c, hits in zip(probe, found)) / len(probe) if probe else None
        return dg.MaterializeResult(
            metadata={"chunks": len(bm25), "documents": len(set(doc_of.values())),
                      "stemmer": retrieval_eval_config.bm25_stemmer or "none",
                      "path": dg.MetadataValue.path(url)},
            check_results=[gate("sparse_self_recall", value=self_recall, limit=SELF_RECALL_MIN, n=f"{len(probe)} probes",
                                severity=WARN, nothing_to_judge=None if probe else "the index has no chunks")])

    return dg.Definitions(assets=[vector_index, index_sweep, sparse_index])
