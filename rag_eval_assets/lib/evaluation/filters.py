"""Metadata-filter evaluation of the golden queries: each query's predicate applied as a hard
filter over the corpus metadata (hierarchy-aware), its false-exclusion rate, the naive
survivor-only recall that hides it, predicate precision/recall against the labelled correct
predicates, hard filter vs soft boost per field, and ontology-aware confusion of filter values
and of the document class the retriever lands on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from rag_eval_assets.lib.goldens.formats import FilterCase
from rag_eval_assets.lib.metrics.filters import (
    clause_outcomes,
    excluded_queries,
    false_exclusion_rate,
    filter_survivors,
    hard_vs_soft,
    predicate_scores,
    survivor_recall_at_k,
)
from rag_eval_assets.lib.metrics.ontology import (
    confusion_rates,
    hierarchical_prf,
    mean_wu_palmer,
)
from rag_eval_assets.lib.metrics.retrieval import recall_at_k
from rag_eval_assets.lib.ontology import Ontology


def _single(value: Any) -> Any:
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def ontology_rows(pairs_by_field: Mapping[str, Sequence[tuple[str | None, str]]], ontology: Ontology) -> list[dict[str, Any]]:
    """Hierarchical P/R/F1, mean Wu-Palmer and confusion rates per tree field of (pred, gold) pairs."""
    rows = []
    for name, pairs in sorted(pairs_by_field.items()):
        if not pairs:
            continue
        tree = ontology.tree(name)
        hp, hr, hf = hierarchical_prf(pairs, tree)
        rows.append({"field": name, "pairs": len(pairs), "hP": hp, "hR": hr, "hF1": hf,
                     "wu_palmer": mean_wu_palmer(pairs, tree),
                     **confusion_rates(pairs, tree)})
    return rows


def value_pairs(cases: Sequence[FilterCase], ontology: Ontology) -> dict[str, list[tuple[str | None, str]]]:
    """(predicted, correct) single values per tree field, over cases whose correct predicate
    names that field with one value (a missing predicted value is None)."""
    pairs: dict[str, list[tuple[str | None, str]]] = {}
    for case in cases:
        for name, want in (case.correct_predicate or {}).items():
            field = ontology.fields.get(name)
            want = _single(want)
            if field is None or field.tree is None or isinstance(want, list):
                continue
            got = _single(case.predicate.get(name))
            pairs.setdefault(name, []).append((got if isinstance(got, str) else None, want))
    return pairs


def survivor_only_recall(filtered: Mapping[str, Sequence[str]], gold: Mapping[str, set[str]],
                         survivors: Mapping[str, set[str]], k: int) -> float:
    """Recall@k as an evaluator that only sees the filtered index reports it: against the gold
    documents that survive the filter, over the queries that still have one. Excluded queries
    vanish from it, so it can look better than the unfiltered recall while the filter loses
    answers (pair it with the false-exclusion rate)."""
    scored = [recall_at_k(filtered[q], gold[q] & survivors[q], k) for q in filtered if gold[q] & survivors[q]]
    return sum(scored) / len(scored) if scored else 0.0


def evaluate_filters(cases: Sequence[FilterCase], gold: Mapping[str, set[str]], rankings: Mapping[str, Sequence[str]],
                     doc_metadata: Mapping[str, Mapping[str, Any]], ontology: Ontology, k: int = 10,
                     epsilon: float = 0.01, boost: float = 1.0, rrf_k: int = 60) -> dict[str, Any]:
    """Everything filter_eval reports, as plain data (see the module docstring).

    Three recalls: unfiltered; ``naive_survivor_recall`` (the filtered ranking against all
    gold, = what the false exclusions cost); ``survivor_only_recall`` (what a survivor-only
    evaluator reports, blind to the excluded queries).

    ``gold``: relevant docs per query; ``rankings``: the unfiltered (hybrid) document ranking per
    query; ``doc_metadata``: ontology fields per corpus document.
    """
    judged = {c.query_id: c for c in cases if gold.get(c.query_id)}
    g = {q: gold[q] for q in judged}
    produced = filter_survivors({q: c.predicate for q, c in judged.items()}, doc_metadata, ontology)
    labelled = {q: c.correct_predicate if c.correct_predicate is not None else c.predicate for q, c in judged.items()}
    correct = filter_survivors(labelled, doc_metadata, ontology)
    ranked = {q: list(rankings.get(q, [])) for q in judged}
    filtered = {q: [d for d in ranked[q] if d in produced[q]] for q in judged}
    n = len(judged)
    excluded = excluded_queries(g, produced)
    per_query = [{"query_id": q, "correct_label": judged[q].correct, "excluded": q in excluded,
                  "excluded_by_correct": not (g[q] & correct[q]),
                  f"recall@{k}_filtered": recall_at_k(filtered[q], g[q], k),
                  f"recall@{k}_unfiltered": recall_at_k(ranked[q], g[q], k)} for q in sorted(judged)]
    decisions = hard_vs_soft(ranked, g, {q: c.predicate for q, c in judged.items()}, doc_metadata, ontology,
                             k=k, boost=boost, epsilon=epsilon, rrf_k=rrf_k)
    outcomes = clause_outcomes({q: c.predicate for q, c in judged.items()}, labelled, ontology)
    return {
        "queries": n,
        "false_exclusion_rate": false_exclusion_rate(g, produced),
        "excluded": excluded,
        "false_exclusion_rate_correct_predicates": false_exclusion_rate(g, correct),
        "excluded_by_correct_predicates": excluded_queries(g, correct),
        f"naive_survivor_recall@{k}": survivor_recall_at_k(ranked, g, produced, k),
        f"survivor_only_recall@{k}": survivor_only_recall(filtered, g, produced, k),
        f"recall@{k}_unfiltered": sum(r[f"recall@{k}_unfiltered"] for r in per_query) / n if n else 0.0,
        "predicates": asdict(predicate_scores({q: c.predicate for q, c in judged.items()}, labelled)),
        "clause_outcomes": asdict(outcomes),
        "fields": [{"field": d.field, "queries": d.n_queries, "decision": d.decision, "reason": d.reason,
                    **{f"hard_{m}": v for m, v in asdict(d.hard).items()},
                    **{f"soft_{m}": v for m, v in asdict(d.soft).items()}} for d in decisions],
        "per_query": per_query,
    }


def class_pairs(rankings: Mapping[str, Sequence[str]], query_metadata: Mapping[str, Mapping[str, Any]],
                doc_metadata: Mapping[str, Mapping[str, Any]]) -> list[tuple[str | None, str]]:
    """(document class of the top-ranked document, the query's gold document class) per query
    with a gold class: where the retriever lands in the class tree."""
    pairs = []
    for q, meta in sorted(query_metadata.items()):
        want = meta.get("doc_class")
        if not want:
            continue
        top = next(iter(rankings.get(q, [])), None)
        pairs.append((doc_metadata.get(top, {}).get("doc_class") if top else None, want))
    return pairs
