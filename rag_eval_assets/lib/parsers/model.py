"""The parser model: what a parser receives (``Source``), returns (``ParserOutput``) and raises
(``ParseError`` with a failure kind), and the ``Parser`` protocol every parser follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rag_eval_assets.lib.documents import Block

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
        """(textless pages: no visible text layer but something drawn -> OCR them, blank pages:
        no text and nothing drawn), 1-based. Computed once. A page whose only text is invisible
        (render mode 3, the layer OCR software puts under a scan) counts as textless: what the
        page shows is the image, and that layer may be wrong."""
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
                page = self.doc[i]
                if len("".join(text.split())) >= MIN_TEXT_CHARS and not _only_invisible_text(page):
                    continue
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


def _only_invisible_text(page: Any) -> bool:
    """True when every text span of the page is drawn invisibly (render mode 3) over an image."""
    try:
        if not page.get_images():
            return False
        modes = {span.get("type") for span in page.get_texttrace()}
    except Exception:  # noqa: BLE001 - an odd page keeps its text layer
        return False
    return modes == {3}
