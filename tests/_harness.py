"""A project on a temporary corpus, driven exactly as ``rag-eval run`` drives it (same state,
same jobs, same instance calls), for the Dagster stage tests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import dagster as dg

from rag_eval_assets import cli
from rag_eval_assets.definitions import build_definitions
from rag_eval_assets.lib.documents import METADATA_FILENAME, read_metadata
from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.resources import build_resources, refresh_digest
from rag_eval_assets.settings import PROJECT_ROOT, Settings

SAMPLE_CORPUS = PROJECT_ROOT / "sample_corpus"
SAMPLE_GOLDEN = PROJECT_ROOT / "golden_sets" / "sample"
FAST = {"parsers": ("pymupdf",), "primary_parser": "pymupdf", "embed_model": "hashing"}
VOLATILE = {"seconds", "pages_per_s", "at", "report_run_id"}  # timings and run ids: differ between equal runs


def sample_subset(dest: Path, classes: set[str] | None = None, doc_ids: set[str] | None = None,
                  per_class: int | None = None) -> tuple[Path, list[str]]:
    """Copy sample documents (same relative paths, so the sample golden set's ids hold) and
    their metadata rows; returns the corpus folder and the doc ids, in path order."""
    meta = read_metadata(SAMPLE_CORPUS)
    chosen, seen = [], {}
    for doc_id, m in sorted(meta.items(), key=lambda kv: kv[1].path):
        if (classes is None or m.doc_class in classes) and (doc_ids is None or doc_id in doc_ids):
            if per_class is not None and seen.get(m.doc_class, 0) >= per_class:
                continue
            seen[m.doc_class] = seen.get(m.doc_class, 0) + 1
            chosen.append(m)
    dest.mkdir(parents=True, exist_ok=True)
    for m in chosen:
        (dest / m.path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(SAMPLE_CORPUS / m.path, dest / m.path)
    (dest / METADATA_FILENAME).write_text("".join(json.dumps(m.row()) + "\n" for m in chosen), encoding="utf-8")
    return dest, [m.doc_id for m in chosen]


class Project:
    """Settings, definitions, resources and an instance for one temporary project."""

    def __init__(self, tmp: Path, corpus: Path, golden: Path | str = SAMPLE_GOLDEN, instance: Any = None,
                 **overrides: Any) -> None:
        values = {**FAST, "storage_root": str(tmp / "storage"), **overrides}
        self.settings = Settings(corpus_root=str(corpus), golden_root=str(golden), **values)
        self.settings.validate()
        self.defs = build_definitions(self.settings)
        self.resources = build_resources(self.settings)
        self.instance = instance or dg.DagsterInstance.ephemeral()

    def view(self) -> Any:
        return cli._view(self.settings, self.resources)

    @property
    def outputs(self) -> Any:
        return self.resources["storage"].outputs()

    def run(self, force: bool = False, refresh: bool = True) -> cli.Outcome:
        """Sync partitions, run the documents with work left, then refresh + report."""
        outcome = cli.Outcome()
        view = self.view()
        cli.sync_partitions(self.instance, view)
        pending = view.pending(force=force)
        if pending:
            cli.run_documents(self.instance, self.defs, view, pending, self.settings, outcome, force)
        if refresh:
            view = self.view()
            cli.run_refresh(self.instance, self.defs, refresh_digest(view, self.resources), outcome)
        return outcome

    def materialize(self, assets: list[str], **resources: Any) -> dg.ExecuteInProcessResult:
        """Corpus-level assets (with their check specs) under resource overrides."""
        keys = [dg.AssetKey(a) for a in assets]
        defs_ = list({id(d): d for d in (self.defs.get_assets_def(k) for k in keys)}.values())
        return dg.materialize(defs_, instance=self.instance, resources={**self.resources, **resources},
                              selection=keys, raise_on_error=False)


def write_beir_golden(folder: Path, queries: dict[str, str], qrels: dict[str, dict[str, int]]) -> Path:
    """A plain BEIR golden set (queries.jsonl without metadata, qrels/test.tsv with header)."""
    (folder / "retrieval" / "qrels").mkdir(parents=True, exist_ok=True)
    (folder / "retrieval" / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items()), encoding="utf-8")
    rows = [f"{q}\t{d}\t{g}" for q, rel in qrels.items() for d, g in rel.items()]
    (folder / "retrieval" / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n" + "\n".join(rows) + "\n")
    return folder


def checks(*results: Any) -> dict[str, Any]:
    """``asset:check`` -> evaluation over the results (the latest wins)."""
    out = {}
    for r in results:
        for ev in r.get_asset_check_evaluations():
            out[f"{ev.asset_key.to_user_string()}:{ev.check_name}"] = ev
    return out


def materializations(*results: Any) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in results:
        for m in r.get_asset_materialization_events():
            out.setdefault(m.asset_key.to_user_string(), []).append(m.materialization)
    return out


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def figures(storage: Path | str) -> dict:
    """Every stored figure of a run (versions, manifest, scorecards, index ids, online eval),
    without timings; ``storage`` is a folder or an fsspec URL."""
    out = Outputs(storage)
    flat, _ = out.indexed_chunks()
    return _scrub({
        "versions": {a: sorted((d, o.version) for d, o in out.versions(a).items())
                     for a in ("document_records", "parsed_pymupdf", "parsed_documents", "cleaned_documents", "chunks",
                               "embeddings")},
        "manifest": sorted(out.manifest(), key=lambda r: r["doc_id"]),
        "parse": sorted(out.read_rows("parser_scorecard", "_documents"), key=lambda r: r["doc_id"]),
        "clean": out.read_json("clean_scorecard"), "dedup": out.read_rows("near_duplicates"),
        "indexed": sorted(flat.ids), "retrieval": out.read_json("retrieval_eval", "_summary"),
        "filters": out.read_json("filter_eval", "_summary"), "generation": out.read_json("generation_eval", "_summary"),
        "cases": out.read_json("generation_eval", "_cases"),
    })
