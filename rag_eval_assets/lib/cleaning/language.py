"""Language identification with lingua over every language it knows, mapped to the ontology.

Why all languages: a detector restricted to the ontology's 8 languages (en, de, fr, es, it, pt,
ru, el) labels every other language as one of them with high confidence (Dutch -> German,
Polish -> English/Portuguese; Chinese, Japanese, Arabic -> None): on lingua's sentence samples of
13 major languages it scored 0.621 accuracy. The detected language is therefore reported as
itself, and *mapped* to the ontology afterwards (``to_ontology_language``): a language outside
the ontology keeps its own code, with ``LanguageResult.ontology_language`` None, so it can be
counted as out-of-ontology and never becomes "the nearest configured one".

How (``accuracy``, default ``"low"``), measured on 2 cores (``benchmarks/bench_cleaning.py``;
``tests/test_cleaning_evaldata.py``) on lingua's sentence samples
(``../shared/evaldata/langid/lingua/sentences``, 250 a language; "13 major" = the 8 ontology
languages + nl, pl, zh, ja, ar; "75" = every language lingua knows):

| detector | build | texts/s (ratio) | peak resident | 13 major | 75 |
|---|---|---|---|---|---|
| 8 ontology languages, high accuracy (before) | 3.7 s | 3,339 (1.00x) | 330 MB | 0.621 | - |
| all, low accuracy, preloaded (``"low"``, default) | 0.7 s | 833 (0.25x) | 137 MB | 0.977 | 0.940 |
| all, low + short-text refinement (``"mixed"``) | 0.6 s | 634 (0.19x) | 0.98-1.15 GB | 0.988 | 0.955 |
| all, high accuracy, preloaded (``"high"``) | 21 s | 359 (0.11x) | 1.35 GB | 0.991 | 0.959 |

(texts/s: the benchmark's 2,034 sample paragraphs and ontology-language sentences, one process per
variant, ratios against the first row in the same run. Scoring 75 languages instead of 8 costs
4x per text; on the 104 sample documents ``analyze_language`` with sections runs at ~200k
chars/s, 13x the ~15k chars/s of PII detection with spaCy.)

- **Low-accuracy stage** (every text): lingua's low-accuracy mode scores trigrams only. For texts
  of >= ~120 letters lingua's high-accuracy mode uses the same trigram models, so on documents the
  two agree: identical labels on every sentence of >= 160 characters and on all 104 sample
  documents. The difference is on short texts only.
- **Short-text refinement** (``"mixed"``; texts under ``SHORT_TEXT_CHARS`` characters): the
  ``REFINE_CANDIDATES`` best languages of the low-accuracy stage are re-scored by lingua's
  high-accuracy mode (1- to 5-gram models) restricted to those candidates. Accuracy by length on
  the 75-language sentences (low -> mixed): < 40 chars 0.867 -> 0.920; 40-80 0.927 -> 0.950;
  80-120 0.949 -> 0.961; >= 160 unchanged. lingua keeps models in one process-wide store shared
  by every detector, so a candidate's models (~17 MB a language) load once, on first use; but
  short texts make many languages candidates: 1.0-1.1 GB after lingua's sentence samples of the
  8 ontology languages alone.
- **Why "low" is the default**: the clean stage labels documents, where refinement changes
  nothing, and low accuracy bounds memory at ~110 MB per process (the clean step also holds spaCy
  and presidio, once per executor process); it is also 4x faster to build than the restricted
  high-accuracy detector it replaces. Use ``"mixed"`` for short texts (titles, queries,
  chunks) when ~1 GB is acceptable; ``"high"`` is lingua's all-language high-accuracy mode.
- **Sections** (``detect_multiple_languages_of``) use a detector over the document's
  ``SECTION_CANDIDATES`` best languages, in the accuracy of the stage (low: the preloaded models,
  no extra memory). Over all languages the split labels short runs with unrelated languages (5 of
  104 sample documents came out "mixed" with tn/is/ro); over the top 3: 1 (the restricted
  detector before: 2; high accuracy over the top 5: 1 at +300 MB).
- An explicit ``languages=[...]`` still builds a restricted high-accuracy detector (the previous
  behaviour): only for a corpus known to hold nothing else, since it mislabels every other language.

Every detector is built once per process (cached; the all-language ones with preloaded models;
candidate detectors reuse lingua's model store). Per document: language (ISO 639-1),
confidence (lingua's low-accuracy relative confidence of that language over all languages, in
[0, 1]), the mixed-language sections (character offsets), and the ontology language. Text beyond
``max_chars`` is not looked at (a document's language does not need more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["Accuracy", "LanguageResult", "LanguageSection", "analyze_language", "detect_language", "detector",
           "ontology_languages", "to_ontology_language"]

Languages = Sequence[str] | Literal["all"] | None
Accuracy = Literal["low", "mixed", "high"]
MAX_CHARS = 20_000
MIN_SHARE = 0.2  # a language must hold this share of the words to make a document mixed
SHORT_TEXT_CHARS = 200  # refinement below this length; at >= 160 chars it changed no label (module doc)
REFINE_CANDIDATES = 3  # 13 major languages: 2 -> 0.986, 3 -> 0.988, 5 -> 0.989 (same speed)
SECTION_CANDIDATES = 3  # sample: top 3 -> 1 false "mixed" document, top 5 -> 2 (low accuracy)
# ISO 639-1 codes lingua reports that an ontology may hold under their macrolanguage code
MACROLANGUAGE = {"nb": "no", "nn": "no"}


@dataclass(frozen=True)
class LanguageSection:
    start: int
    end: int
    language: str  # ISO 639-1
    words: int


@dataclass(frozen=True)
class LanguageResult:
    language: str | None  # ISO 639-1 as detected (never relabelled), None when undetermined
    confidence: float
    sections: tuple[LanguageSection, ...] = ()
    ontology_language: str | None = None  # the ontology's locale root it maps to; None: outside / undetermined

    @property
    def in_ontology(self) -> bool:
        return self.ontology_language is not None

    @property
    def out_of_ontology(self) -> bool:
        """A language was detected and the ontology does not hold it (countable, never relabelled)."""
        return self.language is not None and self.ontology_language is None

    @property
    def languages(self) -> list[str]:
        """Languages holding at least MIN_SHARE of the sections' words, most words first.

        lingua's section split is noisy: on monolingual text it labels many 2-8 word runs
        with a neighbour language (2-6% of the words in the sample corpus), hence a share.
        """
        words: dict[str, int] = {}
        for s in self.sections:
            words[s.language] = words.get(s.language, 0) + s.words
        total = sum(words.values())
        return [k for k, n in sorted(words.items(), key=lambda kv: -kv[1]) if n and n >= MIN_SHARE * total]

    @property
    def mixed(self) -> bool:
        return len(self.languages) > 1


@lru_cache(maxsize=1)
def ontology_languages() -> tuple[str, ...]:
    """ISO 639-1 codes of the ontology's locale roots, in ontology order."""
    from rag_eval_assets.lib.ontology import Ontology

    tree = Ontology.load().tree("locale")
    return tuple(node for node, parent in tree.parents.items() if parent is None)


