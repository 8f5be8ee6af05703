"""Parse stage: one asset per parser over the documents, the primary parser's output that
feeds the next stage, and the corpus-level parser scorecard (parser × document class)."""

import dagster as dg

from rag_eval_assets.defs.corpus import raw_documents
from rag_eval_assets.lib.evaluation.parse import parse_and_score, threshold_breaches
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.scorecard import scorecard
from rag_eval_assets.partitions import (
    CORPUS_LEVEL,
    DOCUMENTS,
    PER_DOCUMENT,
    document_backfill_policy,
    documents_partitions,
    latest_batch_metadata,
)
from rag_eval_assets.resources import SETTINGS, CorpusResource, GoldenSetResource, ParseConfig, StorageResource

GROUP = "parse"
PARSERS = [p.strip() for p in SETTINGS.parsers.split(",") if p.strip()]
PRIMARY = SETTINGS.primary_parser
if PRIMARY not in PARSERS:
    raise ValueError(f"RAG_EVAL_PRIMARY_PARSER={PRIMARY!r} is not among RAG_EVAL_PARSERS={PARSERS}")
SCORECARD_METRICS = ["cer", "wer", "completeness", "teds", "teds_s", "heading_order"]


def scores_asset(parser: str) -> str:
    return f"parse_scores_{parser}"


def _threshold_check(name: str, rows: list[dict], config: ParseConfig, gate: bool) -> dg.AssetCheckResult:
    """CER per class against the configured limits. ERROR limits count only when ``gate``
    (the primary parser); otherwise every limit is reported at WARN."""
    errors = threshold_breaches(rows, config.cer_error_max) if gate else []
    warn_limits = {**config.cer_warn_max, **({} if gate else config.cer_error_max)}
    warnings = threshold_breaches(rows, warn_limits)
    breaches = errors + warnings
    return dg.AssetCheckResult(
        asset_key=name,
        check_name="cer_within_thresholds",
        passed=not breaches,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        metadata={"documents_scored": sum(r["cer"] is not None for r in rows),
                  "classes_breached": len(breaches),
                  "breaches": dg.MetadataValue.md(markdown_table(breaches, digits=4))},
    )


def _failure_check(name: str, rows: list[dict], config: ParseConfig) -> dg.AssetCheckResult:
    failed = [r for r in rows if r["failure_kind"]]
    rate = len(failed) / len(rows) if rows else 0.0
    return dg.AssetCheckResult(
        asset_key=name,
        check_name="failure_rate",
        passed=rate <= config.max_failure_rate,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failure_rate": rate, "failures": len(failed),
                  "by_kind": dg.MetadataValue.md(markdown_table(
                      [{"doc_id": r["doc_id"], "kind": r["failure_kind"], "message": r["failure_message"]}
                       for r in failed], max_rows=30))},
    )


def build_parse_asset(parser: str) -> dg.AssetsDefinition:
    name = f"parsed_{parser}"
    gate = parser == PRIMARY

    @dg.asset(
        name=name,
        partitions_def=documents_partitions,
        deps=[raw_documents],
        backfill_policy=document_backfill_policy(SETTINGS.batch_size),
        group_name=GROUP,
        kinds={"python", "json"},
        tags=PER_DOCUMENT,
        code_version="1",
        description=f"Documents parsed by `{parser}` (text in reading order, typed blocks, tables "
        "as HTML, or a typed failure), scored against the golden references: CER/WER, "
        "completeness, TEDS/TEDS-S, heading order." + (" **Primary parser.**" if gate else ""),
        check_specs=[
            dg.AssetCheckSpec("cer_within_thresholds", asset=name, blocking=gate,
                              description="Mean CER per document class within the configured limits "
                              + ("(ERROR limits block downstream)" if gate else "(WARN)")),
            dg.AssetCheckSpec("failure_rate", asset=name,
                              description="Share of documents that ended as a typed failure (WARN)."),
        ],
    )
    def _parse(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
               storage: StorageResource, parse_config: ParseConfig) -> dg.MaterializeResult:
        keys = context.partition_keys
        located = corpus.locate()
        metadata = corpus.metadata()
        references = golden.load()
        store = storage.get()
        rows = []
        for i, doc_id in enumerate(keys, start=1):
            relpath = located.get(doc_id)
            if relpath is None:
                context.log.warning(f"{doc_id}: file no longer in the corpus; skipped")
                continue
            doc_class = metadata[doc_id].doc_class if doc_id in metadata else "unknown"
            parsed, row = parse_and_score(str(corpus.file_path(relpath)), parser, doc_id, doc_class, references,
                                          parse_config.timeout_s, parse_config.isolation,
                                          **parse_config.options(parser))
            row["path"] = relpath
            store.write_json(name, parsed.to_json(), key=doc_id)
            store.write_rows(scores_asset(parser), [row], key=doc_id)
            rows.append(row)
            if parsed.failure:
                context.log.warning(f"{relpath}: {parsed.failure.kind}: {parsed.failure.message[:200]}")
            if i % 10 == 0 or i == len(keys):
                context.log.info(f"{parser}: parsed {i}/{len(keys)} documents")
        card = scorecard(rows, ["doc_class"], ["cer", "wer", "completeness", "teds"])
        scored = [r["cer"] for r in rows if r["cer"] is not None]
        return dg.MaterializeResult(
            metadata={
                "documents": len(rows),
                "failures": sum(bool(r["failure_kind"]) for r in rows),
                "mean_cer": sum(scored) / len(scored) if scored else None,
                "pages": sum(r["pages"] or 0 for r in rows),
                "seconds": sum(r["seconds"] for r in rows),
                "by_class": dg.MetadataValue.md(markdown_table(card, [
                    "doc_class", "documents", "failure_rate", "cer_mean", "wer_mean", "completeness_mean",
                    "teds_mean", "pages_per_s"])),
            },
            check_results=[_threshold_check(name, rows, parse_config, gate),
                           _failure_check(name, rows, parse_config)],
        )

    return _parse


