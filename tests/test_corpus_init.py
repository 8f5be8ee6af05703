"""`rag-eval init`: starter metadata and ontology for a folder of files (lib.corpus_init)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag_eval_assets.lib.corpus_init import doc_class_for, init_corpus
from rag_eval_assets.lib.documents import read_metadata
from rag_eval_assets.lib.ontology import Ontology

EN = ("The quarterly report describes the revenue of the company, the costs of the new factory and "
      "the plans of the board for the coming year.")
DE = ("Der Bericht beschreibt die Einnahmen des Unternehmens, die Kosten der neuen Fabrik und die "
      "Pläne des Vorstands für das kommende Jahr.")
FR = ("Le rapport décrit les revenus de l'entreprise, les coûts de la nouvelle usine et les projets "
      "du conseil pour l'année prochaine.")


def make_pdf(path: Path, text: str, title: str) -> None:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_textbox(pymupdf.Rect(72, 72, 520, 700), text, fontsize=11)
    doc.set_metadata({"title": title})
    doc.save(path)
    doc.close()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    for sub in ("Annual Reports", "notes", "web"):
        (root / sub).mkdir(parents=True)
    make_pdf(root / "Annual Reports" / "q1.PDF", EN, "Q1 report")
    (root / "notes" / "memo.txt").write_text(DE + "\n", encoding="utf-8")
    (root / "notes" / "plan.md").write_text(f"Intro line\n\n## Le plan  ##\n\n{FR}\n", encoding="utf-8")
    (root / "web" / "page.html").write_bytes(
        f'<html><head><meta charset="windows-1252"><title>Home page</title><style>p {{}}</style></head>'
        f"<body><p>{EN}</p><script>var x = 1;</script></body></html>".encode("cp1252"))
    (root / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 32)  # no text: no language
    (root / "_draft.txt").write_text("not a document", encoding="utf-8")
    return root


def test_init_writes_rows_valid_against_its_ontology(folder: Path) -> None:
    summary = init_corpus(folder)
    ontology = Ontology.load(folder / "_ontology.yaml")
    rows = [json.loads(line) for line in (folder / "_metadata.jsonl").read_text("utf-8").splitlines()]
    assert all(ontology.validate_metadata(row) == [] for row in rows)
    table = read_metadata(folder, ontology.fields)
    assert not table.errors and len(table) == 5
    by_path = {r["path"]: r for r in rows}
    assert set(by_path) == {"Annual Reports/q1.PDF", "notes/memo.txt", "notes/plan.md", "web/page.html", "scan.png"}
    assert {p: (r["doc_class"], r["title"], r.get("language")) for p, r in by_path.items()} == {
        "Annual Reports/q1.PDF": ("annual_reports_pdf", "Q1 report", "en"),
        "notes/memo.txt": ("notes_txt", "memo", "de"),
        "notes/plan.md": ("notes_md", "Le plan", "fr"),
        "web/page.html": ("web_html", "Home page", "en"),
        "scan.png": ("png", "scan", None),
    }
    assert ontology.required == ["doc_class"]
    assert sorted(ontology.doc_classes) == ["annual_reports_pdf", "notes_md", "notes_txt", "png", "web_html"]
    assert ontology.fields["language"].values == ("de", "en", "fr") and not ontology.fields["language"].required
    assert "5 documents" in summary and "rag-eval run --dry-run" in summary
    assert "export RAG_EVAL_CORPUS_ROOT=" in summary and "export RAG_EVAL_ONTOLOGY=" in summary


def test_init_refuses_to_overwrite_without_force(folder: Path) -> None:
    (folder / "_metadata.jsonl").write_text('{"path": "notes/memo.txt", "doc_class": "mine"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="_metadata.jsonl exists"):
        init_corpus(folder)
    assert not (folder / "_ontology.yaml").exists()  # nothing written
    init_corpus(folder, force=True)
    assert "mine" not in (folder / "_metadata.jsonl").read_text("utf-8")
    with pytest.raises(ValueError, match="exists"):
        init_corpus(folder)


def test_init_of_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no document files"):
        init_corpus(tmp_path)


def test_doc_class_for() -> None:
    assert doc_class_for("Reports/2024/q1.PDF") == "reports_pdf"
    assert doc_class_for("README") == "noext" and doc_class_for("a.txt") == "txt"
    assert doc_class_for("Berichte für 2024/x.docx") == "berichte_für_2024_docx"
