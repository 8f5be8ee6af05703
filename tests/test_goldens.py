"""Golden-set loaders: round trips on small files, malformed rows, GoldenSet error collection."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from rag_eval_assets.lib.documents import doc_id_for
from rag_eval_assets.lib.goldens import (
    DedupPair,
    FilterCase,
    GoldenSet,
    GoldenSetError,
    Heading,
    PiiSpan,
    load_all_qrels,
    load_boilerplate,
    load_dedup_clusters,
    load_dedup_pairs,
    load_documents,
    load_filters,
    load_headings,
    load_language_labels,
    load_page_references,
    load_parse_references,
    load_pii_spans,
    load_qrels,
    load_queries,
    load_tables,
    read_rows,
)

DOC_A, DOC_B = doc_id_for("reports/a.pdf"), doc_id_for("web/b.html")
TEXT_A = "Call Jane Doe at 555-0100.\nThanks."
TABLE = "<table><thead><tr><td>x</td></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
SAMPLE_ROOT = Path(__file__).resolve().parents[1] / "golden_sets" / "sample"


def jsonl(*rows: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


GOLDEN_FILES = {
    "documents.jsonl": jsonl(
        {"doc_id": DOC_A, "path": "reports/a.pdf", "doc_class": "pdf_tables", "language": "en"},
        {"doc_id": DOC_B, "path": "web/b.html", "doc_class": "html_article", "language": "de",
         "family": "f1"}),
    f"parse/{DOC_A}.txt": TEXT_A,
    f"parse/{DOC_B}.txt": "Hallo Welt",
    f"parse/pages/{DOC_A}/1.txt": "Call Jane Doe",
    f"parse/pages/{DOC_A}/2.txt": "Thanks.",
    "headings.jsonl": jsonl({"doc_id": DOC_A, "headings": [{"level": 1, "text": "Intro"},
                                                            {"level": 2, "text": "Details"}]}),
    "tables.jsonl": jsonl({"doc_id": DOC_A, "page": 2, "table_index": 0, "html": TABLE},
                          {"doc_id": DOC_A, "page": 1, "table_index": 0, "html": TABLE},
                          {"doc_id": DOC_B, "page": None, "table_index": 0, "html": TABLE}),
    "boilerplate.json": json.dumps({DOC_B: "Hallo Welt"}, indent=2),
    "language.json": json.dumps({DOC_A: "en", DOC_B: "de"}),
    "dedup/pairs.csv": f"doc_a,doc_b,label,kind\n{DOC_A},{DOC_B},distinct,same_topic\nx,y,duplicate,exact\n",
    "dedup/clusters.csv": f"doc_id,cluster_id\n{DOC_A},c1\n{DOC_B},c1\n",
    "pii.jsonl": jsonl(
        {"doc_id": DOC_A, "start": 17, "end": 25, "entity_type": "PHONE_NUMBER", "text": "555-0100"},
        {"doc_id": DOC_A, "start": 5, "end": 13, "entity_type": "PERSON"}),
    "retrieval/queries.jsonl": jsonl(
        {"_id": "q1", "text": "who to call?", "metadata": {"answer": "Jane", "intent": "lookup",
                                                          "doc_class": "pdf_tables"}},
        {"_id": "q2", "text": "out of scope?", "metadata": {"answer": "not in the corpus",
                                                           "intent": "out_of_scope", "doc_class": None}}),
    "retrieval/qrels/test.tsv": f"query-id\tcorpus-id\tscore\r\nq1\t{DOC_A}\t2\r\nq1\t{DOC_B}\t0\r\n",
    "retrieval/filters.jsonl": jsonl(
        {"query_id": "q1", "predicate": {"locale": ["en", "de"]}, "correct": True,
         "correct_predicate": None},
        {"query_id": "q1", "predicate": {"current": False}, "correct": False,
         "correct_predicate": {"current": True}}),
}


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return root


@pytest.fixture
def golden_root(tmp_path: Path) -> Path:
    return write_files(tmp_path / "golden", GOLDEN_FILES)


def test_round_trip_every_loader(golden_root: Path) -> None:
    docs = load_documents(golden_root)
    assert docs[DOC_B].family == "f1" and docs[DOC_A].family is None
    assert docs[DOC_A].doc_class == "pdf_tables" and docs[DOC_B].language == "de"
    assert load_parse_references(golden_root) == {DOC_A: TEXT_A, DOC_B: "Hallo Welt"}
    assert load_page_references(golden_root) == {DOC_A: {1: "Call Jane Doe", 2: "Thanks."}}
    assert load_headings(golden_root) == {DOC_A: [Heading(1, "Intro"), Heading(2, "Details")]}
    tables = load_tables(golden_root)
    assert [(t.page, t.table_index) for t in tables[DOC_A]] == [(1, 0), (2, 0)]
    assert tables[DOC_A][0].html == TABLE and tables[DOC_B][0].page is None  # HTML: no pages
    assert load_boilerplate(golden_root) == {DOC_B: "Hallo Welt"}
    assert load_language_labels(golden_root) == {DOC_A: "en", DOC_B: "de"}
    assert load_dedup_pairs(golden_root) == [DedupPair(DOC_A, DOC_B, "distinct", "same_topic"),
                                             DedupPair("x", "y", "duplicate", "exact")]
    assert load_dedup_clusters(golden_root) == {DOC_A: "c1", DOC_B: "c1"}
    spans = load_pii_spans(golden_root, texts=load_parse_references(golden_root))
    assert spans == {DOC_A: [PiiSpan(5, 13, "PERSON"), PiiSpan(17, 25, "PHONE_NUMBER", "555-0100")]}
    assert TEXT_A[5:13] == "Jane Doe"
    queries, meta = load_queries(golden_root / "retrieval/queries.jsonl")
    assert queries == {"q1": "who to call?", "q2": "out of scope?"} and meta["q1"]["intent"] == "lookup"
    assert meta["q2"]["doc_class"] is None
    assert load_qrels(golden_root / "retrieval/qrels/test.tsv") == {"q1": {DOC_A: 2, DOC_B: 0}}
    assert load_all_qrels(golden_root) == {"test": {"q1": {DOC_A: 2, DOC_B: 0}}}
    assert load_filters(golden_root) == [
        FilterCase("q1", {"locale": ["en", "de"]}, True, None),
        FilterCase("q1", {"current": False}, False, {"current": True})]


def test_absent_files_give_empty_results(tmp_path: Path) -> None:
    for loader in (load_documents, load_parse_references, load_page_references, load_headings,
                   load_tables, load_boilerplate, load_language_labels, load_dedup_clusters,
                   load_pii_spans, load_all_qrels):
        assert loader(tmp_path) == {}
    assert load_dedup_pairs(tmp_path) == [] and load_filters(tmp_path) == []
    assert load_queries(tmp_path / "queries.jsonl") == ({}, {})
    gs = GoldenSet.load(tmp_path)
    assert gs.errors == [] and set(gs.summary().values()) == {0}


PII_ROW = {"doc_id": DOC_A, "start": 0, "end": 4, "entity_type": "PERSON"}
PII_ROW_2 = {**PII_ROW, "start": 10, "end": 14}
MALFORMED = [
    # (file, content, line, message fragment); line None: the whole file is unusable
    ("pii.jsonl", jsonl(PII_ROW, PII_ROW_2) + '{"doc_id": "x", "start": 1,\n', 3, "bad JSON"),
    ("pii.jsonl", "\n" + jsonl(PII_ROW, {**PII_ROW, "end": None}), 3, "'end'"),
    ("pii.jsonl", jsonl(PII_ROW, {k: v for k, v in PII_ROW.items() if k != "entity_type"}), 2,
     "missing key 'entity_type'"),
    ("pii.jsonl", jsonl(PII_ROW, {**PII_ROW, "start": 9, "end": 3}), 2, "bad span"),
    ("pii.jsonl", jsonl({**PII_ROW, "start": -1}), 1, "bad span"),
    ("pii.jsonl", jsonl(PII_ROW, {**PII_ROW, "start": "0"}), 2, "'start'"),
    ("pii.jsonl", jsonl(PII_ROW, PII_ROW_2, {**PII_ROW, "entity_type": "SECRET"}), 3, "unknown label 'SECRET'"),
    ("pii.jsonl", jsonl(PII_ROW, PII_ROW_2, {**PII_ROW, "entity_type": "EMAIL_ADDRESS"}), 3, "duplicate span [0, 4)"),
    ("pii.jsonl", jsonl(PII_ROW, PII_ROW_2, {**PII_ROW, "start": 12, "end": 20}), 3, "overlaps [10, 14)"),
    ("pii.jsonl", jsonl(PII_ROW, PII_ROW_2, {**PII_ROW, "start": 2, "end": 11}), 3, "overlaps [0, 4)"),
    ("dedup/pairs.csv", "doc_a,doc_b,label,kind\na,b,duplicate,exact\nc,d,maybe,exact\n", 3, "unknown label 'maybe'"),
    ("dedup/pairs.csv", "doc_a,doc_b,label,kind\na,b,duplicate,exact\nb,a,distinct,\n", 3, "duplicate pair"),
    ("dedup/clusters.csv", "doc_id,cluster_id\na,1\na,2\n", 3, "duplicate doc_id 'a'"),
    ("retrieval/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\n", 3, "expected 3 columns, got 2"),
    ("retrieval/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\thigh\n", 3, "expected an integer"),
    ("retrieval/qrels/test.tsv", "qid\tdid\tscore\nq1\td1\t1\n", None, "header (line 1) lacks columns"),
    ("retrieval/qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t1\nq1\td1\t2\n", 4,
     "grade 2 here but 1 on line 2"),
    ("retrieval/queries.jsonl", jsonl({"_id": "q1", "text": "a", "metadata": {"answer": "x", "intent": 3}}),
     1, "metadata: 'intent': expected string"),
    ("retrieval/queries.jsonl", jsonl({"_id": "q1", "text": "a"}, {"_id": "q1", "text": "b"}), 2,
     "duplicate query id 'q1'"),
    ("retrieval/filters.jsonl", jsonl({"query_id": "q", "predicate": {"a": "x"}, "correct": True},
                                      {"query_id": "q", "predicate": {"a": "x"}, "correct": False}), 2,
     "duplicate filter case"),
    ("retrieval/filters.jsonl", jsonl({"query_id": "q", "predicate": {"locale": []}, "correct": True}), 1,
     "non-empty list"),
    ("language.json", '{\n  "a": "en",\n  "b": "english"\n}\n', 3, "ISO 639-1"),
    ("language.json", '{\n  "a": "en",\n  "a": "de"\n}\n', 3, "duplicate key 'a'"),
    ("boilerplate.json", '{\n  "a": "text",\n  "b": 3\n}\n', 3, "expected a string"),
    ("headings.jsonl", jsonl({"doc_id": "a", "headings": [{"level": 1, "text": "x"}, {"level": 0, "text": "y"}]}),
     1, "headings[1]: 'level': must be >= 1"),
    ("tables.jsonl", jsonl({"doc_id": "a", "page": 0, "table_index": 0, "html": TABLE}), 1, "'page'"),
    ("documents.jsonl", jsonl({"doc_id": "0" * 16, "path": "a.pdf", "doc_class": "x", "language": "en"}), 1,
     "is not doc_id_for"),
    ("documents.jsonl", jsonl(*[{"doc_id": doc_id_for("a.pdf"), "path": "a.pdf", "doc_class": "x",
                                 "language": "en"}] * 2), 2, "duplicate doc_id"),
]

LOADERS = {
    "pii.jsonl": load_pii_spans, "dedup/pairs.csv": load_dedup_pairs,
    "dedup/clusters.csv": load_dedup_clusters, "retrieval/qrels/test.tsv": load_all_qrels,
    "retrieval/queries.jsonl": lambda r, **kw: load_queries(r / "retrieval/queries.jsonl", **kw),
    "retrieval/filters.jsonl": load_filters, "language.json": load_language_labels,
    "boilerplate.json": load_boilerplate, "headings.jsonl": load_headings, "tables.jsonl": load_tables,
    "documents.jsonl": load_documents,
}


@pytest.mark.parametrize(("rel", "content", "line", "fragment"), MALFORMED,
                         ids=[f"{m[0]}:{m[3]}" for m in MALFORMED])
def test_malformed_row_names_file_and_line(tmp_path: Path, rel: str, content: str, line: int,
                                           fragment: str) -> None:
    write_files(tmp_path, {rel: content})
    with pytest.raises(GoldenSetError) as info:
        LOADERS[rel](tmp_path)
    err = info.value
    assert (Path(err.path), err.line) == (tmp_path / rel, line)
    where = f"{tmp_path / rel}" if line is None else f"{tmp_path / rel}:{line}"
    assert str(err).startswith(f"{where}: ") and fragment in str(err)
    collected: list[GoldenSetError] = []  # the same row with an error sink: reported once, no raise
    LOADERS[rel](tmp_path, errors=collected)
    assert [(Path(e.path), e.line) for e in collected] == [(tmp_path / rel, line)]


def test_pii_span_checked_against_parse_reference(golden_root: Path) -> None:
    texts = {DOC_A: "short"}
    with pytest.raises(GoldenSetError, match=r"pii\.jsonl:1: span \[17, 25\) ends past the text"):
        load_pii_spans(golden_root, texts=texts)
    bad = jsonl({"doc_id": DOC_A, "start": 0, "end": 4, "entity_type": "PERSON", "text": "Jane"})
    write_files(golden_root, {"pii.jsonl": bad})
    with pytest.raises(GoldenSetError, match=r"pii\.jsonl:1: span text 'Jane' != reference text 'Call'"):
        load_pii_spans(golden_root, texts={DOC_A: TEXT_A})


def test_undecodable_bytes_reported_at_their_line(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "\xff"}\n')
    with pytest.raises(GoldenSetError, match=r"x\.jsonl:2: not valid utf-8"):
        list(read_rows(path))


def test_error_is_a_picklable_value_error() -> None:
    err = GoldenSetError("g/pii.jsonl", 3, "bad span")
    assert isinstance(err, ValueError) and str(err) == "g/pii.jsonl:3: bad span"
    assert str(GoldenSetError("g/x.json", None, "empty")) == "g/x.json: empty"
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.path, copy.line, copy.message) == ("g/pii.jsonl", 3, "bad span")


def test_read_rows_json_members_and_multiline_csv(tmp_path: Path) -> None:
    write_files(tmp_path, {"a.json": '[\n {"x": 1},\n\n {"x": 2}\n]', "b.csv": 'h,k\n"two\nlines",1\nz,2\n'})
    assert [(r.line, r.data) for r in read_rows(tmp_path / "a.json")] == [(2, {"x": 1}), (4, {"x": 2})]
    assert [(r.line, r.data["k"]) for r in read_rows(tmp_path / "b.csv")] == [(2, "1"), (4, "2")]


def test_golden_set_collects_errors_and_keeps_other_files(golden_root: Path) -> None:
    write_files(golden_root, {"pii.jsonl": jsonl(PII_ROW) + "{not json\n",
                              "retrieval/filters.jsonl": jsonl({"query_id": "nope", "predicate": {"a": "b"},
                                                                "correct": True})})
    gs = GoldenSet.load(golden_root)
    assert [(Path(e.path).name, e.line) for e in gs.errors] == [("pii.jsonl", 2), ("filters.jsonl", 1)]
    assert "query id 'nope' not in" in str(gs.errors[1]) and gs.filters[0].line == 1
    assert gs.pii == {DOC_A: [PiiSpan(0, 4, "PERSON")]}  # the good row of the broken file is kept
    assert gs.parse[DOC_A] == TEXT_A and gs.qrels["test"]["q1"][DOC_A] == 2
    summary = gs.summary()
    assert summary["parse"] == 2 and summary["pii_spans"] == 1 and summary["errors"] == 2
    assert summary["qrels"] == 2 and summary["tables"] == 3 and summary["dedup_clusters"] == 1


def test_golden_set_loads_clean_set(golden_root: Path) -> None:
    gs = GoldenSet.load(golden_root)
    assert gs.errors == []
    assert gs.summary() == {
        "documents": 2, "parse": 2, "pages": 2, "headings": 2, "tables": 3, "boilerplate": 1,
        "language": 2, "dedup_pairs": 2, "dedup_clusters": 1, "pii_spans": 2, "queries": 2,
        "qrels": 2, "filters": 2, "errors": 0}


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    gs = GoldenSet.load(tmp_path / "nope")
    assert len(gs.errors) == 1 and "does not exist" in str(gs.errors[0])


@pytest.mark.skipif(not SAMPLE_ROOT.is_dir(),
                    reason=f"{SAMPLE_ROOT} not generated yet (run the sample generator)")
def test_sample_golden_set_is_clean() -> None:
    gs = GoldenSet.load(SAMPLE_ROOT)
    assert gs.errors == [], "\n".join(map(str, gs.errors))
    summary = gs.summary()
    assert summary["parse"] > 0 and summary["pii_spans"] > 0 and summary["qrels"] > 0, summary


def test_every_bad_row_reported_and_every_good_row_kept(golden_root: Path) -> None:
    """One bad row appended to (or inside) each file kind: each is one error at file:line, the
    good rows of the same file are all loaded."""
    doc_c = doc_id_for("c.txt")
    bad = {
        "documents.jsonl": GOLDEN_FILES["documents.jsonl"] + jsonl(
            {"doc_id": "0" * 16, "path": "c.txt", "doc_class": "x", "language": "en"}),  # line 3
        f"parse/{doc_c}.txt": "ok\n\xff\n",  # replaced by bytes below: undecodable at line 2
        f"parse/pages/{DOC_A}/0.txt": "page zero",  # not a 1-based page: the file, line None
        "headings.jsonl": GOLDEN_FILES["headings.jsonl"] + jsonl({"doc_id": DOC_B, "headings": [{"level": 0,
                                                                                                  "text": "x"}]}),
        "tables.jsonl": GOLDEN_FILES["tables.jsonl"] + jsonl({"doc_id": DOC_B, "page": 0, "table_index": 1,
                                                              "html": TABLE}),  # line 4
        "boilerplate.json": json.dumps({DOC_B: "Hallo Welt", DOC_A: 3}, indent=2),  # line 3
        "language.json": json.dumps({DOC_A: "en", DOC_B: "de", doc_c: "english"}, indent=2),  # line 4
        "dedup/pairs.csv": GOLDEN_FILES["dedup/pairs.csv"] + "a,a,duplicate,exact\n",  # line 4
        "dedup/clusters.csv": GOLDEN_FILES["dedup/clusters.csv"] + f"{doc_c},\n",  # line 4
        "pii.jsonl": GOLDEN_FILES["pii.jsonl"] + jsonl(
            {"doc_id": DOC_A, "start": 20, "end": 27, "entity_type": "PHONE_NUMBER"}),  # line 3: overlaps
        "pii_annotated.json": json.dumps([DOC_A, "nope"], indent=2),  # line 3
        "retrieval/queries.jsonl": GOLDEN_FILES["retrieval/queries.jsonl"] + jsonl(
            {"_id": "q3"}, {"_id": "q4", "text": "a plain BEIR row"}),  # line 3 bad, line 4 good
        "retrieval/qrels/test.tsv": GOLDEN_FILES["retrieval/qrels/test.tsv"] + f"q1\t{doc_c}\tx\r\n",  # line 4
        "retrieval/filters.jsonl": GOLDEN_FILES["retrieval/filters.jsonl"] + jsonl(
            {"query_id": "q1", "predicate": {"current": False}, "correct": True}),  # line 3: duplicate
    }
    write_files(golden_root, bad)
    (golden_root / f"parse/{doc_c}.txt").write_bytes(b"ok\n\xff\n")
    gs = GoldenSet.load(golden_root)
    where = [(Path(e.path).relative_to(golden_root).as_posix(), e.line) for e in gs.errors]
    assert where == [
        ("documents.jsonl", 3), (f"parse/{doc_c}.txt", 2), (f"parse/pages/{DOC_A}/0.txt", None),
        ("headings.jsonl", 2), ("tables.jsonl", 4), ("boilerplate.json", 3), ("language.json", 4),
        ("dedup/pairs.csv", 4), ("dedup/clusters.csv", 4), ("pii.jsonl", 3), ("pii_annotated.json", 3),
        ("retrieval/queries.jsonl", 3), ("retrieval/qrels/test.tsv", 4), ("retrieval/filters.jsonl", 3),
    ], "\n".join(map(str, gs.errors))
    assert all(str(e).startswith(f"{e.path}:{e.line}: ") for e in gs.errors if e.line is not None)
    assert gs.summary() == {
        "documents": 2, "parse": 2, "pages": 2, "headings": 2, "tables": 3, "boilerplate": 1,
        "language": 2, "dedup_pairs": 2, "dedup_clusters": 1, "pii_spans": 2, "queries": 3,
        "qrels": 2, "filters": 2, "errors": 14}
    assert gs.pii_annotated == {DOC_A} and gs.query_metadata["q4"] == {}
    assert [c.line for c in gs.filters] == [1, 2]


def test_whole_file_problems_are_one_error_without_line(tmp_path: Path) -> None:
    write_files(tmp_path, {"retrieval/qrels/test.tsv": "q\td\ts\nq1\td1\t1\n"})
    (tmp_path / "pii.jsonl").write_bytes(jsonl(PII_ROW).encode("utf-16"))  # not UTF-8 at all
    (tmp_path / "headings.jsonl").write_bytes(b'{"doc_id": "a", "headings": []}\n{"doc_id": "\xff"}\n'
                                              b'{"doc_id": "b", "headings": []}\n')
    gs = GoldenSet.load(tmp_path)
    assert [(Path(e.path).name, e.line) for e in gs.errors] == [("headings.jsonl", 2), ("pii.jsonl", None),
                                                                 ("test.tsv", None)]
    assert "not UTF-8 text" in str(gs.errors[1]) and "header (line 1) lacks columns" in str(gs.errors[2])
    assert set(gs.headings) == {"a", "b"} and gs.pii == {} and gs.qrels == {"test": {}}


def test_json_syntax_error_keeps_the_members_before_it(tmp_path: Path) -> None:
    write_files(tmp_path, {"language.json": '{\n  "a": "en",\n  "b": "de"\n  "c": "fr"\n}\n'})
    errors: list[GoldenSetError] = []
    assert load_language_labels(tmp_path, errors) == {"a": "en", "b": "de"}
    assert [e.line for e in errors] == [4] and "the rest of the file is not read" in str(errors[0])


def test_plain_beir_queries_need_no_metadata(tmp_path: Path) -> None:
    write_files(tmp_path, {"q.jsonl": jsonl({"_id": "1", "text": "plain"}, {"_id": 2, "text": "int id"},
                                            {"_id": "3", "text": "partial", "metadata": {"intent": "lookup"}},
                                            {"_id": "4", "text": "other keys", "metadata": {"123": [1]}})})
    queries, meta = load_queries(tmp_path / "q.jsonl")
    assert queries == {"1": "plain", "2": "int id", "3": "partial", "4": "other keys"}
    assert meta["1"] == {} and meta["3"] == {"intent": "lookup"} and meta.get("5", {}).get("answer") is None
