"""Cleaning metrics (rag_eval_assets.lib.metrics.{boilerplate,language,pii}): hand-computed
pinned values and edge cases (no predictions, no gold, empty texts)."""

from __future__ import annotations

import math

import pytest

from rag_eval_assets.lib.metrics.boilerplate import (
    Overlap,
    boilerplate_prf,
    corpus_prf,
    overlap,
    tokenize,
)
from rag_eval_assets.lib.metrics.language import (
    accuracy,
    language_scores,
    macro_f1,
    out_of_ontology,
)
from rag_eval_assets.lib.metrics.pii import (
    f_beta,
    pii_false_redaction_rate,
    pii_span_scores,
    pii_token_scores,
)

approx = pytest.approx

# ---------------------------------------------------------------- boilerplate (AEB scorer)


def test_tokenize_is_aeb_word_runs() -> None:
    tokens = ["Hello", "world", "It", "s", "2024", "05", "01", "café"]
    assert tokenize("Hello, world! It's 2024-05-01 — café") == tokens
    assert tokenize("") == []


def test_bag_of_tokens_pinned() -> None:
    # ngram=1: ref a:2 b:1, hyp a:1 b:2 c:1 -> tp 2, fp 2, fn 1 -> P 2/4, R 2/3, F1 4/7
    assert boilerplate_prf("a a b", "a b b c", ngram=1) == approx((0.5, 2 / 3, 4 / 7))
    assert boilerplate_prf("the cat sat on the mat", "the cat sat", ngram=1) == approx((1.0, 0.5, 2 / 3))
    o = overlap("a a b", "a b b c", ngram=1)
    assert (o.tp, o.fp, o.fn) == approx((2 / 5, 2 / 5, 1 / 5))  # normalized to sum 1


def test_four_token_shingles_pinned() -> None:
    # ref shingles (w1..w4), (w2..w5); hyp (w1..w4): tp 1, fn 1
    assert boilerplate_prf("w1 w2 w3 w4 w5", "w1 w2 w3 w4") == approx((1.0, 0.5, 2 / 3))
    # fewer tokens than n: one short shingle; punctuation is not a token; case counts
    assert boilerplate_prf("hello world", "hello world!") == (1.0, 1.0, 1.0)
    assert boilerplate_prf("Hello world", "hello world") == (0.0, 0.0, 0.0)
    with pytest.raises(ValueError):
        overlap("a", "a", ngram=0)


def test_boilerplate_edge_cases() -> None:
    assert boilerplate_prf("", "") == (1.0, 1.0, 1.0)  # AEB: fp == fn == 0
    assert boilerplate_prf("some main text", "") == (0.0, 0.0, 0.0)  # nothing kept
    assert boilerplate_prf("", "kept boilerplate") == (0.0, 0.0, 0.0)  # nothing to keep
    assert boilerplate_prf("!!", "...") == (1.0, 1.0, 1.0)  # no tokens on either side


def test_corpus_prf_is_aebs_aggregate() -> None:
    perfect, half, nothing_kept = overlap("a b", "a b", 1), overlap("a b", "a", 1), overlap("a b", "", 1)
    result = corpus_prf([perfect, half, nothing_kept])
    # P averages documents that kept something (2), R all with a reference (3)
    assert result.precision == approx(1.0)
    assert result.recall == approx((1 + 0.5 + 0) / 3)
    assert result.f1 == approx(2 * 1.0 * 0.5 / 1.5)
    assert result.mean_f1 == approx((1 + 2 / 3 + 0) / 3)
    assert result.documents == 3
    empty = corpus_prf([])
    assert math.isnan(empty.precision) and math.isnan(empty.f1) and empty.documents == 0
    only_empty_hyp = corpus_prf([Overlap(0.0, 0.0, 1.0)])
    assert math.isnan(only_empty_hyp.precision) and only_empty_hyp.recall == 0.0


# ---------------------------------------------------------------- language


def test_language_scores_pinned() -> None:
    gold = {"1": "en", "2": "en", "3": "de", "4": "fr"}
    pred = {"1": "en", "2": "de", "3": "de", "4": None, "extra": "it"}  # "extra" has no label: ignored
    scores = language_scores(gold, pred)
    assert scores.per_language["en"] == approx((1.0, 0.5, 2 / 3, 2))
    assert scores.per_language["de"] == approx((0.5, 1.0, 2 / 3, 1))
    assert scores.per_language["fr"] == (0.0, 0.0, 0.0, 1)  # undetermined: a miss, no fp
    assert set(scores.per_language) == {"en", "de", "fr"}
    assert scores.macro_f1 == approx(4 / 9)
    assert scores.accuracy == approx(0.5)
    assert macro_f1(gold, pred) == approx(4 / 9) and accuracy(gold, pred) == approx(0.5)


