"""The clean step for one document: main text, Unicode, language and PII, with every text
field redacted.

Order: HTML main text (trafilatura, on the raw page decoded with its own charset) or the
parser's text without running headers/footers (paged documents) → Unicode NFC without
invisible characters → language → PII. PII is detected on the clean text (in windows of
``window_chars`` so spaCy's 1,000,000-character limit is never reached); then *every* occurrence
of each detected value is replaced by ``<ENTITY_TYPE>`` in the text, the blocks (text, section
paths, table HTML), the tables and the title. Redacting values rather than offsets keeps the
blocks locatable in the text (the chunker needs that) and catches a value repeated where the
detector missed its context. Nothing downstream of this step sees an unredacted string.

Limits (``CleanLimits``): a text longer than ``max_chars`` is a ``too_large`` failure of this
document (never a library exception); language uses the first ``language_chars`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import Block, ParsedDocument

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
Span = tuple[int, int, str]


@dataclass(frozen=True)
class CleanOptions:
    """Knobs of the clean step (docs/configuration.md, ``clean_config``)."""

    boilerplate_mode: str = "balanced"
    languages: Sequence[str] | None = None  # None: the ontology's languages
    pii_score_threshold: float = 0.35
    pii_allow_list: tuple[str, ...] = ()  # names never redacted (products, tenants: ``pii_allow_list``)
    language_accuracy: str = "low"  # lingua over every language: low | mixed | high (lib.cleaning.language)
    pii_ner: bool = True  # spaCy NER (PERSON, LOCATION, …) besides the pattern recognizers; False: patterns only


@dataclass(frozen=True)
class CleanLimits:
    """Explicit size limits of the clean step."""

    max_chars: int = 5_000_000  # longer clean text: ``too_large`` failure
    window_chars: int = 100_000  # PII detection window (spaCy refuses > 1,000,000)
    window_overlap: int = 500  # a value across a window edge is seen whole in one window


class CleanFailure(Exception):
    """A typed, final failure of the clean step for one document."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class CleanedDocument:
    """What flows downstream: every text field is redacted."""

    doc_id: str
    text: str
    language: str | None
    language_confidence: float
    mixed_languages: list[str]
    source: str  # "trafilatura" (HTML main text) or "parser"
    unicode: dict[str, Any]
    repeated_lines_removed: int
    pii_spans: list[tuple[int, int, str]]  # offsets into the unredacted clean text (no values)
    pii_by_type: dict[str, int] = field(default_factory=dict)
    blocks: list[dict[str, Any]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    title: str = ""
    language_in_ontology: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def detect_pii_windows(text: str, detect: Any, limits: CleanLimits) -> list[Span]:
    """``detect(text) -> spans`` over overlapping windows; spans in whole-text offsets, de-duplicated."""
    if len(text) <= limits.window_chars:
        return list(detect(text))
    spans: set[Span] = set()
    step = max(1, limits.window_chars - limits.window_overlap)
    start = 0
    while start < len(text):
        end = min(len(text), start + limits.window_chars)
        if end < len(text):  # cut at whitespace so no token is split
            cut = text.rfind(" ", start + step, end)
            end = cut if cut > start else end
        for s, e, kind in detect(text[start:end]):
            spans.add((s + start, e + start, kind))
        if end >= len(text):
            break
        start = max(start + 1, end - limits.window_overlap)
    kept: list[Span] = []
    for s in sorted(spans, key=lambda x: (x[0], -(x[1] - x[0]))):
        if not kept or s[0] >= kept[-1][1]:
            kept.append(s)
    return kept


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for v in sorted(set(values), key=len, reverse=True):
        if not v.strip():
            continue
        left = r"(?<!\w)" if v[0].isalnum() else ""
        right = r"(?!\w)" if v[-1].isalnum() else ""
        parts.append(f"{left}{re.escape(v)}{right}")
    return re.compile("|".join(parts)) if parts else None


class Redactor:
    """Replaces every occurrence of the detected values by their ``<ENTITY_TYPE>`` tag."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)
        self.pattern = _pattern(self.values)

    def __call__(self, text: str | None) -> str | None:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(lambda m: f"<{self.values[m.group(0)]}>", text)

    def block(self, block: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(block)
        out["text"] = self(block.get("text") or "")
        out["section_path"] = [self(s) for s in block.get("section_path") or []]
        if block.get("html"):
            out["html"] = self(block["html"])
        return out


def _raw_html(raw_path: Path) -> str:
    from rag_eval_assets.lib.parsers.sniff import decode_html

    return decode_html(raw_path.read_bytes())


def clean_document(doc_id: str, parsed: ParsedDocument, raw_path: str | Path, options: CleanOptions,
                   limits: CleanLimits = CleanLimits(), title: str = "") -> CleanedDocument:
    """Clean one parsed document (see the module doc). Raises CleanFailure (``too_large``,
    ``empty``) for this document only; the unredacted text never leaves this function."""
    from rag_eval_assets.lib.cleaning import (
        analyze_language,
        extract_main_text,
        normalize_unicode,
        remove_repeated_lines,
    )

    raw_path = Path(raw_path)
    removed = 0
    tables: list[str] = []
    if raw_path.suffix.lower() in HTML_SUFFIXES:
        text, source, blocks = extract_main_text(_raw_html(raw_path), mode=options.boilerplate_mode), "trafilatura", []
    else:
        doc, report = remove_repeated_lines(parsed)
        removed = report.removed
        text, source = doc.text, "parser"
        blocks = [asdict(b) if isinstance(b, Block) else dict(b) for b in doc.blocks]
        tables = list(doc.tables)
    if len(text) > limits.max_chars:
        raise CleanFailure("too_large", f"{len(text):,} characters of text (clean limit {limits.max_chars:,})")
    text, ureport = normalize_unicode(text)
    blocks = [{**b, "text": normalize_unicode(b.get("text") or "")[0]} for b in blocks]
    lang = analyze_language(text, languages=list(options.languages) if options.languages else None,
                            accuracy=options.language_accuracy)  # type: ignore[arg-type]
    detector = pii_detector(options)

    def detect(chunk: str) -> list[Span]:
        return detector(chunk, lang.language)

    spans = detect_pii_windows(text, detect, limits)
    values = {text[s:e]: kind for s, e, kind in spans}
    if title:
        values.update({title[s:e]: kind for s, e, kind in detect(title)})
    redact = Redactor(values)
    by_type: dict[str, int] = {}
    for _, _, kind in spans:
        by_type[kind] = by_type.get(kind, 0) + 1
    return CleanedDocument(
        doc_id=doc_id, text=redact(text) or "", language=lang.language,
        language_confidence=float(lang.confidence), mixed_languages=[c for c in lang.languages if c != lang.language],
        source=source, unicode=dict(ureport.__dict__), repeated_lines_removed=removed,
        pii_spans=[(int(s), int(e), str(k)) for s, e, k in spans], pii_by_type=by_type,
        blocks=[redact.block(b) for b in blocks], tables=[redact(t) or "" for t in tables], title=redact(title) or "",
        language_in_ontology=None if lang.language is None else lang.in_ontology)


def pii_detector(options: CleanOptions):  # noqa: ANN201 - (text, language) -> spans
    """The clean step's PII detector: presidio with the step's threshold and allow-list; spaCy's
    PERSON tags count only for English text (``language``; None = unknown, treated as English);
    ``pii_ner`` False: the pattern recognizers only (cards, SSNs, IBANs, e-mails, phones, …)."""
    from rag_eval_assets.lib.cleaning.pii import detect_pii

    def detect(text: str, language: str | None = None) -> list[Span]:
        return detect_pii(text, score_threshold=options.pii_score_threshold, allow_list=options.pii_allow_list,
                          language=language, nlp=options.pii_ner)

    return detect
