"""Clean stage: boilerplate (trafilatura for HTML, repeated headers/footers for paged
documents), Unicode NFC + invisible characters, language (lingua), PII (presidio, redacted).
The redacted text flows downstream; no PII value reaches metadata, logs or the event log."""

import dagster as dg

from rag_eval_assets.defs.corpus import raw_documents
from rag_eval_assets.defs.parse import parsed_documents
from rag_eval_assets.lib.documents import ParsedDocument
from rag_eval_assets.lib.evaluation.clean import clean_document, clean_figures, score_clean
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.partitions import (
    CORPUS_LEVEL,
    DOCUMENTS,
    PER_DOCUMENT,
    document_backfill_policy,
    documents_partitions,
)
from rag_eval_assets.resources import SETTINGS, CleanConfig, CorpusResource, GoldenSetResource, StorageResource

GROUP = "clean"


@dg.asset(
    partitions_def=documents_partitions,
    deps=[parsed_documents, raw_documents],
    backfill_policy=document_backfill_policy(SETTINGS.batch_size),
    group_name=GROUP,
    kinds={"python", "json"},
    tags=PER_DOCUMENT,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("language_detected", asset="cleaned_documents",
                                   description="Every cleaned document of the batch has a detected "
                                   "language and non-empty text (WARN).")],
)
def cleaned_documents(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                      storage: StorageResource, clean_config: CleanConfig) -> dg.MaterializeResult:
    """Per document: main text (HTML via trafilatura; running headers/footers removed from
    paged documents), NFC without invisible characters, language + confidence + mixed-language
    sections, PII detected and redacted as ``<ENTITY_TYPE>``. Scores against the golden set go
    to ``clean_scores`` for the clean scorecard."""
    store = storage.get()
    located = corpus.locate()
    metadata = corpus.metadata()
    references = golden.load()
    options = clean_config.options()
    rows, empty = [], []
    pii_counts: dict[str, int] = {}
    for i, doc_id in enumerate(context.partition_keys, start=1):
        relpath = located.get(doc_id)
        if relpath is None or not store.exists("parsed_documents", doc_id, "json"):
            context.log.warning(f"{doc_id}: no file or no parsed output; skipped")
            continue
        parsed = ParsedDocument.from_json(store.read_json("parsed_documents", doc_id))
        cleaned, clean_text = clean_document(doc_id, parsed, corpus.file_path(relpath), options)
        doc_class = metadata[doc_id].doc_class if doc_id in metadata else "unknown"
        row = score_clean(cleaned, clean_text, doc_class, references)
        store.write_json("cleaned_documents", cleaned.to_json(), key=doc_id)
        store.write_json("clean_scores", row, key=doc_id)
        rows.append(row)
        for _, _, entity in cleaned.pii_spans:
            pii_counts[entity] = pii_counts.get(entity, 0) + 1
        if not cleaned.text.strip() or cleaned.language is None:
            empty.append(relpath)
        if i % 10 == 0:
            context.log.info(f"cleaned {i}/{len(context.partition_keys)} documents")
    return dg.MaterializeResult(
        metadata={
            "documents": len(rows),
            "pii_spans_redacted": sum(pii_counts.values()),
            "pii_by_type": dg.MetadataValue.md(markdown_table(
                [{"entity": k, "redacted": v} for k, v in sorted(pii_counts.items())])),
            "languages": dg.MetadataValue.md(markdown_table(
                [{"language": lang, "documents": sum(r["language"] == lang for r in rows)}
                 for lang in sorted({str(r["language"]) for r in rows})])),
        },
        check_results=[dg.AssetCheckResult(
            check_name="language_detected", passed=not empty, severity=dg.AssetCheckSeverity.WARN,
            metadata={"without_language_or_text": len(empty), "examples": ", ".join(empty[:10]) or "none"})],
    )


def current_cleaned_texts(context, storage: StorageResource) -> dict[str, str]:
    """doc_id -> redacted cleaned text, for every current document that has one."""
    store = storage.get()
    current = sorted(context.instance.get_dynamic_partitions(DOCUMENTS))
    return {k: store.read_json("cleaned_documents", k)["text"] for k in current
            if store.exists("cleaned_documents", k, "json")}


def _check(name: str, passed: bool, severity: dg.AssetCheckSeverity, **metadata) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(check_name=name, passed=bool(passed), severity=severity, metadata=metadata)


