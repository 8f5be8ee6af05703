"""Evidence-path, answer and abstention metrics of one traced case.

Evidence path (plain shares of ids):
- candidate_recall = share of required_source_ids in first_stage_ids;
- context_recall = share of required_source_ids in selected_context_ids;
- context_precision = share of selected ids that are required (0.0 when nothing is selected).
With no required sources (an out-of-scope case) both recalls are 1.0: nothing was missed.

Answer (a claim is judged against the *selected* chunks by a pluggable ``Judge``):
- faithfulness = claims supported by any selected chunk / claims (0.0 when there are no claims);
- citation_coverage = claims with a citation / claims (0.0 when there are no claims);
- citation_support = claims whose cited chunk is in the selected context AND supports the
  claim / claims (0.0 when there are no claims);
- supported_point_coverage = required points covered by a supported claim (its
  ``answer_point``) / required points (1.0 when nothing is required).
Judged scores are ``JudgedScore``s: a claim none of whose verdicts is True but one of which is
invalid is invalid (left out of the denominator and counted); a point is invalid when it is not
covered and one of its claims is invalid.

Abstention (out-of-scope cases should be declined): abstaining out of scope is correct,
answering out of scope is wrong, abstaining in scope is a false abstention.
abstention_accuracy = correct abstentions / out-of-scope cases; false_abstention_rate = false
abstentions / in-scope cases (None when there are no such cases).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from rag_eval_assets.lib.generation.judges import Judge, JudgedScore, Verdict
from rag_eval_assets.lib.generation.traces import Claim, GoldCase, Trace


def _share(items: Collection[str], pool: Collection[str], empty: float) -> float:
    """Share of ``items`` found in ``pool`` (``empty`` when there are no items)."""
    if not items:
        return empty
    pool = set(pool)
    return sum(i in pool for i in items) / len(items)


def _document_of(chunk_id: str) -> str:
    return chunk_id.split("#", 1)[0]  # this project's chunk ids: "<doc_id>#<nnnn>"


def _documents_share(documents: Collection[str], ids: Collection[str]) -> float:
    found = {_document_of(c) for c in ids}
    return sum(d in found for d in documents) / len(documents) if documents else 1.0


def candidate_recall(trace: Trace, gold: GoldCase) -> float:
    """Share of the required sources retrieved by first-stage retrieval (of the required
    documents with a chunk retrieved, when the case names documents only)."""
    if not gold.required_source_ids and gold.required_document_ids:
        return _documents_share(gold.required_document_ids, trace.first_stage_ids)
    return _share(gold.required_source_ids, trace.first_stage_ids, 1.0)


def context_recall(trace: Trace, gold: GoldCase) -> float:
    """Share of the required sources (documents, see ``candidate_recall``) in the selected context."""
    if not gold.required_source_ids and gold.required_document_ids:
        return _documents_share(gold.required_document_ids, trace.selected_context_ids)
    return _share(gold.required_source_ids, trace.selected_context_ids, 1.0)


def context_precision(trace: Trace, gold: GoldCase) -> float:
    """Share of the selected context ids that are required sources (chunks of a required
    document, when the case names documents only)."""
    if not gold.required_source_ids and gold.required_document_ids:
        wanted = set(gold.required_document_ids)
        ids = trace.selected_context_ids
        return sum(_document_of(c) in wanted for c in ids) / len(ids) if ids else 0.0
    return _share(trace.selected_context_ids, gold.required_source_ids, 0.0)


def citation_coverage(claims: Sequence[Claim]) -> float:
    """Share of claims that carry a citation."""
    return sum(c.citation_id is not None for c in claims) / len(claims) if claims else 0.0


# --- judged claims ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimSupport:
    """A claim with the verdicts on the selected chunks that were needed to score it."""

    claim: Claim
    verdicts: Mapping[str, Verdict] = field(default_factory=dict)

    @property
    def supported(self) -> bool | None:
        """True if some selected chunk supports the claim; None if undecided (invalid verdict)."""
        outcomes = [v.supported for v in self.verdicts.values()]
        if True in outcomes:
            return True
        return None if None in outcomes else False

    @property
    def citation_supported(self) -> bool | None:
        """True if the cited chunk is selected and supports the claim (False if not selected)."""
        verdict = self.verdicts.get(self.claim.citation_id or "")
        return False if verdict is None else verdict.supported


@dataclass(frozen=True)
class JudgedClaims:
    """The claims of one answer judged against one selected context by one judge."""

    judge: str
    claims: tuple[ClaimSupport, ...]

    def unsupported(self) -> list[str]:
        """Texts of the claims judged unsupported (invalid ones excluded)."""
        return [c.claim.text for c in self.claims if c.supported is False]

    def invalid(self) -> list[str]:
        """Texts of the claims left undecided by invalid verdicts."""
        return [c.claim.text for c in self.claims if c.supported is None]


def judge_claims(claims: Sequence[Claim], context: Mapping[str, str], judge: Judge) -> JudgedClaims:
    """Judge each claim against the selected ``context`` (chunk_id -> text).

    The cited chunk is judged first; the others are tried in order until one supports the claim,
    so a claim costs one judge call when its citation holds.
    """
    judged = []
    for claim in claims:
        cited = [claim.citation_id] if claim.citation_id in context else []
        verdicts: dict[str, Verdict] = {}
        for chunk_id in dict.fromkeys([*cited, *context]):
            verdicts[chunk_id] = judge.judge(claim.text, claim.support_phrases, context[chunk_id])
            if verdicts[chunk_id].supported:
                break
        judged.append(ClaimSupport(claim, verdicts))
    return JudgedClaims(judge.name, tuple(judged))


def faithfulness(judged: JudgedClaims) -> JudgedScore:
    """Claims supported by any selected chunk / claims."""
    return JudgedScore.from_outcomes([c.supported for c in judged.claims], judged.judge, 0.0)


def citation_support(judged: JudgedClaims) -> JudgedScore:
    """Claims whose cited chunk is selected and supports them / claims."""
    return JudgedScore.from_outcomes([c.citation_supported for c in judged.claims], judged.judge, 0.0)


def supported_point_coverage(judged: JudgedClaims, required_points: Sequence[str]) -> JudgedScore:
    """Required points covered by a supported claim / required points."""
    outcomes: list[bool | None] = []
    for point in required_points:
        states = [c.supported for c in judged.claims if c.claim.answer_point == point]
        outcomes.append(True if True in states else None if None in states else False)
    return JudgedScore.from_outcomes(outcomes, judged.judge, 1.0)


# --- abstention -------------------------------------------------------------------------------
CORRECT_ABSTENTION = "correct_abstention"
ANSWERED_OUT_OF_SCOPE = "answered_out_of_scope"
FALSE_ABSTENTION = "false_abstention"
ANSWERED_IN_SCOPE = "answered_in_scope"


def abstention_outcome(out_of_scope: bool, abstained: bool) -> str:
    """One of the four labels above for one case."""
    if out_of_scope:
        return CORRECT_ABSTENTION if abstained else ANSWERED_OUT_OF_SCOPE
    return FALSE_ABSTENTION if abstained else ANSWERED_IN_SCOPE


@dataclass(frozen=True)
class AbstentionReport:
    """Abstention counts and rates over a set of cases (see the module docstring)."""

    out_of_scope: int
    correct_abstentions: int
    answered_out_of_scope: int
    in_scope: int
    false_abstentions: int
    abstention_accuracy: float | None
    false_abstention_rate: float | None


def abstention_metrics(cases: Iterable[tuple[bool, bool]]) -> AbstentionReport:
    """Abstention report from ``(out_of_scope, abstained)`` pairs, one per case."""
    labels = [abstention_outcome(o, a) for o, a in cases]
    correct, wrong = labels.count(CORRECT_ABSTENTION), labels.count(ANSWERED_OUT_OF_SCOPE)
    false, answered = labels.count(FALSE_ABSTENTION), labels.count(ANSWERED_IN_SCOPE)
    out_n, in_n = correct + wrong, false + answered
    return AbstentionReport(out_n, correct, wrong, in_n, false,
                            correct / out_n if out_n else None, false / in_n if in_n else None)
