"""Green means measured and good: no ERROR check passes on an empty corpus or with its golden
data missing or broken, nothing passes on a placeholder, and every check says what it judged."""


import dagster as dg
import pytest
from _corpus import DOCS, write_corpus
from _harness import Project

pytestmark = pytest.mark.slow
#: checks that judge against golden references
REFERENCE_GATES = {"clean_scorecard:language_macro_f1", "clean_scorecard:pii_recall",
                   "parser_scorecard:routed_parsers_within_thresholds", "near_duplicates:false_merge_rate",
                   "retrieval_eval:hybrid_recall_at_10", "filter_eval:false_exclusion_rate",
                   "generation_eval:release_gate", "golden_sets:golden_sets_valid"}


def evaluations(project: Project) -> dict[str, dg.AssetCheckEvaluation]:
    """The latest evaluation of every check, read from the instance."""
    out = {}
    for run in reversed(project.instance.get_runs()):
        for event in project.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
            ev = event.dagster_event.event_specific_data
            out[f"{ev.asset_key.to_user_string()}:{ev.check_name}"] = ev
    return out


def declared(ev) -> str:  # noqa: ANN001
    return ev.metadata["severity"].value


def assert_no_error_gate_passes(evals: dict, names: set[str] | None = None) -> None:
    for name, ev in evals.items():
        if names is not None and name not in names:
            continue
        assert not (ev.passed and declared(ev) == "ERROR"), f"{name} passed with nothing to judge"


def test_empty_corpus_passes_no_error_check(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    project = Project(tmp_path, corpus)
    project.run()
    evals = evaluations(project)
    assert evals, "the checks must have run"
    # every gate on the corpus fails; the golden files themselves may still be valid
    assert_no_error_gate_passes({k: v for k, v in evals.items() if k != "golden_sets:golden_sets_valid"})
    for name in ("corpus_manifest:metadata_valid", "document_records:records_complete"):
        assert not evals[name].passed and "no documents" in evals[name].metadata["reason"].value


def test_missing_golden_data_passes_no_reference_gate(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    golden = tmp_path / "golden"
    golden.mkdir()
    project = Project(tmp_path, corpus, golden=golden)
    assert project.run().ok
    evals = evaluations(project)
    assert_no_error_gate_passes(evals, REFERENCE_GATES)
    for name in REFERENCE_GATES:
        ev = evals[name]
        assert not ev.passed and ev.severity == dg.AssetCheckSeverity.WARN, name  # nothing to judge: WARN
        assert ev.metadata["reason"].value.startswith("nothing to judge"), name


def test_broken_golden_data_fails_the_gate_at_its_own_severity(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    golden = tmp_path / "golden" / "retrieval"
    (golden / "qrels").mkdir(parents=True)
    (golden / "queries.jsonl").write_text('{"_id": "q1", "text": "vpn keys"\n{not json}\n')
    (golden / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\tnot-a-doc\tx\n")
    project = Project(tmp_path, corpus, golden=golden.parent)
    project.run()
    evals = evaluations(project)
    gate = evals["retrieval_eval:hybrid_recall_at_10"]
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR  # never lowered to WARN
    assert "golden_sets_valid" in gate.metadata["reason"].value
    assert not evals["golden_sets:golden_sets_valid"].passed


def test_every_check_reports_value_limit_and_n_and_passes_only_on_a_number(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    project = Project(tmp_path, corpus)
    assert project.run().ok
    evals = evaluations(project)
    assert len(evals) >= 30
    for name, ev in evals.items():
        meta = ev.metadata
        assert {"value", "limit", "n", "severity"} <= set(meta), name
        assert meta["severity"].value in ("ERROR", "WARN"), name
        if ev.passed:
            assert isinstance(meta["value"].value, float) and meta["value"].value != -1.0, name
        else:
            assert isinstance(meta["value"].value, float) or "reason" in meta, name
        numbers = [k for k, v in meta.items() if isinstance(v.value, (int, float)) and not isinstance(v.value, bool)]
        assert numbers in ([], ["value"]), (name, numbers)  # only the judged value is plotted


def test_failing_retrieval_gate_still_gives_the_online_eval_and_the_report_with_the_failure_on_top(tmp_path):
    """The retrieval gate (ERROR) fails on real retrieval, not on missing data: the filter and
    generation evaluations and the report are still produced, and the report's verdict block
    names the failing gate before anything else."""
    from _harness import write_beir_golden

    from rag_eval_assets.lib.documents import doc_id_for

    docs = dict(DOCS)
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar".split()
    for i in range(24):  # distinct documents (no near-duplicates) that out-rank the wrong gold
        own = " ".join(f"{w}{i}{j}" for j, w in enumerate(words))
        docs[f"vpn/note{i:02d}.txt"] = (f"VPN gateway IKEv2 key rotation, runbook {i}: {own}.", "vpn_gateway")
    corpus = write_corpus(tmp_path / "corpus", docs)
    gold = doc_id_for("notes/billing.txt")
    golden = write_beir_golden(tmp_path / "golden", {f"q{i}": f"VPN gateway IKEv2 key rotation {i}" for i in range(5)},
                               {f"q{i}": {gold: 1} for i in range(5)})
    project = Project(tmp_path, corpus, golden=golden)
    project.run()
    evals = evaluations(project)
    gate = evals["retrieval_eval:hybrid_recall_at_10"]
    assert not gate.passed and gate.severity == dg.AssetCheckSeverity.ERROR
    assert gate.metadata["value"].value < 0.8
    out = project.outputs
    for asset in ("filter_eval", "generation_eval", "rag_eval_report"):  # still materialized
        assert project.instance.get_latest_materialization_event(dg.AssetKey(asset)) is not None, asset
    assert out.exists("generation_eval", "_summary", "json")
    html = out.storage.read_bytes("rag_eval_report/_latest.html").decode()
    verdict = html[html.index("<section id='verdict'"):]
    verdict = verdict[:verdict.index("</section>")]  # the first block of the page
    assert "retrieval_eval:hybrid_recall_at_10" in verdict
    assert html.index("<section id='verdict'") == html.index("<section")  # the failure is at the top
