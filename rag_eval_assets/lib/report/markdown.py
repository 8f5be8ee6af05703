"""Markdown tables (rendered by the Dagster UI in asset and check metadata)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if value is None:
        return "–"
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None,
                   digits: int = 3, max_rows: int = 200) -> str:
    """A GitHub-flavoured Markdown table; floats rounded to ``digits``, long tables cut."""
    rows = list(rows)
    if not rows:
        return "_(no rows)_"
    cols = list(columns or rows[0].keys())
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows[:max_rows]:
        lines.append("| " + " | ".join(_cell(r.get(c), digits) for c in cols) + " |")
    if len(rows) > max_rows:
        lines.append(f"\n_{len(rows) - max_rows} more rows not shown_")
    return "\n".join(lines)
