"""Born-digital PDFs set line by line on a reportlab canvas, for the parse-hazard classes.

Options (``Doc.layout``): ``columns`` (1-3), ``measure`` (text width, points), ``justify``,
``hyphenate`` (words broken at line ends with an added hyphen; compounds broken after their own
hyphen), ``size`` (body font size), ``ligatures`` (fi/fl drawn
as the ligature characters U+FB01/U+FB02, font Vera), ``header`` (left, right) and ``footer``
(left, page-number format with {page}/{pages}) drawn on every page, footnotes from the blocks'
``notes`` at the foot of the page of their mark, figures (charts) with their caption, tables in
the grid/borderless/rotated layouts. Blocks are never split across columns or pages, so every
hyphenated word ends and resumes in one column.

The typesetter knows every line it draws: the result carries the per-page reference texts (rules
in golden_sets/README.md), the page areas whose text is not reference text (header, footer,
figure) and every hyphenation break, which the tests check against the PDF's own text layer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from rag_eval_assets.sample.drawings import FIGURE_H, draw_figure, table_flowable
from rag_eval_assets.sample.model import Block, Doc

PAGE_W, PAGE_H = A4
MARGIN, GUTTER = 56.0, 18.0
SUP_SIZE, SUP_RISE = 6.5, 3.6
NOTE_SIZE, NOTE_LEADING = 8.5, 10.5
VOWELS = set("aeiouy")
NO_BREAK = {"th", "ch", "sh", "ph", "wh", "ck", "ng", "qu", "gh"}
Run = tuple[str, bool]  # (text, superscript)
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in PDF points, origin top-left (as pymupdf)


def fonts(ligatures: bool) -> tuple[str, str]:
    """(regular, bold) font names; the Vera TrueType fonts shipped with reportlab have the ﬁ/ﬂ glyphs."""
    if not ligatures:
        return "Helvetica", "Helvetica-Bold"
    if "Vera" not in pdfmetrics.getRegisteredFontNames():
        folder = Path(reportlab.__file__).parent / "fonts"
        pdfmetrics.registerFont(TTFont("Vera", str(folder / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont("Vera-Bold", str(folder / "VeraBd.ttf")))
    return "Vera", "Vera-Bold"


def break_points(word: str) -> list[tuple[int, bool]]:
    """Where ``word`` may break at a line end: (position, after its own hyphen). A word of 6+
    letters (lowercase, or capitalized) breaks between syllable-like units (V|CV, VC|CV) with
    at least two letters before and three after, never inside th/ch/sh/...; a compound breaks
    after each of its hyphens."""
    core = word.rstrip(".,;:")
    if "-" in core:
        return [(i + 1, True) for i, ch in enumerate(core) if ch == "-" and 2 <= i < len(core) - 3]
    if len(core) < 6 or not core.isalpha() or not core[1:].islower():
        return []
    low, out = core.lower(), []
    for i in range(2, len(core) - 2):
        a, b, nxt = low[i - 1], low[i], low[i + 1]
        if b in VOWELS or nxt not in VOWELS or a + b in NO_BREAK:
            continue
        if a in VOWELS or low[i - 2] in VOWELS:
            out.append((i, False))
    return out


@dataclass
class Line:
    tokens: list[list[Run]]
    width: float
    last: bool = False
    hyphen: tuple[str, str, bool] | None = None  # (word, head drawn on this line, after own hyphen)


@dataclass
class Result:
    data: bytes
    pages: list[list[int]]  # block indices per page
    page_refs: list[str]  # reference text per page
    excluded: list[list[Rect]]  # per page: areas whose text is not reference text
    breaks: list[tuple[str, str, bool]] = field(default_factory=list)  # (word, head drawn, after own hyphen)


class Typesetter:
    def __init__(self, doc: Doc) -> None:
        opts = doc.layout
        self.doc = doc
        self.columns = int(opts.get("columns", 1))
        self.justify = bool(opts.get("justify", False))
        self.hyphenate = bool(opts.get("hyphenate", False))
        self.ligatures = bool(opts.get("ligatures", False))
        self.header: tuple[str, str] | None = opts.get("header")
        self.footer: tuple[str, str] | None = opts.get("footer")
        self.size = float(opts.get("size", 10.5))
        self.leading = self.size * 1.34
        self.font, self.bold = fonts(self.ligatures)
        self.top = PAGE_H - (80.0 if self.header else MARGIN)
        self.bottom = 66.0 if self.footer else MARGIN
        self.margin = (PAGE_W - float(opts["measure"])) / 2 if "measure" in opts else MARGIN  # left/right
        self.text_w = PAGE_W - 2 * self.margin
        self.col_w = (self.text_w - GUTTER * (self.columns - 1)) / self.columns
        self.breaks: list[tuple[str, str, bool]] = []

    # -- text ---------------------------------------------------------------------------------
    def shown(self, text: str) -> str:
        return text.replace("fi", "\ufb01").replace("fl", "\ufb02") if self.ligatures else text

    def run_width(self, run: Run, font: str, size: float) -> float:
        return stringWidth(self.shown(run[0]), font, SUP_SIZE if run[1] else size)

    def tokens(self, text: str, marks: list[tuple[int, int]]) -> list[list[Run]]:
        """Space-separated tokens as runs; the characters of a footnote mark are superscript."""
        out, pos = [], 0
        for word in text.split(" "):
            runs: list[Run] = []
            for i, ch in enumerate(word, pos):
                sup = any(s <= i < e for s, e in marks)
                if runs and runs[-1][1] == sup:
                    runs[-1] = (runs[-1][0] + ch, sup)
                else:
                    runs.append((ch, sup))
            out.append(runs)
            pos += len(word) + 1
        return out

    def lines(self, text: str, width: float, font: str, size: float, marks: list[tuple[int, int]] = (),
              body: bool = False) -> list[Line]:
        """Greedy line breaking; body text (not headings, captions, notes) is hyphenated when
        enabled (never a token with a mark)."""
        space = stringWidth(" ", font, size)
        lines, cur, cur_w = [], [], 0.0
        for tok in self.tokens(text, list(marks)):
            w = sum(self.run_width(r, font, size) for r in tok)
            if not cur or cur_w + space + w <= width:
                cur_w = w if not cur else cur_w + space + w
                cur.append(tok)
                continue
            split = self.split(tok, width - cur_w - space, font, size) if self.hyphenate and body else None
            if split:
                head, tail, info = split
                cur.append(head)
                lines.append(Line(cur, cur_w + space + sum(self.run_width(r, font, size) for r in head), hyphen=info))
                cur, cur_w = [tail], sum(self.run_width(r, font, size) for r in tail)
            else:
                lines.append(Line(cur, cur_w))
                cur, cur_w = [tok], w
        lines.append(Line(cur, cur_w, last=True))
        return lines

    def split(self, tok: list[Run], room: float, font: str, size: float
              ) -> tuple[list[Run], list[Run], tuple[str, str, bool]] | None:
        """(head with its hyphen, rest, break record) of the longest head that fits ``room``."""
        if len(tok) != 1 or tok[0][1]:
            return None
        word = tok[0][0]
        for pos, own in reversed(break_points(word)):
            head = word[:pos] if own else word[:pos] + "-"
            if stringWidth(self.shown(head), font, size) <= room:
                return [(head, False)], [(word[pos:], False)], (word, head, own)
        return None

    def draw_lines(self, c: Canvas, lines: list[Line], x: float, y: float, width: float, font: str, size: float,
                   leading: float) -> float:
        """Draw ``lines`` with the first baseline at ``y``; return the baseline after the last."""
        for line in lines:
            gaps = len(line.tokens) - 1
            stretch = (width - line.width) / gaps if self.justify and gaps and not line.last else 0.0
            t = c.beginText(x, y)
            t.setWordSpace(stretch)
            for i, tok in enumerate(line.tokens):
                for text, sup in ([(" ", False)] if i else []) + tok:
                    t.setFont(font, SUP_SIZE if sup else size)
                    t.setRise(SUP_RISE if sup else 0)
                    t.textOut(self.shown(text))
            c.drawText(t)
            if line.hyphen:
                self.breaks.append(line.hyphen)
            y -= leading
        return y

    # -- blocks -------------------------------------------------------------------------------
    def measure(self, b: Block, width: float) -> tuple[float, object]:
        """(height, prepared content) of a block set in ``width``."""
        if b.kind == "heading":
            size = 18.0 if b.level == 1 else 12.5
            lines = self.lines(b.text, width, self.bold, size)
            return len(lines) * size * 1.25 + (12 if b.level == 1 else 12), lines
        if b.kind == "table":
            table = table_flowable(b.table, width, self.font, self.bold)
            return table.wrap(width, PAGE_H)[1] + 12, table
        if b.kind == "figure":
            lines = self.lines(b.text, width, self.font, 9.0)
            return FIGURE_H + len(lines) * 11.5 + 12, lines
        indent = 16.0 if b.kind == "item" else 0.0
        lines = self.lines(b.text, width - indent, self.font, self.size, [(s, e) for s, e, _ in b.notes], body=True)
        return len(lines) * self.leading + (3 if b.kind == "item" else 6), lines

    def note_lines(self, b: Block) -> list[list[Line]]:
        return [self.lines(f"{b.text[s:e]} {note}", self.text_w, self.font, NOTE_SIZE) for s, e, note in b.notes]

    def draw_block(self, c: Canvas, b: Block, prepared: object, x: float, top: float, width: float) -> list[Rect]:
        """Draw a measured block below ``top``; return the areas that hold no reference text."""
        if b.kind == "heading":
            size = 18.0 if b.level == 1 else 12.5
            first = top - size - (0 if b.level == 1 else 4)
            self.draw_lines(c, prepared, x, first, width, self.bold, size, size * 1.25)
        elif b.kind == "table":
            h = prepared.wrap(width, PAGE_H)[1]
            prepared.drawOn(c, x, top - h)
        elif b.kind == "figure":
            draw_figure(c, b.figure, x, top, width, self.font)
            self.draw_lines(c, prepared, x, top - FIGURE_H - 9, width, self.font, 9.0, 11.5)
            return [(x - 2, PAGE_H - top - 2, x + width + 2, PAGE_H - top + FIGURE_H)]
        elif b.kind == "item":
            c.setFont(self.font, self.size)
            c.drawString(x + 4, top - self.size, self.shown(b.marker.strip()))
            self.draw_lines(c, prepared, x + 16, top - self.size, width - 16, self.font, self.size, self.leading)
        else:
            self.draw_lines(c, prepared, x, top - self.size, width, self.font, self.size, self.leading)
        return []

    # -- pages --------------------------------------------------------------------------------
    def furniture(self, c: Canvas, page: int, pages: int) -> list[Rect]:
        out: list[Rect] = []
        c.setFillColor(colors.HexColor("#444444"))
        if self.header:
            c.setFont(self.font, 8.5)
            c.drawString(MARGIN, PAGE_H - 40, self.shown(self.header[0]))
            c.drawRightString(PAGE_W - MARGIN, PAGE_H - 40, self.shown(self.header[1]))
            c.setLineWidth(0.5)
            c.line(MARGIN, PAGE_H - 46, PAGE_W - MARGIN, PAGE_H - 46)
            out.append((0, 0, PAGE_W, 50))
        if self.footer:
            c.setFont(self.font, 8.5)
            c.drawString(MARGIN, 34, self.shown(self.footer[0]))
            c.drawRightString(PAGE_W - MARGIN, 34, self.footer[1].format(page=page, pages=pages))
            out.append((0, PAGE_H - 50, PAGE_W, PAGE_H))
        c.setFillColor(colors.black)
        return out

    def plan_pages(self) -> list[list[tuple[int, int, float, object]]]:
        """Placement of every block: per page, (block index, column, top y, prepared). A level-1
        heading spans the columns; the columns of its page start below it."""
        pages: list[list[tuple[int, int, float, object]]] = [[]]
        col, y, page_top, note_h = 0, self.top, self.top, 0.0
        blocks = self.doc.blocks
        for i, b in enumerate(blocks):
            if b.table is not None and b.table.layout == "rotated":
                pages += [[(i, 0, PAGE_W, None)], []]  # a page of its own, drawn sideways
                col, y, page_top, note_h = 0, self.top, self.top, 0.0
                continue
            full = b.kind == "heading" and b.level == 1
            width = self.text_w if full else self.col_w
            h, prepared = self.measure(b, width)
            notes_h = sum(len(ls) * NOTE_LEADING + 2 for ls in self.note_lines(b)) + (12 if b.notes else 0)
            keep = 0.0
            if (b.kind == "heading" or b.kind == "paragraph" and b.text.startswith("Table ")) and i + 1 < len(blocks):
                nxt = blocks[i + 1]
                if not (nxt.table is not None and nxt.table.layout == "rotated"):
                    keep = self.measure(nxt, self.col_w)[0]
                    keep = keep if keep < (page_top - self.bottom) / 2 else 60.0
            while y - h - keep - notes_h < self.bottom + note_h and y < page_top:
                col += 1
                if col == self.columns:
                    pages.append([])
                    col, page_top, note_h = 0, self.top, 0.0
                y = page_top
            pages[-1].append((i, col, y, prepared))
            note_h += notes_h
            y -= h
            if full:
                page_top = y
        return [p for p in pages if p]

    def render(self) -> Result:
        buf = io.BytesIO()
        c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1)
        c.setTitle(self.doc.title)
        c.setAuthor("Meridian Cloud")
        c.setCreator("rag_eval_assets.sample")
        c.setProducer("rag_eval_assets.sample")
        plan = self.plan_pages()
        blocks = self.doc.blocks
        result = Result(b"", [], [], [])
        for n, placed in enumerate(plan, 1):
            excluded = self.furniture(c, n, len(plan))
            note_blocks: list[Block] = []
            for i, col, top, prepared in placed:
                b = blocks[i]
                if b.table is not None and b.table.layout == "rotated":
                    self.draw_rotated(c, b)
                    continue
                full = b.kind == "heading" and b.level == 1
                x = self.margin if full else self.margin + col * (self.col_w + GUTTER)
                excluded += self.draw_block(c, b, prepared, x, top, self.text_w if full else self.col_w)
                note_blocks += [b] if b.notes else []
            if note_blocks:
                y = self.bottom + sum(len(ls) * NOTE_LEADING + 2 for nb in note_blocks for ls in self.note_lines(nb))
                c.setLineWidth(0.5)
                c.line(self.margin, y + 6, self.margin + 120, y + 6)
                y -= NOTE_SIZE - 1
                for nb in note_blocks:
                    for ls in self.note_lines(nb):
                        y = self.draw_lines(c, ls, self.margin, y, self.text_w, self.font, NOTE_SIZE, NOTE_LEADING) - 2
            notes = [f"{b.text[s:e]} {note}" for b in note_blocks for s, e, note in b.notes]
            result.pages.append([i for i, *_ in placed])
            result.page_refs.append("\n\n".join([blocks[i].ref_text for i, *_ in placed] + notes))
            result.excluded.append(excluded)
            c.showPage()
        c.save()
        result.data, result.breaks = buf.getvalue(), self.breaks
        return result

    def draw_rotated(self, c: Canvas, b: Block) -> None:
        """A wide table turned 90 degrees counter-clockwise on a portrait page (read bottom to top)."""
        width = PAGE_H - 2 * MARGIN
        table = table_flowable(b.table, width, self.font, self.bold)
        w, h = table.wrap(width, PAGE_W)
        c.saveState()
        c.translate(PAGE_W / 2 + h / 2, (PAGE_H - w) / 2)
        c.rotate(90)
        table.drawOn(c, 0, 0)
        c.restoreState()


def typeset_pdf(doc: Doc) -> Result:
    """Typeset ``doc`` (its ``layout`` options) into a PDF with its per-page reference texts."""
    return Typesetter(doc).render()
