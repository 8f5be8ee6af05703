"""docling: ``NativePdfPipeline`` for PDF (text cells of docling-parse, no model: no headings or
tables are recognized in PDFs), ``SimplePipeline`` for HTML/DOCX/Markdown (real structure and
tables). The converter is built once per process and option set, then reused.

The full layout + TableFormer pipeline (``StandardPdfPipeline``) runs only when an
``artifacts_path`` option names a folder of docling model weights (``docling-tools models
download -o <folder>`` on a machine with network); it then also OCRs with tesseract (``eng``).
Asked for without the weights (or without ``transformers``), the document fails with
``missing_dependency`` naming what is missing. No hub download is ever attempted.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _dist_version
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.parsers import structure
from rag_eval_assets.lib.parsers.model import ParseError, ParserOutput, Source

# Model folders docling looks for under artifacts_path (repo id with "/" -> "--").
LAYOUT_WEIGHTS = "docling-project--docling-layout-heron"
TABLEFORMER_WEIGHTS = "docling-project--docling-models"
_CONVERTERS: dict[tuple, Any] = {}
_OTHER = {"page_header", "page_footer", "footnote", "code", "formula", "reference", "document_index"}


def _check_artifacts(artifacts_path: str) -> None:
    folder = Path(artifacts_path)
    missing = [w for w in (LAYOUT_WEIGHTS, TABLEFORMER_WEIGHTS) if not (folder / w).is_dir()]
    if missing:
        raise ParseError(
            "missing_dependency",
            f"docling full pipeline asked for (artifacts_path={artifacts_path!r}) but the model weights "
            f"{', '.join(missing)} are absent there; download them with `docling-tools models download "
            f"-o {artifacts_path}` on a machine with network, or drop artifacts_path for the native pipeline",
        )
    try:
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ParseError("missing_dependency", "docling full pipeline needs pip package 'transformers'") from exc


def converter(artifacts_path: str | None = None) -> Any:
    """The process-wide DocumentConverter for this option set (built on first use)."""
    key = (artifacts_path,)
    if key in _CONVERTERS:
        return _CONVERTERS[key]
    from docling.datamodel.base_models import InputFormat
    from docling.document_converter import DocumentConverter, PdfFormatOption

    if artifacts_path:
        _check_artifacts(artifacts_path)
        from docling.datamodel.pipeline_options import (
            PdfPipelineOptions,
            TesseractOcrOptions,
        )
        from docling.pipeline.standard_pdf_pipeline import StandardPdfPipeline

        pdf = PdfFormatOption(
            pipeline_cls=StandardPdfPipeline,
            pipeline_options=PdfPipelineOptions(
                artifacts_path=artifacts_path, do_table_structure=True, do_ocr=True,
                ocr_options=TesseractOcrOptions(lang=["eng"]),
            ),
        )
    else:
        from docling.datamodel.pipeline_options import NativePdfPipelineOptions
        from docling.pipeline.native_pdf_pipeline import NativePdfPipeline

        pdf = PdfFormatOption(pipeline_cls=NativePdfPipeline, pipeline_options=NativePdfPipelineOptions())
    conv = DocumentConverter(
        allowed_formats=[InputFormat.PDF, InputFormat.HTML, InputFormat.DOCX, InputFormat.MD],
        format_options={InputFormat.PDF: pdf},
    )
    try:
        conv.initialize_pipeline(InputFormat.PDF)
    except Exception as exc:  # noqa: BLE001 - model loading errors name the missing weights
        raise ParseError("missing_dependency", f"docling PDF pipeline could not load its models: {exc}") from exc
    _CONVERTERS[key] = conv
    return conv


def _page(item: Any) -> int | None:
    prov = getattr(item, "prov", None)
    return prov[0].page_no if prov else None


def doc_blocks(doc: Any) -> list[Block]:
    """Typed blocks from a DoclingDocument in reading order."""
    has_title = any(getattr(i, "label", None) == "title" for i, _ in doc.iterate_items())
    blocks: list[Block] = []
    for item, _depth in doc.iterate_items():
        label = str(getattr(item, "label", "")).split(".")[-1].lower()
        text = " ".join((getattr(item, "text", "") or "").split())
        page = _page(item)
        if label == "table":
            blocks.append(structure.table_block(item.export_to_html(doc=doc), page))
        elif label == "title" and text:
            blocks.append(Block("heading", text, page=page, level=1))
        elif label == "section_header" and text:
            level = int(getattr(item, "level", 1) or 1) + (1 if has_title else 0)
            blocks.append(Block("heading", text, page=page, level=level))
        elif label == "list_item" and text:
            blocks.append(Block("list_item", text, page=page))
        elif label == "caption" and text:
            blocks.append(Block("caption", text, page=page))
        elif label in _OTHER and text:
            blocks.append(Block("other", text, page=page))
        elif text:
            kind = "list_item" if structure.is_list_item(text) else "paragraph"
            blocks.append(Block(kind, text, page=page))
    return blocks


class DoclingParser:
    """``docling``: native PDF pipeline, SimplePipeline for HTML/DOCX/MD (option ``artifacts_path``)."""

    name = "docling"
    formats = frozenset({"pdf", "html", "docx", "md"})
    requires = {"docling": "docling-slim[format-pdf,format-html,format-markdown,format-docx]",
                "docling_parse": "docling-parse"}

    def version(self) -> str:
        for dist in ("docling-slim", "docling"):
            try:
                return _dist_version(dist)
            except PackageNotFoundError:
                continue
        return ""

    def ocrs_itself(self, options: dict[str, Any]) -> bool:
        return bool(options.get("artifacts_path"))

    def warmup(self) -> None:
        """Build the native converter (imports docling, ~5 s)."""
        converter(None)

    def parse(self, src: Source, options: dict[str, Any]) -> ParserOutput:
        conv = converter(options.get("artifacts_path"))
        result = conv.convert(src.path, raises_on_error=False)
        status = str(result.status).split(".")[-1].lower()
        if status not in ("success", "partial_success"):
            errors = "; ".join(str(getattr(e, "error_message", e)) for e in result.errors) or status
            raise ParseError("corrupt" if src.format == "pdf" else "error", f"docling {status}: {errors}"[:500])
        doc = result.document
        pages = (len(doc.pages) or None) if src.format == "pdf" else None
        return ParserOutput(blocks=doc_blocks(doc), pages=pages)
