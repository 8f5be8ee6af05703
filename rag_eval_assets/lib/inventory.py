"""Per-document records (what a file is, and whether its metadata is valid) and the corpus
inventory built from them."""

from __future__ import annotations

import mimetypes
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.cleaning.paths import mask_path
from rag_eval_assets.lib.documents import DEFAULT_DOC_CLASS, DocumentMeta
from rag_eval_assets.lib.ontology import Ontology

PAGED_SUFFIXES = {".pdf"}
RECORD_COLUMNS = ("doc_id", "path", "display_path", "sha256", "size_bytes", "suffix", "mime", "pages", "title",
                  "doc_class", "metadata_line", "metadata_errors")


def page_count(path: Path) -> int | None:
    """Pages of a PDF (None for unpaged formats or an unreadable PDF)."""
    if path.suffix.lower() not in PAGED_SUFFIXES:
        return None
    import pymupdf

    try:
        with pymupdf.open(path) as doc:
            return doc.page_count
    except Exception:  # a damaged PDF is the parse stage's typed failure, not ours
        return None


def metadata_errors(meta: DocumentMeta | None, problem: str | None, ontology: Ontology) -> list[str]:
    """Why a document's metadata is unusable ([] when valid): no row, a bad line, or values
    the ontology does not allow (each naming the sidecar line)."""
    if meta is None:
        return [problem or "no metadata row"]
    return [f"_metadata.jsonl:{meta.line}: {e}" for e in ontology.validate_metadata(meta.fields)]


def document_record(doc_id: str, relpath: str, path: Path, sha256: str, meta: DocumentMeta | None,
                    ontology: Ontology, problem: str | None = None) -> dict[str, Any]:
    """One row describing a document file, its ontology fields and its metadata errors.
    ``display_path`` is the path with identifiers masked: the only form shown in Dagster
    metadata, logs and the report."""
    values = ontology.field_values(meta.fields) if meta else {}
    return {
        "doc_id": doc_id,
        "path": relpath,
        "display_path": mask_path(relpath),
        "sha256": sha256,
        "size_bytes": path.stat().st_size,
        "suffix": path.suffix.lower(),
        "mime": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "pages": page_count(path),
        "title": meta.title if meta else "",
        "doc_class": str(values.get("doc_class") or DEFAULT_DOC_CLASS),
        "metadata_line": meta.line if meta else None,
        "metadata_errors": metadata_errors(meta, problem, ontology),
        "fields": values,
    }


def manifest_row(record: Mapping[str, Any], ontology: Ontology) -> dict[str, Any]:
    """A record flattened for the manifest table: one column per ontology field."""
    row = {k: record.get(k) for k in RECORD_COLUMNS}
    fields = record.get("fields") or {}
    row.update({name: fields.get(name) for name in ontology.fields if name != "doc_class"})
    return row


def class_summary(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per doc_class: documents, bytes, pages and documents with invalid metadata."""
    docs: Counter[str] = Counter()
    size: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    invalid: Counter[str] = Counter()
    for r in records:
        c = r["doc_class"]
        docs[c] += 1
        size[c] += r["size_bytes"]
        pages[c] += r["pages"] or 0
        invalid[c] += bool(r["metadata_errors"])
    return [{"doc_class": c, "documents": docs[c], "bytes": size[c], "pages": pages[c],
             "invalid_metadata": invalid[c]} for c in sorted(docs)]
