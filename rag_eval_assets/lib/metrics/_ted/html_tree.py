"""PubTabNet's table tree, built from HTML exactly as its reference ``metric.py`` builds it.

- parsing: libxml2's HTML parser with ``remove_comments=True, encoding="utf-8"``, the parser
  the reference builds (it passes it to ``lxml.html.fromstring`` positionally, i.e. as
  ``base_url``, which lxml 6 rejects with TypeError: we use the parser it meant);
- the table: the first ``body/table`` (the reference's choice); where the reference finds none
  (a bare ``<table>`` fragment is *not* under ``body`` for ``lxml.html.fromstring``, a table
  inside a ``div``) we parse the input as a document and take the first ``<table>`` anywhere;
- nodes: every element below the table, in document order, except that a ``td`` is a leaf;
  ``thead``/``tbody``/``tr``/``th``/``b``... are nodes like any other, as written (lxml does not
  insert a missing ``tbody``, so ``<table><tr>`` and ``<table><tbody><tr>`` differ by a node;
  a ``th`` is not a cell: its text is ignored and its inline elements are tree nodes);
- a ``td`` carries ``colspan``/``rowspan`` (default 1) and its content tokens: the characters of
  its text, ``<tag>`` / ``</tag>`` for each descendant element with their text and tails
  (``structure_only``: no tokens); kept as pieces, text runs (one token per character) and
  ``Tag`` tokens, so that nothing is done per character in Python;
- node count for normalisation: ``len(table.xpath(".//*"))`` on both sides, i.e. descendants
  of the table including the elements inside cells (which are not tree nodes).
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

# The reference uses lxml.html.HTMLParser with these options; etree's parser builds the same
# tree without lxml.html's per-element class lookup.
_PARSER = etree.HTMLParser(remove_comments=True, encoding="utf-8")


class Tag(str):
    """A tag token of a cell (``<b>``, ``</b>``): one token, where a text run is one per character."""


@dataclass(frozen=True)
class TableTree:
    """Nodes in preorder (root = the ``<table>``, id 0)."""

    keys: list[tuple[object, int | None, int | None]]  # (tag, colspan, rowspan); spans only on td
    cells: list[tuple[str, ...] | None]  # td content as text runs and Tag tokens; None off td
    children: list[list[int]]
    n_elements: int  # the reference's node count: elements below the table


def find_table(markup: str) -> etree._Element:
    """The table element the reference would score, else the first ``<table>``; ValueError if none."""
    if not isinstance(markup, str):
        raise TypeError(f"expected HTML as str, got {type(markup).__name__}")
    if not markup.strip():
        raise ValueError("empty HTML: there is no table to score")
    try:
        document = etree.fromstring(markup, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        raise ValueError(f"unparseable HTML ({error}): {markup[:60]!r}") from error
    if document is None:
        raise ValueError(f"unparseable HTML (no element): {markup[:60]!r}")
    tables = document.xpath("body/table") or document.xpath("//table")
    if not tables:
        raise ValueError(f"no <table> element in the HTML: {markup[:60]!r}")
    return tables[0]


def _tokens(node: etree._Element, out: list[str]) -> None:
    out.append(Tag(f"<{node.tag}>"))
    if node.text:
        out.append(node.text)
    for child in node:
        _tokens(child, out)
    if node.tag != "unk":
        out.append(Tag(f"</{node.tag}>"))
    if node.tag != "td" and node.tail:
        out.append(node.tail)


def _span(node: etree._Element, name: str) -> int:
    value = node.attrib.get(name, "1")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"<td {name}={value!r}> is not an integer") from None


def table_tree(markup: str, structure_only: bool = False) -> TableTree:
    """The tree of the scored table of ``markup`` (see the module docstring)."""
    table = find_table(markup)
    tree = TableTree([], [], [], len(table.xpath(".//*")))
    stack: list[tuple[etree._Element, int]] = [(table, -1)]
    while stack:
        node, parent = stack.pop()
        index = len(tree.keys)
        tree.children.append([])
        if parent >= 0:
            tree.children[parent].append(index)
        if node.tag == "td":
            tokens: list[str] = []
            if not structure_only:
                if node.text:
                    tokens.append(node.text)
                for child in node:
                    _tokens(child, tokens)
            tree.keys.append(("td", _span(node, "colspan"), _span(node, "rowspan")))
            tree.cells.append(tuple(tokens))
        else:
            tree.keys.append((node.tag, None, None))
            tree.cells.append(None)
            stack.extend((child, index) for child in reversed(node))
    return tree
