"""Unit tests: ontology, document ids and metadata, change detection, atomic storage."""

import json
import os

import pytest

from rag_eval_assets.lib.documents import (
    doc_id_for,
    read_metadata,
    scan_corpus,
    scan_corpus_files,
)
from rag_eval_assets.lib.ontology import Ontology, OntologyError
from rag_eval_assets.lib.outputs import Outputs
from rag_eval_assets.lib.state import (
    DocumentInput,
    PipelineConfig,
    expected_versions,
    pending,
)
from rag_eval_assets.lib.storage import Storage, atomic_write_bytes


@pytest.fixture(scope="module")
def onto():
    return Ontology.load()


def test_ontology_hierarchy_admits_descendants(onto):
    locale = onto.tree("locale")
    assert locale.admits("en", "en-GB") and locale.admits("en-GB", "en-GB")
    assert not locale.admits("en-US", "en-GB") and not locale.admits("en-GB", "en")
    assert onto.tree("product").ancestors("sso") == ["sso", "identity", "business"]
    assert len(onto.doc_classes) >= 7


def test_ontology_predicate_matching(onto):
    meta = {"tenant": "acme", "locale": "en-GB", "product": "block_storage", "doc_class": "pdf_tables",
            "version": "v2.1", "current": False, "permitted": True}
    assert onto.validate_metadata(meta) == []
    assert onto.matches({"locale": "en", "product": "storage", "version": "v2"}, meta)
    assert not onto.matches({"current": True}, meta)
    assert onto.matches({"product": ["compute", "storage"]}, meta)
    assert not onto.matches({"locale": "en-US"}, meta)
    with pytest.raises(OntologyError):
        onto.matches({"colour": "red"}, meta)
    bad = {**meta, "locale": "en-AU", "current": "yes"}
    errors = onto.validate_metadata(bad)
    assert any("locale" in e for e in errors) and any("current" in e for e in errors)


def test_doc_id_is_stable_and_path_based(tmp_path):
    assert doc_id_for("a/b.pdf") == doc_id_for("./a/b.pdf") == doc_id_for("a/b.pdf")
    assert doc_id_for("a/b.pdf") != doc_id_for("a/c.pdf")
    assert len(doc_id_for("x")) == 16
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.txt").write_text("one")
    (tmp_path / "_metadata.jsonl").write_text("")
    (tmp_path / ".hidden").write_text("x")
    scan = scan_corpus(tmp_path)
    assert list(scan) == [doc_id_for("a/b.txt")]
    (tmp_path / "a" / "b.txt").write_text("two")
    assert scan_corpus(tmp_path)[doc_id_for("a/b.txt")].sha256 != scan[doc_id_for("a/b.txt")].sha256


def test_metadata_bad_lines_cost_only_their_document(tmp_path):
    good = {"path": "a.txt", "tenant": "acme", "locale": "en-US", "product": "sso", "doc_class": "text_pii",
            "version": "v1.0", "current": True, "permitted": True}
    lines = [json.dumps(good), "", '{"path": "b.txt", "tenant": oops}', json.dumps({"title": "no path"}),
             json.dumps({**good, "path": "c.txt"}), json.dumps({**good, "path": "c.txt"})]
    (tmp_path / "_metadata.jsonl").write_text("\n".join(lines) + "\n")
    table = read_metadata(tmp_path, Ontology.load().fields)
    assert list(table) == [doc_id_for("a.txt")]  # every good row kept
    assert [str(e).split("_metadata.jsonl:")[1].split(":")[0] for e in table.errors] == ["3", "4", "6"]
    assert "_metadata.jsonl:3:" in table.problem(doc_id_for("b.txt"))  # the bad line names its document
    assert "also on line 5" in table.problem(doc_id_for("c.txt"))  # a duplicated path uses neither row
    assert "no row" in table.problem(doc_id_for("zzz.txt"))
    assert table[doc_id_for("a.txt")].locale == "en-US" and table[doc_id_for("a.txt")].line == 1


def test_ontology_required_and_optional_fields(tmp_path):
    onto = Ontology.from_mapping({"doc_class": {"values": ["memo"]}, "tenant": {"values": ["acme"]},
                                  "current": {"type": "bool", "required": True}})
    assert onto.required == ["doc_class", "current"]  # doc_class is required unless it says otherwise
    assert onto.validate_metadata({"doc_class": "memo", "current": True}) == []  # optional tenant may be absent
    errors = onto.validate_metadata({"doc_class": "memo", "tenant": "evilcorp"})
    assert any("tenant" in e for e in errors) and any("current: missing" in e for e in errors)
    with pytest.raises(OntologyError, match="required"):
        Ontology.from_mapping({"doc_class": {"values": ["x"], "required": "yes"}})


