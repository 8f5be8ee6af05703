"""Text extraction metrics: CER / WER, order-free error rates, completeness, heading order.

Every function takes ``(reference, hypothesis)`` (jiwer's order) and compares *normalized*
text (``normalize``: Unicode NFC, whitespace runs collapsed to one space, stripped, case kept),
so a parser is not charged for line breaks or indentation.

Empty reference (after normalization), convention of jiwer 4.0 for the error rates: errors
are divided by 1 instead of 0, so ``cer("", "")`` is 0.0 and ``cer("", "abc")`` is 3.0 (three
spurious characters): finite, never raising. ``completeness`` is a ratio, not an error rate:
there it is ``inf`` (everything extracted is extra). Non-string input raises TypeError.
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

import jiwer
from rapidfuzz.distance import Levenshtein

__all__ = [
    "cer",
    "completeness",
    "heading_order",
    "normalize",
    "order_free_cer",
    "order_free_wer",
    "over_extraction",
    "wer",
]


def normalize(text: str) -> str:
    """Unicode NFC, every whitespace run (``str.split``) collapsed to one space, stripped; case kept."""
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    return " ".join(unicodedata.normalize("NFC", text).split())


def _rate(errors: int, reference_units: int) -> float:
    """``errors / max(reference_units, 1)``: the empty-reference convention of this module."""
    return float(errors) / max(reference_units, 1)


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate ``(S + D + I) / N`` over normalized text (spaces count), via jiwer.

    Empty reference: 0.0 if the hypothesis is empty too, else ``len(hypothesis)`` (all inserted).
    """
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return _rate(len(hyp), 0)
    return float(jiwer.cer(ref, hyp))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate ``(S + D + I) / N`` over whitespace-separated normalized words, via jiwer.

    Empty reference: 0.0 if the hypothesis is empty too, else its number of words (all inserted).
    """
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return _rate(len(hyp.split()), 0)
    return float(jiwer.wer(ref, hyp))


# ---------------------------------------------------------------- order-free (no reading order)

def _words(text: str | Iterable[str]) -> list[str]:
    if isinstance(text, str):
        return normalize(text).split()
    return [word for item in text for word in normalize(item).split()]


def _bag_error(reference: Sequence[str], hypothesis: Sequence[str]) -> float:
    """``(max(N, M) - |ref ∩ hyp|) / max(N, 1)`` with multiset intersection."""
    hits = sum((Counter(reference) & Counter(hypothesis)).values())
    return _rate(max(len(reference), len(hypothesis)) - hits, len(reference))


def order_free_wer(reference_words: str | Iterable[str], hypothesis_words: str | Iterable[str]) -> float:
    """WER when word order does not count (references without reading order, e.g. FUNSD).

    ``(max(N, M) - H) / N`` where N, M are the reference / hypothesis word counts and H the size
    of their multiset intersection: the WER of the best reordering of the hypothesis (unmatched
    words pair up as substitutions, the surplus are insertions or deletions), hence a lower
    bound of ``wer``. A string is normalized and split on whitespace; an iterable of words is
    taken word by word (each normalized and split). Empty reference: as ``wer``.
    """
    return _bag_error(_words(reference_words), _words(hypothesis_words))


def order_free_cer(reference_words: str | Iterable[str], hypothesis_words: str | Iterable[str]) -> float:
    """CER when the order of words does not count: ``cer`` of the two word lists sorted.

    Both sides are split into words as in ``order_free_wer``, sorted (code point order) and
    joined by single spaces, so only the order of whole words is forgiven: a misspelt word
    still costs its character edits. (It may sort a misspelt word elsewhere, so this is not an
    exact minimum over orders; ``order_free_wer`` is.) Empty reference: as ``cer``.
    """
    return cer(" ".join(sorted(_words(reference_words))), " ".join(sorted(_words(hypothesis_words))))


# ---------------------------------------------------------------- completeness

def _visible_chars(text: str) -> int:
    normalized = normalize(text)  # its only whitespace is single spaces
    return len(normalized) - normalized.count(" ")


def completeness(reference: str, hypothesis: str) -> float:
    """Extracted / expected characters: ``chars(hypothesis) / chars(reference)``.

    Characters are the non-whitespace characters of the normalized text. 1.0 = as much text
    as expected; below 1 = text lost; above 1 = more text than expected (duplicated pages,
    headers repeated, hallucinated OCR). It counts, it does not align: pair it with ``cer``.
    Empty reference: 1.0 if the hypothesis is empty too, else ``inf``.
    """
    expected, extracted = _visible_chars(reference), _visible_chars(hypothesis)
    if expected == 0:
        return 1.0 if extracted == 0 else math.inf
    return extracted / expected


def over_extraction(reference: str, hypothesis: str, tolerance: float = 0.1) -> bool:
    """True when more text was extracted than expected: ``chars(hyp) > (1 + tolerance) * chars(ref)``,
    i.e. ``completeness > 1 + tolerance`` (any text over an empty reference is over-extraction).

    The default 10 % absorbs ligatures, hyphenation and bullet glyphs a parser may add.
    """
    if tolerance < 0:
        raise ValueError(f"tolerance must be >= 0, got {tolerance}")
    return _visible_chars(hypothesis) > (1.0 + tolerance) * _visible_chars(reference)


# ---------------------------------------------------------------- headings

def _heading_key(text: str) -> str:
    return normalize(text).casefold()


def heading_order(reference_headings: Sequence[str], hypothesis_headings: Sequence[str],
                  max_cer: float = 0.1) -> float:
    """Heading-order preservation: ``LCS(reference, hypothesis) / len(reference)``.

    LCS is the longest common subsequence of the two heading lists, where two headings match
    when their normalized, casefolded texts are equal or within ``max_cer`` character error
    rate (Levenshtein distance / reference heading length; default 0.1 tolerates one OCR slip
    in ten characters). 1.0 = every reference heading found, in the reference order; missing,
    extra-interleaved or reordered headings lower it. Empty reference: 1.0 (nothing to find).
    """
    if not reference_headings:
        return 1.0
    refs = [_heading_key(h) for h in reference_headings]
    hyps = [_heading_key(h) for h in hypothesis_headings]

    def match(ref: str, hyp: str) -> bool:
        return ref == hyp or Levenshtein.distance(ref, hyp) <= max_cer * len(ref)

    previous = [0] * (len(hyps) + 1)
    for ref in refs:
        current = [0] * (len(hyps) + 1)
        for j, hyp in enumerate(hyps, start=1):
            current[j] = previous[j - 1] + 1 if match(ref, hyp) else max(previous[j], current[j - 1])
        previous = current
    return previous[-1] / len(refs)
