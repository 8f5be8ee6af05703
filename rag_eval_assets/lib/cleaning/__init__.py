"""Cleaning: boilerplate removal, Unicode normalization, language ID, PII detection/redaction.

Public API (plain Python, no Dagster; heavy libraries load on first call, once per process):

- ``extract_main_text(html, mode="balanced")`` -> main text (trafilatura; modes
  balanced / precision / recall); ``remove_repeated_lines(doc)`` -> (doc without running
  headers/footers, RepeatedLines counts) for paged ``ParsedDocument``s;
- ``normalize_unicode(text)`` -> (NFC text without invisible characters, UnicodeReport);
- ``detect_language(text)`` -> ISO 639-1 code or None; ``analyze_language(text)`` ->
  LanguageResult (language as detected, confidence, mixed-language sections, the ontology
  language it maps to or None when out of ontology); lingua over all its languages (low-accuracy
  mode by default, ``accuracy=``), restricted only when ``languages=`` lists codes;
  ``to_ontology_language(code)`` maps a code to the ontology's locale roots;
- ``detect_pii(text, allow_list=None, language=None)`` -> [(start, end, entity_type)];
  ``redact_pii(text, ...)`` -> (text with ``<ENTITY_TYPE>`` masks, spans); ``pii_allow_list(ontology)``
  -> product and tenant names never redacted; ``mask_sample(text, spans)`` for logs and summaries.

Metrics live in ``rag_eval_assets.lib.metrics.{boilerplate,language,pii}``.
"""

from rag_eval_assets.lib.cleaning.boilerplate import (
    BoilerplateMode,
    RepeatedLines,
    extract_main_text,
    remove_repeated_lines,
)
from rag_eval_assets.lib.cleaning.language import (
    LanguageResult,
    LanguageSection,
    analyze_language,
    detect_language,
    ontology_languages,
    to_ontology_language,
)
from rag_eval_assets.lib.cleaning.pii import (
    PII_ENTITIES,
    detect_pii,
    mask_sample,
    pii_allow_list,
    redact_pii,
)
from rag_eval_assets.lib.cleaning.unicode import UnicodeReport, normalize_unicode

__all__ = [
    "PII_ENTITIES", "BoilerplateMode", "LanguageResult", "LanguageSection", "RepeatedLines",
    "UnicodeReport", "analyze_language", "detect_language", "detect_pii", "extract_main_text",
    "mask_sample", "normalize_unicode", "ontology_languages", "pii_allow_list", "redact_pii",
    "remove_repeated_lines", "to_ontology_language",
]
