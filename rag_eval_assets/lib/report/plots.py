"""Small PNG plots for Dagster Markdown metadata (embedded as data URIs)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence


def xy_plot_png(series: Mapping[str, tuple[Sequence[float], Sequence[float | None]]], xlabel: str,
                ylabel: str, title: str, ylim: tuple[float, float] | None = (-0.02, 1.02),
                logx: bool = False) -> bytes:
    """Lines of (x, y) points, one per series (None y values are gaps), as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
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
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def line_plot_png(x: Sequence[float], series: Mapping[str, Sequence[float | None]], xlabel: str,
                  ylabel: str, title: str) -> bytes:
    """A line plot with a shared x axis (one line per series) as PNG bytes."""
    return xy_plot_png({name: (x, ys) for name, ys in series.items()}, xlabel, ylabel, title)


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown image with the PNG inlined as a data URI (renders in the Dagster UI)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
