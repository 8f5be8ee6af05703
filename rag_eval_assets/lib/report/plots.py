"""Small PNG plots for Dagster Markdown metadata (embedded as data URIs)."""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence


def line_plot_png(x: Sequence[float], series: Mapping[str, Sequence[float | None]], xlabel: str,
                  ylabel: str, title: str) -> bytes:
    """A line plot (one line per series; None values are gaps) as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.6), dpi=100)
    for name, ys in series.items():
        ax.plot(x, [float("nan") if y is None else y for y in ys], marker="o", label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def markdown_image(png: bytes, alt: str) -> str:
    """Markdown image with the PNG inlined as a data URI (renders in the Dagster UI)."""
    return f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})"
