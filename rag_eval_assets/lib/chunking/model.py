"""The chunk record and what every chunker shares: block location in the cleaned text,
protected units (tables, lists, numbered runs), sentence spans and span trimming.

Offsets are character offsets into the cleaned text: ``text[chunk.start:chunk.end] ==
chunk.text`` always holds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.parsers.structure import is_list_item

# "3.2 Scope", "(iv) ...", "12) ..." and the bullets/enumerators of parsers.structure
_NUMBERED = re.compile(r"^\s*(?:\(?\d+(?:\.\d+)+\.?\)?|\(?[ivxlc]{1,6}[.)])\s+\S", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")
_WORD = re.compile(r"\w+")
_MARKUP_ONLY = re.compile(r"[^\w\n]*")
_LOCATE_WINDOW = 4000  # chars searched past the previous block before searching the rest


@dataclass
class Chunk:
    """One chunk of a document: its text is ``cleaned_text[start:end]``."""

    doc_id: str
    chunk_id: str
    text: str
    start: int
    end: int
    page: int | None = None
    section_path: list[str] = field(default_factory=list)
    token_count: int = 0
    kind: str = "text"  # text | table | list | numbered
    strategy: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BlockSpan:
    """A block found in the cleaned text at ``[start, end)``."""

    block: Block
    start: int
    end: int


@dataclass(frozen=True)
class Unit:
    """A span that must stay inside one chunk: a table, a run of list items or numbered items."""

    kind: str  # table | list | numbered
    start: int
    end: int


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without leading/trailing whitespace (empty spans collapse to start)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _find(text: str, needle: str, start: int, stop: int) -> tuple[int, int] | None:
    pos = text.find(needle, start, stop)
    if pos >= 0:
        return pos, pos + len(needle)
    words = _WORD.findall(needle)
    if not words:
        return None
    m = re.compile(r"\W*".join(map(re.escape, words))).search(text, start, stop)
    if m is None:
        return None
    # take in markup around the words when it is all that shares their lines ("| a | b |")
    first, last = m.span()
    line_start = text.rfind("\n", start, first) + 1 or start
    line_end = text.find("\n", last, stop)
    line_end = stop if line_end < 0 else line_end
    if _MARKUP_ONLY.fullmatch(text, max(line_start, start), first):
        first = max(line_start, start)
    if _MARKUP_ONLY.fullmatch(text, last, line_end):
        last = line_end
    return trim(text, first, last)


def locate_blocks(text: str, blocks: Sequence[Block]) -> tuple[list[BlockSpan], list[Block]]:
    """Find each block in ``text`` in reading order: exact substring, else the block's words
    separated by any non-word characters (whitespace/markup changed by cleaning); first within
    a window after the previous block, then anywhere after it. Returns (located, not found)."""
    spans: list[BlockSpan] = []
    missing: list[Block] = []
    cursor = 0
    for block in blocks:
        needle = block.text.strip()
        if not needle:
            continue
        hit = _find(text, needle, cursor, min(len(text), cursor + _LOCATE_WINDOW + len(needle))) \
            or _find(text, needle, cursor, len(text))
        if hit is None:
            missing.append(block)
            continue
        spans.append(BlockSpan(block, *hit))
        cursor = hit[1]
    return spans, missing


def _unit_kind(block: Block) -> str | None:
    if block.kind == "table":
        return "table"
    if block.kind == "list_item":
        return "list"
    if block.kind != "heading" and (is_list_item(block.text) or _NUMBERED.match(block.text)):
        return "numbered"
    return None


def protected_units(spans: Sequence[BlockSpan]) -> list[Unit]:
    """Tables (each alone) and maximal runs of adjacent list items / numbered blocks."""
    units: list[Unit] = []
    last_index = -2  # index in ``spans`` of the last block added to ``units[-1]``
    for i, bs in enumerate(spans):
        kind = _unit_kind(bs.block)
        if kind is None:
            continue
        if kind != "table" and units and units[-1].kind == kind and last_index == i - 1:
            units[-1] = Unit(kind, units[-1].start, bs.end)
        else:
            units.append(Unit(kind, bs.start, bs.end))
        last_index = i
    return units


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of ``text[start:end]`` as trimmed spans: a cut after ``.!?`` (and closing
    quotes/brackets) followed by whitespace and an upper-case letter or digit, or at a blank line."""
    end = len(text) if end is None else end
    out, pos = [], start
    for m in _SENTENCE_END.finditer(text, start, end):
        s, e = trim(text, pos, m.start())
        if e > s:
            out.append((s, e))
        pos = m.end()
    s, e = trim(text, pos, end)
    if e > s:
        out.append((s, e))
    return out


class BlockLookup:
    """Page and section path at a text offset: those of the last located block starting at or
    before it (the first block's for offsets before any block); None / [] without blocks."""

    def __init__(self, spans: Sequence[BlockSpan]) -> None:
        self.spans = list(spans)
        self._starts = [s.start for s in self.spans]

    def at(self, offset: int) -> tuple[int | None, list[str]]:
        if not self.spans:
            return None, []
        block = self.spans[max(0, bisect_right(self._starts, offset) - 1)].block
        return block.page, list(block.section_path)
