"""Online eval, generation: the golden queries through this project's RAG pipeline (hybrid
retrieval under the query's hard filter → rerank → context → generator), recorded as traces in
the documented format, scored for admissibility, evidence recall, faithfulness, citations,
required points and abstention, each case traced to its first failed stage, and gated per slice.
Traces of another RAG system (``<golden>/generation/{traces,cases,evidence}.jsonl``) are scored
the same way when present."""

import json
from pathlib import Path

import dagster as dg
import numpy as np

from rag_eval_assets.defs.online.filters import corpus_metadata, filter_eval
from rag_eval_assets.defs.online.retrieval import (
    HITS_KEY,
    golden_queries_and_qrels,
    indexed_chunks,
    skipped,
)
from rag_eval_assets.lib.evaluation.generation import evaluate_traces, summarize
from rag_eval_assets.lib.evaluation.pipeline_traces import build_trace, gold_case
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.storage import atomic_write_bytes, read_bytes
from rag_eval_assets.partitions import CORPUS_LEVEL
from rag_eval_assets.resources import (
    CorpusResource,
    EmbedConfig,
    GenerationEvalConfig,
    GoldenSetResource,
    IndexConfig,
    RetrievalEvalConfig,
    StorageResource,
)

GROUP = "online_eval"


def make_judge(cfg: GenerationEvalConfig, cache_dir: Path):
    """The configured judge (``phrase``, ``content_word``, ``openai``, or a cascade such as
    ``phrase+openai``: deterministic first, the model only for the claims it rejects), wrapped
    in the on-disk verdict cache."""
    from rag_eval_assets.lib.generation import (
        CachedJudge,
        CascadeJudge,
        ContentWordJudge,
        OpenAICompatibleJudge,
        PhraseJudge,
    )

    def one(name: str):
        if name == "phrase":
            return PhraseJudge()
        if name == "content_word":
            return ContentWordJudge()
        if name == "openai":
            if not (cfg.endpoint_url and cfg.endpoint_model):
                raise dg.Failure("judge openai needs generation_eval_config.endpoint_url and endpoint_model")
            return OpenAICompatibleJudge(cfg.endpoint_url, cfg.endpoint_model, api_key_env=cfg.api_key_env)
        raise dg.Failure(f"unknown judge {name!r} (phrase | content_word | openai, or first+second)")

    names = cfg.judge.split("+")
    judge = one(names[0])
    for name in names[1:]:
        judge = CascadeJudge(judge, one(name))
    return CachedJudge(judge, cache_dir)


def make_generator(cfg: GenerationEvalConfig):
    from rag_eval_assets.lib.generation import (
        ExtractiveGenerator,
        OpenAICompatibleGenerator,
    )

    if cfg.generator == "extractive":
        return ExtractiveGenerator(max_claims=cfg.max_claims)
    if cfg.generator == "openai":
        if not (cfg.endpoint_url and cfg.endpoint_model):
            raise dg.Failure("generator=openai needs generation_eval_config.endpoint_url and endpoint_model")
        return OpenAICompatibleGenerator(cfg.endpoint_url, cfg.endpoint_model, api_key_env=cfg.api_key_env)
    raise dg.Failure(f"unknown generator {cfg.generator!r} (extractive | openai)")


