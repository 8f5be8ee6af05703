"""``rag-eval``: run the pipeline headless, see what is pending, make or import a corpus.

    rag-eval run                 sync partitions with the corpus, run the per-document stages
                                 for every document with work left (new, changed, failed or
                                 interrupted: the same state the sensor reads), then the corpus
                                 refresh and the report when anything they read changed.
                                 ``--all`` re-processes every document; ``--dry-run`` only
                                 lists what would run and writes nothing.
    rag-eval backfill --changed  only the per-document stages of documents with work left.
    rag-eval status              documents with work left, per-document failures, last refresh.
    rag-eval sample              (re)generate the sample corpus and its golden sets.
    rag-eval init DIR            starter _metadata.jsonl and ontology for a folder of files.
    rag-eval import-beir DIR     a BEIR dataset folder as a corpus plus its golden set.

Exit codes: 0 every run succeeded (per-document failures and failing quality gates are
listed); 1 a run failed; 2 invalid settings or arguments (one line naming the variable);
3 with ``--strict``: an ERROR check failed or a document failed.

Runs are recorded in the Dagster instance at ``$DAGSTER_HOME`` (default
``.rag_eval/dagster_home``), so ``dagster dev -w workspace.yaml`` started with the same
DAGSTER_HOME shows them. The instance this command creates queues runs beyond
``RAG_EVAL_MAX_CONCURRENT_RUNS`` (default 1).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag_eval_assets.settings import PROJECT_ROOT, Settings, SettingsError

DEFAULT_DAGSTER_HOME = PROJECT_ROOT / ".rag_eval" / "dagster_home"
QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
ROUTE_PASSES = 2  # a first run routes by the primary parser, then by the scorecard it produced
MANAGED = "# managed by rag-eval (delete this line to manage the file yourself)"


def instance_yaml(max_concurrent_runs: int) -> str:
    """The instance configuration ``rag-eval`` writes: local storage, runs queued beyond the
    concurrency limit (a bulk load on a small machine queues instead of starting N runs)."""
    return (f"{MANAGED}\nrun_queue:\n  max_concurrent_runs: {max_concurrent_runs}\n"
            "telemetry:\n  enabled: false\n")


def dagster_home(settings: Settings) -> Path:
    """``$DAGSTER_HOME`` (created) with the managed ``dagster.yaml``; a hand-written one is kept."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME)
    home.mkdir(parents=True, exist_ok=True)
    os.environ["DAGSTER_HOME"] = str(home)  # Dagster's own variable: DagsterInstance.get() reads it
    yaml_path = home / "dagster.yaml"
    current = yaml_path.read_text() if yaml_path.exists() else ""
    if not current or current.startswith(MANAGED):
        wanted = instance_yaml(settings.max_concurrent_runs)
        if current != wanted:
            yaml_path.write_text(wanted)
    return home


@dataclass
class Outcome:
    """What one command did: run successes, failed ERROR checks, per-document failures."""

    ok: bool = True
    evaluations: dict[str, Any] = field(default_factory=dict)  # "asset:check" -> the latest evaluation
    results: list[Any] = field(default_factory=list)  # every run's result, in order

    @property
    def failed_error_checks(self) -> list[str]:
        """ERROR checks whose latest evaluation failed (a check evaluated by two refreshes of
        one command, as after a route change, counts once, as it last stood)."""
        return [n for n, ev in self.evaluations.items() if not ev.passed and ev.severity.value == "ERROR"]

    def checks(self, result: Any) -> None:
        self.results.append(result)
        for ev in result.get_asset_check_evaluations():
            sev = ev.severity.value
            name = f"{ev.asset_key.to_user_string()}:{ev.check_name}"
            value = ev.metadata.get("value")
            shown = f" value {value.value}" if value is not None else ""
            limit = ev.metadata.get("limit")
            shown += f" (limit {limit.value})" if limit is not None else ""
            status = "PASS" if ev.passed else f"FAIL ({sev})"
            reason = ev.metadata.get("reason")
            if not ev.passed and reason is not None:
                shown += f": {reason.value}"
            self.evaluations[name] = ev
            print(f"  check {name}: {status}{shown}")


