"""Public-benchmark adapters on the real data in ../shared/evaldata (skipped when absent)."""

from __future__ import annotations

import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from rag_eval_assets.lib.goldens import (
    GoldenSetError,
    Word,
    load_aeb,
    load_beir,
    load_beir_corpus_metadata,
    load_expected_teds,
    load_funsd,
    load_presidio_spans,
    load_pubtabnet_html,
    load_sroie,
    pubtabnet_html,
    reading_order_text,
)


class _Cells(HTMLParser):
    """Texts of the <td> cells of an HTML table (stdlib parser, entities decoded)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self._open = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "td":
            self.cells.append("")
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


# ---------------------------------------------------------------- no data needed

def test_pubtabnet_rule_fills_td_slots_and_escapes() -> None:
    tokens = ["<thead>", "<tr>", "<td", ' colspan="2"', ">", "</td>", "</tr>", "</thead>",
              "<tbody>", "<tr>", "<td>", "</td>", "<td>", "</td>", "</tr>", "</tbody>"]
    html = pubtabnet_html(tokens, [["<b>", "H", "</b>"], ["a", "<", "b"], []])
    assert html == ('<html><body><table><thead><tr><td colspan="2"><b>H</b></td></tr></thead>'
                    "<tbody><tr><td>a&lt;b</td><td></td></tr></tbody></table></body></html>")
    with pytest.raises(ValueError, match="3 <td> slots but 2 cells"):
        pubtabnet_html(tokens, [["x"], ["y"]])


def test_reading_order_groups_lines_then_left_to_right() -> None:
    words = [Word("world", (60, 12, 100, 30)), Word("second", (10, 40, 60, 58)),
             Word("hello", (10, 10, 50, 28)), Word("", (0, 0, 5, 5)), Word("line", (70, 41, 100, 57))]
    assert reading_order_text(words) == "hello world\nsecond line"


def test_adapter_errors_name_file_and_line(tmp_path: Path) -> None:
    sample = {"full_text": "Hi Bob", "spans": [{"entity_type": "PERSON", "entity_value": "Bob",
                                                   "start_position": 3, "end_position": 6}]}
    bad = {**sample, "spans": [{**sample["spans"][0], "end_position": 9}]}
    path = tmp_path / "synth.json"
    path.write_text(json.dumps([sample, bad], indent=1), "utf-8")  # the 2nd sample opens on line 13
    with pytest.raises(GoldenSetError, match=r"synth\.json:13: spans\[0\]: span \[3, 9\) ends past the text"):
        load_presidio_spans(path)
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "001.csv").write_text("1,2,3,4,5,6,7,8,A, B\n1,2,3,x,5,6,7,8,C\n", "utf-8")
    with pytest.raises(GoldenSetError, match=r"001\.csv:2: coordinates must be integers"):
        load_sroie(tmp_path)


# ---------------------------------------------------------------- evaldata (marker per test)

evaldata_test = pytest.mark.evaldata


@evaldata_test
def test_pubtabnet_val_mini_ids_match_expected_teds(evaldata: Path) -> None:
    folder = evaldata / "tables/pubtabnet/val_mini"
    gt = load_pubtabnet_html(folder / "sample_gt.json")
    pred = load_pubtabnet_html(folder / "sample_pred.json")
    expected = load_expected_teds(folder / "expected_teds.json")
    assert len(expected) == 7 and set(gt) == set(pred) == set(expected)
    assert all(0 <= v <= 1 for v in expected.values()) and max(expected.values()) == 1.0
    assert all((folder / "images" / name).is_file() for name in expected)
    assert all(h.startswith("<html><body><table>") for h in gt.values())


@evaldata_test
def test_pubtabnet_train_examples_build_parseable_html(evaldata: Path) -> None:
    folder = evaldata / "tables/pubtabnet/train_examples"
    rows = [json.loads(line) for line in (folder / "PubTabNet_Examples.jsonl").read_text("utf-8").splitlines()]
    built = load_pubtabnet_html(folder / "PubTabNet_Examples.jsonl")
    derived = load_pubtabnet_html(folder / "gt_html_derived.json")
    assert len(built) == len(rows) == 20 and set(built) == set(derived)
    lxml_html = pytest.importorskip("lxml.html")
    for row in rows:
        html = built[row["filename"]]
        cells = _Cells(html).cells
        assert len(cells) == len(row["html"]["cells"])
        assert len(lxml_html.fromstring(html).xpath("//td")) == len(cells)
        # same cells as the derived reference (which skips the single-character escaping)
        assert cells == _Cells(derived[row["filename"]]).cells


@evaldata_test
def test_funsd_forms(evaldata: Path) -> None:
    forms = load_funsd(evaldata / "ocr/funsd")
    assert len(forms) == 25
    for form in forms.values():
        assert form.image_path is not None and form.image_path.is_file()
        assert form.words and all(len(w.box) == 4 and w.box[0] <= w.box[2] and w.box[1] <= w.box[3]
                                  for w in form.words)
        assert Counter(form.text.split()) == Counter(t for w in form.bag.elements() for t in w.split())
        assert {w.label for w in form.words} <= {"question", "answer", "header", "other"}
    assert sum(len(f.words) for f in forms.values()) > 4000


@evaldata_test
def test_sroie_receipts(evaldata: Path) -> None:
    receipts = load_sroie(evaldata / "ocr/sroie")
    assert len(receipts) == 8
    for rid, receipt in receipts.items():
        assert receipt.image_path is not None and receipt.image_path.is_file()
        assert set(receipt.fields) == {"company", "date", "address", "total"}
        assert len(receipt.text.split("\n")) == len(receipt.words) > 10
        csv_lines = (evaldata / "ocr/sroie/box" / f"{rid}.csv").read_text("utf-8").splitlines()
        assert len(receipt.words) == len([line for line in csv_lines if line.strip()])
    assert "NO. 76, JALAN SS15/4B," in receipts["326"].text.split("\n")  # commas kept in the text


@evaldata_test
def test_beir_scifact(evaldata: Path) -> None:
    folder = evaldata / "retrieval/scifact"
    data = load_beir(folder, split="train")
    assert len(data.corpus) == 5183 and len(data.queries) == 809 == len(data.qrels)
    assert sum(len(d) for d in data.qrels.values()) == 919
    assert all(doc_id in data.corpus for judged in data.qrels.values() for doc_id in judged)
    assert all(doc["text"] and set(doc) == {"title", "text"} for doc in data.corpus.values())
    meta = load_beir_corpus_metadata(folder)
    assert set(meta) == set(data.corpus)
    assert Counter(m["structured_abstract"] for m in meta.values()) == {False: 4206, True: 977}
    with pytest.raises(GoldenSetError, match="no qrels for split 'test'"):
        load_beir(folder, split="test")


@evaldata_test
def test_presidio_synthetic_spans(evaldata: Path) -> None:
    samples = load_presidio_spans(evaldata / "pii/presidio_synthetic/synth_dataset_v2.json")
    assert len(samples) == 750
    assert all(0 <= s < e <= len(x.full_text) for x in samples for s, e, _ in x.spans)
    types = Counter(t for x in samples for _, _, t in x.spans)
    assert len(types) == 17 and types["PERSON"] == 431 and sum(types.values()) == 1440


@evaldata_test
def test_aeb_pages(evaldata: Path) -> None:
    pages = load_aeb(evaldata / "boilerplate/scrapinghub_aeb")
    assert 80 <= len(pages) <= 181
    assert all(len(item_id) == 64 for item_id in pages)
    assert all("<" in html and body.strip() for html, body in pages.values())
    # the reference body is (mostly) text of the page: its first words appear in the HTML
    first_words = [body.split()[0] for _, body in pages.values()]
    assert sum(w in html for w, (html, _) in zip(first_words, pages.values())) > 0.8 * len(pages)
