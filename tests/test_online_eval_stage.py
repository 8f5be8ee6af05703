"""Online-eval assets in Dagster on a slice of the sample corpus: BM25 index, retrieval_eval,
filter_eval, generation_eval and the HTML report, rendered in headless Chromium."""

import json
import shutil
import subprocess

import dagster as dg
import numpy as np
import pytest

from rag_eval_assets.defs import chunk, clean, corpus, dedup, embed, index
from rag_eval_assets.defs import parse as parse_defs
from rag_eval_assets.defs.online import filters, generation, report, retrieval
from rag_eval_assets.definitions import defs
from rag_eval_assets.lib.documents import load_metadata
from rag_eval_assets.lib.storage import Storage
from rag_eval_assets.partitions import DOCUMENTS
from rag_eval_assets.resources import (
    PROJECT_ROOT,
    ChunkConfig,
    CleanConfig,
    CorpusResource,
    DedupConfig,
    EmbedConfig,
    GenerationEvalConfig,
    GoldenSetResource,
    IndexConfig,
    ParseConfig,
    RetrievalEvalConfig,
    StorageResource,
)

pytestmark = pytest.mark.slow
CORPUS = PROJECT_ROOT / "sample_corpus"
CLASSES = ("text_multilingual", "text_near_duplicate", "text_pii", "pdf_single_column", "html_article")
ONLINE = ("retrieval_eval", "filter_eval", "generation_eval", "rag_eval_report")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_online_assets_sit_downstream_of_the_index_with_checks():
    graph = defs().resolve_asset_graph()
    checked = {ck.asset_key for ck in graph.asset_check_keys}
    for name in ONLINE:
        key = dg.AssetKey(name)
        assert key in checked, name
        ancestors, frontier = set(), {key}
        while frontier:
            parents = set(graph.get(frontier.pop()).parent_keys) - ancestors
            ancestors |= parents
            frontier |= parents
        assert {dg.AssetKey("vector_index"), dg.AssetKey("sparse_index")} <= ancestors, name


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def online_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("online")
    meta = load_metadata(CORPUS)
    keys = sorted(d for d, m in meta.items() if m.doc_class in CLASSES)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(DOCUMENTS, keys)
    resources = {"corpus": CorpusResource(corpus_root=str(CORPUS)),
                 "golden": GoldenSetResource(golden_root=str(PROJECT_ROOT / "golden_sets" / "sample")),
                 "storage": StorageResource(root=str(tmp)), "parse_config": ParseConfig(),
                 "clean_config": CleanConfig(), "dedup_config": DedupConfig(), "chunk_config": ChunkConfig(),
                 "embed_config": EmbedConfig(model="hashing"), "index_config": IndexConfig(),
                 "retrieval_eval_config": RetrievalEvalConfig(), "generation_eval_config": GenerationEvalConfig()}
    primary = next(a for a in parse_defs.parse_assets if a.key.to_user_string() == f"parsed_{parse_defs.PRIMARY}")
    tags = {"dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]}
    docs = dg.materialize([corpus.document_records, primary, parse_defs.parsed_documents, clean.cleaned_documents,
                           chunk.chunks, embed.embeddings], instance=instance, resources=resources, tags=tags)
    assert docs.success
    result = dg.materialize([corpus.corpus_manifest, dedup.near_duplicates, index.vector_index, index.sparse_index,
                             retrieval.retrieval_eval, filters.filter_eval, generation.generation_eval,
                             report.rag_eval_report], instance=instance, resources=resources, raise_on_error=False)
    return tmp, result, keys, instance, resources


def _metadata(result, asset):
    return next(m.materialization.metadata for m in result.get_asset_materialization_events()
                if m.asset_key.to_user_string() == asset)


def test_online_assets_measure_and_check(online_run):
    tmp, result, *_ = online_run
    assert result.success
    checks = {(e.asset_key.to_user_string(), e.check_name): e for e in result.get_asset_check_evaluations()}
    for name in ("hybrid_recall_at_10", "slice_recall_at_10", "hybrid_not_worse"):
        assert ("retrieval_eval", name) in checks
    assert checks[("sparse_index", "sparse_self_recall")].passed
    store = Storage(tmp)
    summary = store.read_json("retrieval_eval", "_summary")
    lanes = {r["lane"]: r for r in summary["means"]}
    assert set(lanes) == {"dense", "sparse", "hybrid"} and summary["queries"] > 10
    assert summary["delta_ndcg@10"]["dense"] == pytest.approx(lanes["hybrid"]["ndcg@10"] - lanes["dense"]["ndcg@10"])
    assert lanes["sparse"]["recall@10"] > 0.5  # BM25 finds the sample's keyword-rich answers

    # filters: the sample's deliberately wrong predicates exclude gold; the labelled ones do not
    fe = store.read_json("filter_eval", "_summary")
    rows = store.read_rows("filter_eval", "_per_query")
    excluded = [r["query_id"] for r in rows if r["excluded"]]
    assert fe["false_exclusion_rate"] == pytest.approx(len(excluded) / len(rows)) and excluded
    assert all(not r["correct_label"] for r in rows if r["excluded"])  # only wrong filters exclude gold
    assert fe["false_exclusion_rate_correct_predicates"] == 0.0
    assert checks[("filter_eval", "false_exclusion_rate")].passed is False
    assert checks[("filter_eval", "labelled_predicates_admit_gold")].passed
    # survivor-only recall looks fine while the filter loses answers
    assert fe["survivor_only_recall@10"] > fe["naive_survivor_recall@10"]
    assert fe["recall@10_unfiltered"] > fe["naive_survivor_recall@10"]
    assert {r["field"] for r in fe["ontology"]} >= {"doc_class", "locale"}

    # generation: every trace admissible, every excluded query fails at candidate retrieval
    gen = store.read_json("generation_eval", "_summary")
    cases = {r["case_id"]: r for r in store.read_json("generation_eval", "_cases")}
    assert checks[("generation_eval", "traces_admissible")].passed
    assert all(cases[q]["stage"] == "candidate retrieval" for q in excluded)
    assert gen["stage_counts"].get("pass", 0) > 0 and sum(gen["stage_counts"].values()) == len(cases)
    assert gen["judge"] == "support_phrases_in_chunk" and gen["judge_invalid_rate"] == 0.0
    traces = (tmp / "generation_eval" / "_traces.jsonl").read_text().splitlines()
    assert len(traces) == len(cases) and json.loads(traces[0])["versions"]
    gate = checks[("generation_eval", "release_gate")]
    assert gate.passed == gen["gate"]["allowed"]


def test_report_renders_in_headless_chromium(online_run, tmp_path):
    tmp, result, *_ = online_run
    meta = _metadata(result, "rag_eval_report")
    path = meta["report"].value
    html = open(path, encoding="utf-8").read()
    fe = Storage(tmp).read_json("filter_eval", "_summary")
    for text in ("Parse", "Retrieval", "Filters", "Generation", "First failed stage", "false-exclusion rate",
                 f"{fe['false_exclusion_rate']:.3f}"):
        assert text in html, text
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (scripts/setup.sh installs it from Debian when run as root)")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *flags, f"--screenshot={shot}", "--window-size=1200,2400", f"file://{path}"],
                   check=True, capture_output=True, timeout=120)
    import matplotlib.image

    pixels = matplotlib.image.imread(str(shot))
    assert pixels.shape[0] >= 2000 and float(np.std(pixels[..., :3])) > 0.05  # not a blank page
    dom = subprocess.run([chromium, *flags, "--dump-dom", f"file://{path}"], check=True, capture_output=True,
                         text=True, timeout=120).stdout
    assert "false-exclusion rate" in dom and f"{fe['false_exclusion_rate']:.3f}" in dom
    assert dom.count("data:image/png;base64,") >= 2  # the plots made it into the rendered page


def test_access_predicate_keeps_restricted_documents_out_of_every_trace(online_run):
    tmp, _, _, instance, resources = online_run
    config = GenerationEvalConfig(access_predicate='{"permitted": true}')
    result = dg.materialize([generation.generation_eval], instance=instance,
                            resources={**resources, "generation_eval_config": config})
    assert result.success
    [admissible] = [e for e in result.get_asset_check_evaluations() if e.check_name == "traces_admissible"]
    assert admissible.passed
    store = Storage(tmp)
    permitted = {r["doc_id"]: r["permitted"] for r in store.read_rows("corpus_manifest")}
    traces = [json.loads(line) for line in (tmp / "generation_eval" / "_traces.jsonl").read_text().splitlines()]
    traced = {c for t in traces for c in t["first_stage_ids"]}
    assert traced and all(permitted[c.split("#")[0]] for c in traced)
    assert not all(permitted.values())  # the slice does hold restricted documents
