"""Plans of the parse-hazard PDF classes: one hazard each, on top of an English product document.

| class | hazard | rendered by |
|---|---|---|
| pdf_headers_footers | running header, footer and page number on every page | typeset |
| pdf_footnotes | superscript marks and footnotes at the foot of the page | typeset |
| pdf_hyphenation | justified text, words hyphenated at line ends (compounds at their hyphen) | typeset |
| pdf_glyphs | ﬁ/ﬂ ligature characters, typographic quotes, dashes, NBSP, math symbols | typeset (Vera) |
| pdf_multicolumn_figures | two justified or three ragged columns, charts with drawn labels, captions | typeset |
| pdf_complex_tables | multi-line and merged cells, decimals, borderless and sideways tables | typeset |
| pdf_scanned_degraded | scans at 150-300 dpi with skew, noise, blur, speckles, low contrast | render_scan |
| pdf_bad_ocr_layer | a page image with an invisible text layer that misreads it | render_scan |

What each contributes to the reference text is written in golden_sets/README.md ("Sample corpus").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from rag_eval_assets.sample.catalog import PRODUCT_NAMES, PRODUCT_VERSIONS
from rag_eval_assets.sample.model import Block, Doc, FigureSpec, para
from rag_eval_assets.sample.tables import layout_table


class Planner(Protocol):
    """What the hazard builders use of ``plan.Planner`` (which imports this module)."""

    planned: list[Doc]

    def rng(self, *key: object) -> random.Random: ...

    def english(self, doc_class: str, i: int, base: bool, titles: tuple[str, ...], n_facts: int,
                **compose: object) -> tuple[Doc, random.Random]: ...

HAZARD_COUNTS = {
    "pdf_headers_footers": 5, "pdf_footnotes": 5, "pdf_hyphenation": 5, "pdf_glyphs": 5,
    "pdf_multicolumn_figures": 5, "pdf_complex_tables": 5, "pdf_scanned_degraded": 5, "pdf_bad_ocr_layer": 4,
}
TITLES = ("{product} {version} Administration Guide", "{product} {version} Operations Handbook",
          "{product} {version} Service Overview", "{product} {version} Planning Guide")
FOOTERS = (("\u00a9 2024 Meridian Cloud Ltd.", "Page {page} of {pages}"), ("Internal use only", "{page}"),
           ("Meridian Cloud documentation", "- {page} -"), ("Revision 7", "{page} / {pages}"))
FOOTNOTES = (
    "Measured over a calendar month, excluding announced maintenance windows.",
    "See the Meridian Cloud service terms, section 4.2, for the full definition.",
    "Figures are rounded to the nearest whole number.",
    "Applies to projects created after the general availability of this version.",
    "Regional endpoints may publish stricter limits; the console shows the values for each project.",
    "Earlier versions are described in the archived documentation.",
    "Contact your account team to request an exception for a single project.",
)
COMPOUNDS = (
    "The multi-region set-up keeps read-after-write consistency for cross-account access and well-known endpoints.",
    "Self-service on-boarding covers role-based access, long-running jobs and fine-grained, per-project quotas.",
    "A zero-downtime roll-out uses blue-green deployments behind a health-checked, load-balanced front-end.",
)
GLYPH_SENTENCES = (  # \u00a0 = no-break space
    "The “standard” tier keeps p99 latency ≤ 25\u00a0ms for 95\u00a0% of requests — measured at the edge.",
    "Throughput scales from 1\u00a0200 to 48\u00a0000 requests per second (±\u00a02.5\u00a0%), i.e. roughly ×40.",
    "Storage costs ≈ €0.045 per GB-month; jitter below 50\u00a0µs is ignored and rates are quoted in ‰.",
    "Hardware in the on-premises gateway runs between 10\u00a0°C and 35\u00a0°C, at ≤ 80\u00a0% humidity.",
    "It’s the customer’s choice whether a project runs in ‘strict’ or ‘relaxed’ mode – the default is strict.",
    "The estimate is cost = ∑ requests × price, with a sampling error of about 1/√n and a bias ≠ 0.",
    "Efficient workflows offload traffic to the fleet’s spare capacity; flexible profiles fit most files.",
    "Versions 2.0–2.1 are supported; version 1.x reached end of life − plan the upgrade…",
)
CHARTS = (("bar", "Monthly API requests (millions)", ("Jan", "Feb", "Mar", "Apr", "May", "Jun")),
          ("line", "p95 latency by hour (ms)", ("00h", "04h", "08h", "12h", "16h", "20h")),
          ("bar", "Storage used per region (TB)", ("eu-c", "eu-w", "us-e", "us-w", "ap-s")))
TABLE_PLANS = ((("changes", "grid"), ("credits", "borderless")), (("regional", "rotated"), ("budget", "borderless")),
               (("changes", "rotated"), ("regional", "borderless")), (("budget", "grid"), ("changes", "borderless")),
               (("regional", "grid"), ("budget", "rotated")))
# Scan profiles of pdf_scanned_degraded: each document stresses something else.
SCANS = (
    {"dpi": 150, "skew": 0.8, "noise": 7.0, "ink": 35, "paper": 235, "blur": 0.0, "speckle": 0.0006, "quality": 40},
    {"dpi": 300, "skew": 3.2, "noise": 4.0, "ink": 25, "paper": 240, "blur": 0.5, "speckle": 0.0, "quality": 40},
    {"dpi": 200, "skew": 1.1, "noise": 6.0, "ink": 120, "paper": 200, "blur": 0.4, "speckle": 0.0, "quality": 40},
    {"dpi": 240, "skew": 2.0, "noise": 10.0, "ink": 60, "paper": 225, "blur": 0.9, "speckle": 0.0015, "quality": 40},
    {"dpi": 150, "skew": 2.6, "noise": 10.0, "ink": 95, "paper": 210, "blur": 0.6, "speckle": 0.001, "quality": 40},
)
_SENTENCE_END = re.compile(r"(?<=\.)(?= [A-Z])")
MAX_RESEMBLANCE = 0.4  # word-pair Jaccard; the dedup stage merges from 0.5


def _shingles(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"\w+", text.lower())
    return set(zip(words, words[1:]))


def _resemblance(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def _english(p: Planner, cls: str, i: int, base: bool, n_facts: int, **compose: object) -> Doc:
    """An English product document without a procedure (procedural queries stay as they are) and
    no near-duplicate of any document planned before it: while its word-pair resemblance to one
    of them exceeds MAX_RESEMBLANCE, its most shared section without a fact is left out."""
    compose = {"procedure": False, **compose}
    doc, _ = p.english(cls, i, base, TITLES, n_facts, **compose)
    others = [_shingles(d.reference_text()) for d in p.planned if d.meta.get("product") == doc.meta["product"]]
    facts = [f.sentence for f in doc.facts]
    while others:
        mine = _shingles(doc.reference_text())
        closest = max(others, key=lambda o: _resemblance(mine, o))
        if _resemblance(mine, closest) <= MAX_RESEMBLANCE:
            break
        sections = [k for k, b in enumerate(doc.blocks[:-1]) if b.kind == "heading" and b.level == 2
                    and doc.blocks[k + 1].kind == "paragraph" and not any(f in doc.blocks[k + 1].text for f in facts)]
        if not sections:
            break
        k = max(sections, key=lambda k: len(_shingles(doc.blocks[k + 1].text) & closest))
        del doc.blocks[k:k + 2]
    return doc


def headers_footers(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_headers_footers", i, base, 2, n_generic=5)
    name = f"{PRODUCT_NAMES[doc.meta['product']]} {doc.meta['version']}"
    header = ((name, "Meridian Cloud documentation"), ("Meridian Cloud", doc.title), (doc.title, "Confidential"))[i % 3]
    doc.layout = {"header": header, "footer": FOOTERS[i % len(FOOTERS)], "size": 11.0}
    return [doc]


def footnotes(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_footnotes", i, base, 2, n_generic=4)
    rng = p.rng("pdf_footnotes-notes", i)
    facts = [f.sentence for f in doc.facts]
    number = rng.choice((1, 1, 11))
    texts = rng.sample(FOOTNOTES, 4)
    candidates = [k for k, b in enumerate(doc.blocks) if b.kind == "paragraph" and _SENTENCE_END.search(b.text)]
    for k in sorted(rng.sample(candidates, min(4, len(candidates)))):
        b = doc.blocks[k]
        ends = [m.start() for m in _SENTENCE_END.finditer(b.text)
                if not any(b.text.find(f) < m.start() < b.text.find(f) + len(f) + 1 for f in facts if f in b.text)]
        if not ends:
            continue
        at, mark = rng.choice(ends), str(number)
        doc.blocks[k] = replace(b, text=b.text[:at] + mark + b.text[at:], notes=((at, at + len(mark), texts.pop()),))
        number += 1
    doc.layout = {"size": 10.5}
    return [doc]


def hyphenation(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_hyphenation", i, base, 2, n_generic=4)
    heads = [k for k, b in enumerate(doc.blocks) if b.kind == "heading" and b.level == 2]
    for n, k in enumerate((heads[-1], heads[0])):  # a paragraph of hyphenated compounds, twice
        doc.blocks.insert(k, para(" ".join(COMPOUNDS[(i + n + j) % len(COMPOUNDS)] for j in (0, 1)), "en"))
    doc.layout = {"justify": True, "hyphenate": True, "size": 11.0, "measure": (300.0, 330.0, 360.0)[i % 3]}
    return [doc]


def _typographic(text: str) -> str:
    return text.replace("'", "\u2019")


def glyphs(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_glyphs", i, base, 2, n_generic=3)
    rng = p.rng("pdf_glyphs-text", i)
    doc.blocks = [replace(b, text=_typographic(b.text)) for b in doc.blocks]
    doc.facts = [replace(f, sentence=_typographic(f.sentence)) for f in doc.facts]
    spots = [k for k, b in enumerate(doc.blocks) if b.kind == "heading" and b.level == 2][1:]
    chosen = [GLYPH_SENTENCES[(4 * i + k) % len(GLYPH_SENTENCES)] for k in range(4)]  # the class writes them all
    for n, k in enumerate(sorted(rng.sample(spots, 2), reverse=True)):
        doc.blocks.insert(k, para(" ".join(chosen[2 * n:2 * n + 2]), "en"))
    doc.layout = {"ligatures": True, "justify": i % 2 == 0, "size": 10.5}
    return [doc]


def multicolumn_figures(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_multicolumn_figures", i, base, 2, n_generic=4)
    rng = p.rng("pdf_multicolumn_figures-charts", i)
    name = f"{PRODUCT_NAMES[doc.meta['product']]} {doc.meta['version']}"
    spots = [k for k, b in enumerate(doc.blocks) if b.kind == "paragraph"][1:]
    for n, k in reversed(list(enumerate(sorted(rng.sample(spots, 2)), 1))):
        kind, unit, labels = CHARTS[(i + n) % len(CHARTS)]
        values = tuple(float(rng.randint(12, 240)) if kind == "bar" else round(rng.uniform(8, 95), 1) for _ in labels)
        caption = f"Figure {n}: {unit.split(' (')[0]} of {name}"
        doc.blocks.insert(k + 1, Block("figure", caption, lang="en", figure=FigureSpec(kind, labels, values, unit)))
    doc.layout = {"columns": 3, "size": 9.5} if i % 2 else {"columns": 2, "justify": True, "size": 10.0}
    return [doc]


def complex_tables(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_complex_tables", i, base, 1, n_generic=2, lists=False)
    rng = p.rng("pdf_complex_tables-tables", i)
    product, version = doc.meta["product"], doc.meta["version"]
    heads = [k for k, b in enumerate(doc.blocks) if b.kind == "heading" and k > 0] + [len(doc.blocks)]
    plan = TABLE_PLANS[i % len(TABLE_PLANS)]
    for number, spot, (kind, layout) in reversed(list(zip((1, 2), sorted(rng.sample(heads, 2)), plan))):
        spec, caption = layout_table(rng, product, PRODUCT_VERSIONS[product], version, kind, layout, number)
        doc.blocks[spot:spot] = [para(caption, "en"), Block("table", table=spec)]
    doc.layout = {"size": 10.5}
    return [doc]


def scanned_degraded(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_scanned_degraded", i, base, 1, n_generic=1, lists=False, troubleshooting=False)
    doc.layout = {"scan": SCANS[i % len(SCANS)]}
    return [doc]


def bad_ocr_layer(p: Planner, i: int, base: bool) -> list[Doc]:
    doc = _english(p, "pdf_bad_ocr_layer", i, base, 2, n_generic=1 + i % 2, lists=False)
    doc.layout = {"scan": {"dpi": (200, 150, 200, 150)[i % 4], "skew": 0.0, "noise": 3.0, "ink": 20, "paper": 245,
                           "blur": 0.0, "speckle": 0.0},
                  "layer_error": (0.25, 0.4, 0.3, 0.5)[i % 4]}
    return [doc]


BUILDERS: dict[str, Callable[[Planner, int, bool], list[Doc]]] = {
    "pdf_headers_footers": headers_footers, "pdf_footnotes": footnotes, "pdf_hyphenation": hyphenation,
    "pdf_glyphs": glyphs, "pdf_multicolumn_figures": multicolumn_figures, "pdf_complex_tables": complex_tables,
    "pdf_scanned_degraded": scanned_degraded, "pdf_bad_ocr_layer": bad_ocr_layer,
}
TYPESET_CLASSES = frozenset(list(BUILDERS)[:6])
