"""Clean and dedup stages in Dagster on sample documents: checks pass, the redacted text flows
downstream, and no seeded PII value appears anywhere in the run's event log."""

import dagster as dg
import pytest

from rag_eval_assets.defs import clean, dedup
from rag_eval_assets.defs import parse as parse_defs
from rag_eval_assets.lib.documents import load_metadata
from rag_eval_assets.lib.goldens import GoldenSet
from rag_eval_assets.lib.storage import Storage
from rag_eval_assets.partitions import DOCUMENTS
from rag_eval_assets.resources import (
    PROJECT_ROOT,
    CleanConfig,
    CorpusResource,
    DedupConfig,
    GoldenSetResource,
    ParseConfig,
    StorageResource,
)

pytestmark = pytest.mark.slow
CORPUS = PROJECT_ROOT / "sample_corpus"
GOLDEN = PROJECT_ROOT / "golden_sets" / "sample"


def _resources(tmp_path):
    return {"corpus": CorpusResource(corpus_root=str(CORPUS)), "golden": GoldenSetResource(golden_root=str(GOLDEN)),
            "storage": StorageResource(root=str(tmp_path)), "parse_config": ParseConfig(),
            "clean_config": CleanConfig(), "dedup_config": DedupConfig()}


def _run(tmp_path, classes):
    meta = load_metadata(CORPUS)
    keys = sorted(d for d, m in meta.items() if m.doc_class in classes)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(DOCUMENTS, keys)
    primary = next(a for a in parse_defs.parse_assets if a.key.to_user_string() == f"parsed_{parse_defs.PRIMARY}")
    per_doc = dg.materialize(
        [primary, parse_defs.parsed_documents, clean.cleaned_documents], instance=instance,
        resources=_resources(tmp_path),
        tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]})
    corpus = dg.materialize([clean.clean_scorecard, dedup.near_duplicates, dedup.dedup_threshold_sweep],
                            instance=instance, resources=_resources(tmp_path))
    return instance, keys, per_doc, corpus


def test_pii_never_reaches_the_event_log(tmp_path):
    instance, keys, per_doc, corpus = _run(tmp_path, {"text_pii"})
    assert per_doc.success and corpus.success
    golden = GoldenSet.load(GOLDEN)
    seeded = {golden.parse[d][s.start:s.end] for d in keys for s in golden.pii.get(d, [])}
    assert len(seeded) >= 40
    checks = {e.check_name: e for e in corpus.get_asset_check_evaluations()}
    assert checks["pii_recall"].passed and checks["language_macro_f1"].passed
    # the stored text that flows downstream is redacted
    store = Storage(tmp_path)
    stored = " ".join(store.read_json("cleaned_documents", k)["text"] for k in keys)
    assert "<US_SSN>" in stored and "<EMAIL_ADDRESS>" in stored
    high_risk = {golden.parse[d][s.start:s.end] for d in keys for s in golden.pii.get(d, [])
                 if s.entity_type in ("US_SSN", "CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS")}
    assert not [v for v in high_risk if v in stored]
    # every event of every run (logs, metadata, check results) is free of seeded PII values
    log = "\n".join(dg.serialize_value(e) for run in instance.get_runs() for e in instance.all_logs(run.run_id))
    assert len(log) > 10_000
    leaked = sorted(v for v in seeded if v in log)
    assert not leaked, f"{len(leaked)} seeded PII values found in the event log"


def test_dedup_on_near_duplicate_families(tmp_path):
    _, keys, per_doc, corpus = _run(tmp_path, {"text_near_duplicate"})
    assert per_doc.success and corpus.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in corpus.get_asset_check_evaluations()}
    assert checks[("near_duplicates", "false_merge_rate")].passed
    assert checks[("near_duplicates", "missed_merge_rate")].passed
    assert checks[("dedup_threshold_sweep", "default_threshold_is_clean")].passed
    mats = {m.asset_key.to_user_string(): m.materialization.metadata for m in corpus.get_asset_materialization_events()}
    assert mats["near_duplicates"]["clusters"].value == 6  # one cluster per family
    assert mats["dedup_threshold_sweep"]["plot"].value.startswith("![threshold sweep](data:image/png;base64,")
    rows = Storage(tmp_path).read_rows("near_duplicates")
    assert len(rows) == len(keys) and sum(r["is_duplicate"] for r in rows) == 12  # exact + light copies
