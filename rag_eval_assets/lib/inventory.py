"""Per-document records (what a file is) and the corpus inventory built from them."""

from __future__ import annotations

import mimetypes
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import DocumentMeta, file_hash
from rag_eval_assets.lib.ontology import Ontology

PAGED_SUFFIXES = {".pdf"}


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


def document_record(doc_id: str, relpath: str, path: Path, meta: DocumentMeta | None,
                    ontology: Ontology) -> dict[str, Any]:
    """One row describing a document file and the validity of its ontology metadata."""
    errors = ["no metadata row in _metadata.jsonl"] if meta is None else ontology.validate_metadata(meta.fields())
    fields = meta.fields() if meta else {}
    return {
        "doc_id": doc_id,
        "path": relpath,
        "sha256": file_hash(path),
        "size_bytes": path.stat().st_size,
        "suffix": path.suffix.lower(),
        "mime": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "pages": page_count(path),
        "title": meta.title if meta else "",
        "doc_class": str(fields.get("doc_class", "unknown")),
        "tenant": str(fields.get("tenant", "")),
        "locale": str(fields.get("locale", "")),
        "product": str(fields.get("product", "")),
        "version": str(fields.get("version", "")),
        "current": bool(fields.get("current", False)),
        "permitted": bool(fields.get("permitted", False)),
        "metadata_errors": list(errors),
    }


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
