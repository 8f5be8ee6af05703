"""Cleaning on real public data (../shared/evaldata; skipped when absent), numbers printed.

- boilerplate: scrapinghub AEB pages (P/R/F1 by AEB's own scoring, see metrics.boilerplate)
  and trafilatura's eval snippets (must-have found, must-not absent);
- language: lingua test data (sentences, word pairs, single words): the restricted detector on the
  ontology's languages, the default all-language detection on 13 major languages and on all 75;
- PII: presidio-research's synthetic set, per-entity span precision/recall.
Together ~45 s on 2 cores (presidio over 750 sentences and lingua over 75 languages are most of it).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from rag_eval_assets.lib.cleaning import (
    PII_ENTITIES,
    analyze_language,
    detect_language,
    detect_pii,
    extract_main_text,
    ontology_languages,
    to_ontology_language,
)
from rag_eval_assets.lib.goldens import load_aeb, load_presidio_spans
from rag_eval_assets.lib.metrics.boilerplate import CorpusPRF, corpus_prf, overlap
from rag_eval_assets.lib.metrics.language import language_scores
from rag_eval_assets.lib.metrics.pii import pii_span_scores, pii_token_scores

pytestmark = pytest.mark.evaldata


def _aeb_score(pages: dict[str, tuple[str, str]], extract, ngram: int = 4) -> CorpusPRF:
    return corpus_prf(overlap(reference, extract(html), ngram) for html, reference in pages.values())


def test_aeb_boilerplate_prf(evaldata: Path) -> None:
    import trafilatura

    pages = load_aeb(evaldata / "boilerplate" / "scrapinghub_aeb")
    scores = {mode: _aeb_score(pages, lambda html, m=mode: extract_main_text(html, m))
              for mode in ("balanced", "precision", "recall")}
    scores["trafilatura defaults"] = _aeb_score(pages, lambda html: trafilatura.extract(html) or "")
    scores["balanced, 1-gram"] = _aeb_score(pages, extract_main_text, ngram=1)
    print(f"\nAEB ({len(pages)} pages), AEB scoring (4-token shingles unless noted):")
    for name, s in scores.items():
        print(f"  {name:22} P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} mean F1={s.mean_f1:.3f}")
    ours = scores["balanced"]
    assert len(pages) >= 90
    assert ours.f1 >= 0.90 and ours.mean_f1 >= 0.90  # measured 0.965 / 0.958
    assert ours.f1 >= scores["trafilatura defaults"].f1  # never below trafilatura's defaults (0.953)
    assert scores["precision"].precision >= scores["recall"].precision  # the modes do what they say
    assert scores["recall"].recall >= scores["precision"].recall


def test_trafilatura_eval_snippets(evaldata: Path) -> None:
    folder = evaldata / "boilerplate" / "trafilatura_eval"
    cases = json.loads((folder / "evaldata_subset.json").read_text(encoding="utf-8"))
    found = wanted = absent = unwanted = 0
    for case in cases.values():
        with gzip.open(folder / "html" / case["file"], "rt", encoding="utf-8", errors="replace") as fh:
            text = " ".join(extract_main_text(fh.read()).split())
        found += sum(" ".join(s.split()) in text for s in case["with"])
        absent += sum(" ".join(s.split()) not in text for s in case["without"])
        wanted, unwanted = wanted + len(case["with"]), unwanted + len(case["without"])
    print(f"\ntrafilatura eval ({len(cases)} pages): must-have found {found}/{wanted} = {found / wanted:.3f}, "
          f"must-not absent {absent}/{unwanted} = {absent / unwanted:.3f}")
    assert found / wanted >= 0.88 and absent / unwanted >= 0.85  # measured 0.931 / 0.905


MAJOR_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "ru", "el", "nl", "pl", "zh", "ja", "ar")


def _lingua_samples(folder: Path, kind: str, languages=None) -> tuple[dict[str, str], dict[str, str]]:  # type: ignore[no-untyped-def]
    gold, texts = {}, {}
    for lang in languages or ontology_languages():
        lines = (folder / kind / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(line for line in lines if line.strip()):
            gold[f"{lang}:{i}"], texts[f"{lang}:{i}"] = lang, line
    return gold, texts


@pytest.mark.parametrize("kind, bound", [("sentences", 0.98), ("word-pairs", 0.90), ("single-words", 0.75)])
def test_lingua_macro_f1_restricted(evaldata: Path, kind: str, bound: float) -> None:
    """The restricted detector (``languages=`` the ontology's) on the ontology's languages only:
    what it was built for; it mislabels every other language (next test)."""
    gold, texts = _lingua_samples(evaldata / "langid" / "lingua", kind)
    restricted = list(ontology_languages())
    scores = language_scores(gold, {key: detect_language(text, restricted) for key, text in texts.items()})
    per = " ".join(f"{lang}={s.f1:.3f}" for lang, s in scores.per_language.items())
    print(f"\nlingua {kind} ({len(texts)} samples, {len(ontology_languages())} languages, restricted): "
          f"macro-F1={scores.macro_f1:.4f} [{per}]")
    assert set(scores.per_language) == set(ontology_languages())
    assert scores.macro_f1 >= bound  # measured 0.9955 / 0.9407 / 0.8372


def _accuracy(gold: dict[str, str], predicted: dict[str, str | None]) -> float:
    return sum(predicted[k] == g for k, g in gold.items()) / len(gold)


def test_lingua_all_languages_13_major(evaldata: Path) -> None:
    """Default detection (all languages, low accuracy) on 13 major languages, 5 of them outside
    the ontology: accuracy, per-language recall, and out-of-ontology languages reported as
    themselves (never relabelled as an ontology language)."""
    folder = evaldata / "langid" / "lingua"
    gold, texts = _lingua_samples(folder, "sentences", MAJOR_LANGUAGES)
    results = {key: analyze_language(text, sections=False) for key, text in texts.items()}
    predicted = {key: r.language for key, r in results.items()}
    restricted = {key: detect_language(text, list(ontology_languages())) for key, text in texts.items()}
    recall = {lang: _accuracy({k: g for k, g in gold.items() if g == lang}, predicted) for lang in MAJOR_LANGUAGES}
    outside = [lang for lang in MAJOR_LANGUAGES if to_ontology_language(lang) is None]
    out_keys = [k for k, g in gold.items() if g in outside]
    relabelled = sum(results[k].in_ontology for k in out_keys) / len(out_keys)
    print(f"\nlingua sentences, 13 major languages ({len(texts)} samples): accuracy all-language "
          f"{_accuracy(gold, predicted):.4f} vs restricted to the ontology {_accuracy(gold, restricted):.4f}; "
          f"out of ontology: {outside}, relabelled as an ontology language {relabelled:.4f}")
    print("  recall " + " ".join(f"{lang}={r:.3f}" for lang, r in recall.items()))
    assert outside == ["nl", "pl", "zh", "ja", "ar"]
    assert _accuracy(gold, predicted) >= 0.95  # measured 0.9766 (lingua high accuracy, 1.3 GB: 0.991)
    assert _accuracy(gold, restricted) < 0.7  # measured 0.621: why the default is all languages
    assert min(recall.values()) >= 0.9  # measured min 0.928 (ru -> uk / mk), es 0.940, nl 0.944
    assert all(results[k].out_of_ontology == (predicted[k] not in ontology_languages()) for k in results)
    assert relabelled <= 0.02  # measured 0.0008: 1 of 1,206 (a Dutch sentence -> de); restricted: all


@pytest.mark.parametrize("kind, bound", [("sentences", 0.92), ("word-pairs", 0.75), ("single-words", 0.55)])
def test_lingua_all_languages_75(evaldata: Path, kind: str, bound: float) -> None:
    """Every language of lingua's test set (75), default detection: accuracy by text length."""
    folder = evaldata / "langid" / "lingua"
    languages = sorted(p.stem for p in (folder / kind).glob("*.txt"))
    gold, texts = _lingua_samples(folder, kind, languages)
    accuracy = _accuracy(gold, {key: detect_language(text) for key, text in texts.items()})
    print(f"\nlingua {kind}, all {len(languages)} languages ({len(texts)} samples): accuracy {accuracy:.4f}")
    assert len(languages) == 75 and accuracy >= bound  # measured 0.9395 / 0.7948 / 0.6167


def test_presidio_synthetic_per_entity(evaldata: Path) -> None:
    samples = load_presidio_spans(evaldata / "pii" / "presidio_synthetic" / "synth_dataset_v2.json")
    texts = {str(i): s.full_text for i, s in enumerate(samples)}
    gold = {str(i): s.spans for i, s in enumerate(samples)}
    predicted = {key: detect_pii(text) for key, text in texts.items()}
    spans = pii_span_scores(gold, predicted, texts, entities=PII_ENTITIES)
    tokens = pii_token_scores(gold, predicted, texts, entities=PII_ENTITIES)
    print(f"\npresidio synthetic ({len(samples)} samples), span level IoU >= 0.9 | token level:")
    for kind, s in spans.per_entity.items():
        t = tokens.per_entity[kind]
        print(f"  {kind:15} n={s.annotated:3} P={s.precision:.3f} R={s.recall:.3f} F2={s.f_beta:.3f}"
              f" | P={t.precision:.3f} R={t.recall:.3f}")
    o = spans.overall
    print(f"  {'overall':15} n={o.annotated:3} P={o.precision:.3f} R={o.recall:.3f} F2={o.f_beta:.3f}")
    scores = spans.per_entity
    for kind in ("EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "US_SSN"):
        assert scores[kind].recall >= 0.9 and scores[kind].precision >= 0.9, kind  # measured 1.0
    # every scheme, 12-19 digits, Luhn (before: presidio's recognizer, recall 0.833)
    assert scores["CREDIT_CARD"].recall >= 0.95 and scores["CREDIT_CARD"].precision >= 0.95  # 1.0, 1.0
    # 40 regions + any +CC number + context (before: 8 regions, recall 0.547, precision 0.946)
    assert scores["PHONE_NUMBER"].recall >= 0.85 and scores["PHONE_NUMBER"].precision >= 0.95  # 0.891, 0.983
    assert scores["PERSON"].recall >= 0.5 and scores["PERSON"].precision >= 0.7  # 0.522, 0.728 (was 0.582, 0.661)
    # presidio-research labels an address as one span or as fragments (building number, street,
    # unit, postcode apart) at random, so spans cap recall; tokens show what is masked
    # (before: span recall 0.030, token recall 0.090 at token precision 1.0)
    street, street_tokens = scores["STREET_ADDRESS"], tokens.per_entity["STREET_ADDRESS"]
    assert street.recall >= 0.2 and street_tokens.recall >= 0.55 and street_tokens.precision >= 0.95  # 0.220 0.580 1.0
