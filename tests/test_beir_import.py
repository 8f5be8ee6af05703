"""`rag-eval import-beir`: a BEIR folder as corpus + ontology + golden set (lib.goldens.beir_import)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag_eval_assets.lib.documents import doc_id_for, read_metadata, scan_corpus
from rag_eval_assets.lib.goldens import GoldenSet, beir_import, load_qrels
from rag_eval_assets.lib.goldens.beir_import import MARKER, import_beir, safe_name
from rag_eval_assets.lib.ontology import Ontology


def jsonl(*rows: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def write_beir(folder: Path, corpus: list[dict], queries: list[dict], qrels: str, meta: str | None = None) -> Path:
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(jsonl(*corpus), encoding="utf-8")
    (folder / "queries.jsonl").write_text(jsonl(*queries), encoding="utf-8")
    (folder / "qrels" / "test.tsv").write_text(qrels, encoding="utf-8")
    if meta is not None:
        (folder / "corpus_metadata.tsv").write_text(meta, encoding="utf-8")
    return folder


CORPUS = [
    {"_id": "d1", "title": "First  title\n", "text": "Alpha text."},
    {"_id": "_d/2", "title": "", "text": "Beta text, no title."},  # unsafe id
    {"_id": "D1", "title": "Third", "text": "Gamma.", "metadata": {"doc_class": "review"}},  # d1 case-folded
]
QUERIES = [{"_id": "q1", "text": "alpha?", "metadata": {"d1": [{"label": "SUPPORT"}]}},
           {"_id": "q2", "text": "nothing judged"}]
QRELS = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\t_d/2\t2\n"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    meta = "doc_id\tstructured\tnote\nd1\tTrue\tx\n_d/2\tFalse\t\n"
    return write_beir(tmp_path / "tiny", CORPUS, QUERIES, QRELS, meta)


def test_tiny_beir_folder(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = import_beir(tiny, out)
    corpus, golden = out / "corpus", out / "golden"
    files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.txt"))
    assert len(files) == 3 and all(f.startswith("000/000/") for f in files)
    rows = [json.loads(line) for line in (corpus / "_metadata.jsonl").read_text("utf-8").splitlines()]
    by_id = {r["beir_id"]: r for r in rows}
    assert by_id["d1"]["path"] == "000/000/d1.txt" and by_id["D1"]["path"] != "000/000/D1.txt"  # no case clash
    assert not Path(by_id["_d/2"]["path"]).name.startswith(("_", "."))  # a document, not a skipped name
    assert (corpus / by_id["d1"]["path"]).read_text("utf-8") == "First title\n\nAlpha text."
    assert (corpus / by_id["_d/2"]["path"]).read_text("utf-8") == "Beta text, no title."
    assert by_id["d1"]["title"] == "First title" and "title" not in by_id["_d/2"]
    assert [r["doc_class"] for r in rows] == ["beir_document", "beir_document", "review"]
    assert by_id["d1"]["structured"] is True and by_id["_d/2"]["structured"] is False
    assert "structured" not in by_id["D1"]
    assert "note" not in by_id["d1"]  # not a bool column: not an ontology field

    ontology = Ontology.load(out / "ontology.yaml")
    assert set(ontology.fields) == {"doc_class", "structured"} and ontology.required == ["doc_class"]
    assert sorted(ontology.doc_classes) == ["beir_document", "review"] and ontology.fields["structured"].is_bool
    table = read_metadata(corpus, ontology.fields)
    assert not table.errors and all(ontology.validate_metadata(m.fields) == [] for m in table.values())

    docs = scan_corpus(corpus)
    assert set(docs) == {doc_id_for(r["path"]) for r in rows}
    gs = GoldenSet.load(golden)
    assert gs.errors == [] and gs.queries == {"q1": "alpha?", "q2": "nothing judged"}  # q2 kept, not judged
    assert gs.query_metadata == {"q1": {}, "q2": {}}  # SciFact-style evidence keyed by BEIR ids is dropped
    assert gs.qrels == {"test": {"q1": {doc_id_for(by_id["d1"]["path"]): 1, doc_id_for(by_id["_d/2"]["path"]): 2}}}
    assert gs.unresolved_documents(set(docs)) == {}
    for var in ("RAG_EVAL_CORPUS_ROOT", "RAG_EVAL_GOLDEN_ROOT", "RAG_EVAL_ONTOLOGY"):
        assert f"export {var}=" in summary
    assert "3 documents" in summary and "test: 1 judged queries, 2 judgments" in summary


def test_refuses_foreign_folder_and_overwrites_its_own(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="not empty and was not written by `rag-eval import-beir`"):
        import_beir(tiny, out)
    (out / "notes.txt").unlink()
    import_beir(tiny, out)
    (out / "corpus" / "000" / "000" / "stale.txt").write_text("left from before", encoding="utf-8")
    (out / MARKER).write_text(json.dumps({"complete": False}), encoding="utf-8")  # as an interrupted import leaves it
    import_beir(tiny, out, splits=["test"])
    assert not (out / "corpus" / "000" / "000" / "stale.txt").exists()
    assert json.loads((out / MARKER).read_text("utf-8"))["complete"] is True
    with pytest.raises(ValueError, match="no split"):
        import_beir(tiny, out, splits=["dev"])


def test_default_out_is_the_dataset_name_in_the_working_folder(tiny: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    import_beir(tiny)
    assert (work / "tiny" / "golden" / "retrieval" / "qrels" / "test.tsv").is_file()


def test_folders_hold_at_most_folder_size_entries_and_repeated_ids_keep_the_first(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(beir_import, "FOLDER_SIZE", 2)
    corpus = [{"_id": f"d{i}", "title": "", "text": f"text {i}"} for i in range(5)]
    corpus.insert(3, {"_id": "d1", "title": "", "text": "again"})
    corpus.append({"_id": "bad"})  # no text: skipped and counted
    folder = write_beir(tmp_path / "b", corpus, [{"_id": "q", "text": "?"}],
                        "query-id\tcorpus-id\tscore\nq\td1\t1\nq\tmissing\t1\nzz\td2\t1\n")
    summary = import_beir(folder, tmp_path / "out")
    corpus_root = tmp_path / "out" / "corpus"
    rows = [json.loads(line) for line in (corpus_root / "_metadata.jsonl").read_text("utf-8").splitlines()]
    assert [r["beir_id"] for r in rows] == ["d0", "d1", "d2", "d3", "d4"]
    assert sorted(p.relative_to(corpus_root).as_posix() for p in corpus_root.rglob("*.txt")) == sorted(
        r["path"] for r in rows)
    assert (corpus_root / rows[1]["path"]).read_text("utf-8") == "text 1"  # the first d1
    assert all(len(list(d.iterdir())) <= 2 for d in corpus_root.glob("*/*"))
    assert load_qrels(tmp_path / "out" / "golden" / "retrieval" / "qrels" / "test.tsv") == {
        "q": {doc_id_for(rows[1]["path"]): 1}}
    assert "5 documents" in summary and "skipped:  4 malformed or dangling rows" in summary
    assert "corpus id 'd1' repeated" in summary and "missing key 'text'" in summary


def test_safe_name() -> None:
    taken: set[str] = set()
    assert safe_name("4983", taken) == "4983"
    assert safe_name("MED-10", taken) == "MED-10"
    assert safe_name("4983", taken).startswith("4983-")  # taken: a hash appended
    assert safe_name("a/b c", taken).startswith("a_b_c-") and safe_name("a_b_c", taken) == "a_b_c"
    assert safe_name("med-10", taken).startswith("med-10-")  # case-insensitive file systems
    assert safe_name(".hidden", taken).startswith("hidden-") and safe_name("NUL", taken).startswith("NUL-")
    assert len(safe_name("x" * 500, taken)) <= beir_import.MAX_NAME + 9 and safe_name("///", taken).startswith("doc-")


@pytest.mark.evaldata
def test_scifact_import(evaldata: Path, tmp_path: Path) -> None:
    out = tmp_path / "scifact"
    summary = import_beir(evaldata / "retrieval" / "scifact", out)
    docs = scan_corpus(out / "corpus")
    assert len(docs) == 5183 and "5,183 documents" in summary
    qrels = load_qrels(out / "golden" / "retrieval" / "qrels" / "train.tsv")
    assert len(qrels) == 809 and sum(map(len, qrels.values())) == 919
    gs = GoldenSet.load(out / "golden")
    assert gs.errors == [] and len(gs.queries) == 809 and gs.unresolved_documents(set(docs)) == {}
    ontology = Ontology.load(out / "ontology.yaml")
    table = read_metadata(out / "corpus", ontology.fields)
    assert len(table) == 5183 and not table.errors
    assert all(ontology.validate_metadata(m.fields) == [] for m in table.values())
    assert sum(m.fields.get("structured_abstract") is True for m in table.values()) > 0