def to_ontology_language(code: str | None, ontology: Sequence[str] | None = None) -> str | None:
    """The ontology locale root for a detected ISO 639-1 ``code``, or None when the ontology
    does not hold it. A root matches on its primary subtag (``pt`` for ``pt``; a root ``zh-Hant``
    would match ``zh``); ``nb``/``nn`` map to ``no`` when the ontology has ``no`` and not them.
    ``ontology``: the locale roots (default: ``ontology_languages()``)."""
    if code is None:
        return None
    roots = ontology_languages() if ontology is None else tuple(ontology)
    by_primary = {r.split("-")[0].lower(): r for r in roots}
    code = code.lower()
    if code in by_primary:
        return by_primary[code]
    return by_primary.get(MACROLANGUAGE.get(code, ""))


def _key(languages: Languages) -> tuple[str, ...] | Literal["all"]:
    if languages is None or languages == "all":
        return "all"
    return tuple(sorted({c.lower() for c in languages}))


@lru_cache(maxsize=8)
def _build(key: tuple[str, ...] | Literal["all"], low_accuracy: bool) -> LanguageDetector:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    if key == "all":
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        unknown = [c for c in key if not hasattr(IsoCode639_1, c.upper())]
        if unknown or len(key) < 2:
            raise ValueError(f"need >= 2 ISO 639-1 codes lingua knows; unknown: {unknown}, got {list(key)}")
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(getattr(IsoCode639_1, c.upper()) for c in key))
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detector(languages: Languages = None, *, low_accuracy: bool = False) -> LanguageDetector:
    """The process-wide preloaded lingua detector for ``languages`` (None / ``"all"``: all 75)."""
    return _build(_key(languages), low_accuracy)