def pipeline_traces(context, store, gs, qrels, ontology, embedder, index_kind: str, rcfg: RetrievalEvalConfig,
                    gcfg: GenerationEvalConfig, generator):
    """Gold cases, evidence and traces of this project's pipeline on the golden queries."""
    from rag_eval_assets.lib.generation import EvidenceChunk

    flat, doc_of = indexed_chunks(store)
    meta = corpus_metadata(store)
    access = json.loads(gcfg.access_predicate or "{}")
    chunk_rows = store.read_many("chunks", sorted(set(doc_of.values())))
    evidence = {r["chunk_id"]: EvidenceChunk(
        r["chunk_id"], r["doc_id"], f"{r['doc_id']}/{meta[r['doc_id']]['sha256'][:12]}",
        ontology.matches(access, meta[r["doc_id"]]), True, r["text"]) for r in chunk_rows if r["chunk_id"] in doc_of}
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for r in chunk_rows:
        by_doc.setdefault(r["doc_id"], []).append((r["chunk_id"], r["text"]))
    row_of = {c: i for i, c in enumerate(flat.ids)}
    manifest = json.loads(read_bytes(f"{str(store.root).rstrip('/')}/vector_index/{index_kind}/manifest.json"))
    versions = [("retriever", "hybrid-rrf"), ("index", f"{index_kind}/{manifest['sha256']['index.faiss'][:12]}"),
                ("sparse", f"bm25/{rcfg.bm25_stemmer or 'nostem'}"),
                ("dense", str(getattr(embedder, "model_id", "embedder"))),
                ("fusion", f"rrf-k{rcfg.rrf_k}"), ("reranker", "dense-cosine")]

    def rerank(question: str, ids):
        q = embedder.embed([question])[0]
        vectors = np.stack([flat.index.reconstruct(row_of[c]) for c in ids])
        return [ids[i] for i in np.argsort(-(vectors @ q), kind="stable")]

    hits = store.read_json("retrieval_eval", HITS_KEY)["hybrid"]
    predicates = {c.query_id: c.predicate for c in gs.filters}
    golds, traces = {}, []
    for i, (qid, question) in enumerate(sorted(gs.queries.items()), start=1):
        qmeta = gs.query_metadata.get(qid, {})
        gold_docs = sorted(d for d, g in qrels.get(qid, {}).items() if g > 0)
        case, points = gold_case(qid, question, qmeta, gold_docs, by_doc)
        golds[qid] = case
        predicate = predicates.get(qid, {})

        def admitted(chunk_id: str, predicate=predicate) -> bool:
            """The query's hard filter AND the access predicate (both hierarchy-aware)."""
            if chunk_id not in evidence:
                return False
            doc = meta[doc_of[chunk_id]]
            return ontology.matches(predicate, doc) and ontology.matches(access, doc)

        traces.append(build_trace(case, question, [c for c, _ in hits.get(qid, [])], admitted, rerank, evidence,
                                  versions, generator.generate, points, gcfg.candidates, gcfg.context_k,
                                  case.slice))
        if i % 25 == 0:
            context.log.info(f"traced {i}/{len(gs.queries)} golden queries")
    return golds, evidence, traces


def external_traces(golden_root: str):
    """Traces, gold cases and evidence of another RAG system, when the golden set has them."""
    from rag_eval_assets.lib.generation import (
        load_evidence,
        load_gold_cases,
        load_traces,
    )

    folder = Path(golden_root) / "generation"
    files = [folder / f"{n}.jsonl" for n in ("traces", "cases", "evidence")]
    if not all(f.is_file() for f in files):
        return None
    return load_traces(files[0]), load_gold_cases(files[1]), load_evidence(files[2])


