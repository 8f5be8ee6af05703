"""Your own corpus: an ontology with one field and a golden set in plain BEIR run through the
whole pipeline; the report and the online evaluation produce figures, and every check without a
reference says so."""

import json

import pytest
from _harness import Project, checks, materializations, write_beir_golden

from rag_eval_assets.lib.documents import METADATA_FILENAME, doc_id_for

pytestmark = pytest.mark.slow
DOCS = {
    "memos/vpn.txt": "The VPN gateway rotates IKE keys every eight hours and supports AES-256.",
    "memos/billing.txt": "Invoices are issued on the first business day of each month in EUR or USD.",
    "memos/storage.txt": "Object storage buckets keep thirty versions of every object by default.",
    "guides/sso.txt": "Single sign-on accepts SAML 2.0 assertions signed with SHA-256 certificates.",
    "guides/backup.txt": "Block volume snapshots are retained for ninety days and copied to a second region.",
}


def test_one_field_ontology_and_plain_beir_golden_set(tmp_path):
    corpus = tmp_path / "corpus"
    for rel, text in DOCS.items():
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text(text)
    (corpus / METADATA_FILENAME).write_text("".join(
        json.dumps({"path": rel, "doc_class": rel.split("/")[0]}) + "\n" for rel in DOCS))
    ontology = tmp_path / "ontology.yaml"
    ontology.write_text("doc_class:\n  values: [memos, guides]\n")
    golden = write_beir_golden(tmp_path / "golden", {
        "1": "How often are VPN keys rotated?", "2": "When are invoices issued?",
        "3": "How long are snapshots kept?", "4": "Which assertion format does single sign-on accept?"},
        {"1": {doc_id_for("memos/vpn.txt"): 1}, "2": {doc_id_for("memos/billing.txt"): 1},
         "3": {doc_id_for("guides/backup.txt"): 2}, "4": {doc_id_for("guides/sso.txt"): 1}})
    project = Project(tmp_path, corpus, golden=golden, ontology_path=str(ontology))
    outcome = project.run()
    assert outcome.ok
    c = checks(*outcome.results)
    assert c["corpus_manifest:metadata_valid"].passed  # the ontology is the schema: one field is enough
    assert c["golden_sets:golden_sets_valid"].passed  # BEIR as published
    hybrid = c["retrieval_eval:hybrid_recall_at_10"]
    assert hybrid.passed and hybrid.metadata["value"].value == 1.0 and "4 judged queries" in hybrid.metadata["n"].value
    assert "nothing to judge" in c["retrieval_eval:slice_recall_at_10"].metadata["reason"].value  # no intent/doc_class
    for name in ("filter_eval:false_exclusion_rate", "filter_eval:labelled_predicates_admit_gold"):
        assert "no filters" in c[name].metadata["reason"].value  # says so, as WARN
    for name in ("clean_scorecard:language_macro_f1", "clean_scorecard:pii_recall"):
        assert not c[name].passed and c[name].metadata["reason"].value.startswith("nothing to judge")
    out = project.outputs
    lanes = {r["lane"]: r for r in out.read_json("retrieval_eval", "_summary")["means"]}
    assert set(lanes) == {"dense", "sparse", "hybrid"} and lanes["sparse"]["recall@10"] == 1.0
    cases = out.read_json("generation_eval", "_cases")
    assert len(cases) == 4 and all(r["supported_point_coverage"] is None for r in cases)  # no answers: n/a
    assert all(r["candidate_recall"] == 1.0 for r in cases)  # judged by documents
    report = materializations(*outcome.results)["rag_eval_report"][-1].metadata["report"].value
    assert "Retrieval" in open(report, encoding="utf-8").read()
