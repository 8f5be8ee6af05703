"""The document model shared by all stages, and the corpus layout on disk.

A corpus is a folder of files. Each file is one document whose id is a stable hash of its
corpus-relative POSIX path (so a rename is a delete plus an add, and an edit keeps the id).
Document metadata lives in one sidecar, ``_metadata.jsonl`` at the corpus root: one JSON
object per line with a ``path`` key, an optional ``title``, and the ontology's fields (the
ontology is the schema: its ``required`` fields must be present, the others may be absent).
Files and folders whose name starts with ``_`` or ``.`` are not documents; symbolic links that
point outside the corpus root are never followed (they are listed as rejected).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rag_eval_assets.lib import statcache

METADATA_FILENAME = "_metadata.jsonl"
DOC_ID_LENGTH = 16
DEFAULT_DOC_CLASS = "unknown"


@lru_cache(maxsize=1 << 18)
def doc_id_for(relpath: str) -> str:
    """Stable document id: first 16 hex digits of sha1 over the corpus-relative POSIX path."""
    norm = Path(relpath).as_posix().lstrip("./")
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:DOC_ID_LENGTH]


def content_hash(data: bytes) -> str:
    """sha256 hex digest of a document's bytes: its data version."""
    return hashlib.sha256(data).hexdigest()


def file_hash(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """sha256 of a file, streamed."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk_size):
            h.update(block)
    return h.hexdigest()


@dataclass(frozen=True)
class CorpusFile:
    """One document file found in the corpus."""

    doc_id: str
    relpath: str
    sha256: str
    size: int
    mtime_ns: int = 0


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def _walk(root: Path) -> tuple[list[tuple[str, str, os.stat_result]], list[str]]:
    """(relpath, path, stat) of every document file under ``root`` sorted by relpath, and the
    rejected entries; one ``os.scandir`` per folder and one ``stat`` per file."""
    real_root = root.resolve()
    files: list[tuple[str, str, os.stat_result]] = []
    rejected: list[str] = []
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if e.name.startswith(("_", ".")):
                continue
            rel = prefix + e.name
            if e.is_symlink():
                inside = _inside(Path(e.path), real_root)
                if e.is_dir():
                    rejected.append(f"{rel} (symbolic link to a folder: not followed)" if inside
                                    else f"{rel} (symbolic link outside the corpus root)")
                    continue
                if not inside:
                    rejected.append(f"{rel} (symbolic link outside the corpus root)")
                    continue
            if e.is_dir(follow_symlinks=False):
                stack.append((e.path, rel + "/"))
            elif e.is_file():
                files.append((rel, e.path, e.stat()))
    files.sort(key=lambda f: f[0])
    return files, sorted(rejected)


def walk_corpus(root: str | Path) -> tuple[list[Path], list[str]]:
    """(document files under ``root`` in sorted order, rejected relative paths). Names starting
    with ``_`` or ``.`` are skipped; a symbolic link (file or folder) resolving outside the
    root is rejected, never followed."""
    files, rejected = _walk(Path(root))
    return [Path(p) for _, p, _ in files], rejected


def iter_corpus_files(root: str | Path) -> Iterator[Path]:
    """Document files under ``root`` in sorted order (see ``walk_corpus``)."""
    yield from walk_corpus(root)[0]


@dataclass
class CorpusScan:
    """A scan of the corpus folder: the documents, rejected entries and how many files were hashed."""

    files: dict[str, CorpusFile]
    rejected: list[str] = field(default_factory=list)
    hashed: int = 0


def scan_corpus_files(root: str | Path, known: Mapping[str, CorpusFile] | None = None) -> CorpusScan:
    """Every document with its content hash. With ``known`` (a previous scan), a file whose
    size and modification time are unchanged keeps its known hash: only changed files are read."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus root {root} does not exist or is not a folder")
    files, rejected = _walk(root)
    found: dict[str, CorpusFile] = {}
    hashed = 0
    for rel, path, st in files:
        doc_id = doc_id_for(rel)
        if doc_id in found:  # a 64-bit prefix collision: refuse rather than merge two documents
            raise ValueError(f"doc id collision between {found[doc_id].relpath} and {rel}")
        prev = (known or {}).get(doc_id)
        if prev is not None and prev.relpath == rel and prev.size == st.st_size and prev.mtime_ns == st.st_mtime_ns:
            found[doc_id] = prev
            continue
        found[doc_id] = CorpusFile(doc_id, rel, file_hash(path), st.st_size, st.st_mtime_ns)
        hashed += 1
    return CorpusScan(found, rejected, hashed)


def scan_corpus(root: str | Path) -> dict[str, CorpusFile]:
    """Map doc_id -> CorpusFile for every document file under ``root`` (content hashed)."""
    return scan_corpus_files(root).files


@dataclass
class DocumentMeta:
    """One row of ``_metadata.jsonl``: path, title and the ontology fields it carries."""

    path: str
    fields: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)  # keys that are not ontology fields
    line: int = 0  # 1-based line in the sidecar

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.path)

    @property
    def doc_class(self) -> str:
        return str(self.fields.get("doc_class") or DEFAULT_DOC_CLASS)

    def __getattr__(self, name: str) -> Any:  # meta.locale, meta.tenant, ...: the field's value
        fields = self.__dict__.get("fields", {})
        if name in fields:
            return fields[name]
        raise AttributeError(name)

    def row(self) -> dict[str, Any]:
        """The row as written in the sidecar (what the records' version digests)."""
        return {"path": self.path, **({"title": self.title} if self.title else {}), **self.fields, **self.extra}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class MetadataError(ValueError):
    """A malformed row in the metadata sidecar; the message names file and line."""


