"""Reference tables read from source markup (HTML ``<table>``, DOCX ``w:tbl``, LaTeX
``tabular``), as PubTabNet-style HTML, for TEDS against a parser's tables."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path


def canonical_table(table) -> str:
    """PubTabNet-style HTML of an lxml ``<table>``: ``th`` → ``td``, only colspan/rowspan kept,
    cell content as whitespace-collapsed text, header rows (``thead`` or all-``th`` rows
    before any data row) in ``thead``."""
    head, body = [], []
    for tr in table.iter("tr"):
        if next(a for a in tr.iterancestors() if a.tag == "table") is not table:
            continue  # a row of a nested table
        cells = [c for c in tr if c.tag in ("td", "th")]
        tds = []
        for c in cells:
            spans = {a: (c.get(a) or "1").strip() for a in ("colspan", "rowspan")}
            attrs = "".join(f' {a}="{int(v)}"' for a, v in spans.items() if v.isdigit() and int(v) > 1)
            tds.append(f"<td{attrs}>{escape(' '.join(' '.join(c.itertext()).split()))}</td>")
        row = "<tr>" + "".join(tds) + "</tr>"
        in_head = tr.getparent().tag == "thead" or (not body and cells and all(c.tag == "th" for c in cells))
        (head if in_head else body).append(row)
    return f"<table><thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table>"


def html_tables(html: str) -> list[str]:
    """Every top-level ``<table>`` of an HTML page, in canonical form (``canonical_table``)."""
    import lxml.html

    root = lxml.html.fromstring(html)
    tables = [t for t in root.iter("table") if not any(a.tag == "table" for a in t.iterancestors())]
    return [canonical_table(t) for t in tables]


def docx_tables(path: str | Path) -> list[str]:
    """Every table of a DOCX as HTML: ``w:gridSpan`` → colspan, ``w:vMerge`` → rowspan; the
    first row goes to ``thead``. Cell text = its paragraphs joined by a space."""
    import docx
    from docx.oxml.ns import qn

    out = []
    for table in docx.Document(str(path)).tables:
        grid: list[list[dict]] = []  # per row: cells with start column, span, merge state
        for tr in table._tbl.tr_lst:
            col, cells = 0, []
            for tc in tr.tc_lst:
                span = tc.grid_span
                vmerge = tc.tcPr.find(qn("w:vMerge")) if tc.tcPr is not None else None
                state = None if vmerge is None else (vmerge.get(qn("w:val")) or "continue")
                text = " ".join(p.text for p in _paragraphs(tc)).strip()
                cells.append({"col": col, "span": span, "merge": state, "text": text, "rowspan": 1})
                col += span
            grid.append(cells)
        for r, cells in enumerate(grid):  # count continuation cells below each restart
            for c in cells:
                if c["merge"] == "restart":
                    below = r + 1
                    while below < len(grid) and any(x["col"] == c["col"] and x["merge"] == "continue"
                                                    for x in grid[below]):
                        c["rowspan"] += 1
                        below += 1
        rows_html = []
        for cells in grid:
            tds = []
            for c in cells:
                if c["merge"] == "continue":
                    continue
                attrs = (f' colspan="{c["span"]}"' if c["span"] > 1 else "") + \
                        (f' rowspan="{c["rowspan"]}"' if c["rowspan"] > 1 else "")
                tds.append(f"<td{attrs}>{escape(c['text'])}</td>")
            rows_html.append("<tr>" + "".join(tds) + "</tr>")
        head, body = rows_html[:1], rows_html[1:]
        out.append(f"<table><thead>{''.join(head)}</thead><tbody>{''.join(body)}</tbody></table>")
    return out


def _paragraphs(tc):
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, None) for p in tc.iter() if p.tag.endswith("}p")]


_LATEX_CMD = re.compile(r"\\(textbf|textit|emph|textsuperscript)\{([^{}]*)\}")


def latex_plain(text: str) -> str:
    """Text of a LaTeX fragment: formatting commands unwrapped, other commands dropped."""
    previous = None
    while previous != text:  # innermost commands first, so nested ones unwrap too
        previous = text
        text = _LATEX_CMD.sub(lambda m: ("^" if m.group(1) == "textsuperscript" else "") + m.group(2), text)
    text = re.sub(r"\\[a-zA-Z]+\*?(\[[^\]]*\])?(\{[^{}]*\})?", " ", text)
    return " ".join(text.replace("{", "").replace("}", "").replace("~", " ").split())


def latex_tabulars(tex: str) -> list[str]:
    """Every ``tabular`` of a LaTeX source as HTML (first row in ``thead``; rules dropped)."""
    out = []
    for body in re.findall(r"\\begin\{tabular\}\{[^}]*\}(.*?)\\end\{tabular\}", tex, flags=re.S):
        rows = [r for r in (x.strip() for x in body.split("\\\\")) if r]
        html_rows = []
        for r in rows:
            r = re.sub(r"\\(toprule|midrule|bottomrule|hline)", "", r).strip()
            if not r:
                continue
            cells = [latex_plain(c) for c in r.split("&")]
            html_rows.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
        out.append(f"<table><thead>{''.join(html_rows[:1])}</thead><tbody>{''.join(html_rows[1:])}</tbody></table>")
    return out


def latex_document_text(tex: str) -> str:
    """Plain text between ``\\begin{document}`` and ``\\end{document}`` (no tables)."""
    m = re.search(r"\\begin\{document\}(.*?)\\end\{document\}", tex, flags=re.S)
    body = m.group(1) if m else tex
    body = re.sub(r"\\begin\{table\}.*?\\end\{table\}", " ", body, flags=re.S)
    body = re.sub(r"%.*", "", body)
    return latex_plain(body)
