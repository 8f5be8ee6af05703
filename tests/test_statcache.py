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
