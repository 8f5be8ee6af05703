"""Born-digital PDFs with reportlab platypus; records on which page every block was drawn."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from rag_eval_assets.sample.model import Block, TableSpec

MARGIN = 56.0
GUTTER = 20.0
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10.5, leading=14, spaceAfter=6)
ITEM = ParagraphStyle("item", parent=BODY, leftIndent=18, firstLineIndent=-10, spaceAfter=3)
H1 = ParagraphStyle("h1", fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=10)
H2 = ParagraphStyle("h2", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceBefore=8, spaceAfter=5)
CELL_FONT, CELL_SIZE, CELL_PAD = "Helvetica", 9.0, 6.0


class _TrackingDoc(BaseDocTemplate):
    """A doc template that notes the page of every flowable tagged with ``_block_index``."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.placements: dict[int, int] = {}

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab hook name)
        index = getattr(flowable, "_block_index", None)
        if index is not None:
            self.placements[index] = self.canv.getPageNumber()


def table_flowable(spec: TableSpec, max_width: float) -> Table:
    """A reportlab Table with SPAN commands, a grid and a shaded header."""
    widths = [0.0] * spec.n_cols
    hidden = spec.covered()
    for r, row in enumerate(spec.cells):
        for c, text in enumerate(row):
            _, colspan = spec.extent(r, c)
            if (r, c) not in hidden and colspan == 1:
                widths[c] = max(widths[c], stringWidth(text, "Helvetica-Bold", CELL_SIZE) + 2 * CELL_PAD)
    for r0, c0, r1, c1 in spec.spans:  # a spanned text may need more room than its columns give
        need = stringWidth(spec.cells[r0][c0], "Helvetica-Bold", CELL_SIZE) + 2 * CELL_PAD - sum(widths[c0:c1 + 1])
        for c in range(c0, c1 + 1):
            widths[c] += max(0.0, need) / (c1 - c0 + 1)
    scale = min(1.0, max_width / sum(widths))
    style = [
        ("FONT", (0, 0), (-1, -1), CELL_FONT, CELL_SIZE),
        ("FONT", (0, 0), (-1, spec.header_rows - 1), "Helvetica-Bold", CELL_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, spec.header_rows - 1), colors.HexColor("#e8edf3")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (1, spec.header_rows), (-1, -1), "RIGHT"),
    ]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spec.spans]
    return Table([list(row) for row in spec.cells], colWidths=[w * scale for w in widths], style=TableStyle(style))


def _keep_with_next(flows: list[Flowable], blocks: list[Block], width: float) -> list[Flowable]:
    """Insert a conditional frame break before headings and captions so they never end a frame."""
    out: list[Flowable] = []
    for i, f in enumerate(flows):
        index = getattr(f, "_block_index", None)
        if index is not None and index + 1 < len(blocks) and index > 0:
            b, nxt = blocks[index], blocks[index + 1]
            if b.kind == "heading" or nxt.kind == "table":
                following = next(g for g in flows[i + 1:] if getattr(g, "_block_index", None) == index + 1)
                need = f.wrap(width, 10_000)[1] + following.wrap(width, 10_000)[1] + 24
                out.append(CondPageBreak(need))
        out.append(f)
    return out


def _flowables(blocks: list[Block], width: float) -> list[Flowable]:
    out: list[Flowable] = []
    for i, b in enumerate(blocks):
        if b.kind == "table":
            f: Flowable = table_flowable(b.table, width)
        elif b.kind == "heading":
            f = Paragraph(escape(b.text), H1 if b.level == 1 else H2)
        elif b.kind == "item":
            f = Paragraph(escape(b.marker + b.text), ITEM)
        else:
            f = Paragraph(escape(b.text), BODY)
        f._block_index = i
        out.append(f)
        if b.kind == "table":
            out.append(Spacer(1, 10))
    return _keep_with_next(out, blocks, width)


def render_pdf(blocks: list[Block], title: str, columns: int = 1) -> tuple[bytes, list[list[int]]]:
    """PDF bytes and the block indices drawn on each page (1 or 2 columns; the title spans)."""
    buf = io.BytesIO()
    page_w, page_h = A4
    doc = _TrackingDoc(buf, pagesize=A4, invariant=1, allowSplitting=0, title=title, author="Meridian Cloud",
                       creator="rag_eval_assets.sample", producer="rag_eval_assets.sample", subject="",
                       leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    inner_w, inner_h = page_w - 2 * MARGIN, page_h - 2 * MARGIN
    if columns == 1:
        doc.addPageTemplates([PageTemplate("body", [Frame(MARGIN, MARGIN, inner_w, inner_h, id="body")])])
        flowables = _flowables(blocks, inner_w)
    else:
        col_w = (inner_w - GUTTER) / 2
        title_h = 70.0

        def cols(height: float) -> list[Frame]:
            return [Frame(MARGIN, MARGIN, col_w, height, id="left"),
                    Frame(MARGIN + col_w + GUTTER, MARGIN, col_w, height, id="right")]

        first = [Frame(MARGIN, page_h - MARGIN - title_h, inner_w, title_h, id="title")] + cols(inner_h - title_h)
        doc.addPageTemplates([PageTemplate("first", first), PageTemplate("later", cols(inner_h))])
        title_flow, *rest = _flowables(blocks, col_w)
        flowables = [NextPageTemplate("later"), title_flow, FrameBreak(), *rest]
    doc.build(flowables)
    n_pages = max(doc.placements.values())
    pages: list[list[int]] = [[] for _ in range(n_pages)]
    for index in range(len(blocks)):
        pages[doc.placements[index] - 1].append(index)
    return buf.getvalue(), pages
