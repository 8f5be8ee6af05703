"""Tests of the sample corpus generator (rag_eval_assets.sample) and the golden sets it writes."""

from __future__ import annotations

import csv
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import docx
import pymupdf
import pytest

from rag_eval_assets.lib.documents import doc_id_for, load_metadata, scan_corpus
from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.sample import generate, plan_corpus
from rag_eval_assets.sample.__main__ import main
from rag_eval_assets.sample.pii import iban_valid, luhn_valid

REPO = Path(__file__).resolve().parents[1]
PII_TYPES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "US_SSN", "CREDIT_CARD", "IBAN_CODE", "IP_ADDRESS", "STREET_ADDRESS"}
TEXT_SUFFIXES = {".txt", ".jsonl", ".json", ".csv", ".tsv", ".md", ".html"}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("sample")
    summary = generate(root / "corpus", root / "golden", seed=0)
    golden = root / "golden"
    documents = {r["doc_id"]: r for r in read_jsonl(golden / "documents.jsonl")}
    return SimpleNamespace(
        root=root, corpus=root / "corpus", golden=golden, summary=summary, documents=documents,
        plan={d.doc_id: d for d in plan_corpus(0)},
        ref=lambda doc_id: (golden / "parse" / f"{doc_id}.txt").read_text(encoding="utf-8"),
        of_class=lambda cls: sorted(i for i, d in documents.items() if d["doc_class"] == cls),
    )


# -- determinism, shape ------------------------------------------------------------------------
def test_same_seed_gives_identical_bytes(sample: SimpleNamespace, tmp_path: Path) -> None:
    generate(tmp_path / "corpus", tmp_path / "golden", seed=0)
    for name in ("corpus", "golden"):
        first, second = tree_hashes(sample.root / name), tree_hashes(tmp_path / name)
        assert first.keys() == second.keys()
        assert [k for k in first if first[k] != second[k]] == []


def test_counts_classes_queries_languages(sample: SimpleNamespace) -> None:
    docs = sample.documents
    assert len(docs) >= 80 and sample.summary["documents"] == len(docs)
    assert len({d["doc_class"] for d in docs.values()}) >= 7
    queries = read_jsonl(sample.golden / "retrieval" / "queries.jsonl")
    assert len(queries) >= 60
    languages = json.loads((sample.golden / "language.json").read_text())
    assert languages.keys() == docs.keys()
    assert all(re.fullmatch(r"[a-z]{2}", v) for v in languages.values())
    assert len(set(languages.values())) >= 6
    non_latin = [i for i, lang in languages.items() if lang in ("ru", "el")]
    assert non_latin and all(re.search("[\u0370-\u03ff\u0400-\u04ff]", sample.ref(i)) for i in non_latin)


def test_metadata_is_valid_and_agrees_with_layout(sample: SimpleNamespace) -> None:
    ontology = Ontology.load()
    metadata = load_metadata(sample.corpus)
    assert metadata.keys() == scan_corpus(sample.corpus).keys() == sample.documents.keys()
    for doc_id, meta in metadata.items():
        assert ontology.validate_metadata(meta.fields) == [], meta.path
        assert meta.path.split("/")[0] == meta.doc_class == sample.documents[doc_id]["doc_class"]
        assert doc_id_for(meta.path) == doc_id
        assert meta.locale.split("-")[0] == sample.documents[doc_id]["language"]
    assert {m.current for m in metadata.values()} == {True, False}
    assert {m.permitted for m in metadata.values()} == {True, False}


# -- parse references --------------------------------------------------------------------------
@pytest.mark.parametrize("doc_class", ["pdf_single_column", "pdf_two_column"])
def test_born_digital_pdf_text_equals_reference(sample: SimpleNamespace, doc_class: str) -> None:
    ids = sample.of_class(doc_class)
    assert ids
    for doc_id in ids:
        pdf = pymupdf.open(sample.corpus / sample.documents[doc_id]["path"])
        assert norm("".join(page.get_text() for page in pdf)) == norm(sample.ref(doc_id)), doc_id
        for n, page in enumerate(pdf, 1):
            page_ref = (sample.golden / "parse" / "pages" / doc_id / f"{n}.txt").read_text(encoding="utf-8")
            assert norm(page.get_text()) == norm(page_ref), (doc_id, n)
        assert not (sample.golden / "parse" / "pages" / doc_id / f"{len(pdf) + 1}.txt").exists()


