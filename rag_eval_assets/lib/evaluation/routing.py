"""Routing by evidence: which parser each document class is parsed with, chosen from the
parser scorecard (parser × class rows of ``lib.report.scorecard``).

The rule, per document class with scored documents (``choose_routes``):

1. Candidates: parsers that read the class's format (not ``not_applicable`` for all its
   documents) and have a score for it.
2. Classes with reference tables: the highest mean TEDS; parsers within ``teds_tolerance`` of
   it stay candidates. Other classes: the lowest mean CER (failures count as empty extractions);
   parsers within ``cer_tolerance`` of it stay candidates.
3. Among those, the highest heading order (headings feed the section paths chunks carry), then
   the lowest CER, then the fastest (pages/s), then the configured primary parser.
4. Classes without scored documents (no references) keep the primary parser, and say so.

Each decision records the metric it was made on, the winner's and the runner-up's values and
the margin, so the route can be read and challenged in the UI and the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

CER_TOLERANCE = 0.005
TEDS_TOLERANCE = 0.02


def _value(row: Mapping[str, Any], key: str, default: float) -> float:
    v = row.get(key)
    return default if v is None else float(v)


def choose_route(rows: Sequence[Mapping[str, Any]], primary: str, cer_tolerance: float = CER_TOLERANCE,
                 teds_tolerance: float = TEDS_TOLERANCE) -> dict[str, Any]:
    """The decision for one class from its parser rows (see the module doc)."""
    scored = [r for r in rows if r.get("documents") and (r.get("cer_mean") is not None or r.get("teds_mean") is not None)]
    if not scored:
        return {"parser": primary, "metric": "none", "value": None, "runner_up": None, "runner_up_value": None,
                "margin": None, "reason": "no scored document of this class (no references): the primary parser"}
    tables = [r for r in scored if r.get("teds_mean") is not None]
    if tables:
        metric, best = "teds_mean", max(_value(r, "teds_mean", 0.0) for r in tables)
        keep = [r for r in tables if _value(r, "teds_mean", 0.0) >= best - teds_tolerance]
        ranked_all = sorted(tables, key=lambda r: -_value(r, "teds_mean", 0.0))
    else:
        metric, best = "cer_mean", min(_value(r, "cer_mean", 1.0) for r in scored)
        keep = [r for r in scored if _value(r, "cer_mean", 1.0) <= best + cer_tolerance]
        ranked_all = sorted(scored, key=lambda r: _value(r, "cer_mean", 1.0))
    keep.sort(key=lambda r: (-_value(r, "heading_order_mean", 0.0), _value(r, "cer_mean", 1.0),
                             -_value(r, "pages_per_s", 0.0), r["parser"] != primary, r["parser"]))
    winner = keep[0]
    others = [r for r in ranked_all if r["parser"] != winner["parser"]]
    runner = others[0] if others else None
    value = winner.get(metric)
    runner_value = runner.get(metric) if runner else None
    margin = None if runner_value is None or value is None else abs(float(value) - float(runner_value))
    tie_break = len(keep) > 1
    reason = (f"best {metric.split('_')[0].upper()} ({'higher' if metric == 'teds_mean' else 'lower'} is better)"
              + (f"; {len(keep)} parsers within tolerance: heading order, then CER, then speed" if tie_break else ""))
    return {"parser": winner["parser"], "metric": metric, "value": value,
            "heading_order": winner.get("heading_order_mean"), "runner_up": runner["parser"] if runner else None,
            "runner_up_value": runner_value, "margin": margin, "reason": reason}


def choose_routes(card: Sequence[Mapping[str, Any]], primary: str, cer_tolerance: float = CER_TOLERANCE,
                  teds_tolerance: float = TEDS_TOLERANCE) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """``({doc_class: parser, "*": primary}, evidence rows)`` from parser × class scorecard rows."""
    by_class: dict[str, list[Mapping[str, Any]]] = {}
    for row in card:
        by_class.setdefault(str(row["doc_class"]), []).append(row)
    routes: dict[str, str] = {"*": primary}
    evidence = []
    for cls in sorted(by_class):
        decision = choose_route(by_class[cls], primary, cer_tolerance, teds_tolerance)
        routes[cls] = decision["parser"]
        evidence.append({"doc_class": cls, **decision})
    return routes, evidence
