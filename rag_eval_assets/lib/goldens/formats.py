"""Loaders for the project's golden-set files (see golden_sets/README.md), with validation.

Each loader named after a golden file takes the golden-set ``root``; ``load_queries`` and
``load_qrels`` take a file path because the BEIR adapter reads the same formats. Every file is
optional: an absent file gives an empty result. A malformed row is a GoldenSetError naming the
file and the 1-based line: raised when ``errors`` is None (the default), else appended to the
``errors`` list while the row is skipped and every good row kept (see ``rows``). Duplicates
are errors too (the first occurrence is kept): ids, a (query, doc) judgment with two grades, a
filter case, identical or overlapping PII spans of one document. The retrieval files
(queries, qrels, filters) are read by ``retrieval`` and re-exported here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.goldens.retrieval import (  # noqa: F401 - re-exported: callers import them from here
    FILTERS,
    QRELS_COLUMNS,
    QRELS_DIR,
    QUERIES,
    QUERY_METADATA,
    FilterCase,
    load_all_qrels,
    load_filters,
    load_qrels,
    load_queries,
)
from rag_eval_assets.lib.goldens.rows import (
    Errors,
    GoldenSetError,
    Row,
    put_unique,
    read_rows,
    read_text,
    report_to,
)

DEDUP_LABELS = frozenset({"duplicate", "distinct"})
DEDUP_KINDS = frozenset({"exact", "light_edit", "heavy_edit", "same_topic", "random"})
PII_ENTITY_TYPES = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE",
    "IP_ADDRESS", "STREET_ADDRESS",
})
_ISO_639_1 = re.compile(r"^[a-z]{2}$")

# golden-set relative paths (the README table)
DOCUMENTS = "documents.jsonl"
PARSE_DIR = "parse"
PAGES_DIR = "parse/pages"
HEADINGS = "headings.jsonl"
TABLES = "tables.jsonl"
BOILERPLATE = "boilerplate.json"
LANGUAGE = "language.json"
DEDUP_PAIRS = "dedup/pairs.csv"
DEDUP_CLUSTERS = "dedup/clusters.csv"
PII = "pii.jsonl"
PII_ANNOTATED = "pii_annotated.json"
# QUERIES, QRELS_DIR, FILTERS: see retrieval


@dataclass(frozen=True)
class DocumentRecord:
    """One row of documents.jsonl."""

    doc_id: str
    path: str
    doc_class: str
    language: str
    family: str | None = None


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class TableRef:
    """One reference table: PubTabNet-style HTML on a 1-based page (None: document without pages)."""

    doc_id: str
    page: int | None
    table_index: int
    html: str


@dataclass(frozen=True)
class DedupPair:
    doc_a: str
    doc_b: str
    label: str  # duplicate | distinct
    kind: str | None = None  # exact | light_edit | heavy_edit | same_topic


@dataclass(frozen=True)
class PiiSpan:
    """A character span ``[start, end)`` into ``parse/<doc_id>.txt``."""

    start: int
    end: int
    entity_type: str
    text: str | None = None


def _rows(path: Path, fmt: str | None = None, columns: Collection[str] = (), errors: Errors = None) -> Iterator[Row]:
    """The rows of an optional file (none when absent)."""
    return read_rows(path, fmt, columns, errors) if path.is_file() else iter(())


def _language(row: Row, name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ISO_639_1.match(value):
        raise row.error(f"{name!r}: expected an ISO 639-1 code like 'en', got {value!r:.40}")
    return value


def load_documents(root: str | Path, errors: Errors = None) -> dict[str, DocumentRecord]:
    """documents.jsonl: doc_id -> DocumentRecord; doc_id must equal doc_id_for(path)."""
    out: dict[str, DocumentRecord] = {}
    for row in _rows(Path(root) / DOCUMENTS, errors=errors):
        with report_to(errors):
            doc_id, path = row.get("doc_id"), row.get("path")
            if doc_id != doc_id_for(path):
                raise row.error(f"doc_id {doc_id!r} is not doc_id_for({path!r}) = {doc_id_for(path)!r}")
            record = DocumentRecord(doc_id, path, row.get("doc_class"),
                                    _language(row, "language", row.get("language")),
                                    row.get("family", str, None))
            put_unique(out, doc_id, record, row, "doc_id")
    return out


def _read_txt_dir(folder: Path, errors: Errors) -> dict[str, str]:
    """stem -> text of every ``*.txt`` of ``folder``; an undecodable file is an error (skipped)."""
    out = {}
    for p in sorted(folder.glob("*.txt")):
        if p.is_file():
            with report_to(errors):
                out[p.stem] = read_text(p)
    return out


def load_parse_references(root: str | Path, errors: Errors = None) -> dict[str, str]:
    """parse/<doc_id>.txt: doc_id -> reference text (UTF-8, newlines kept as written)."""
    return _read_txt_dir(Path(root) / PARSE_DIR, errors)


def load_page_references(root: str | Path, errors: Errors = None) -> dict[str, dict[int, str]]:
    """parse/pages/<doc_id>/<page>.txt: doc_id -> {1-based page: text}."""
    out: dict[str, dict[int, str]] = {}
    pages_root = Path(root) / PAGES_DIR
    for folder in sorted(p for p in pages_root.glob("*") if p.is_dir()):
        pages: dict[int, str] = {}
        for name, text in _read_txt_dir(folder, errors).items():
            with report_to(errors):
                if not name.isdigit() or int(name) < 1:
                    raise GoldenSetError(folder / f"{name}.txt", None, "page file name must be a 1-based page number")
                pages[int(name)] = text
        if pages:
            out[folder.name] = dict(sorted(pages.items()))
    return out


def load_headings(root: str | Path, errors: Errors = None) -> dict[str, list[Heading]]:
    """headings.jsonl: doc_id -> headings in document order."""
    out: dict[str, list[Heading]] = {}
    for row in _rows(Path(root) / HEADINGS, errors=errors):
        with report_to(errors):
            headings = []
            for i, item in enumerate(row.get("headings", list)):
                sub = Row(row.path, row.line, item)
                try:
                    headings.append(Heading(sub.integer("level", minimum=1), sub.get("text")))
                except GoldenSetError as exc:
                    raise row.error(f"headings[{i}]: {exc.message}") from exc
            put_unique(out, row.get("doc_id"), headings, row, "doc_id")
    return out


def load_tables(root: str | Path, errors: Errors = None) -> dict[str, list[TableRef]]:
    """tables.jsonl: doc_id -> tables ordered by (page, table_index); keys must be unique.

    ``page`` is 1-based, or null for a document without pages (HTML, DOCX, Markdown).
    """
    out: dict[str, list[TableRef]] = {}
    seen: dict[tuple[str, int | None, int], None] = {}
    for row in _rows(Path(root) / TABLES, errors=errors):
        with report_to(errors):
            page = None if row.get("page", int, None) is None else row.integer("page", minimum=1)
            table = TableRef(row.get("doc_id"), page, row.integer("table_index", minimum=0), row.get("html"))
            if "<table" not in table.html.lower():
                raise row.error("'html': no <table> element")
            put_unique(seen, (table.doc_id, table.page, table.table_index), None, row, "table")
            out.setdefault(table.doc_id, []).append(table)
    return {k: sorted(v, key=lambda t: (t.page or 0, t.table_index)) for k, v in out.items()}


def _json_str_map(path: Path, check: Any, errors: Errors) -> dict[str, str]:
    """A JSON object of string -> string (keys unique), each value passed through ``check``."""
    out: dict[str, str] = {}
    for row in _rows(path, "json", errors=errors):
        with report_to(errors):
            if row.key is None:
                raise row.error("expected a JSON object {doc_id: value} at top level")
            if not isinstance(row.data, str):
                raise row.error(f"{row.key!r}: expected a string, got {row.data!r:.40}")
            out[row.key] = check(row, row.key, row.data) if check else row.data
    return out


def load_boilerplate(root: str | Path, errors: Errors = None) -> dict[str, str]:
    """boilerplate.json: doc_id -> reference main text."""
    return _json_str_map(Path(root) / BOILERPLATE, None, errors)


def load_language_labels(root: str | Path, errors: Errors = None) -> dict[str, str]:
    """language.json: doc_id -> ISO 639-1 code."""
    return _json_str_map(Path(root) / LANGUAGE, _language, errors)


def load_dedup_pairs(root: str | Path, errors: Errors = None) -> list[DedupPair]:
    """dedup/pairs.csv: labelled pairs; an unordered pair may appear only once."""
    out: list[DedupPair] = []
    seen: dict[frozenset[str], None] = {}
    for row in _rows(Path(root) / DEDUP_PAIRS, "csv", ("doc_a", "doc_b", "label"), errors):
        with report_to(errors):
            a, b = row.get("doc_a").strip(), row.get("doc_b").strip()
            if not a or not b or a == b:
                raise row.error(f"need two different doc ids, got {a!r} and {b!r}")
            kind = row.get("kind", str, "").strip() or None
            if kind is not None:
                kind = Row(row.path, row.line, {"kind": kind}, text_cells=True).choice("kind", DEDUP_KINDS)
            pair = DedupPair(a, b, row.choice("label", DEDUP_LABELS), kind)
            put_unique(seen, frozenset((a, b)), None, row, "pair")
            out.append(pair)
    return out


def load_dedup_clusters(root: str | Path, errors: Errors = None) -> dict[str, str]:
    """dedup/clusters.csv: doc_id -> cluster_id."""
    out: dict[str, str] = {}
    for row in _rows(Path(root) / DEDUP_CLUSTERS, "csv", ("doc_id", "cluster_id"), errors):
        with report_to(errors):
            doc_id, cluster = row.get("doc_id").strip(), row.get("cluster_id").strip()
            if not doc_id or not cluster:
                raise row.error("empty doc_id or cluster_id")
            put_unique(out, doc_id, cluster, row, "doc_id")
    return out


def _overlapping(spans: list[tuple[int, int, int]], start: int, end: int) -> tuple[int, int, int] | None:
    """The accepted span (start, end, line) that ``[start, end)`` meets, if any; ``spans`` are
    disjoint and sorted, so only the neighbours of the insertion point can meet it."""
    i = bisect.bisect_left(spans, (start, end, 0))
    for other in spans[max(i - 1, 0):i + 1]:
        if other[0] < end and start < other[1]:
            return other
    return None


def load_pii_spans(root: str | Path, texts: Mapping[str, str] | None = None,
                   entity_types: Collection[str] = PII_ENTITY_TYPES, errors: Errors = None) -> dict[str, list[PiiSpan]]:
    """pii.jsonl: doc_id -> spans sorted by start.

    With ``texts`` (the parse references) a span must lie inside its document's text and, when
    the row has ``text``, cover exactly that text; spans of documents absent from ``texts`` are
    an error then. Spans of one document must be disjoint: an identical span is a duplicate, an
    overlapping one an error (the first in file order is kept).
    """
    out: dict[str, list[PiiSpan]] = {}
    accepted: dict[str, list[tuple[int, int, int]]] = {}
    for row in _rows(Path(root) / PII, errors=errors):
        with report_to(errors):
            doc_id = row.get("doc_id")
            doc_text = None if texts is None else texts.get(doc_id)
            if texts is not None and doc_text is None:
                raise row.error(f"no parse reference for doc_id {doc_id!r}")
            start, end = row.span("start", "end", None if doc_text is None else len(doc_text))
            span = PiiSpan(start, end, row.choice("entity_type", entity_types), row.get("text", str, None))
            if doc_text is not None and span.text is not None and doc_text[start:end] != span.text:
                raise row.error(f"span text {span.text!r:.40} != reference text {doc_text[start:end]!r:.40}")
            other = _overlapping(accepted.setdefault(doc_id, []), start, end)
            if other is not None:
                kept = f"the span of line {other[2]} is kept"
                if other[:2] == (start, end):
                    raise row.error(f"duplicate span [{start}, {end}) of doc_id {doc_id!r} ({kept})")
                raise row.error(f"span [{start}, {end}) overlaps [{other[0]}, {other[1]}) of doc_id {doc_id!r} "
                                f"({kept})")
            bisect.insort(accepted[doc_id], (start, end, row.line or 0))
            out.setdefault(doc_id, []).append(span)
    return {k: sorted(v, key=lambda s: (s.start, s.end)) for k, v in out.items()}


def load_pii_annotated(root: str | Path, texts: Mapping[str, str] | None = None,
                       errors: Errors = None) -> frozenset[str]:
    """pii_annotated.json: the documents whose PII is *fully* annotated in pii.jsonl.

    Format: a JSON array of doc ids, e.g. ``["4681d749bd65a92b", "9a06143cf9fc1acd"]``; the single
    member ``"*"`` declares every document with a parse reference (``parse/<doc_id>.txt``). A
    declared document with no row in pii.jsonl holds no PII: every redaction in it is false
    (``metrics.pii.pii_false_redaction_rate``). Absent file: no document is declared (precision
    is then only counted on documents with spans, as before). With ``texts`` (the parse
    references) every id must have one; ids must be unique; ``"*"`` needs ``texts``.
    """
    rows = list(_rows(Path(root) / PII_ANNOTATED, "json", errors=errors))
    out: dict[str, None] = {}
    for row in rows:
        with report_to(errors):
            if row.key is not None:
                raise row.error('expected a JSON array of doc ids (or ["*"]) at top level')
            if not isinstance(row.data, str) or not row.data.strip():
                raise row.error(f"expected a doc id string, got {row.data!r:.40}")
            if row.data == "*":
                if len(rows) != 1 or texts is None:
                    raise row.error('"*" must be the only member and needs the parse references')
                return frozenset(texts)
            if texts is not None and row.data not in texts:
                raise row.error(f"no parse reference for doc_id {row.data!r}")
            put_unique(out, row.data, None, row, "doc_id")
    return frozenset(out)