parse_assets = [build_parse_asset(p) for p in PARSERS]


@dg.asset(
    partitions_def=documents_partitions,
    deps=[f"parsed_{PRIMARY}"],
    backfill_policy=document_backfill_policy(SETTINGS.batch_size),
    group_name=GROUP,
    kinds={"python", "json"},
    tags=PER_DOCUMENT,
    code_version="1",
    description=f"The primary parser's output (`{PRIMARY}`, RAG_EVAL_PRIMARY_PARSER): what the "
    "clean stage reads.",
)
def parsed_documents(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    store = storage.get()
    source = f"parsed_{PRIMARY}"
    copied = missing = 0
    for doc_id in context.partition_keys:
        if not store.exists(source, doc_id, "json"):
            missing += 1
            continue
        store.write_json("parsed_documents", store.read_json(source, doc_id), key=doc_id)
        copied += 1
    return dg.MaterializeResult(metadata={"documents": copied, "missing": missing, "parser": PRIMARY})


@dg.asset_check(asset=parsed_documents, description="Every document of the latest batch has the "
                "primary parser's output (WARN).")
def primary_output_present(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    missing = latest_batch_metadata(context, "parsed_documents").get("missing", -1)
    return dg.AssetCheckResult(passed=missing == 0, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"missing": missing})


def _plot_metadata(card: list[dict]) -> dict[str, float]:
    """Flat numeric entries (one plot each in the UI): mean CER and TEDS per parser × class."""
    out = {}
    for row in card:
        for metric in ("cer_mean", "teds_mean", "failure_rate"):
            if row.get(metric) is not None:
                out[f"{metric}/{row['parser']}/{row['doc_class']}"] = float(row[metric])
    return out


@dg.asset(
    deps=parse_assets,
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[dg.AssetCheckSpec("primary_parser_within_thresholds", asset="parser_scorecard", blocking=True,
                                   description="Corpus-wide mean CER per class of the primary parser within "
                                   "the ERROR limits (blocking).")],
)
def parser_scorecard(context: dg.AssetExecutionContext, storage: StorageResource,
                     parse_config: ParseConfig) -> dg.MaterializeResult:
    """Parser × document class: mean/median/p90 CER and WER, completeness, TEDS, TEDS-S,
    heading order, failure rate by kind and pages/s, over every current document."""
    store = storage.get()
    current = sorted(context.instance.get_dynamic_partitions(DOCUMENTS))
    rows = [r for p in PARSERS for r in store.read_many(scores_asset(p), current)]
    card = scorecard(rows, ["parser", "doc_class"], SCORECARD_METRICS)
    store.write_rows("parser_scorecard", card)
    overall = scorecard(rows, ["parser"], SCORECARD_METRICS)
    primary_rows = [r for r in rows if r["parser"] == PRIMARY]
    breaches = threshold_breaches(primary_rows, parse_config.cer_error_max)
    return dg.MaterializeResult(
        metadata={
            "documents": len(current),
            "score_rows": len(rows),
            "primary_parser": PRIMARY,
            "scorecard": dg.MetadataValue.md(markdown_table(card, [
                "parser", "doc_class", "documents", "cer_mean", "cer_median", "cer_p90", "wer_mean",
                "completeness_mean", "teds_mean", "teds_s_mean", "heading_order_mean", "failure_rate",
                "pages_per_s"], digits=4)),
            "by_parser": dg.MetadataValue.md(markdown_table(overall, [
                "parser", "documents", "cer_mean", "wer_mean", "completeness_mean", "teds_mean", "failure_rate",
                "pages_per_s"], digits=4)),
            "failures_by_kind": dg.MetadataValue.md(markdown_table(
                [{k: v for k, v in r.items() if k in ("parser", "doc_class", "failure_rate") or k.startswith("failures_")}
                 for r in card if r["failure_rate"]])),
            **_plot_metadata(card),
        },
        check_results=[dg.AssetCheckResult(
            check_name="primary_parser_within_thresholds",
            passed=not breaches,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"primary_parser": PRIMARY, "breaches": dg.MetadataValue.md(markdown_table(breaches, digits=4))},
        )],
    )