def test_language_scores_labels_match_sklearn() -> None:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    gold = {"a": "en", "b": "en", "c": "de", "d": "fr", "e": "nl", "f": "de"}
    pred = {"a": "en", "b": "tn", "c": "de", "d": "fr", "e": "de", "f": None}
    keys = sorted(gold)
    y_true, y_pred = [gold[k] for k in keys], [pred[k] or "<none>" for k in keys]
    for labels in (None, ["de", "en", "fr", "nl"], ["de", "en", "it"]):
        ours = language_scores(gold, pred, labels)
        sk_labels = labels or sorted((set(y_true) | set(y_pred)) - {"<none>"})
        assert ours.macro_f1 == approx(f1_score(y_true, y_pred, labels=sk_labels, average="macro", zero_division=0),
                                       abs=1e-12)
        p, r, f, n = precision_recall_fscore_support(y_true, y_pred, labels=sk_labels, zero_division=0)
        assert [v for k in sk_labels for v in ours.per_language[k]] == approx(
            [float(v) for row in zip(p, r, f, n) for v in row], abs=1e-12)
    # one document detected as a language nobody labelled: a zero-F1 class by default, not with labels
    assert language_scores({"a": "en", "b": "en"}, {"a": "en", "b": "tn"}).macro_f1 == approx(1 / 3)
    assert language_scores({"a": "en", "b": "en"}, {"a": "en", "b": "tn"}, labels=["en"]).macro_f1 == approx(2 / 3)


def test_out_of_ontology_counts() -> None:
    found = out_of_ontology({"a": "en", "b": "nl", "c": "zh", "d": None, "e": "nl"}, ["en", "de"])
    assert found == (4, 3, 0.75, {"nl": 2, "zh": 1})
    assert out_of_ontology({}, ["en"]) == (0, 0, 0.0, {}) and out_of_ontology({"a": None}, ["en"]).share == 0.0


def test_language_scores_edge_cases() -> None:
    assert language_scores({"a": "en"}, {"a": "en"}).macro_f1 == 1.0
    wrong = language_scores({"a": "en"}, {"a": "it"})  # a predicted language enters the average
    assert set(wrong.per_language) == {"en", "it"} and wrong.macro_f1 == 0.0
    assert language_scores({"a": "en", "b": "de"}, {}).macro_f1 == 0.0  # no predictions
    empty = language_scores({}, {"a": "en"})  # no gold
    assert empty.per_language == {} and math.isnan(empty.macro_f1) and math.isnan(empty.accuracy)


# ---------------------------------------------------------------- PII


def test_f_beta_pinned() -> None:
    assert f_beta(0.5, 1.0) == approx(5 * 0.5 / (4 * 0.5 + 1))  # F2
    assert f_beta(1.0, 0.5, beta=1) == approx(2 / 3)
    assert math.isnan(f_beta(0.0, 0.0)) and math.isnan(f_beta(float("nan"), 1.0))


TEXT = "Call (John Smith) at 555-123-4567 or mail js@example.com today."
NAME = (6, 16, "PERSON")  # "John Smith"
PHONE = (21, 33, "PHONE_NUMBER")
MAIL = (37, 51, "EMAIL_ADDRESS")


def _span(gold: list, pred: list, **kw):  # one document
    return pii_span_scores({"d": gold}, {"d": pred}, {"d": TEXT}, **kw)


def test_span_exact_and_partial_match() -> None:
    assert TEXT[NAME[0]:NAME[1]] == "John Smith" and TEXT[PHONE[0]:PHONE[1]] == "555-123-4567"
    assert _span([NAME], [NAME]).per_entity["PERSON"] == (1, 1, 1, 1.0, 1.0, 1.0)
    john = (6, 10, "PERSON")  # IoU 4/10 = 0.4
    assert _span([NAME], [john]).per_entity["PERSON"][:5] == (1, 1, 0, 0.0, 0.0)
    assert _span([NAME], [john], iou_threshold=0.4).per_entity["PERSON"].recall == 1.0


def test_span_two_predictions_cover_one_annotation() -> None:
    # "John" + "Smith" cover 9 of 10 characters: IoU 0.9 -> one tp over two predictions
    scores = _span([NAME], [(6, 10, "PERSON"), (11, 16, "PERSON")]).per_entity["PERSON"]
    assert scores == approx((1, 2, 1, 0.5, 1.0, 5 * 0.5 / (4 * 0.5 + 1)))


def test_span_trimming_of_punctuation_needs_texts() -> None:
    wide = (5, 17, "PERSON")  # "(John Smith)": IoU 10/12 untrimmed
    assert _span([NAME], [wide]).per_entity["PERSON"].recall == 1.0
    raw = pii_span_scores({"d": [NAME]}, {"d": [wide]})
    assert raw.per_entity["PERSON"].recall == 0.0


