"""Curves drawn with matplotlib (the optional ``plots`` extra), saved as PNG."""
from __future__ import annotations

import pathlib

from ..errors import GanforgeError
from ..fileio import atomic_write


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GanforgeError("plots need matplotlib: pip install 'ganforge[plots]'") from None
    return plt


def metric_curves(x: list[float], series: dict[str, list[float]], xlabel: str, path, title: str = "") -> pathlib.Path:
    """One panel per series, sharing the x axis."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(series), figsize=(3.2 * len(series), 3.0), squeeze=False)
    for ax, (name, values) in zip(axes[0], series.items()):
        ax.plot(x, values, marker="o", ms=3)
        ax.set_xlabel(xlabel)
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def save_figure(fig, path) -> pathlib.Path:
    """Write the figure as PNG atomically and close it."""
    path = pathlib.Path(path)
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    _pyplot().close(fig)
    return path
