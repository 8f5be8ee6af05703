"""Language identification with lingua (lingua-language-detector 2.x, models in the wheel).

The detector is restricted to the ontology's languages by default (the roots of the ``locale``
tree: en, de, fr, es, it, pt, ru, el), configurable by a list of ISO 639-1 codes or ``"all"``.
Restricting matters twice: a smaller candidate set is more accurate on short text, and
building it is ~10x cheaper than all 75 languages (1.3 GB, ~10 s; ``benchmarks/bench_cleaning.py``).
One detector per language set is built per process (``detector`` is cached) with its models
preloaded, so the first document does not pay for loading and threads share one detector.

Per document: language (ISO 639-1) and its confidence (lingua's relative confidence value in
[0, 1]), plus the mixed-language sections of ``detect_multiple_languages_of`` (character
offsets). Text beyond ``max_chars`` is not looked at (a document's language does not need more).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from lingua import LanguageDetector

__all__ = ["LanguageResult", "LanguageSection", "analyze_language", "detect_language", "detector",
           "ontology_languages"]

Languages = Sequence[str] | Literal["all"] | None
MAX_CHARS = 20_000
MIN_SHARE = 0.2  # a language must hold this share of the words to make a document mixed


@dataclass(frozen=True)
class LanguageSection:
    start: int
    end: int
    language: str  # ISO 639-1
    words: int


@dataclass(frozen=True)
class LanguageResult:
    language: str | None  # ISO 639-1, None when undetermined (no letters)
    confidence: float
    sections: tuple[LanguageSection, ...] = ()

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


def _key(languages: Languages) -> tuple[str, ...] | Literal["all"]:
    if languages == "all":
        return "all"
    codes = ontology_languages() if languages is None else languages
    return tuple(sorted({c.lower() for c in codes}))


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
    """The process-wide lingua detector for ``languages`` (None: the ontology's; ``"all"``: 75)."""
    return _build(_key(languages), low_accuracy)


def _iso(language: object) -> str:
    return language.iso_code_639_1.name.lower()  # type: ignore[attr-defined]


def analyze_language(text: str, languages: Languages = None, *, sections: bool = True,
                     max_chars: int | None = MAX_CHARS) -> LanguageResult:
    """Language, confidence and (with ``sections``) mixed-language sections of one text."""
    text = text[:max_chars] if max_chars else text
    det = detector(languages)
    values = det.compute_language_confidence_values(text) if text.strip() else []
    if not values or values[0].value <= 0:
        return LanguageResult(None, 0.0)
    found: tuple[LanguageSection, ...] = ()
    if sections:
        found = tuple(LanguageSection(r.start_index, r.end_index, _iso(r.language), r.word_count)
                      for r in det.detect_multiple_languages_of(text))
    return LanguageResult(_iso(values[0].language), float(values[0].value), found)


def detect_language(text: str, languages: Languages = None) -> str | None:
    """ISO 639-1 code of the text's language, None when undetermined (e.g. no letters)."""
    return analyze_language(text, languages, sections=False).language