def test_two_column_pages_have_two_text_columns(sample: SimpleNamespace) -> None:
    for doc_id in sample.of_class("pdf_two_column"):
        page = pymupdf.open(sample.corpus / sample.documents[doc_id]["path"])[0]
        lefts = {round(b[0]) for b in page.get_text("blocks")}
        assert any(x > page.rect.width / 2 for x in lefts) and any(x < page.rect.width / 4 for x in lefts), doc_id


def test_markdown_and_text_references(sample: SimpleNamespace) -> None:
    for doc_id, d in sample.documents.items():
        path = sample.corpus / d["path"]
        if path.suffix == ".txt":
            assert path.read_text(encoding="utf-8") == sample.ref(doc_id)
        elif path.suffix == ".md":
            blocks = path.read_text(encoding="utf-8").strip().split("\n\n")
            assert "\n\n".join(re.sub(r"^#+ ", "", b) for b in blocks) == sample.ref(doc_id)
            assert not any(line.startswith("#") for line in sample.ref(doc_id).splitlines())


class _VisibleText(HTMLParser):
    """Visible text blocks of a page: text inside block elements, outside head/script/style."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "button", "div", "header", "footer", "nav", "ul", "ol", "main",
              "article", "aside", "section", "body", "span", "a"}

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self.buf: list[str] = []
        self.hidden = 0

    def flush(self) -> None:
        text = norm("".join(self.buf))
        if text:
            self.blocks.append(text)
        self.buf = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("head", "script", "style"):
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "script", "style"):
            self.hidden -= 1
        elif tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.buf.append(data)


def test_html_reference_and_boilerplate(sample: SimpleNamespace) -> None:
    boilerplate = json.loads((sample.golden / "boilerplate.json").read_text(encoding="utf-8"))
    ids = sample.of_class("html_article")
    assert sorted(boilerplate) == ids
    for doc_id in ids:
        parser = _VisibleText()
        parser.feed((sample.corpus / sample.documents[doc_id]["path"]).read_text(encoding="utf-8"))
        parser.flush()
        full = sample.ref(doc_id).split("\n\n")
        assert parser.blocks == full, doc_id
        main_blocks = boilerplate[doc_id].split("\n\n")
        assert len(main_blocks) < len(full)
        pos = 0
        for block in main_blocks:  # the main text is an in-order subsequence of the visible blocks
            pos = full.index(block, pos) + 1
        facts = [f for f in sample.plan[doc_id].facts]
        assert facts and all(f.sentence in boilerplate[doc_id] for f in facts)


# -- tables --------------------------------------------------------------------------------------
class _TableHtml(HTMLParser):
    """Rows of (text, rowspan, colspan) from PubTabNet-style HTML, plus the thead row count."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, int, int]]] = []
        self.head_rows = 0
        self.in_head = False
        self.cell: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "thead":
            self.in_head = True
        elif tag == "tr":
            self.rows.append([])
            self.head_rows += self.in_head
        elif tag == "td":
            self.cell = ["", int(a.get("rowspan", 1)), int(a.get("colspan", 1))]

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self.in_head = False
        elif tag == "td":
            self.rows[-1].append(tuple(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell[0] += data


def grid_of(html: str) -> tuple[dict[tuple[int, int], tuple[str, int, int]], set[tuple[int, int]], int]:
    """(origin cell -> (text, rowspan, colspan), covered positions, header rows) of an HTML table."""
    p = _TableHtml()
    p.feed(html)
    origins, covered = {}, set()
    for r, row in enumerate(p.rows):
        c = 0
        for text, rs, cs in row:
            while (r, c) in covered:
                c += 1
            origins[(r, c)] = (text, rs, cs)
            covered |= {(r + i, c + j) for i in range(rs) for j in range(cs)} - {(r, c)}
            c += cs
    return origins, covered, p.head_rows


def _alnum(text: str | None) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", text or "")


def test_pdf_tables_html_matches_drawn_tables(sample: SimpleNamespace) -> None:
    """pdf_tables (ruled grids): pymupdf's table finder sees the reference grid. The borderless and
    sideways tables of pdf_complex_tables are checked in test_sample_hazards.py."""
    rows = [r for r in read_jsonl(sample.golden / "tables.jsonl")
            if r["page"] is not None and sample.documents[r["doc_id"]]["doc_class"] == "pdf_tables"]
    assert len(rows) >= 8
    by_page: dict[tuple[str, int], list[dict]] = {}
    for r in rows:
        by_page.setdefault((r["doc_id"], r["page"]), []).append(r)
    for (doc_id, page_no), expected in by_page.items():
        plan = sample.plan[doc_id]
        spec = plan.tables()[expected[0]["table_index"]]
        origins, covered, head = grid_of(expected[0]["html"])
        assert head == spec.header_rows and covered == spec.covered()
        assert {k: v[0] for k, v in origins.items()} == {
            (r, c): t for r, row in enumerate(spec.cells) for c, t in enumerate(row) if (r, c) not in spec.covered()}
        page = pymupdf.open(sample.corpus / sample.documents[doc_id]["path"])[page_no - 1]
        found = page.find_tables().tables
        assert len(found) == len(expected), (doc_id, page_no)
        for table, row in zip(found, sorted(expected, key=lambda r: r["table_index"])):
            origins, covered, _ = grid_of(row["html"])
            cells = table.extract()
            assert {(r, c) for r, line in enumerate(cells) for c, v in enumerate(line) if v is None} == covered
            assert all(_alnum(cells[r][c]) == _alnum(text) for (r, c), (text, _, _) in origins.items())


def test_docx_tables_match_html(sample: SimpleNamespace) -> None:
    rows = [r for r in read_jsonl(sample.golden / "tables.jsonl") if r["page"] is None]
    assert rows and all(sample.documents[r["doc_id"]]["doc_class"] == "docx_report" for r in rows)
    for row in rows:
        table = docx.Document(sample.corpus / sample.documents[row["doc_id"]]["path"]).tables[row["table_index"]]
        grid = [[cell._tc for cell in r.cells] for r in table.rows]
        seen, got = set(), {}
        for r, line in enumerate(grid):
            for c, tc in enumerate(line):
                if id(tc) in seen:
                    continue
                seen.add(id(tc))
                rs = sum(1 for rr in range(r, len(grid)) if grid[rr][c] is tc)
                cs = sum(1 for cc in range(c, len(line)) if line[cc] is tc)
                got[(r, c)] = (table.cell(r, c).text, rs, cs)
        origins, _, _ = grid_of(row["html"])
        assert got == origins, row["doc_id"]


# -- scanned PDFs ------------------------------------------------------------------------------
def test_scanned_pdfs_are_image_only_at_scan_resolution(sample: SimpleNamespace) -> None:
    ids = sample.of_class("pdf_scanned")
    assert len(ids) >= 5
    for doc_id in ids:
        pdf = pymupdf.open(sample.corpus / sample.documents[doc_id]["path"])
        assert pdf.metadata["creationDate"] == "" and pdf.metadata["modDate"] == ""
        for n, page in enumerate(pdf, 1):
            assert page.get_text().strip() == ""
            images = page.get_images(full=True)
            assert len(images) == 1
            dpi = images[0][2] / (page.rect.width / 72)
            assert 149 <= dpi <= 201, (doc_id, dpi)
            assert (sample.golden / "parse" / "pages" / doc_id / f"{n}.txt").read_text(encoding="utf-8").strip()


# -- PII ---------------------------------------------------------------------------------------
def test_pii_spans_are_exact(sample: SimpleNamespace) -> None:
    rows = read_jsonl(sample.golden / "pii.jsonl")
    assert rows and all("text" not in r for r in rows)
    assert {r["entity_type"] for r in rows} == PII_TYPES
    by_doc: dict[str, list[dict]] = {}
    for r in rows:
        by_doc.setdefault(r["doc_id"], []).append(r)
    assert set(by_doc) == set(sample.of_class("text_pii"))
    for doc_id, spans in by_doc.items():
        text = sample.ref(doc_id)
        spans.sort(key=lambda r: r["start"])
        assert all(0 <= s["start"] < s["end"] <= len(text) for s in spans), doc_id
        assert all(a["end"] <= b["start"] for a, b in zip(spans, spans[1:])), doc_id
        records = sample.plan[doc_id].pii  # the values the generator inserted (never printed)
        assert [(s.start, s.end, s.entity_type) for s in records] == [(s["start"], s["end"], s["entity_type"]) for s in spans]
        assert all(text[s.start:s.end] == s.value for s in records), doc_id
        values = {s.entity_type: [] for s in records}
        for s in records:
            values[s.entity_type].append(s.value)
        assert all(luhn_valid(v) for v in values.get("CREDIT_CARD", [])), doc_id
        assert all(iban_valid(v) for v in values.get("IBAN_CODE", [])), doc_id
        assert all(re.fullmatch(r"(?!000|666|9)\d{3}-(?!00)\d{2}-(?!0000)\d{4}", v) for v in values.get("US_SSN", [])), doc_id
        assert all(all(0 <= int(x) <= 255 for x in v.split(".")) for v in values.get("IP_ADDRESS", [])), doc_id


# -- near duplicates ---------------------------------------------------------------------------
def _shingles(text: str, k: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i:i + k]) for i in range(len(words) - k + 1)}


