"""Near-duplicate variants of a document: a light edit and a heavy (paraphrased, reordered) edit."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import replace

from rag_eval_assets.sample.facts import paraphrase
from rag_eval_assets.sample.model import Block, Fact, heading

_SENT = re.compile(r"(?<=[.!?])\s+")

# A few one-word swaps: a light edit changes only a handful of them.
LIGHT_SUBS = {
    "usually": "typically", "often": "frequently", "automatically": "automatically and silently",
    "briefly": "slightly", "most": "many", "every": "each", "also": "even", "cheaper": "less expensive",
    "choose": "select", "open": "go to", "expected": "normal", "appear": "show up",
}
LIGHT_EXTRA = (
    "Contact your account team if you need help planning the change.",
    "The same guidance applies to all projects in the organization.",
)
# Phrase rewrites applied everywhere by a heavy edit (whole-word, case of the first letter kept).
HEAVY_SUBS = {
    "is designed for": "has been built for", "can be": "may be", "usually": "in most cases",
    "should be": "ought to be", "automatically": "without manual work", "requests": "calls",
    "customers": "clients", "shows": "displays", "uses": "relies on", "protect": "safeguard",
    "protects": "shields", "choose": "pick", "select": "pick", "open": "navigate to",
    "the console": "the web console", "available": "on offer", "receive": "get", "keeps": "retains",
    "across": "over", "several": "multiple", "each": "every", "every": "each", "often": "frequently",
    "error": "failure", "errors": "failures", "instance": "server", "instances": "servers", "create": "set up",
    "created": "set up", "removed": "taken out", "allowed": "permitted", "expected": "anticipated",
    "problem": "issue", "show": "display", "contains": "holds", "quickly": "fast", "configured": "set up",
    "monitored": "watched", "recorded": "logged", "enforced": "applied", "replicated": "copied",
    "administrators": "admins", "workload": "application", "workloads": "applications", "important": "significant",
    "documents": "files", "reviewed": "checked", "supported": "available", "collected": "gathered",
}
HEAVY_HEADINGS = {
    "Overview": "In brief", "How it works": "Under the hood", "Architecture": "Design", "Concepts": "Core ideas",
    "Troubleshooting": "When things go wrong", "Common problems": "Frequent issues",
    "Known issues and fixes": "Problems and remedies",
}


def _keep_case(found: str, new: str) -> str:
    return new[0].upper() + new[1:] if found[0].isupper() else new


def _sub(text: str, old: str, new: str, count: int = 0) -> str:
    return re.sub(rf"\b{re.escape(old)}\b", lambda m: _keep_case(m.group(0), new), text, count=count, flags=re.IGNORECASE)


_HEAVY_RE = re.compile(r"\b(" + "|".join(map(re.escape, sorted(HEAVY_SUBS, key=len, reverse=True))) + r")\b", re.IGNORECASE)


def _units(text: str, fact_sentences: set[str]) -> list[tuple[str, bool]]:
    """Sentences of a paragraph as (text, is_fact); a fact statement stays one unit."""
    units: list[tuple[str, bool]] = []
    rest = text
    while rest:
        hits = [(rest.find(f), f) for f in fact_sentences if f in rest]
        if not hits:
            units += [(s, False) for s in _SENT.split(rest) if s]
            break
        pos, fact = min(hits)
        units += [(s, False) for s in _SENT.split(rest[:pos].strip()) if s]
        units.append((fact, True))
        rest = rest[pos + len(fact):].strip()
    return units


def _map_paragraphs(blocks: list[Block], facts: list[Fact], fn: Callable[[list[tuple[str, bool]]], list[str]]) -> list[Block]:
    """Rewrite every paragraph from its sentence units with ``fn(units) -> sentences``."""
    fact_sentences = {f.sentence for f in facts}
    return [replace(b, text=" ".join(fn(_units(b.text, fact_sentences)))) if b.kind == "paragraph" else b
            for b in blocks]


def light_edit(rng: random.Random, blocks: list[Block], facts: list[Fact]) -> list[Block]:
    """Change a few words outside the fact sentences and add one sentence."""
    candidates = [
        (i, word) for i, b in enumerate(blocks) if b.kind == "paragraph"
        for word in LIGHT_SUBS if re.search(rf"\b{word}\b", b.text, re.IGNORECASE)
        and not any(word in f.sentence.lower() for f in facts)
    ]
    out = list(blocks)
    for i, word in rng.sample(candidates, min(4, len(candidates))):
        out[i] = replace(out[i], text=_sub(out[i].text, word, LIGHT_SUBS[word], count=1))
    paragraphs = [i for i, b in enumerate(out) if b.kind == "paragraph"]
    target = paragraphs[rng.randrange(len(paragraphs))]
    out[target] = replace(out[target], text=out[target].text + " " + rng.choice(LIGHT_EXTRA))
    return out


def heavy_edit(rng: random.Random, blocks: list[Block], facts: list[Fact]) -> tuple[list[Block], list[Fact]]:
    """Paraphrase: reorder sections and sentences, rewrite phrases, reword the fact sentences."""
    new_facts = [paraphrase(f) for f in facts]
    reworded = {f.sentence: g.sentence for f, g in zip(facts, new_facts)}

    def rewrite(units: list[tuple[str, bool]]) -> list[str]:
        return [reworded[s] if is_fact else _HEAVY_RE.sub(lambda m: _keep_case(m.group(0), HEAVY_SUBS[m.group(0).lower()]), s)
                for s, is_fact in reversed(units)]

    blocks = _map_paragraphs(blocks, facts, rewrite)
    title, rest = blocks[0], blocks[1:]
    sections: list[list[Block]] = []
    for b in rest:
        if b.kind == "heading" or not sections:
            sections.append([])
        sections[-1].append(b)
    intro, body = sections[0], sections[1:]
    rng.shuffle(body)
    out = [heading(f"{title.text}: a practical summary", 1, title.lang)] + intro
    for section in body:
        head = section[0]
        if head.kind == "heading":
            section = [replace(head, text=HEAVY_HEADINGS.get(head.text, f"Notes on {head.text.lower()}"))] + section[1:]
        out += section
    return out, new_facts
