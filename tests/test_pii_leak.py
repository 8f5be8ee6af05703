"""Redaction is total downstream of the clean stage: seeded PII values in a document's text,
headings, table cells, title and file name appear in no stored output after the clean stage,
in no event of the Dagster event log, in no log line and not in the report."""

import json

import dagster as dg
import pytest

from rag_eval_assets import cli
from rag_eval_assets.lib.documents import METADATA_FILENAME

pytestmark = pytest.mark.slow
SEEDED = {"US_SSN": "536-22-8451", "CREDIT_CARD": "4111 1111 1111 1111", "IBAN_CODE": "GB82 WEST 1234 5698 7654 32",
          "EMAIL_ADDRESS": "ana.kowalski@example.org", "PHONE_NUMBER": "(415) 555-0132"}
FILE_SSN = "078-05-1120"  # in a file name (a published sample SSN: presidio itself would not flag it)
DOWNSTREAM = ("cleaned_documents", "chunks", "embeddings", "near_duplicates", "clean_scorecard", "chunk_size_sweep",
              "vector_index", "sparse_index", "index_sweep", "retrieval_eval", "filter_eval", "generation_eval",
              "rag_eval_report", "_cache")


def _meta(rel: str, title: str = "") -> dict:
    return {"path": rel, "title": title, "tenant": "acme", "locale": "en-US", "product": "sso",
            "doc_class": "text_pii", "version": "v2.0", "current": True, "permitted": True}


def test_seeded_pii_reaches_nothing_downstream_of_clean(tmp_path, monkeypatch, capsys):
    corpus = tmp_path / "corpus"
    (corpus / "hr").mkdir(parents=True)
    s = SEEDED
    (corpus / "hr" / "onboarding.md").write_text(
        f"# Onboarding for {s['EMAIL_ADDRESS']}\n\nThe new hire's SSN is {s['US_SSN']} and the phone number is "
        f"{s['PHONE_NUMBER']}.\n\n## Payroll {s['IBAN_CODE']}\n\n| field | value |\n|---|---|\n| card | {s['CREDIT_CARD']} |\n"
        f"| iban | {s['IBAN_CODE']} |\n| ssn | {s['US_SSN']} |\n\nSingle sign-on uses SAML 2.0 for every employee.\n")
    (corpus / "hr" / "notes.txt").write_text(
        f"Expense card {s['CREDIT_CARD']} was issued. Write to {s['EMAIL_ADDRESS']} or call {s['PHONE_NUMBER']}. "
        "The VPN gateway rotates keys every eight hours.")
    (corpus / "hr" / f"john-q-public_ssn_{FILE_SSN}.txt").write_text("Quarterly review notes about the VPN rollout.")
    rows = [_meta("hr/onboarding.md", title=f"Onboarding {s['EMAIL_ADDRESS']}"), _meta("hr/notes.txt"),
            _meta(f"hr/john-q-public_ssn_{FILE_SSN}.txt")]
    (corpus / METADATA_FILENAME).write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "golden").mkdir()
    for var, value in {"RAG_EVAL_CORPUS_ROOT": str(corpus), "RAG_EVAL_GOLDEN_ROOT": str(tmp_path / "golden"),
                       "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"), "DAGSTER_HOME": str(tmp_path / "home"),
                       "RAG_EVAL_PARSERS": "pymupdf", "RAG_EVAL_PRIMARY_PARSER": "pymupdf",
                       "RAG_EVAL_EMBED_MODEL": "hashing"}.items():
        monkeypatch.setenv(var, value)
    assert cli.main(["run"]) == 0
    logs = "\n".join(capsys.readouterr())
    values = [*SEEDED.values(), FILE_SSN]
    stored = tmp_path / "storage"
    cleaned = [p for p in (stored / "cleaned_documents").glob("*.json")]
    assert len(cleaned) == 3
    blob = "\n".join(p.read_text() for p in cleaned)
    assert "<US_SSN>" in blob and "<IBAN_CODE>" in blob and "<CREDIT_CARD>" in blob  # in text, blocks and tables
    onboarding = next(json.loads(p.read_text()) for p in cleaned if "Onboarding" in p.read_text())
    assert any(b["kind"] == "table" for b in onboarding["blocks"]) and onboarding["title"].startswith("Onboarding <")
    leaks = []
    for folder in DOWNSTREAM:
        for path in (stored / folder).rglob("*") if (stored / folder).exists() else []:
            if path.is_file():
                data = path.read_bytes()
                leaks += [(str(path.relative_to(stored)), v) for v in values if v.encode() in data]
    assert not leaks, leaks
    with dg.DagsterInstance.get() as instance:
        events = "\n".join(dg.serialize_value(e) for run in instance.get_runs() for e in instance.all_logs(run.run_id))
    assert len(events) > 10_000
    assert not [v for v in values if v in events], "seeded value in the event log"
    assert not [v for v in values if v in logs], "seeded value in the logs"
