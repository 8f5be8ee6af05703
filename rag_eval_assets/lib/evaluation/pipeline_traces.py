"""Traces of this project's own RAG pipeline on the golden queries, in the documented trace
format (``rag_eval_assets.lib.generation.traces``), so generation is evaluated end to end and
every query is attributed to the first stage that failed it.

Per golden query: the hybrid (RRF) chunk ranking, cut by the query's metadata predicate as a hard
filter and by the access predicate, gives the first-stage candidates; a reranker orders them;
the top ``context_k`` become the context; a generator answers from it. The gold case comes from
the golden set: the qrels' documents give the required sources (their chunks that state the
answer), the answer text gives the required points (one per sentence), and ``out_of_scope``
queries expect an abstention.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from rag_eval_assets.lib.generation.traces import Answer, EvidenceChunk, GoldCase, Trace

_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
OUT_OF_SCOPE = "out_of_scope"


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_norm(text)))


def answer_points(answer: str) -> dict[str, str]:
    """Required points of a reference answer: one per sentence, ``p1``, ``p2``, ... -> text."""
    sentences = [s.strip().rstrip(".") for s in _SENTENCE.split(answer.strip()) if s.strip()]
    return {f"p{i}": s for i, s in enumerate(sentences, start=1)}


def covers(text: str, point: str, min_share: float = 0.8) -> bool:
    """A text covers a point when it contains it (normalized) or ≥ ``min_share`` of its words."""
    if _norm(point) in _norm(text):
        return True
    words = _words(point)
    return bool(words) and len(words & _words(text)) / len(words) >= min_share


def required_sources(points: Mapping[str, str], gold_chunks: Sequence[tuple[str, str]]) -> list[str]:
    """Chunks of the gold documents that cover at least one required point; when none does
    (e.g. an OCR'd copy), the gold chunk sharing most words with the points."""
    hits = [cid for cid, text in gold_chunks if any(covers(text, p) for p in points.values())]
    if hits or not gold_chunks:
        return hits
    wanted = set().union(*(_words(p) for p in points.values())) if points else set()
    return [max(gold_chunks, key=lambda c: len(_words(c[1]) & wanted))[0]]


def gold_case(query_id: str, question: str, metadata: Mapping[str, Any], gold_docs: Sequence[str],
              chunks_by_doc: Mapping[str, Sequence[tuple[str, str]]], slice_field: str = "intent") -> tuple[GoldCase, dict[str, str]]:
    """The gold case of one golden query and its point texts (point id -> text). Without a
    reference answer (plain BEIR queries) the case names its relevant documents instead of
    chunks, and answer completeness is n/a (``has_reference_answer`` False)."""
    out_of_scope = metadata.get("intent") == OUT_OF_SCOPE or not gold_docs
    answer = str(metadata.get("answer") or "")
    has_answer = bool(answer.strip())
    points = answer_points(answer) if has_answer and not out_of_scope else {}
    gold_chunks = [c for d in gold_docs for c in chunks_by_doc.get(d, [])]
    sources = required_sources(points, gold_chunks) if points else []
    documents = tuple(gold_docs) if not out_of_scope and not has_answer else ()
    return GoldCase(query_id, question, tuple(sources), tuple(points), out_of_scope,
                    str(metadata.get(slice_field)) if metadata.get(slice_field) is not None else None,
                    documents, has_answer or out_of_scope), points


def label_points(answer: Answer, points: Mapping[str, str]) -> Answer:
    """The answer with each claim's ``answer_point`` set to the first point it covers."""
    claims = tuple(replace(c, answer_point=next((pid for pid, text in points.items() if covers(c.text, text)),
                                                c.answer_point)) for c in answer.claims)
    return replace(answer, claims=claims)


def build_trace(case: GoldCase, question: str, ranked_chunks: Sequence[str], admitted: Callable[[str], bool],
                rerank: Callable[[str, Sequence[str]], list[str]], evidence: Mapping[str, EvidenceChunk],
                versions: Sequence[tuple[str, str]], generate: Callable[[str, list[tuple[str, str]]], Answer],
                points: Mapping[str, str], candidates: int = 20, context_k: int = 3,
                slice_label: str | None = None) -> Trace:
    """Run the pipeline's stages on one query and record them as a trace.

    ``ranked_chunks``: the hybrid ranking, best first; ``admitted(chunk_id)``: the query's hard
    filter and the access predicate; ``rerank(question, ids)``: the reranker; ``generate(question,
    [(chunk_id, text)])``: the generator.
    """
    first = [c for c in ranked_chunks if admitted(c)][:candidates]
    reranked = rerank(question, first) if first else []
    context = reranked[:context_k]
    answer = generate(question, [(c, evidence[c].text) for c in context]) if context else Answer((), True)
    return Trace(case.case_id, tuple(first), tuple(first), tuple(reranked), tuple(context),
                 tuple(evidence[c].version for c in context), tuple(versions), label_points(answer, points),
                 slice_label, question)


def trace_pipeline(queries: Mapping[str, str], query_metadata: Mapping[str, Mapping[str, Any]],
                   qrels: Mapping[str, Mapping[str, int]], predicates: Mapping[str, Mapping[str, Any]],
                   hybrid_hits: Mapping[str, Sequence[tuple[str, float]]], flat: Any,
                   chunk_rows: Sequence[Mapping[str, Any]], documents: Mapping[str, Mapping[str, Any]],
                   ontology: Any, embed: Callable[[Sequence[str]], Any], versions: Sequence[tuple[str, str]],
                   generate: Callable[[str, list[tuple[str, str]]], Answer], access: Mapping[str, Any] | None = None,
                   candidates: int = 20, context_k: int = 3,
                   log: Callable[[str], None] | None = None) -> tuple[dict[str, GoldCase], dict[str, Any], list[Trace]]:
    """Gold cases, evidence and traces of this project's pipeline on every golden query.

    ``hybrid_hits``: the hybrid chunk ranking per query; ``flat``: the exact vector index (the
    reranker scores candidates by cosine with the query's vector); ``chunk_rows``: the indexed
    chunks' rows; ``documents``: doc_id -> metadata (with ``sha256``); ``predicates``: query ->
    hard filter; ``access``: the predicate the querying role may see ({}: everything).
    """
    import numpy as np

    from rag_eval_assets.lib.generation import EvidenceChunk

    access = dict(access or {})
    doc_of = {c: m["doc_id"] for c, m in zip(flat.ids, flat.metadata)}
    evidence = {r["chunk_id"]: EvidenceChunk(
        r["chunk_id"], r["doc_id"], f"{r['doc_id']}/{documents[r['doc_id']]['sha256'][:12]}",
        ontology.matches(access, documents[r["doc_id"]]), True, r["text"])
        for r in chunk_rows if r["chunk_id"] in doc_of and r["doc_id"] in documents}
    by_doc: dict[str, list[tuple[str, str]]] = {}
    for r in chunk_rows:
        by_doc.setdefault(r["doc_id"], []).append((r["chunk_id"], r["text"]))
    row_of = {c: i for i, c in enumerate(flat.ids)}

    def rerank(question: str, ids: Sequence[str]) -> list[str]:
        q = np.asarray(embed([question]))[0]
        vectors = np.stack([flat.index.reconstruct(row_of[c]) for c in ids])
        return [ids[i] for i in np.argsort(-(vectors @ q), kind="stable")]

    golds: dict[str, GoldCase] = {}
    traces: list[Trace] = []
    for i, (qid, question) in enumerate(sorted(queries.items()), start=1):
        gold_docs = sorted(d for d, g in qrels.get(qid, {}).items() if g > 0)
        case, points = gold_case(qid, question, query_metadata.get(qid, {}), gold_docs, by_doc)
        golds[qid] = case
        predicate = dict(predicates.get(qid, {}))

        def admitted(chunk_id: str, predicate: Mapping[str, Any] = predicate) -> bool:
            """The query's hard filter AND the access predicate (both hierarchy-aware)."""
            if chunk_id not in evidence:
                return False
            doc = documents[doc_of[chunk_id]]
            return ontology.matches(predicate, doc) and ontology.matches(access, doc)

        traces.append(build_trace(case, question, [c for c, _ in hybrid_hits.get(qid, [])], admitted, rerank,
                                  evidence, versions, generate, points, candidates, context_k, case.slice))
        if log and i % 25 == 0:
            log(f"traced {i}/{len(queries)} golden queries")
    return golds, evidence, traces
