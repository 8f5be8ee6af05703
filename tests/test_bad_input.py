"""Bad input: a corpus of damaged, disguised, oversized and mis-described files beside good
ones, through `rag-eval run`. Every bad document is one typed failure with its path in the run's
summary; the good documents are all indexed and evaluated; the run goes on."""

import json
import os

import pymupdf
import pytest
from _corpus import DOCS, write_corpus

from rag_eval_assets import cli
from rag_eval_assets.lib.documents import METADATA_FILENAME, doc_id_for
from rag_eval_assets.lib.outputs import Outputs

pytestmark = pytest.mark.slow
RUSSIAN = "Шлюз VPN меняет ключи каждые восемь часов."
JAPANESE = "請求書は毎月の最初の営業日に発行されます。"
FRENCH = "Les factures sont émises le premier jour ouvré du mois."


def _pdf(text: str) -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), text)
    return doc.tobytes()


def _meta(rel: str, **extra) -> dict:
    return {"path": rel, "tenant": "acme", "locale": "en-US", "product": "sso", "doc_class": "text_multilingual",
            "version": "v2.0", "current": True, "permitted": True, **extra}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    root = write_corpus(tmp_path / "corpus")  # 4 good text documents
    files = {
        "good/manual.pdf": _pdf("The load balancer drains connections for 300 seconds."),
        "bad/truncated.pdf": _pdf("This PDF was cut off in transfer.")[:400],
        "bad/junk.pdf": b"%PDF-1.7 this is not a PDF at all",
        "bad/renamed.docx": os.urandom(2048),
        "bad/empty.txt": b"",
        "bad/data.bin": bytes(range(256)) * 8,
        "html/ru.html": f"<html><body><article><p>{RUSSIAN}</p></article></body></html>".encode("cp1251"),
        "html/ja.html": f"<html><body><article><p>{JAPANESE}</p></article></body></html>".encode("shift_jis"),
        "html/fr.html": f"<html><body><article><p>{FRENCH}</p></article></body></html>".encode("cp1252"),
        "big/one-line.txt": ("word " * 1_300_000).encode(),  # 6.5 M characters: over the clean limit
        "people/john-q-public_ssn_078-05-1120.txt": b"Quarterly notes without personal data.",
    }
    enc = pymupdf.open()
    enc.new_page().insert_text((72, 72), "secret")
    files["bad/encrypted.pdf"] = enc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw="u")
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "leak.txt").symlink_to("/etc/passwd")  # outside the corpus: never read
    rows = [_meta(rel) for rel in [*DOCS, *files] if rel != "html/fr.html"]
    rows[0]["tenant"] = "evilcorp"  # out of the ontology: that document is excluded, the rest goes on
    lines = [json.dumps(r) for r in rows] + ['{"path": "html/fr.html", "tenant": ', json.dumps(_meta("gone/missing.pdf"))]
    (root / METADATA_FILENAME).write_text("\n".join(lines) + "\n")
    for var, value in {"RAG_EVAL_CORPUS_ROOT": str(root), "RAG_EVAL_GOLDEN_ROOT": str(tmp_path / "golden"),
                       "RAG_EVAL_STORAGE_ROOT": str(tmp_path / "storage"), "DAGSTER_HOME": str(tmp_path / "home"),
                       "RAG_EVAL_PARSERS": "pymupdf", "RAG_EVAL_PRIMARY_PARSER": "pymupdf",
                       "RAG_EVAL_EMBED_MODEL": "hashing", "RAG_EVAL_BATCH_SIZE": "50"}.items():
        monkeypatch.setenv(var, value)
    (tmp_path / "golden").mkdir()
    return root, Outputs(tmp_path / "storage"), files


def test_every_bad_input_is_one_typed_failure_and_the_good_ones_go_on(corpus, capsys):
    root, out, files = corpus
    assert cli.main(["run"]) == 0
    text = capsys.readouterr().out
    expect = {"bad/truncated.pdf": "corrupt", "bad/junk.pdf": "corrupt", "bad/renamed.docx": "unsupported",
              "bad/empty.txt": "empty", "bad/data.bin": "unsupported", "bad/encrypted.pdf": "encrypted",
              "big/one-line.txt": "too_large", "notes/vpn.txt": "invalid_metadata",
              "html/fr.html": "invalid_metadata"}
    for rel, kind in expect.items():
        assert any(rel in line and kind in line for line in text.splitlines()), (rel, kind)
    assert "rejected: leak.txt (symbolic link outside the corpus root)" in text
    assert "corpus_manifest:metadata_valid: FAIL (ERROR)" in text
    problems = out.read_json("corpus_manifest", "_problems")
    assert any("missing.pdf" in o for o in problems["orphans"])  # a row for a file that does not exist
    assert any(":" in line and "html/fr.html" not in line for line in problems["bad_lines"])
    # the good documents: parsed, cleaned, indexed
    flat, doc_of = out.indexed_chunks()
    indexed = set(doc_of.values())
    good = {"notes/billing.txt", "notes/storage.md", "guides/sso.txt", "good/manual.pdf", "html/ru.html",
            "html/ja.html", "people/john-q-public_ssn_078-05-1120.txt"}
    assert {doc_id_for(r) for r in good} <= indexed
    assert not {doc_id_for(r) for r in expect} & indexed
    cleaned = {d: out.read_output("cleaned_documents", o) for d, o in out.versions("cleaned_documents").items()}
    assert RUSSIAN[:20] in cleaned[doc_id_for("html/ru.html")]["text"]  # legacy encodings decoded, not U+FFFD
    assert JAPANESE[:10] in cleaned[doc_id_for("html/ja.html")]["text"]
    assert "078-05-1120" not in text  # a file name's SSN is masked wherever paths are shown
    assert cli.main(["run", "--strict"]) == 3  # documented: failures listed, exit 3 only when strict
