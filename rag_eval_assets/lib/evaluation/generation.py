"""Generation over traces: every case scored (``evaluate_case``), then the means, the judge and
its invalid rate, abstention, the first-failed-stage histogram and the slice release gate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from rag_eval_assets.lib.generation import (
    CaseResult,
    EvidenceChunk,
    GoldCase,
    Judge,
    Trace,
    abstention_metrics,
    evaluate_case,
    release_gate,
)

PLAIN = ("candidate_recall", "context_recall", "context_precision", "citation_coverage")
JUDGED = ("faithfulness", "citation_support", "supported_point_coverage")


def _mean(values: Sequence[float | None]) -> float | None:
    valid = [v for v in values if v is not None]
    return sum(valid) / len(valid) if valid else None


def evaluate_traces(traces: Sequence[Trace], golds: Mapping[str, GoldCase], evidence: Mapping[str, EvidenceChunk],
                    judge: Judge) -> list[CaseResult]:
    """One result per trace; a trace whose case id has no gold case raises KeyError naming it."""
    missing = sorted({t.case_id for t in traces} - set(golds))
    if missing:
        raise KeyError(f"{len(missing)} traces have no gold case, e.g. {missing[0]!r}")
    return [evaluate_case(t, golds[t.case_id], evidence, judge) for t in traces]


def summarize(results: Sequence[CaseResult], judge: str, generator: str,
              min_slice_pass_rate: float = 0.95) -> dict[str, Any]:
    """Means over the cases each metric applies to (judged scores over admissible, validly judged
    cases; faithfulness and citations over answers that make claims) with ``means_n`` the number
    of cases behind each mean, the judge's invalid rate over all its verdicts, abstention, stage
    histogram and the release gate."""
    means: dict[str, float | None] = {m: _mean([getattr(r, m) for r in results]) for m in PLAIN}
    means_n: dict[str, int] = {m: sum(getattr(r, m) is not None for r in results) for m in PLAIN}
    verdicts = invalid = 0
    for m in JUDGED:
        scores = [getattr(r, m) for r in results if getattr(r, m) is not None]
        means[m] = _mean([s.value for s in scores])
        means_n[m] = sum(s.value is not None for s in scores)
        if m == "faithfulness":
            verdicts, invalid = sum(s.n + s.invalid for s in scores), sum(s.invalid for s in scores)
    abstention = abstention_metrics((r.out_of_scope, r.abstained) for r in results)
    means["abstention_accuracy"] = abstention.abstention_accuracy
    means["false_abstention_rate"] = abstention.false_abstention_rate
    means_n["abstention_accuracy"], means_n["false_abstention_rate"] = abstention.out_of_scope, abstention.in_scope
    gate = release_gate([(r.slice, r.may_release) for r in results], min_slice_pass_rate)
    return {
        "cases": len(results), "judge": judge, "generator": generator, "judged": list(JUDGED),
        "means": means, "means_n": means_n, "judge_verdicts": verdicts, "judge_invalid": invalid,
        "judge_invalid_rate": invalid / verdicts if verdicts else 0.0,
        "admissible": sum(r.admissibility.admissible for r in results),
        "abstention": asdict(abstention),
        "first_failed_stage": [r.stage for r in results],
        "stage_counts": dict(Counter(r.stage for r in results)),
        "gate": asdict(gate),
    }
