"""Compose documents (lists of blocks) from the prose banks with seeded choices."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace

from rag_eval_assets.sample.bank_en import PRODUCT_TEXT
from rag_eval_assets.sample.catalog import PRODUCT_NAMES, localize
from rag_eval_assets.sample.langtext import ATTR_SECTION, LangText
from rag_eval_assets.sample.model import Block, Fact, heading, para

BULLET = "\u2022 "
OVERVIEW_HEADINGS = ("Overview", "How it works", "Architecture", "Concepts")
FEATURE_HEADINGS = ("Key capabilities", "Features", "What you get")
TROUBLE_HEADINGS = ("Troubleshooting", "Common problems", "Known issues and fixes")


def pick(rng: random.Random, pool: Sequence[str], k: int, avoid: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """``k`` items of ``pool`` in pool order, preferring items not in ``avoid``."""
    fresh = [s for s in pool if s not in avoid]
    chosen = rng.sample(fresh, min(k, len(fresh)))
    if len(chosen) < k:
        chosen += rng.sample([s for s in pool if s in avoid], min(k - len(chosen), len(pool) - len(fresh)))
    return sorted(chosen, key=pool.index)


def _fill(sentences: list[str], product: str, version: str) -> str:
    return " ".join(s.format(product=PRODUCT_NAMES[product], version=version) for s in sentences)


def generic_sections(rng: random.Random, lt: LangText, product: str, version: str, facts: list[Fact],
                     n_extra: int, avoid: set[str] | frozenset[str] = frozenset(), skip: Sequence[str] = ()) -> list[Block]:
    """Generic sections of ``lt`` (one per generic fact, plus ``n_extra`` more), facts appended."""
    by_section: dict[str, list[Fact]] = {}
    for f in facts:
        if f.attr in ATTR_SECTION:
            by_section.setdefault(ATTR_SECTION[f.attr], []).append(f)
    others = [k for k in lt.sections if k not in by_section and k not in skip]
    keys = list(by_section) + rng.sample(others, min(n_extra, len(others)))
    keys.sort(key=list(lt.sections).index)
    blocks: list[Block] = []
    for key in keys:
        title, pool = lt.sections[key]
        sentences = pick(rng, pool, rng.randint(2, min(4, len(pool))), avoid)
        text = _fill(sentences, product, version)
        text = " ".join([text] + [f.sentence for f in by_section.get(key, [])])
        blocks += [heading(title, 2, lt.code), para(text, lt.code)]
    return blocks


def english_blocks(rng: random.Random, lt: LangText, product: str, version: str, title: str, facts: list[Fact],
                   *, n_generic: int, lists: bool = True, procedure: bool = False, troubleshooting: bool = True,
                   avoid: set[str] | frozenset[str] = frozenset()) -> list[Block]:
    """An English product document: intro, overview (product facts), lists, generic sections."""
    text = PRODUCT_TEXT[product]
    specific = [f for f in facts if f.attr not in ATTR_SECTION]
    blocks = [heading(title, 1, "en")]
    intro = pick(rng, text.intro, 2, avoid) + [lt.intros[rng.randrange(len(lt.intros))]]
    blocks.append(para(_fill(intro, product, version), "en"))
    overview = pick(rng, text.overview, rng.randint(3, 5), avoid)
    cut = rng.randint(1, len(overview) - 1)
    blocks.append(heading(rng.choice(OVERVIEW_HEADINGS), 2, "en"))
    first = " ".join(overview[:cut] + [f.sentence for f in specific[:1]])
    blocks += [para(first, "en"), para(" ".join(overview[cut:] + [f.sentence for f in specific[1:]]), "en")]
    if lists:
        blocks.append(heading(rng.choice(FEATURE_HEADINGS), 2, "en"))
        blocks += [Block("item", f, marker=BULLET, lang="en") for f in pick(rng, text.features, rng.randint(3, 5))]
    blocks += generic_sections(rng, lt, product, version, facts, n_generic, avoid)
    if procedure:
        proc_title, steps = text.procedure
        blocks.append(heading(proc_title, 2, "en"))
        blocks += [Block("item", s, marker=f"{i}. ", lang="en") for i, s in enumerate(steps, 1)]
    if troubleshooting:
        blocks += [heading(rng.choice(TROUBLE_HEADINGS), 2, "en"),
                   para(" ".join(pick(rng, text.troubleshooting, rng.randint(2, 3), avoid)), "en")]
    return blocks


def foreign_blocks(rng: random.Random, lt: LangText, product: str, version: str, title: str | None,
                   facts: list[Fact], n_extra: int) -> list[Block]:
    """A document in a non-English language: intro and generic sections (facts appended)."""
    blocks = [heading(title, 1, lt.code)] if title else []
    frame = lt.product_frame.format(product=PRODUCT_NAMES[product], desc=lt.descs[product])
    blocks.append(para(" ".join([frame, _fill(list(lt.intros), product, version)]), lt.code))
    return blocks + generic_sections(rng, lt, product, version, facts, n_extra)


def localize_doc(blocks: list[Block], facts: list[Fact], locale: str) -> tuple[list[Block], list[Fact]]:
    """Apply regional spelling to every block and fact sentence of a document."""
    out = [replace(b, text=localize(b.text, locale)) if b.table is None else b for b in blocks]
    return out, [replace(f, sentence=localize(f.sentence, locale)) for f in facts]


def contains_sentence(blocks: list[Block], sentence: str) -> bool:
    return any(sentence in b.ref_text for b in blocks)
