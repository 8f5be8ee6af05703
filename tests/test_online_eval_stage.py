"""Online-eval assets in Dagster on a slice of the sample corpus: BM25 index, retrieval_eval,
filter_eval, generation_eval and the HTML report, rendered in headless Chromium."""

import json
import shutil
import subprocess
from pathlib import Path

import dagster as dg
import numpy as np
import pytest
from _harness import Project, checks, materializations, sample_subset
from test_report import _case_row, _cells, first_screen, verdict_pixels

from rag_eval_assets.definitions import defs
from rag_eval_assets.resources import GenerationEvalConfig

pytestmark = pytest.mark.slow
CLASSES = {"text_multilingual", "text_near_duplicate", "text_pii", "pdf_single_column", "html_article"}
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
    corpus, keys = sample_subset(tmp / "corpus", CLASSES)
    project = Project(tmp, corpus)
    outcome = project.run()
    assert outcome.ok
    return project, outcome


def test_online_assets_measure_and_check(online_run):
    project, outcome = online_run
    c = checks(*outcome.results)
    for name in ("hybrid_recall_at_10", "slice_recall_at_10", "hybrid_not_worse"):
        assert f"retrieval_eval:{name}" in c
    assert c["sparse_index:sparse_self_recall"].passed
    store = project.outputs
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
    assert c["filter_eval:false_exclusion_rate"].passed is False
    assert c["filter_eval:labelled_predicates_admit_gold"].passed
    # survivor-only recall looks fine while the filter loses answers
    assert fe["survivor_only_recall@10"] > fe["naive_survivor_recall@10"]
    assert fe["recall@10_unfiltered"] > fe["naive_survivor_recall@10"]
    assert {r["field"] for r in fe["ontology"]} >= {"doc_class", "locale"}

    # generation: every trace admissible, every excluded query fails at candidate retrieval
    gen = store.read_json("generation_eval", "_summary")
    cases = {r["case_id"]: r for r in store.read_json("generation_eval", "_cases")}
    assert c["generation_eval:traces_admissible"].passed
    assert all(cases[q]["stage"] == "candidate retrieval" for q in excluded)
    assert gen["stage_counts"].get("pass", 0) > 0 and sum(gen["stage_counts"].values()) == len(cases)
    assert gen["judge"] == "support_phrases_in_chunk" and gen["judge_invalid_rate"] == 0.0
    traces = store.read_bytes("generation_eval", "_traces", "jsonl").decode().splitlines()
    assert len(traces) == len(cases) and json.loads(traces[0])["versions"]
    gate = c["generation_eval:release_gate"]
    assert gate.passed == gen["gate"]["allowed"]


def test_report_renders_in_headless_chromium(online_run, tmp_path):
    project, outcome = online_run
    meta = materializations(*outcome.results)["rag_eval_report"][-1].metadata
    assert isinstance(meta["report"], dg.PathMetadataValue) and not meta["report"].value.startswith("file:")
    path = meta["report"].value
    html = Path(path).read_text(encoding="utf-8")
    fe = project.outputs.read_json("filter_eval", "_summary")
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
    assert dom.count("data:image/png;base64,") >= 8  # a figure for every stage made it into the rendered page

    # the verdict, with the gate values of this run, fills the first screen (1200 × 1100 px), above every stage
    screen = first_screen(path, tmp_path)
    top, bottom = screen["verdict"]
    assert 0 < top < bottom <= 1100 and all(bottom <= y for _, y in screen["sections"])
    assert len(screen["sections"]) >= 8
    px = verdict_pixels(screen["pixels"], top, bottom)
    assert px["border"] > 1000 and px["std"] > 0.05
    start = screen["dom"].index('id="verdict"')
    verdict = screen["dom"][start:screen["dom"].index("</section>", start)]
    failing = {k: ev for k, ev in checks(*outcome.results).items()
               if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR}
    assert {"filter_eval:false_exclusion_rate", "generation_eval:release_gate"} <= set(failing)
    assert "Release blocked" in verdict
    for key, ev in failing.items():
        value = ev.metadata["value"].value
        assert key in verdict and f"{value:.3f}" in verdict and ev.metadata["limit"].value in verdict, key
    excluded = len(fe["excluded"])
    assert f"candidate retrieval · {excluded} gold excluded by filter" in verdict

    # abstained cases (no claim) are n/a, not 0.000; a filter-excluded case names the filter
    cases = project.outputs.read_json("generation_eval", "_cases")
    claimless = [r["case_id"] for r in cases if not r["n_claims"] and not r["may_release"]]
    assert claimless
    for case_id in claimless:
        cells = _cells(_case_row(html, case_id))
        assert cells[5] == "n/a" and cells[6] == "n/a", (case_id, cells)  # faithfulness, citation support
    assert "gold excluded by filter" in _cells(_case_row(html, fe["excluded"][0]))[2]

    # the UI: the summary as Markdown; the headline figures beside the report, diffed by the next report
    summary = meta["summary"].value
    assert summary.startswith("**Release blocked") and "generation_eval:release_gate" in summary
    assert "**First failed stage**" in summary and "**Worst queries**" in summary and "No previous run" in summary
    figures = project.outputs.read_json("rag_eval_report", "_figures")
    assert figures["status"] == "blocked" and figures["refresh_run_id"]
    again = project.materialize(["rag_eval_report"])
    assert again.success
    second = materializations(again)["rag_eval_report"][-1].metadata
    assert f"**Since run {figures['run_id'][:8]}**: 0 newly failing checks" in second["summary"].value
    assert "Release blocked" in second["summary"].value  # the checks of the refresh, read from the instance


def test_access_field_keeps_restricted_documents_out_of_every_trace(online_run):
    project, _ = online_run
    result = project.materialize(["generation_eval"], generation_eval_config=GenerationEvalConfig(access_field="permitted"))
    assert result.success
    assert checks(result)["generation_eval:traces_admissible"].passed
    meta = materializations(result)["generation_eval"][-1].metadata
    assert meta["access_control"].value == "permitted=True"
    store = project.outputs
    permitted = {r["doc_id"]: r["permitted"] for r in store.read_rows("corpus_manifest")}
    traces = [json.loads(line) for line in store.read_bytes("generation_eval", "_traces", "jsonl").decode().splitlines()]
    traced = {c for t in traces for c in t["first_stage_ids"]}
    assert traced and all(permitted[c.split("#")[0]] for c in traced)
    assert not all(permitted.values())  # the slice does hold restricted documents
