"""Clean and dedup stages in Dagster on sample documents: checks pass, the redacted text flows
downstream, and no seeded PII value appears anywhere in the run's event log."""

import dagster as dg
import pytest
from _harness import SAMPLE_GOLDEN, Project, checks, materializations, sample_subset

from rag_eval_assets.lib.goldens import GoldenSet
from rag_eval_assets.lib.state import CLEANED

pytestmark = pytest.mark.slow


def test_pii_never_reaches_the_event_log(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", {"text_pii"})
    project = Project(tmp_path, corpus)
    outcome = project.run()
    assert outcome.ok
    golden = GoldenSet.load(SAMPLE_GOLDEN)
    seeded = {golden.parse[d][s.start:s.end] for d in keys for s in golden.pii.get(d, [])}
    assert len(seeded) >= 40
    c = checks(*outcome.results)
    assert c["clean_scorecard:pii_recall"].passed and c["clean_scorecard:language_macro_f1"].passed
    out = project.outputs
    stored = " ".join(out.read_output(CLEANED, o)["text"] for o in out.versions(CLEANED).values())
    assert "<US_SSN>" in stored and "<EMAIL_ADDRESS>" in stored
    high_risk = {golden.parse[d][s.start:s.end] for d in keys for s in golden.pii.get(d, [])
                 if s.entity_type in ("US_SSN", "CREDIT_CARD", "IBAN_CODE", "EMAIL_ADDRESS")}
    assert not [v for v in high_risk if v in stored]
    log = "\n".join(dg.serialize_value(e) for run in project.instance.get_runs()
                    for e in project.instance.all_logs(run.run_id))
    assert len(log) > 10_000
    leaked = sorted(v for v in seeded if v in log)
    assert not leaked, f"{len(leaked)} seeded PII values found in the event log"


def test_dedup_on_near_duplicate_families(tmp_path):
    corpus, keys = sample_subset(tmp_path / "corpus", {"text_near_duplicate"})
    project = Project(tmp_path, corpus)
    outcome = project.run()
    assert outcome.ok
    c = checks(*outcome.results)
    assert c["near_duplicates:false_merge_rate"].passed and c["near_duplicates:missed_merge_rate"].passed
    assert c["dedup_threshold_sweep:default_threshold_is_clean"].passed
    mats = {k: v[-1].metadata for k, v in materializations(*outcome.results).items()}
    assert mats["near_duplicates"]["clusters"].value == 6  # one cluster per family
    assert mats["dedup_threshold_sweep"]["plot"].value.startswith("![threshold sweep](data:image/png;base64,")
    rows = project.outputs.read_rows("near_duplicates")
    assert len(rows) == len(keys) and sum(r["is_duplicate"] for r in rows) == 18  # exact, light and heavy-edit copies
