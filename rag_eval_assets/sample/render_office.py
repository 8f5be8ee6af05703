"""DOCX (python-docx, byte-deterministic) and Markdown renderers."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import docx
from docx.shared import Pt

from rag_eval_assets.sample.model import Block, TableSpec

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def _docx_table(document: docx.document.Document, spec: TableSpec) -> None:
    table = document.add_table(rows=spec.n_rows, cols=spec.n_cols)
    table.style = "Table Grid"
    for r0, c0, r1, c1 in spec.spans:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    hidden = spec.covered()
    for r, row in enumerate(spec.cells):
        for c, text in enumerate(row):
            if (r, c) in hidden:
                continue
            cell = table.cell(r, c)
            cell.text = text
            if r < spec.header_rows:
                for run in cell.paragraphs[0].runs:
                    run.bold = True


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted-as-written entries and a fixed timestamp."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def render_docx(blocks: list[Block], title: str) -> bytes:
    """A .docx with Heading 1/2 styles, paragraphs and tables; fixed core properties."""
    document = docx.Document()
    document.styles["Normal"].font.size = Pt(10.5)
    for b in blocks:
        if b.kind == "heading":
            document.add_heading(b.text, level=b.level)
        elif b.kind == "table":
            _docx_table(document, b.table)
        else:
            document.add_paragraph(b.marker + b.text)
    props = document.core_properties
    props.title, props.author, props.last_modified_by = title, "Meridian Cloud", "Meridian Cloud"
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision, props.subject, props.keywords, props.comments = 1, "", "", ""
    buf = io.BytesIO()
    document.save(buf)
    return _deterministic_zip(buf.getvalue())


def render_markdown(blocks: list[Block]) -> bytes:
    """Markdown: ``#`` for level-1, ``##`` for level-2 headings, paragraphs separated by blank lines."""
    parts = []
    for b in blocks:
        if b.kind == "heading":
            parts.append("#" * b.level + " " + b.text)
        elif b.kind == "table":
            raise ValueError("markdown documents carry no tables")
        else:
            parts.append(b.marker + b.text)
    return ("\n\n".join(parts) + "\n").encode("utf-8")
