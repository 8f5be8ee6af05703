"""One self-contained HTML report per run: a section per pipeline stage with its key numbers,
tables and plots (PNG inlined as data URIs, so the file can be mailed or archived alone)."""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#222;
line-height:1.4;padding:0 1rem}
h1{margin-bottom:.2rem}h2{border-bottom:2px solid #4c72b0;padding-bottom:.2rem;margin-top:2.2rem}
.meta{color:#666;font-size:.9rem}nav a{margin-right:.8rem}
.numbers{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.num{background:#f3f6fb;border:1px solid #d8e0ee;border-radius:6px;padding:.4rem .7rem;min-width:8rem}
.num b{display:block;font-size:1.25rem}.num span{font-size:.8rem;color:#555}
.num.fail{background:#fdeeee;border-color:#e5a5a5}.num.pass{background:#eef8ee;border-color:#a5d5a5}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.85rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ccd;padding:.25rem .5rem;text-align:left}th{background:#eef1f7}
td.n{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:.3rem 0}
figure{display:inline-block;margin:.5rem 1rem .5rem 0}figcaption{font-size:.85rem;color:#555}
.note{color:#555;font-size:.9rem}.missing{color:#a33}
"""


@dataclass
class Section:
    """One stage of the report: headline numbers, tables, figures and notes.

    ``numbers`` maps a label to a value, or to ``(value, passed)`` to colour a gate result.
    """

    title: str
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: list[tuple[str, Sequence[Mapping[str, Any]]]] = field(default_factory=list)
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "–" if math.isnan(value) else f"{value:.{digits}f}"
    if value is None:
        return "–"
    return str(value)


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def table_html(rows: Sequence[Mapping[str, Any]], caption: str = "", max_rows: int = 300) -> str:
    """An HTML table of dict rows (columns = union of keys, first-seen order)."""
    rows = list(rows)
    if not rows:
        return f"<p class='note'>{html.escape(caption)}: no rows</p>"
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in cols)
    body = []
    for r in rows[:max_rows]:
        cells = "".join(f"<td class='{'n' if isinstance(r.get(c), (int, float)) else ''}'>"
                        f"{html.escape(_fmt(r.get(c)))}</td>" for c in cols)
        body.append(f"<tr>{cells}</tr>")
    more = f"<p class='note'>{len(rows) - max_rows} more rows not shown</p>" if len(rows) > max_rows else ""
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def _numbers_html(numbers: Mapping[str, Any]) -> str:
    out = []
    for label, value in numbers.items():
        cls = ""
        if isinstance(value, tuple):
            value, passed = value
            cls = " pass" if passed else " fail"
        out.append(f"<div class='num{cls}'><b>{html.escape(_fmt(value))}</b><span>{html.escape(label)}</span></div>")
    return f"<div class='numbers'>{''.join(out)}</div>" if out else ""


def _figure_html(caption: str, png: bytes) -> str:
    data = base64.b64encode(png).decode()
    alt = html.escape(caption)
    return f"<figure><img src='data:image/png;base64,{data}' alt='{alt}' width='540'><figcaption>{alt}</figcaption></figure>"


def render_report(title: str, sections: Iterable[Section], subtitle: str = "") -> str:
    """The whole report as one HTML document (a table of contents, then one part per section)."""
    sections = list(sections)
    nav = " ".join(f"<a href='#{_slug(s.title)}'>{html.escape(s.title)}</a>" for s in sections)
    parts = []
    for s in sections:
        body = [_numbers_html(s.numbers)]
        body += [f"<p class='note'>{html.escape(n)}</p>" for n in s.notes]
        body += [_figure_html(caption, png) for caption, png in s.figures if png]
        body += [table_html(rows, caption) for caption, rows in s.tables]
        parts.append(f"<section id='{_slug(s.title)}'><h2>{html.escape(s.title)}</h2>{''.join(body)}</section>")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p class='meta'>{html.escape(subtitle)}</p><nav>{nav}</nav>{''.join(parts)}</body></html>")
