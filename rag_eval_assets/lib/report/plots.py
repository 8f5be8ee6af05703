"""Small PNG plots for Dagster Markdown metadata (embedded as data URIs)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence


def _figure(size: tuple[float, float] = (6, 3.6)):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size, dpi=100)
    return plt, fig, ax


def _png(plt, fig) -> bytes:
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def xy_plot_png(series: Mapping[str, tuple[Sequence[float], Sequence[float | None]]], xlabel: str,
                ylabel: str, title: str, ylim: tuple[float, float] | None = (-0.02, 1.02),
                logx: bool = False) -> bytes:
    """Lines of (x, y) points, one per series (None y values are gaps), as PNG bytes."""
    plt, fig, ax = _figure()
    for name, (xs, ys) in series.items():
        ax.plot(xs, [float("nan") if y is None else y for y in ys], marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if ylim:
        ax.set_ylim(*ylim)
    if logx:
        ax.set_xscale("log")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return _png(plt, fig)


def bar_plot_png(values: Mapping[str, float], ylabel: str, title: str, horizontal: bool = False) -> bytes:
    """Bars in the given order (e.g. a histogram of first failed stages) as PNG bytes."""
    plt, fig, ax = _figure()
    labels, heights = list(values), [float(v) for v in values.values()]
    (ax.barh if horizontal else ax.bar)(labels, heights, color="#4c72b0")
    (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
    if horizontal:
        ax.invert_yaxis()
    else:
        ax.tick_params(axis="x", labelrotation=30)
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="x" if horizontal else "y")
    return _png(plt, fig)


def line_plot_png(x: Sequence[float], series: Mapping[str, Sequence[float | None]], xlabel: str,
                  ylabel: str, title: str) -> bytes:
    """A line plot with a shared x axis (one line per series) as PNG bytes."""
    return xy_plot_png({name: (x, ys) for name, ys in series.items()}, xlabel, ylabel, title)


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown image with the PNG inlined as a data URI (renders in the Dagster UI)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