@lru_cache(maxsize=1024)
def _candidates_detector(candidates: tuple[object, ...], low_accuracy: bool) -> LanguageDetector:
    """Detector over a few candidate languages. Models load lazily into lingua's process-wide
    store shared by every detector (the low-accuracy ones are preloaded by the all-language
    detector), so building one costs microseconds."""
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*candidates)  # type: ignore[arg-type]
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _iso(language: object) -> str:
    return language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]


def _sorted_languages(values: Sequence[object]) -> tuple[object, ...]:
    return tuple(sorted(values, key=str))


def _sections(det: LanguageDetector, text: str) -> tuple[LanguageSection, ...]:
    return tuple(LanguageSection(r.start_index, r.end_index, _iso(r.language), r.word_count)
                 for r in det.detect_multiple_languages_of(text))


def analyze_language(text: str, languages: Languages = None, *, sections: bool = True,
                     max_chars: int | None = MAX_CHARS, accuracy: Accuracy = "low") -> LanguageResult:
    """Language, confidence, ontology language and (with ``sections``) mixed-language sections.

    ``languages``: None or ``"all"`` (every language lingua knows, ``accuracy`` applies) or a
    list of ISO 639-1 codes (a restricted high-accuracy detector; mislabels other languages).
    """
    if accuracy not in ("low", "mixed", "high"):
        raise ValueError(f"accuracy must be low, mixed or high, got {accuracy!r}")
    text = text[:max_chars] if max_chars else text
    if not text.strip():
        return LanguageResult(None, 0.0)
    if _key(languages) != "all":
        return _analyze_restricted(text, languages, sections)
    det = detector("all", low_accuracy=accuracy != "high")
    values = [v for v in det.compute_language_confidence_values(text) if v.value > 0]
    if not values:
        return LanguageResult(None, 0.0)
    best = values[0]
    if accuracy == "mixed" and len(text.strip()) < SHORT_TEXT_CHARS and len(values) > 1:
        refined = _candidates_detector(_sorted_languages([v.language for v in values[:REFINE_CANDIDATES]]), False)
        choice = refined.detect_language_of(text)
        best = next((v for v in values if v.language == choice), best)
    found: tuple[LanguageSection, ...] = ()
    if sections:
        candidates = _sorted_languages([v.language for v in values[:SECTION_CANDIDATES]])
        found = _sections(_candidates_detector(candidates, accuracy != "high"), text) if len(candidates) > 1 else (
            (LanguageSection(0, len(text), _iso(candidates[0]), len(text.split())),))
    code = _iso(best.language)
    return LanguageResult(code, float(best.value), found, to_ontology_language(code))


def _analyze_restricted(text: str, languages: Languages, sections: bool) -> LanguageResult:
    det = detector(languages)
    values = det.compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return LanguageResult(None, 0.0)
    code = _iso(values[0].language)
    return LanguageResult(code, float(values[0].value), _sections(det, text) if sections else (),
                          to_ontology_language(code))


def detect_language(text: str, languages: Languages = None, *, accuracy: Accuracy = "low") -> str | None:
    """ISO 639-1 code of the text's language as detected (possibly outside the ontology; see
    ``analyze_language(...).ontology_language``), None when undetermined (e.g. no letters)."""
    return analyze_language(text, languages, sections=False, accuracy=accuracy).language