def _view(settings: Settings, resources: dict, save_scan: bool = True, rehash: bool = False) -> Any:
    from rag_eval_assets.resources import corpus_view

    r = resources
    return corpus_view(r["corpus"], r["storage"], r["parse_config"], r["clean_config"], r["chunk_config"],
                       r["embed_config"], save_scan=save_scan, rehash=rehash)


def sync_partitions(instance: Any, view: Any) -> tuple[list[str], list[str]]:
    """Add partitions for new documents (in path order) and delete those of removed ones."""
    from rag_eval_assets.partitions import DOCUMENTS

    known = list(instance.get_dynamic_partitions(DOCUMENTS))
    new = sorted((d for d in view.docs if d not in set(known)), key=lambda d: view.docs[d].relpath)
    gone = [k for k in known if k not in view.docs]
    if new:
        instance.add_dynamic_partitions(DOCUMENTS, new)
    for k in gone:
        instance.delete_dynamic_partition(DOCUMENTS, k)
    return new, gone


def run_documents(instance: Any, defs: Any, view: Any, pending: dict[str, list[str]], settings: Settings,
                  outcome: Outcome, force: bool) -> int:
    """Per-document stages for the pending documents, ``batch_size`` per run."""
    import dagster as dg

    from rag_eval_assets.defs.automation import batches
    from rag_eval_assets.partitions import DOCUMENTS, FORCE_TAG, LAUNCHED_BY, range_tags

    ordered = list(instance.get_dynamic_partitions(DOCUMENTS))
    groups = batches(ordered, set(pending), settings.batch_size)

    def tags_for(group: list[str]) -> dict[str, str]:
        for d in group:
            instance.report_runless_asset_event(dg.AssetObservation(
                asset_key="raw_documents", partition=d, tags={"dagster/data_version": view.docs[d].sha256},
                metadata={"path": view.display_path(d)}))
        tags = {**range_tags(group[0], group[-1]), LAUNCHED_BY: "rag-eval"}
        return {**tags, FORCE_TAG: "true"} if force else tags

    def done(result: Any) -> None:
        outcome.results.append(result)
        outcome.ok &= result.success

    if settings.executor == "celery":  # every batch queued for the workers, max_concurrent_runs at a time
        from rag_eval_assets.distributed import NoWorkers, execute_document_runs, workers_answering

        try:
            workers = workers_answering(settings)  # before anything waits in a queue no worker reads
        except NoWorkers as exc:
            print(f"rag-eval: {exc}", file=sys.stderr)
            raise SystemExit(2) from None
        print(f"document_stages: {len(groups)} runs on Celery workers ({settings.max_concurrent_runs} at a time; "
              f"{len(workers)} workers answer: {', '.join(workers)})")
        finished = []

        def report(i: int, result: Any) -> None:
            finished.append(i)
            state = "done" if result.success else "FAILED"
            print(f"[{len(finished)}/{len(groups)}] document_stages: {len(groups[i])} documents {state}")

        for result in execute_document_runs(settings, [tags_for(g) for g in groups], QUIET, report):
            done(result)
        return len(groups)
    job = defs.resolve_job_def("document_stages")
    for i, group in enumerate(groups, start=1):
        print(f"[{i}/{len(groups)}] document_stages: {len(group)} documents")
        done(job.execute_in_process(instance=instance, raise_on_error=False, run_config=QUIET, tags=tags_for(group)))
    return len(groups)


