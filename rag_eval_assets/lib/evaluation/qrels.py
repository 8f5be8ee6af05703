"""Which relevance judgments count: one rule for every asset that scores golden queries.

``judged_qrels`` takes the golden set's qrels of one split (``test`` when present, else the
first split in name order), keeps relevant judgments (grade > 0) of queries that exist in
``queries.jsonl``, drops queries none of whose relevant documents are in the corpus (another
corpus, or a subset run: they cannot be judged), and, given the dedup decisions, credits the
canonical copy of a near-duplicate gold document instead of the copy the index leaves out
(``credit_canonical``). A relevant document that is in the corpus but not retrievable still
counts: that is a miss the pipeline caused.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from rag_eval_assets.lib.evaluation.retrieval_lanes import credit_canonical

Qrels = dict[str, dict[str, int]]


def qrels_split(golden: Any) -> str | None:
    """The split that is judged: ``test`` when present, else the first split by name."""
    return "test" if "test" in golden.qrels else (sorted(golden.qrels)[0] if golden.qrels else None)


def judged_qrels(golden: Any, corpus_docs: Collection[str], canonical_of: Mapping[str, str] | None = None) -> Qrels:
    """The qrels every query-scoring asset uses (see the module doc)."""
    split = qrels_split(golden)
    if split is None:
        return {}
    docs = set(corpus_docs)
    qrels = {q: {d: g for d, g in rel.items() if g > 0} for q, rel in golden.qrels[split].items()
             if q in golden.queries}
    qrels = {q: rel for q, rel in qrels.items() if set(rel) & docs}
    return credit_canonical(qrels, canonical_of) if canonical_of else qrels
