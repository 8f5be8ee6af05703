"""Online-retrieval metrics: RRF fusion (pinned seed, brute force, ranx), metadata-filter metrics
(pinned seed, hierarchy, predicate scores, hard vs soft) and ontology-aware classification."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from rag_eval_assets.lib.metrics.filters import (
    clause_outcomes,
    excluded_queries,
    false_exclusion_rate,
    filter_survivors,
    hard_vs_soft,
    predicate_scores,
    soft_boost,
    survivor_recall_at_k,
)
from rag_eval_assets.lib.metrics.fusion import rrf, weighted_rrf
from rag_eval_assets.lib.metrics.ontology import (
    confusion_kind,
    confusion_rates,
    hierarchical_prf,
    lowest_common_ancestor,
    mean_wu_palmer,
    wu_palmer,
)
from rag_eval_assets.lib.ontology import Ontology, OntologyError

SEEDS = Path(__file__).resolve().parents[1] / ".." / "shared" / "seed_examples"


def _seed(name: str) -> dict:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed example {path} is absent")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def onto() -> Ontology:
    return Ontology.load()


# --- fusion ----------------------------------------------------------------------------------

def test_rrf_seed_example_top3() -> None:
    seed = _seed("rrf.json")
    fused = rrf(list(seed["lanes"].values()), k=seed["k"])
    got = [[doc, round(score, seed["rounding"])] for doc, score in fused[:3]]
    assert got == seed["expected_top3"] == [["d3", 0.03252], ["d2", 0.03178], ["d1", 0.0315]]


def test_rrf_repeated_id_counts_at_first_position_and_ties_are_deterministic() -> None:
    assert rrf([["a", "b", "a"]], k=1) == [("a", 0.5), ("b", 1 / 3)]
    # equal scores (ranks {1, 3} each): the order does not depend on lane order; then id
    assert [d for d, _ in rrf([["x", "z", "y"], ["y", "z", "x"]])] == ["x", "y", "z"]
    assert [d for d, _ in rrf([["y", "z", "x"], ["x", "z", "y"]])] == ["x", "y", "z"]
    # equal scores, different best rank: ranks (2, 2) vs (1, 4) with k=2 -> 1/4+1/4 == 1/3+1/6
    fused = rrf([["b", "a", "c", "x"], ["p", "a", "q", "b"]], k=2)
    assert dict(fused)["a"] == dict(fused)["b"] == 0.5
    assert [d for d, _ in fused[:2]] == ["b", "a"]
    assert rrf([]) == [] and rrf([[], []]) == []


@pytest.mark.parametrize("k", [0, -1, float("nan")])
def test_rrf_rejects_non_positive_k(k: float) -> None:
    with pytest.raises(ValueError, match="k must be > 0"):
        rrf([["a"]], k=k)


def test_weighted_rrf() -> None:
    fused = dict(weighted_rrf([["a", "b"], ["b"]], [2.0, 0.5], k=10))
    assert fused == pytest.approx({"a": 2 / 11, "b": 2 / 12 + 0.5 / 11})
    assert weighted_rrf([["a"], ["b"]], [1.0, 1.0]) == rrf([["a"], ["b"]])
    with pytest.raises(ValueError, match="one weight per lane"):
        weighted_rrf([["a"]], [1.0, 1.0])
    with pytest.raises(ValueError, match=">= 0"):
        weighted_rrf([["a"]], [-1.0])


def _random_lanes(rng: random.Random, n_lanes: int, duplicates: bool) -> list[list[str]]:
    docs = [f"d{i}" for i in range(12)]
    lanes = [rng.sample(docs, rng.randint(1, 10)) for _ in range(n_lanes)]
    if duplicates:
        lanes = [lane + rng.sample(lane, rng.randint(0, len(lane))) for lane in lanes]
    return lanes


def test_rrf_equals_brute_force_on_random_lanes() -> None:
    rng = random.Random(7)
    for _ in range(300):
        lanes, k = _random_lanes(rng, rng.randint(1, 4), duplicates=True), rng.choice([1, 5, 60])
        expected: dict[str, float] = {}
        for lane in lanes:
            for rank, doc in enumerate(lane, start=1):
                if doc not in lane[:rank - 1]:
                    expected[doc] = expected.get(doc, 0.0) + 1 / (k + rank)
        fused = rrf(lanes, k)
        assert dict(fused) == pytest.approx(expected, rel=1e-12)
        scores = [s for _, s in fused]
        assert scores == sorted(scores, reverse=True)


def test_rrf_equals_ranx() -> None:
    ranx = pytest.importorskip("ranx")
    rng = random.Random(11)
    n_lanes, queries = 3, [f"q{i}" for i in range(60)]
    lanes = {q: _random_lanes(rng, n_lanes, duplicates=False) for q in queries}
    runs = [ranx.Run({q: {d: float(len(lanes[q][i]) - r) for r, d in enumerate(lanes[q][i])} for q in queries})
            for i in range(n_lanes)]
    theirs = ranx.fuse(runs=runs, method="rrf", params={"k": 60}).to_dict()
    for q in queries:
        assert dict(rrf(lanes[q], k=60)) == pytest.approx(theirs[q], rel=1e-12)


# --- metadata filters ------------------------------------------------------------------------

def _filter_seed() -> tuple[dict, dict[str, set[str]], dict[str, dict], dict[str, dict]]:
    seed = _seed("filter_false_exclusion.json")
    gold = {q["qid"]: set(q["gold"]) for q in seed["queries"]}
    predicates = {q["qid"]: q["filter"] for q in seed["queries"]}
    docs = {d["id"]: {f: v for f, v in d.items() if f != "id"} for d in seed["docs"]}
    return seed, gold, predicates, docs


def test_filter_seed_example(onto: Ontology) -> None:
    seed, gold, predicates, docs = _filter_seed()
    survivors = filter_survivors(predicates, docs, onto)
    assert survivors == {"q1": {"d1", "d3", "d4"}, "q2": {"d1", "d2", "d4", "d5"},
                         "q3": {"d1", "d2", "d4", "d5"}, "q4": {"d5"}}
    assert false_exclusion_rate(gold, survivors) == seed["expected"]["false_exclusion_rate"] == 0.5
    assert excluded_queries(gold, survivors) == seed["expected"]["excluded"] == ["q1", "q3"]
    for order in (sorted(docs), sorted(docs, reverse=True)):
        rankings = {q: order for q in gold}
        assert survivor_recall_at_k(rankings, gold, survivors, 10) == seed["expected"]["naive_survivor_recall_at_10"]


def test_filter_is_hierarchy_aware(onto: Ontology) -> None:
    _, gold, predicates, docs = _filter_seed()
    broadened = {**predicates, "q1": {"locale": "en"}}  # `en` admits the gold doc's en-GB
    survivors = filter_survivors(broadened, docs, onto)
    assert survivors["q1"] == {"d1", "d2", "d3", "d4"}
    assert excluded_queries(gold, survivors) == ["q3"]
    assert false_exclusion_rate(gold, survivors) == 0.25
    # a list value is any-of, each value hierarchy-aware
    assert filter_survivors({"q": {"locale": ["de", "en-GB"]}}, docs, onto) == {"q": {"d2", "d5"}}


def test_filter_edge_cases() -> None:
    assert false_exclusion_rate({"q": set()}, {}) == 0.0  # no query with gold
    assert survivor_recall_at_k({}, {}, {}, 10) == 0.0
    assert survivor_recall_at_k({}, {"q": {"d"}}, {"q": {"d"}}, 10) == 0.0  # no ranking
    with pytest.raises(KeyError, match="no survivor set"):
        false_exclusion_rate({"q": {"d"}}, {})


def test_predicate_scores_hand_computed(onto: Ontology) -> None:
    correct = {"q1": {"tenant": "acme", "locale": "en-GB"}, "q2": {"tenant": "globex"},
               "q3": {"locale": ["de-DE", "de-AT"]}, "q4": {"locale": "de"}}
    predicted = {"q1": {"tenant": "acme", "locale": "en"}, "q2": {"tenant": "globex"},
                 "q3": {"locale": "de-DE", "current": True}, "q4": {"locale": "de-CH"}}
    # clauses: predicted 2+1+2+1 = 6, correct 2+1+2+1 = 6, shared: acme, globex, de-DE = 3
    scores = predicate_scores(predicted, correct)
    assert (scores.precision, scores.recall, scores.f1) == (0.5, 0.5, 0.5)
    assert (scores.exact_match, scores.n_queries) == (0.25, 4)
    # a query missing from `predicted` predicts nothing: recall drops, precision does not
    partial = predicate_scores({"q2": {"tenant": "globex"}}, correct)
    assert (partial.precision, partial.recall, partial.exact_match) == (1.0, 1 / 6, 0.25)
    # hierarchy: en for en-GB is too broad, de-CH for de too narrow, current=True wrong;
    # correct clauses the predicted filter keeps: acme, en-GB (via en), globex, de-DE = 4 of 6
    outcomes = clause_outcomes(predicted, correct, onto)
    assert (outcomes.exact, outcomes.too_broad, outcomes.too_narrow, outcomes.wrong) == (0.5, 1 / 6, 1 / 6, 1 / 6)
    assert outcomes.admitted_recall == pytest.approx(4 / 6)
    with pytest.raises(OntologyError, match="unknown field"):
        clause_outcomes({"q": {"colour": "red"}}, {"q": {"colour": "blue"}}, onto)


def test_soft_boost_reorders_without_dropping() -> None:
    assert soft_boost(["a", "b", "c", "b"], {"c"}) == ["c", "a", "b"]  # 2/63 > 1/61 > 1/62
    assert soft_boost(["a", "b", "c"], {"c"}, boost=0.01) == ["a", "b", "c"]  # 1.01/63 < 1/62


def test_hard_vs_soft_decision(onto: Ontology) -> None:
    docs = {"a1": {"tenant": "acme", "locale": "en-US"}, "a2": {"tenant": "acme", "locale": "en-GB"},
            "g1": {"tenant": "globex", "locale": "en-US"}, "g2": {"tenant": "globex", "locale": "en-US"},
            "a3": {"tenant": "acme", "locale": "de-DE"}}
    gold = {"q1": {"a1"}, "q2": {"a3"}, "q3": set()}
    predicates = {q: {"tenant": "acme", "locale": "en"} for q in gold}  # q2's gold is de-DE
    rankings = {"q1": ["g1", "g2", "a2", "a1"], "q2": ["g2", "a3", "g1", "a2"], "q3": ["a1"]}
    rows = {r.field: r for r in hard_vs_soft(rankings, gold, predicates, docs, onto, k=2, boost=0.01)}
    assert list(rows) == ["locale", "tenant"]

    # tenant never drops gold; hard: q1 [a2, a1], q2 [a3, a2]; the small boost leaves q1 as is
    # and q2 as [g2, a3, ...]: P@2 0.5 vs 0.25, recall 1.0 vs 0.5
    tenant = rows["tenant"]
    assert (tenant.decision, tenant.n_queries, tenant.k) == ("hard", 2, 2)
    assert (tenant.hard.false_exclusion, tenant.hard.precision, tenant.hard.recall) == (0.0, 0.5, 1.0)
    assert (tenant.soft.false_exclusion, tenant.soft.precision, tenant.soft.recall) == (0.0, 0.25, 0.5)
    assert tenant.hard.ndcg == pytest.approx((1 / 1.584962500721156 + 1) / 2)
    assert tenant.soft.ndcg == pytest.approx(1 / 1.584962500721156 / 2)
    assert tenant.reason == "hard false exclusion 0.0% < 1.0% and precision@2 0.500 > soft 0.250"

    # locale `en` drops q2's only gold doc (de-DE): soft, whatever the precision
    locale = rows["locale"]
    assert (locale.decision, locale.hard.false_exclusion, locale.soft.false_exclusion) == ("soft", 0.5, 0.0)
    assert (locale.hard.recall, locale.soft.recall) == (0.0, 0.5)
    assert locale.reason == "hard filter excludes all gold for 50.0% of queries (>= 1.0%)"

    # with the default boost (x2) soft lifts the acme docs to the top: no precision to gain
    default = {r.field: r for r in hard_vs_soft(rankings, gold, predicates, docs, onto, k=2)}["tenant"]
    assert (default.decision, default.hard.precision, default.soft.precision) == ("soft", 0.5, 0.5)
    assert default.reason == "hard precision@2 0.500 is not above soft 0.500"


# --- ontology-aware classification -----------------------------------------------------------

def test_wu_palmer_hand_computed(onto: Ontology) -> None:
    doc_class, locale, product = onto.tree("doc_class"), onto.tree("locale"), onto.tree("product")
    # document(1) > pdf(2) > born_digital(3) > pdf_single_column / pdf_two_column(4)
    assert wu_palmer("pdf_single_column", "pdf_two_column", doc_class) == 2 * 3 / (4 + 4) == 0.75
    assert wu_palmer("pdf_single_column", "pdf_scanned", doc_class) == 2 * 2 / (4 + 3)
    assert wu_palmer("html_article", "html_article", doc_class) == 1.0
    assert wu_palmer("en-US", "en", locale) == 2 * 1 / (2 + 1)
    assert wu_palmer("en-US", "de-DE", locale) == 0.0  # different trees of the forest
    assert lowest_common_ancestor("en-US", "de-DE", locale) is None
    assert wu_palmer("serverless", "object_storage", product) == 2 * 1 / (3 + 3)
    assert wu_palmer("sso", "invoicing", product) == 2 * 1 / (3 + 3)
    pairs = [("pdf_single_column", "pdf_two_column"), ("html_article", "html_article"), (None, "pdf_tables")]
    assert mean_wu_palmer(pairs, doc_class) == pytest.approx((0.75 + 1.0 + 0.0) / 3)
    assert mean_wu_palmer([], doc_class) == 0.0
    with pytest.raises(OntologyError, match="unknown node"):
        wu_palmer("pdf", "nope", doc_class)


def test_hierarchical_prf_hand_computed(onto: Ontology) -> None:
    doc_class = onto.tree("doc_class")
    pairs = [
        ("pdf_single_column", "pdf_two_column"),  # |P|=4 |G|=4 overlap {born_digital, pdf, document}=3
        ("pdf", "pdf_scanned"),  # too general: |P|=2 |G|=3 overlap 2
        (None, "html_article"),  # no prediction: |P|=0 |G|=3 overlap 0
    ]
    hp, hr, hf = hierarchical_prf(pairs, doc_class)
    assert hp == pytest.approx(5 / 6) and hr == pytest.approx(5 / 10) and hf == pytest.approx(0.625)
    assert hierarchical_prf([("en-US", "de-DE")], onto.tree("locale")) == (0.0, 0.0, 0.0)  # no virtual root
    assert hierarchical_prf([("sso", "sso")], onto.tree("product")) == (1.0, 1.0, 1.0)
    assert hierarchical_prf([], doc_class) == (0.0, 0.0, 0.0)


def test_confusion_rates_hand_computed(onto: Ontology) -> None:
    product = onto.tree("product")
    pairs = [("sso", "sso"), ("invoicing", "invoicing"),  # exact
             ("identity", "sso"), ("platform", "load_balancer"),  # parent (too general)
             ("payments", "billing"),  # descendant (too specific)
             ("serverless", "virtual_machines"),  # sibling
             ("load_balancer", "sso"), (None, "sso")]  # other
    rates = confusion_rates(pairs, product)
    assert rates == {"exact": 0.25, "parent": 0.25, "descendant": 0.125, "sibling": 0.125, "other": 0.25}
    assert sum(rates.values()) == 1.0
    assert confusion_kind("en", "de", onto.tree("locale")) == "other"  # roots are not siblings
    assert confusion_kind("de-AT", "de-DE", onto.tree("locale")) == "sibling"
    assert set(confusion_rates([], product).values()) == {0.0}
