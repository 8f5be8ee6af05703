"""Plain data records of the sample generator: blocks, tables, facts, PII spans, documents."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from rag_eval_assets.lib.documents import doc_id_for

Span = tuple[int, int, int, int]  # (row0, col0, row1, col1), inclusive


@dataclass(frozen=True)
class TableSpec:
    """A table as a full grid of cell texts; cells covered by a span are empty strings."""

    cells: tuple[tuple[str, ...], ...]
    spans: tuple[Span, ...] = ()
    header_rows: int = 1
    title: str = ""
    layout: str = "grid"  # grid | borderless | rotated (drawn sideways on a page of its own)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0])

    def covered(self) -> set[tuple[int, int]]:
        """Grid positions hidden by a span (every cell of a span except its top-left origin)."""
        out: set[tuple[int, int]] = set()
        for r0, c0, r1, c1 in self.spans:
            out |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)} - {(r0, c0)}
        return out

    def extent(self, row: int, col: int) -> tuple[int, int]:
        """(rowspan, colspan) of the cell whose origin is (row, col)."""
        for r0, c0, r1, c1 in self.spans:
            if (r0, c0) == (row, col):
                return r1 - r0 + 1, c1 - c0 + 1
        return 1, 1

    def drawn_rows(self) -> list[list[str]]:
        """Non-empty texts actually drawn, row by row (a span's text is drawn once)."""
        hidden = self.covered()
        return [
            [text for c, text in enumerate(row) if (r, c) not in hidden and text]
            for r, row in enumerate(self.cells)
        ]

    def ref_text(self) -> str:
        """Reference text: cells row-major separated by a space, rows by a newline."""
        return "\n".join(" ".join(row) for row in self.drawn_rows() if row)

    def to_html(self) -> str:
        """PubTabNet-style HTML (``td`` only, colspan/rowspan attributes)."""
        hidden = self.covered()

        def row_html(r: int) -> str:
            tds = []
            for c, text in enumerate(self.cells[r]):
                if (r, c) in hidden:
                    continue
                rs, cs = self.extent(r, c)
                attrs = (f' colspan="{cs}"' if cs > 1 else "") + (f' rowspan="{rs}"' if rs > 1 else "")
                tds.append(f"<td{attrs}>{html.escape(text, quote=False)}</td>")
            return "<tr>" + "".join(tds) + "</tr>"

        head = "".join(row_html(r) for r in range(self.header_rows))
        body = "".join(row_html(r) for r in range(self.header_rows, self.n_rows))
        return f"<table><thead>{head}</thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class FigureSpec:
    """A chart drawn as vector graphics; its labels are drawn text but not reference text."""

    kind: str  # "bar" | "line"
    labels: tuple[str, ...]  # category labels under the x axis
    values: tuple[float, ...]
    unit: str  # axis title

    def drawn_labels(self) -> list[str]:
        """Every string the figure draws (excluded from the reference text)."""
        return [self.unit, *self.labels, *(f"{v:g}" for v in self.values)]


@dataclass(frozen=True)
class Block:
    """One unit of reading order: a heading, a paragraph, a list item, a table or a figure
    (whose reference text is its caption)."""

    kind: str  # "heading" | "paragraph" | "item" | "table" | "figure"
    text: str = ""
    level: int = 0
    marker: str = ""
    table: TableSpec | None = None
    lang: str = ""
    notes: tuple[tuple[int, int, str], ...] = ()  # footnotes: (start, end) of the mark in text, note text
    figure: FigureSpec | None = None

    @property
    def ref_text(self) -> str:
        if self.table is not None:
            return self.table.ref_text()
        return self.marker + self.text


def heading(text: str, level: int, lang: str = "") -> Block:
    return Block("heading", text, level=level, lang=lang)


def para(text: str, lang: str = "") -> Block:
    return Block("paragraph", text, lang=lang)


@dataclass(frozen=True)
class Fact:
    """A checkable statement placed in a document, with the question it answers."""

    key: tuple[str, ...]  # (product, version, attr, region)
    attr: str
    lang: str
    sentence: str
    question: str
    answer: str
    value: Any
    product: str
    version: str
    label: str = ""  # English label of the attribute (for comparison questions)


@dataclass(frozen=True)
class PiiSpan:
    start: int
    end: int
    entity_type: str
    value: str


@dataclass
class HtmlPage:
    """An HTML page as ordered regions of (tag, text) leaves; only ``main`` is article text."""

    lang: str
    title: str
    regions: list[tuple[str, list[tuple[str, str]]]]  # (region name, [(tag, text)])

    def blocks(self, region: str | None = None) -> list[tuple[str, str]]:
        return [leaf for name, leaves in self.regions if region in (None, name) for leaf in leaves]


@dataclass
class Doc:
    """A planned document: metadata, content and its ground truth (rendering fills ``pages``)."""

    relpath: str
    doc_class: str
    meta: dict[str, Any]  # tenant, locale, product, version, current, permitted
    title: str
    language: str
    blocks: list[Block] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    family: str | None = None
    role: str | None = None  # original | exact | light_edit | heavy_edit | same_topic
    html: HtmlPage | None = None
    raw_text: str | None = None
    pii: list[PiiSpan] = field(default_factory=list)
    pii_issued: list[tuple[str, str]] = field(default_factory=list)  # (entity, value) of every PII value written
    procedure: str | None = None  # title of the product procedure it contains, if any
    base: bool = True
    layout: dict[str, Any] = field(default_factory=dict)  # renderer options chosen when planning
    pages: list[list[int]] | None = None  # block indices per page, set by the PDF renderers
    page_refs: list[str] | None = None  # per-page reference texts when not just the page's blocks

    @property
    def doc_id(self) -> str:
        return doc_id_for(self.relpath)

    @property
    def ext(self) -> str:
        return self.relpath.rsplit(".", 1)[-1]

    def metadata(self) -> dict[str, Any]:
        """The ``_metadata.jsonl`` row of this document."""
        return {"path": self.relpath, "title": self.title, "doc_class": self.doc_class, **self.meta}

    def reference_text(self) -> str:
        """Reference text in reading order (see golden_sets/README.md)."""
        if self.raw_text is not None:
            return self.raw_text
        if self.html is not None:
            return "\n\n".join(text for _, text in self.html.blocks())
        if self.page_refs is not None:
            return "\n\n".join(text for text in self.page_refs if text)
        return "\n\n".join(b.ref_text for b in self.blocks)

    def page_texts(self) -> list[str]:
        """Per-page reference texts (PDFs only, after rendering)."""
        if self.page_refs is not None:
            return list(self.page_refs)
        return ["\n\n".join(self.blocks[i].ref_text for i in page) for page in self.pages or []]

    def headings(self) -> list[dict[str, Any]]:
        if self.html is not None:
            return [{"level": int(tag[1]), "text": text} for tag, text in self.html.blocks() if tag in ("h1", "h2", "h3")]
        return [{"level": b.level, "text": b.text} for b in self.blocks if b.kind == "heading"]

    def tables(self) -> list[TableSpec]:
        return [b.table for b in self.blocks if b.table is not None]
