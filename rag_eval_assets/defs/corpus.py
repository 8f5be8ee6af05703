"""Corpus stage: the raw documents (one partition each, observed by content hash), their
records, the corpus manifest, and the golden sets (observed like corpus files)."""

import dagster as dg

from rag_eval_assets.defs._checks import WARN, gate, table
from rag_eval_assets.lib.inventory import class_summary, manifest_row
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.lib.state import RECORDS
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

GROUP = "corpus"


def document_specs(settings: Settings) -> list[dg.AssetSpec]:
    return [dg.AssetSpec(
        RECORDS, deps=["raw_documents"], partitions_def=documents_partitions, group_name=GROUP,
        kinds={"python", "json"}, tags=PER_DOCUMENT,
        description="One record per document: path, content hash, size, format, pages and its ontology "
        "metadata, validated against the ontology. A document whose metadata row is missing, malformed or "
        "out of the ontology is recorded as `invalid_metadata` and excluded from every later stage "
        "(listed by path and `_metadata.jsonl` line) until its row is fixed.")]


def build(settings: Settings) -> dg.Definitions:
    @dg.observable_source_asset(
        partitions_def=documents_partitions, group_name=GROUP,
        description="The corpus files, one partition per document (key = hash of the corpus-relative "
        "path). Data version = sha256 of the file, so only changed documents turn their downstream stale.")
    def raw_documents(context, corpus: CorpusResource, storage: StorageResource) -> dg.DataVersionsByPartition:
        known = set(context.instance.get_dynamic_partitions(documents_partitions.name))
        scan = corpus.scan(storage.outputs())
        context.log.info(f"observed {len(scan.files)} files ({scan.hashed} hashed); {len(known)} partitions")
        return dg.DataVersionsByPartition({d: dg.DataVersion(f.sha256) for d, f in scan.files.items() if d in known})

    @dg.observable_source_asset(
        group_name=GROUP,
        description="The golden-set files (references and labels). Data version = digest of every file's "
        "name, size and modification time: editing a golden file marks every evaluation stale.")
    def golden_files(golden: GoldenSetResource) -> dg.DataVersion:
        return dg.DataVersion(golden.digest())

    @dg.asset(deps=[RECORDS], group_name=GROUP, kinds={"python", "parquet"}, tags=CORPUS_LEVEL,
              check_specs=[dg.AssetCheckSpec("metadata_valid", asset="corpus_manifest",
                                             description="Every document has a usable metadata row with ontology "
                                             "values, and every row names an existing file (ERROR; the invalid "
                                             "documents are excluded and the refresh goes on).")])
    def corpus_manifest(context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource,
                        parse_config: ParseConfig, clean_config: CleanConfig, chunk_config: ChunkConfig,
                        embed_config: EmbedConfig) -> dg.MaterializeResult:
        """The corpus as it is now: the record of every current, valid document (one column per
        ontology field), counts per document class, the excluded documents with the reason, and
        removal of per-document outputs left behind by deleted documents."""
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        outputs = view.outputs
        removed = outputs.prune(set(view.docs))
        for folder, n in sorted(removed.items()):
            context.log.info(f"pruned {n} outputs of deleted documents from {folder}")
        rows, excluded = [], []
        for doc_id, out in sorted(view.current(RECORDS).items()):
            record = outputs.read_output(RECORDS, out)
            if out.failed:
                excluded.append({"doc_id": doc_id, "path": view.display_path(doc_id), "reason": record.get("message", "")})
            else:
                rows.append(manifest_row(record, view.ontology))
        orphans = [f"{view.metadata.path}:{m.line}: row for {m.path!r}, which is not a corpus file"
                   for d, m in view.metadata.items() if d not in view.docs]
        from rag_eval_assets.lib.cleaning.paths import mask_path

        orphans = [mask_path(o) for o in orphans]
        bad_lines = [mask_path(str(e)) for e in view.metadata.errors]
        pending = sorted(set(view.docs) - set(view.current(RECORDS)))
        outputs.write_rows("corpus_manifest", rows)
        outputs.write_json("corpus_manifest", {"excluded": excluded, "bad_lines": bad_lines, "orphans": orphans,
                                               "rejected": view.scan.rejected, "pending": pending}, key="_problems")
        summary = class_summary(rows)
        problems = len(excluded) + len(orphans)
        check = gate("metadata_valid", value=problems, limit=0, op="<=", n=f"{len(view.docs)} documents",
                     nothing_to_judge="the corpus has no documents" if not view.docs else None,
                     extra={"excluded_documents": table(excluded, ["path", "reason"]),
                            "bad_lines": dg.MetadataValue.md("\n".join(f"- `{e}`" for e in bad_lines[:30]) or "none"),
                            "rows_without_file": dg.MetadataValue.md("\n".join(f"- `{o}`" for o in orphans[:30]) or "none")})
        return dg.MaterializeResult(
            metadata={"documents": len(rows), "excluded": len(excluded), "not_recorded_yet": len(pending),
                      "rejected_entries": len(view.scan.rejected), "pruned_outputs": sum(removed.values()),
                      "bytes": sum(r["size_bytes"] for r in rows), "pages": sum(r["pages"] or 0 for r in rows),
                      "per_class": dg.MetadataValue.md(markdown_table(summary)),
                      "rejected": dg.MetadataValue.md("\n".join(f"- `{mask_path(r)}`" for r in view.scan.rejected) or "none")},
            check_results=[check])

    @dg.asset_check(asset=RECORDS, description="Every current document has a record for its current content "
                    "and metadata (WARN: documents not processed yet; `rag-eval run` processes them).")
    def records_complete(context: dg.AssetCheckExecutionContext, corpus: CorpusResource, storage: StorageResource, parse_config: ParseConfig,
                         clean_config: CleanConfig, chunk_config: ChunkConfig,
                         embed_config: EmbedConfig) -> dg.AssetCheckResult:
        view = corpus_view(corpus, storage, parse_config, clean_config, chunk_config, embed_config,
                           run_id=context.run.run_id)
        missing = sorted(set(view.docs) - set(view.current(RECORDS)))
        return gate("records_complete", value=len(missing), limit=0, op="<=", n=f"{len(view.docs)} documents",
                    severity=WARN, nothing_to_judge=None if view.docs else "the corpus has no documents",
                    extra={"without_record": table([{"path": view.display_path(d)} for d in missing])})

    @dg.asset(deps=[golden_files], group_name=GROUP, kinds={"python", "json"}, tags=CORPUS_LEVEL,
              check_specs=[dg.AssetCheckSpec("golden_sets_valid", asset="golden_sets",
                                             description="No malformed golden-set row and no reference to an unknown "
                                             "query, document or ontology field (ERROR; the good rows are used).")])
    def golden_sets(context: dg.AssetExecutionContext, golden: GoldenSetResource, corpus: CorpusResource,
                    storage: StorageResource) -> dg.MaterializeResult:
        """The golden sets loaded and validated row by row: every malformed row is reported with
        file and line and skipped, the good rows of the same file are used; references to
        queries, documents and ontology fields that do not exist are reported the same way."""
        gs = golden.load()
        outputs = storage.outputs()
        ontology = corpus.ontology()
        scan = corpus.scan(outputs)
        gs.check_fields(ontology)
        unresolved = gs.unresolved_documents(set(scan.files))
        summary = gs.summary()
        errors = [str(e) for e in gs.errors]
        for e in errors[:50]:
            context.log.error(e)
        outputs.write_json("golden_sets", {"root": golden.golden_root, "digest": golden.digest(), "counts": summary,
                                           "errors": errors, "unresolved_documents": unresolved})
        present = {k: v for k, v in summary.items() if k != "errors"}
        check = gate("golden_sets_valid", value=len(errors), limit=0, op="<=", n=f"{sum(present.values())} rows",
                     nothing_to_judge=None if sum(present.values()) or errors else
                     f"no golden files under {golden.golden_root or '(no golden-set folder configured)'}",
                     extra={"errors": dg.MetadataValue.md("\n".join(f"- `{e}`" for e in errors[:30]) or "none")})
        return dg.MaterializeResult(
            metadata={"root": golden.golden_root or "(none)", "errors": len(errors),
                      "counts": dg.MetadataValue.md(markdown_table([{"kind": k, "rows": v} for k, v in present.items()]))},
            check_results=[check])

    @dg.asset_check(asset=golden_sets, description="Every document id a golden file names is a corpus document "
                    "(WARN: a typo, or a golden set wider than the corpus; names the files and ids).")
    def golden_documents_resolve(storage: StorageResource) -> dg.AssetCheckResult:
        stored = storage.outputs().read_json("golden_sets", default={}) or {}
        unresolved = stored.get("unresolved_documents", {})
        total = sum(len(v) for v in unresolved.values())
        return gate("golden_documents_resolve", value=total, limit=0, op="<=", n=f"{len(unresolved)} files with unknown ids",
                    severity=WARN, nothing_to_judge=None if stored.get("root") else "no golden-set folder is configured",
                    extra={"unknown_ids": table([{"file": k, "ids": len(v), "examples": ", ".join(v[:5])}
                                                 for k, v in unresolved.items()])})

    @dg.asset_check(asset=golden_sets, additional_deps=["corpus_manifest"],
                    description="Share of valid corpus documents with a parse reference (WARN below 1.0).")
    def golden_coverage(golden: GoldenSetResource, storage: StorageResource) -> dg.AssetCheckResult:
        docs = {r["doc_id"] for r in storage.outputs().manifest()}
        refs = set(golden.load().parse)
        covered = len(docs & refs)
        why = "no golden-set folder is configured" if not golden.golden_root else (
            "the corpus has no valid documents" if not docs else None)
        return gate("golden_coverage", value=covered / len(docs) if docs else None, limit=1.0,
                    n=f"{len(docs)} documents", severity=WARN, nothing_to_judge=why,
                    extra={"references_without_document": len(refs - docs)})

    return dg.Definitions(assets=[raw_documents, golden_files, corpus_manifest, golden_sets],
                          asset_checks=[records_complete, golden_coverage, golden_documents_resolve])
