"""Small generated documents with known content, for parser tests and benchmarks.

Each writer puts one file in a folder and returns its path. They share one content (``SAMPLE``):
a heading, two paragraphs, a sub-heading, a three-item list and a table with decimals and a
merged header cell, so every parser can be checked against the same expectations.
"""

from __future__ import annotations

import html
from pathlib import Path

TITLE = "Quarterly Storage Report"
SUBTITLE = "Pricing Table"
PARAGRAPHS = (
    "Storage classes let you trade retrieval speed for cost across regions.",
    "The archive class keeps records for years at the lowest monthly price.",
)
LIST_ITEMS = ("Standard class for hot data", "Infrequent class for backups", "Archive class for records")
# Grid of the table: the header "Price (USD)" spans two columns (a merged cell).
TABLE_HEADER = ("Class", "Price (USD)", "")
TABLE_SUBHEADER = ("", "per GB", "per request")
TABLE_ROWS = (("Standard", "0.023", "0.0004"), ("Infrequent", "0.0125", "0.001"), ("Archive", "0.004", "0.05"))
DECIMALS = tuple(cell for row in TABLE_ROWS for cell in row[1:])


def reference_text() -> str:
    """The text every parser should find, in reading order (one block per line)."""
    table = [" ".join(c for c in TABLE_HEADER if c), " ".join(c for c in TABLE_SUBHEADER if c)]
    table += [" ".join(r) for r in TABLE_ROWS]
    return "\n".join([TITLE, *PARAGRAPHS, SUBTITLE, *LIST_ITEMS, *table])


def table_html() -> str:
    """The table as PubTabNet-style HTML (thead/tbody, colspan)."""
    esc = html.escape
    head = (
        f"<tr><td>{esc(TABLE_HEADER[0])}</td><td colspan=\"2\">{esc(TABLE_HEADER[1])}</td></tr>"
        f"<tr><td></td><td>{esc(TABLE_SUBHEADER[1])}</td><td>{esc(TABLE_SUBHEADER[2])}</td></tr>"
    )
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in TABLE_ROWS)
    return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


def write_pdf(folder: str | Path, name: str = "report.pdf") -> Path:
    """A born-digital PDF (reportlab): headings, paragraphs, a bullet list, a ruled table."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
    )

    path = Path(folder) / name
    styles = getSampleStyleSheet()
    grid = [list(TABLE_HEADER), list(TABLE_SUBHEADER), *[list(r) for r in TABLE_ROWS]]
    table = Table(grid)
    table.setStyle([("SPAN", (1, 0), (2, 0)), ("GRID", (0, 0), (-1, -1), 0.5, colors.black)])
    bullets = ListFlowable(
        [ListItem(Paragraph(t, styles["BodyText"])) for t in LIST_ITEMS], bulletType="bullet"
    )
    story = [
        Paragraph(TITLE, styles["Heading1"]),
        *[Paragraph(p, styles["BodyText"]) for p in PARAGRAPHS],
        Paragraph(SUBTITLE, styles["Heading2"]),
        bullets,
        Spacer(1, 12),
        table,
    ]
    SimpleDocTemplate(str(path), pagesize=A4, title=TITLE).build(story)
    return path


def write_scanned_pdf(folder: str | Path, name: str = "scanned.pdf", dpi: int = 200) -> Path:
    """An image-only PDF: the born-digital sample rendered to a bitmap, no text layer."""
    import pymupdf

    src = pymupdf.open(write_pdf(folder, "_scan_source.pdf"))
    out = pymupdf.open()
    for page in src:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
        new = out.new_page(width=page.rect.width, height=page.rect.height)
        new.insert_image(new.rect, stream=pix.tobytes("png"))
    path = Path(folder) / name
    out.save(path)
    src.close()
    (Path(folder) / "_scan_source.pdf").unlink()
    return path


def write_image(folder: str | Path, name: str = "scan.png", dpi: int = 200) -> Path:
    """A PNG of the sample's first page (for image OCR)."""
    import pymupdf

    pdf = write_pdf(folder, "_img_source.pdf")
    with pymupdf.open(pdf) as doc:
        path = Path(folder) / name
        doc[0].get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).save(path)
    pdf.unlink()
    return path


def write_html(folder: str | Path, name: str = "report.html") -> Path:
    """An HTML page with the same content."""
    esc = html.escape
    items = "".join(f"<li>{esc(t)}</li>" for t in LIST_ITEMS)
    paras = "".join(f"<p>{esc(p)}</p>" for p in PARAGRAPHS)
    body = (
        f"<h1>{esc(TITLE)}</h1>{paras}<h2>{esc(SUBTITLE)}</h2><ul>{items}</ul>{table_html()}"
    )
    path = Path(folder) / name
    path.write_text(f"<!DOCTYPE html><html><head><title>{esc(TITLE)}</title></head>"
                    f"<body>{body}</body></html>", encoding="utf-8")
    return path


def write_docx(folder: str | Path, name: str = "report.docx") -> Path:
    """A DOCX (python-docx) with real heading/list styles and a table with a merged cell."""
    import docx

    d = docx.Document()
    d.add_heading(TITLE, level=1)
    for p in PARAGRAPHS:
        d.add_paragraph(p)
    d.add_heading(SUBTITLE, level=2)
    for t in LIST_ITEMS:
        d.add_paragraph(t, style="List Bullet")
    grid = [TABLE_HEADER, TABLE_SUBHEADER, *TABLE_ROWS]
    table = d.add_table(rows=len(grid), cols=3)
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text:
                table.cell(r, c).text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    path = Path(folder) / name
    d.save(path)
    return path


def write_markdown(folder: str | Path, name: str = "report.md") -> Path:
    """A Markdown file with the same content (the table as a pipe table without merge)."""
    rows = [TABLE_HEADER[:1] + ("Price (USD) per GB", "Price (USD) per request"), *TABLE_ROWS]
    table = ["| " + " | ".join(rows[0]) + " |", "|---|---|---|", *["| " + " | ".join(r) + " |" for r in rows[1:]]]
    lines = [f"# {TITLE}", "", PARAGRAPHS[0], "", PARAGRAPHS[1], "", f"## {SUBTITLE}", "",
             *[f"- {t}" for t in LIST_ITEMS], "", *table, ""]
    path = Path(folder) / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_text(folder: str | Path, name: str = "report.txt", encoding: str = "utf-8") -> Path:
    """A plain-text file with the reference text, in the given encoding."""
    path = Path(folder) / name
    path.write_bytes(reference_text().encode(encoding))
    return path


def write_all(folder: str | Path) -> dict[str, Path]:
    """Every sample kind in one folder: {kind: path}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "pdf": write_pdf(folder),
        "scanned_pdf": write_scanned_pdf(folder),
        "image": write_image(folder),
        "html": write_html(folder),
        "docx": write_docx(folder),
        "md": write_markdown(folder),
        "txt": write_text(folder),
    }
