"""Generated truth that stays true at scale: qrels complete at the base size and at ``--size 400``,
one value per fact across the corpus, every PII value the generator writes annotated.

These tests read the generator's own records (``plan_corpus``, ``build_queries``), so they run
without rendering a file."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from rag_eval_assets.lib.goldens.formats import load_pii_annotated
from rag_eval_assets.sample import plan_corpus
from rag_eval_assets.sample.catalog import PRODUCT_NAMES
from rag_eval_assets.sample.pii import unannotated
from rag_eval_assets.sample.queries import build_queries, fact_subject, stray_answers

REPO = Path(__file__).resolve().parents[1]
SIZES = (None, 400)


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: f"size={s or 'base'}")
def corpus(request: pytest.FixtureRequest) -> tuple[list, list]:
    docs = plan_corpus(0, request.param)
    return docs, build_queries(docs, 0)


def test_no_document_outside_the_qrels_states_a_queried_fact(corpus: tuple[list, list]) -> None:
    docs, records = corpus
    asked = [r for r in records if r["facts"]]
    assert len(asked) >= 60 and {r["metadata"]["intent"] for r in asked} == {"factoid", "comparison"}
    assert stray_answers(docs, records) == {}  # the same fact, same value
    assert stray_answers(docs, records, same_value=False) == {}  # nor a regional variant of it


def test_queried_fact_sentences_appear_only_in_qrels_documents(corpus: tuple[list, list]) -> None:
    """The text itself: no document outside a factoid's qrels has a sentence naming the
    product version and the answer (table cells aside: a table is named by its region)."""
    docs, records = corpus
    sentences = {d.doc_id: re.split(r"(?<=[.!?])\s+|\n", d.reference_text()) for d in docs}
    for r in records:
        if r["metadata"]["intent"] != "factoid" or r["facts"][0].attr.startswith("table"):
            continue
        fact = r["facts"][0]
        name = f"{PRODUCT_NAMES[fact.product]} {fact.version}"
        holders = {i for i, ss in sentences.items() if any(name in s and fact.answer in s for s in ss)}
        assert holders <= set(r["gold"]), (r["_id"], sorted(holders - set(r["gold"])))


def test_one_value_per_fact_across_the_corpus(corpus: tuple[list, list]) -> None:
    docs, _ = corpus
    values: dict[tuple, set] = defaultdict(set)
    for d in docs:
        for f in d.facts:
            values[f.key].add(repr(f.value))
    assert all(len(v) == 1 for v in values.values()), [k for k, v in values.items() if len(v) > 1][:5]


def test_extra_documents_leave_queried_subjects_alone() -> None:
    """At --size 400 the extra documents still state facts (regional ones among them), just not
    about what the golden queries ask."""
    docs = plan_corpus(0, 400)
    records = build_queries(docs, 0)
    asked = {fact_subject(f) for r in records for f in r["facts"]}
    extra = [f for d in docs if not d.base for f in d.facts]
    assert len(extra) > 300 and any(f.key[3] for f in extra)
    assert not {fact_subject(f) for f in extra} & asked


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"size={s or 'base'}")
def test_every_pii_value_written_is_annotated(size: int | None) -> None:
    docs = [d for d in plan_corpus(0, size) if d.doc_class == "text_pii"]
    assert docs and all(d.pii_issued for d in docs)
    for d in docs:
        assert unannotated(d.reference_text(), d.pii, d.pii_issued) == [], d.relpath
        persons = {v for e, v in d.pii_issued if e == "PERSON"}
        text = d.reference_text()
        for name in persons:  # each first or last name written alone is a PERSON span of its own
            for m in re.finditer(rf"\b{re.escape(name)}\b", text):
                assert any(s.entity_type in ("PERSON", "EMAIL_ADDRESS") and s.start <= m.start() and m.end() <= s.end
                           for s in d.pii), (d.relpath, name)
    hr = [d for d in docs if "hr-onboarding" in d.relpath]
    assert hr and all(sum(s.entity_type == "PERSON" for s in d.pii) == 3 for d in hr)


def test_committed_sample_declares_its_pii_complete() -> None:
    golden = REPO / "golden_sets" / "sample"
    if not (golden / "pii_annotated.json").exists():
        pytest.skip("golden_sets/sample has not been generated")
    assert json.loads((golden / "pii_annotated.json").read_text()) == ["*"]
    texts = {p.stem: "" for p in (golden / "parse").glob("*.txt")}
    assert load_pii_annotated(golden, texts=texts) == frozenset(texts)
