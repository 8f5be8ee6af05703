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
``labels=`` fixes the languages scored instead (scikit-learn's ``labels``): e.g. the reference's
languages, so that one document detected as a language nobody labelled (an all-language detector
can say ``tn``) lowers its gold language's recall but does not add a zero-F1 class to the mean;
a label without support or prediction scores 0.0.

``out_of_ontology(hypothesis, ontology)`` counts documents whose detected language is not one of
the ontology's languages: ``share = outside / detected`` (undetermined ``None`` predictions are
not detected; 0.0 with ``detected == 0``), with the count per language.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Collection, Mapping
from typing import NamedTuple

__all__ = ["LanguageScores", "OutOfOntology", "PerLanguage", "accuracy", "language_scores", "macro_f1",
           "out_of_ontology"]


class PerLanguage(NamedTuple):
    precision: float
    recall: float
    f1: float
    support: int  # gold documents of this language


class LanguageScores(NamedTuple):
    per_language: dict[str, PerLanguage]
    macro_f1: float
    accuracy: float  # share of reference ids predicted exactly; NaN for an empty reference


class OutOfOntology(NamedTuple):
    detected: int  # documents with a detected language
    outside: int  # of those, in a language the ontology does not hold
    share: float  # outside / detected; 0.0 when nothing was detected
    languages: dict[str, int]  # outside language -> documents


def _div(a: int, b: int) -> float:
    return a / b if b else 0.0


def language_scores(reference: Mapping[str, str], hypothesis: Mapping[str, str | None],
                    labels: Collection[str] | None = None) -> LanguageScores:
    """Per-language P/R/F1, macro-F1 and accuracy (formulas and edge cases in the module doc);
    ``labels``: the languages scored (default: reference + predicted languages)."""
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
    for lang in sorted(set(support) | set(fp) if labels is None else set(labels)):
        p, r = _div(tp[lang], tp[lang] + fp[lang]), _div(tp[lang], tp[lang] + fn[lang])
        per_language[lang] = PerLanguage(p, r, 0.0 if p + r == 0 else 2 * p * r / (p + r), support[lang])
    if not reference:
        return LanguageScores({}, float("nan"), float("nan"))
    macro = statistics.fmean(s.f1 for s in per_language.values())
    return LanguageScores(per_language, macro, sum(tp.values()) / len(reference))


def out_of_ontology(hypothesis: Mapping[str, str | None], ontology: Collection[str]) -> OutOfOntology:
    """Documents detected in a language outside ``ontology`` (ISO 639-1 codes); see module doc."""
    detected = [lang for lang in hypothesis.values() if lang is not None]
    outside = Counter(lang for lang in detected if lang not in set(ontology))
    n = sum(outside.values())
    return OutOfOntology(len(detected), n, n / len(detected) if detected else 0.0, dict(sorted(outside.items())))


def macro_f1(reference: Mapping[str, str], hypothesis: Mapping[str, str | None]) -> float:
    """Unweighted mean of per-language F1 (``language_scores(...).macro_f1``)."""
    return language_scores(reference, hypothesis).macro_f1


def accuracy(reference: Mapping[str, str], hypothesis: Mapping[str, str | None]) -> float:
    """Share of reference ids whose prediction equals the label; NaN for an empty reference."""
    return language_scores(reference, hypothesis).accuracy
