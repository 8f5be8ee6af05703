"""``rag-eval``: run the pipeline headless, backfill changed documents, make the sample corpus.

    rag-eval run                 sync partitions with the corpus, run the per-document stages
                                 for new/changed documents in batches, then the corpus-level
                                 assets; prints every asset check and the report path.
                                 ``--all`` re-runs everything. Exit 0 when every run
                                 succeeded, 1 when one failed; failed ERROR checks (quality
                                 gates, e.g. filter false exclusion) are listed, and exit 3
                                 only with ``--strict``.
    rag-eval backfill --changed  only the per-document stages of changed documents
                                 (``--dry-run`` lists them).
    rag-eval sample              (re)generate the sample corpus and its golden sets.

Runs are recorded in the Dagster instance at ``$DAGSTER_HOME`` (default
``.rag_eval/dagster_home``), so ``dagster dev -w workspace.yaml`` started with the same
DAGSTER_HOME shows them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rag_eval_assets.resources import PROJECT_ROOT, Settings

DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".rag_eval" / "dagster_home"


def _instance():
    import dagster as dg

    home = Path(os.environ.setdefault("DAGSTER_HOME", str(DEFAULT_DAGSTER_HOME)))
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").touch()  # default local storage; edit it for Postgres (README)
    return dg.DagsterInstance.get()


def sync_corpus(instance, settings: Settings, force_all: bool = False) -> tuple[list[str], list[str]]:
    """Align ``documents`` partitions with the corpus and record content hashes as
    ``raw_documents`` observations. Returns (documents to process, deleted documents)."""
    import dagster as dg

    from rag_eval_assets.lib.corpus_sync import diff_states
    from rag_eval_assets.lib.documents import scan_corpus
    from rag_eval_assets.lib.storage import Storage
    from rag_eval_assets.partitions import DOCUMENTS

    scan = scan_corpus(settings.corpus_root)
    current = {k: f.sha256 for k, f in scan.items()}
    partitions = list(instance.get_dynamic_partitions(DOCUMENTS))
    store = Storage(settings.storage_root)
    processed = {}
    for k in partitions:  # what was processed = the hash in the stored record
        if store.exists("document_records", k):
            processed[k] = store.read_rows("document_records", k)[0]["sha256"]
        else:
            processed[k] = ""
    changes = diff_states(processed, current)
    new = [k for k in sorted(current, key=lambda k: scan[k].relpath) if k not in set(partitions)]
    if new:
        instance.add_dynamic_partitions(DOCUMENTS, new)
    for k in changes.deleted:
        instance.delete_dynamic_partition(DOCUMENTS, k)
    todo = sorted(current) if force_all else changes.to_process
    for k in todo:
        instance.report_runless_asset_event(dg.AssetObservation(
            asset_key="raw_documents", partition=k, tags={"dagster/data_version": current[k]},
            metadata={"path": scan[k].relpath, "size_bytes": scan[k].size}))
    print(f"corpus {settings.corpus_root}: {len(current)} documents; {len(changes.added)} new, "
          f"{len(changes.modified)} changed, {len(changes.deleted)} deleted; {len(todo)} to process")
    return todo, changes.deleted


def _print_checks(result) -> list[str]:
    """Print every check result; return the names of the failed ERROR-severity checks."""
    failed_errors = []
    for ev in result.get_asset_check_evaluations():
        sev = ev.severity.value
        status = "PASS" if ev.passed else f"FAIL ({sev})"
        name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
        if not ev.passed and sev == "ERROR":
            failed_errors.append(name)
        print(f"  check {name}: {status}")
    return failed_errors


#: Failed ERROR checks of this invocation: quality findings, not run failures.
FAILED_ERROR_CHECKS: list[str] = []
QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


def run_document_stages(instance, defs, keys: Sequence[str], batch_size: int) -> bool:
    from rag_eval_assets.lib.corpus_sync import contiguous_batches
    from rag_eval_assets.partitions import DOCUMENTS

    job = defs.resolve_job_def("document_stages")
    ordered = list(instance.get_dynamic_partitions(DOCUMENTS))
    ok = True
    batches = contiguous_batches(ordered, list(keys), batch_size)
    for i, (first, last) in enumerate(batches, start=1):
        print(f"[{i}/{len(batches)}] document_stages {first}..{last}")
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET,
            tags={"dagster/asset_partition_range_start": first, "dagster/asset_partition_range_end": last,
                  "rag_eval/launched_by": "rag-eval"})
        FAILED_ERROR_CHECKS.extend(_print_checks(result))
        ok &= result.success
    return ok


def run_corpus_refresh(instance, defs) -> bool:
    print("corpus_refresh (corpus-level assets)")
    result = defs.resolve_job_def("corpus_refresh").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, tags={"rag_eval/launched_by": "rag-eval"})
    FAILED_ERROR_CHECKS.extend(_print_checks(result))
    return result.success


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run every stage on the corpus (headless)")
    run_p.add_argument("--all", action="store_true", help="re-run unchanged documents too")
    run_p.add_argument("--strict", action="store_true",
                       help="exit 3 when an ERROR-severity check fails (quality gate), not only when a run fails")
    bf = sub.add_parser("backfill", help="run the per-document stages of changed documents")
    bf.add_argument("--changed", action="store_true", required=True)
    bf.add_argument("--dry-run", action="store_true", help="only list the changed documents")
    sp = sub.add_parser("sample", help="(re)generate the sample corpus and golden sets")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--size", type=int, default=None)
    args = parser.parse_args(argv)

    settings = Settings.from_env()
    if args.command == "sample":
        from rag_eval_assets.sample import generate

        print(generate(settings.corpus_root, settings.golden_root, seed=args.seed, size=args.size))
        return 0

    from rag_eval_assets.definitions import defs as load_defs

    instance = _instance()
    defs = load_defs()
    todo, deleted = sync_corpus(instance, settings, force_all=getattr(args, "all", False))
    if args.command == "backfill":
        if args.dry_run:
            print("\n".join(todo) or "nothing changed")
            return 0
        return 0 if run_document_stages(instance, defs, todo, settings.batch_size) else 1
    ok = run_document_stages(instance, defs, todo, settings.batch_size) if todo else True
    ok = run_corpus_refresh(instance, defs) and ok
    if not ok:
        print("FAILED: a run failed: see the errors above")
        return 1
    print("OK: all runs succeeded")
    report = Path(settings.storage_root) / "rag_eval_report" / "_latest.html"
    if report.is_file():
        print(f"report: {report}")
    if FAILED_ERROR_CHECKS:
        print(f"quality gates failing ({len(FAILED_ERROR_CHECKS)} ERROR checks): {', '.join(FAILED_ERROR_CHECKS)}")
        return 3 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