def _jaccard(a: str, b: str) -> float:
    sa, sb = _shingles(a), _shingles(b)
    return len(sa & sb) / len(sa | sb)


def test_near_duplicate_pairs_and_similarity(sample: SimpleNamespace) -> None:
    with open(sample.golden / "dedup" / "pairs.csv", encoding="utf-8") as fh:
        pairs = list(csv.DictReader(fh))
    families: dict[str, dict[str, str]] = {}
    for doc_id, d in sample.documents.items():
        if d["family"]:
            families.setdefault(d["family"], {})[sample.plan[doc_id].role] = doc_id
    assert len(families) >= 5
    labelled = {(p["doc_a"], p["doc_b"]): (p["label"], p["kind"]) for p in pairs}
    assert {p["kind"] for p in pairs} == {"exact", "light_edit", "heavy_edit", "same_topic", "random"}
    for members in families.values():
        original = members["original"]
        ref = sample.ref(original)
        assert (sample.corpus / sample.documents[members["exact"]]["path"]).read_bytes() == (
            sample.corpus / sample.documents[original]["path"]).read_bytes()
        assert _jaccard(ref, sample.ref(members["light_edit"])) >= 0.8
        assert _jaccard(ref, sample.ref(members["heavy_edit"])) <= 0.5
        assert _jaccard(ref, sample.ref(members["same_topic"])) <= 0.3
        for role in ("exact", "light_edit", "heavy_edit"):
            assert labelled[(original, members[role])] == ("duplicate", role)
        assert labelled[(original, members["same_topic"])] == ("distinct", "same_topic")
        assert sum(1 for a, b in labelled if a in members.values() and b in members.values()) == 10
    family_of = {i: d["family"] for i, d in sample.documents.items()}
    randoms = [k for k, v in labelled.items() if v[1] == "random"]
    assert randoms and all(family_of[a] != family_of[b] and labelled[(a, b)][0] == "distinct" for a, b in randoms)
    with open(sample.golden / "dedup" / "clusters.csv", encoding="utf-8") as fh:
        clusters = {r["doc_id"]: r["cluster_id"] for r in csv.DictReader(fh)}
    assert clusters.keys() == sample.documents.keys()
    for members in families.values():
        assert len({clusters[members[r]] for r in ("original", "exact", "light_edit", "heavy_edit")}) == 1
        assert clusters[members["same_topic"]] != clusters[members["original"]]


