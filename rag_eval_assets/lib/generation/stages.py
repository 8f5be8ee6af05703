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
An answer without claims (an abstention, or nothing extracted) has no faithfulness, citation
coverage or citation support: they are None (n/a), not 0.0 — nothing was claimed.

``answer completeness`` names two different failures: an answer with no claim at all
(``failure_name`` → ``no answer``) and an answer whose claims miss a required point (``points
missing``). The stage keeps its documented name; ``failure_name`` and each case's ``cause``
(one line: which source, claim or point failed, with ``missing`` the ids) tell them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rag_eval_assets.lib.generation.admissibility import Admissibility, check_admissible
from rag_eval_assets.lib.generation.judges import Judge, JudgedScore
from rag_eval_assets.lib.generation.metrics import (
    JudgedClaims,
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
NO_ANSWER = "no answer"  # answer completeness: the answer makes no claim (abstained or empty)
POINTS_MISSING = "points missing"  # answer completeness: claims made, a required point not covered
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


def failure_name(stage: str, n_claims: int) -> str:
    """The stage's name for a reader: ``answer completeness`` split into ``no answer`` (no
    claim) and ``points missing`` (claims made, a required point not covered)."""
    if stage == ANSWER_COMPLETENESS:
        return NO_ANSWER if n_claims == 0 else POINTS_MISSING
    return stage


def _quote(texts: list[str], what: str) -> str:
    more = f" (and {len(texts) - 1} more)" if len(texts) > 1 else ""
    return f"{what}: “{texts[0]}”{more}" if texts else what


def failure_cause(stage: str, trace: Trace, gold: GoldCase, admissibility: Admissibility,
                  judged: JudgedClaims | None = None) -> tuple[str, tuple[str, ...]]:
    """Why a case failed at ``stage``, as one line, and the ids at fault (required sources
    missing from the candidates or the context, required points not covered). ``("", ())`` for
    ``pass``."""
    answer = trace.answer
    if stage == ADMISSIBILITY:
        return "inadmissible trace: " + "; ".join(admissibility.reasons), ()
    if stage == ABSTENTION:
        n = len(answer.claims)
        return f"answered an out-of-scope question ({n} claim{'s' if n != 1 else ''}) instead of declining", ()
    if stage in (CANDIDATE_RETRIEVAL, CONTEXT_SELECTION):
        by_document = not gold.required_source_ids and bool(gold.required_document_ids)
        required = gold.required_document_ids if by_document else gold.required_source_ids
        pool = trace.first_stage_ids if stage == CANDIDATE_RETRIEVAL else trace.selected_context_ids
        found = {c.split("#", 1)[0] for c in pool} if by_document else set(pool)
        missing = tuple(r for r in required if r not in found)
        kind = "documents" if by_document else "sources"
        where = "among the candidates" if stage == CANDIDATE_RETRIEVAL else "selected for the context"
        extra = "" if stage == CANDIDATE_RETRIEVAL else " (retrieved, then lost by the reranker / context cut)"
        return f"{len(missing)} of {len(required)} required {kind} not {where}{extra}", missing
    if stage == ANSWER_COMPLETENESS and not answer.claims:
        return ("no answer: the generator abstained" if answer.abstained else "no answer: no claim in the answer"), ()
    if judged is None:
        return stage, ()
    if stage == ANSWER_FAITHFULNESS:
        if judged.unsupported():
            return _quote(judged.unsupported(), "unsupported claim"), ()
        return _quote(judged.invalid(), "the judge could not decide"), ()
    if stage == CITATION_SUPPORT:
        bad = [c.claim.text for c in judged.claims if c.citation_supported is not True]
        return _quote(bad, "citation does not support the claim"), ()
    if stage == ANSWER_COMPLETENESS:
        covered = {c.claim.answer_point for c in judged.claims if c.supported}
        missing = tuple(p for p in gold.required_points if p not in covered)
        return f"{POINTS_MISSING}: {', '.join(missing)} of {len(gold.required_points)} required points", missing
    return "", ()


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
    cause: str = ""
    missing: tuple[str, ...] = ()

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
            "failure": failure_name(self.stage, self.n_claims) if self.stage != PASS else "",
            "cause": self.cause, "missing": list(self.missing),
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
        return CaseResult(**common, stage=ADMISSIBILITY, cause=failure_cause(ADMISSIBILITY, trace, gold, gate)[0])
    context = {cid: evidence[cid].text for cid in trace.selected_context_ids}
    judged = judge_claims(answer.claims, context, judge)
    claimed = bool(answer.claims)  # no claim: faithfulness and citations are n/a (None), not 0.0
    scores: dict[str, Any] = {
        "candidate_recall": candidate_recall(trace, gold), "context_recall": context_recall(trace, gold),
        "faithfulness": faithfulness(judged) if claimed else None,
        "citation_support": citation_support(judged) if claimed else None,
    }
    # n/a when nothing is required: no reference answer, or an out-of-scope question (to decline)
    points = (supported_point_coverage(judged, gold.required_points)
              if gold.has_reference_answer and not gold.out_of_scope else None)
    stage = first_failed_stage(admissible=True, n_claims=len(answer.claims),
                               point_coverage=points if gold.has_reference_answer else NOT_APPLICABLE,
                               out_of_scope=gold.out_of_scope, abstained=answer.abstained, **scores)
    cause, missing = failure_cause(stage, trace, gold, gate, judged)
    return CaseResult(**common, stage=stage, context_precision=context_precision(trace, gold),
                      citation_coverage=citation_coverage(answer.claims) if claimed else None,
                      supported_point_coverage=points, cause=cause, missing=missing, **scores)
