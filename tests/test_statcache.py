"""The stat-keyed cache behind the sensor's cheap ticks: a changed file or folder is never
served from the cache, and a result about a just-modified path is not kept (racy rule)."""

import os
import time

from rag_eval_assets.lib import statcache
from rag_eval_assets.lib.documents import read_metadata
from rag_eval_assets.lib.outputs import Outputs


def _age(path, seconds=60):
    old = time.time() - seconds
    os.utime(path, (old, old))


def test_unchanged_file_is_built_once_and_a_change_rebuilds(tmp_path):
    statcache.clear()
    f = tmp_path / "x.txt"
    f.write_text("a")
    _age(f)
    calls = []

    def build():
        calls.append(1)
        return f.read_text()

    assert statcache.cached(f, "k", build) == "a"
    assert statcache.cached(f, "k", build) == "a"
    assert len(calls) == 1
    f.write_text("bb")  # new size and mtime
    assert statcache.cached(f, "k", build) == "bb"
    assert len(calls) == 2


def test_racy_result_is_not_kept(tmp_path):
    statcache.clear()
    f = tmp_path / "x.txt"
    f.write_text("a")  # modified just now: a same-tick change would keep the signature
    calls = []
    statcache.cached(f, "k", lambda: calls.append(1))
    statcache.cached(f, "k", lambda: calls.append(1))
    assert len(calls) == 2


def test_listing_sees_every_added_and_removed_output(tmp_path):
    statcache.clear()
    out = Outputs(str(tmp_path))
    out.write_document("chunks", "d1", "v1", [{"a": 1}])
    _age(tmp_path / "chunks")
    assert set(out.listing("chunks")) == {"d1"}
    assert set(out.listing("chunks")) == {"d1"}  # served from the cache
    out.write_document("chunks", "d2", "v1", [{"a": 1}])  # the folder's mtime moves
    assert set(out.listing("chunks")) == {"d1", "d2"}
    out.write_document("chunks", "d1", "v2", [{"a": 2}])
    _age(tmp_path / "chunks")
    assert [o.version for o in out.listing("chunks")["d1"]] == ["v2"]


def test_metadata_edit_is_seen(tmp_path):
    statcache.clear()
    side = tmp_path / "_metadata.jsonl"
    side.write_text('{"path": "a.txt", "doc_class": "x"}\n')
    _age(side)
    assert next(iter(read_metadata(tmp_path).values())).doc_class == "x"
    side.write_text('{"path": "a.txt", "doc_class": "y"}\n')
    assert next(iter(read_metadata(tmp_path).values())).doc_class == "y"


def test_no_path_means_no_cache():
    calls = []
    statcache.cached(None, "k", lambda: calls.append(1))
    statcache.cached(None, "k", lambda: calls.append(1))
    assert len(calls) == 2


def test_corpus_view_reuses_derived_results_only_while_nothing_changed(tmp_path):
    """The sensor's view reuses the previous view's pending set and outputs digest; an output
    added or removed, an edited document or metadata row always shows in the next view."""
    from rag_eval_assets.lib.documents import METADATA_FILENAME
    from rag_eval_assets.resources import build_resources, corpus_view
    from rag_eval_assets.settings import Settings

    statcache.clear()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = []
    for i in range(3):
        (corpus / f"d{i}.txt").write_text(f"document {i}")
        rows.append(f'{{"path": "d{i}.txt", "doc_class": "text_multilingual", "tenant": "acme", "locale": "en-US", '
                    f'"product": "sso", "version": "v1.0", "current": true, "permitted": true}}\n')
    (corpus / METADATA_FILENAME).write_text("".join(rows))
    for p in corpus.iterdir():
        _age(p)
    settings = Settings(corpus_root=str(corpus), golden_root="", storage_root=str(tmp_path / "storage"),
                        parsers=("pymupdf",), primary_parser="pymupdf", embed_model="hashing")
    r = build_resources(settings)

    stamp = [time.time() - 1000]

    def settle():  # every output folder "modified" long ago, at a new time after each change
        stamp[0] += 10
        for folder in (tmp_path / "storage").iterdir():
            os.utime(folder, (stamp[0], stamp[0]))

    def view():
        return corpus_view(r["corpus"], r["storage"], r["parse_config"], r["clean_config"], r["chunk_config"],
                           r["embed_config"])

    first = view()
    assert len(first.pending()) == 3
    done = next(iter(first.docs.values()))
    for asset, version in first.expected[done.doc_id].items():  # one document fully processed
        first.outputs.storage.write_bytes(f"{asset}/{done.doc_id}@{version}.json", b"{}")
    settle()
    second = view()
    assert set(second.pending()) == set(first.docs) - {done.doc_id}
    assert second.inputs_digest() != first.inputs_digest()
    third = view()  # nothing changed: the same derived results, not recomputed
    assert third._pending is second._pending and third.inputs_digest() == second.inputs_digest()
    third.outputs.storage.delete(f"chunks/{done.doc_id}@{first.expected[done.doc_id]['chunks']}.json")
    settle()
    fourth = view()
    assert fourth.pending()[done.doc_id] == ["chunks", "embeddings"]
    (corpus / done.relpath).write_text("edited")  # new content: a new expected version
    _age(corpus / done.relpath, 30)
    fifth = view()
    assert fifth.docs[done.doc_id].sha256 != done.sha256 and len(fifth.pending()[done.doc_id]) == 6
