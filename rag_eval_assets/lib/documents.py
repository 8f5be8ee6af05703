"""The document model shared by all stages, and the corpus layout on disk.

A corpus is a folder of files. Each file is one document whose id is a stable hash of its
corpus-relative POSIX path (so a rename is a delete plus an add, and an edit keeps the id).
Document metadata (tenant, locale, product, doc_class, version, current, permitted) lives in
one sidecar, ``_metadata.jsonl`` at the corpus root, one JSON object per line with a ``path``
key. Files and folders whose name starts with ``_`` or ``.`` are not documents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

METADATA_FILENAME = "_metadata.jsonl"
METADATA_FIELDS = ("tenant", "locale", "product", "doc_class", "version", "current", "permitted")
DOC_ID_LENGTH = 16


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


def iter_corpus_files(root: str | Path) -> Iterator[Path]:
    """Document files under ``root`` in sorted order, skipping ``_``/``.``-prefixed names."""
    root = Path(root)
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(("_", ".")) for part in rel.parts):
            continue
        if path.is_file():
            yield path


def scan_corpus(root: str | Path) -> dict[str, CorpusFile]:
    """Map doc_id -> CorpusFile for every document file under ``root`` (content hashed)."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"corpus root {root} does not exist or is not a folder")
    found: dict[str, CorpusFile] = {}
    for path in iter_corpus_files(root):
        rel = path.relative_to(root).as_posix()
        doc_id = doc_id_for(rel)
        if doc_id in found:  # a 64-bit prefix collision: refuse rather than merge two documents
            raise ValueError(f"doc id collision between {found[doc_id].relpath} and {rel}")
        found[doc_id] = CorpusFile(doc_id, rel, file_hash(path), path.stat().st_size)
    return found


@dataclass
class DocumentMeta:
    """Ontology metadata of one document (see ontology/ontology.yaml)."""

    path: str
    doc_class: str
    tenant: str
    locale: str
    product: str
    version: str
    current: bool
    permitted: bool
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.path)

    def fields(self) -> dict[str, Any]:
        """The ontology fields only (what filter predicates see)."""
        return {k: getattr(self, k) for k in METADATA_FIELDS}

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        if not d["extra"]:
            d.pop("extra")
        return d


class MetadataError(ValueError):
    """A malformed row in the metadata sidecar; the message names file and line."""


def load_metadata(root: str | Path) -> dict[str, DocumentMeta]:
    """Read ``_metadata.jsonl`` under the corpus root: doc_id -> DocumentMeta.

    A missing sidecar gives an empty mapping (documents then have no ontology metadata).
    A malformed line raises MetadataError naming the file and the 1-based line.
    """
    path = Path(root) / METADATA_FILENAME
    if not path.exists():
        return {}
    out: dict[str, DocumentMeta] = {}
    known = set(METADATA_FIELDS) | {"path", "title"}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("not a JSON object")
                missing = [k for k in ("path", *METADATA_FIELDS) if k not in row]
                if missing:
                    raise ValueError(f"missing keys {missing}")
                meta = DocumentMeta(
                    **{k: row[k] for k in known if k in row},
                    extra={k: v for k, v in row.items() if k not in known},
                )
            except (ValueError, TypeError) as exc:
                raise MetadataError(f"{path}:{lineno}: {exc}") from exc
            out[meta.doc_id] = meta
    return out


# --- parsed documents (output of every parser, input of every later stage) -------------------

BLOCK_KINDS = ("heading", "paragraph", "list_item", "table", "caption", "other")
FAILURE_KINDS = ("encrypted", "corrupt", "empty", "unsupported", "timeout", "missing_dependency", "error")


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
