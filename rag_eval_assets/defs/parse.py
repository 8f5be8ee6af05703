"""Parse stage: one per-document asset per parser, the routed parser's output that feeds the
clean stage, and the corpus-level parser scorecard (parser × document class) with its gates."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.evaluation.parse import (
    NOT_APPLICABLE,
    class_means,
    reference_digest,
    score_stored,
)
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.report.scorecard import scorecard
from rag_eval_assets.lib.state import PARSED, RECORDS, parse_asset
from rag_eval_assets.partitions import (
    AFTER_REFRESH,
    CORPUS_LEVEL,
    PER_DOCUMENT,
    documents_partitions,
)
from rag_eval_assets.resources import (
    BenchmarkConfig,
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

GROUP = "parse"
SCORECARD_METRICS = ["cer", "wer", "completeness", "over_extraction", "teds", "teds_s", "heading_order"]


def document_specs(settings: Settings) -> list[dg.AssetSpec]:
    specs = [dg.AssetSpec(
        parse_asset(p), deps=[RECORDS], partitions_def=documents_partitions, group_name=GROUP,
        kinds={"python", "json"}, tags=PER_DOCUMENT,
        description=f"Documents parsed by `{p}`: text in reading order, typed blocks with page and section "
        "path, tables as HTML, or a typed failure (encrypted, corrupt, empty, unsupported, too_large; timeouts "
        "and crashes are retried). Scored against the golden references in `parser_scorecard`.")
        for p in settings.parsers]
    specs.append(dg.AssetSpec(
        PARSED, deps=[parse_asset(p) for p in settings.parsers] + ["parse_routes"], partitions_def=documents_partitions,
        group_name=GROUP, kinds={"python", "json"}, tags=PER_DOCUMENT,
        description="The routed parser's output per document: what the clean stage reads. The route is a "
        "parser per document class (`RAG_EVAL_PARSE_ROUTES`: fixed, or `auto` from the scorecard's "
        "evidence); changing a class's route re-processes only that class's documents."))
    return specs


def _score_rows(view, golden, parsers: list[str]) -> list[dict]:
    """Score rows of every parser × current document (scores cached by output version and
    reference digest, so an unchanged document is not re-scored)."""
    cache = view.outputs.score_cache("parse")
    rows = []
    for parser in parsers:
        asset = parse_asset(parser)
        for doc_id, out in sorted(view.current(asset).items()):
            doc = view.docs[doc_id]
            key = f"{parser}:{out.version}:{reference_digest(golden, doc_id)}"
            row = cache.get(doc_id, key)
            if row is None:
                row = score_stored(view.outputs.read_output(asset, out), doc_id, golden)
                cache.put(doc_id, key, row)
            rows.append({**row, "doc_id": doc_id, "parser": parser, "doc_class": doc.doc_class,
                         "path": view.display_path(doc_id)})
    cache.save()
    return rows


def build(settings: Settings) -> dg.Definitions:
    parsers = list(settings.parsers)
    @dg.asset(deps=[parse_asset(p) for p in parsers] + ["golden_sets"], group_name=GROUP, kinds={"python", "parquet"},
              tags=CORPUS_LEVEL,
              check_specs=[dg.AssetCheckSpec("routed_parsers_within_thresholds", asset="parser_scorecard",
                                             description="For each document class, the mean CER of the parser it is "
                                             "routed to is within the class's ERROR limit (ERROR).")])
    def parser_scorecard(context: dg.AssetExecutionContext, corpus: CorpusResource, golden: GoldenSetResource,
                         storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
                         chunk_config: ChunkConfig, embed_config: EmbedConfig) -> dg.MaterializeResult:
        """Parser × document class over every current document: mean/median/p90 CER and WER,
        completeness and over-extraction, TEDS, TEDS-S, heading order, failures by kind (a
        format a parser does not read is n/a, counted apart), pages/s."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        gs = golden.load()
        rows = _score_rows(view, gs, parse_config.parsers)
        card = scorecard(rows, ["parser", "doc_class"], SCORECARD_METRICS)
        view.outputs.write_rows("parser_scorecard", card)
        view.outputs.write_rows("parser_scorecard", rows, key="_documents")
        routes = view.config.route
        routed_rows = [r for r in rows if r["parser"] == view.config.route_for(r["doc_class"])]
        breaches = _breaches(routed_rows, parse_config.cer_error_max)
        scored_classes = {r["doc_class"] for r in routed_rows if r.get("cer") is not None}
        judged = [c for c in scored_classes if c in parse_config.cer_error_max]
        worst = max((b["mean"] - b["limit"] for b in breaches), default=0.0)
        check = gate("routed_parsers_within_thresholds", value=len(breaches), limit=0, op="<=",
                     n=f"{len(judged)} classes with a limit and references",
                     nothing_to_judge=None if judged else ("no document has a parse reference" if not gs.parse
                                                            else "no class with a CER limit has scored documents"),
                     extra={"breaches": table(breaches), "largest_excess": worst,
                            "routes": ", ".join(f"{k}→{v}" for k, v in sorted(routes.items()))})
        overall = scorecard(rows, ["parser"], SCORECARD_METRICS)
        return dg.MaterializeResult(
            metadata={
                "documents": len(view.docs), "score_rows": len(rows),
                "scorecard": dg.MetadataValue.md(markdown_table(card, [
                    "parser", "doc_class", "documents", "not_applicable", "cer_mean", "cer_p90", "wer_mean",
                    "completeness_mean", "over_extraction_mean", "teds_mean", "heading_order_mean", "failure_rate",
                    "pages_per_s"], digits=3)),
                "by_parser": dg.MetadataValue.md(markdown_table(overall, [
                    "parser", "documents", "not_applicable", "cer_mean", "wer_mean", "teds_mean", "failure_rate",
                    "pages_per_s"], digits=3)),
                **_plot_metadata(card)},
            check_results=[check])

    @dg.asset(deps=[parser_scorecard], group_name=GROUP, kinds={"python", "json"}, tags=AFTER_REFRESH,
              check_specs=[dg.AssetCheckSpec("routes_match_evidence", asset="parse_routes",
                                             description="No document class is routed to a parser that the "
                                             "scorecard's evidence ranks below another by more than the tolerance "
                                             "(WARN: a configured route costs quality).")])
    def parse_routes(context: dg.AssetExecutionContext, storage: StorageResource,
                     parse_config: ParseConfig) -> dg.MaterializeResult:
        """The parser each document class is parsed with. `auto` (`RAG_EVAL_PARSE_ROUTES=auto`, the
        default): chosen from the parser scorecard (highest TEDS on classes with reference tables,
        lowest CER elsewhere, then heading order, CER and speed; `lib.evaluation.routing`), with the
        evidence and the runner-up. A fixed route table is kept as configured and compared with the
        evidence. A changed route re-processes that class's documents only (from the route on).
        It runs after the corpus refresh (with the report), so every assessment of one refresh
        sees one set of routes."""
        from rag_eval_assets.lib.evaluation.routing import choose_routes

        outputs = storage.outputs()
        card = outputs.read_rows("parser_scorecard", default=[])
        chosen, evidence = choose_routes(card, parse_config.primary, parse_config.route_cer_tolerance,
                                         parse_config.route_teds_tolerance)
        auto = parse_config.routes.get("*") == "auto"
        routes = chosen if auto else {**{e["doc_class"]: parse_config.routes.get(e["doc_class"], parse_config.routes["*"])
                                        for e in evidence}, "*": parse_config.routes["*"]}
        previous = (outputs.read_json("parse_routes", default=None) or {}).get("routes", {})
        changed = sorted(c for c in set(routes) | set(previous) if routes.get(c) != previous.get(c) and c != "*")
        outputs.write_json("parse_routes", {"mode": "auto" if auto else "fixed", "routes": routes, "evidence": evidence})
        worse = [e for e in evidence if e["metric"] != "none" and routes[e["doc_class"]] != e["parser"]]
        if changed:
            context.log.info(f"routes changed for {', '.join(changed)}: their documents are re-processed from the route on")
        rows = [{"doc_class": e["doc_class"], "route": routes[e["doc_class"]], "evidence_winner": e["parser"],
                 "metric": e["metric"], "value": e["value"], "runner_up": e["runner_up"],
                 "runner_up_value": e["runner_up_value"], "margin": e["margin"], "reason": e["reason"]}
                for e in evidence]
        return dg.MaterializeResult(
            metadata={"mode": "auto" if auto else "fixed", "changed_classes": ", ".join(changed) or "none",
                      "routes": dg.MetadataValue.md(markdown_table(rows, digits=3))},
            check_results=[gate("routes_match_evidence", value=len(worse), limit=0, op="<=", severity=WARN,
                                n=f"{sum(e['metric'] != 'none' for e in evidence)} classes with evidence",
                                nothing_to_judge=None if any(e["metric"] != "none" for e in evidence) else
                                "no class has scored documents (no parse references)",
                                extra={"routed_against_evidence": table(
                                    [r for r in rows if r["route"] != r["evidence_winner"]],
                                    ["doc_class", "route", "evidence_winner", "metric", "margin"])})])

    @dg.asset(group_name="parse_benchmarks", kinds={"python", "parquet"}, tags=CORPUS_LEVEL,
              check_specs=[dg.AssetCheckSpec("benchmarks_parsed", asset="parser_benchmarks",
                                             description="Every enabled parser gives a result (or a typed failure "
                                             "other than an error or a timeout) on every benchmark file it reads "
                                             "(WARN; not configured: says so).")])
    def parser_benchmarks(context: dg.AssetExecutionContext, benchmark_config: BenchmarkConfig,
                          storage: StorageResource, parse_config: ParseConfig) -> dg.MaterializeResult:
        """Parser × public benchmark beside the sample's parser × class: OCR CER/WER on FUNSD forms
        and SROIE receipts, completeness/CER/TEDS on pypdf's sample PDFs against their LaTeX,
        TEDS on docling's HTML/DOCX tables against their markup (`RAG_EVAL_EVALDATA`, the folders
        in their native layout). Optional: without the folders it says so and never fails.
        Scores are cached by file content and parser configuration."""
        from rag_eval_assets.lib.evaluation.realdata import (
            BENCHMARKS,
            benchmark_card,
            benchmark_scores,
        )

        folder = benchmark_config.folder()
        if folder is None:
            why = ("no benchmark folder configured (RAG_EVAL_EVALDATA)" if not benchmark_config.root
                   else f"{benchmark_config.root} is not a folder")
            return dg.MaterializeResult(metadata={"skipped": why}, check_results=[
                gate("benchmarks_parsed", value=None, limit=0, op="<=", n="0 files", severity=WARN, nothing_to_judge=why)])
        outputs = storage.outputs()
        cache = outputs.score_cache("benchmarks")
        rows = benchmark_scores(folder, list(parse_config.parsers), benchmark_config.limit or None,
                                parse_config.timeout_s, cache, parse_config.fingerprint, context.log.info)
        cache.save()
        card = benchmark_card(rows)
        outputs.write_rows("parser_benchmarks", card)
        outputs.write_rows("parser_benchmarks", rows, key="_items")
        errors = [r for r in rows if r["failure"] in ("error", "timeout")]
        present = sorted({r["benchmark"] for r in rows})
        plots = {f"{m}/{r['parser']}/{r['benchmark']}": round(r[m], 4) for r in card
                 for m in ("cer_mean", "teds_mean") if r.get(m) is not None}
        return dg.MaterializeResult(
            metadata={"benchmarks": dg.MetadataValue.text(", ".join(f"{b} ({BENCHMARKS[b][1]})" for b in present)),
                      "scorecard": dg.MetadataValue.md(markdown_table(card, digits=3)), **plots},
            check_results=[gate("benchmarks_parsed", value=len(errors), limit=0, op="<=", severity=WARN,
                                n=f"{len(rows)} parser × file results", extra={"errors": table(errors, [
                                    "benchmark", "item", "parser", "failure"])})])

    checks = [_cer_check(p) for p in parsers] + [_failure_check(p) for p in parsers]

    @dg.asset_check(asset=PARSED, description="Every valid document has the routed parser's output for its "
                    "current content (WARN: documents still to process, or whose routed parse is being retried).")
    def routed_output_present(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                              clean_config: CleanConfig, chunk_config: ChunkConfig,
                              embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        valid = set(view.ok(RECORDS))
        missing = sorted(valid - set(view.current(PARSED)))
        return gate("routed_output_present", value=len(missing), limit=0, op="<=", n=f"{len(valid)} valid documents",
                    severity=WARN, nothing_to_judge=None if valid else "no valid documents",
                    extra={"missing": table([{"path": view.display_path(d)} for d in missing])})

    return dg.Definitions(assets=[parser_scorecard, parse_routes, parser_benchmarks],
                          asset_checks=[*checks, routed_output_present])


def _breaches(rows: list[dict], limits: dict[str, float]) -> list[dict]:
    out = []
    for cls, mean in class_means(rows, "cer").items():
        limit = limits.get(cls)
        if limit is None or mean <= limit:
            continue
        members = [r for r in rows if r["doc_class"] == cls and r.get("cer") is not None]
        worst = max(members, key=lambda r: r["cer"])
        out.append({"doc_class": cls, "parser": worst["parser"], "mean": mean, "limit": limit,
                    "documents": len(members), "worst_document": worst["path"], "worst_cer": worst["cer"]})
    return out


def _cer_check(parser: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=parse_asset(parser), name="cer_within_thresholds", additional_deps=["parser_scorecard"],
                    description=f"Mean CER per document class of `{parser}` within the configured ERROR and WARN "
                    "limits, over every current document with a reference (WARN: the gate on the parsers "
                    "documents are routed to is `parser_scorecard:routed_parsers_within_thresholds`).")
    def _check(storage: StorageResource, parse_config: ParseConfig) -> dg.AssetCheckResult:
        rows = [r for r in storage.outputs().read_rows("parser_scorecard", "_documents", default=[])
                if r["parser"] == parser]
        limits = {**parse_config.cer_warn_max, **parse_config.cer_error_max}
        breaches = _breaches(rows, limits)
        scored = sum(r.get("cer") is not None for r in rows)
        return gate("cer_within_thresholds", value=len(breaches), limit=0, op="<=", n=f"{scored} scored documents",
                    severity=WARN, nothing_to_judge=None if scored else "no document with a parse reference",
                    extra={"breaches": table(breaches)})

    return _check


def _failure_check(parser: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=parse_asset(parser), name="failure_rate",
                    description=f"Share of current documents `{parser}` could not parse (typed failures; formats it "
                    "does not read are n/a and left out) within `parse_config.max_failure_rate` (WARN).")
    def _check(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig, clean_config: CleanConfig,
               chunk_config: ChunkConfig, embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        asset = parse_asset(parser)
        current = view.current(asset)
        failures = []
        for doc_id, out in sorted(current.items()):
            if out.failed:
                record = view.outputs.read_output(asset, out)
                failures.append({"path": view.display_path(doc_id), "kind": record.get("kind"),
                                 "message": str(record.get("message", ""))[:120]})
        applicable = len(current) - sum(f["kind"] == NOT_APPLICABLE for f in failures)
        failed = [f for f in failures if f["kind"] != NOT_APPLICABLE]
        errors = [e for e in view.outputs.errors(set(view.docs)) if e.get("stage") == asset]
        return gate("failure_rate", value=len(failed) / applicable if applicable else None,
                    limit=parse_config.max_failure_rate, op="<=", n=f"{applicable} documents it reads", severity=WARN,
                    nothing_to_judge=None if applicable else "no parsed documents in a format it reads",
                    extra={"failures": table(failed, ["path", "kind", "message"]),
                           "retried_errors": table([{"path": e.get("path"), "kind": e.get("kind")} for e in errors]),
                           "not_applicable": len(failures) - len(failed)})

    return _check


def _plot_metadata(card: list[dict]) -> dict[str, float]:
    """Flat numeric entries (one plot each in the UI): mean CER and TEDS per parser × class."""
    out = {}
    for row in card:
        for metric in ("cer_mean", "teds_mean"):
            if row.get(metric) is not None:
                out[f"{metric}/{row['parser']}/{row['doc_class']}"] = round(float(row[metric]), 4)
    return out
