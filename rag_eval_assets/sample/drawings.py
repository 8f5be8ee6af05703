"""What the typesetter draws besides lines of text: charts (figures) and tables in the grid,
borderless and rotated layouts, with multi-line cells and decimal alignment."""

from __future__ import annotations

from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from rag_eval_assets.sample.model import FigureSpec, TableSpec

FIGURE_H = 118.0
LABEL_SIZE = 7.0
CELL_SIZE, CELL_PAD = 8.5, 5.0
LONG_CELL = 28  # a cell text longer than this many characters wraps inside its cell


def draw_figure(c: Canvas, spec: FigureSpec, x: float, top: float, width: float, font: str) -> None:
    """A bar or line chart in ``width`` x FIGURE_H below ``top``: axis title, category labels,
    value labels. Every string drawn is in ``spec.drawn_labels()``."""
    c.saveState()
    c.setFont(font, LABEL_SIZE)
    c.setFillColor(colors.HexColor("#333333"))
    c.drawString(x, top - 8, spec.unit)
    left, right, base, ceiling = x + 6, x + width - 4, top - FIGURE_H + 16, top - 22
    c.setStrokeColor(colors.HexColor("#555555"))
    c.setLineWidth(0.6)
    c.line(left, base, right, base)
    c.line(left, base, left, ceiling + 6)
    n, vmax = len(spec.values), max(spec.values) or 1.0
    step = (right - left) / n
    points = []
    for i, (label, value) in enumerate(zip(spec.labels, spec.values)):
        cx = left + step * (i + 0.5)
        h = (ceiling - base) * value / vmax
        if spec.kind == "bar":
            c.setFillColor(colors.HexColor("#7f9cc0"))
            c.rect(cx - step * 0.3, base, step * 0.6, h, stroke=0, fill=1)
        points.append((cx, base + h))
        c.setFillColor(colors.HexColor("#333333"))
        c.drawCentredString(cx, base - 9, label)
        c.drawCentredString(cx, base + h + 3, f"{value:g}")
    if spec.kind == "line":
        c.setStrokeColor(colors.HexColor("#3b6ea5"))
        c.setLineWidth(1.2)
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            c.line(x0, y0, x1, y1)
        for px, py in points:
            c.circle(px, py, 1.8, stroke=1, fill=0)
    c.restoreState()


def _is_number(text: str) -> bool:
    return bool(text) and text.lstrip("+-").replace(",", "").replace(".", "").replace("%", "").isdigit()


def table_flowable(spec: TableSpec, max_width: float, font: str = "Helvetica", bold: str = "Helvetica-Bold") -> Table:
    """A reportlab Table for ``spec``: long cells wrap (Paragraph), numbers align right (on the
    decimal point in the borderless layout); grid or rules only."""
    hidden = spec.covered()
    long_cols = {c for row in spec.cells[spec.header_rows:] for c, t in enumerate(row) if len(t) > LONG_CELL}
    widths = [0.0] * spec.n_cols
    for r, row in enumerate(spec.cells):
        for c, text in enumerate(row):
            if (r, c) not in hidden and spec.extent(r, c)[1] == 1 and c not in long_cols:
                widths[c] = max(widths[c], stringWidth(text, bold, CELL_SIZE) + 2 * CELL_PAD)
    if long_cols:
        share = max(60.0, (max_width - sum(widths)) / len(long_cols))
        for c in long_cols:
            widths[c] = share
    for r0, c0, r1, c1 in spec.spans:  # a spanned text may need more room than its columns give
        need = stringWidth(spec.cells[r0][c0], bold, CELL_SIZE) + 2 * CELL_PAD - sum(widths[c0:c1 + 1])
        for c in range(c0, c1 + 1):
            widths[c] += max(0.0, need) / (c1 - c0 + 1)
    scale = min(1.0, max_width / sum(widths))
    widths = [w * scale for w in widths]
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=CELL_SIZE, leading=CELL_SIZE + 2)
    data = [[Paragraph(escape(t), cell_style) if len(t) > LONG_CELL and r >= spec.header_rows else t
             for c, t in enumerate(row)] for r, row in enumerate(spec.cells)]
    h = spec.header_rows
    style = [
        ("FONT", (0, 0), (-1, -1), font, CELL_SIZE),
        ("FONT", (0, 0), (-1, h - 1), bold, CELL_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, h - 1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD), ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
    ]
    body = spec.cells[h:]
    numeric = [c for c in range(spec.n_cols) if all(_is_number(r[c]) or not r[c] for r in body) and any(r[c] for r in body)]
    for c in numeric:
        style.append(("ALIGN", (c, h), (c, -1), "DECIMAL" if spec.layout == "borderless" else "RIGHT"))
        if spec.layout == "borderless":
            style.append(("RIGHTPADDING", (c, h), (c, -1), CELL_PAD + 14))
    if spec.layout == "borderless":
        style += [("LINEABOVE", (0, 0), (-1, 0), 1.0, colors.black),
                  ("LINEBELOW", (0, h - 1), (-1, h - 1), 0.6, colors.black),
                  ("LINEBELOW", (0, -1), (-1, -1), 1.0, colors.black)]
        style += [("LINEBELOW", (c0, r0), (c1, r0), 0.4, colors.black)  # a rule under a spanning header
                  for r0, c0, r1, c1 in spec.spans if r0 < h and c1 > c0]
    else:
        style += [("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                  ("BACKGROUND", (0, 0), (-1, h - 1), colors.HexColor("#e8edf3"))]
    style += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spec.spans]
    return Table(data, colWidths=widths, style=TableStyle(style))