@dg.asset(
    deps=[filter_eval],
    group_name=GROUP,
    kinds={"python"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("release_gate", asset="generation_eval",
                          description="Every slice's pass rate (first failed stage = pass) reaches the gate; "
                          "release is blocked while any slice is below, whatever the overall rate (ERROR)."),
        dg.AssetCheckSpec("traces_admissible", asset="generation_eval",
                          description="Every trace of this pipeline is admissible: permitted, current, versions "
                          "recorded, no duplicates, candidates flow retrieval → rerank → context (ERROR)."),
        dg.AssetCheckSpec("judge_invalid_rate", asset="generation_eval",
                          description="Share of judge verdicts that were invalid / unparseable (WARN above the limit)."),
    ],
)
def generation_eval(context: dg.AssetExecutionContext, storage: StorageResource, golden: GoldenSetResource,
                    corpus: CorpusResource, embed_config: EmbedConfig, index_config: IndexConfig,
                    retrieval_eval_config: RetrievalEvalConfig,
                    generation_eval_config: GenerationEvalConfig) -> dg.MaterializeResult:
    """Traces of the pipeline on every golden query (and any external traces), scored case by
    case: admissibility, candidate / context recall, context precision, faithfulness, citation
    coverage and support, required-point coverage, abstention, first failed stage; slice gate."""
    gcfg = generation_eval_config
    store = storage.get()
    gs, qrels = golden_queries_and_qrels(golden, store)
    if not (gs.queries and store.exists("retrieval_eval", HITS_KEY, "json")):
        return skipped(context, "generation_eval", f"no golden queries under {golden.golden_root}/retrieval",
                       ("release_gate", "traces_admissible", "judge_invalid_rate"))
    judge = make_judge(gcfg, Path(store.root) / "_judge_cache")
    generator = make_generator(gcfg)
    golds, evidence, traces = pipeline_traces(context, store, gs, qrels, corpus.ontology(), embed_config.embedder(),
                                              index_config.kind, retrieval_eval_config, gcfg, generator)
    atomic_write_bytes(store.path("generation_eval", "_traces", "jsonl"),
                       "".join(json.dumps(t.to_dict(), ensure_ascii=False) + "\n" for t in traces).encode())
    results = evaluate_traces(traces, golds, evidence, judge)
    external = external_traces(golden.golden_root)
    ext_results = evaluate_traces(external[0], external[1], external[2], judge) if external else []
    summary = summarize(results, judge.name, type(generator).__name__, gcfg.release_min_slice_pass_rate)
    if ext_results:
        summary["external"] = summarize(ext_results, judge.name, "external traces", gcfg.release_min_slice_pass_rate)
    rows = [r.as_row() for r in results]
    store.write_json("generation_eval", summary, key="_summary")
    store.write_json("generation_eval", rows, key="_cases")
    gate = summary["gate"]
    inadmissible = [r["case_id"] for r in rows if not r["admissible"]]
    context.log.info(f"{len(results)} cases: pass rate {gate['overall']:.3f}; stages {summary['stage_counts']}")
    means = {k: v for k, v in summary["means"].items() if v is not None}
    return dg.MaterializeResult(
        metadata={"cases": len(results), "judge": judge.name, "generator": summary["generator"],
                  "judge_invalid_rate": summary["judge_invalid_rate"], "pass_rate": gate["overall"],
                  **{k: float(v) for k, v in means.items()},
                  "first_failed_stage": dg.MetadataValue.md(markdown_table(
                      [{"stage": k, "cases": v} for k, v in sorted(summary["stage_counts"].items(), key=lambda x: -x[1])])),
                  "slices": dg.MetadataValue.md(markdown_table([{"slice": k, "pass_rate": v}
                                                                for k, v in gate["by_slice"].items()])),
                  "external_traces": len(ext_results),
                  "traces": dg.MetadataValue.path(store.path("generation_eval", "_traces", "jsonl"))},
        check_results=[
            dg.AssetCheckResult(check_name="release_gate", passed=gate["allowed"], severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"overall_pass_rate": gate["overall"], "reason": gate["reason"],
                                          "blocking_slices": ", ".join(gate["blocking_slices"]) or "none",
                                          "gate": gcfg.release_min_slice_pass_rate}),
            dg.AssetCheckResult(check_name="traces_admissible", passed=not inadmissible,
                                severity=dg.AssetCheckSeverity.ERROR,
                                metadata={"inadmissible": ", ".join(inadmissible[:20]) or "none"}),
            dg.AssetCheckResult(check_name="judge_invalid_rate",
                                passed=summary["judge_invalid_rate"] <= gcfg.judge_invalid_rate_max,
                                severity=dg.AssetCheckSeverity.WARN,
                                metadata={"invalid_rate": summary["judge_invalid_rate"], "judge": judge.name,
                                          "limit": gcfg.judge_invalid_rate_max}),
        ],
    )
