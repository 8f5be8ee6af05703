"""Golden retrieval queries (BEIR), graded qrels and metadata-filter predicates."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

from rag_eval_assets.lib.ontology import Ontology
from rag_eval_assets.sample.bank_en import PRODUCT_TEXT
from rag_eval_assets.sample.catalog import PRODUCT_NAMES, TENANTS
from rag_eval_assets.sample.model import Doc, Fact

# Factoid queries per class of the gold document.
QUOTAS = {
    "pdf_single_column": 7, "pdf_two_column": 6, "pdf_tables": 8, "pdf_scanned": 6, "html_article": 8,
    "docx_report": 5, "text_multilingual": 14, "text_near_duplicate": 6,
}
N_PROCEDURAL, N_COMPARISON = 4, 3
OUT_OF_SCOPE = (
    "What is the maximum number of worker nodes in a Meridian Kubernetes Engine cluster?",
    "How do I enable DNSSEC for a zone in Meridian DNS?",
    "What does a managed Kafka broker cost per hour on Meridian Cloud?",
    "Which regions offer quantum computing instances on Meridian Cloud?",
)
NO_ANSWER = "The corpus does not contain this information."
WRONG_KINDS = ("superseded_current", "locale_sibling", "sibling_product", "wrong_tenant")


def _gold_for(key: tuple[str, ...], source: Doc, holders: dict[tuple[str, ...], list[Doc]]) -> dict[str, int]:
    gold = {d.doc_id: 1 for d in holders[key] if d.family and d.family == source.family}
    gold[source.doc_id] = 2
    return gold


def _pick_factoids(rng: random.Random, candidates: list[tuple[Fact, Doc]], quota: int) -> list[tuple[Fact, Doc]]:
    """Spread picks over documents (one fact per document first); table cells take half the quota."""
    rng.shuffle(candidates)
    tables = [c for c in candidates if c[0].attr.startswith("table")]
    prose = [c for c in candidates if not c[0].attr.startswith("table")]
    picked: list[tuple[Fact, Doc]] = []
    for pool, n in ((tables, (quota + 1) // 2 if tables else 0), (prose, quota)):
        seen: set[str] = set()
        for rnd in range(2):
            for fact, doc in pool:
                if len(picked) >= n or (fact, doc) in picked or (rnd == 0 and doc.doc_id in seen):
                    continue
                picked.append((fact, doc))
                seen.add(doc.doc_id)
    return picked[:quota]


def build_queries(docs: list[Doc], seed: int) -> list[dict[str, Any]]:
    """Query records: ``{_id, text, metadata, gold: {doc_id: grade}, facts: [Fact]}`` (gold is
    split off on writing; ``facts`` are the facts a factoid or comparison query asks for)."""
    rng = random.Random(f"{seed}:queries")
    base = [d for d in docs if d.base]
    holders: dict[tuple[str, ...], list[Doc]] = defaultdict(list)
    for d in base:
        for f in d.facts:
            holders[f.key].append(d)
    by_class: dict[str, list[tuple[Fact, Doc]]] = defaultdict(list)
    for d in base:
        if d.role in (None, "original"):
            by_class[d.doc_class] += [(f, d) for f in d.facts]
    records: list[dict[str, Any]] = []

    def add(text: str, answer: str, intent: str, doc: Doc | None, gold: dict[str, int], lang: str = "en",
            facts: tuple[Fact, ...] = ()) -> None:
        meta = {"answer": answer, "intent": intent, "doc_class": doc.doc_class if doc else None, "language": lang}
        records.append({"_id": f"q{len(records) + 1:03d}", "text": text, "metadata": meta, "gold": gold,
                        "facts": list(facts)})

    for doc_class, quota in QUOTAS.items():
        for fact, doc in _pick_factoids(rng, sorted(by_class[doc_class], key=lambda c: (c[1].relpath, c[0].key)), quota):
            add(fact.question, fact.answer, "factoid", doc, _gold_for(fact.key, doc, holders), fact.lang, (fact,))

    by_procedure: dict[str, list[Doc]] = defaultdict(list)
    for d in base:
        if d.procedure and d.role in (None, "original"):
            by_procedure[d.meta["product"]].append(d)
    for product in sorted(by_procedure, key=lambda p: (len(by_procedure[p]), p))[:N_PROCEDURAL]:
        title, steps = PRODUCT_TEXT[product].procedure
        holders_ = by_procedure[product]
        add(f"What are the steps to {title[0].lower()}{title[1:]} in {PRODUCT_NAMES[product]}?", " ".join(steps),
            "procedural", holders_[0], {d.doc_id: 2 for d in holders_})

    numeric = [(f, d) for c in ("pdf_single_column", "pdf_two_column", "html_article", "pdf_scanned")
               for f, d in by_class[c] if isinstance(f.value, int) and f.lang == "en" and not f.key[3]]
    numeric.sort(key=lambda c: (c[0].attr, c[1].relpath))
    pairs = [(a, b) for i, a in enumerate(numeric) for b in numeric[i + 1:]
             if a[0].attr == b[0].attr and a[0].value != b[0].value]
    for (fa, da), (fb, db) in rng.sample(pairs, min(N_COMPARISON, len(pairs))):
        name_a, name_b = f"{PRODUCT_NAMES[fa.product]} {fa.version}", f"{PRODUCT_NAMES[fb.product]} {fb.version}"
        add(f"How does the {fa.label} of {name_a} compare with that of {name_b}?",
            f"{name_a}: {fa.answer}; {name_b}: {fb.answer}", "comparison", da,
            _gold_for(fa.key, da, holders) | _gold_for(fb.key, db, holders), facts=(fa, fb))
    for text in OUT_OF_SCOPE:
        add(text, NO_ANSWER, "out_of_scope", None, {})
    return records


def fact_subject(fact: Fact) -> tuple[str, ...]:
    """What a fact is about: (product, version, attribute) of a prose fact in any region, or the
    cell of a named table (a table's region is in its name and in the question)."""
    if fact.attr.startswith("table"):
        return fact.product, fact.version, fact.key[2], fact.key[3]
    return fact.product, fact.version, fact.attr


def stray_answers(docs: list[Doc], records: list[dict[str, Any]], same_value: bool = True) -> dict[str, list[str]]:
    """Query id -> documents outside its qrels that state a fact the query asks for (its
    subject with the same value; with ``same_value=False`` any value, i.e. regional variants
    too), from the generator's own fact records. Empty when the qrels are complete."""
    stating: dict[tuple[str, ...], list[tuple[Doc, Fact]]] = defaultdict(list)
    for d in docs:
        for f in d.facts:
            stating[fact_subject(f)].append((d, f))
    out: dict[str, list[str]] = {}
    for r in records:
        found = {d.doc_id for f in r.get("facts", ()) for d, g in stating[fact_subject(f)]
                 if d.doc_id not in r["gold"] and (not same_value or g.value == f.value)}
        if found:
            out[r["_id"]] = sorted(found)
    return out


# -- filters -------------------------------------------------------------------------------------
def _common(ontology: Ontology, field: str, values: list[str], rng: random.Random) -> str | list[str]:
    """A tree value admitting all ``values``: a shared node or ancestor, else the list of values."""
    tree = ontology.tree(field)
    shared = set(tree.ancestors(values[0]))
    for v in values[1:]:
        shared &= set(tree.ancestors(v))
    options = sorted(shared, key=lambda n: (tree.depth(n), n))
    return rng.choice(options) if options else sorted(set(values))


def correct_predicate(ontology: Ontology, gold: list[dict[str, Any]], rng: random.Random) -> dict[str, Any]:
    tenants = sorted({g["tenant"] for g in gold})
    pred: dict[str, Any] = {"tenant": tenants[0] if len(tenants) == 1 else tenants}
    for field in rng.sample(["locale", "product", "version", "current"], rng.randint(1, 2)):
        if field == "current":
            if len({g["current"] for g in gold}) == 1:
                pred["current"] = gold[0]["current"]
        else:
            pred[field] = _common(ontology, field, [g[field] for g in gold], rng)
    return pred


def _siblings(ontology: Ontology, field: str, node: str) -> list[str]:
    tree = ontology.tree(field)
    parent = tree.parents[node]
    return sorted(n for n in tree.children(parent) if n != node) if parent else []


def wrong_predicate(ontology: Ontology, kind: str, correct: dict[str, Any], gold: list[dict[str, Any]],
                    rng: random.Random) -> dict[str, Any] | None:
    """A predicate that excludes every gold document, or None when ``kind`` does not apply."""
    same = {f: {g[f] for g in gold} for f in ("tenant", "locale", "product", "current")}
    pred = dict(correct)
    if kind == "superseded_current" and same["current"] == {False}:
        pred["current"] = True
    elif kind == "locale_sibling" and len(same["locale"]) == 1:
        options = _siblings(ontology, "locale", gold[0]["locale"])
        if not options:
            return None
        pred["locale"] = "en-US" if gold[0]["locale"] == "en-GB" else rng.choice(options)
    elif kind == "sibling_product" and len(same["product"]) == 1:
        pred["product"] = rng.choice(_siblings(ontology, "product", gold[0]["product"]))
    elif kind == "wrong_tenant" and len(same["tenant"]) == 1:
        pred["tenant"] = rng.choice([t for t in TENANTS if t != gold[0]["tenant"]])
    else:
        return None
    return pred if not any(ontology.matches(pred, g) for g in gold) else None


def build_filters(ontology: Ontology, records: list[dict[str, Any]], docs: list[Doc], seed: int) -> list[dict[str, Any]]:
    """One predicate per query; about a quarter deliberately exclude the gold documents."""
    rng = random.Random(f"{seed}:filters")
    fields = {d.doc_id: d.metadata() for d in docs}
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        gold = [fields[i] for i in sorted(r["gold"])]
        pred = correct_predicate(ontology, gold, rng) if gold else {"tenant": rng.choice(TENANTS)}
        assert all(ontology.matches(pred, g) for g in gold), (r["_id"], pred)
        out[r["_id"]] = {"query_id": r["_id"], "predicate": pred, "correct": True, "correct_predicate": pred}
    answerable = [r for r in records if r["gold"]]
    rng.shuffle(answerable)
    n_wrong, chosen = round(0.25 * len(records)), set()
    while len(chosen) < n_wrong:
        progress = False
        for kind in WRONG_KINDS:
            for r in answerable:
                if r["_id"] in chosen or len(chosen) >= n_wrong:
                    continue
                gold = [fields[i] for i in sorted(r["gold"])]
                wrong = wrong_predicate(ontology, kind, out[r["_id"]]["predicate"], gold, rng)
                if wrong is not None:
                    out[r["_id"]] |= {"predicate": wrong, "correct": False, "wrong_kind": kind}
                    chosen.add(r["_id"])
                    progress = True
                    break
        if not progress:
            break
    return [out[r["_id"]] for r in records]
