"""Metadata-filter metrics: what a hard filter silently drops, how good predicted predicates
are, and whether a predicate field should filter (hard) or only boost (soft).

Shapes: ``gold`` maps query id -> set of gold doc ids; ``survivors`` maps query id -> set of
doc ids that pass that query's filter; ``rankings`` maps query id -> doc ids, best first; a
predicate maps field -> value or list of values (any of them), matched hierarchy-aware by
``Ontology.matches`` (a filter on ``en`` admits ``en-GB``). Only queries with at least one gold
doc are evaluated; with none, every rate is 0.0.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rag_eval_assets.lib.metrics.retrieval import ndcg_at_k, precision_at_k, recall_at_k
from rag_eval_assets.lib.ontology import Ontology, OntologyError

Clause = tuple[str, Any]


def _eligible(gold: Mapping[str, Collection[str]]) -> list[str]:
    """Queries with at least one gold doc, sorted."""
    return sorted(q for q, docs in gold.items() if docs)


def _mean(values: Iterable[float]) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _survivors_of(query: str, survivors: Mapping[str, Collection[str]]) -> Collection[str]:
    if query not in survivors:
        raise KeyError(f"query {query!r} has gold docs but no survivor set; pass the docs that pass "
                       "its filter (all docs when it has no filter)")
    return survivors[query]


def _is_excluded(gold_docs: Collection[str], surviving: Collection[str]) -> bool:
    return not any(d in surviving for d in gold_docs)


def excluded_queries(gold: Mapping[str, Collection[str]], survivors: Mapping[str, Collection[str]]) -> list[str]:
    """Queries (sorted) whose gold docs are all dropped by the hard filter: none survives.

    A query with gold but missing from ``survivors`` raises KeyError: an absent survivor set is
    ambiguous (nothing passed? no filter?), so callers must say which.
    """
    return [q for q in _eligible(gold) if _is_excluded(gold[q], _survivors_of(q, survivors))]


def false_exclusion_rate(gold: Mapping[str, Collection[str]], survivors: Mapping[str, Collection[str]]) -> float:
    """Share of queries with gold whose gold docs are ALL excluded by the hard filter.

    No retriever can recover such a query, and recall computed over survivors hides it. 0.0 when
    no query has gold; KeyError for a query with gold missing from ``survivors``.
    """
    return _ratio(len(excluded_queries(gold, survivors)), len(_eligible(gold)))


def survivor_recall_at_k(rankings: Mapping[str, Sequence[str]], gold: Mapping[str, Collection[str]],
                         survivors: Mapping[str, Collection[str]], k: int) -> float:
    """Naive recall: mean recall@k over queries with gold, each ranking restricted to the filter's
    survivors. It drops for excluded queries without saying why; pair it with
    ``false_exclusion_rate``. A query missing from ``rankings`` has an empty ranking."""
    def restricted(q: str) -> list[str]:
        surviving = _survivors_of(q, survivors)
        return [d for d in rankings.get(q, []) if d in surviving]

    return _mean(recall_at_k(restricted(q), gold[q], k) for q in _eligible(gold))


def filter_survivors(predicates: Mapping[str, Mapping[str, Any]], doc_metadata: Mapping[str, Mapping[str, Any]],
                     ontology: Ontology) -> dict[str, set[str]]:
    """``{query: doc ids whose metadata satisfies the query's predicate}`` (hierarchy-aware; an
    empty predicate keeps every doc; a doc lacking a filtered field fails that clause)."""
    return {q: {d for d, meta in doc_metadata.items() if ontology.matches(pred, meta)}
            for q, pred in predicates.items()}


# --- predicted predicates vs labelled correct predicates -------------------------------------

def _values(wanted: Any) -> list[Any]:
    return list(wanted) if isinstance(wanted, (list, tuple, set, frozenset)) else [wanted]


def _clauses(predicate: Mapping[str, Any]) -> set[Clause]:
    """A predicate as clauses ``(field, value)``; a list value gives one clause per value."""
    return {(name, v) for name, wanted in predicate.items() for v in _values(wanted)}


@dataclass(frozen=True)
class PredicateScores:
    """Clause-level precision/recall/F1, micro-averaged over queries, and the exact-match rate
    of whole predicates (same clause set)."""

    precision: float
    recall: float
    f1: float
    exact_match: float
    n_queries: int


def predicate_scores(predicted: Mapping[str, Mapping[str, Any]],
                     correct: Mapping[str, Mapping[str, Any]]) -> PredicateScores:
    """Score predicted filter predicates against labelled correct ones, clause by clause.

    A clause is ``(field, value)``. precision = predicted clauses found in the correct predicate
    / predicted clauses; recall = correct clauses found in the predicted predicate / correct
    clauses; both micro-averaged (summed over queries before dividing), 0.0 on an empty
    denominator. Queries are those of ``correct``; one missing from ``predicted`` predicts ``{}``.
    Strict equality: a broader value (``en`` for ``en-GB``) is wrong; see ``clause_outcomes``.
    """
    tp = n_pred = n_gold = exact = 0
    for q, gold_pred in correct.items():
        pred, want = _clauses(predicted.get(q, {})), _clauses(gold_pred)
        tp += len(pred & want)
        n_pred += len(pred)
        n_gold += len(want)
        exact += pred == want
    p, r = _ratio(tp, n_pred), _ratio(tp, n_gold)
    return PredicateScores(p, r, _ratio(2 * p * r, p + r), _ratio(exact, len(correct)), len(correct))


@dataclass(frozen=True)
class ClauseOutcomes:
    """Shares of predicted clauses that are exact, too broad (value is a proper ancestor of a
    correct value: keeps the right docs, admits more), too narrow (a proper descendant: drops
    some right docs) or wrong; they sum to 1 (all 0.0 without predicted clauses).
    ``admitted_recall``: share of correct clauses admitted by a predicted clause on the same
    field, i.e. whose docs the predicted filter would keep."""

    exact: float
    too_broad: float
    too_narrow: float
    wrong: float
    admitted_recall: float


def _field(ontology: Ontology, name: str) -> Any:
    if name not in ontology.fields:
        raise OntologyError(f"predicate uses unknown field {name!r}")
    return ontology.fields[name]


def _clause_outcome(clause: Clause, correct: set[Clause], ontology: Ontology) -> str:
    name, value = clause
    if clause in correct:
        return "exact"
    tree = _field(ontology, name).tree
    targets = [str(v) for f, v in correct if f == name]
    if tree is None or str(value) not in tree:
        return "wrong"
    if any(tree.admits(str(value), t) for t in targets):
        return "too_broad"
    if any(t in tree and tree.admits(t, str(value)) for t in targets):
        return "too_narrow"
    return "wrong"


def clause_outcomes(predicted: Mapping[str, Mapping[str, Any]], correct: Mapping[str, Mapping[str, Any]],
                    ontology: Ontology) -> ClauseOutcomes:
    """Hierarchy-aware view of predicate quality (see ``ClauseOutcomes``), pooled over the
    queries of ``correct``; one missing from ``predicted`` predicts ``{}``."""
    counts = dict.fromkeys(("exact", "too_broad", "too_narrow", "wrong"), 0)
    admitted = n_gold = 0
    for q, gold_pred in correct.items():
        pred, want = _clauses(predicted.get(q, {})), _clauses(gold_pred)
        for clause in pred:
            counts[_clause_outcome(clause, want, ontology)] += 1
        n_gold += len(want)
        admitted += sum(any(f == name and _field(ontology, f).admits(v, value) for f, v in pred)
                        for name, value in want)
    n_pred = sum(counts.values())
    return ClauseOutcomes(**{key: _ratio(n, n_pred) for key, n in counts.items()},
                          admitted_recall=_ratio(admitted, n_gold))


# --- hard filter vs soft boost per field -----------------------------------------------------

@dataclass(frozen=True)
class ModeScores:
    """Means over the evaluated queries for one way of applying a field's clause."""

    false_exclusion: float
    precision: float
    recall: float
    ndcg: float


