"""Unit tests: ontology, document ids and metadata, change detection, atomic storage."""

import json
import os

import pytest

from rag_eval_assets.lib.corpus_sync import contiguous_batches, diff_states
from rag_eval_assets.lib.documents import MetadataError, doc_id_for, load_metadata, scan_corpus
from rag_eval_assets.lib.ontology import Ontology, OntologyError
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


def test_metadata_malformed_row_names_file_and_line(tmp_path):
    good = {"path": "a.txt", "tenant": "acme", "locale": "en-US", "product": "sso", "doc_class": "text_pii",
            "version": "v1.0", "current": True, "permitted": True}
    (tmp_path / "_metadata.jsonl").write_text(json.dumps(good) + "\n\n{not json\n")
    with pytest.raises(MetadataError, match=r"_metadata.jsonl:3:"):
        load_metadata(tmp_path)
    (tmp_path / "_metadata.jsonl").write_text(json.dumps({"path": "a.txt"}) + "\n")
    with pytest.raises(MetadataError, match=r":1: missing keys"):
        load_metadata(tmp_path)


def test_diff_states_and_batches():
    ch = diff_states({"a": "1", "b": "2", "c": "3"}, {"a": "1", "b": "9", "d": "4"})
    assert (ch.added, ch.modified, ch.deleted) == (["d"], ["b"], ["c"])
    assert ch.to_process == ["b", "d"]
    assert not diff_states({"a": "1"}, {"a": "1"})
    order = list("abcdefgh")
    assert contiguous_batches(order, list("abcdefgh"), 3) == [("a", "c"), ("d", "f"), ("g", "h")]
    assert contiguous_batches(order, ["b", "e", "f", "h"], 10) == [("b", "b"), ("e", "f"), ("h", "h")]
    assert contiguous_batches(order, [], 5) == []
    with pytest.raises(KeyError):
        contiguous_batches(order, ["z"], 5)


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


def test_storage_rows_json_and_prune(tmp_path):
    st = Storage(tmp_path)
    st.write_rows("records", [{"doc_id": "a", "n": 1}], key="a")
    st.write_rows("records", [{"doc_id": "b", "n": 2}], key="b")
    st.write_rows("records", [{"doc_id": "a", "n": 1}, {"doc_id": "b", "n": 2}])
    st.write_json("summary", {"x": 1})
    assert st.keys("records") == ["a", "b"]
    assert st.read_many("records", ["a", "zz", "b"]) == [{"doc_id": "a", "n": 1}, {"doc_id": "b", "n": 2}]
    assert st.read_json("summary") == {"x": 1}
    assert st.prune(keep={"a"}) == {"records": ["b"]}
    assert st.keys("records") == ["a"] and st.exists("records")  # corpus-level file kept
