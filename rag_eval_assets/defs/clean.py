"""Clean stage: boilerplate (trafilatura for HTML, running headers/footers of paged
documents), Unicode NFC + invisible characters, language (lingua), PII (presidio) redacted in
every text field. The redacted document flows downstream; no PII value reaches metadata, logs
or the event log. The clean scorecard judges the stage against the golden labels."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.cleaning.document import pii_detector
from rag_eval_assets.lib.evaluation.clean import (
    clean_figures,
    reference_digest,
    score_cleaned,
)
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.state import CLEANED, PARSED, RECORDS
from rag_eval_assets.partitions import CORPUS_LEVEL, PER_DOCUMENT, documents_partitions
from rag_eval_assets.resources import (
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    EmbedConfig,
    GoldenSetResource,
    ParseConfig,
    StorageResource,
    corpus_view,
)
from rag_eval_assets.settings import Settings

GROUP = "clean"


def document_specs(settings: Settings) -> list[dg.AssetSpec]:
    return [dg.AssetSpec(
        CLEANED, deps=[PARSED, "raw_documents"], partitions_def=documents_partitions, group_name=GROUP,
        kinds={"python", "json"}, tags=PER_DOCUMENT,
        description="Per document: main text (HTML via trafilatura; running headers/footers removed from paged "
        "documents), NFC without invisible characters, language + confidence + mixed-language sections, PII "
        "detected and redacted as `<ENTITY_TYPE>` in the text, blocks, tables and title. A text over "
        "`clean_config.max_chars` is a `too_large` failure of that document only.")]


def build(settings: Settings) -> dg.Definitions:
    @dg.asset(
        deps=[CLEANED, "golden_sets"], group_name=GROUP, kinds={"python", "json"}, tags=CORPUS_LEVEL,
        check_specs=[
            dg.AssetCheckSpec("boilerplate_f1", asset="clean_scorecard",
                              description="Boilerplate token F1 of every class with references ≥ limit (WARN)."),
            dg.AssetCheckSpec("nfkc_drift", asset="clean_scorecard",
                              description="Share of documents whose NFC and NFKC forms differ ≤ limit (WARN)."),
            dg.AssetCheckSpec("language_macro_f1", asset="clean_scorecard",
                              description="Language-ID macro-F1 against the labels ≥ limit (ERROR)."),
            dg.AssetCheckSpec("pii_recall", asset="clean_scorecard", blocking=True,
                              description="Span recall of the high-risk PII types (SSN, credit card, IBAN by "
                              "default) ≥ their limit, lowest first (ERROR, blocking: the index is not rebuilt on text "
                              "that may still hold them)."),
            dg.AssetCheckSpec("pii_recall_other_types", asset="clean_scorecard",
                              description="Span recall of every other annotated PII type ≥ the WARN limit (WARN)."),
            dg.AssetCheckSpec("pii_false_redaction_rate", asset="clean_scorecard",
                              description="Share of redactions in documents the golden set declares fully annotated "
                              "(`pii_annotated.json`) that match no annotated span ≤ limit (WARN: names of things "
                              "redacted as people cost retrieval)."),
        ])
    def clean_scorecard(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                        storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                        chunk_config: ChunkConfig, embed_config: EmbedConfig) -> dg.MaterializeResult:
        """Per class: boilerplate P/R/F1, NFKC drift share, invisible characters removed, mixed-
        language documents; per language P/R/F1 and macro-F1; per PII entity span P/R/F2, over
        every current cleaned document (scores cached by output version and reference)."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        gs = golden.load()
        detect = pii_detector(clean_config.options(view.ontology))
        cache = view.outputs.score_cache("clean")
        rows = []
        for doc_id, out in sorted(view.ok(CLEANED).items()):
            key = f"{out.version}:{reference_digest(gs, doc_id)}:{clean_config.fingerprint(view.ontology)}"
            row = cache.get(doc_id, key)
            if row is None:
                row = score_cleaned(view.outputs.read_output(CLEANED, out), doc_id, view.docs[doc_id].doc_class, gs, detect)
                cache.put(doc_id, key, row)
            rows.append(row)
        cache.save()
        figures = clean_figures(rows, gs)
        view.outputs.write_json("clean_scorecard", figures)
        c = clean_config
        n_docs = f"{len(rows)} cleaned documents"
        bp_rows = [r for r in figures["per_class"] if r["boilerplate_f1"] is not None]
        worst_bp = min(bp_rows, key=lambda r: r["boilerplate_f1"], default=None)
        macro = figures["language_macro_f1"]
        labelled = sum(1 for r in rows if r["gold_language"])
        recalls = {e["entity"]: e for e in figures["pii_per_entity"] if e["annotated"]}
        high = {k: v for k, v in recalls.items() if k in c.pii_recall_min}
        other = {k: v for k, v in recalls.items() if k not in c.pii_recall_min}

        def lowest(entities: dict, limits) -> tuple[str | None, float | None]:
            ranked = sorted(entities.items(), key=lambda kv: ((kv[1]["recall"] or 0.0) - limits(kv[0])))
            return (ranked[0][0], ranked[0][1]["recall"] or 0.0) if ranked else (None, None)

        high_name, high_value = lowest(high, lambda k: c.pii_recall_min[k])
        other_name, other_value = lowest(other, lambda _k: c.pii_recall_warn_min)
        pii_table = table(figures["pii_per_entity"], ["entity", "annotated", "predicted", "precision", "recall", "f2"])
        no_pii = "the golden set has no PII annotations" if not gs.pii else None
        checks = [
            gate("boilerplate_f1", value=worst_bp["boilerplate_f1"] if worst_bp else None, limit=c.boilerplate_f1_min,
                 n=f"{sum(r['documents'] for r in bp_rows)} documents with a reference main text", severity=WARN,
                 nothing_to_judge=None if gs.boilerplate else "the golden set has no boilerplate references",
                 reason=None if worst_bp or not gs.boilerplate else "no cleaned HTML document has a reference",
                 extra={"worst_class": worst_bp["doc_class"] if worst_bp else "n/a",
                        "per_class": table(bp_rows, ["doc_class", "documents", "boilerplate_precision",
                                                     "boilerplate_recall", "boilerplate_f1"])}),
            gate("nfkc_drift", value=figures["nfkc_drift_share"] if rows else None, limit=c.nfkc_drift_max, op="<=",
                 n=n_docs, severity=WARN, nothing_to_judge=None if rows else "no cleaned documents"),
            gate("language_macro_f1", value=macro, limit=c.language_macro_f1_min, n=f"{labelled} labelled documents",
                 nothing_to_judge=None if gs.language else "the golden set has no language labels",
                 reason="no labelled document has been cleaned yet" if gs.language and macro is None else None,
                 extra={"per_language": table(figures["per_language"])}),
            gate("pii_recall", value=high_value, limit=c.pii_recall_min.get(high_name, 0.0) if high_name else None,
                 n=f"{sum(v['annotated'] for v in high.values())} annotated spans of {len(high)} high-risk types",
                 nothing_to_judge=no_pii or (None if high else "no high-risk PII type is annotated"),
                 reason=None if high_value is not None or no_pii else "annotated documents were not scored",
                 extra={"lowest_type": high_name or "n/a", "per_entity": pii_table}),
            gate("pii_recall_other_types", value=other_value, limit=c.pii_recall_warn_min, severity=WARN,
                 n=f"{sum(v['annotated'] for v in other.values())} annotated spans of {len(other)} types",
                 nothing_to_judge=no_pii or (None if other else "no other PII type is annotated"),
                 extra={"lowest_type": other_name or "n/a"}),
            gate("pii_false_redaction_rate", value=figures["pii_false_redaction_rate"], limit=c.pii_false_redaction_max,
                 op="<=", severity=WARN,
                 n=f"{figures['pii_false_redaction_predicted'] or 0} redactions in {figures['pii_fully_annotated_docs']} "
                 "fully annotated documents",
                 nothing_to_judge=None if getattr(gs, "pii_annotated", None) else
                 "the golden set declares no fully annotated document (pii_annotated.json)",
                 reason=None if figures["pii_false_redaction_rate"] is not None else
                 "no fully annotated document has been cleaned",
                 extra={"per_entity": table(figures["pii_false_redactions_per_entity"])}),
        ]
        plots = {f"pii_recall/{k}": round(v["recall"], 4) for k, v in recalls.items() if v["recall"] is not None}
        return dg.MaterializeResult(
            metadata={"documents": len(rows), "language_macro_f1": macro if macro is not None else "n/a",
                      "language_out_of_ontology_docs": figures["language_out_of_ontology_docs"],
                      "languages_out_of_ontology": dg.MetadataValue.text(", ".join(
                          f"{k} ({v})" for k, v in figures["language_out_of_ontology"].items()) or "none"),
                      "nfkc_drift_share": round(figures["nfkc_drift_share"], 4),
                      "per_class": dg.MetadataValue.md(markdown_table(figures["per_class"])),
                      "per_language": dg.MetadataValue.md(markdown_table(figures["per_language"])),
                      "pii_per_entity": dg.MetadataValue.md(markdown_table(figures["pii_per_entity"])), **plots},
            check_results=checks)

    @dg.asset_check(asset=CLEANED, description="Every current cleaned document has text and a detected "
                    "language (WARN; names the documents without).")
    def language_detected(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                          clean_config: CleanConfig, chunk_config: ChunkConfig,
                          embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        cleaned = view.ok(CLEANED)
        without = []
        for doc_id, out in sorted(cleaned.items()):
            doc = view.outputs.read_output(CLEANED, out)
            if not (doc.get("text") or "").strip() or not doc.get("language"):
                without.append({"path": view.display_path(doc_id), "language": doc.get("language") or "none"})
        valid = len(view.ok(RECORDS))
        return gate("language_detected", value=len(without), limit=0, op="<=", n=f"{len(cleaned)} cleaned documents",
                    severity=WARN, nothing_to_judge=None if cleaned else
                    ("no valid documents" if not valid else "no document has been cleaned yet"),
                    extra={"without_language_or_text": table(without)})

    return dg.Definitions(assets=[clean_scorecard], asset_checks=[language_detected])
