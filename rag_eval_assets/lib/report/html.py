"""One self-contained HTML report per run (PNG plots inlined as data URIs, so the file can be
mailed or archived alone): the page skeleton, number tiles, tables and collapsible details.

Reading rules kept everywhere: a value that does not apply is ``n/a`` (never 0), every number
can carry the count it is over ("0.957 · of 41 queries"), and tables take their columns in the
order given (identifier first, then the metrics in pipeline order), each header with its meaning.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1160px;color:#1d2330;
line-height:1.35;padding:.6rem 1rem 3rem;font-size:15px}
h1{font-size:1.35rem;margin:.2rem 0 0}h2{font-size:1.2rem;border-bottom:2px solid #4c72b0;padding-bottom:.15rem;
margin:1.8rem 0 .5rem}h3{font-size:1rem;margin:1rem 0 .3rem}
.meta{color:#5a6270;font-size:.82rem;margin:.1rem 0 .3rem}nav{font-size:.82rem;margin-bottom:.4rem}nav a{margin-right:.7rem}
a{color:#2d5fa8}
.numbers{display:flex;flex-wrap:wrap;gap:.45rem;margin:.5rem 0}
.num{background:#f3f6fb;border:1px solid #d8e0ee;border-radius:6px;padding:.3rem .6rem;min-width:7.5rem;max-width:15rem}
.num b{display:block;font-size:1.15rem}.num span{font-size:.78rem;color:#4a5260;display:block}
.num i{font-style:normal;font-size:.74rem;color:#6a7280;display:block}
.num.fail{background:#fdeeee;border-color:#e5a5a5}.num.pass{background:#eef8ee;border-color:#a5d5a5}
table{border-collapse:collapse;margin:.4rem 0 .8rem;font-size:.82rem;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid #ccd;padding:.2rem .45rem;text-align:left;vertical-align:top}th{background:#eef1f7}
th small{display:block;font-weight:400;color:#5a6270;font-size:.72rem}
td.nw{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td.na{color:#8a909a;text-align:right}
caption{text-align:left;font-weight:600;padding:.25rem 0}
figure{display:inline-block;margin:.3rem .8rem .3rem 0;vertical-align:top}figcaption{font-size:.8rem;color:#4a5260;max-width:560px}
.note{color:#4a5260;font-size:.86rem;margin:.3rem 0}.missing{color:#a33}
.flag{background:#fff6e0;border-left:4px solid #e0a000;padding:.3rem .6rem;margin:.3rem 0;font-size:.88rem}
.st-fail{color:#b42318;font-weight:600}.st-warn{color:#a15c00;font-weight:600}.st-pass{color:#1a7f37}.st-na{color:#6a7280}
details{margin:.3rem 0}summary{cursor:pointer;color:#2d5fa8;font-size:.88rem}
pre{background:#f6f8fa;border:1px solid #dde;padding:.5rem;font-size:.74rem;overflow-x:auto;max-height:28rem}
.verdict{border:2px solid #b42318;background:#fff7f6;border-radius:8px;padding:.5rem .9rem .6rem;margin:.4rem 0 .8rem}
.verdict.ok{border-color:#1a7f37;background:#f3fbf4}.verdict.warn{border-color:#c27c00;background:#fffaf0}
.verdict h2{border:0;margin:.1rem 0 .2rem;font-size:1.35rem;padding:0}
.verdict .gate{font-size:.95rem;margin:.1rem 0 .4rem}
.vgrid{display:grid;grid-template-columns:1.35fr 1fr;gap:.3rem 1.2rem}
.vgrid h3{margin:.35rem 0 .15rem;font-size:.9rem}.vgrid table{margin:.1rem 0 .3rem;font-size:.78rem}
.bar{display:inline-block;height:.7rem;background:#4c72b0;vertical-align:middle;margin-right:.3rem}
.changes li{font-size:.85rem}
"""

JS = """document.addEventListener('DOMContentLoaded',function(){function o(){var h=location.hash.slice(1);
if(!h)return;var e=document.getElementById(h);if(e&&e.tagName==='DETAILS'){e.open=true;}}
window.addEventListener('hashchange',o);o();});"""

NA = "n/a"


