"""Clean-stage scores against the golden set: per document (from the stored, redacted
cleaned output and the references) and the corpus-level figures the clean checks judge.

Nothing unredacted is stored, so each score compares like with like:
- language: the detected language vs the label;
- PII: the detector is run on the golden reference text (``parse/<doc>.txt``, the text the
  annotated spans index) and its spans are scored against the annotations;
- boilerplate: the redacted main text vs the reference main text redacted the same way (the
  detector's values replaced by their tags), token P/R/F1.
No PII value is ever put in a row, a summary or a log line: spans are offsets and types only.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

SCORE_VERSION = "2"
Detect = Callable[[str, str | None], list[tuple[int, int, str]]]  # (text, language) -> spans


def reference_digest(golden: Any, doc_id: str) -> str:
    from rag_eval_assets.lib.outputs import digest

    return digest(SCORE_VERSION, golden.language.get(doc_id), golden.boilerplate.get(doc_id),
                  [(s.start, s.end, s.entity_type) for s in golden.pii.get(doc_id, [])], golden.parse.get(doc_id) if doc_id in golden.pii else None)


def score_cleaned(cleaned: Mapping[str, Any], doc_id: str, doc_class: str, golden: Any, detect: Detect) -> dict[str, Any]:
    """Per-document clean scores (see the module doc). ``detect``: the clean stage's PII
    detector ((text, language) -> spans), used on references only."""
    from rag_eval_assets.lib.cleaning.document import Redactor
    from rag_eval_assets.lib.metrics.boilerplate import boilerplate_prf

    uni = cleaned.get("unicode") or {}
    row: dict[str, Any] = {
        "doc_id": doc_id, "doc_class": doc_class, "source": cleaned.get("source"),
        "language": cleaned.get("language"), "language_confidence": cleaned.get("language_confidence"),
        "language_in_ontology": cleaned.get("language_in_ontology"),
        "gold_language": golden.language.get(doc_id), "mixed_languages": len(cleaned.get("mixed_languages") or []),
        "nfkc_differs": bool(uni.get("nfkc_differs")), "zero_width": uni.get("zero_width", 0),
        "bidi_controls": uni.get("bidi_controls", 0), "other_invisible": uni.get("other_invisible", 0),
        "pii_found": len(cleaned.get("pii_spans") or []), "boilerplate_precision": None, "boilerplate_recall": None,
        "boilerplate_f1": None, "pii_predictions": None,
    }
    reference_main = golden.boilerplate.get(doc_id)
    if reference_main is not None and cleaned.get("source") == "trafilatura":
        spans = detect(reference_main, cleaned.get("language"))
        redacted_ref = Redactor({reference_main[s:e]: k for s, e, k in spans})(reference_main) or ""
        prf = boilerplate_prf(redacted_ref, cleaned.get("text") or "")
        row.update(boilerplate_precision=prf.precision, boilerplate_recall=prf.recall, boilerplate_f1=prf.f1)
    scored = doc_id in golden.pii or doc_id in getattr(golden, "pii_annotated", ())
    if scored and golden.parse.get(doc_id) is not None:
        found = detect(golden.parse[doc_id], cleaned.get("language"))
        row["pii_predictions"] = [[int(s), int(e), str(t)] for s, e, t in found]
    return row


def _nan_to_none(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def clean_figures(rows: Sequence[Mapping[str, Any]], golden: Any) -> dict[str, Any]:
    """Corpus-level figures: per-class boilerplate P/R/F1, NFKC drift and invisible characters;
    per-language P/R/F1 and macro-F1; documents in a language outside the ontology; per-entity
    PII span P/R/F2 (presidio-research rule) and the false-redaction rate on fully annotated
    documents (``metrics.pii.pii_false_redaction_rate``)."""
    from rag_eval_assets.lib.metrics.language import language_scores
    from rag_eval_assets.lib.metrics.pii import (
        pii_false_redaction_rate,
        pii_span_scores,
    )

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
