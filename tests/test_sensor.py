"""corpus_sensor on a temporary corpus: partitions follow the files, runs follow the changes."""

import json

import dagster as dg
import pytest
from _corpus import write_corpus

from rag_eval_assets.defs.automation import RANGE_END, RANGE_START, corpus_sensor
from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.partitions import DOCUMENTS
from rag_eval_assets.resources import CorpusResource


@pytest.fixture
def env(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    instance = dg.DagsterInstance.ephemeral()
    return corpus, instance


def tick(instance, corpus, cursor=None) -> dg.SensorResult:
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor,
                                  resources={"corpus": CorpusResource(corpus_root=str(corpus))})
    result = corpus_sensor(ctx)
    # apply what the sensor daemon would apply
    for req in result.dynamic_partitions_requests or []:
        if isinstance(req, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(DOCUMENTS, list(req.partition_keys))
        else:
            for k in req.partition_keys:
                instance.delete_dynamic_partition(DOCUMENTS, k)
    return result


def test_first_tick_adds_every_document_and_batches_them(env):
    corpus, instance = env
    result = tick(instance, corpus)
    ids = sorted(doc_id_for(p) for p in ("notes/vpn.txt", "notes/billing.txt", "notes/storage.md", "guides/sso.txt"))
    assert sorted(instance.get_dynamic_partitions(DOCUMENTS)) == ids
    # a bulk load is one contiguous range, not one run per document
    assert len(result.run_requests) == 1
    req = result.run_requests[0]
    assert req.job_name == "document_stages"
    assert {req.tags[RANGE_START], req.tags[RANGE_END]} <= set(ids)
    assert sorted(json.loads(result.cursor)) == ids
    assert len(result.asset_events) == 4  # one raw_documents observation per new document


def test_no_change_skips(env):
    corpus, instance = env
    first = tick(instance, corpus)
    second = tick(instance, corpus, cursor=first.cursor)
    assert not second.run_requests
    assert second.skip_reason is not None


def test_editing_one_file_requests_exactly_that_document(env):
    corpus, instance = env
    first = tick(instance, corpus)
    (corpus / "notes/billing.txt").write_text("Invoices are now issued on the second business day.")
    result = tick(instance, corpus, cursor=first.cursor)
    assert len(result.run_requests) == 1
    req = result.run_requests[0]
    assert req.partition_key == doc_id_for("notes/billing.txt")
    assert req.run_key.startswith(f"doc:{req.partition_key}:")
    assert [e.partition for e in result.asset_events] == [req.partition_key]
    assert not result.dynamic_partitions_requests


def test_deleting_a_file_removes_its_partition_and_refreshes_aggregates(env):
    corpus, instance = env
    first = tick(instance, corpus)
    (corpus / "guides/sso.txt").unlink()
    result = tick(instance, corpus, cursor=first.cursor)
    gone = doc_id_for("guides/sso.txt")
    assert gone not in instance.get_dynamic_partitions(DOCUMENTS)
    assert len(instance.get_dynamic_partitions(DOCUMENTS)) == 3
    assert [r.job_name for r in result.run_requests] == ["corpus_refresh"]
    assert gone not in json.loads(result.cursor)


def test_new_file_after_start_is_added_and_requested(env):
    corpus, instance = env
    first = tick(instance, corpus)
    (corpus / "notes/new.txt").write_text("Load balancers drain connections for 300 seconds.")
    result = tick(instance, corpus, cursor=first.cursor)
    new = doc_id_for("notes/new.txt")
    assert new in instance.get_dynamic_partitions(DOCUMENTS)
    assert [r.partition_key for r in result.run_requests] == [new]


def test_sensor_runs_by_default():
    assert corpus_sensor.default_status == dg.DefaultSensorStatus.RUNNING
