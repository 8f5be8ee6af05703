"""The clean step for one document (boilerplate, Unicode, language, PII) and its per-document
score row; plus the corpus-level figures the clean checks judge. No PII value is ever put in a
row, a summary or a log line: spans are offsets and entity types only."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag_eval_assets.lib.documents import ParsedDocument

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass
class CleanOptions:
    """Knobs of the clean step (see README "Clean stage")."""

    boilerplate_mode: str = "balanced"
    languages: Sequence[str] | None = None  # None: every language lingua knows; codes: a restricted detector
    pii_score_threshold: float = 0.35
    pii_allow_list: Sequence[str] = ()  # terms never redacted, e.g. cleaning.pii_allow_list(Ontology.load())
    language_accuracy: str = "low"  # lingua over all languages: low | mixed | high (cleaning.language doc)


@dataclass
class CleanedDocument:
    doc_id: str
    text: str  # redacted: what flows downstream
    language: str | None
    language_confidence: float
    mixed_languages: list[str]
    source: str  # "trafilatura" (HTML main text) or "parser"
    unicode: dict[str, Any]
    repeated_lines_removed: int
    pii_spans: list[tuple[int, int, str]]  # offsets into the unredacted clean text
    failure: str | None = None
    blocks: list[dict[str, Any]] = field(default_factory=list)
    language_in_ontology: bool | None = None  # None: no language detected; False: reported as itself

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def clean_document(doc_id: str, parsed: ParsedDocument, raw_path: str | Path,
                   options: CleanOptions) -> tuple[CleanedDocument, str]:
    """Clean one document. Returns the cleaned document (redacted text) and the unredacted
    clean text (for scoring only; never stored or logged)."""
    from rag_eval_assets.lib.cleaning import (
        analyze_language,
        extract_main_text,
        normalize_unicode,
        redact_pii,
        remove_repeated_lines,
    )

    raw_path = Path(raw_path)
    removed = 0
    if raw_path.suffix.lower() in HTML_SUFFIXES:
        text, source, blocks = extract_main_text(raw_path.read_text(encoding="utf-8", errors="replace"),
                                                 mode=options.boilerplate_mode), "trafilatura", []
    else:
        doc, report = remove_repeated_lines(parsed) if parsed.ok else (parsed, None)
        removed = report.removed if report else 0
        text, source = (doc.text if parsed.ok else ""), "parser"
        blocks = [b.__dict__ for b in doc.blocks] if parsed.ok else []
    text, ureport = normalize_unicode(text)
    lang = analyze_language(text, languages=list(options.languages) if options.languages else None,
                            accuracy=options.language_accuracy)  # type: ignore[arg-type]
    redacted, spans = redact_pii(text, score_threshold=options.pii_score_threshold,
                                 allow_list=options.pii_allow_list, language=lang.language)
    mixed = [code for code in lang.languages if code != lang.language]
    cleaned = CleanedDocument(
        doc_id=doc_id, text=redacted, language=lang.language, language_confidence=float(lang.confidence),
        mixed_languages=mixed, source=source, unicode=dict(ureport.__dict__),
        repeated_lines_removed=removed, pii_spans=[tuple(s) for s in spans],
        failure=parsed.failure.kind if parsed.failure else None, blocks=blocks,
        language_in_ontology=None if lang.language is None else lang.in_ontology)
    return cleaned, text


def score_clean(cleaned: CleanedDocument, clean_text: str, doc_class: str, golden: Any,
                options: CleanOptions | None = None) -> dict[str, Any]:
    """Per-document clean scores against the golden set (``GoldenSet``-like): boilerplate
    P/R/F1 (HTML with a reference main text), language label, PII predictions on the reference
    text (spans only, as JSON-able lists) for documents with PII spans or declared fully
    annotated (``golden.pii_annotated``); ``options``: as given to ``clean_document``."""
    from rag_eval_assets.lib.cleaning import detect_pii
    from rag_eval_assets.lib.metrics.boilerplate import boilerplate_prf

    row: dict[str, Any] = {
        "doc_id": cleaned.doc_id, "doc_class": doc_class, "source": cleaned.source,
        "language": cleaned.language, "language_confidence": cleaned.language_confidence,
        "gold_language": golden.language.get(cleaned.doc_id), "mixed_languages": len(cleaned.mixed_languages),
        "language_in_ontology": cleaned.language_in_ontology,
        "nfkc_differs": bool(cleaned.unicode.get("nfkc_differs")),
        "zero_width": cleaned.unicode.get("zero_width", 0), "bidi_controls": cleaned.unicode.get("bidi_controls", 0),
        "other_invisible": cleaned.unicode.get("other_invisible", 0),
        "pii_found": len(cleaned.pii_spans), "boilerplate_precision": None, "boilerplate_recall": None,
        "boilerplate_f1": None, "pii_predictions": None,
    }
    reference_main = golden.boilerplate.get(cleaned.doc_id)
    if reference_main is not None and cleaned.source == "trafilatura":
        prf = boilerplate_prf(reference_main, clean_text)
        row.update(boilerplate_precision=prf.precision, boilerplate_recall=prf.recall, boilerplate_f1=prf.f1)
    if cleaned.doc_id in golden.pii or cleaned.doc_id in getattr(golden, "pii_annotated", ()):
        reference_text = golden.parse.get(cleaned.doc_id)
        if reference_text is not None:
            opts = options or CleanOptions()
            spans = cleaned.pii_spans if clean_text == reference_text else detect_pii(
                reference_text, score_threshold=opts.pii_score_threshold, allow_list=opts.pii_allow_list,
                language=cleaned.language)
            row["pii_predictions"] = [[int(s), int(e), str(t)] for s, e, t in spans]
    return row


def _nan_to_none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def clean_figures(rows: Sequence[Mapping[str, Any]], golden: Any) -> dict[str, Any]:
    """Corpus-level figures: per-class boilerplate P/R/F1, NFKC drift and invisible characters;
    per-language P/R/F1 and macro-F1; documents in a language outside the ontology; per-entity
    PII span P/R/F2 (presidio-research rule) and the false-redaction rate on fully annotated
    documents (``metrics.pii.pii_false_redaction_rate``)."""
    from rag_eval_assets.lib.metrics.language import language_scores
    from rag_eval_assets.lib.metrics.pii import pii_false_redaction_rate, pii_span_scores

    by_class: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        by_class[r["doc_class"]].append(r)
    per_class = []
    for cls, members in sorted(by_class.items()):
        bp = [m for m in members if m["boilerplate_f1"] is not None]
        mean = (lambda k: sum(m[k] for m in bp) / len(bp)) if bp else (lambda k: None)
        per_class.append({
            "doc_class": cls, "documents": len(members),
            "boilerplate_precision": mean("boilerplate_precision"), "boilerplate_recall": mean("boilerplate_recall"),
            "boilerplate_f1": mean("boilerplate_f1"),
            "nfkc_drift_share": sum(m["nfkc_differs"] for m in members) / len(members),
            "zero_width": sum(m["zero_width"] for m in members), "bidi_controls": sum(m["bidi_controls"] for m in members),
            "other_invisible": sum(m["other_invisible"] for m in members),
            "mixed_language_docs": sum(m["mixed_languages"] > 0 for m in members),
        })
    gold = {r["doc_id"]: r["gold_language"] for r in rows if r["gold_language"]}
    # macro over the labelled languages: with all-language detection one document detected as an
    # unlabelled language would otherwise add a zero-F1 class (it still costs its gold language recall)
    lang = language_scores(gold, {r["doc_id"]: r["language"] for r in rows if r["doc_id"] in gold},
                           labels=sorted(set(gold.values()))) if gold else None
    scored = {r["doc_id"]: r["pii_predictions"] for r in rows if r["pii_predictions"] is not None}
    pii_ref = {d: golden.pii.get(d, []) for d in scored}
    pii_pred = {d: [tuple(s) for s in spans] for d, spans in scored.items()}
    pii_texts = {d: golden.parse[d] for d in pii_ref}
    pii = pii_span_scores(pii_ref, pii_pred, pii_texts) if pii_ref else None
    annotated = [d for d in scored if d in getattr(golden, "pii_annotated", ())]
    false = pii_false_redaction_rate(pii_ref, pii_pred, annotated, pii_texts) if annotated else None
    outside: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.get("language_in_ontology") is False:
            outside[str(r["language"])] += 1
    return {
        "per_class": per_class,
        "nfkc_drift_share": sum(r["nfkc_differs"] for r in rows) / len(rows) if rows else 0.0,
        "language_macro_f1": _nan_to_none(lang.macro_f1) if lang else None,
        "per_language": [{"language": k, "precision": v.precision, "recall": v.recall, "f1": v.f1, "support": v.support}
                         for k, v in sorted(lang.per_language.items())] if lang else [],
        "pii_per_entity": [{"entity": k, "annotated": v.annotated, "predicted": v.predicted,
                            "precision": _nan_to_none(v.precision), "recall": _nan_to_none(v.recall),
                            "f2": _nan_to_none(v.f_beta)} for k, v in sorted(pii.per_entity.items())] if pii else [],
        "pii_overall_recall": _nan_to_none(pii.overall.recall) if pii else None,
        "language_out_of_ontology_docs": sum(outside.values()),
        "language_out_of_ontology": dict(sorted(outside.items())),
        "pii_fully_annotated_docs": false.documents if false else 0,
        "pii_false_redactions": false.false if false else None,
        "pii_false_redaction_predicted": false.predicted if false else None,
        "pii_false_redaction_rate": false.rate if false else None,
        "pii_false_redactions_per_entity": [{"entity": k, "predicted": n, "false": f}
                                            for k, (n, f) in false.per_entity.items()] if false else [],
    }
