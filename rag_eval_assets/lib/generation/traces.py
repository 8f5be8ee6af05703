"""RAG traces, gold cases and the evidence store: the JSONL formats and their loaders.

All three files are JSONL: UTF-8, one JSON object per line, blank lines skipped. A malformed
row (bad JSON, a missing field, a wrong type, a duplicate id) raises ``GoldenSetError`` reading
``path:line: message``. The loaders check the *shape* of a row only; whether a trace is
consistent with the evidence store and its gold case is decided later by
``check_admissible`` (so a trace missing a version key still loads, and is then inadmissible).

Trace file (``load_traces``), one record per system answer to one gold case::

    {"case_id": "payment-freeze-deploy-001",
     "slice": "release-freeze",                      # optional: workflow / slice label
     "question": "Can I deploy payment-service ...?", # optional: the question as asked
     "first_stage_ids":      ["c1", "c2", "c3"],     # candidates from first-stage retrieval
     "rerank_input_ids":     ["c1", "c2", "c3"],     # what went into the reranker
     "reranked_ids":         ["c3", "c1", "c2"],     # reranker output, best first
     "selected_context_ids": ["c3"],                 # chunks given to the generator
     "selected_versions":    ["deploy-policy/2026-06-01"],  # version of each selected chunk
     "versions": [["retriever", "policy-retriever-v2"], ["index", "policy-index/2026-05-27"],
                  ["sparse", "bm25-tokenizer-v1"], ["dense", "fixture-embeddings-v1"],
                  ["fusion", "rrf-k60"], ["reranker", "fixture-cross-encoder-v1"]],
     "answer": {"abstained": false,
                "claims": [{"claim_id": "approval",
                            "text": "Incident commander approval is required.",
                            "citation_id": "c3",                 # optional (null: uncited)
                            "support_phrases": ["require incident commander approval"],
                            "answer_point": "approval"}]}}       # optional

- every ``*_ids`` field and ``selected_versions`` is an array of strings;
- ``versions`` is an array of ``[component, version]`` string pairs; an admissible trace names
  each of ``retriever``, ``index``, ``sparse``, ``dense``, ``fusion``, ``reranker`` once;
- ``answer.claims`` are atomic claims with unique ``claim_id``; ``support_phrases`` (optional,
  non-empty strings) are the exact phrases a supporting chunk must contain; ``answer_point``
  (optional) names the gold required point the claim covers;
- ``answer.abstained`` is true when the system declined to answer; an abstaining answer has no
  claims.

Gold case file (``load_gold_cases``), ``case_id`` unique::

    {"case_id": "payment-freeze-deploy-001", "question": "Can I deploy ...?",
     "required_source_ids": ["deploy-freeze-approval-rule"],
     "required_points": ["freeze-scope", "approval", "rollback-plan"],
     "out_of_scope": false,            # optional, default false: the right answer is to abstain
     "slice": "release-freeze"}        # optional workflow label (wins over the trace's)

An in-scope case needs at least one required source and one required point; an out-of-scope
case may leave both empty.

Evidence file (``load_evidence``), ``chunk_id`` unique::

    {"chunk_id": "deploy-freeze-approval-rule", "document_id": "deploy-policy",
     "parent_id": "deploy-policy-v2",  # optional
     "version": "deploy-policy/2026-06-01",
     "permitted": true,                # the asking user may see this chunk
     "current": true,                  # the chunk belongs to the live version of its document
     "text": "Rule DEPLOY-17. Payment-service production deploys during a release freeze ..."}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from rag_eval_assets.lib.goldens.rows import GoldenSetError, Row, put_unique, read_rows

T = TypeVar("T")

REQUIRED_VERSION_KEYS = ("retriever", "index", "sparse", "dense", "fusion", "reranker")
STAGE_LISTS = ("first_stage_ids", "rerank_input_ids", "reranked_ids", "selected_context_ids")


@dataclass(frozen=True)
class Claim:
    """One atomic claim of an answer."""

    claim_id: str
    text: str
    citation_id: str | None = None
    support_phrases: tuple[str, ...] = ()
    answer_point: str | None = None


@dataclass(frozen=True)
class Answer:
    """An answer as atomic claims; ``abstained`` marks a deliberate refusal (then no claims)."""

    claims: tuple[Claim, ...] = ()
    abstained: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this answer (the inverse of ``parse_answer``)."""
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class Trace:
    """One traced run of the RAG pipeline on one gold case (see the module docstring)."""

    case_id: str
    first_stage_ids: tuple[str, ...]
    rerank_input_ids: tuple[str, ...]
    reranked_ids: tuple[str, ...]
    selected_context_ids: tuple[str, ...]
    selected_versions: tuple[str, ...]
    versions: tuple[tuple[str, str], ...]
    answer: Answer = field(default_factory=Answer)
    slice: str | None = None
    question: str | None = None

    def traced_ids(self) -> list[str]:
        """Every chunk id in any stage list, first occurrence order, without repeats."""
        return list(dict.fromkeys(i for name in STAGE_LISTS for i in getattr(self, name)))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this trace (the inverse of ``parse_trace``)."""
        data = _jsonable(asdict(self))
        return {k: v for k, v in data.items() if v is not None or k not in ("slice", "question")}


@dataclass(frozen=True)
class GoldCase:
    """What a correct answer to one question must rest on and cover."""

    case_id: str
    question: str
    required_source_ids: tuple[str, ...]
    required_points: tuple[str, ...]
    out_of_scope: bool = False
    slice: str | None = None
    #: relevant documents when no chunk-level source is known (a query judged by qrels only, with
    #: no reference answer): evidence recall then counts documents with a chunk retrieved
    required_document_ids: tuple[str, ...] = ()
    #: False when the golden set has no reference answer: answer completeness is n/a, not 1.0
    has_reference_answer: bool = True


@dataclass(frozen=True)
class EvidenceChunk:
    """One chunk of the evidence store with its access and freshness flags."""

    chunk_id: str
    document_id: str
    version: str
    permitted: bool
    current: bool
    text: str
    parent_id: str | None = None


def _jsonable(value: Any) -> Any:
    """Tuples (recursively) as lists, so the result is plain JSON data."""
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


# --- row validation ---------------------------------------------------------------------------
def _strings(row: Row, name: str, default: Any = None) -> tuple[str, ...]:
    """An array-of-strings field (absent/null allowed only when ``default`` is given)."""
    value = row.get(name, list) if default is None else row.get(name, list, default)
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise row.error(f"{name!r}[{i}]: expected string, got {item!r:.60}")
    return tuple(value)


def _nested(row: Row, data: Any, where: str, build: Callable[[Row], T]) -> T:
    """Validate a nested object with ``build``, prefixing errors with its position."""
    try:
        return build(Row(row.path, row.line, data))
    except GoldenSetError as exc:
        raise row.error(f"{where}: {exc.message}") from None


def _versions(row: Row) -> tuple[tuple[str, str], ...]:
    pairs = []
    for i, pair in enumerate(row.get("versions", list)):
        if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            raise row.error(f"'versions'[{i}]: expected a [component, version] pair of strings, "
                            f"got {pair!r:.60}")
        pairs.append((pair[0], pair[1]))
    return tuple(pairs)


def _claim(row: Row) -> Claim:
    phrases = _strings(row, "support_phrases", [])
    if any(not p.strip() for p in phrases):
        raise row.error("'support_phrases': phrases must be non-empty")
    return Claim(row.get("claim_id"), row.get("text"), row.get("citation_id", str, None),
                 phrases, row.get("answer_point", str, None))


def _answer(row: Row) -> Answer:
    claims: dict[str, Claim] = {}
    for i, item in enumerate(row.get("claims", list)):
        claim = _nested(row, item, f"claims[{i}]", _claim)
        put_unique(claims, claim.claim_id, claim, row, "claim_id")
    abstained = row.get("abstained", bool)
    if abstained and claims:
        raise row.error("an abstaining answer must have no claims")
    return Answer(tuple(claims.values()), abstained)


def trace_from_row(row: Row) -> Trace:
    """Validate one trace row (see the module docstring)."""
    return Trace(
        case_id=row.get("case_id"),
        **{name: _strings(row, name) for name in (*STAGE_LISTS, "selected_versions")},
        versions=_versions(row),
        answer=_nested(row, row.get("answer", dict), "answer", _answer),
        slice=row.get("slice", str, None),
        question=row.get("question", str, None),
    )


def gold_from_row(row: Row) -> GoldCase:
    """Validate one gold-case row."""
    gold = GoldCase(row.get("case_id"), row.get("question"), _strings(row, "required_source_ids"),
                    _strings(row, "required_points"), row.get("out_of_scope", bool, False),
                    row.get("slice", str, None))
    if not gold.out_of_scope and not (gold.required_source_ids and gold.required_points):
        raise row.error("an in-scope case needs required_source_ids and required_points")
    return gold


def evidence_from_row(row: Row) -> EvidenceChunk:
    """Validate one evidence row."""
    return EvidenceChunk(row.get("chunk_id"), row.get("document_id"), row.get("version"),
                         row.get("permitted", bool), row.get("current", bool), row.get("text"),
                         row.get("parent_id", str, None))


# --- public parsing / loading -----------------------------------------------------------------
def parse_trace(data: Mapping[str, Any], source: str = "<trace>") -> Trace:
    """A trace from an in-memory JSON object (errors name ``source``)."""
    return trace_from_row(Row(Path(source), None, dict(data)))


def parse_answer(data: Mapping[str, Any], source: str = "<answer>") -> Answer:
    """An answer (``{"claims": [...], "abstained": bool}``) from an in-memory JSON object."""
    return _answer(Row(Path(source), None, dict(data)))


def parse_gold_case(data: Mapping[str, Any], source: str = "<gold>") -> GoldCase:
    """A gold case from an in-memory JSON object."""
    return gold_from_row(Row(Path(source), None, dict(data)))


def parse_evidence(rows: list[Mapping[str, Any]], source: str = "<evidence>") -> dict[str, EvidenceChunk]:
    """chunk_id -> chunk from in-memory JSON objects (duplicate ids are an error)."""
    out: dict[str, EvidenceChunk] = {}
    for data in rows:
        row = Row(Path(source), None, dict(data))
        chunk = evidence_from_row(row)
        put_unique(out, chunk.chunk_id, chunk, row, "chunk_id")
    return out


def load_traces(path: str | Path) -> list[Trace]:
    """All traces of a JSONL file, in file order (several traces may share a case)."""
    return [trace_from_row(row) for row in read_rows(path, "jsonl")]


def _load_keyed(path: str | Path, build: Callable[[Row], T], key: str) -> dict[str, T]:
    """``key`` value -> record from a JSONL file (a duplicate key is an error naming the line)."""
    out: dict[str, T] = {}
    for row in read_rows(path, "jsonl"):
        record = build(row)
        put_unique(out, getattr(record, key), record, row, key)
    return out


def load_gold_cases(path: str | Path) -> dict[str, GoldCase]:
    """case_id -> gold case from a JSONL file (duplicate case ids are an error)."""
    return _load_keyed(path, gold_from_row, "case_id")


def load_evidence(path: str | Path) -> dict[str, EvidenceChunk]:
    """chunk_id -> chunk from a JSONL file (duplicate chunk ids are an error)."""
    return _load_keyed(path, evidence_from_row, "chunk_id")


def apply_variant(trace: Trace, overrides: Mapping[str, Any]) -> Trace:
    """``trace`` with some JSON fields replaced (the seed's ``trace_variants``), re-validated.

    Keys are trace field names as in the JSONL format; an unknown key is a ValueError.
    """
    data = trace.to_dict()
    unknown = sorted(set(overrides) - set(Trace.__dataclass_fields__))
    if unknown:
        raise ValueError(f"unknown trace fields in variant: {unknown}")
    data.update(overrides)
    return parse_trace(data, "<variant>")


def load_external(golden_root: str | Path) -> tuple[list[Trace], dict[str, GoldCase], dict[str, EvidenceChunk]] | None:
    """Traces, gold cases and evidence of another RAG system, when the golden set has all three
    files under ``generation/`` (``traces.jsonl``, ``cases.jsonl``, ``evidence.jsonl``); else None."""
    folder = Path(golden_root) / "generation"
    files = [folder / f"{n}.jsonl" for n in ("traces", "cases", "evidence")]
    if not all(f.is_file() for f in files):
        return None
    return load_traces(files[0]), load_gold_cases(files[1]), load_evidence(files[2])
