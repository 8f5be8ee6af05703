"""corpus_sensor evaluated as the daemon would: partitions follow the files, runs follow the
state that `rag-eval run` reads, and one corpus refresh follows the document runs."""

import json
from pathlib import Path

import dagster as dg
import pytest
from _corpus import write_corpus
from _harness import Project

from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.partitions import DOCUMENTS, INPUTS_DIGEST, RANGE_END, RANGE_START

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    (tmp_path / "golden").mkdir()
    return Project(tmp_path, corpus, golden=tmp_path / "golden", batch_size=10)


def tick(project, cursor=None):
    repo = project.defs.get_repository_def()
    ctx = dg.build_sensor_context(instance=project.instance, cursor=cursor, resources=repo.get_top_level_resources(),
                                  repository_def=repo)
    result = repo.get_sensor_def("corpus_sensor").evaluate_tick(ctx)
    for req in result.dynamic_partitions_requests or []:  # what the daemon applies
        if isinstance(req, dg.AddDynamicPartitionsRequest):
            project.instance.add_dynamic_partitions(DOCUMENTS, list(req.partition_keys))
        else:
            for k in req.partition_keys:
                project.instance.delete_dynamic_partition(DOCUMENTS, k)
    return result


def jobs(result):
    return [r.job_name for r in result.run_requests]


def test_bulk_load_is_one_run_then_one_refresh_then_nothing(project):
    first = tick(project)
    ids = sorted(doc_id_for(p) for p in ("notes/vpn.txt", "notes/billing.txt", "notes/storage.md", "guides/sso.txt"))
    assert sorted(project.instance.get_dynamic_partitions(DOCUMENTS)) == ids
    assert jobs(first) == ["document_stages"]  # a bulk load is one batch, not one run per document
    assert {first.run_requests[0].tags[RANGE_START], first.run_requests[0].tags[RANGE_END]} <= set(ids)
    assert len(json.loads(first.cursor)) == 1  # the cursor is small: no map of every document
    project.run(refresh=False)  # the run the sensor asked for
    second = tick(project, first.cursor)
    assert jobs(second) == ["corpus_refresh"]  # the documents are done: one refresh, with its inputs digest
    assert second.run_requests[0].tags[INPUTS_DIGEST]
    project.run()  # `rag-eval run`: refresh + report record what the evaluation covered
    third = tick(project, second.cursor)
    assert not third.run_requests and third.skip_message  # `dagster dev` after `rag-eval run`: 0 runs


def test_edits_request_exactly_the_changed_documents_in_one_run(project):
    project.run()
    first = tick(project)
    assert not first.run_requests
    corpus = project.settings.corpus_root
    for rel in ("notes/billing.txt", "guides/sso.txt"):  # scattered edits: one run over their range
        (Path(corpus) / rel).write_text(f"{rel} edited: invoices are now issued on the second business day.")
    result = tick(project, first.cursor)
    assert jobs(result) == ["document_stages"]
    edited = {doc_id_for("notes/billing.txt"), doc_id_for("guides/sso.txt")}
    assert {e.partition for e in result.asset_events if e.asset_key == dg.AssetKey("raw_documents")} == edited
    assert set(project.view().pending()) == edited  # the run processes only these two (lib.state)


def test_deletion_and_golden_edit_refresh_the_evaluation(project, tmp_path):
    project.run()
    first = tick(project)
    (Path(project.settings.corpus_root) / "guides/sso.txt").unlink()
    result = tick(project, first.cursor)
    assert doc_id_for("guides/sso.txt") not in project.instance.get_dynamic_partitions(DOCUMENTS)
    assert jobs(result) == ["corpus_refresh"]
    project.run()
    (tmp_path / "golden" / "language.json").write_text(json.dumps({doc_id_for("notes/vpn.txt"): "en"}))
    edited = tick(project, result.cursor)
    assert jobs(edited) == ["corpus_refresh"]
    assert any(e.asset_key == dg.AssetKey("golden_files") for e in edited.asset_events)


def test_sensors_run_by_default(project):
    for name in ("corpus_sensor", "report_after_refresh", "report_after_failed_refresh"):
        assert project.defs.resolve_sensor_def(name).default_status == dg.DefaultSensorStatus.RUNNING



def test_batches_split_at_large_gaps_and_at_the_batch_size():
    """A run's partition range plans a materialization for every partition in it, so scattered
    documents share a run only while the gap between them is small."""
    from rag_eval_assets.defs.automation import batches

    ordered = [f"d{i:04d}" for i in range(200)]
    assert batches(ordered, {"d0001", "d0003", "d0010"}, size=50) == [["d0001", "d0003", "d0010"]]
    assert batches(ordered, {"d0001", "d0100", "d0199"}, size=50, max_gap=25) == [["d0001"], ["d0100"], ["d0199"]]
    assert batches(ordered, {"d0001", "d0027"}, size=50, max_gap=25) == [["d0001", "d0027"]]  # gap of 25: kept
    assert batches(ordered, {"d0001", "d0028"}, size=50, max_gap=25) == [["d0001"], ["d0028"]]
    assert [len(b) for b in batches(ordered, set(ordered), size=50)] == [50, 50, 50, 50]