@dg.asset(
    deps=[cleaned_documents],
    group_name=GROUP,
    kinds={"python", "json"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("boilerplate_f1", asset="clean_scorecard",
                          description="Boilerplate token F1 per class with references ≥ limit (WARN)."),
        dg.AssetCheckSpec("nfkc_drift", asset="clean_scorecard",
                          description="Share of documents whose NFC and NFKC forms differ ≤ limit (WARN)."),
        dg.AssetCheckSpec("language_macro_f1", asset="clean_scorecard", blocking=True,
                          description="Language-ID macro-F1 against labels ≥ limit (ERROR, blocking)."),
        dg.AssetCheckSpec("pii_recall", asset="clean_scorecard", blocking=True,
                          description="PII span recall per entity type: high-risk types (SSN, credit card, "
                          "IBAN) ERROR below their limit, others WARN."),
    ],
)
def clean_scorecard(context: dg.AssetExecutionContext, golden: GoldenSetResource, storage: StorageResource,
                    clean_config: CleanConfig) -> dg.MaterializeResult:
    """Per class: boilerplate P/R/F1, NFKC drift share, invisible characters removed, mixed-
    language documents; per language P/R/F1 and macro-F1; per PII entity span P/R/F2."""
    store = storage.get()
    current = sorted(context.instance.get_dynamic_partitions(DOCUMENTS))
    rows = [store.read_json("clean_scores", k) for k in current if store.exists("clean_scores", k, "json")]
    figures = clean_figures(rows, golden.load())
    store.write_json("clean_scorecard", figures)
    c = clean_config
    low_bp = [r for r in figures["per_class"] if r["boilerplate_f1"] is not None and r["boilerplate_f1"] < c.boilerplate_f1_min]
    macro = figures["language_macro_f1"]
    recalls = {e["entity"]: e["recall"] for e in figures["pii_per_entity"] if e["annotated"]}
    high_risk_low = {k: v for k, v in recalls.items() if k in c.pii_recall_min and (v or 0) < c.pii_recall_min[k]}
    other_low = {k: v for k, v in recalls.items() if k not in c.pii_recall_min and (v or 0) < c.pii_recall_warn_min}
    plots = {f"boilerplate_f1/{r['doc_class']}": r["boilerplate_f1"] for r in figures["per_class"]
             if r["boilerplate_f1"] is not None}
    plots.update({f"pii_recall/{k}": v for k, v in recalls.items() if v is not None})
    return dg.MaterializeResult(
        metadata={
            "documents": len(rows),
            "language_macro_f1": macro,
            "nfkc_drift_share": figures["nfkc_drift_share"],
            "pii_overall_recall": figures["pii_overall_recall"],
            "per_class": dg.MetadataValue.md(markdown_table(figures["per_class"])),
            "per_language": dg.MetadataValue.md(markdown_table(figures["per_language"])),
            "pii_per_entity": dg.MetadataValue.md(markdown_table(figures["pii_per_entity"])),
            **plots,
        },
        check_results=[
            _check("boilerplate_f1", not low_bp, dg.AssetCheckSeverity.WARN, limit=c.boilerplate_f1_min,
                   classes_below=dg.MetadataValue.md(markdown_table(low_bp, ["doc_class", "boilerplate_f1"]))),
            _check("nfkc_drift", figures["nfkc_drift_share"] <= c.nfkc_drift_max, dg.AssetCheckSeverity.WARN,
                   share=figures["nfkc_drift_share"], limit=c.nfkc_drift_max),
            _check("language_macro_f1", macro is None or macro >= c.language_macro_f1_min,
                   dg.AssetCheckSeverity.ERROR, macro_f1=macro if macro is not None else -1.0,
                   limit=c.language_macro_f1_min,
                   note="no language labels: nothing to judge" if macro is None else "scored against labels"),
            _check("pii_recall", not high_risk_low and not other_low,
                   dg.AssetCheckSeverity.ERROR if high_risk_low else dg.AssetCheckSeverity.WARN,
                   high_risk_below=", ".join(f"{k}={v}" for k, v in high_risk_low.items()) or "none",
                   other_below=", ".join(f"{k}={v}" for k, v in other_low.items()) or "none"),
        ],
    )
