"""What an input file is before any parser sees it: its format (extension, then magic bytes),
its text (BOM, declared charset, UTF-8, detected legacy encoding; garbage is ``corrupt``), and
whether a PDF or DOCX container is whole (encrypted, truncated and junk files are typed failures)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from rag_eval_assets.lib.parsers.model import ParseError, PdfInfo

_EXTENSIONS = {
    ".pdf": "pdf", ".html": "html", ".htm": "html", ".xhtml": "html", ".docx": "docx",
    ".md": "md", ".markdown": "md", ".txt": "txt", ".text": "txt",
    **{e: "image" for e in (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pnm")},
}


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


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
