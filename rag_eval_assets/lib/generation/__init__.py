"""Generation evaluation: RAG traces, the admissibility gate, answer metrics, judges, gates.

- ``traces``: the JSONL trace / gold-case / evidence formats and their loaders.
- ``admissibility``: may a trace be scored at all (``check_admissible``).
- ``metrics``: evidence-path recall/precision, judged faithfulness and citation metrics,
  abstention metrics.
- ``judges``: claim-support judges (phrase, content-word, OpenAI-compatible LLM, cached).
- ``stages``: first failed stage and ``evaluate_case``.
- ``gates``: per-slice pass rates and the release gate.
- ``generator``: the offline extractive baseline and an OpenAI-compatible generator.
"""

from __future__ import annotations

from rag_eval_assets.lib.generation.admissibility import Admissibility, check_admissible
from rag_eval_assets.lib.generation.gates import (
    GateDecision,
    release_gate,
    slice_pass_rates,
)
from rag_eval_assets.lib.generation.generator import (
    ExtractiveGenerator,
    GenerationError,
    OpenAICompatibleGenerator,
)
from rag_eval_assets.lib.generation.judges import (
    CachedJudge,
    CascadeJudge,
    ContentWordJudge,
    Judge,
    JudgedScore,
    OpenAICompatibleJudge,
    PhraseJudge,
    Verdict,
    split_claims,
)
from rag_eval_assets.lib.generation.metrics import (
    AbstentionReport,
    ClaimSupport,
    JudgedClaims,
    abstention_metrics,
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
from rag_eval_assets.lib.generation.stages import (
    STAGES,
    CaseResult,
    evaluate_case,
    first_failed_stage,
)
from rag_eval_assets.lib.generation.traces import (
    REQUIRED_VERSION_KEYS,
    Answer,
    Claim,
    EvidenceChunk,
    GoldCase,
    Trace,
    apply_variant,
    load_evidence,
    load_gold_cases,
    load_traces,
    parse_answer,
    parse_evidence,
    parse_gold_case,
    parse_trace,
)

__all__ = [
    "REQUIRED_VERSION_KEYS", "STAGES", "AbstentionReport", "Admissibility", "Answer",
    "CachedJudge", "CascadeJudge", "CaseResult", "Claim", "ClaimSupport", "ContentWordJudge", "EvidenceChunk",
    "ExtractiveGenerator", "GateDecision", "GenerationError", "GoldCase", "Judge", "JudgedClaims",
    "JudgedScore", "OpenAICompatibleGenerator", "OpenAICompatibleJudge", "PhraseJudge", "Trace",
    "Verdict", "abstention_metrics", "abstention_outcome", "apply_variant", "candidate_recall",
    "check_admissible", "citation_coverage", "citation_support", "context_precision",
    "context_recall", "evaluate_case", "faithfulness", "first_failed_stage", "judge_claims",
    "load_evidence", "load_gold_cases", "load_traces", "parse_answer", "parse_evidence",
    "parse_gold_case", "parse_trace", "release_gate", "slice_pass_rates", "split_claims",
    "supported_point_coverage",
]