def test_span_type_mismatch_counts_only_overall() -> None:
    scores = _span([NAME], [(6, 16, "LOCATION")])
    person, location = scores.per_entity["PERSON"], scores.per_entity["LOCATION"]
    assert person.recall == 0.0 and math.isnan(person.precision) and math.isnan(person.f_beta)
    assert location.precision == 0.0 and math.isnan(location.recall)
    assert scores.overall[:5] == (1, 1, 1, 1.0, 1.0)  # type-agnostic: detected is detected


def test_span_corpus_pinned() -> None:
    gold = {"d1": [NAME, MAIL], "d2": [NAME]}
    pred = {"d1": [NAME, MAIL, PHONE]}  # d2 absent: no predictions there
    scores = pii_span_scores(gold, pred, {"d1": TEXT, "d2": TEXT})
    assert scores.per_entity["PERSON"] == approx((2, 1, 1, 1.0, 0.5, 2.5 / 4.5))
    assert scores.per_entity["EMAIL_ADDRESS"] == (1, 1, 1, 1.0, 1.0, 1.0)
    phone = scores.per_entity["PHONE_NUMBER"]
    assert phone[:4] == (0, 1, 0, 0.0) and math.isnan(phone.recall) and math.isnan(phone.f_beta)
    assert scores.overall == approx((3, 3, 2, 2 / 3, 2 / 3, 2 / 3))
    only_person = pii_span_scores(gold, pred, {"d1": TEXT, "d2": TEXT}, entities={"PERSON"})
    assert set(only_person.per_entity) == {"PERSON"} and only_person.overall.predicted == 1


def test_span_no_predictions_and_no_gold() -> None:
    none_found = _span([NAME, PHONE], [])
    assert none_found.overall.recall == 0.0 and math.isnan(none_found.overall.precision)
    assert math.isnan(none_found.overall.f_beta)
    no_gold = _span([], [PHONE])
    assert no_gold.overall.precision == 0.0 and math.isnan(no_gold.overall.recall)
    nothing = pii_span_scores({}, {})
    assert nothing.per_entity == {} and math.isnan(nothing.overall.precision)


def test_token_scores_pinned() -> None:
    text = "John Smith paid with 4111 1111 1111 1111 today."
    card = (21, 40, "CREDIT_CARD")
    gold = {"d": [(0, 10, "PERSON"), card]}
    pred = {"d": [(0, 4, "PERSON"), card]}
    scores = pii_token_scores(gold, pred, {"d": text})
    assert scores.per_entity["PERSON"][:5] == (2, 1, 1, 1.0, 0.5)
    assert scores.per_entity["CREDIT_CARD"][:5] == (4, 4, 4, 1.0, 1.0)
    assert scores.overall[:5] == approx((6, 5, 5, 1.0, 5 / 6))


def test_scores_hold_no_pii_values() -> None:
    scores = _span([NAME, PHONE, MAIL], [NAME, PHONE])
    shown = repr(scores) + repr(pii_token_scores({"d": [NAME]}, {"d": [NAME]}, {"d": TEXT}))
    assert "John" not in shown and "555" not in shown and "example" not in shown


# ---------------------------------------------------------------- false redactions


def test_pii_false_redaction_rate_pinned() -> None:
    text = "Call Ann Lee at 555-0100 about Meridian Cloud v2 today."
    reference = {"a": [(5, 12, "PERSON"), (16, 24, "PHONE_NUMBER")]}
    hypothesis = {
        "a": [(5, 12, "PERSON"), (16, 24, "CREDIT_CARD"), (31, 45, "PERSON")],  # wrong type still masks PII
        "b": [(0, 4, "PERSON"), (10, 20, "PERSON")],  # PII-free document: both false
        "c": [(0, 3, "PERSON")],  # not declared fully annotated: ignored
    }
    texts = {"a": text, "b": "Java runs on every platform we ship.", "c": "Bob"}
    result = pii_false_redaction_rate(reference, hypothesis, ["a", "b"], texts)
    assert result == (2, 5, 3, 3 / 5, {"CREDIT_CARD": (1, 0), "PERSON": (4, 3)})
    person = pii_false_redaction_rate(reference, hypothesis, ["a", "b"], texts, entities=["PERSON"])
    assert (person.predicted, person.false, person.rate) == (4, 3, 0.75)
    # trimming: a prediction of only the space before a name is no redaction at all
    assert pii_false_redaction_rate({"x": []}, {"x": [(3, 4, "PERSON")]}, ["x"], {"x": "Hi  Ann"}).predicted == 0


def test_pii_false_redaction_rate_edge_cases() -> None:
    none = pii_false_redaction_rate({"a": [(0, 3, "PERSON")]}, {}, ["a"])
    assert (none.documents, none.predicted, none.false, none.rate) == (1, 0, 0, 0.0)
    empty = pii_false_redaction_rate({}, {"a": [(0, 3, "PERSON")]}, [])
    assert (empty.documents, empty.predicted, empty.rate) == (0, 0, 0.0)
    assert pii_false_redaction_rate({}, {"a": [(0, 3, "PERSON")]}, ["a"]).rate == 1.0
