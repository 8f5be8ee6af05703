"""The admissibility gate: may a trace be scored at all?

Admissibility comes before any quality score. A trace is admissible only if: its case_id equals
the gold case's; selected_context_ids is non-empty and as long as selected_versions; the
versions list has no duplicate keys and contains retriever, index, sparse, dense, fusion and
reranker; no stage list (first_stage, rerank_input, reranked, selected_context) repeats an id;
every traced id exists in the evidence store; rerank inputs came from first-stage retrieval;
the reranked set equals the rerank-input set; selected context came from the reranked list;
each selected chunk's version equals the version recorded for it in the evidence store; and
every traced chunk (in any stage, even one dropped later) is permitted and current.

One exception to "selected_context_ids is non-empty": a trace that retrieved nothing at all
(every stage list empty) and abstained is admissible. Nothing reached the generator, so there
is nothing to audit; the empty retrieval is an evidence-path failure, and candidate recall
attributes it (``candidate retrieval`` for an in-scope case; a correct abstention when out of
scope). An answer with claims but no context stays inadmissible.

Every failing condition adds one readable reason, so a report can show all defects at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rag_eval_assets.lib.generation.traces import (
    REQUIRED_VERSION_KEYS,
    STAGE_LISTS,
    EvidenceChunk,
    GoldCase,
    Trace,
)


@dataclass(frozen=True)
class Admissibility:
    """Gate outcome: ``admissible`` is true exactly when ``reasons`` is empty."""

    admissible: bool
    reasons: list[str] = field(default_factory=list)


def _repeats(items: Iterable[str]) -> list[str]:
    return sorted(k for k, n in Counter(items).items() if n > 1)


def _outside(items: Iterable[str], pool: Iterable[str]) -> list[str]:
    allowed = set(pool)
    return list(dict.fromkeys(i for i in items if i not in allowed))


def _reasons(trace: Trace, gold: GoldCase, evidence: Mapping[str, EvidenceChunk]) -> Iterable[str]:
    if trace.case_id != gold.case_id:
        yield f"case_id {trace.case_id!r} is not the gold case {gold.case_id!r}"
    retrieved_nothing = not trace.traced_ids() and trace.answer.abstained and not trace.answer.claims
    if not trace.selected_context_ids and not retrieved_nothing:
        yield "selected_context_ids is empty"
    if len(trace.selected_context_ids) != len(trace.selected_versions):
        yield (f"{len(trace.selected_context_ids)} selected ids but "
               f"{len(trace.selected_versions)} selected versions")
    keys = [key for key, _ in trace.versions]
    if dup := _repeats(keys):
        yield f"versions repeat keys {dup}"
    if missing := [k for k in REQUIRED_VERSION_KEYS if k not in keys]:
        yield f"versions lack {missing}"
    for name in STAGE_LISTS:
        if dup := _repeats(getattr(trace, name)):
            yield f"{name} repeats ids {dup}"
    if unknown := _outside(trace.traced_ids(), evidence):
        yield f"ids not in the evidence store: {unknown}"
    if stray := _outside(trace.rerank_input_ids, trace.first_stage_ids):
        yield f"rerank inputs not from first-stage retrieval: {stray}"
    if set(trace.reranked_ids) != set(trace.rerank_input_ids):
        yield (f"reranked set differs from rerank inputs (added "
               f"{_outside(trace.reranked_ids, trace.rerank_input_ids)}, dropped "
               f"{_outside(trace.rerank_input_ids, trace.reranked_ids)})")
    if stray := _outside(trace.selected_context_ids, trace.reranked_ids):
        yield f"selected context not from the reranked list: {stray}"
    for chunk_id, version in zip(trace.selected_context_ids, trace.selected_versions):
        chunk = evidence.get(chunk_id)
        if chunk is not None and chunk.version != version:
            yield f"{chunk_id}: traced version {version!r} but the evidence store has {chunk.version!r}"
    known = [evidence[i] for i in trace.traced_ids() if i in evidence]
    if blocked := [c.chunk_id for c in known if not c.permitted]:
        yield f"traced chunks not permitted: {blocked}"
    if stale := [c.chunk_id for c in known if not c.current]:
        yield f"traced chunks not current: {stale}"


def check_admissible(trace: Trace, gold: GoldCase, evidence: Mapping[str, EvidenceChunk]) -> Admissibility:
    """Check every admissibility condition of the module docstring; collect all failures."""
    reasons = list(_reasons(trace, gold, evidence))
    return Admissibility(not reasons, reasons)