# -- retrieval goldens ---------------------------------------------------------------------------
def test_queries_and_qrels(sample: SimpleNamespace) -> None:
    queries = {q["_id"]: q for q in read_jsonl(sample.golden / "retrieval" / "queries.jsonl")}
    lines = (sample.golden / "retrieval" / "qrels" / "test.tsv").read_text().splitlines()
    assert lines[0] == "query-id\tcorpus-id\tscore"
    qrels: dict[str, dict[str, int]] = {}
    for line in lines[1:]:
        qid, doc_id, score = line.split("\t")
        assert doc_id in sample.documents and qid in queries and score in ("1", "2")
        qrels.setdefault(qid, {})[doc_id] = int(score)
    intents = {q["metadata"]["intent"] for q in queries.values()}
    assert intents == {"factoid", "procedural", "comparison", "out_of_scope"}
    classes = {q["metadata"]["doc_class"] for q in queries.values() if q["metadata"]["intent"] == "factoid"}
    assert {"pdf_scanned", "pdf_tables", "html_article", "text_multilingual", "docx_report"} <= classes
    assert {q["metadata"]["language"] for q in queries.values()} >= {"de", "fr", "ru", "el"}
    for qid, q in queries.items():
        meta = q["metadata"]
        if meta["intent"] == "out_of_scope":
            assert qid not in qrels and meta["doc_class"] is None
            continue
        gold = qrels[qid]
        primary = [d for d, s in gold.items() if s == 2]
        assert primary and meta["doc_class"] in {sample.documents[d]["doc_class"] for d in primary}
        if meta["intent"] == "factoid":
            assert len(primary) == 1 and meta["answer"] in sample.ref(primary[0]), qid
            assert sample.documents[primary[0]]["language"] == meta["language"]
        elif meta["intent"] == "procedural":
            steps = re.split(r"(?<=\.) ", meta["answer"])
            assert all(step in sample.ref(d) for d in primary for step in steps), qid
    near_dup = [qid for qid, q in queries.items() if q["metadata"]["doc_class"] == "text_near_duplicate"]
    assert near_dup and all(sorted(qrels[q].values()) == [1, 1, 1, 2] for q in near_dup)


