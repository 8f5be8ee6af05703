"""The parse-hazard classes of the sample: each hazard is really in the PDF, and each reference is
exactly the PDF's text under the rules of golden_sets/README.md ("Sample corpus: reference text").

The documents are rendered in memory (``render_doc``), as the generator writes them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pymupdf
import pytest

from rag_eval_assets.lib.metrics.text import cer
from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.sample import plan_corpus
from rag_eval_assets.sample.hazards import HAZARD_COUNTS, TYPESET_CLASSES
from rag_eval_assets.sample.plan import EXTRA_CLASSES
from rag_eval_assets.sample.render_pdf import render_pdf
from rag_eval_assets.sample.typeset import typeset_pdf
from rag_eval_assets.sample.writer import render_doc

LIGATURES = str.maketrans({"\ufb01": "fi", "\ufb02": "fl"})


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def hazards() -> dict[str, list[SimpleNamespace]]:
    out: dict[str, list[SimpleNamespace]] = {}
    for doc in plan_corpus(0):
        if doc.doc_class not in HAZARD_COUNTS:
            continue
        data, doc.pages, doc.page_refs = render_doc(doc, 0)
        typeset = typeset_pdf(doc) if doc.doc_class in TYPESET_CLASSES else None
        out.setdefault(doc.doc_class, []).append(SimpleNamespace(doc=doc, data=data, typeset=typeset,
                                                                 pdf=pymupdf.open(stream=data, filetype="pdf")))
    return out


def layer_lines(page: pymupdf.Page, excluded: list[tuple[float, float, float, float]]) -> list[str]:
    """Lines of the page's text layer (pymupdf words by block and line, ligatures spelled out),
    leaving out words inside the areas whose text is not reference text."""
    lines: dict[tuple[int, int], list[str]] = {}
    for x0, y0, x1, y1, word, block, line, _ in page.get_text("words"):
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not any(a <= cx <= c and b <= cy <= d for a, b, c, d in excluded):
            lines.setdefault((block, line), []).append(word)
    return [" ".join(words).translate(LIGATURES) for words in lines.values()]


def align(reference: str, lines: list[str]) -> tuple[int, int]:
    """Walk the reference with the drawn lines; a line ending in "-" continues a word either
    without the hyphen (a hyphenation the reference undoes) or with it (a compound's own
    hyphen). Returns (hyphens removed, hyphens kept); fails on any other difference."""
    ref, pos, soft, hard = norm(reference), 0, 0, 0
    for line in lines:
        pos += ref.startswith(" ", pos)
        head = line[:-1]
        if line.endswith("-") and ref.startswith(head, pos) and ref[pos + len(head):pos + len(head) + 1].isalpha():
            soft, pos = soft + 1, pos + len(head)
            continue
        assert ref.startswith(line, pos), f"reference {ref[pos:pos + 60]!r} vs drawn line {line!r}"
        hard += line.endswith("-") and ref[pos + len(line):pos + len(line) + 1].isalpha()
        pos += len(line)
    assert pos == len(ref), f"reference text not drawn: {ref[pos:pos + 60]!r}"
    return soft, hard


def test_hazard_classes_are_planned_in_the_ontology_and_stay_at_base_size(hazards: dict) -> None:
    ontology = Ontology.load()
    assert set(hazards) == set(HAZARD_COUNTS)
    for cls, items in hazards.items():
        assert 4 <= len(items) <= 6
        assert ontology.tree("doc_class").ancestors(cls)[1:3] in (["born_digital", "pdf"], ["pdf", "document"])
        assert all(x.doc.base and x.doc.procedure is None for x in items)
    assert not set(HAZARD_COUNTS) & set(EXTRA_CLASSES)
    bigger = plan_corpus(0, 400)
    assert sum(d.doc_class in HAZARD_COUNTS for d in bigger) == sum(HAZARD_COUNTS.values())


@pytest.mark.parametrize("doc_class", sorted(TYPESET_CLASSES))
def test_typeset_text_layer_is_the_reference(hazards: dict, doc_class: str) -> None:
    for x in hazards[doc_class]:
        doc, result = x.doc, x.typeset
        assert result.data == x.data and len(x.pdf) == len(result.page_refs) == len(doc.page_texts())
        lines = []
        for page, excluded, page_ref in zip(x.pdf, result.excluded, doc.page_texts()):
            page_lines = layer_lines(page, excluded)
            align(page_ref, page_lines)
            lines += page_lines
        soft, hard = align(doc.reference_text(), lines)
        assert (soft, hard) == (sum(not own for *_, own in result.breaks), sum(own for *_, own in result.breaks))
        for fact in doc.facts:
            assert fact.sentence in doc.reference_text()


def test_running_headers_and_page_numbers_are_drawn_not_referenced(hazards: dict) -> None:
    for x in hazards["pdf_headers_footers"]:
        header, footer = x.doc.layout["header"], x.doc.layout["footer"]
        assert len(x.pdf) >= 2
        for n, page in enumerate(x.pdf, 1):
            text = page.get_text()
            number = footer[1].format(page=n, pages=len(x.pdf))
            assert header[0] in text and header[1] in text and number in text
            assert not re.search(rf"(^|\n){re.escape(number)}(\n|$)", x.doc.page_texts()[n - 1])


def test_footnotes_sit_at_the_foot_of_their_page_and_end_its_reference(hazards: dict) -> None:
    notes = 0
    for x in hazards["pdf_footnotes"]:
        for page, page_ref in zip(x.pdf, x.doc.page_texts()):
            blocks = [x.doc.blocks[i] for i in x.doc.pages[page.number]]
            marked = [(b.text[s:e], note) for b in blocks for s, e, note in b.notes]
            tail = page_ref.split("\n\n")[len(page_ref.split("\n\n")) - len(marked):]
            assert tail == [f"{mark} {note}" for mark, note in marked] if marked else True
            if marked:  # read top to bottom, the page ends with its notes: they sit at its foot
                assert norm(page.get_text(sort=True)).endswith(norm(" ".join(f"{m} {n}" for m, n in marked)))
            for mark, note in marked:
                superscripts = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", [])
                                for s in ln["spans"] if s["text"] == mark and s["size"] < 8]
                assert superscripts, mark
                notes += 1
    assert notes >= 15


def test_hyphenation_breaks_words_and_compounds(hazards: dict) -> None:
    soft = hard = 0
    for x in hazards["pdf_hyphenation"]:
        ref = x.doc.reference_text()
        for word, head, own in x.typeset.breaks:
            assert word in ref and (own or f"{head} " not in ref), (word, head)
            soft, hard = soft + (not own), hard + own
        raw = "".join(page.get_text() for page in x.pdf)
        assert sum(line.endswith("-") for line in raw.splitlines()) == len(x.typeset.breaks)
    assert soft >= 30 and hard >= 5


def test_glyph_documents_draw_ligature_characters_the_reference_spells_out(hazards: dict) -> None:
    for x in hazards["pdf_glyphs"]:
        raw, ref = "".join(page.get_text() for page in x.pdf), x.doc.reference_text()
        assert "\ufb01" in raw and "\ufb01" not in ref and "\ufb02" not in ref
        assert {"\u201c", "\u2019", "\u2014", "\u00a0", "\u2264", "\u00b1", "\u00d7", "\u00b5", "\u00b0"} & set(ref)
        assert "'" not in ref  # typographic apostrophes throughout
    glyphs = set("".join(x.doc.reference_text() for x in hazards["pdf_glyphs"]))
    assert {"\u201c", "\u201d", "\u2018", "\u2019", "\u2013", "\u2014", "\u00a0", "\u2264", "\u00b1", "\u00d7",
            "\u2248", "\u20ac", "\u2211", "\u221a", "\u2260", "\u2212", "\u2026"} <= glyphs


def test_figures_draw_labels_outside_the_reference_and_captions_inside(hazards: dict) -> None:
    columns = set()
    for x in hazards["pdf_multicolumn_figures"]:
        columns.add(x.doc.layout["columns"])
        figures = [b for b in x.doc.blocks if b.kind == "figure"]
        raw, ref = " ".join(page.get_text() for page in x.pdf), x.doc.reference_text()
        assert len(figures) == 2 and all(b.text in ref for b in figures)
        for b in figures:
            assert all(label in raw for label in b.figure.drawn_labels())
            assert b.figure.unit not in ref and " ".join(b.figure.labels) not in ref
    assert columns == {2, 3}


def test_complex_tables_cover_every_layout(hazards: dict) -> None:
    layouts = set()
    for x in hazards["pdf_complex_tables"]:
        for n, page in enumerate(x.pdf):
            tables = [x.doc.blocks[i].table for i in x.doc.pages[n] if x.doc.blocks[i].table is not None]
            for spec in tables:
                layouts.add(spec.layout)
                words = page.get_text("dict")["blocks"]
                dirs = {tuple(round(v) for v in ln["dir"]) for b in words for ln in b.get("lines", [])}
                if spec.layout == "rotated":
                    assert dirs == {(0, -1)} and len(tables) == 1  # sideways, alone on its page
                lines = [i for d in page.get_drawings() for i in d["items"] if i[0] == "l"]
                vertical = [i for i in lines if abs(i[1].x - i[2].x) < 0.1 and abs(i[1].y - i[2].y) > 1]
                if spec.layout == "borderless" and len(tables) == 1:
                    assert not vertical and not [d for d in page.get_drawings() if d.get("fill")]
    assert layouts == {"grid", "borderless", "rotated"}
    specs = [b.table for x in hazards["pdf_complex_tables"] for b in x.doc.blocks if b.table is not None]
    assert sum(bool(t.spans) for t in specs) >= 3 and any(re.fullmatch(r"\d{1,3}(,\d{3})+\.\d\d", c)
                                                         for t in specs for row in t.cells for c in row)
    wrapped = 0  # multi-line cells: one cell, several drawn lines
    for x in hazards["pdf_complex_tables"]:
        raw = "\n".join(p.get_text() for p in x.pdf)
        cells = [c for b in x.doc.blocks if b.table is not None for row in b.table.cells for c in row if len(c) > 60]
        wrapped += sum(c not in raw.splitlines() and c in norm(raw) for c in cells)
    assert wrapped >= 5


@pytest.mark.parametrize("doc_class", ["pdf_scanned_degraded", "pdf_bad_ocr_layer"])
def test_scans_show_the_reference_and_their_text_layer_does_not(hazards: dict, doc_class: str) -> None:
    dpis = set()
    for x in hazards[doc_class]:
        source = pymupdf.open(stream=render_pdf(x.doc.blocks, x.doc.title)[0], filetype="pdf")
        assert norm("".join(p.get_text() for p in source)) == norm(x.doc.reference_text())  # what the image shows
        assert len(source) == len(x.pdf) == len(x.doc.page_texts())
        profile = x.doc.layout["scan"]
        for page in x.pdf:
            (image,) = page.get_images(full=True)
            dpi = image[2] / (page.rect.width / 72)
            assert abs(dpi - profile["dpi"]) < 1.5, dpi
            dpis.add(profile["dpi"])
        layer = "".join(p.get_text() for p in x.pdf)
        if doc_class == "pdf_scanned_degraded":
            assert layer.strip() == ""
        else:
            assert 0.05 <= cer(x.doc.reference_text(), layer) <= 0.4  # a text layer that misreads the image
            assert {span["type"] for p in x.pdf for span in p.get_texttrace()} == {3}  # render mode 3: invisible
    if doc_class == "pdf_scanned_degraded":
        assert min(dpis) == 150 and max(dpis) == 300
        profiles = [x.doc.layout["scan"] for x in hazards[doc_class]]
        assert max(p["skew"] for p in profiles) >= 3 and min(p["paper"] - p["ink"] for p in profiles) <= 90


def test_hazard_documents_are_no_near_duplicates_of_other_documents(hazards: dict) -> None:
    """The dedup stage must keep every hazard document: none resembles another document of the
    sample (word pairs, Jaccard) beyond MAX_RESEMBLANCE (the dedup stage merges from 0.5)."""
    from rag_eval_assets.sample.hazards import MAX_RESEMBLANCE

    def pairs(text: str) -> set[tuple[str, str]]:
        words = re.findall(r"\w+", text.lower())
        return set(zip(words, words[1:]))

    everyone = [(d.doc_id, pairs(d.reference_text())) for d in plan_corpus(0)]
    for items in hazards.values():
        for x in items:
            mine = pairs(x.doc.reference_text())
            worst = max(len(mine & other) / len(mine | other) for doc_id, other in everyone if doc_id != x.doc.doc_id)
            assert worst <= MAX_RESEMBLANCE + 0.02, (x.doc.relpath, worst)  # + footnotes, compounds, glyph lines
