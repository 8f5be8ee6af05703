"""Recursive splitting with size and overlap in tokens (LangChain's recursive splitter, on
character spans so offsets stay exact).

A span longer than ``size`` tokens is cut at the coarsest separator present in it: blank line,
line break, sentence end, whitespace; pieces still too long are cut at the next finer one, and
a single run of more than ``size`` tokens is cut between tokens. Pieces are then merged greedily
into chunks of at most ``size`` tokens. Each new chunk starts with the trailing whole pieces of
the previous chunk that together hold at most ``overlap`` tokens (so the overlap is ≤
``overlap`` tokens, and 0 when the last piece alone is longer).
"""

from __future__ import annotations

import re

from rag_eval_assets.lib.chunking.model import trim
from rag_eval_assets.lib.chunking.tokens import TokenIndex

SEPARATORS = (re.compile(r"\n[ \t]*\n\s*"), re.compile(r"\n\s*"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))
Span = tuple[int, int]


def _pieces(text: str, tokens: TokenIndex, start: int, end: int, size: int, level: int = 0) -> list[Span]:
    """Trimmed spans of at most ``size`` tokens covering ``text[start:end]``'s non-space text."""
    start, end = trim(text, start, end)
    if end <= start:
        return []
    if tokens.count(start, end) <= size:
        return [(start, end)]
    if level == len(SEPARATORS):
        toks = tokens.tokens_in(start, end)
        return [(toks[i][0], toks[min(i + size, len(toks)) - 1][1]) for i in range(0, len(toks), size)]
    cuts = [m for m in SEPARATORS[level].finditer(text, start, end)]
    if not cuts:
        return _pieces(text, tokens, start, end, size, level + 1)
    out: list[Span] = []
    pos = start
    for m in [*cuts, None]:
        stop = end if m is None else m.start()
        out.extend(_pieces(text, tokens, pos, stop, size, level + 1))
        pos = end if m is None else m.end()
    return out


def recursive_spans(text: str, tokens: TokenIndex, size: int = 256, overlap: int = 32,
                    start: int = 0, end: int | None = None) -> list[Span]:
    """Chunk spans of ``text[start:end]``: ≤ ``size`` tokens each, ≤ ``overlap`` shared tokens."""
    if size < 1 or not 0 <= overlap < size:
        raise ValueError(f"need size >= 1 and 0 <= overlap < size, got size={size}, overlap={overlap}")
    pieces = _pieces(text, tokens, start, len(text) if end is None else end, size)
    chunks: list[Span] = []
    current: list[Span] = []
    for piece in pieces:
        if current and tokens.count(current[0][0], piece[1]) > size:
            chunks.append((current[0][0], current[-1][1]))
            keep: list[Span] = []
            for prev in reversed(current):
                if tokens.count(prev[0], current[-1][1]) > overlap or tokens.count(prev[0], piece[1]) > size:
                    break
                keep.insert(0, prev)
            current = keep
        current.append(piece)
    if current:
        chunks.append((current[0][0], current[-1][1]))
    return chunks
