"""Check results as plain data for the report (the Dagster side reads them from the instance).

Every check of this project stores ``value``, ``limit``, ``n``, ``severity`` and maybe
``reason`` in its metadata (``defs/_checks.py``); ``CheckOutcome.from_dict`` takes that record
plus where it came from. A check of the refresh that was planned but never ran (a blocking gate
stopped the run before it) has ``passed`` None: it is "not evaluated", which is not a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Pipeline stages in reading order, and which assets belong to each.
STAGES = ("corpus", "parse", "clean", "dedup", "chunk", "embed", "index", "retrieval", "filters", "generation", "report")
STAGE_TITLES = {"corpus": "Corpus", "parse": "Parse", "clean": "Clean", "dedup": "Dedup", "chunk": "Chunk",
                "embed": "Embed", "index": "Index", "retrieval": "Retrieval", "filters": "Filters",
                "generation": "Generation", "report": "Report"}
_ASSET_STAGE = {
    "raw_documents": "corpus", "corpus_manifest": "corpus", "golden_sets": "corpus", "golden_files": "corpus",
    "document_records": "corpus", "parsed_documents": "parse", "parser_scorecard": "parse",
    "cleaned_documents": "clean", "clean_scorecard": "clean", "near_duplicates": "dedup",
    "dedup_threshold_sweep": "dedup", "chunks": "chunk", "chunk_size_sweep": "chunk", "embeddings": "embed",
    "vector_index": "index", "index_sweep": "index", "sparse_index": "index", "retrieval_eval": "retrieval",
    "filter_eval": "filters", "generation_eval": "generation", "rag_eval_report": "report"}


def stage_of(asset: str) -> str:
    """The pipeline stage an asset belongs to (``parsed_<parser>`` → parse)."""
    if asset.startswith("parsed_"):
        return "parse"
    return _ASSET_STAGE.get(asset, "corpus")


@dataclass(frozen=True)
class CheckOutcome:
    """The latest evaluation of one check. ``passed`` None = planned in the refresh but not run;
    ``stale`` = the evaluation comes from an earlier run than the refresh the report covers."""

    asset: str
    name: str
    passed: bool | None
    severity: str = "ERROR"
    value: Any = None
    limit: str = "n/a"
    n: str = ""
    reason: str = ""
    run_id: str = ""
    stale: bool = False
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.asset}:{self.name}"

    @property
    def stage(self) -> str:
        return stage_of(self.asset)

    @property
    def failing(self) -> bool:
        """Failed, or not evaluated in the refresh (a gate that did not run did not pass)."""
        return self.passed is not True

    @property
    def status(self) -> str:
        if self.passed is None:
            return "not evaluated"
        if self.passed:
            return "pass"
        return "FAIL" if self.severity == "ERROR" else "warn"

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CheckOutcome:
        """From ``{"asset", "name", "passed", "severity", "metadata": {...}, "run_id", "stale"}``
        (the metadata entries as plain values)."""
        meta = dict(d.get("metadata") or {})
        value = meta.get("value")
        if isinstance(value, str) and value == "n/a":
            value = None
        limit = str(meta.get("limit", "n/a"))
        if isinstance(value, float) and value.is_integer() and "." not in limit:
            value = int(value)  # a count judged against a count limit ("≤ 0"): 248, not 248.000
        severity = str(d.get("severity") or meta.get("severity") or "ERROR").upper()
        declared = str(meta.get("severity") or severity).upper()
        return cls(asset=str(d["asset"]), name=str(d["name"]), passed=d.get("passed"),
                   severity=severity if d.get("passed") is not None else declared, value=value,
                   limit=limit, n=str(meta.get("n", "")), reason=str(meta.get("reason", "")),
                   run_id=str(d.get("run_id") or ""), stale=bool(d.get("stale")), metadata=meta)

    def hint(self, limit: int = 140) -> str:
        """Why, in one line: the reason, else the check's own short text entries (e.g. the
        excluded queries, the blocking slices), for a check that did not pass."""
        if self.reason:
            return self.reason[:limit]
        if self.passed is None:
            return "the refresh stopped before this check ran"
        if self.passed:
            return ""
        if self.metadata.get("why"):
            return str(self.metadata["why"])[:limit]
        extras = [f"{k.replace('_', ' ')}: {v}" for k, v in self.metadata.items()
                  if k not in ("value", "limit", "n", "severity", "reason") and isinstance(v, (str, int, float))
                  and "\n" not in str(v) and str(v) not in ("none", "")]
        text = "; ".join(extras)
        return text if len(text) <= limit else text[: limit - 1] + "…"

    def row(self) -> dict[str, Any]:
        why = self.hint()
        if self.stale:
            why = (why + "; " if why else "") + f"from an earlier run ({self.run_id[:8]})"
        return {"stage": STAGE_TITLES.get(self.stage, self.stage), "check": self.key, "status": self.status,
                "severity": self.severity, "value": self.value, "limit": self.limit, "n": self.n, "why": why,
                "_html_status": f"<span class='{status_class(self)}'>{self.status}</span>"}


def status_class(c: CheckOutcome) -> str:
    if c.passed is None:
        return "st-fail" if c.severity == "ERROR" else "st-na"
    if c.passed:
        return "st-pass"
    return "st-fail" if c.severity == "ERROR" else "st-warn"


def outcomes(records: Iterable[Mapping[str, Any] | CheckOutcome]) -> list[CheckOutcome]:
    """CheckOutcomes in pipeline order (stage, then asset, then name)."""
    out = [r if isinstance(r, CheckOutcome) else CheckOutcome.from_dict(r) for r in records]
    return sorted(out, key=lambda c: (STAGES.index(c.stage), c.asset, c.name))


def find(checks: Iterable[CheckOutcome], key: str) -> CheckOutcome | None:
    return next((c for c in checks if c.key == key), None)


def value_of(checks: Iterable[CheckOutcome], key: str) -> float | None:
    c = find(checks, key)
    return float(c.value) if c is not None and isinstance(c.value, (int, float)) else None