def test_scan_hashes_only_changed_files_and_never_leaves_the_root(tmp_path):
    root = tmp_path / "corpus"
    (root / "a").mkdir(parents=True)
    (root / "a" / "one.txt").write_text("one")
    (root / "two.txt").write_text("two")
    (tmp_path / "secret.txt").write_text("outside")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (root / "linked").symlink_to(tmp_path)
    first = scan_corpus_files(root)
    assert sorted(f.relpath for f in first.files.values()) == ["a/one.txt", "two.txt"] and first.hashed == 2
    assert any("leak.txt" in r for r in first.rejected) and any("linked" in r for r in first.rejected)
    again = scan_corpus_files(root, first.files)
    assert again.hashed == 0 and again.files == first.files
    (root / "two.txt").write_text("two, edited")
    third = scan_corpus_files(root, again.files)
    assert third.hashed == 1 and third.files[doc_id_for("two.txt")].sha256 != first.files[doc_id_for("two.txt")].sha256


def test_atomic_write_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "x" / "out.json"
    atomic_write_bytes(target, b"old")

    def killed(*args):
        raise KeyboardInterrupt("killed mid-way")

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_bytes(target, b"new but never finished")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["out.json"]  # no temp file left


def test_outputs_versions_and_prune_only_per_document_outputs(tmp_path):
    out = Outputs(tmp_path)
    out.write_document("cleaned_documents", "a", "v1", {"text": "one"})
    out.write_document("cleaned_documents", "a", "v2", {"text": "two"})  # supersedes v1
    out.write_document_failure("parsed_pymupdf", "b", "v1", {"kind": "corrupt", "message": "cut"})
    out.write_document("chunks", "b", "v1", [{"chunk_id": "b#0", "text": "x"}], file_metadata={"chunks": 1})
    out.write_rows("corpus_manifest", [{"doc_id": "a"}])
    out.save_sparse_index(_FakeIndex())
    assert {d: o.version for d, o in out.versions("cleaned_documents").items()} == {"a": "v2"}
    assert out.read_document("cleaned_documents", "a", "v2") == {"text": "two"}
    assert out.read_document("parsed_pymupdf", "b")["failed"] is True
    assert out.read_stats("chunks", out.versions("chunks")["b"]) == {"chunks": 1}
    removed = out.prune({"a"})
    assert removed == {"parsed_pymupdf": 1, "chunks": 1}
    assert out.exists("corpus_manifest") and out.sparse_index_exists()  # corpus-level outputs untouched


class _FakeIndex:
    def save(self, url):
        Storage(url).write_json("manifest.json", {"ok": True})


def test_state_pending_follows_outputs_and_configuration(tmp_path):
    out = Outputs(tmp_path)
    cfg = PipelineConfig(parsers=("pymupdf",), route={"*": "pymupdf"}, chunk_fp="256")
    doc = DocumentInput("d1", "d1.txt", "sha-1", "memo", {"path": "d1.txt"})
    assert pending(out, {"d1": doc}, cfg) == {"d1": cfg.assets()}
    exp = expected_versions(doc, cfg)
    for asset in cfg.assets()[:-1]:
        out.write_document(asset, "d1", exp[asset], [] if asset in ("chunks", "embeddings") else {})
    assert pending(out, {"d1": doc}, cfg) == {"d1": ["embeddings"]}  # a killed run left the last stage
    out.write_document("embeddings", "d1", exp["embeddings"], [])
    assert pending(out, {"d1": doc}, cfg) == {}
    resized = PipelineConfig(parsers=("pymupdf",), route={"*": "pymupdf"}, chunk_fp="512")
    assert pending(out, {"d1": doc}, resized) == {"d1": ["chunks", "embeddings"]}  # configuration is part of state
    edited = DocumentInput("d1", "d1.txt", "sha-2", "memo", {"path": "d1.txt"})
    assert pending(out, {"d1": edited}, cfg)["d1"] == cfg.assets()  # new content: every stage
    bad = DocumentInput("d2", "d2.txt", "sha-3", "unknown", None, "no row")
    out.write_document_failure("document_records", "d2", expected_versions(bad, cfg)["document_records"], {"kind": "x"})
    assert "d2" not in pending(out, {"d2": bad}, cfg)  # a final failure is processed: not retried
