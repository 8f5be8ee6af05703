"""Structure helpers shared by every parser: tables to PubTabNet HTML, Markdown and plain text to
typed blocks, section paths from heading ancestry, and the document text from blocks."""

from __future__ import annotations

import html
import re

from rag_eval_assets.lib.documents import Block

BULLET_RE = re.compile(r"^\s*(?:[•●○◦▪▫■□‣⁃∙·\-*+–—]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s+(?=\S)")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_TABLE_RE = re.compile(r"<table\b.*?</table>", re.S | re.I)


def is_list_item(text: str) -> bool:
    """True when the text starts with a bullet or an enumeration marker ("• ", "1. ", "a) ")."""
    return bool(BULLET_RE.match(text))


def _cell_text(el) -> str:  # noqa: ANN001 (lxml element)
    return " ".join("".join(el.itertext()).split())


def normalize_table_html(markup: str) -> str:
    """Any ``<table>`` markup -> PubTabNet style: ``<table><thead>…</thead><tbody>…</tbody></table>``
    with ``td`` cells only (``th`` rows become the head), colspan/rowspan kept, text whitespace
    collapsed. Rows of a missing ``thead`` are the leading rows made of ``th`` cells only."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except Exception:  # noqa: BLE001 - malformed markup from a parser: keep it escaped
        return f"<table><tbody><tr><td>{html.escape(markup)}</td></tr></tbody></table>"
    table = root.find(".//table")
    if table is None:
        return "<table><tbody></tbody></table>"
    head_rows, body_rows = [], []
    in_head = True
    for tr in table.iter("tr"):
        if next(tr.iterancestors("table")) is not table:
            continue  # a row of a nested table
        cells = [c for c in tr if c.tag in ("td", "th")]
        section = tr.getparent().tag if tr.getparent() is not table else ""
        header = section == "thead" or (section != "tbody" and cells and all(c.tag == "th" for c in cells))
        in_head = in_head and header
        parts = []
        for c in cells:
            spans = {a: (c.get(a) or "1").strip() for a in ("colspan", "rowspan")}
            attrs = "".join(f' {a}="{int(v)}"' for a, v in spans.items() if v.isdigit() and int(v) > 1)
            parts.append(f"<td{attrs}>{html.escape(_cell_text(c), quote=False)}</td>")
        (head_rows if in_head else body_rows).append("<tr>" + "".join(parts) + "</tr>")
    head = f"<thead>{''.join(head_rows)}</thead>" if head_rows else ""
    return f"<table>{head}<tbody>{''.join(body_rows)}</tbody></table>"


def table_text(table_html: str) -> str:
    """Reading text of a table: non-empty cells joined by a space per row, rows by a newline."""
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(table_html, create_parent="div")
    except Exception:  # noqa: BLE001
        return " ".join(re.sub(r"<[^>]+>", " ", table_html).split())
    rows = []
    for tr in root.iter("tr"):
        cells = [t for c in tr if c.tag in ("td", "th") if (t := _cell_text(c))]
        if cells:
            rows.append(" ".join(cells))
    return "\n".join(rows)


def table_block(markup: str, page: int | None = None) -> Block:
    """A ``table`` block from any table markup (normalized HTML + reading text)."""
    norm = normalize_table_html(markup)
    return Block("table", table_text(norm), page=page, html=norm)


def _strip_md(text: str) -> str:
    text = _MD_EMPHASIS.sub(r"\2", text)
    return " ".join(text.replace("<br>", " ").split())


def _pipe_table_html(lines: list[str]) -> str:
    rows = [[c.strip() for c in ln.strip().strip("|").split("|")] for ln in lines]
    rows = [r for r in rows if not all(re.fullmatch(r":?-{2,}:?", c or "--") for c in r)]
    head, body = (rows[:1], rows[1:]) if len(lines) > 1 and re.search(r"-{2,}", lines[1]) else ([], rows)
    row = lambda r: "<tr>" + "".join(f"<td>{html.escape(_strip_md(c))}</td>" for c in r) + "</tr>"  # noqa: E731
    thead = f"<thead>{''.join(row(r) for r in head)}</thead>" if head else ""
    return f"<table>{thead}<tbody>{''.join(row(r) for r in body)}</tbody></table>"


def markdown_blocks(text: str, page: int | None = None) -> list[Block]:
    """Typed blocks from Markdown: ATX headings, list items, pipe tables, inline HTML tables and
    paragraphs (consecutive non-blank lines). Emphasis markers are removed from the text."""
    blocks: list[Block] = []
    para: list[str] = []

    def flush() -> None:
        if para and (t := _strip_md(" ".join(para))):
            blocks.append(Block("paragraph", t, page=page))
        para.clear()

    # inline HTML tables first: replace each by a placeholder line
    tables: list[str] = []

    def keep(m: re.Match[str]) -> str:
        tables.append(m.group(0))
        return f"\n\x00TABLE{len(tables) - 1}\x00\n"

    lines = _TABLE_RE.sub(keep, text).splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if m := re.fullmatch(r"\x00TABLE(\d+)\x00", stripped):
            flush()
            blocks.append(table_block(tables[int(m.group(1))], page))
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            flush()
            j = i
            while j < len(lines) and lines[j].strip().startswith("|"):
                j += 1
            blocks.append(table_block(_pipe_table_html(lines[i:j]), page))
            i = j
            continue
        elif m := _MD_HEADING.match(stripped):
            flush()
            if t := _strip_md(m.group(2)):
                blocks.append(Block("heading", t, page=page, level=len(m.group(1))))
        elif m := _MD_LIST.match(line):
            flush()
            if t := _strip_md(m.group(1)):
                blocks.append(Block("list_item", t, page=page))
        elif not stripped or re.fullmatch(r"-{3,}|\*{3,}|_{3,}", stripped):
            flush()
        else:
            para.append(stripped)
        i += 1
    flush()
    return blocks


def plain_text_blocks(text: str, page: int | None = None) -> list[Block]:
    """Blocks from plain text: paragraphs split on blank lines; bulleted lines are list items."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text):
        lines = [ln.strip() for ln in chunk.splitlines() if ln.strip()]
        if lines and all(is_list_item(ln) for ln in lines):
            blocks.extend(Block("list_item", ln, page=page) for ln in lines)
        elif lines:
            blocks.append(Block("paragraph", " ".join(lines), page=page))
    return blocks


def assign_section_paths(blocks: list[Block]) -> list[Block]:
    """Set each block's ``section_path`` to the texts of the headings it lies under (outermost
    first). A heading's own path ends with itself. Headings without a level count as level 1."""
    stack: list[tuple[int, str]] = []
    for b in blocks:
        if b.kind == "heading":
            level = b.level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, b.text))
        b.section_path = [t for _, t in stack]
    return blocks


def blocks_text(blocks: list[Block]) -> str:
    """Document text in reading order: block texts separated by a blank line."""
    return "\n\n".join(b.text for b in blocks if b.text.strip())
