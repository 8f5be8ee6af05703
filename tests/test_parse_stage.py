"""Parse stage in Dagster: a parse asset over a batch of sample documents, its checks, the
scorecard and the primary output that feeds the next stage."""

import json

import dagster as dg
import pytest

from rag_eval_assets.defs import parse as parse_defs
from rag_eval_assets.lib.documents import load_metadata
from rag_eval_assets.partitions import DOCUMENTS
from rag_eval_assets.resources import PROJECT_ROOT, CorpusResource, GoldenSetResource, ParseConfig, StorageResource

pytestmark = pytest.mark.slow
CORPUS = PROJECT_ROOT / "sample_corpus"


def _pick(classes):
    meta = load_metadata(CORPUS)
    out = []
    for cls in classes:
        out.append(next(doc_id for doc_id, m in sorted(meta.items()) if m.doc_class == cls))
    return out


def test_parse_asset_checks_and_scorecard(tmp_path):
    keys = _pick(["pdf_single_column", "pdf_two_column", "pdf_scanned", "html_article"])
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(DOCUMENTS, keys)
    resources = {
        "corpus": CorpusResource(corpus_root=str(CORPUS)),
        "golden": GoldenSetResource(golden_root=str(PROJECT_ROOT / "golden_sets" / "sample")),
        "storage": StorageResource(root=str(tmp_path)),
        "parse_config": ParseConfig(timeout_s=120),
    }
    pymupdf_asset = next(a for a in parse_defs.parse_assets if a.key.to_user_string() == "parsed_pymupdf")
    result = dg.materialize(
        [pymupdf_asset], instance=instance, resources=resources,
        tags={"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]})
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["cer_within_thresholds"].passed  # pymupdf: exact on born-digital, OCR-routed scans
    assert checks["failure_rate"].passed
    mats = result.get_asset_materialization_events()
    assert len(mats) == len(keys)  # one materialization per document partition
    stored = json.loads((tmp_path / "parsed_pymupdf" / f"{keys[2]}.json").read_text())
    assert stored["ocr_pages"], "the scanned PDF must have been routed to OCR"

    card = dg.materialize([parse_defs.parser_scorecard], instance=instance, resources=resources,
                          selection=[parse_defs.parser_scorecard])
    assert card.success
    meta = card.get_asset_materialization_events()[0].materialization.metadata
    table = meta["scorecard"].value
    for cls in ("pdf_single_column", "pdf_two_column", "pdf_scanned", "html_article"):
        assert cls in table
    assert meta["cer_mean/pymupdf/pdf_single_column"].value < 0.01


def test_thresholds_fail_when_cer_is_high():
    rows = [{"doc_id": "a", "doc_class": "pdf_single_column", "cer": 0.2, "path": "a.pdf", "failure_kind": None,
             "failure_message": None}]
    config = ParseConfig()
    gated = parse_defs._threshold_check("parsed_x", rows, config, gate=True)
    assert not gated.passed and gated.severity == dg.AssetCheckSeverity.ERROR
    informative = parse_defs._threshold_check("parsed_x", rows, config, gate=False)
    assert not informative.passed and informative.severity == dg.AssetCheckSeverity.WARN
    ok = parse_defs._threshold_check("parsed_x", [{**rows[0], "cer": 0.001}], config, gate=True)
    assert ok.passed
