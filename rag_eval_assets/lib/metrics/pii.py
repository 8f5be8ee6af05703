"""PII detection: span-level and token-level per-entity precision / recall / F-beta (F2).

Shapes: ``reference`` and ``hypothesis`` map a document id to its spans ``(start, end,
entity_type)`` (half-open character offsets; ``PiiSpan``-like objects with ``start``/``end``/
``entity_type`` are accepted too); ``texts`` maps the id to the document text. Only ids of the
reference are scored (a reference id absent from the hypothesis has no predictions). Scores
hold counts and ratios only: never a PII value.

Span level, as presidio-research's ``SpanEvaluator`` (``_match_predictions_with_annotations``):

- spans are normalized first: with ``texts``, leading/trailing whitespace and punctuation are
  trimmed off each span (presidio-research drops its skip words and punctuation instead);
- annotations are visited in document order; for each, the not yet matched predictions of the
  same type that overlap it are taken in start order and added one by one while the IoU of the
  annotation's characters with the union of the added predictions' characters increases;
  the annotation is a true positive when that IoU reaches ``iou_threshold`` and its predictions
  are then used up. The default 0.9 is the ``SpanEvaluator.__init__`` default (its docstring
  says 0.5; pass ``iou_threshold=0.5`` for that reading). Character sets are exact half-open
  ranges (presidio-research's own offsets are off by one in places);
- per entity type: ``P = tp / predicted spans``, ``R = tp / annotated spans`` (precision per
  prediction, recall per annotation; two predictions that together match one annotation count
  one tp over two predictions);
- ``overall`` ignores types (presidio's ``pii_precision``/``pii_recall``): a matched annotation
  counts as one prediction, every unmatched prediction as one more.

Token level, as presidio-research's ``TokenEvaluator`` on IO tags: tokens are ``\\w+`` runs
(punctuation never counts, as presidio's skip list holds punctuation); a token takes the type
of the first span (by start) it overlaps, else ``O``; per type ``P = tp / tokens predicted``,
``R = tp / tokens annotated``; ``overall`` counts a token as tp when both tags are not ``O``.

Edge cases (presidio's): precision is NaN with no prediction, recall NaN with no annotation,
``F_beta = (1 + b^2) P R / (b^2 P + R)`` is NaN when either is NaN or both are 0.

False redactions (``pii_false_redaction_rate``): precision above is computed on the documents
the reference lists, so predictions on documents without any PII never count. On documents
declared *fully annotated* (every PII value in them is in the reference; a document with no span
is then PII-free) a prediction that matches no annotation is certainly a false redaction:
``rate = false / predicted`` over the predictions in those documents, where a prediction is
*false* when it shares no character with any annotation of the same document, **of any entity
type** (a phone number masked as a credit card still removed PII). Spans are trimmed as above
when ``texts`` is given. Documents not declared fully annotated are not looked at. Edge cases:
no prediction -> rate 0.0 with ``predicted == 0`` (nothing was redacted wrongly, and nothing
was tested: report the count); no fully annotated document -> the same, ``documents == 0``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

__all__ = ["EntityScores", "FalseRedactions", "PiiScores", "Span", "f_beta", "pii_false_redaction_rate",
           "pii_span_scores", "pii_token_scores"]

Span = tuple[int, int, str]
PRESIDIO_IOU_THRESHOLD = 0.9
_TOKEN_RE = re.compile(r"\w+")
_NAN = float("nan")


class EntityScores(NamedTuple):
    annotated: int
    predicted: int
    true_positives: int
    precision: float
    recall: float
    f_beta: float


class PiiScores(NamedTuple):
    per_entity: dict[str, EntityScores]
    overall: EntityScores


class FalseRedactions(NamedTuple):
    documents: int  # fully annotated documents scored
    predicted: int  # predicted spans in them (of the entity types asked for)
    false: int  # predictions sharing no character with any annotation
    rate: float  # false / predicted; 0.0 when predicted == 0
    per_entity: dict[str, tuple[int, int]]  # entity type -> (predicted, false)


def f_beta(precision: float, recall: float, beta: float = 2.0) -> float:
    """``(1 + b^2) P R / (b^2 P + R)``; NaN when P or R is NaN or both are 0 (presidio-research)."""
    if math.isnan(precision) or math.isnan(recall) or precision == recall == 0:
        return _NAN
    return (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)


def _scores(tp: int, predicted: int, annotated: int, beta: float) -> EntityScores:
    p = tp / predicted if predicted else _NAN
    r = tp / annotated if annotated else _NAN
    return EntityScores(annotated, predicted, tp, p, r, f_beta(p, r, beta))


def _as_span(item: Any) -> Span:
    if isinstance(item, tuple):
        return int(item[0]), int(item[1]), str(item[2])
    return int(item.start), int(item.end), str(item.entity_type)


def _spans(items: Iterable[Any], entities: Collection[str] | None, text: str | None) -> list[Span]:
    """Spans as sorted tuples, kept types only, trimmed of surrounding non-word chars in ``text``."""
    out = []
    for start, end, kind in map(_as_span, items):
        if entities is not None and kind not in entities:
            continue
        if text is not None:
            while start < end and not (text[start].isalnum()):
                start += 1
            while end > start and not (text[end - 1].isalnum()):
                end -= 1
        if start < end:
            out.append((start, end, kind))
    return sorted(set(out))


def _iou(annotation: Span, predictions: Sequence[Span]) -> float:
    gold = set(range(annotation[0], annotation[1]))
    found = {i for s, e, _ in predictions for i in range(s, e)}
    union = len(gold | found)
    return len(gold & found) / union if union else 0.0


def _match(gold: list[Span], pred: list[Span], threshold: float, typed: bool) -> tuple[list[Span], set[Span]]:
    """Annotations matched (greedy IoU growth, see module doc) and the predictions used up."""
    matched, used = [], set()
    for ann in gold:
        candidates = [p for p in pred if p not in used and p[0] < ann[1] and ann[0] < p[1]
                      and (not typed or p[2] == ann[2])]
        chosen: list[Span] = []
        best = 0.0
        for p in candidates:
            iou = _iou(ann, chosen + [p])
            if iou > best:
                chosen, best = chosen + [p], iou
        if chosen and best >= threshold:
            matched.append(ann)
            used.update(chosen)
    return matched, used


def _docs(reference: Mapping[str, Sequence[Any]], hypothesis: Mapping[str, Sequence[Any]],
          texts: Mapping[str, str] | None, entities: Collection[str] | None,
          ) -> Iterator[tuple[str | None, list[Span], list[Span]]]:
    for doc_id, gold in reference.items():
        text = None if texts is None else texts[doc_id]
        yield text, _spans(gold, entities, text), _spans(hypothesis.get(doc_id, ()), entities, text)


def pii_span_scores(reference: Mapping[str, Sequence[Any]], hypothesis: Mapping[str, Sequence[Any]],
                    texts: Mapping[str, str] | None = None, *, entities: Collection[str] | None = None,
                    iou_threshold: float = PRESIDIO_IOU_THRESHOLD, beta: float = 2.0) -> PiiScores:
    """Span-level per-entity P / R / F-beta and type-agnostic overall scores (module doc).

    ``entities`` keeps only those types on both sides (presidio's ``entities_to_keep``).
    """
    annotated: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    tp: Counter[str] = Counter()
    all_tp = all_unmatched = 0
    for _, gold, pred in _docs(reference, hypothesis, texts, entities):
        annotated.update(s[2] for s in gold)
        predicted.update(s[2] for s in pred)
        tp.update(s[2] for s in _match(gold, pred, iou_threshold, typed=True)[0])
        matched, used = _match(gold, pred, iou_threshold, typed=False)
        all_tp += len(matched)
        all_unmatched += len(pred) - len(used)
    per_entity = {k: _scores(tp[k], predicted[k], annotated[k], beta) for k in sorted(annotated | predicted)}
    overall = _scores(all_tp, all_tp + all_unmatched, sum(annotated.values()), beta)
    return PiiScores(per_entity, overall)


def _token_tags(text: str, spans: list[Span]) -> list[str]:
    tags = []
    for m in _TOKEN_RE.finditer(text):
        tags.append(next((k for s, e, k in spans if s < m.end() and m.start() < e), "O"))
    return tags


def pii_token_scores(reference: Mapping[str, Sequence[Any]], hypothesis: Mapping[str, Sequence[Any]],
                     texts: Mapping[str, str], *, entities: Collection[str] | None = None,
                     beta: float = 2.0) -> PiiScores:
    """Token-level (IO tags over ``\\w+`` tokens) per-entity P / R / F-beta (module doc)."""
    pairs: Counter[tuple[str, str]] = Counter()
    for text, gold, pred in _docs(reference, hypothesis, texts, entities):
        assert text is not None
        pairs.update(zip(_token_tags(text, gold), _token_tags(text, pred)))
    kinds = sorted({k for pair in pairs for k in pair} - {"O"})
    per_entity = {}
    for k in kinds:
        annotated = sum(n for (g, _), n in pairs.items() if g == k)
        predicted = sum(n for (_, p), n in pairs.items() if p == k)
        per_entity[k] = _scores(pairs[(k, k)], predicted, annotated, beta)
    overall = _scores(sum(n for (g, p), n in pairs.items() if g != "O" and p != "O"),
                      sum(n for (_, p), n in pairs.items() if p != "O"),
                      sum(n for (g, _), n in pairs.items() if g != "O"), beta)
    return PiiScores(per_entity, overall)


def pii_false_redaction_rate(reference: Mapping[str, Sequence[Any]], hypothesis: Mapping[str, Sequence[Any]],
                             annotated: Collection[str], texts: Mapping[str, str] | None = None, *,
                             entities: Collection[str] | None = None) -> FalseRedactions:
    """Share of predicted redactions in fully annotated documents that overlap no annotation
    (module doc: any-type, one-character overlap; edge cases). ``annotated``: ids of the fully
    annotated documents (absent from ``reference`` = no PII); ``entities`` keeps those predicted
    types only (annotations of every type still count as matches)."""
    predicted: Counter[str] = Counter()
    false: Counter[str] = Counter()
    docs = 0
    for doc_id in sorted(set(annotated)):
        docs += 1
        text = None if texts is None else texts[doc_id]
        gold = _spans(reference.get(doc_id, ()), None, text)
        for start, end, kind in _spans(hypothesis.get(doc_id, ()), entities, text):
            predicted[kind] += 1
            false[kind] += not any(s < end and start < e for s, e, _ in gold)
    n, f = sum(predicted.values()), sum(false.values())
    return FalseRedactions(docs, n, f, f / n if n else 0.0,
                           {k: (predicted[k], false[k]) for k in sorted(predicted)})
