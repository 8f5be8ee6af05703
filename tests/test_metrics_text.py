"""Text metrics (rag_eval_assets.lib.metrics.text): the jiwer seed example, edge cases,
order-free error rates (FUNSD from evaldata), completeness and heading order."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from rag_eval_assets.lib.goldens import load_funsd, reading_order_text
from rag_eval_assets.lib.metrics.text import (
    cer,
    completeness,
    heading_order,
    normalize,
    order_free_cer,
    order_free_wer,
    over_extraction,
    wer,
)

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed_examples" / "cer_wer.json"


def test_seed_example_cer_wer() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed example {SEED} is absent (check out ../shared/seed_examples)")
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    (reference,), (hypothesis,) = seed["references"], seed["hypotheses"]
    digits = seed["rounding"]
    assert round(cer(reference, hypothesis), digits) == seed["expected"]["cer"] == 0.105
    assert round(wer(reference, hypothesis), digits) == seed["expected"]["wer"] == 0.286
    assert cer(reference, hypothesis) == pytest.approx(4 / 38)


def test_normalize() -> None:
    assert normalize("  Cafe\u0301 \n\t au\u00a0lait  ") == "Caf\u00e9 au lait"  # NFC, NBSP is whitespace
    assert normalize("ABC def") == "ABC def"  # case kept
    with pytest.raises(TypeError):
        normalize(None)  # type: ignore[arg-type]


def test_layout_whitespace_and_composition_are_free() -> None:
    assert cer("line one\nline two", "line one  line   two ") == 0.0
    assert wer("line one\nline two", "line\tone line two") == 0.0
    assert cer("caf\u00e9", "cafe\u0301") == 0.0  # same text, decomposed accent
    assert cer("Case", "case") == pytest.approx(0.25)  # case counts


def test_empty_reference_convention() -> None:
    assert cer("", "") == wer("", "") == 0.0
    assert cer(" \n ", "\t") == 0.0  # whitespace-only is empty after normalization
    assert cer("", "abc") == 3.0 and wer("", "two words") == 2.0  # insertions / max(N, 1)
    assert cer("abc", "") == wer("a b", "") == 1.0  # all deleted
    assert isinstance(cer("", "x"), float)


def test_order_free_wer() -> None:
    assert wer("a b c", "c a b") > 0.0
    assert order_free_wer("a b c", "c a b") == 0.0
    assert order_free_wer(["a", "a", "b"], ["b", "a", "b"]) == pytest.approx(1 / 3)  # multiset: one a missing
    assert order_free_wer("a b", "a b c d") == 1.0  # two insertions over two words
    assert order_free_wer("a b c d", "x") == 1.0  # 1 substitution + 3 deletions
    assert order_free_wer(["two words", "three"], "three two words") == 0.0  # items are split
    assert order_free_wer([], []) == 0.0 and order_free_wer([], ["x"]) == 1.0
    rng = random.Random(3)
    vocabulary = ["alpha", "beta", "gamma", "delta", "eps"]
    for _ in range(200):  # the best reordering can only help: a lower bound of WER
        ref = " ".join(rng.choices(vocabulary, k=rng.randint(1, 8)))
        hyp = " ".join(rng.choices(vocabulary, k=rng.randint(0, 8)))
        assert order_free_wer(ref, hyp) <= wer(ref, hyp) + 1e-12


def test_order_free_cer() -> None:
    assert order_free_cer("hello world", "world hello") == 0.0
    assert order_free_cer("hello world", "world helo") == pytest.approx(cer("hello world", "helo world"))
    assert order_free_cer("hello world", "world helo") == pytest.approx(1 / 11)
    assert order_free_cer("", "") == 0.0 and order_free_cer("", "ab") == 2.0


@pytest.mark.evaldata
def test_order_free_scores_on_funsd_without_reading_order(evaldata: Path) -> None:
    pages = load_funsd(evaldata / "ocr" / "funsd")
    assert len(pages) >= 20
    rng = random.Random(0)
    for page in list(pages.values())[:5]:
        words = [w.text for w in page.words if w.text.strip()]
        shuffled = rng.sample(words, len(words))
        ordered = reading_order_text(page.words)
        assert order_free_wer(words, shuffled) == 0.0
        assert order_free_wer(words, ordered) == 0.0  # same words, another order
        assert order_free_cer(words, " ".join(shuffled)) == 0.0
        n_tokens = len(" ".join(words).split())
        dropped = " ".join(shuffled[1:])
        assert order_free_wer(words, dropped) == pytest.approx(len(shuffled[0].split()) / n_tokens)
        assert wer(" ".join(words), " ".join(shuffled)) > 0.1  # order-sensitive WER punishes order


def test_completeness_and_over_extraction() -> None:
    assert completeness("abc def", "abc def") == 1.0
    assert completeness("abc def", "abc") == 0.5  # 3 of 6 non-whitespace characters
    assert completeness("a b c", "abc") == 1.0  # whitespace does not count
    assert completeness("abc", "abcabc") == 2.0
    assert completeness("", "") == 1.0 and completeness("", "ab c") == math.inf
    assert completeness("abc", "") == 0.0
    assert not over_extraction("abcdefghij", "abcdefghijk")  # 1.1: within the 10 % tolerance
    assert over_extraction("abcdefghij", "abcdefghijkl")  # 1.2
    assert over_extraction("abcdefghij", "abcdefghijk", tolerance=0.05)
    assert over_extraction("", "x") and not over_extraction("", "")
    assert not over_extraction("abc", "a")  # missing text is completeness, not over-extraction
    with pytest.raises(ValueError):
        over_extraction("a", "a", tolerance=-0.1)


def test_heading_order() -> None:
    ref = ["Introduction", "Methods", "Results"]
    assert heading_order(ref, ref) == 1.0
    assert heading_order(ref, ["Abstract", "Introduction", "Methods", "Appendix", "Results"]) == 1.0  # extras free
    assert heading_order(ref, ["Methods", "Introduction", "Results"]) == pytest.approx(2 / 3)
    assert heading_order(ref, ["Results", "Methods", "Introduction"]) == pytest.approx(1 / 3)
    assert heading_order(ref, ["Introduction", "Results"]) == pytest.approx(2 / 3)  # one missing
    assert heading_order(ref, []) == 0.0
    assert heading_order([], ["Anything"]) == 1.0
    # fuzzy: normalized, casefolded, CER <= 0.1 of the reference heading
    assert heading_order(["Introduction"], ["  INTRODUCTION\n"]) == 1.0
    assert heading_order(["Introduction"], ["Intrduction"]) == 1.0  # 1 edit / 12 characters
    assert heading_order(["Methods"], ["Method"]) == 0.0  # 1 edit / 7 characters > 0.1
    assert heading_order(["Methods"], ["Method"], max_cer=0.2) == 1.0
    assert heading_order(["A", "A", "B"], ["A", "B", "A"]) == pytest.approx(2 / 3)  # duplicates count once each
