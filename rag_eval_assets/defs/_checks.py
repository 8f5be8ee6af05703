"""The one way every check reports: the value it judged, its limit, what it is over.

``gate(...)`` returns an ``AssetCheckResult`` whose metadata always holds ``value`` (the one
number the check judged, rounded; the only numeric entry, so the UI plots it and nothing else),
``limit`` (text such as ``≥ 0.950``), ``n`` (what the value is over, as text), ``severity``
(the severity the check declares) and, when it did not pass on data, ``reason``.

Rules (docs/checks.md):
- nothing to judge because no reference exists for it or the corpus is empty → fails as WARN
  with the reason (never a pass, never a placeholder number);
- references exist but what it judges is missing or broken (``value=None``) → fails at the
  declared severity: a gate never lowers its own severity because its inputs are missing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping
from typing import Any

import dagster as dg

from rag_eval_assets.lib.report import markdown_table

ERROR = dg.AssetCheckSeverity.ERROR
WARN = dg.AssetCheckSeverity.WARN
_OPS = {">=": (operator.ge, "≥"), "<=": (operator.le, "≤"), ">": (operator.gt, ">"), "<": (operator.lt, "<"),
        "==": (operator.eq, "=")}


def fmt(value: Any, digits: int = 3) -> str:
    """A number for display: rounded floats, thousands separators, n/a for None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _text_metadata(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """Extra entries as text or Markdown (never numbers: they would be plotted as noise)."""
    out: dict[str, Any] = {}
    for k, v in (extra or {}).items():
        if isinstance(v, dg.MetadataValue):
            out[k] = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            out[k] = dg.MetadataValue.text(fmt(v, 4))
        else:
            out[k] = dg.MetadataValue.text(str(v) if v not in (None, "") else "none")
    return out


def gate(name: str, *, value: float | int | None, limit: float | int | None, op: str = ">=", n: Any = None,
         severity: dg.AssetCheckSeverity = ERROR, nothing_to_judge: str | None = None, reason: str | None = None,
         asset_key: str | dg.AssetKey | None = None, extra: Mapping[str, Any] | None = None,
         passed: bool | None = None) -> dg.AssetCheckResult:
    """A check result under the rules of the module doc. ``passed`` overrides the comparison
    (for checks whose rule is not a single threshold, e.g. "no slice below")."""
    compare, symbol = _OPS[op]
    meta: dict[str, Any] = {
        "limit": dg.MetadataValue.text(f"{symbol} {fmt(limit, 3)}" if limit is not None else "n/a"),
        "n": dg.MetadataValue.text(fmt(n) if not isinstance(n, str) else n),
        "severity": dg.MetadataValue.text(severity.value),
    }
    if nothing_to_judge is not None:
        meta["value"] = dg.MetadataValue.text("n/a")
        meta["reason"] = dg.MetadataValue.text(f"nothing to judge: {nothing_to_judge}")
        ok, sev = False, WARN
    elif value is None or (isinstance(value, float) and math.isnan(value)):
        meta["value"] = dg.MetadataValue.text("n/a")
        meta["reason"] = dg.MetadataValue.text(reason or "the value could not be measured")
        ok, sev = False, severity
    else:
        meta["value"] = dg.MetadataValue.float(round(float(value), 4))
        ok = bool(compare(value, limit)) if passed is None else bool(passed)
        sev = severity
        if reason:
            meta["reason"] = dg.MetadataValue.text(reason)
    meta.update(_text_metadata(extra))
    kwargs: dict[str, Any] = {"check_name": name}
    if asset_key is not None:
        kwargs["asset_key"] = asset_key
    return dg.AssetCheckResult(passed=ok, severity=sev, metadata=meta, **kwargs)


def table(rows: list[dict[str, Any]], columns: list[str] | None = None, max_rows: int = 20) -> dg.MetadataValue:
    """A Markdown table for metadata ("none" when there are no rows)."""
    return dg.MetadataValue.md(markdown_table(rows, columns, max_rows=max_rows) if rows else "none")