def run_refresh(instance: Any, defs: Any, digest: str, outcome: Outcome) -> None:
    """The corpus refresh, then the report whatever the refresh's gates said."""
    from rag_eval_assets.partitions import INPUTS_DIGEST, LAUNCHED_BY

    tags = {INPUTS_DIGEST: digest, LAUNCHED_BY: "rag-eval"}
    print("corpus_refresh (corpus-level assets and corpus-wide checks)")
    result = defs.resolve_job_def("corpus_refresh").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, tags=tags)
    outcome.checks(result)
    outcome.ok &= result.success
    if not result.success:
        print("  the refresh did not complete (a blocking gate or an error): the report shows where")
    report = defs.resolve_job_def("evaluation_report").execute_in_process(
        instance=instance, raise_on_error=False, run_config=QUIET, tags=tags)
    outcome.checks(report)
    outcome.ok &= report.success


def failure_rows(view: Any) -> list[dict[str, str]]:
    """Every per-document failure of the current documents: final ones (stored outputs) and
    the retried errors, with the masked path."""
    rows = []
    for asset in view.config.assets():
        for doc_id, out in sorted(view.current(asset).items()):
            if out.failed:
                record = view.outputs.read_output(asset, out)
                rows.append({"path": view.display_path(doc_id), "stage": asset, "kind": str(record.get("kind")),
                             "message": str(record.get("message", ""))[:160], "retried": "no"})
    for e in view.outputs.errors(set(view.docs)):
        rows.append({"path": str(e.get("path")), "stage": str(e.get("stage")), "kind": str(e.get("kind")),
                     "message": str(e.get("message", ""))[:160], "retried": "next run"})
    return rows


