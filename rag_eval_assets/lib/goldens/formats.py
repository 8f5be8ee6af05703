"""Loaders for the project's golden-set files (see golden_sets/README.md), with validation.

Each loader named after a golden file takes the golden-set ``root``; ``load_queries`` and
``load_qrels`` take a file path because the BEIR adapter reads the same formats. Every file is
optional: an absent file gives an empty result. A malformed row raises GoldenSetError naming
the file and the 1-based line. Retrieval data comes in ranx/BEIR shapes: queries
``{qid: text}``, qrels ``{qid: {doc_id: grade}}``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.goldens.rows import GoldenSetError, Row, put_unique, read_rows, read_text

DEDUP_LABELS = frozenset({"duplicate", "distinct"})
DEDUP_KINDS = frozenset({"exact", "light_edit", "heavy_edit", "same_topic", "random"})
PII_ENTITY_TYPES = frozenset({
    "PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE",
    "IP_ADDRESS", "STREET_ADDRESS",
})
# required query metadata and its types (doc_class is null for a query without gold documents)
QUERY_METADATA: dict[str, type | tuple[type, ...]] = {
    "answer": str, "intent": str, "doc_class": (str, type(None)),
}
QRELS_COLUMNS = ("query-id", "corpus-id", "score")
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
QUERIES = "retrieval/queries.jsonl"
QRELS_DIR = "retrieval/qrels"
FILTERS = "retrieval/filters.jsonl"


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


@dataclass(frozen=True)
class FilterCase:
    """A metadata-filter predicate for a query (ontology field -> value or list of values)."""

    query_id: str
    predicate: dict[str, Any]
    correct: bool
    correct_predicate: dict[str, Any] | None = None


def _rows(path: Path, fmt: str | None = None, columns: Collection[str] = ()) -> list[Row]:
    """All rows of an optional file (none when absent)."""
    return list(read_rows(path, fmt, columns)) if path.is_file() else []


def _language(row: Row, name: str, value: Any) -> str:
    if not isinstance(value, str) or not _ISO_639_1.match(value):
        raise row.error(f"{name!r}: expected an ISO 639-1 code like 'en', got {value!r:.40}")
    return value


def load_documents(root: str | Path) -> dict[str, DocumentRecord]:
    """documents.jsonl: doc_id -> DocumentRecord; doc_id must equal doc_id_for(path)."""
    out: dict[str, DocumentRecord] = {}
    for row in _rows(Path(root) / DOCUMENTS):
        doc_id, path = row.get("doc_id"), row.get("path")
        if doc_id != doc_id_for(path):
            raise row.error(f"doc_id {doc_id!r} is not doc_id_for({path!r}) = {doc_id_for(path)!r}")
        record = DocumentRecord(doc_id, path, row.get("doc_class"),
                                _language(row, "language", row.get("language")),
                                row.get("family", str, None))
        put_unique(out, doc_id, record, row, "doc_id")
    return out


def _read_txt_dir(folder: Path) -> dict[str, str]:
    return {p.stem: read_text(p) for p in sorted(folder.glob("*.txt")) if p.is_file()}


def load_parse_references(root: str | Path) -> dict[str, str]:
    """parse/<doc_id>.txt: doc_id -> reference text (UTF-8, newlines kept as written)."""
    return _read_txt_dir(Path(root) / PARSE_DIR)


def load_page_references(root: str | Path) -> dict[str, dict[int, str]]:
    """parse/pages/<doc_id>/<page>.txt: doc_id -> {1-based page: text}."""
    out: dict[str, dict[int, str]] = {}
    pages_root = Path(root) / PAGES_DIR
    for folder in sorted(p for p in pages_root.glob("*") if p.is_dir()):
        pages: dict[int, str] = {}
        for name, text in _read_txt_dir(folder).items():
            if not name.isdigit() or int(name) < 1:
                raise GoldenSetError(folder / f"{name}.txt", None,
                                     "page file name must be a 1-based page number")
            pages[int(name)] = text
        out[folder.name] = dict(sorted(pages.items()))
    return out


def load_headings(root: str | Path) -> dict[str, list[Heading]]:
    """headings.jsonl: doc_id -> headings in document order."""
    out: dict[str, list[Heading]] = {}
    for row in _rows(Path(root) / HEADINGS):
        headings = []
        for i, item in enumerate(row.get("headings", list)):
            sub = Row(row.path, row.line, item)
            try:
                headings.append(Heading(sub.integer("level", minimum=1), sub.get("text")))
            except GoldenSetError as exc:
                raise row.error(f"headings[{i}]: {exc.message}") from exc
        put_unique(out, row.get("doc_id"), headings, row, "doc_id")
    return out


def load_tables(root: str | Path) -> dict[str, list[TableRef]]:
    """tables.jsonl: doc_id -> tables ordered by (page, table_index); keys must be unique.

    ``page`` is 1-based, or null for a document without pages (HTML, DOCX, Markdown).
    """
    out: dict[str, list[TableRef]] = {}
    seen: dict[tuple[str, int | None, int], None] = {}
    for row in _rows(Path(root) / TABLES):
        page = None if row.get("page", int, None) is None else row.integer("page", minimum=1)
        table = TableRef(row.get("doc_id"), page, row.integer("table_index", minimum=0), row.get("html"))
        if "<table" not in table.html.lower():
            raise row.error("'html': no <table> element")
        put_unique(seen, (table.doc_id, table.page, table.table_index), None, row, "table")
        out.setdefault(table.doc_id, []).append(table)
    return {k: sorted(v, key=lambda t: (t.page or 0, t.table_index)) for k, v in out.items()}


def _json_str_map(path: Path, check: Any = None) -> dict[str, str]:
    """A JSON object of string -> string (keys unique), each value passed through ``check``."""
    out: dict[str, str] = {}
    for row in _rows(path, "json"):
        if row.key is None:
            raise row.error("expected a JSON object {doc_id: value} at top level")
        if not isinstance(row.data, str):
            raise row.error(f"{row.key!r}: expected a string, got {row.data!r:.40}")
        out[row.key] = check(row, row.key, row.data) if check else row.data
    return out


def load_boilerplate(root: str | Path) -> dict[str, str]:
    """boilerplate.json: doc_id -> reference main text."""
    return _json_str_map(Path(root) / BOILERPLATE)


def load_language_labels(root: str | Path) -> dict[str, str]:
    """language.json: doc_id -> ISO 639-1 code."""
    return _json_str_map(Path(root) / LANGUAGE, _language)


def load_dedup_pairs(root: str | Path) -> list[DedupPair]:
    """dedup/pairs.csv: labelled pairs; an unordered pair may appear only once."""
    out: list[DedupPair] = []
    seen: dict[frozenset[str], None] = {}
    for row in _rows(Path(root) / DEDUP_PAIRS, "csv", ("doc_a", "doc_b", "label")):
        a, b = row.get("doc_a").strip(), row.get("doc_b").strip()
        if not a or not b or a == b:
            raise row.error(f"need two different doc ids, got {a!r} and {b!r}")
        kind = row.get("kind", str, "").strip() or None
        if kind is not None:
            kind = Row(row.path, row.line, {"kind": kind}, text_cells=True).choice("kind", DEDUP_KINDS)
        put_unique(seen, frozenset((a, b)), None, row, "pair")
        out.append(DedupPair(a, b, row.choice("label", DEDUP_LABELS), kind))
    return out


def load_dedup_clusters(root: str | Path) -> dict[str, str]:
    """dedup/clusters.csv: doc_id -> cluster_id."""
    out: dict[str, str] = {}
    for row in _rows(Path(root) / DEDUP_CLUSTERS, "csv", ("doc_id", "cluster_id")):
        doc_id, cluster = row.get("doc_id").strip(), row.get("cluster_id").strip()
        if not doc_id or not cluster:
            raise row.error("empty doc_id or cluster_id")
        put_unique(out, doc_id, cluster, row, "doc_id")
    return out


def load_pii_spans(root: str | Path, texts: Mapping[str, str] | None = None,
                   entity_types: Collection[str] = PII_ENTITY_TYPES) -> dict[str, list[PiiSpan]]:
    """pii.jsonl: doc_id -> spans sorted by start.

    With ``texts`` (the parse references) a span must lie inside its document's text and, when
    the row has ``text``, cover exactly that text; spans of documents absent from ``texts`` are
    an error then.
    """
    out: dict[str, list[PiiSpan]] = {}
    for row in _rows(Path(root) / PII):
        doc_id = row.get("doc_id")
        doc_text = None if texts is None else texts.get(doc_id)
        if texts is not None and doc_text is None:
            raise row.error(f"no parse reference for doc_id {doc_id!r}")
        start, end = row.span("start", "end", None if doc_text is None else len(doc_text))
        span = PiiSpan(start, end, row.choice("entity_type", entity_types), row.get("text", str, None))
        if doc_text is not None and span.text is not None and doc_text[start:end] != span.text:
            raise row.error(f"span text {span.text!r:.40} != reference text {doc_text[start:end]!r:.40}")
        out.setdefault(doc_id, []).append(span)
    return {k: sorted(v, key=lambda s: (s.start, s.end)) for k, v in out.items()}


def load_pii_annotated(root: str | Path, texts: Mapping[str, str] | None = None) -> frozenset[str]:
    """pii_annotated.json: the documents whose PII is *fully* annotated in pii.jsonl.

    Format: a JSON array of doc ids, e.g. ``["4681d749bd65a92b", "9a06143cf9fc1acd"]``; the single
    member ``"*"`` declares every document with a parse reference (``parse/<doc_id>.txt``). A
    declared document with no row in pii.jsonl holds no PII: every redaction in it is false
    (``metrics.pii.pii_false_redaction_rate``). Absent file: no document is declared (precision
    is then only counted on documents with spans, as before). With ``texts`` (the parse
    references) every id must have one; ids must be unique; ``"*"`` needs ``texts``.
    """
    path = Path(root) / PII_ANNOTATED
    rows = _rows(path, "json")
    out: dict[str, None] = {}
    for row in rows:
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


def load_queries(path: str | Path,
                 required_metadata: Mapping[str, type | tuple[type, ...]] = QUERY_METADATA,
                 ) -> tuple[dict[str, str], dict[str, dict[str, Any]]]:
    """BEIR queries.jsonl: ``({qid: text}, {qid: metadata})``; ids unique.

    ``required_metadata`` maps the keys ``metadata`` must hold to their types (ours:
    ``QUERY_METADATA``; pass ``{}`` for a public BEIR set).
    """
    texts: dict[str, str] = {}
    metadata: dict[str, dict[str, Any]] = {}
    for row in _rows(Path(path)):
        qid, meta = row.get("_id"), row.get("metadata", dict, {})
        sub = Row(row.path, row.line, meta)
        for key, kind in required_metadata.items():
            try:
                sub.get(key, kind)
            except GoldenSetError as exc:
                raise row.error(f"metadata: {exc.message}") from exc
        put_unique(texts, qid, row.get("text"), row, "query id")
        metadata[qid] = meta
    return texts, metadata


def load_qrels(path: str | Path) -> dict[str, dict[str, int]]:
    """BEIR qrels TSV (header query-id, corpus-id, score): ``{qid: {doc_id: grade}}``."""
    out: dict[str, dict[str, int]] = {}
    for row in _rows(Path(path), "tsv", QRELS_COLUMNS):
        qid, doc_id = row.get("query-id").strip(), row.get("corpus-id").strip()
        if not qid or not doc_id:
            raise row.error("empty query-id or corpus-id")
        put_unique(out.setdefault(qid, {}), doc_id, row.integer("score"), row, f"judgment for query {qid!r}:")
    return out


def load_all_qrels(root: str | Path) -> dict[str, dict[str, dict[str, int]]]:
    """retrieval/qrels/<split>.tsv: split -> qrels."""
    folder = Path(root) / QRELS_DIR
    return {p.stem: load_qrels(p) for p in sorted(folder.glob("*.tsv"))}


def _predicate(row: Row, name: str, value: Any) -> dict[str, Any]:
    """A predicate: field -> scalar (string/bool/int) or non-empty list of scalars."""
    if not isinstance(value, dict) or not value:
        raise row.error(f"{name!r}: expected a non-empty object field -> value(s)")
    for field_name, wanted in value.items():
        options = wanted if isinstance(wanted, list) else [wanted]
        if not options or not all(isinstance(o, (str, bool, int)) for o in options):
            raise row.error(f"{name!r}.{field_name}: expected a value or a non-empty list of values")
    return value


def load_filters(root: str | Path) -> list[FilterCase]:
    """retrieval/filters.jsonl: filter cases in file order."""
    out = []
    for row in _rows(Path(root) / FILTERS):
        correct_predicate = row.get("correct_predicate", dict, None)
        out.append(FilterCase(
            row.get("query_id"), _predicate(row, "predicate", row.get("predicate", dict)),
            row.get("correct", bool),
            None if correct_predicate is None else _predicate(row, "correct_predicate", correct_predicate),
        ))
    return out