def test_filters_admit_or_exclude_gold(sample: SimpleNamespace) -> None:
    ontology = Ontology.load()
    metadata = {i: m.fields for i, m in load_metadata(sample.corpus).items()}
    gold: dict[str, list[str]] = {}
    for line in (sample.golden / "retrieval" / "qrels" / "test.tsv").read_text().splitlines()[1:]:
        qid, doc_id, _ = line.split("\t")
        gold.setdefault(qid, []).append(doc_id)
    filters = read_jsonl(sample.golden / "retrieval" / "filters.jsonl")
    queries = read_jsonl(sample.golden / "retrieval" / "queries.jsonl")
    assert [f["query_id"] for f in filters] == [q["_id"] for q in queries]
    wrong = [f for f in filters if not f["correct"]]
    assert 0.15 <= len(wrong) / len(filters) <= 0.35
    assert {f["wrong_kind"] for f in wrong} == {"superseded_current", "locale_sibling", "sibling_product", "wrong_tenant"}
    for f in filters:
        docs = [metadata[d] for d in gold.get(f["query_id"], [])]
        assert all(ontology.matches(f["correct_predicate"], m) for m in docs), f["query_id"]
        if f["correct"]:
            assert f["predicate"] == f["correct_predicate"]
        else:
            assert docs and not any(ontology.matches(f["predicate"], m) for m in docs), f["query_id"]


def test_headings_in_document_order(sample: SimpleNamespace) -> None:
    rows = {r["doc_id"]: r["headings"] for r in read_jsonl(sample.golden / "headings.jsonl")}
    assert len(rows) >= 60
    for doc_id, headings in rows.items():
        ref, pos = sample.ref(doc_id), 0
        assert headings[0]["level"] in (1, 2) and all(h["level"] in (1, 2, 3) for h in headings)
        for h in headings:
            pos = ref.index(h["text"], pos) + len(h["text"])


# -- sizes, CLI, committed sample ----------------------------------------------------------------
def test_cli_with_size_extends_the_base_sample(sample: SimpleNamespace, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--corpus", str(tmp_path / "c"), "--golden", str(tmp_path / "g"), "--size", "150"]) == 0
    assert '"documents": 150' in capsys.readouterr().out
    assert len(scan_corpus(tmp_path / "c")) == 150
    base, bigger = tree_hashes(sample.corpus), tree_hashes(tmp_path / "c")
    assert all(bigger[k] == v for k, v in base.items() if k != "_metadata.jsonl")
    for name in ("queries.jsonl", "filters.jsonl", "qrels/test.tsv"):
        assert (tmp_path / "g" / "retrieval" / name).read_bytes() == (sample.golden / "retrieval" / name).read_bytes()


def test_committed_sample_equals_fresh_generation(sample: SimpleNamespace) -> None:
    committed = REPO / "golden_sets" / "sample"
    if not (committed / "documents.jsonl").exists():
        pytest.skip("golden_sets/sample has not been generated")
    for fresh_root, committed_root in ((sample.golden, committed), (sample.corpus, REPO / "sample_corpus")):
        fresh = {k: v for k, v in tree_hashes(fresh_root).items() if Path(k).suffix in TEXT_SUFFIXES}
        ours = {k: v for k, v in tree_hashes(committed_root).items()
                if Path(k).suffix in TEXT_SUFFIXES and k != "README.md"}
        assert fresh.keys() == ours.keys()
        assert [k for k in fresh if fresh[k] != ours[k]] == []
