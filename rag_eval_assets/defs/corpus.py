"""Corpus stage: the raw documents, one record per document, the corpus manifest, golden sets."""


import time

import dagster as dg

from rag_eval_assets.lib.inventory import class_summary, document_record
from rag_eval_assets.lib.report import markdown_table
from rag_eval_assets.partitions import (
    CORPUS_LEVEL,
    DOCUMENTS,
    PER_DOCUMENT,
    document_backfill_policy,
    documents_partitions,
    latest_batch_metadata,
)
from rag_eval_assets.resources import SETTINGS, CorpusResource, GoldenSetResource, StorageResource

GROUP = "corpus"


@dg.observable_source_asset(
    partitions_def=documents_partitions,
    group_name=GROUP,
    description="The corpus files, one partition per document (key = hash of the "
    "corpus-relative path). Data version = sha256 of the file, so only changed "
    "documents turn their downstream stale.",
)
def raw_documents(context, corpus: CorpusResource) -> dg.DataVersionsByPartition:
    known = set(context.instance.get_dynamic_partitions(DOCUMENTS))
    scan = corpus.scan()
    context.log.info(f"observed {len(scan)} files under {corpus.corpus_root}; {len(known)} partitions")
    return dg.DataVersionsByPartition(
        {doc_id: dg.DataVersion(f.sha256) for doc_id, f in scan.items() if doc_id in known}
    )


@dg.asset(
    partitions_def=documents_partitions,
    deps=[raw_documents],
    backfill_policy=document_backfill_policy(SETTINGS.batch_size),
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=PER_DOCUMENT,
    code_version="1",
)
def document_records(
    context: dg.AssetExecutionContext, corpus: CorpusResource, storage: StorageResource
) -> dg.MaterializeResult:
    """One row per document: path, content hash, size, format, pages and its ontology
    metadata, validated against ontology/ontology.yaml. Runs in batches of documents."""
    keys = context.partition_keys
    located = corpus.locate()
    metadata = corpus.metadata()
    ontology = corpus.ontology()
    store = storage.get()
    rows, missing = [], []
    started = time.perf_counter()
    for i, doc_id in enumerate(keys, start=1):
        relpath = located.get(doc_id)
        if relpath is None:  # deleted since the partition was added: nothing to record
            missing.append(doc_id)
            store.delete("document_records", doc_id)
            continue
        row = document_record(doc_id, relpath, corpus.file_path(relpath), metadata.get(doc_id), ontology)
        store.write_rows("document_records", [row], key=doc_id)
        rows.append(row)
        if i % 100 == 0:
            context.log.info(f"recorded {i}/{len(keys)} documents")
    invalid = [r for r in rows if r["metadata_errors"]]
    for r in invalid:
        context.log.warning(f"{r['path']}: invalid metadata: {'; '.join(r['metadata_errors'])}")
    return dg.MaterializeResult(
        metadata={
            "documents": len(rows),
            "missing_files": len(missing),
            "invalid_metadata": len(invalid),
            "bytes": sum(r["size_bytes"] for r in rows),
            "seconds": round(time.perf_counter() - started, 3),
            "records": dg.MetadataValue.md(
                markdown_table(rows, ["path", "doc_class", "locale", "product", "pages", "size_bytes"], max_rows=50)
            ),
        }
    )


@dg.asset_check(asset=document_records, blocking=False,
                description="The documents of the latest batch all have ontology-valid metadata and "
                "exist on disk (WARN; the corpus-level gate is corpus_manifest:metadata_valid).")
def batch_documents_valid(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    meta = latest_batch_metadata(context, "document_records")
    invalid, missing = meta.get("invalid_metadata", -1), meta.get("missing_files", -1)
    return dg.AssetCheckResult(
        passed=invalid == 0 and missing == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"invalid_metadata": invalid, "missing_files": missing},
    )


