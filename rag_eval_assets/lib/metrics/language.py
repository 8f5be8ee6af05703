"""Language identification: per-language precision / recall / F1 and macro-F1 against labels.

Inputs are plain mappings ``{id: ISO 639-1 code}``: ``reference`` (gold) and ``hypothesis``
(predicted; a value may be ``None`` = undetermined). Only ids of the reference are scored: an
id missing from the hypothesis, or predicted ``None``, is a miss (it lowers recall of its gold
language and no language's precision). Predictions for ids without a label are ignored.

For each language ``l``: ``P = tp / (tp + fp)``, ``R = tp / (tp + fn)``, ``F1 = 2PR / (P + R)``,
with 0.0 where a denominator is 0 (scikit-learn's ``zero_division=0``). The languages scored
are those of the reference plus those predicted for a scored id (scikit-learn's default
``labels``), so a wrongly predicted language enters the macro average with F1 = 0.
Macro-F1 is the unweighted mean over those languages; NaN when the reference is empty.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping
from typing import NamedTuple

__all__ = ["LanguageScores", "PerLanguage", "accuracy", "language_scores", "macro_f1"]


class PerLanguage(NamedTuple):
    precision: float
    recall: float
    f1: float
    support: int  # gold documents of this language


class LanguageScores(NamedTuple):
    per_language: dict[str, PerLanguage]
    macro_f1: float
    accuracy: float  # share of reference ids predicted exactly; NaN for an empty reference


def _div(a: int, b: int) -> float:
    return a / b if b else 0.0


def language_scores(reference: Mapping[str, str], hypothesis: Mapping[str, str | None]) -> LanguageScores:
    """Per-language P/R/F1, macro-F1 and accuracy (formulas and edge cases in the module doc)."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for doc_id, gold in reference.items():
        predicted = hypothesis.get(doc_id)
        if predicted == gold:
            tp[gold] += 1
            continue
        fn[gold] += 1
        if predicted is not None:
            fp[predicted] += 1
    support = Counter(reference.values())
    per_language: dict[str, PerLanguage] = {}
    for lang in sorted(set(support) | set(fp)):
        p, r = _div(tp[lang], tp[lang] + fp[lang]), _div(tp[lang], tp[lang] + fn[lang])
        per_language[lang] = PerLanguage(p, r, 0.0 if p + r == 0 else 2 * p * r / (p + r), support[lang])
    if not reference:
        return LanguageScores({}, float("nan"), float("nan"))
    macro = statistics.fmean(s.f1 for s in per_language.values())
    return LanguageScores(per_language, macro, sum(tp.values()) / len(reference))


def macro_f1(reference: Mapping[str, str], hypothesis: Mapping[str, str | None]) -> float:
    """Unweighted mean of per-language F1 (``language_scores(...).macro_f1``)."""
    return language_scores(reference, hypothesis).macro_f1


def accuracy(reference: Mapping[str, str], hypothesis: Mapping[str, str | None]) -> float:
    """Share of reference ids whose prediction equals the label; NaN for an empty reference."""
    return language_scores(reference, hypothesis).accuracy
