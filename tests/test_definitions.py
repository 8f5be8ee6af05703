"""The code location loads, and every stage asset shows a check in the UI."""

import dagster as dg

from rag_eval_assets.definitions import defs
from rag_eval_assets.resources import Settings


def test_definitions_validate_loadable():
    dg.Definitions.validate_loadable(defs())


def test_every_materializable_asset_has_a_check():
    d = defs()
    graph = d.resolve_asset_graph()
    checked = {ck.asset_key for ck in graph.asset_check_keys}
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert materializable and materializable <= checked, materializable - checked


def test_automation_defaults():
    d = defs()
    sensor = d.resolve_sensor_def("corpus_sensor")
    schedule = d.resolve_schedule_def("nightly_corpus_refresh")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert schedule.default_status == dg.DefaultScheduleStatus.RUNNING
    assert schedule.cron_schedule == "0 2 * * *"


def test_per_document_assets_are_batched():
    graph = defs().resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        if node.is_materializable and node.partitions_def is not None:
            policy = node.backfill_policy
            assert policy is not None and (policy.max_partitions_per_run or 0) > 1, key


def test_settings_from_env_override_and_errors():
    s = Settings.from_env({"RAG_EVAL_BATCH_SIZE": "7", "RAG_EVAL_NIGHTLY_CRON": "30 3 * * *"})
    assert s.batch_size == 7 and s.nightly_cron == "30 3 * * *"
    from rag_eval_assets.resources import ChunkConfig, build_resources

    chunk = build_resources(Settings.from_env({"RAG_EVAL_CHUNK_STRATEGY": "recursive", "RAG_EVAL_CHUNK_SIZE": "4096"}))
    assert (chunk["chunk_config"].strategy.value, chunk["chunk_config"].size) == ("recursive", 4096)
    assert build_resources(Settings())["chunk_config"].fingerprint() == ChunkConfig().fingerprint()
    try:
        Settings.from_env({"RAG_EVAL_BATCH_SIZE": "many"})
    except ValueError as exc:
        assert "RAG_EVAL_BATCH_SIZE" in str(exc)
    else:
        raise AssertionError("a bad integer must be rejected")


def test_bad_settings_are_one_line_naming_the_variable(tmp_path):
    import pytest

    from rag_eval_assets.settings import SettingsError

    (tmp_path / "bad.yaml").write_text("doc_class: [not, a, mapping]\n")
    (tmp_path / "file").write_text("x")
    cases = {"RAG_EVAL_PARSERS": "pymupdf,nope", "RAG_EVAL_PRIMARY_PARSER": "unstructured",
             "RAG_EVAL_ONTOLOGY": str(tmp_path / "bad.yaml"), "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "file" / "sub"),
             "RAG_EVAL_GOLDEN_ROOT": str(tmp_path / "missing"), "RAG_EVAL_BATCH_SIZE": "0",
             "RAG_EVAL_PARSE_ROUTES": "[1]", "RAG_EVAL_NIGHTLY_CRON": "every night",
             "RAG_EVAL_CHUNK_STRATEGY": "sentences", "RAG_EVAL_CHUNK_SIZE": "0", "RAG_EVAL_PII_DETECTION": "off", "RAG_EVAL_INDEX_KIND": "annoy",
             "RAG_EVAL_EXECUTOR": "dask"}
    for var, value in cases.items():
        env = {var: value} if var != "RAG_EVAL_PRIMARY_PARSER" else {var: value, "RAG_EVAL_PARSERS": "pymupdf"}
        with pytest.raises(SettingsError) as err:
            Settings.from_env(env)
        message = str(err.value)
        assert message.startswith(f"{var}=") and "\n" not in message, message


def test_definitions_load_refuses_bad_settings(monkeypatch):
    import pytest

    from rag_eval_assets.settings import SettingsError

    monkeypatch.setenv("RAG_EVAL_PARSERS", "nope")
    with pytest.raises(SettingsError, match="RAG_EVAL_PARSERS"):
        defs.load_fn() if hasattr(defs, "load_fn") else defs()


def test_every_setting_is_documented_and_survives_json():
    """docs/configuration.md names every variable; a Celery worker rebuilds the same settings."""
    from rag_eval_assets.settings import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    assert [v for v in Settings.ENV.values() if v not in doc] == []
    s = Settings.from_env({"RAG_EVAL_PARSERS": "pymupdf,ocr", "RAG_EVAL_PRIMARY_PARSER": "ocr",
                           "RAG_EVAL_EXECUTOR": "celery", "RAG_EVAL_BATCH_SIZE": "9"}, validate=False)
    assert Settings.from_json(s.to_json()) == s


def test_celery_executor_is_the_document_jobs_only():
    import pytest

    pytest.importorskip("dagster_celery", reason="the distributed extra is not installed")
    from rag_eval_assets.definitions import build_definitions

    d = build_definitions(Settings(executor="celery"))
    assert d.resolve_job_def("document_stages").executor_def.name == "celery_executor"
    assert d.resolve_job_def("corpus_refresh").executor_def.name == "in_process"

