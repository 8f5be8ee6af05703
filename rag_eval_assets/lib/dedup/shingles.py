"""Text normalization, exact-duplicate hashing, shingling and exact set similarities.

Normalization (the exact-duplicate rule, also applied before shingling):

1. Unicode NFKC (compatibility forms fold: ``ﬁ`` -> ``fi``, full-width -> ASCII, NBSP -> space);
2. ``str.casefold()`` (stronger than ``lower()``: ``ß`` -> ``ss``);
3. every run of whitespace (``str.split()`` semantics: spaces, tabs, newlines, NBSP, ...) becomes
   one space; leading and trailing whitespace is dropped.

Two documents are *exact duplicates* when the SHA-256 of their normalized UTF-8 text is equal.
Punctuation, digits and word order still count, so ``"a b."`` and ``"a b!"`` are not exact
duplicates (they are near-duplicates).

Shingles are sets. Word shingles: tokens are ``\\w+`` runs of the normalized text (punctuation
dropped), a shingle is ``k`` consecutive tokens joined by one space; a text with fewer than ``k``
tokens gives one shingle of all its tokens, an empty text gives the empty set. Character shingles:
every ``k``-character substring of the normalized text (whole text when shorter).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Set as AbstractSet
from typing import Literal

ShingleUnit = Literal["word", "char"]
_WORD = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """NFKC, casefold, collapse whitespace to single spaces, strip."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def content_hash(text: str) -> str:
    """Hex SHA-256 of the normalized text: equal hashes <=> exact duplicates."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def word_shingles(text: str, k: int) -> set[str]:
    """Set of word ``k``-shingles of the normalized text (see the module docstring)."""
    _check_k(k)
    tokens = _WORD.findall(normalize_text(text))
    if len(tokens) <= k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i:i + k]) for i in range(len(tokens) - k + 1)}


def char_shingles(text: str, k: int) -> set[str]:
    """Set of character ``k``-grams of the normalized text (see the module docstring)."""
    _check_k(k)
    norm = normalize_text(text)
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i:i + k] for i in range(len(norm) - k + 1)}


def shingle_set(text: str, k: int, unit: ShingleUnit = "word") -> set[str]:
    """Word or character ``k``-shingles, by ``unit``."""
    if unit == "word":
        return word_shingles(text, k)
    if unit == "char":
        return char_shingles(text, k)
    raise ValueError(f"unit must be 'word' or 'char', got {unit!r}")


def jaccard(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Resemblance ``|A ∩ B| / |A ∪ B|``; two empty sets give 0.0 (nothing to compare)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def containment(a: AbstractSet[str], b: AbstractSet[str]) -> float:
    """Containment of the *smaller* set in the other: ``|A ∩ B| / min(|A|, |B|)``.

    Symmetric by construction (the shorter document is the possible excerpt); an empty set
    gives 0.0.
    """
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def _check_k(k: int) -> None:
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"shingle size k must be a positive int, got {k!r}")