@dataclass(frozen=True)
class FieldFilterDecision:
    """Hard-filter and soft-boost scores of one predicate field, and the chosen mode."""

    field: str
    n_queries: int
    k: int
    hard: ModeScores
    soft: ModeScores
    decision: str
    reason: str


def soft_boost(ranked: Sequence[str], matches: Collection[str], boost: float = 1.0,
               rrf_k: int = 60) -> list[str]:
    """Re-rank without dropping: score = 1/(rrf_k + rank) × (1 + boost) for docs in ``matches``,
    1/(rrf_k + rank) otherwise; ties keep the original order. A repeated id counts once."""
    docs = list(dict.fromkeys(ranked))
    score = {d: (1.0 + boost if d in matches else 1.0) / (rrf_k + i) for i, d in enumerate(docs, start=1)}
    return sorted(docs, key=lambda d: -score[d])  # stable sort keeps the original order on ties


def _mode_scores(ranked: dict[str, list[str]], gold: Mapping[str, Collection[str]],
                 excluded: Collection[str], k: int) -> ModeScores:
    queries = list(ranked)
    return ModeScores(
        false_exclusion=_ratio(len(excluded), len(queries)),
        precision=_mean(precision_at_k(ranked[q], gold[q], k) for q in queries),
        recall=_mean(recall_at_k(ranked[q], gold[q], k) for q in queries),
        ndcg=_mean(ndcg_at_k(ranked[q], gold[q], k) for q in queries),
    )


