"""Plan the corpus: which documents exist, their metadata, content, facts and PII (no rendering)."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from functools import partial

from rag_eval_assets.sample.bank_en import PRODUCT_TEXT
from rag_eval_assets.sample.catalog import (
    PRODUCT_NAMES,
    PRODUCT_VERSIONS,
    PRODUCTS,
    TENANTS,
    is_current,
)
from rag_eval_assets.sample.compose import (
    english_blocks,
    foreign_blocks,
    generic_sections,
    localize_doc,
)
from rag_eval_assets.sample.facts import FactRegistry
from rag_eval_assets.sample.hazards import BUILDERS as HAZARD_BUILDERS
from rag_eval_assets.sample.hazards import HAZARD_COUNTS
from rag_eval_assets.sample.html_page import ARTICLE_TITLES, compose_page
from rag_eval_assets.sample.languages import all_languages
from rag_eval_assets.sample.langtext import GENERIC_ATTRS, LangText
from rag_eval_assets.sample.model import Block, Doc, para
from rag_eval_assets.sample.neardup import heavy_edit, light_edit
from rag_eval_assets.sample.pii import pii_text
from rag_eval_assets.sample.queries import build_queries
from rag_eval_assets.sample.tables import KINDS, make_table

EXT = {
    "pdf_single_column": "pdf", "pdf_two_column": "pdf", "pdf_tables": "pdf", "pdf_scanned": "pdf",
    "html_article": "html", "docx_report": "docx", "text_multilingual": "md", "text_near_duplicate": "md",
    "text_pii": "txt", **dict.fromkeys(HAZARD_COUNTS, "pdf"),
}
# Base sample: documents per class (near-duplicates: families of five documents); the parse-hazard
# classes come last so that the documents before them (and the queries) stay as they were.
BASE_COUNTS = {
    "pdf_single_column": 10, "pdf_two_column": 8, "pdf_tables": 8, "pdf_scanned": 8, "html_article": 10,
    "docx_report": 6, "text_multilingual": 14, "text_near_duplicate": 30, "text_pii": 10, **HAZARD_COUNTS,
}
FAMILY_SIZE = 5
# Classes that grow with ``size`` (the scans and the parse-hazard classes stay at their base count).
EXTRA_CLASSES = ("pdf_single_column", "pdf_two_column", "pdf_tables", "html_article", "docx_report",
                 "text_multilingual", "text_near_duplicate", "text_pii")
# (language, locale, second language of a mixed document or None), one row per multilingual document.
MULTILINGUAL = (
    ("de", "de-DE", None), ("de", "de-AT", "en"), ("fr", "fr-FR", None), ("fr", "fr-CA", "en"),
    ("es", "es-ES", None), ("es", "es-MX", None), ("it", "it-IT", None), ("pt", "pt-PT", None),
    ("pt", "pt-BR", None), ("ru", "ru-RU", None), ("ru", "ru-RU", None), ("el", "el-GR", None),
    ("el", "el-GR", None), ("en", "en-GB", None),
)
TWO_COLUMN_TITLES = ("{product} {version} Technical Bulletin", "{product} {version} Release Notes",
                     "{product} {version} Service Description")
REPORT_TITLES = ("{product} {version} Quarterly Service Review", "{product} {version} Capacity Report",
                 "{product} {version} Operations Report")


def slugify(text: str) -> str:
    """ASCII file stem: accents stripped, anything else non-alphanumeric becomes a dash."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class Planner:
    """Builds documents class by class; every random choice comes from a per-document seeded RNG."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.registry = FactRegistry(seed)
        self.langs: dict[str, LangText] = all_languages()
        self.paths: set[str] = set()
        self.planned: list[Doc] = []  # every document planned so far, in order
        self.builders: dict[str, Callable[[int, bool], list[Doc]]] = {
            "pdf_single_column": self.single_column, "pdf_two_column": self.two_column, "pdf_tables": self.tables,
            "pdf_scanned": self.scanned, "html_article": self.html_article, "docx_report": self.docx_report,
            "text_multilingual": self.multilingual, "text_near_duplicate": self.near_duplicate_family,
            "text_pii": self.pii_doc,
            **{cls: partial(build, self) for cls, build in HAZARD_BUILDERS.items()},
        }

    # -- helpers ---------------------------------------------------------------------------
    def rng(self, *key: object) -> random.Random:
        return random.Random(":".join(map(str, (self.seed, *key))))

    def product_version(self, rng: random.Random, doc_class: str, i: int) -> tuple[str, str]:
        product = PRODUCTS[(i + 3 * list(EXT).index(doc_class)) % len(PRODUCTS)]
        versions = PRODUCT_VERSIONS[product]
        version = versions[-1] if rng.random() < 0.55 else rng.choice(versions[:-1])
        return product, version

    def meta(self, rng: random.Random, product: str, version: str, locale: str) -> dict:
        return {"tenant": rng.choice(TENANTS), "locale": locale, "product": product, "version": version,
                "current": is_current(product, version), "permitted": rng.random() < 0.85}

    def relpath(self, doc_class: str, stem: str, base: bool, i: int) -> str:
        stem = slugify(stem) if base else f"{slugify(stem)}-{i:05d}"
        path, n = f"{doc_class}/{stem}.{EXT[doc_class]}", 2
        while path in self.paths:
            path, n = f"{doc_class}/{stem}-{n}.{EXT[doc_class]}", n + 1
        self.paths.add(path)
        return path

    @staticmethod
    def title(rng: random.Random, templates: tuple[str, ...], product: str, version: str) -> str:
        return rng.choice(templates).format(product=PRODUCT_NAMES[product], version=version)

    def english(self, doc_class: str, i: int, base: bool, titles: tuple[str, ...], n_facts: int,
                **compose: object) -> tuple[Doc, random.Random]:
        """An English product document of ``doc_class`` (blocks localized for en-US/en-GB)."""
        rng = self.rng(doc_class, i)
        product, version = self.product_version(rng, doc_class, i)
        locale = "en-US" if rng.random() < 0.7 else "en-GB"
        en = self.langs["en"]
        facts = self.registry.draw(rng, en, product, version, n_facts, base)
        title = self.title(rng, titles, product, version)
        blocks = english_blocks(rng, en, product, version, title, facts, **compose)
        blocks, facts = localize_doc(blocks, facts, locale)
        procedure = next((b.text for b in blocks if b.kind == "heading" and _is_procedure(product, b.text)), None)
        doc = Doc(self.relpath(doc_class, title, base, i), doc_class, self.meta(rng, product, version, locale),
                  title, "en", blocks, facts, procedure=procedure, base=base)
        return doc, rng

    def add_tables(self, doc: Doc, rng: random.Random, n_tables: int) -> None:
        """Insert captioned tables before randomly chosen section headings."""
        product, version = doc.meta["product"], doc.meta["version"]
        heads = [i for i, b in enumerate(doc.blocks) if b.kind == "heading" and i > 0] + [len(doc.blocks)]
        spots = sorted(rng.sample(heads, min(n_tables, len(heads))))
        for number, (spot, kind) in reversed(list(enumerate(zip(spots, rng.sample(KINDS, len(spots))), 1))):
            spec, caption, facts = make_table(rng, self.registry, product, version, kind, number, doc.base)
            doc.blocks[spot:spot] = [para(caption, "en"), Block("table", table=spec)]
            doc.facts += facts

    # -- one builder per document class ------------------------------------------------------
    def single_column(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("sc-shape", i)
        doc, _ = self.english("pdf_single_column", i, base, self.langs["en"].titles, rng0.randint(2, 3),
                              n_generic=rng0.randint(1, 4), procedure=base and rng0.random() < 0.6)
        return [doc]

    def two_column(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("tc-shape", i)
        doc, _ = self.english("pdf_two_column", i, base, TWO_COLUMN_TITLES, rng0.randint(2, 3),
                              n_generic=rng0.randint(2, 4), procedure=base and rng0.random() < 0.5)
        return [doc]

    def tables(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("tb-shape", i)
        doc, rng = self.english("pdf_tables", i, base, self.langs["en"].titles, 1,
                                n_generic=rng0.randint(1, 2), lists=False, troubleshooting=rng0.random() < 0.5)
        self.add_tables(doc, rng, rng0.randint(1, 3))
        return [doc]

    def scanned(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("sn-shape", i)
        doc, _ = self.english("pdf_scanned", i, base, self.langs["en"].titles, 2, n_generic=rng0.randint(0, 4),
                              procedure=base and rng0.random() < 0.5, troubleshooting=rng0.random() < 0.5)
        return [doc]

    def html_article(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("ht-shape", i)
        doc, rng = self.english("html_article", i, base, ARTICLE_TITLES, rng0.randint(2, 3),
                                n_generic=rng0.randint(1, 3), procedure=base and rng0.random() < 0.5)
        doc.html = compose_page(rng, doc.meta["product"], doc.meta["locale"], doc.title, doc.blocks)
        return [doc]

    def docx_report(self, i: int, base: bool) -> list[Doc]:
        rng0 = self.rng("dx-shape", i)
        doc, rng = self.english("docx_report", i, base, REPORT_TITLES, 2, n_generic=rng0.randint(1, 3), lists=False)
        self.add_tables(doc, rng, 1)
        return [doc]

    def multilingual(self, i: int, base: bool) -> list[Doc]:
        lang, locale, second = MULTILINGUAL[i % len(MULTILINGUAL)]
        rng = self.rng("text_multilingual", i)
        product, version = self.product_version(rng, "text_multilingual", i)
        versions = sorted(PRODUCT_VERSIONS[product], key=lambda v: v != version)
        version = next((v for v in versions if sum(self.registry.usable(product, v, a, base)
                                                    for a in GENERIC_ATTRS) >= 2), version)
        lt = self.langs[lang]
        facts = self.registry.draw(rng, lt, product, version, 2, base, generic_only=True)
        title = self.title(rng, lt.titles, product, version)
        if lang == "en":
            blocks = english_blocks(rng, lt, product, version, title, facts, n_generic=2, lists=False)
        else:
            blocks = foreign_blocks(rng, lt, product, version, title, facts, n_extra=2)
        if second:
            blocks += generic_sections(rng, self.langs[second], product, version, [], 1, skip=("lifecycle",))
        blocks, facts = localize_doc(blocks, facts, locale)
        return [Doc(self.relpath("text_multilingual", f"{locale} {title}", base, i), "text_multilingual",
                    self.meta(rng, product, version, locale), title, _dominant(blocks), blocks, facts, base=base)]

    def near_duplicate_family(self, i: int, base: bool) -> list[Doc]:
        original, rng = self.english("text_near_duplicate", i, base, self.langs["en"].titles, 3,
                                     n_generic=4, lists=False)
        family = f"fam{i + 1:03d}"
        stem = original.relpath.rsplit("/", 1)[1].rsplit(".", 1)[0]
        light = light_edit(rng, original.blocks, original.facts)
        heavy, heavy_facts = heavy_edit(rng, original.blocks, original.facts)
        variants = [("exact", "copy", original.blocks, original.facts), ("light_edit", "v2", light, original.facts),
                    ("heavy_edit", "rewrite", heavy, heavy_facts)]
        docs = [replace(original, family=family, role="original")]
        for role, suffix, blocks, facts in variants:
            path = f"text_near_duplicate/{stem}-{suffix}.md"
            self.paths.add(path)
            docs.append(replace(original, relpath=path, blocks=list(blocks), facts=list(facts), family=family, role=role))
        used = {s for b in original.blocks for s in re.split(r"(?<=[.!?])\s+", b.text)}
        docs.append(replace(self._same_topic(i, base, original, used), family=family, role="same_topic"))
        return docs

    def _same_topic(self, i: int, base: bool, original: Doc, used: set[str]) -> Doc:
        """Same product, other version and facts, other sections: on topic but not a duplicate."""
        rng = self.rng("same_topic", i)
        product = original.meta["product"]
        version = rng.choice([v for v in PRODUCT_VERSIONS[product] if v != original.meta["version"]])
        locale = original.meta["locale"]
        en = self.langs["en"]
        facts = self.registry.draw(rng, en, product, version, 2, base)
        title = self.title(rng, en.titles, product, version)
        skip = [b.text for b in original.blocks if b.kind == "heading"]
        blocks = english_blocks(rng, en, product, version, title, facts, n_generic=3, lists=False, avoid=used)
        blocks = [b for b in blocks if not (b.kind == "heading" and b.level == 2 and b.text in skip)] or blocks
        blocks, facts = localize_doc(blocks, facts, locale)
        return Doc(self.relpath("text_near_duplicate", title, base, i), "text_near_duplicate",
                   self.meta(rng, product, version, locale), title, "en", blocks, facts, base=base)

    def pii_doc(self, i: int, base: bool) -> list[Doc]:
        rng = self.rng("text_pii", i)
        stem, product, text, spans, issued = pii_text(rng, i, PRODUCT_VERSIONS)
        version = next(v for v in PRODUCT_VERSIONS[product] if f"{PRODUCT_NAMES[product]} {v}" in text)
        title = f"{stem.replace('-', ' ').title()} {i + 1:03d}"
        restricted = {"permitted": False} if stem in ("hr-onboarding", "security-incident") else {}
        return [Doc(self.relpath("text_pii", f"{stem}-{i + 1:03d}", base, i), "text_pii",
                    self.meta(rng, product, version, "en-US") | restricted, title, "en",
                    raw_text=text, pii=spans, pii_issued=issued, base=base)]


def _is_procedure(product: str, heading_text: str) -> bool:
    return PRODUCT_TEXT[product].procedure[0] == heading_text


def _dominant(blocks: list[Block]) -> str:
    sizes: dict[str, int] = {}
    for b in blocks:
        sizes[b.lang] = sizes.get(b.lang, 0) + len(b.text)
    return max(sorted(sizes), key=sizes.__getitem__)


def _allocate(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split ``total`` documents over classes by weight; near-duplicates in whole families."""
    wsum = sum(weights.values())
    out = {c: total * w // wsum for c, w in weights.items()}
    if "text_near_duplicate" in out:
        out["text_near_duplicate"] -= out["text_near_duplicate"] % FAMILY_SIZE
    out["text_pii"] = out.get("text_pii", 0) + total - sum(out.values())
    return out


def plan_corpus(seed: int = 0, size: int | None = None) -> list[Doc]:
    """All documents of the sample: the base sample, then (for ``size``) extra cheap documents."""
    planner = Planner(seed)
    docs = planner.planned
    for doc_class, count in BASE_COUNTS.items():
        step = FAMILY_SIZE if doc_class == "text_near_duplicate" else 1
        for i in range(count // step):
            docs += planner.builders[doc_class](i, True)
    if size is None or size == len(docs):
        return docs
    if size < len(docs):
        return _subset(docs, size)
    for record in build_queries(docs, seed):  # what the golden queries ask stays answered by their qrels only
        for fact in record["facts"]:
            planner.registry.reserve(fact.product, fact.version, fact.attr)
    weights = {c: BASE_COUNTS[c] for c in EXTRA_CLASSES}
    for doc_class, count in _allocate(size - len(docs), weights).items():
        step = FAMILY_SIZE if doc_class == "text_near_duplicate" else 1
        start = BASE_COUNTS[doc_class] // step
        for i in range(start, start + count // step):
            docs += planner.builders[doc_class](i, False)
    return docs


def _subset(docs: list[Doc], size: int) -> list[Doc]:
    """Round-robin over classes (families stay whole) until ``size`` documents are taken."""
    units: dict[str, list[list[Doc]]] = {}
    for d in docs:
        groups = units.setdefault(d.doc_class, [])
        if d.family and groups and groups[-1][0].family == d.family:
            groups[-1].append(d)
        else:
            groups.append([d])
    taken: list[Doc] = []
    while len(taken) < size and any(units.values()):
        for groups in units.values():
            if groups and len(taken) + len(groups[0]) <= size:
                taken += groups.pop(0)
            elif groups and len(groups[0]) > size - len(taken):
                groups.clear()
    keep = {id(d) for d in taken}
    return [d for d in docs if id(d) in keep]
