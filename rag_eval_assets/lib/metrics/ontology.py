"""Ontology-aware classification metrics over a ``Tree`` (predicted vs gold node).

``pairs`` are ``(pred, gold)``; ``pred`` may be ``None`` (no prediction). A node's ancestor set
includes the node itself; in a forest the top-level nodes are roots and no virtual root is
counted, so nodes of different trees share nothing. Unknown nodes raise ``OntologyError``.
"""

from __future__ import annotations

from collections.abc import Iterable

from rag_eval_assets.lib.ontology import Tree

Pair = tuple[str | None, str]
CONFUSION_KINDS = ("exact", "parent", "descendant", "sibling", "other")


def _ancestor_set(node: str | None, tree: Tree) -> set[str]:
    return set(tree.ancestors(node)) if node is not None else set()


def hierarchical_prf(pairs: Iterable[Pair], tree: Tree) -> tuple[float, float, float]:
    """Hierarchical precision, recall and F1 (Kiritchenko et al., 2006), micro-averaged:

    hP = Σ|Anc(p) ∩ Anc(g)| / Σ|Anc(p)|, hR = Σ|Anc(p) ∩ Anc(g)| / Σ|Anc(g)|, hF1 their harmonic
    mean. A too-general prediction keeps hP high and loses hR; a ``None`` prediction is an empty
    set (hurts hR only). 0.0 on an empty denominator.
    """
    overlap = n_pred = n_gold = 0
    for pred, gold in pairs:
        p, g = _ancestor_set(pred, tree), _ancestor_set(gold, tree)
        overlap += len(p & g)
        n_pred += len(p)
        n_gold += len(g)
    hp = overlap / n_pred if n_pred else 0.0
    hr = overlap / n_gold if n_gold else 0.0
    return hp, hr, (2 * hp * hr / (hp + hr) if hp + hr else 0.0)


def lowest_common_ancestor(a: str, b: str, tree: Tree) -> str | None:
    """Deepest node that is an ancestor (or self) of both; None across trees of a forest."""
    shared = set(tree.ancestors(b))
    return next((n for n in tree.ancestors(a) if n in shared), None)


def wu_palmer(a: str, b: str, tree: Tree) -> float:
    """Wu-Palmer similarity 2·depth(lca) / (depth(a) + depth(b)), root depth 1: 1.0 for the same
    node, 0.0 for nodes of different trees of a forest."""
    lca = lowest_common_ancestor(a, b, tree)
    return 2 * tree.depth(lca) / (tree.depth(a) + tree.depth(b)) if lca is not None else 0.0


def mean_wu_palmer(pairs: Iterable[Pair], tree: Tree) -> float:
    """Mean Wu-Palmer similarity over pairs; a ``None`` prediction scores 0.0; 0.0 without pairs."""
    scores = [wu_palmer(pred, gold, tree) if pred is not None else 0.0 for pred, gold in pairs]
    return sum(scores) / len(scores) if scores else 0.0


def confusion_kind(pred: str | None, gold: str, tree: Tree) -> str:
    """How a prediction relates to the gold node: ``exact``; ``parent`` (a proper ancestor: too
    general); ``descendant`` (a proper descendant: too specific); ``sibling`` (same parent,
    different node; two roots are not siblings); ``other`` (anything else, including None)."""
    tree.ancestors(gold)  # validates gold
    if pred is None:
        return "other"
    if pred == gold:
        return "exact"
    if pred in tree.ancestors(gold, include_self=False):
        return "parent"
    if gold in tree.ancestors(pred, include_self=False):
        return "descendant"
    if tree.parents[pred] is not None and tree.parents[pred] == tree.parents[gold]:
        return "sibling"
    return "other"


def confusion_rates(pairs: Iterable[Pair], tree: Tree) -> dict[str, float]:
    """Share of pairs of each ``confusion_kind`` (keys ``CONFUSION_KINDS``); the shares sum to 1,
    or are all 0.0 without pairs."""
    kinds = [confusion_kind(pred, gold, tree) for pred, gold in pairs]
    return {kind: (kinds.count(kind) / len(kinds) if kinds else 0.0) for kind in CONFUSION_KINDS}
