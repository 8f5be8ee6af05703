"""Scorecards: per-document score rows aggregated by (group keys), e.g. parser × doc_class."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np


def _finite(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]


def describe(values: Iterable[Any]) -> dict[str, float | None]:
    """mean / median / p90 of the finite values (None when there are none)."""
    xs = _finite(values)
    if not xs:
        return {"mean": None, "median": None, "p90": None}
    arr = np.asarray(xs)
    return {"mean": float(arr.mean()), "median": float(np.median(arr)), "p90": float(np.percentile(arr, 90))}


def scorecard(rows: Sequence[Mapping[str, Any]], by: Sequence[str], metrics: Sequence[str],
              failure_key: str = "failure_kind", pages_key: str = "pages",
              seconds_key: str = "seconds", not_applicable: str = "unsupported") -> list[dict[str, Any]]:
    """One row per group: documents it applies to, failure rate (total and by kind), pages/s,
    and mean/median/p90 of each metric over the documents that have it. A row whose failure
    is ``not_applicable`` (a format the parser does not read) is counted as ``not_applicable``
    and left out of every rate and mean: it is n/a, not a failure."""
    groups: dict[tuple, list[Mapping[str, Any]]] = defaultdict(list)
    for r in rows:
        groups[tuple(r[k] for k in by)].append(r)
    out = []
    for key in sorted(groups, key=lambda k: tuple(str(x) for x in k)):
        everything = groups[key]
        members = [m for m in everything if m.get(failure_key) != not_applicable]
        row: dict[str, Any] = dict(zip(by, key))
        row["documents"] = len(members)
        row["not_applicable"] = len(everything) - len(members)
        failures = [m.get(failure_key) for m in members if m.get(failure_key)]
        row["failure_rate"] = len(failures) / len(members) if members else None
        for kind in sorted(set(failures)):
            row[f"failures_{kind}"] = failures.count(kind)
        pages = sum(m.get(pages_key) or 1 for m in members)
        secs = sum(m.get(seconds_key) or 0.0 for m in members)
        row["pages_per_s"] = pages / secs if secs > 0 else None
        for metric in metrics:
            for stat, value in describe(m.get(metric) for m in members).items():
                row[f"{metric}_{stat}"] = value
        out.append(row)
    return out
