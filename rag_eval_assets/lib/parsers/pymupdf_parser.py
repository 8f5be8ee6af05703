"""PyMuPDF parsers: ``pymupdf`` (text layer + font heuristics) and ``pymupdf4llm`` (its offline
ONNX layout/table models, Markdown with HTML tables).

``pymupdf``: one TextPage per page gives both the raw ``get_text`` string (the document text) and
the span dictionary; a block is a heading when its largest span is clearly bigger than the body
font (or bold at body size and short), levels by descending size; bulleted lines are list items.
It finds no tables (``Page.find_tables`` is slow and ``Table.extract`` garbles decimals).

``pymupdf4llm``: ``to_markdown(page_chunks=True, table_output="html", use_ocr=False)``, parsed
per page by ``structure.markdown_blocks``. Option ``use_layout`` (default True) selects the
layout model (~2 pages/s); ``use_layout=False`` is its rule-based path (~7 pages/s on 2 cores).
Neither OCRs: pages without a text layer are routed to tesseract by the shared loop.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib.metadata import version as _dist_version
from typing import Any

from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.parsers import structure
from rag_eval_assets.lib.parsers.model import ParserOutput, Source

_BULLET_ONLY = re.compile(r"^\s*[•●○◦▪▫■□‣⁃∙·\-–—*]\s*$")
HEADING_SIZE_RATIO = 1.15  # a span this much larger than the body font marks a heading
MAX_HEADING_CHARS = 200


def _spans_lines(block: dict) -> list[tuple[str, float, bool]]:
    """(text, max size, all bold) per line of a text block."""
    out = []
    for line in block.get("lines", []):
        spans = [s for s in line["spans"] if s["text"].strip()]
        if spans:
            text = " ".join("".join(s["text"] for s in line["spans"]).split())
            out.append((text, max(s["size"] for s in spans), all(s["flags"] & 16 for s in spans)))
    return out


def _body_size(pages: list[list[dict]]) -> float:
    sizes: Counter[float] = Counter()
    for blocks in pages:
        for b in blocks:
            for line in b.get("lines", []):
                for s in line["spans"]:
                    sizes[round(s["size"], 1)] += len(s["text"].strip())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def font_blocks(pages: list[list[dict]]) -> list[Block]:
    """Typed blocks from pymupdf ``dict`` blocks of every page (heading/list/paragraph)."""
    body = _body_size(pages)
    raw: list[tuple[str, str, float, int]] = []  # kind, text, size, page
    for page_no, blocks in enumerate(pages, start=1):
        bullet = ""
        for b in blocks:
            lines = _spans_lines(b)
            if not lines:
                continue
            if len(lines) == 1 and _BULLET_ONLY.match(lines[0][0]):
                bullet = lines[0][0].strip() + " "  # a bullet drawn apart from its text
                continue
            texts = [t for t, _, _ in lines]
            if len(lines) > 1 and _BULLET_ONLY.match(texts[0]):
                bullet, texts = texts[0].strip() + " ", texts[1:]
            if len(texts) > 1 and all(structure.is_list_item(t) for t in texts):
                raw.extend(("list_item", t, 0.0, page_no) for t in texts)
                bullet = ""
                continue
            text = bullet + " ".join(texts)
            size = max(s for _, s, _ in lines)
            bold = all(bd for _, _, bd in lines)
            if bullet or structure.is_list_item(text):
                raw.append(("list_item", text, 0.0, page_no))
            elif len(text) <= MAX_HEADING_CHARS and len(lines) <= 3 and body and (
                size >= body * HEADING_SIZE_RATIO or (bold and size >= body and not text.endswith((".", ":", ",")))
            ):
                raw.append(("heading", text, size, page_no))
            else:
                raw.append(("paragraph", text, 0.0, page_no))
            bullet = ""
    levels = {s: i for i, s in enumerate(sorted({round(s, 1) for k, _, s, _ in raw if k == "heading"}, reverse=True), 1)}
    return [
        Block(kind, text, page=page, level=levels[round(size, 1)] if kind == "heading" else None)
        for kind, text, size, page in raw
    ]


class PyMuPDFParser:
    """``pymupdf``: raw text layer plus font-size/bold heading heuristics (PDF and HTML)."""

    name = "pymupdf"
    formats = frozenset({"pdf", "html"})
    requires = {"pymupdf": "pymupdf"}

    def version(self) -> str:
        return _dist_version("pymupdf")

    def warmup(self) -> None:
        import pymupdf  # noqa: F401

    def ocrs_itself(self, options: dict[str, Any]) -> bool:
        return False

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput:
        import pymupdf

        flags = pymupdf.TEXTFLAGS_TEXT
        texts: list[str] = []
        dicts: list[list[dict]] = []
        shared = src.pdf.doc if src.pdf is not None and str(src.path) == src.pdf.doc.name else None
        doc = shared or pymupdf.open(src.path, filetype=src.format)
        try:
            for page in doc:
                tp = page.get_textpage(flags=flags)
                texts.append(tp.extractText())
                if options.get("structure", True):
                    dicts.append(tp.extractDICT()["blocks"])
            pages = doc.page_count
        finally:
            if shared is None:
                doc.close()
        blocks = font_blocks(dicts) if dicts else []
        return ParserOutput(blocks=blocks, pages=pages, page_texts=texts)


class PyMuPDF4LLMParser:
    """``pymupdf4llm``: layout-model Markdown, HTML tables (option ``use_layout``, default True)."""

    name = "pymupdf4llm"
    formats = frozenset({"pdf"})
    requires = {"pymupdf": "pymupdf", "pymupdf4llm": "pymupdf4llm"}

    def version(self) -> str:
        return _dist_version("pymupdf4llm")

    def warmup(self) -> None:
        """Import pymupdf4llm and its layout model."""
        import pymupdf4llm

        pymupdf4llm.use_layout(True)

    def ocrs_itself(self, options: dict[str, Any]) -> bool:
        return False

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput:
        import pymupdf
        import pymupdf4llm

        use_layout = bool(options.get("use_layout", True))
        pymupdf4llm.use_layout(use_layout)  # module-global switch; set on every call
        kwargs: dict[str, Any] = {"page_chunks": True, "table_output": "html", "show_progress": False}
        if use_layout:
            kwargs["use_ocr"] = False
        with pymupdf.open(src.path, filetype="pdf") as doc:
            if doc.needs_pass:
                doc.authenticate(options.get("password") or "")
            chunks = pymupdf4llm.to_markdown(doc, **kwargs)
            pages = doc.page_count
        blocks: list[Block] = []
        for i, chunk in enumerate(chunks, start=1):
            page = (chunk.get("metadata") or {}).get("page_number") or i
            blocks.extend(structure.markdown_blocks(_drop_placeholders(chunk.get("text") or ""), page=page))
        return ParserOutput(blocks=blocks, pages=pages)


_PLACEHOLDER = re.compile(r"^.*(?:intentionally omitted|picture \[\d+ x \d+\]).*$", re.M | re.I)


def _drop_placeholders(md: str) -> str:
    """Remove pymupdf4llm's picture placeholders ("==> picture [..] intentionally omitted <==")."""
    return _PLACEHOLDER.sub("", md)