@dataclass
class MetadataTable:
    """The sidecar read row by row: good rows by document, and one error per bad line."""

    rows: dict[str, DocumentMeta] = field(default_factory=dict)
    errors: list[MetadataError] = field(default_factory=list)
    path: str = ""
    #: doc_id -> error of a line that names the document but could not be used
    bad_rows: dict[str, str] = field(default_factory=dict)

    def get(self, doc_id: str) -> DocumentMeta | None:
        return self.rows.get(doc_id)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.rows

    def __getitem__(self, doc_id: str) -> DocumentMeta:
        return self.rows[doc_id]

    def __iter__(self):  # noqa: ANN204
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def keys(self):  # noqa: ANN201
        return self.rows.keys()

    def items(self):  # noqa: ANN201
        return self.rows.items()

    def values(self):  # noqa: ANN201
        return self.rows.values()

    def problem(self, doc_id: str) -> str | None:
        """Why a document has no usable metadata row, or None when it has one."""
        if doc_id in self.rows:
            return None
        return self.bad_rows.get(doc_id, f"{METADATA_FILENAME}: no row for this document")


_PATH_IN_LINE = re.compile(r'"path"\s*:\s*"((?:[^"\\]|\\.)*)"')


def read_metadata(root: str | Path, ontology_fields: Mapping[str, Any] | None = None) -> MetadataTable:
    """Read ``_metadata.jsonl``: every good row kept, every bad line reported with file and line.

    A bad line (not JSON, no ``path``, a duplicated path) costs only the document it names:
    when the line still names a path, that document is listed with the error. Ontology
    validation of the values is the record stage's job (``lib.inventory``); here
    ``ontology_fields`` only decides which keys are fields and which are ``extra``.
    A missing sidecar gives an empty table (every document then lacks metadata).
    """
    path = Path(root) / METADATA_FILENAME
    if not path.exists():
        return MetadataTable(path=str(path))
    field_names = frozenset(ontology_fields) if ontology_fields is not None else None
    # an unchanged sidecar is parsed once per process (the sensor reads it every tick)
    return statcache.cached(path, ("metadata", field_names), lambda: _read_metadata(path, field_names))


def _read_metadata(path: Path, field_names: frozenset[str] | None) -> MetadataTable:
    table = MetadataTable(path=str(path))
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            named = _PATH_IN_LINE.search(line)
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
                rel = row.get("path")
                if not isinstance(rel, str) or not rel.strip():
                    raise ValueError("no 'path' string")
                title = row.get("title", "")
                if not isinstance(title, str):
                    raise ValueError("'title' must be a string")
                rest = {k: v for k, v in row.items() if k not in ("path", "title")}
                if field_names is None:
                    fields, extra = rest, {}
                else:
                    fields = {k: v for k, v in rest.items() if k in field_names}
                    extra = {k: v for k, v in rest.items() if k not in field_names}
                meta = DocumentMeta(rel, fields, title, extra, lineno)
                if meta.doc_id in table.rows:
                    first = table.rows.pop(meta.doc_id).line
                    raise ValueError(f"path {rel!r} also on line {first}: neither row is used")
                if meta.doc_id in table.bad_rows:
                    raise ValueError(f"path {rel!r} appears on an earlier bad line")
            except (ValueError, TypeError) as exc:
                err = MetadataError(f"{path}:{lineno}: {exc}")
                table.errors.append(err)
                if named:
                    try:
                        rel = json.loads(f'"{named.group(1)}"')
                    except ValueError:
                        rel = named.group(1)
                    table.bad_rows[doc_id_for(rel)] = f"{METADATA_FILENAME}:{lineno}: {exc}"
                continue
            table.rows[meta.doc_id] = meta
    return table


def load_metadata(root: str | Path) -> MetadataTable:
    """``read_metadata`` with every key but path/title taken as a field (no ontology)."""
    return read_metadata(root)


# --- parsed documents (output of every parser, input of every later stage) -------------------

BLOCK_KINDS = ("heading", "paragraph", "list_item", "table", "caption", "other")
FAILURE_KINDS = ("encrypted", "corrupt", "empty", "unsupported", "too_large", "timeout", "missing_dependency", "error")
#: Failure kinds that are retried by the next run (not a property of the input).
RETRYABLE_KINDS = frozenset({"timeout", "error"})


@dataclass
class Block:
    """One typed block of a parsed document, in reading order."""

    kind: str
    text: str
    page: int | None = None
    section_path: list[str] = field(default_factory=list)
    level: int | None = None  # heading level (1 = top)
    html: str | None = None  # tables: PubTabNet-style HTML

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"block kind {self.kind!r} not in {BLOCK_KINDS}")


@dataclass
class ParseFailure:
    """Why a document could not be parsed; ``kind`` is one of FAILURE_KINDS."""

    kind: str
    message: str

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"failure kind {self.kind!r} not in {FAILURE_KINDS}")


@dataclass
class ParsedDocument:
    """A parser's output for one document: text in reading order, typed blocks, tables as
    HTML, or a typed ``failure`` (then text and blocks are empty)."""

    parser: str
    parser_version: str = ""
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    pages: int | None = None
    ocr_pages: list[int] = field(default_factory=list)
    seconds: float = 0.0
    failure: ParseFailure | None = None
    source: str = ""  # path or doc id the document came from

    @property
    def ok(self) -> bool:
        return self.failure is None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "ParsedDocument":
        d = dict(d)
        d["blocks"] = [Block(**b) for b in d.get("blocks") or []]
        d["failure"] = ParseFailure(**d["failure"]) if d.get("failure") else None
        return cls(**d)
