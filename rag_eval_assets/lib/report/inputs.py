"""What a report is built from: the stored outputs (read through ``Outputs`` only, each file
once) and plain data the caller passes (check results of the refresh, the golden filters and
reference answers, the previous report's figures)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from rag_eval_assets.lib.outputs import CORPUS_KEY, Outputs
from rag_eval_assets.lib.report.checks import CheckOutcome, find, outcomes


@dataclass
class ReportInputs:
    """Plain data from outside the storage root (lib stays Dagster-free).

    ``checks``: the latest evaluation of every check (``CheckOutcome`` or its dict form);
    ``refresh_run_id``: the refresh those evaluations belong to; ``predicates``: golden query ->
    hard filter predicate; ``answers``: golden query -> reference answer text; ``previous``:
    the figures JSON of the previous report (None: first report).
    """

    checks: Sequence[CheckOutcome | Mapping[str, Any]] = ()
    checks_known: bool = True
    refresh_run_id: str | None = None
    run_id: str = ""
    stamp: str = ""
    predicates: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    answers: Mapping[str, str] = field(default_factory=dict)
    previous: Mapping[str, Any] | None = None


class ReportData:
    """The stored outputs of one storage root as the report reads them (cached)."""

    def __init__(self, store: Outputs, inputs: ReportInputs | None = None) -> None:
        self.store = store
        self.inputs = inputs or ReportInputs(checks_known=False)
        self.checks = outcomes(self.inputs.checks)

    def json(self, asset: str, key: str = CORPUS_KEY) -> Any:
        return self._cache(("json", asset, key), lambda: self.store.read_json(asset, key, default=None))

    def rows(self, asset: str, key: str = CORPUS_KEY) -> list[dict[str, Any]]:
        return self._cache(("rows", asset, key), lambda: self.store.read_rows(asset, key, default=[]))

    def _cache(self, key: tuple, read: Any) -> Any:
        cache = self.__dict__.setdefault("_reads", {})
        if key not in cache:
            try:
                cache[key] = read()
            except (OSError, ValueError):
                cache[key] = None if key[0] == "json" else []
        return cache[key]

    def checks_of(self, stage: str) -> list[CheckOutcome]:
        return [c for c in self.checks if c.stage == stage]

    def check(self, key: str) -> CheckOutcome | None:
        return find(self.checks, key)

    @cached_property
    def traces(self) -> dict[str, dict[str, Any]]:
        """case id -> its stored trace (generation_eval/_traces.jsonl)."""
        import json

        try:
            data = self.store.read_bytes("generation_eval", "_traces", "jsonl", default=b"")
        except OSError:
            return {}
        out = {}
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                t = json.loads(line)
                out[str(t.get("case_id"))] = t
        return out

    @cached_property
    def hits(self) -> dict[str, dict[str, list]]:
        return self.json("retrieval_eval", "_hits") or {}

    @cached_property
    def routes(self) -> dict[str, str]:
        """doc_class -> the parser documents are routed to (``*`` = the default), from the parse
        gate's metadata; {} when the refresh's checks are not known."""
        c = self.check("parser_scorecard:routed_parsers_within_thresholds")
        text = str(c.metadata.get("routes", "")) if c else ""
        pairs = [p.split("→", 1) for p in text.split(", ") if "→" in p]
        return {k.strip(): v.strip() for k, v in pairs}

    def routed_parser(self, doc_class: str, parsers: Sequence[str]) -> str | None:
        """The parser ``doc_class`` is routed to; the only parser when there is one."""
        if self.routes:
            return self.routes.get(doc_class, self.routes.get("*"))
        return parsers[0] if len(parsers) == 1 else None
