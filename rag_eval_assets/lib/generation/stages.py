"""First failed stage of a traced case, and ``evaluate_case`` bundling every metric.

Pipeline order for an in-scope case: ``admissibility``; ``candidate retrieval`` (candidate
recall < 1); ``context selection`` (context recall < 1); ``answer completeness`` (no claims,
which includes a false abstention); ``answer faithfulness`` (< 1); ``citation support`` (< 1);
``answer completeness`` (supported point coverage < 1; n/a without a reference answer); else
``pass``. A judged score with any
invalid verdict fails its stage too: a claim nobody could verify is not shown to hold.

Out-of-scope gold cases (the right answer is to decline): after admissibility, an abstaining
answer is ``pass`` and any other answer fails at the ``abstention`` stage; retrieval and answer
scores are still reported but do not gate.

A case may release only when its first failed stage is ``pass``. An inadmissible trace gets no
quality scores at all (its metric fields are None) and its chunks are never sent to the judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag_eval_assets.lib.generation.admissibility import Admissibility, check_admissible
from rag_eval_assets.lib.generation.judges import Judge, JudgedScore
from rag_eval_assets.lib.generation.metrics import (
    abstention_outcome,
    candidate_recall,
    citation_coverage,
    citation_support,
    context_precision,
    context_recall,
    faithfulness,
    judge_claims,
    supported_point_coverage,
)
from rag_eval_assets.lib.generation.traces import EvidenceChunk, GoldCase, Trace

ADMISSIBILITY = "admissibility"
CANDIDATE_RETRIEVAL = "candidate retrieval"
CONTEXT_SELECTION = "context selection"
ANSWER_COMPLETENESS = "answer completeness"
ANSWER_FAITHFULNESS = "answer faithfulness"
CITATION_SUPPORT = "citation support"
ABSTENTION = "abstention"
PASS = "pass"
UNSLICED = "unsliced"
NOT_APPLICABLE: Any = object()  # point coverage of a case without a reference answer
STAGES = (ADMISSIBILITY, ABSTENTION, CANDIDATE_RETRIEVAL, CONTEXT_SELECTION, ANSWER_COMPLETENESS,
          ANSWER_FAITHFULNESS, CITATION_SUPPORT, PASS)


def first_failed_stage(*, admissible: bool, candidate_recall: float | None = None,
                       context_recall: float | None = None, n_claims: int = 0,
                       faithfulness: JudgedScore | None = None,
                       citation_support: JudgedScore | None = None,
                       point_coverage: JudgedScore | None = None,
                       out_of_scope: bool = False, abstained: bool = False) -> str:
    """The first stage (pipeline order of the module docstring) whose check fails, or ``pass``."""
    if not admissible:
        return ADMISSIBILITY
    if out_of_scope:
        return PASS if abstained else ABSTENTION
    if candidate_recall is None or candidate_recall < 1:
        return CANDIDATE_RETRIEVAL
    if context_recall is None or context_recall < 1:
        return CONTEXT_SELECTION
    if n_claims == 0:
        return ANSWER_COMPLETENESS
    checks = [(faithfulness, ANSWER_FAITHFULNESS), (citation_support, CITATION_SUPPORT)]
    if point_coverage is not NOT_APPLICABLE:
        checks.append((point_coverage, ANSWER_COMPLETENESS))
    for score, stage in checks:
        if score is None or not score.perfect:
            return stage
    return PASS


@dataclass(frozen=True)
class CaseResult:
    """Every metric of one traced case, its first failed stage and the judge that scored it."""

    case_id: str
    slice: str
    judge: str
    admissibility: Admissibility
    out_of_scope: bool
    abstained: bool
    abstention: str
    n_claims: int
    stage: str
    candidate_recall: float | None = None
    context_recall: float | None = None
    context_precision: float | None = None
    citation_coverage: float | None = None
    faithfulness: JudgedScore | None = None
    citation_support: JudgedScore | None = None
    supported_point_coverage: JudgedScore | None = None

    @property
    def may_release(self) -> bool:
        """True only when no stage failed."""
        return self.stage == PASS

    def as_row(self) -> dict[str, Any]:
        """A flat JSON/Parquet-friendly record (judged scores as value + invalid rate)."""
        row: dict[str, Any] = {
            "case_id": self.case_id, "slice": self.slice, "judge": self.judge,
            "admissible": self.admissibility.admissible,
            "admissibility_reasons": list(self.admissibility.reasons),
            "out_of_scope": self.out_of_scope, "abstained": self.abstained,
            "abstention": self.abstention, "n_claims": self.n_claims, "stage": self.stage,
            "may_release": self.may_release, "candidate_recall": self.candidate_recall,
            "context_recall": self.context_recall, "context_precision": self.context_precision,
            "citation_coverage": self.citation_coverage,
        }
        for name in ("faithfulness", "citation_support", "supported_point_coverage"):
            score: JudgedScore | None = getattr(self, name)
            row[name] = None if score is None else score.value
            row[f"{name}_invalid_rate"] = None if score is None else score.invalid_rate
        return row


def evaluate_case(trace: Trace, gold: GoldCase, evidence: Mapping[str, EvidenceChunk],
                  judge: Judge) -> CaseResult:
    """Admissibility, then (if admissible) every evidence-path and answer metric, and the stage.

    The slice is the gold case's, else the trace's, else ``unsliced``.
    """
    gate = check_admissible(trace, gold, evidence)
    answer = trace.answer
    common: dict[str, Any] = {
        "case_id": gold.case_id, "slice": gold.slice or trace.slice or UNSLICED, "judge": judge.name,
        "admissibility": gate, "out_of_scope": gold.out_of_scope, "abstained": answer.abstained,
        "abstention": abstention_outcome(gold.out_of_scope, answer.abstained),
        "n_claims": len(answer.claims),
    }
    if not gate.admissible:
        return CaseResult(**common, stage=ADMISSIBILITY)
    context = {cid: evidence[cid].text for cid in trace.selected_context_ids}
    judged = judge_claims(answer.claims, context, judge)
    scores: dict[str, Any] = {
        "candidate_recall": candidate_recall(trace, gold), "context_recall": context_recall(trace, gold),
        "faithfulness": faithfulness(judged), "citation_support": citation_support(judged),
    }
    points = supported_point_coverage(judged, gold.required_points) if gold.has_reference_answer else None
    stage = first_failed_stage(admissible=True, n_claims=len(answer.claims),
                               point_coverage=points if gold.has_reference_answer else NOT_APPLICABLE,
                               out_of_scope=gold.out_of_scope, abstained=answer.abstained, **scores)
    return CaseResult(**common, stage=stage, context_precision=context_precision(trace, gold),
                      citation_coverage=citation_coverage(answer.claims),
                      supported_point_coverage=points, **scores)
