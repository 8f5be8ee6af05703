"""Loaders for the retrieval golden files: BEIR ``queries.jsonl`` and ``qrels/<split>.tsv`` as
published, plus our ``filters.jsonl`` (re-exported by ``formats``; the BEIR adapter and the
BEIR import read the same files).

Shapes (ranx/BEIR): queries ``{qid: text}`` with ``{qid: metadata}`` beside them, qrels
``{qid: {doc_id: grade}}``, filters a list of ``FilterCase``. ``errors`` as in ``rows``: None
raises the first GoldenSetError, a list collects them all while bad rows are skipped.

- ``queries.jsonl``: ``{"_id", "text", "metadata"?}``; ``metadata`` and each of its keys are
  optional (a plain BEIR row ``{"_id": "1", "text": "..."}`` is valid); the keys of
  ``QUERY_METADATA`` are type-checked when present. Consumers read
  ``query_metadata.get(qid, {}).get("answer")`` and treat an absent key as "no reference".
- ``qrels/<split>.tsv``: header ``query-id corpus-id score``; a (query, doc) pair repeated with
  the same grade is accepted once, with another grade it is an error (the first is kept).
- ``filters.jsonl``: a case repeated for the same query and predicate is an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.goldens.rows import (
    Errors,
    GoldenSetError,
    Row,
    put_unique,
    read_rows,
    report_to,
)

QUERIES = "retrieval/queries.jsonl"
QRELS_DIR = "retrieval/qrels"
FILTERS = "retrieval/filters.jsonl"
QRELS_COLUMNS = ("query-id", "corpus-id", "score")
# optional query metadata and its types, checked when present (doc_class is null for a query
# without gold documents)
QUERY_METADATA: dict[str, type | tuple[type, ...]] = {
    "answer": str, "intent": str, "doc_class": (str, type(None)),
}


@dataclass(frozen=True)
class FilterCase:
    """A metadata-filter predicate for a query (ontology field -> value or list of values)."""

    query_id: str
    predicate: dict[str, Any]
    correct: bool
    correct_predicate: dict[str, Any] | None = None
    line: int | None = field(default=None, compare=False)  # 1-based line in filters.jsonl


def load_queries(path: str | Path, metadata_types: Mapping[str, type | tuple[type, ...]] = QUERY_METADATA,
                 errors: Errors = None) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """BEIR queries.jsonl: ``({qid: text}, {qid: metadata})``; ids unique (an integer ``_id``
    is read as its string). ``metadata_types``: keys whose type is checked when present and
    not null (``{}`` checks none: a public BEIR set's metadata has keys of its own)."""
    texts: dict[str, str] = {}
    metadata: dict[str, dict[str, Any]] = {}
    path = Path(path)
    for row in read_rows(path, "jsonl", errors=errors) if path.is_file() else ():
        with report_to(errors):
            qid, text, meta = str(row.get("_id", (str, int))), row.get("text"), row.get("metadata", dict, {})
            sub = Row(row.path, row.line, meta)
            for key, kind in metadata_types.items():
                try:
                    sub.get(key, kind, None)
                except GoldenSetError as exc:
                    raise row.error(f"metadata: {exc.message}") from exc
            put_unique(texts, qid, text, row, "query id")
            metadata[qid] = meta
    return texts, metadata


def load_qrels(path: str | Path, errors: Errors = None) -> dict[str, dict[str, int]]:
    """BEIR qrels TSV (header query-id, corpus-id, score): ``{qid: {doc_id: grade}}``."""
    out: dict[str, dict[str, int]] = {}
    first_line: dict[tuple[str, str], int | None] = {}
    path = Path(path)
    for row in read_rows(path, "tsv", QRELS_COLUMNS, errors) if path.is_file() else ():
        with report_to(errors):
            qid, doc_id = row.get("query-id").strip(), row.get("corpus-id").strip()
            if not qid or not doc_id:
                raise row.error("empty query-id or corpus-id")
            grade = row.integer("score")
            judged = out.setdefault(qid, {})
            if doc_id in judged and judged[doc_id] != grade:
                raise row.error(f"query {qid!r}, doc {doc_id!r}: grade {grade} here but {judged[doc_id]} on line "
                                f"{first_line[qid, doc_id]} (that one is kept)")
            if doc_id not in judged:  # the same judgment repeated is harmless: kept once
                judged[doc_id] = grade
                first_line[qid, doc_id] = row.line
    return out


def load_all_qrels(root: str | Path, errors: Errors = None) -> dict[str, dict[str, dict[str, int]]]:
    """retrieval/qrels/<split>.tsv: split -> qrels."""
    folder = Path(root) / QRELS_DIR
    return {p.stem: load_qrels(p, errors) for p in sorted(folder.glob("*.tsv"))}


def _predicate(row: Row, name: str, value: Any) -> dict[str, Any]:
    """A predicate: field -> scalar (string/bool/int) or non-empty list of scalars."""
    if not isinstance(value, dict) or not value:
        raise row.error(f"{name!r}: expected a non-empty object field -> value(s)")
    for field_name, wanted in value.items():
        options = wanted if isinstance(wanted, list) else [wanted]
        if not options or not all(isinstance(o, (str, bool, int)) for o in options):
            raise row.error(f"{name!r}.{field_name}: expected a value or a non-empty list of values")
    return value


def load_filters(root: str | Path, errors: Errors = None) -> list[FilterCase]:
    """retrieval/filters.jsonl: filter cases in file order, each with its ``line``."""
    out = []
    seen: dict[tuple[str, str], int | None] = {}
    path = Path(root) / FILTERS
    for row in read_rows(path, "jsonl", errors=errors) if path.is_file() else ():
        with report_to(errors):
            correct_predicate = row.get("correct_predicate", dict, None)
            case = FilterCase(
                row.get("query_id"), _predicate(row, "predicate", row.get("predicate", dict)),
                row.get("correct", bool),
                None if correct_predicate is None else _predicate(row, "correct_predicate", correct_predicate),
                row.line)
            key = (case.query_id, json.dumps(case.predicate, sort_keys=True))
            if key in seen:
                raise row.error(f"duplicate filter case: query {case.query_id!r} with this predicate is on line "
                                f"{seen[key]} (that one is kept)")
            seen[key] = row.line
            out.append(case)
    return out
