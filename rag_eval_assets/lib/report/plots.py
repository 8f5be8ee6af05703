"""Small PNG plots for the report and for Dagster Markdown metadata (embedded as data URIs).

Readability rules: every line has its own marker and dash style (two lines on top of each other
stay visible), legends sit outside the plotting area, bars carry their value and the count it
is over, a cell or bar without a value says n/a instead of drawing 0.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Mapping, Sequence

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)))
COLORS = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def _figure(size: tuple[float, float] = (6.4, 3.6)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size, dpi=100)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _missing(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def xy_plot_png(series: Mapping[str, tuple[Sequence[float], Sequence[float | None]]], xlabel: str,
                ylabel: str, title: str, ylim: tuple[float, float] | None = (-0.02, 1.02),
                logx: bool = False, vline: tuple[float, str] | None = None) -> bytes:
    """Lines of (x, y) points, one per series (None y values are gaps), each with its own
    marker and dash style, legend outside on the right; ``vline`` marks e.g. the configured value."""
    plt, fig, ax = _figure()
    for i, (name, (xs, ys)) in enumerate(series.items()):
        ax.plot(xs, [float("nan") if _missing(y) else y for y in ys], label=name, color=COLORS[i % len(COLORS)],
                marker=MARKERS[i % len(MARKERS)], linestyle=DASHES[i % len(DASHES)], markersize=6 + (i % 3),
                markerfacecolor="none" if i % 2 else COLORS[i % len(COLORS)], linewidth=1.6, alpha=0.9)
    if vline is not None:
        ax.axvline(vline[0], color="#444", linestyle=":", linewidth=1)
        ax.annotate(vline[1], (vline[0], 1.0), xycoords=("data", "axes fraction"), fontsize=8, ha="left",
                    va="top", xytext=(3, -3), textcoords="offset points")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    if ylim:
        ax.set_ylim(*ylim)
    if logx:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(plt, fig)


def line_plot_png(x: Sequence[float], series: Mapping[str, Sequence[float | None]], xlabel: str,
                  ylabel: str, title: str, vline: tuple[float, str] | None = None) -> bytes:
    """A line plot with a shared x axis (one line per series) as PNG bytes."""
    return xy_plot_png({name: (x, ys) for name, ys in series.items()}, xlabel, ylabel, title, vline=vline)


def bar_plot_png(values: Mapping[str, float | None], ylabel: str, title: str, horizontal: bool = False,
                 labels: Mapping[str, str] | None = None, highlight: Sequence[str] = ()) -> bytes:
    """Bars in the given order, each labelled with its value (or ``labels[name]``, e.g.
    "18 of 71"); None draws no bar and says n/a. ``highlight`` bars are drawn in red."""
    names = list(values)
    plt, fig, ax = _figure((6.4, max(2.2, 0.42 * len(names) + 1.0)) if horizontal else (6.4, 3.6))
    heights = [0.0 if _missing(values[n]) else float(values[n]) for n in names]
    colors = ["#c44e52" if n in highlight else "#4c72b0" for n in names]
    bars = (ax.barh if horizontal else ax.bar)(names, heights, color=colors)
    for name, bar in zip(names, bars):
        text = (labels or {}).get(name) or ("n/a" if _missing(values[name]) else _short(values[name]))
        if horizontal:
            ax.annotate(text, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                        textcoords="offset points", va="center", fontsize=8)
        else:
            ax.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                        textcoords="offset points", ha="center", fontsize=8)
    (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
    if horizontal:
        ax.invert_yaxis()
        ax.set_xlim(0, max(heights or [1]) * 1.25 or 1)
    else:
        ax.tick_params(axis="x", labelrotation=30)
        ax.set_ylim(0, max(heights or [1]) * 1.18 or 1)
    ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3, axis="x" if horizontal else "y")
    return _png(plt, fig)


def _short(v: float) -> str:
    return f"{v:.3f}" if isinstance(v, float) and not float(v).is_integer() else f"{int(v)}"


def grouped_bar_png(groups: Sequence[str], series: Mapping[str, Sequence[float | None]], ylabel: str, title: str,
                    ylim: tuple[float, float] | None = (0, 1.1)) -> bytes:
    """Grouped bars: one group per ``groups`` entry, one bar per series (hatched per series so
    they read in grey too), values on the bars, n/a where a value is missing; legend outside."""
    import numpy as np

    plt, fig, ax = _figure((max(6.4, 0.9 * len(groups) * max(1, len(series)) * 0.5 + 2.5), 3.6))
    width = 0.8 / max(1, len(series))
    x = np.arange(len(groups))
    hatches = ("", "//", "..", "xx", "\\\\", "--")
    for i, (name, values) in enumerate(series.items()):
        pos = x - 0.4 + width * (i + 0.5)
        heights = [0.0 if _missing(v) else float(v) for v in values]
        ax.bar(pos, heights, width * 0.95, label=name, color=COLORS[i % len(COLORS)], hatch=hatches[i % len(hatches)],
               edgecolor="white")
        for p, v in zip(pos, values):
            ax.annotate("n/a" if _missing(v) else f"{v:.2f}", (p, 0 if _missing(v) else v), xytext=(0, 2),
                        textcoords="offset points", ha="center", fontsize=7, rotation=90 if len(series) > 2 else 0)
    ax.set_xticks(x, groups, rotation=20 if len(groups) > 4 else 0, ha="right" if len(groups) > 4 else "center")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=11)
    if ylim:
        ax.set_ylim(*ylim)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _png(plt, fig)


def heatmap_png(rows: Sequence[str], cols: Sequence[str], values: Mapping[tuple[str, str], float | None],
                title: str, higher_is_better: bool, vmax: float = 1.0,
                counts: Mapping[tuple[str, str], int] | None = None) -> bytes:
    """A rows × cols grid of values (e.g. parser × document class), annotated with the value
    and its document count; green = good, red = bad; a missing value is a grey "n/a" cell."""
    import numpy as np

    plt, fig, ax = _figure((1.9 + 1.05 * len(cols), 0.34 * len(rows) + 1.1))
    grid = np.array([[np.nan if _missing(values.get((r, c))) else float(values[(r, c)]) for c in cols] for r in rows])
    cmap = plt.get_cmap("RdYlGn" if higher_is_better else "RdYlGn_r").with_extremes(bad="#e6e6e6")
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            v = grid[i, j]
            n = (counts or {}).get((r, c))
            text = "n/a" if np.isnan(v) else f"{v:.3f}" + (f" ({n})" if n else "")
            norm = 0.5 if np.isnan(v) else min(1.0, max(0.0, v / vmax))
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="white" if abs(norm - 0.5) > 0.32 else "#222")
    ax.xaxis.tick_top()
    ax.set_xticks(range(len(cols)), cols, fontsize=9)
    ax.set_yticks(range(len(rows)), rows, fontsize=9)
    ax.set_title(title, fontsize=11)
    return _png(plt, fig)


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown image with the PNG inlined as a data URI (renders in the Dagster UI)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
