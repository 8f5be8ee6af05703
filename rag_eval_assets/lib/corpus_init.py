"""``rag-eval init DIR``: a starter ``_metadata.jsonl`` and ontology for a folder of files.

For each document as the corpus scanner sees it (``documents.walk_corpus``: names starting
with ``_`` or ``.`` are not documents, so the two files written here are not either) one row:

- ``path``: the corpus-relative POSIX path;
- ``doc_class``: the first folder name and the extension, lower-cased, non-word characters as
  ``_`` (``Reports/2024/q1.PDF`` -> ``reports_pdf``; a file at the top: the extension alone);
- ``title``: the HTML ``<title>``, the PDF's metadata title, the first Markdown heading, else
  the file name without extension;
- ``language``: ``cleaning.detect_language`` (every lingua language) over the first text that
  is cheap to read: up to ``TEXT_BYTES`` of a text, Markdown or HTML file (decoded like the
  parsers decode it), the first ``PDF_PAGES`` pages of a PDF (pymupdf ``get_text``). Other
  formats (DOCX, images), unreadable files and texts without letters get no ``language``.

and ``_ontology.yaml`` matching the rows: ``doc_class`` required, with the classes found as flat
``values``; ``language`` optional, with the codes found (absent when none was). Both are
starting points to edit; existing files are only replaced with ``force``.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections import Counter
from pathlib import Path

import yaml

from rag_eval_assets.lib.documents import METADATA_FILENAME, walk_corpus

ONTOLOGY_FILENAME = "_ontology.yaml"
TEXT_BYTES = 256 * 1024  # a document's language does not need more
PDF_PAGES = 3
LANGUAGE_CHARS = 5000
_NON_WORD = re.compile(r"\W+")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def doc_class_for(relpath: str) -> str:
    """``<first folder>_<extension>`` (the extension alone for a top-level file), as a slug."""
    parts = Path(relpath).parts
    ext = Path(relpath).suffix.lstrip(".") or "noext"
    raw = f"{parts[0]}_{ext}" if len(parts) > 1 else ext
    return _NON_WORD.sub("_", raw.casefold()).strip("_") or "document"


def _head(path: Path) -> bytes:
    """The first ``TEXT_BYTES`` of a file, cut at the last newline when the file is longer."""
    with open(path, "rb") as fh:
        data = fh.read(TEXT_BYTES + 1)
    if len(data) > TEXT_BYTES:
        data = data[:TEXT_BYTES]
        data = data[:data.rfind(b"\n") + 1] or data
    return data


def _html(text: str) -> tuple[str, str]:
    import lxml.html

    root = lxml.html.fromstring(_XML_DECLARATION.sub("", text, count=1) or "<html/>")
    title = root.findtext(".//title") or ""
    for el in root.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    return title, root.text_content()


def _pdf(path: Path) -> tuple[str, str]:
    import pymupdf

    with pymupdf.open(path, filetype="pdf") as doc:
        title = (doc.metadata or {}).get("title") or ""
        if doc.needs_pass:
            return title, ""
        return title, "\n".join(doc[i].get_text() for i in range(min(PDF_PAGES, doc.page_count)))


def read_title_and_text(path: Path) -> tuple[str, str]:
    """(title or "", first text or "") of a document, by format; ("", "") when unreadable."""
    from rag_eval_assets.lib.parsers.base import decode_html, decode_text, detect_format

    try:
        fmt = detect_format(path)
        if fmt in ("txt", "md"):
            text = decode_text(_head(path))
            heading = _MD_HEADING.search(text) if fmt == "md" else None
            return (heading.group(1) if heading else ""), text
        if fmt == "html":
            return _html(decode_html(_head(path)))
        if fmt == "pdf":
            return _pdf(path)
    except Exception:  # noqa: BLE001 - a starter file: an unreadable document keeps its name, no language
        return "", ""
    return "", ""


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    os.replace(tmp, path)


def init_corpus(folder: str | Path, force: bool = False) -> str:
    """Write ``<folder>/_metadata.jsonl`` and ``<folder>/_ontology.yaml`` (see the module doc);
    refuse (ValueError naming the file) to replace either without ``force``. Returns a summary
    with the next commands."""
    from rag_eval_assets.lib.cleaning import detect_language

    root = Path(folder).resolve()
    if not root.is_dir():
        raise ValueError(f"{root} is not a folder")
    meta_path, ontology_path = root / METADATA_FILENAME, root / ONTOLOGY_FILENAME
    for target in (meta_path, ontology_path):
        if target.exists() and not force:
            raise ValueError(f"{target} exists: edit it, or pass --force to replace it")
    files, rejected = walk_corpus(root)
    if not files:
        raise ValueError(f"{root} holds no document files (names starting with _ or . are not documents)")
    rows, classes, languages, unread = [], Counter(), Counter(), 0
    for path in files:
        rel = path.relative_to(root).as_posix()
        title, text = read_title_and_text(path)
        unread += not text.strip()
        row = {"path": rel, "title": " ".join(title.split())[:200] or path.stem, "doc_class": doc_class_for(rel)}
        language = detect_language(text[:LANGUAGE_CHARS]) if text.strip() else None
        if language:
            row["language"] = language
            languages[language] += 1
        classes[row["doc_class"]] += 1
        rows.append(row)
    ontology = {"doc_class": {
        "required": True,
        "description": "Kind of document (rag-eval init: first folder + extension). Rename, merge or nest "
                       "the classes as a `tree:`; keep each row's doc_class among them.",
        "values": sorted(classes)}}
    if languages:
        ontology["language"] = {"required": False,
                                "description": "ISO 639-1 code detected from the first text (rag-eval init).",
                                "values": sorted(languages)}
    _write(meta_path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    _write(ontology_path, f"# starter ontology written by rag-eval init for {root.name}: edit it\n"
           + yaml.safe_dump(ontology, sort_keys=False, allow_unicode=True, width=100))
    return _summary(root, meta_path, ontology_path, len(rows), classes, languages, unread, rejected)


def _summary(root: Path, meta_path: Path, ontology_path: Path, n: int, classes: Counter, languages: Counter,
             unread: int, rejected: list[str]) -> str:
    def counts(c: Counter) -> str:
        return ", ".join(f"{k} ({v})" for k, v in sorted(c.items()))

    lines = [f"wrote {meta_path}: {n} document{'s' * (n != 1)}", f"  doc_class: {counts(classes)}",
             f"  language: {counts(languages) or 'none detected'}"]
    if unread:
        lines.append(f"  {unread} documents without cheaply readable text (DOCX, images, empty or unreadable "
                     "files): title = file name, no language")
    lines += [f"  not documents: {r}" for r in rejected]
    lines += [f"wrote {ontology_path}: doc_class (required)" + (", language (optional)" if languages else ""),
              "next:",
              "  1. edit both files: rename or merge classes (a row's doc_class must be one of the ontology's),",
              "     add the fields you filter on (tenant, locale, ...), check titles and languages",
              "  2. set the corpus, its ontology and a golden-set folder (your references, or an empty folder:",
              "     left unset, RAG_EVAL_GOLDEN_ROOT is the sample's golden set):",
              f"     export RAG_EVAL_CORPUS_ROOT={shlex.quote(str(root))}",
              f"     export RAG_EVAL_ONTOLOGY={shlex.quote(str(ontology_path))}",
              "     export RAG_EVAL_GOLDEN_ROOT=/path/to/golden",
              "  3. rag-eval run --dry-run    (what would run, per document; writes nothing)",
              "  4. rag-eval run              (runs every stage, then prints where the report is)",
              "  see docs/walkthrough.md"]
    return "\n".join(lines)
