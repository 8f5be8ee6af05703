"""Structural chunking: cut on headings, pack blocks up to a token budget, never split a table,
a list or a run of numbered items.

Each located block owns the text from its start to the next located block's start (so text
the parser did not type still lands in a chunk). Rules, in order:
- a heading closes the current chunk and opens a new one (consecutive headings stay together);
- a table is a chunk of its own;
- a list (adjacent list items) or numbered run is atomic: it joins the current chunk if it
  fits, else it starts a chunk; alone it may exceed ``max_tokens`` (it is never cut);
- other blocks are packed while the chunk stays ≤ ``max_tokens``; a single block longer than
  that is cut by the recursive splitter (no overlap).
Page and section path of a chunk are those of its first block. When no block can be located
in the text, the text is cut by the recursive splitter alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rag_eval_assets.lib.chunking.model import BlockSpan, protected_units, trim
from rag_eval_assets.lib.chunking.recursive import recursive_spans
from rag_eval_assets.lib.chunking.tokens import TokenIndex


@dataclass
class _Piece:
    kind: str  # heading | table | list | numbered | text
    start: int
    end: int
    first: BlockSpan


@dataclass
class StructuralSpan:
    start: int
    end: int
    kind: str
    first: BlockSpan | None  # None: no block could be located in the text


def _pieces(text: str, spans: Sequence[BlockSpan]) -> list[_Piece]:
    """Located blocks extended to the next block's start, with list/numbered runs merged."""
    units = {u.start: u for u in protected_units(spans)}
    pieces: list[_Piece] = []
    i = 0
    while i < len(spans):
        bs = spans[i]
        unit = units.get(bs.start)
        j = i
        if unit is not None:
            while j + 1 < len(spans) and spans[j + 1].end <= unit.end:
                j += 1
        kind = unit.kind if unit else ("heading" if bs.block.kind == "heading" else "text")
        stop = spans[j + 1].start if j + 1 < len(spans) else len(text)
        start, end = trim(text, bs.start, stop)
        if end > start:
            pieces.append(_Piece(kind, start, end, bs))
        i = j + 1
    return pieces


def structural_spans(text: str, spans: Sequence[BlockSpan], tokens: TokenIndex,
                     max_tokens: int = 256) -> list[StructuralSpan]:
    """Chunk spans of ``text`` from its located blocks (see module docstring)."""
    out: list[StructuralSpan] = []
    current: list[_Piece] = []

    def close() -> None:
        if current:
            kinds = {p.kind for p in current} - {"heading"}
            kind = kinds.pop() if len(kinds) == 1 and kinds <= {"list", "numbered"} else "text"
            out.append(StructuralSpan(current[0].start, current[-1].end, kind, current[0].first))
            current.clear()

    if not spans:  # no block found in the text: plain recursive cuts, no structure to keep
        return [StructuralSpan(a, b, "text", None) for a, b in recursive_spans(text, tokens, max_tokens, 0)]
    pieces = _pieces(text, spans)
    if spans:  # text before the first block is a prose preamble
        s, e = trim(text, 0, spans[0].start)
        if e > s:
            pieces.insert(0, _Piece("text", s, e, spans[0]))
    for piece in pieces:
        headings_only = bool(current) and all(p.kind == "heading" for p in current)
        fits = not current or tokens.count(current[0].start, piece.end) <= max_tokens
        if piece.kind == "heading":
            if not headings_only:
                close()
            current.append(piece)
        elif piece.kind == "table":
            close()
            out.append(StructuralSpan(piece.start, piece.end, "table", piece.first))
        elif piece.kind == "text" and tokens.count(piece.start, piece.end) > max_tokens:
            # one prose block over budget: recursive cuts (a heading-only chunk rides along)
            first = current[0] if headings_only else piece
            if not headings_only:
                close()
            current.clear()
            out.extend(StructuralSpan(a, b, "text", first.first)
                       for a, b in recursive_spans(text, tokens, max_tokens, 0, first.start, piece.end))
        elif fits or (headings_only and piece.kind in ("list", "numbered")):
            current.append(piece)
        else:
            close()
            current.append(piece)
    close()
    return out