@dg.asset(
    deps=[document_records],
    group_name=GROUP,
    kinds={"python", "parquet"},
    tags=CORPUS_LEVEL,
    code_version="1",
    check_specs=[
        dg.AssetCheckSpec("metadata_valid", asset="corpus_manifest", blocking=True,
                          description="Every document has ontology-valid metadata (ERROR)."),
        dg.AssetCheckSpec("records_complete", asset="corpus_manifest",
                          description="Every document partition has a record (WARN)."),
    ],
)
def corpus_manifest(context: dg.AssetExecutionContext, storage: StorageResource) -> dg.MaterializeResult:
    """The corpus as it is now: every current document's record, counts per document class,
    and removal of outputs left behind by deleted documents (their partitions are gone)."""
    current = set(context.instance.get_dynamic_partitions(DOCUMENTS))
    store = storage.get()
    removed = store.prune(keep=current)
    for asset, keys in removed.items():
        context.log.info(f"pruned {len(keys)} deleted documents from {asset}")
    rows = store.read_many("document_records", sorted(current))
    store.write_rows("corpus_manifest", rows)
    summary = class_summary(rows)
    invalid = [r for r in rows if r["metadata_errors"]]
    not_recorded = sorted(current - {r["doc_id"] for r in rows})
    return dg.MaterializeResult(
        metadata={
            "documents": len(rows),
            "document_classes": len(summary),
            "bytes": sum(r["size_bytes"] for r in rows),
            "pages": sum(r["pages"] or 0 for r in rows),
            "pruned_outputs": sum(len(v) for v in removed.values()),
            "per_class": dg.MetadataValue.md(markdown_table(summary)),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="metadata_valid",
                passed=not invalid,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={
                    "invalid_documents": len(invalid),
                    "examples": dg.MetadataValue.md(markdown_table(
                        [{"path": r["path"], "errors": "; ".join(r["metadata_errors"])} for r in invalid],
                        max_rows=20)),
                },
            ),
            dg.AssetCheckResult(
                check_name="records_complete",
                passed=not not_recorded,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"partitions": len(current), "without_record": len(not_recorded),
                          "examples": ", ".join(not_recorded[:10]) or "none"},
            ),
        ],
    )


@dg.asset(
    group_name=GROUP,
    kinds={"python", "json"},
    tags=CORPUS_LEVEL,
    code_version="1",
)
def golden_sets(context: dg.AssetExecutionContext, golden: GoldenSetResource,
                storage: StorageResource) -> dg.MaterializeResult:
    """The golden sets (references and labels) loaded and validated. A malformed row is
    recorded as an error naming file and line; every other golden file still loads."""
    gs = golden.load()
    summary = gs.summary()
    errors = [str(e) for e in gs.errors]
    for e in errors:
        context.log.error(e)
    storage.get().write_json("golden_sets", {"root": golden.golden_root, "counts": summary, "errors": errors})
    return dg.MaterializeResult(
        metadata={
            "root": golden.golden_root,
            "errors": len(errors),
            **{f"count_{k}": v for k, v in summary.items()},
            "counts": dg.MetadataValue.md(markdown_table([{"kind": k, "rows": v} for k, v in summary.items()])),
        }
    )


@dg.asset_check(asset=golden_sets, blocking=False,
                description="No malformed golden-set rows (ERROR, non-blocking: the rest still runs).")
def golden_sets_valid(storage: StorageResource) -> dg.AssetCheckResult:
    stored = storage.get().read_json("golden_sets")
    errors = stored["errors"]
    return dg.AssetCheckResult(
        passed=not errors,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"errors": len(errors), "first_errors": dg.MetadataValue.md(
            "\n".join(f"- `{e}`" for e in errors[:20]) or "none")},
    )


@dg.asset_check(asset=golden_sets, additional_deps=[corpus_manifest],
                description="Share of corpus documents that have a reference text (WARN below 1.0).")
def golden_coverage(golden: GoldenSetResource, storage: StorageResource) -> dg.AssetCheckResult:
    store = storage.get()
    manifest = store.read_rows("corpus_manifest") if store.exists("corpus_manifest") else []
    refs = set(golden.load().parse)
    docs = {r["doc_id"] for r in manifest}
    covered = len(docs & refs)
    share = covered / len(docs) if docs else 0.0
    return dg.AssetCheckResult(
        passed=bool(docs) and covered == len(docs),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"documents": len(docs), "with_reference": covered, "coverage": share,
                  "references_without_document": len(refs - docs)},
    )
