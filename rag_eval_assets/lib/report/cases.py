"""Generation cases for a reader: each failed case with the name of its failure and its cause
in one line, joined from what the other stages stored (so nobody matches ids by hand):

- candidate retrieval: the query's hard filter removed every gold document (filter_eval's
  per-query rows; the predicate comes from the golden filters) → "gold excluded by filter
  `locale=de`"; otherwise the rank of the missing gold chunk in the hybrid ranking
  (retrieval_eval's hits) → "gold ranked 37 …";
- points missing: the text of each required point not covered (the reference answer, one point
  per sentence);
- every other stage: the cause ``evaluate_case`` recorded (unsupported claim, …).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from rag_eval_assets.lib.generation.stages import (
    ANSWER_COMPLETENESS,
    CANDIDATE_RETRIEVAL,
    CONTEXT_SELECTION,
    NO_ANSWER,
    PASS,
    POINTS_MISSING,
    failure_name,
)
from rag_eval_assets.lib.report.html import Column, esc
from rag_eval_assets.lib.report.inputs import ReportData

#: First failed stages in pipeline order, answer completeness split in its two failures.
FAILURE_ORDER = ("admissibility", "candidate retrieval", "context selection", NO_ANSWER, "answer faithfulness",
                 "citation support", POINTS_MISSING, "abstention", PASS)
FILTER_EXCLUDED = "gold excluded by filter"
CASE_COLUMNS = (
    Column("case_id", "case", "links to its trace"), Column("slice", "slice"),
    Column("failure", "failed at", "first failed stage"), Column("cause", "cause"),
    Column("candidate_recall", "candidate recall", "required sources in the candidates"),
    Column("context_recall", "context recall", "required sources in the context"),
    Column("faithfulness", "faithfulness", "supported claims / claims; n/a: no claim"),
    Column("citation_support", "citation support", "claims whose citation supports them; n/a: no claim"),
    Column("supported_point_coverage", "point coverage", "required points covered; n/a: no reference answer"))


def predicate_text(predicate: Mapping[str, Any]) -> str:
    def clause(k: str, v: Any) -> str:
        if isinstance(v, (list, tuple)):
            return f"{k} in ({', '.join(map(str, v))})"
        return f"{k}={str(v).lower() if isinstance(v, bool) else v}"

    return " AND ".join(clause(k, v) for k, v in predicate.items()) or "(none)"


def _filter_cause(data: ReportData, qid: str, missing: Sequence[str]) -> str:
    spec = data.inputs.predicates.get(qid) or {}
    predicate = dict(spec.get("predicate", spec) if isinstance(spec, Mapping) else {})
    correct = spec.get("correct_predicate") if isinstance(spec, Mapping) else None
    wrong = {k: v for k, v in predicate.items() if correct is not None and correct.get(k) != v}
    shown = wrong or predicate
    text = f"{FILTER_EXCLUDED} `{predicate_text(shown)}`" if shown else f"{FILTER_EXCLUDED} (predicate not known)"
    if wrong and correct is not None:
        fixes = [f"`{predicate_text({k: correct[k]})}`" if k in correct else f"no `{k}` clause" for k in wrong]
        text += f" (labelled correct: {', '.join(fixes)})"
    manifest = {r["doc_id"]: r for r in data.rows("corpus_manifest")}
    gold = next((manifest[d] for d in (m.split("#", 1)[0] for m in missing) if d in manifest), None)
    if gold and shown:
        text += f"; gold document has {predicate_text({k: gold.get(k) for k in shown})}"
    return text


def gold_rank(data: ReportData, qid: str, missing: Sequence[str]) -> int | None:
    """Best rank (1-based) of a missing gold chunk (or of a chunk of a missing gold document)
    in the stored hybrid ranking; None when none is in it."""
    ranking = [c for c, _ in (data.hits.get("hybrid", {}).get(qid) or [])]
    ranks = []
    for m in missing:
        if "#" in m:
            ranks += [i for i, c in enumerate(ranking, 1) if c == m][:1]
        else:
            ranks += [i for i, c in enumerate(ranking, 1) if c.split("#", 1)[0] == m][:1]
    return min(ranks) if ranks else None


def _rank_cause(data: ReportData, qid: str, missing: Sequence[str]) -> str:
    trace = data.traces.get(qid, {})
    candidates = len(trace.get("first_stage_ids", []))
    depth = len(data.hits.get("hybrid", {}).get(qid) or [])
    rank = gold_rank(data, qid, missing)
    if rank is None:
        return f"gold not in the hybrid top {depth}" if depth else "gold not retrieved"
    return f"gold ranked {rank} in hybrid retrieval (candidates: the first {candidates} the filter admits)"


def _context_cause(data: ReportData, qid: str, missing: Sequence[str], base: str) -> str:
    trace = data.traces.get(qid, {})
    reranked, context = trace.get("reranked_ids", []), trace.get("selected_context_ids", [])
    positions = []
    for m in missing:
        hit = [i for i, c in enumerate(reranked, 1) if c == m or ("#" not in m and c.split("#", 1)[0] == m)]
        positions += hit[:1]
    if not positions:
        return base
    return (f"gold reranked to position {min(positions)} of {len(reranked)} candidates; the context keeps the first "
            f"{len(context)}")


def _point_texts(data: ReportData, qid: str, missing: Sequence[str]) -> list[str]:
    from rag_eval_assets.lib.evaluation.pipeline_traces import answer_points

    answer = data.inputs.answers.get(qid)
    points = answer_points(answer) if answer else {}
    return [points.get(p, p) for p in missing]


def case_cause(data: ReportData, row: Mapping[str, Any], excluded: set[str]) -> str:
    """One line: why this case failed (see the module docstring)."""
    qid, stage = str(row["case_id"]), row.get("stage")
    missing = list(row.get("missing") or [])
    if stage == CANDIDATE_RETRIEVAL:
        if qid in excluded:
            return _filter_cause(data, qid, missing)
        if missing:
            return _rank_cause(data, qid, missing)
        per_query = {r["query_id"]: r for r in data.rows("retrieval_eval", "_per_query")}
        mrr = (per_query.get(qid) or {}).get("hybrid_mrr")
        if mrr:
            return f"first gold document ranked {round(1 / mrr)} in hybrid retrieval"
        return str(row.get("cause") or "gold not retrieved")
    if stage == CONTEXT_SELECTION and missing:
        return _context_cause(data, qid, missing, str(row.get("cause") or ""))
    if stage == ANSWER_COMPLETENESS and row.get("n_claims") and missing:
        texts = _point_texts(data, qid, missing)
        return f"{POINTS_MISSING}: " + "; ".join(f"“{t}”" for t in texts)
    return str(row.get("cause") or "")


def code_html(text: str) -> str:
    """Escaped text with `backtick` spans as <code>."""
    return re.sub(r"`([^`]*)`", r"<code>\1</code>", esc(text))


def failed_cases(data: ReportData) -> list[dict[str, Any]]:
    """Every case that may not release, in pipeline order of its failure, with cause and trace link."""
    rows = data.json("generation_eval", "_cases") or []
    excluded = {r["query_id"] for r in data.rows("filter_eval", "_per_query") if r.get("excluded")}
    out = []
    for r in rows:
        if r.get("may_release"):
            continue
        failure = r.get("failure") or failure_name(r["stage"], int(r.get("n_claims") or 0))
        claimless = not r.get("n_claims")
        row = {**{c.key: r.get(c.key) for c in CASE_COLUMNS}, "failure": failure, "cause": case_cause(data, r, excluded),
               "stage": r["stage"], "filter_excluded": r["stage"] == CANDIDATE_RETRIEVAL and r["case_id"] in excluded}
        if claimless:  # an answer without claims: nothing to be faithful or cited (older rows stored 0.0)
            row["faithfulness"] = row["citation_support"] = None
        row["_html_cause"] = code_html(row["cause"])
        if r["case_id"] in data.traces:
            row["_html_case_id"] = f"<a href='#trace-{esc(r['case_id'])}'>{esc(r['case_id'])}</a>"
        out.append(row)
    order = {name: i for i, name in enumerate(FAILURE_ORDER)}
    return sorted(out, key=lambda x: (order.get(x["failure"], len(order)), str(x["case_id"])))


def failure_counts(data: ReportData) -> dict[str, int]:
    """Cases per first failed stage (answer completeness split), in pipeline order."""
    rows = data.json("generation_eval", "_cases") or []
    counts = Counter(r.get("failure") or failure_name(r["stage"], int(r.get("n_claims") or 0))
                     if r["stage"] != PASS else PASS for r in rows)
    ordered = {k: counts[k] for k in FAILURE_ORDER if counts.get(k)}
    ordered.update({k: v for k, v in counts.items() if k not in ordered})
    return ordered


def traces_html(data: ReportData, case_ids: Sequence[str]) -> str:
    """Each listed case's trace JSON in a collapsed ``<details id="trace-<case>">``."""
    import json

    parts = []
    for cid in case_ids:
        trace = data.traces.get(cid)
        if trace is not None:
            body = esc(json.dumps(trace, ensure_ascii=False, indent=1))
            parts.append(f"<details id='trace-{esc(cid)}'><summary>trace of {esc(cid)}</summary><pre>{body}</pre></details>")
    return "".join(parts)