def print_failures(rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    print(f"per-document failures ({len(rows)}):")
    for r in rows:
        print(f"  {r['path']}: {r['stage']}: {r['kind']}: {r['message']} (retried: {r['retried']})")


def command_run(settings: Settings, all_: bool, dry_run: bool, strict: bool, refresh: bool = True) -> int:
    import dagster as dg

    from rag_eval_assets.definitions import build_definitions
    from rag_eval_assets.resources import build_resources, refresh_digest

    resources = build_resources(settings)
    view = _view(settings, resources, save_scan=not dry_run)
    pending = view.pending(force=all_)
    print(f"corpus {settings.corpus_root}: {len(view.docs)} documents ({view.scan.hashed} hashed); "
          f"{len(pending)} with work left")
    for rejected in view.scan.rejected:
        print(f"  rejected: {rejected}")
    if dry_run:
        for d in pending:
            print(f"  {view.display_path(d)}: {', '.join(pending[d])}")
        if refresh:
            last = (view.outputs.read_state("refresh") or {}).get("inputs_digest")
            print("corpus refresh: " + ("needed" if pending or last != refresh_digest(view, resources) else "up to date"))
        return 0
    dagster_home(settings)
    outcome = Outcome()
    with dg.DagsterInstance.get() as instance:
        new, gone = sync_partitions(instance, view)
        if new or gone:
            print(f"partitions: {len(new)} added, {len(gone)} deleted")
        defs = build_definitions(settings)
        ran = run_documents(instance, defs, view, pending, settings, outcome, all_) if pending else 0
        if refresh:
            for attempt in range(ROUTE_PASSES):
                view = _view(settings, resources)
                digest = refresh_digest(view, resources)
                last = (view.outputs.read_state("refresh") or {}).get("inputs_digest")
                if not (ran or all_ or last != digest):
                    print("corpus refresh: up to date (nothing it reads changed since the last one)")
                    break
                run_refresh(instance, defs, digest, outcome)
                view = _view(settings, resources)
                rerouted = view.pending()  # the refresh chose new routes from fresh evidence
                if not rerouted or attempt == ROUTE_PASSES - 1:
                    break
                print(f"parse routes changed: {len(rerouted)} documents re-processed from the route on")
                ran = run_documents(instance, defs, view, rerouted, settings, outcome, False)
                all_ = False
        else:
            view = _view(settings, resources)
    failures = failure_rows(view)
    print_failures(failures)
    if not outcome.ok:
        print("FAILED: a run failed: see the errors above")
        return 1
    print("OK: all runs succeeded")
    report = view.outputs.report_url()
    if refresh and view.outputs.exists("rag_eval_report", "_latest", "html"):
        verdict = (view.outputs.read_json("rag_eval_report", "_figures", default=None) or {}).get("verdict")
        if verdict:
            print(f"verdict: {verdict}")
        print(f"report: {report}")
    if outcome.failed_error_checks:
        print(f"quality gates failing ({len(outcome.failed_error_checks)} ERROR checks): "
              f"{', '.join(outcome.failed_error_checks)}")
    return 3 if strict and (outcome.failed_error_checks or failures) else 0


def command_status(settings: Settings) -> int:
    from rag_eval_assets.resources import build_resources, refresh_digest

    resources = build_resources(settings)
    view = _view(settings, resources, save_scan=False)
    pending = view.pending()
    print(f"corpus {settings.corpus_root}: {len(view.docs)} documents, {len(pending)} with work left")
    for d, stages in pending.items():
        print(f"  {view.display_path(d)}: {', '.join(stages)}")
    print_failures(failure_rows(view))
    last = view.outputs.read_state("refresh")
    current = refresh_digest(view, resources)
    print("last refresh: " + ("none" if not last else
                              f"{last.get('at')} ({'up to date' if last.get('inputs_digest') == current else 'out of date'})"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rag-eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run every stage on the corpus (headless)")
    run_p.add_argument("--all", action="store_true", help="re-process every document, not only those with work left")
    run_p.add_argument("--dry-run", action="store_true", help="list what would run; write nothing")
    run_p.add_argument("--strict", action="store_true",
                       help="exit 3 when an ERROR check or a document failed, not only when a run failed")
    bf = sub.add_parser("backfill", help="run the per-document stages of documents with work left")
    bf.add_argument("--changed", action="store_true", required=True)
    bf.add_argument("--dry-run", action="store_true", help="only list them; write nothing")
    sub.add_parser("status", help="documents with work left, failures, last refresh")
    sp = sub.add_parser("sample", help="(re)generate the sample corpus and golden sets")
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--size", type=int, default=None)
    init = sub.add_parser("init", help="starter _metadata.jsonl and ontology for a folder of files")
    init.add_argument("folder")
    init.add_argument("--force", action="store_true", help="overwrite an existing _metadata.jsonl / ontology")
    beir = sub.add_parser("import-beir", help="a BEIR dataset folder as a corpus plus its golden set")
    beir.add_argument("folder")
    beir.add_argument("--out", default=None, help="where to write corpus/ and golden/ (default: ./<dataset name>)")
    beir.add_argument("--split", action="append", default=None, help="qrels split(s) to import (default: all)")
    args = parser.parse_args(argv)

    if args.command in ("init", "import-beir"):
        from rag_eval_assets.lib.corpus_init import init_corpus
        from rag_eval_assets.lib.goldens.beir_import import import_beir

        try:
            print(init_corpus(args.folder, force=args.force) if args.command == "init"
                  else import_beir(args.folder, args.out, splits=args.split))
        except (ValueError, FileNotFoundError) as exc:
            print(f"rag-eval: {exc}", file=sys.stderr)
            return 2
        return 0
    try:
        settings = Settings.from_env(validate=args.command != "sample")
    except SettingsError as exc:
        print(f"rag-eval: invalid setting: {exc}", file=sys.stderr)
        return 2
    if args.command == "sample":
        from rag_eval_assets.sample import generate

        print(generate(settings.corpus_root, settings.golden_root, seed=args.seed, size=args.size))
        return 0
    if args.command == "status":
        return command_status(settings)
    if args.command == "backfill":
        return command_run(settings, all_=False, dry_run=args.dry_run, strict=False, refresh=False)
    return command_run(settings, all_=args.all, dry_run=args.dry_run, strict=args.strict)


if __name__ == "__main__":
    sys.exit(main())
