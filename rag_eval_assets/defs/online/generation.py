"""Online eval, generation: the golden queries through this project's RAG pipeline (hybrid
retrieval under the query's hard filter → rerank → context → generator), recorded as traces in
the documented format, scored for admissibility, evidence recall, faithfulness, citations,
required points and abstention, each case traced to its first failed stage, and gated per slice.
Traces of another RAG system (``<golden>/generation/{traces,cases,evidence}.jsonl``) are scored
the same way when present."""

import json

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate
from rag_eval_assets.lib.evaluation.generation import evaluate_traces, summarize
from rag_eval_assets.lib.evaluation.pipeline_traces import trace_pipeline
from rag_eval_assets.lib.evaluation.qrels import judged_qrels
from rag_eval_assets.lib.generation.factories import make_generator, make_judge
from rag_eval_assets.lib.generation.traces import load_external
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.state import CHUNKS
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    GenerationEvalConfig,
    GoldenSetResource,
    IndexConfig,
    ParseConfig,
    RetrievalEvalConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

GROUP = "online_eval"
HITS_KEY = "_hits"
CHECKS = ("release_gate", "traces_admissible", "judge_invalid_rate")


def _reader_counts(rows: list[dict]) -> dict[str, int]:
    """Cases per first failed stage, "answer completeness" split into no answer / points missing."""
    from rag_eval_assets.lib.generation.stages import failure_name

    counts: dict[str, int] = {}
    for r in rows:
        name = failure_name(r["stage"], r.get("n_claims", 0))
        counts[name] = counts.get(name, 0) + 1
    return counts


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=["filter_eval", "retrieval_eval", "golden_sets"], group_name=GROUP, kinds={"python"}, tags=CORPUS_LEVEL,
        check_specs=[
            dg.AssetCheckSpec("release_gate", asset="generation_eval",
                              description="The lowest slice pass rate (first failed stage = pass) ≥ the gate: release "
                              "is blocked while any slice is below, whatever the overall rate (ERROR)."),
            dg.AssetCheckSpec("traces_admissible", asset="generation_eval",
                              description="Every trace of this pipeline is admissible: permitted, current, versions "
                              "recorded, no duplicates, candidates flow retrieval → rerank → context (ERROR)."),
            dg.AssetCheckSpec("judge_invalid_rate", asset="generation_eval",
                              description="Share of judge verdicts that were invalid / unparseable ≤ limit (WARN)."),
        ])
    def generation_eval(context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource,
                        golden: GoldenSetResource, parse_config: ParseConfig, clean_config: CleanConfig,
                        chunk_config: ChunkConfig, embed_config: EmbedConfig, index_config: IndexConfig,
                        retrieval_eval_config: RetrievalEvalConfig,
                        generation_eval_config: GenerationEvalConfig) -> dg.MaterializeResult:
        """Traces of the pipeline on every golden query (and any external traces), scored case by
        case: admissibility, candidate / context recall, context precision, faithfulness, citation
        coverage and support, required-point coverage, abstention, first failed stage; slice gate."""
        gcfg, rcfg = generation_eval_config, retrieval_eval_config
        outputs = storage.outputs()
        gs = golden.load()
        if not gs.queries or not outputs.exists("retrieval_eval", HITS_KEY, "json"):
            none = None if gs.queries else "the golden set has no retrieval queries"
            reason = "retrieval_eval has not stored its rankings" if gs.queries else none
            return dg.MaterializeResult(metadata={"skipped": reason}, check_results=[
                gate(c, value=None, limit=None, n="0 cases", severity=WARN if c == CHECKS[2] else dg.AssetCheckSeverity.ERROR,
                     nothing_to_judge=none, reason=reason) for c in CHECKS])
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        meta = outputs.manifest_by_doc()
        qrels = judged_qrels(gs, set(meta), outputs.canonical_of())
        flat, doc_of = outputs.indexed_chunks()
        chunk_outputs = view.ok(CHUNKS)
        chunk_rows = [r for d in sorted(set(doc_of.values())) if d in chunk_outputs
                      for r in outputs.read_output(CHUNKS, chunk_outputs[d])]
        kind = index_config.kind.value
        index_sha = outputs.vector_index_manifest(kind)["sha256"]["index.faiss"][:12]
        versions = [("retriever", "hybrid-rrf"), ("index", f"{kind}/{index_sha}"),
                    ("sparse", f"bm25/{rcfg.bm25_stemmer or 'nostem'}"), ("dense", embed_config.model.value),
                    ("fusion", f"rrf-k{rcfg.rrf_k}"), ("reranker", "dense-cosine")]
        access = gcfg.access()
        if gcfg.access_field and gcfg.access_field in view.ontology.fields:
            access = {**access, gcfg.access_field: True}
        judge = make_judge(gcfg.judge.value, outputs.judge_cache(), gcfg.endpoint_url, gcfg.endpoint_model,
                           gcfg.api_key_env)
        generator = make_generator(gcfg.generator.value, gcfg.max_claims, gcfg.endpoint_url, gcfg.endpoint_model,
                                   gcfg.api_key_env)
        embedder = embed_config.embedder()
        hits = outputs.read_json("retrieval_eval", HITS_KEY)["hybrid"]
        golds, evidence, traces = trace_pipeline(
            gs.queries, gs.query_metadata, qrels, {c.query_id: c.predicate for c in gs.filters}, hits, flat, chunk_rows,
            meta, view.ontology, embedder.embed, versions, generator.generate, access, gcfg.candidates, gcfg.context_k,
            log=context.log.info)
        outputs.write_bytes("generation_eval", "_traces", "jsonl",
                            "".join(json.dumps(t.to_dict(), ensure_ascii=False) + "\n" for t in traces).encode())
        results = evaluate_traces(traces, golds, evidence, judge)
        external = load_external(golden.golden_root) if golden.golden_root else None
        ext_results = evaluate_traces(*external, judge) if external else []
        summary = summarize(results, judge.name, type(generator).__name__, gcfg.release_min_slice_pass_rate)
        if ext_results:
            summary["external"] = summarize(ext_results, judge.name, "external traces", gcfg.release_min_slice_pass_rate)
        rows = [r.as_row() for r in results]
        outputs.write_json("generation_eval", summary, key="_summary")
        outputs.write_json("generation_eval", rows, key="_cases")
        gate_ = summary["gate"]
        inadmissible = [r["case_id"] for r in rows if not r["admissible"]]
        lowest = min(gate_["by_slice"].items(), key=lambda kv: kv[1], default=(None, gate_["overall"]))
        context.log.info(f"{len(results)} cases: pass rate {gate_['overall']:.3f}; stages {summary['stage_counts']}")
        means = {k: round(float(v), 4) for k, v in summary["means"].items() if v is not None}
        access_note = (", ".join(f"{k}={v}" for k, v in access.items()) if access else
                       "not configured (generation_eval_config.access_field / access_predicate)")
        return dg.MaterializeResult(
            metadata={"cases": len(results), "judge": judge.name, "generator": summary["generator"],
                      "pass_rate": round(gate_["overall"], 4), **means, "access_control": access_note,
                      "first_failed_stage": dg.MetadataValue.md(markdown_table(
                          [{"stage": k, "cases": v} for k, v in sorted(_reader_counts(rows).items(), key=lambda x: -x[1])])),
                      "slices": dg.MetadataValue.md(markdown_table([{"slice": k, "pass_rate": v}
                                                                    for k, v in gate_["by_slice"].items()])),
                      "external_traces": len(ext_results),
                      "traces": dg.MetadataValue.path(outputs.url("generation_eval", "_traces", "jsonl"))},
            check_results=[
                gate("release_gate", value=lowest[1], limit=gcfg.release_min_slice_pass_rate,
                     n=f"{len(results)} cases in {len(gate_['by_slice']) or 1} slices", passed=gate_["allowed"],
                     extra={"lowest_slice": lowest[0] or "overall", "overall_pass_rate": gate_["overall"],
                            "blocking_slices": ", ".join(gate_["blocking_slices"]) or "none", "why": gate_["reason"]}),
                gate("traces_admissible", value=len(inadmissible), limit=0, op="<=", n=f"{len(rows)} traces",
                     extra={"inadmissible": ", ".join(inadmissible[:20]) or "none"}),
                gate("judge_invalid_rate", value=summary["judge_invalid_rate"], limit=gcfg.judge_invalid_rate_max,
                     op="<=", n=f"{len(results)} cases", severity=WARN, extra={"judge": judge.name}),
            ])

    return dg.Definitions(assets=[generation_eval])