@dataclass(frozen=True)
class Metric:
    """A headline number: its value, what it is over (``n`` "41 queries"), and optionally
    whether it passed its limit (colours the tile) and a one-line note."""

    value: Any
    n: str | None = None
    passed: bool | None = None
    note: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: the row key, its header and (optionally) what it means."""

    key: str
    header: str = ""
    help: str = ""
    digits: int = 3
    nowrap: bool = False


@dataclass
class Section:
    """One stage of the report: headline numbers, checks, flags, figures, tables and notes.

    ``numbers`` maps a label to a value, a ``Metric``, or ``(value, passed)`` to colour a gate.
    ``tables`` holds ``(caption, rows)`` or ``(caption, rows, columns)``; ``details`` holds
    ``(summary, html)`` shown collapsed; ``html`` is raw HTML placed after the tables;
    ``checks_html`` (the stage's checks) comes right after the numbers and notes.
    """

    title: str
    numbers: dict[str, Any] = field(default_factory=dict)
    tables: list[tuple] = field(default_factory=list)
    figures: list[tuple[str, bytes]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    checks_html: str = ""
    missing: bool = False
    slug: str = ""

    @property
    def anchor(self) -> str:
        return self.slug or slug(self.title)


def fmt(value: Any, digits: int = 3) -> str:
    """A value for display: floats rounded, n/a for None/NaN, yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NA
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def _columns(rows: Sequence[Mapping[str, Any]], columns: Sequence[Column | str] | None) -> list[Column]:
    if columns:
        return [c if isinstance(c, Column) else Column(c) for c in columns]
    keys: dict[str, None] = {}
    for r in rows:
        keys.update(dict.fromkeys(k for k in r if not k.startswith("_")))
    return [Column(k) for k in keys]


def _cell(row: Mapping[str, Any], col: Column) -> str:
    value = row.get(col.key)
    raw = row.get(f"_html_{col.key}")
    nw = " class='nw'" if col.nowrap else ""
    if raw is not None:
        return f"<td{nw}>{raw}</td>"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"<td class='na'>{NA}</td>"
    cls = " class='n'" if isinstance(value, (int, float)) and not isinstance(value, bool) else nw
    return f"<td{cls}>{esc(fmt(value, col.digits))}</td>"


def table_html(rows: Sequence[Mapping[str, Any]], caption: str = "", max_rows: int = 300,
               columns: Sequence[Column | str] | None = None) -> str:
    """An HTML table of dict rows; columns as given (else first-seen keys). A key
    ``_html_<col>`` holds ready HTML for that cell (a link); None shows as n/a."""
    rows = list(rows)
    if not rows:
        return f"<p class='note'>{esc(caption)}: no rows</p>"
    cols = _columns(rows, columns)
    head = "".join(f"<th>{esc(c.header or c.key)}{f'<small>{esc(c.help)}</small>' if c.help else ''}</th>" for c in cols)
    body = "".join(f"<tr>{''.join(_cell(r, c) for c in cols)}</tr>" for r in rows[:max_rows])
    more = f"<p class='note'>{len(rows) - max_rows} more rows not shown</p>" if len(rows) > max_rows else ""
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def numbers_html(numbers: Mapping[str, Any]) -> str:
    out = []
    for label, value in numbers.items():
        metric = value if isinstance(value, Metric) else (
            Metric(value[0], passed=value[1]) if isinstance(value, tuple) else Metric(value))
        cls = "" if metric.passed is None else (" pass" if metric.passed else " fail")
        n = f"<i>of {esc(metric.n)}</i>" if metric.n else ""
        note = f"<i>{esc(metric.note)}</i>" if metric.note else ""
        out.append(f"<div class='num{cls}'><b>{esc(fmt(metric.value))}</b><span>{esc(label)}</span>{n}{note}</div>")
    return f"<div class='numbers'>{''.join(out)}</div>" if out else ""


def _png_width(png: bytes) -> int:
    return int.from_bytes(png[16:20], "big") if png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 24 else 0


def figure_html(caption: str, png: bytes, width: int = 560) -> str:
    """An inlined PNG at its natural width, at most ``width`` px (never blown up)."""
    width = min(width, _png_width(png) or width)
    data = base64.b64encode(png).decode()
    alt = esc(caption)
    return (f"<figure><img src='data:image/png;base64,{data}' alt='{alt}' width='{width}'>"
            f"<figcaption>{alt}</figcaption></figure>")


def details_html(summary: str, body: str, anchor: str = "") -> str:
    ident = f" id='{esc(anchor)}'" if anchor else ""
    return f"<details{ident}><summary>{esc(summary)}</summary>{body}</details>"


def section_html(s: Section) -> str:
    body = [numbers_html(s.numbers)]
    body += [f"<p class='flag'>⚠ {esc(f)}</p>" for f in s.flags]
    body += [f"<p class='note'>{esc(n)}</p>" for n in s.notes]
    body.append(s.checks_html)
    body += [figure_html(caption, png) for caption, png in s.figures if png]
    for t in s.tables:
        caption, rows, *cols = t
        body.append(table_html(rows, caption, columns=cols[0] if cols else None))
    body += s.html
    body += [details_html(summary, inner) for summary, inner in s.details]
    return f"<section id='{esc(s.anchor)}'><h2>{esc(s.title)}</h2>{''.join(body)}</section>"


def render_report(title: str, sections: Iterable[Section], subtitle: str = "", top: str = "",
                  nav_extra: Sequence[tuple[str, str]] = ()) -> str:
    """The whole report as one HTML document: title, links, ``top`` (the verdict block, raw
    HTML), then one part per section."""
    sections = list(sections)
    links = [*nav_extra, *((s.anchor, s.title) for s in sections)]
    nav = " ".join(f"<a href='#{esc(a)}'>{esc(t)}</a>" for a, t in links)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<meta name='viewport' content='width=device-width'><style>{CSS}</style><script>{JS}</script></head>"
            f"<body><h1>{esc(title)}</h1><p class='meta'>{esc(subtitle)}</p><nav>{nav}</nav>{top}"
            f"{''.join(section_html(s) for s in sections)}</body></html>")