def _decide(hard: ModeScores, soft: ModeScores, k: int, epsilon: float) -> tuple[str, str]:
    if hard.false_exclusion >= epsilon:
        return "soft", (f"hard filter excludes all gold for {hard.false_exclusion:.1%} of queries "
                        f"(>= {epsilon:.1%})")
    if hard.precision <= soft.precision:
        return "soft", (f"hard precision@{k} {hard.precision:.3f} is not above soft "
                        f"{soft.precision:.3f}")
    return "hard", (f"hard false exclusion {hard.false_exclusion:.1%} < {epsilon:.1%} and precision@{k} "
                    f"{hard.precision:.3f} > soft {soft.precision:.3f}")


def hard_vs_soft(rankings: Mapping[str, Sequence[str]], gold: Mapping[str, Collection[str]],
                 predicates: Mapping[str, Mapping[str, Any]], doc_metadata: Mapping[str, Mapping[str, Any]],
                 ontology: Ontology, k: int = 10, boost: float = 1.0, epsilon: float = 0.01,
                 rrf_k: int = 60) -> list[FieldFilterDecision]:
    """Per predicate field: should its clause filter (hard) or only boost (soft)?

    For each field used in ``predicates`` (sorted by name), over the queries with gold whose
    predicate uses that field, apply only that field's clause (hierarchy-aware) to the query's
    ranking: (a) hard: drop docs that do not match; (b) soft: ``soft_boost`` with ``boost`` and
    ``rrf_k``, nothing dropped. For each mode report the false-exclusion rate (no gold doc in
    the corpus passes the clause; 0.0 for soft by construction), and mean precision@k,
    recall@k and nDCG@k. Docs missing from ``doc_metadata`` never match.

    Decision rule: "hard" only if hard false exclusion < ``epsilon`` AND hard precision@k >
    soft precision@k; otherwise "soft" (a filter that loses gold, or buys no precision, is not
    worth its risk).
    """
    fields = sorted({name for pred in predicates.values() for name in pred})
    rows = []
    for name in fields:
        queries = [q for q in _eligible(gold) if name in predicates.get(q, {})]
        clauses = {q: {name: predicates[q][name]} for q in queries}
        survivors = filter_survivors(clauses, doc_metadata, ontology)
        ranked = {q: list(dict.fromkeys(rankings.get(q, []))) for q in queries}
        hard_ranked = {q: [d for d in ranked[q] if d in survivors[q]] for q in queries}
        soft_ranked = {q: soft_boost(ranked[q], survivors[q], boost, rrf_k) for q in queries}
        hard = _mode_scores(hard_ranked, gold, excluded_queries({q: gold[q] for q in queries}, survivors), k)
        soft = _mode_scores(soft_ranked, gold, [], k)
        decision, reason = _decide(hard, soft, k, epsilon)
        rows.append(FieldFilterDecision(name, len(queries), k, hard, soft, decision, reason))
    return rows
