"""Attention heatmaps drawn over the generated image."""
from __future__ import annotations

import torch

from .grid import labelled_sheet

MARKER = torch.tensor([-1.0, 0.6, 1.0])  # cyan, in [-1, 1]


def heat_colors(values: torch.Tensor) -> torch.Tensor:
    """[H, W] in [0, 1] -> RGB [3, H, W] in [0, 1]: black → red → yellow → white."""
    v = values.clamp(0, 1)
    return torch.stack([(v * 3).clamp(0, 1), (v * 3 - 1).clamp(0, 1), (v * 3 - 2).clamp(0, 1)])


def overlay(image: torch.Tensor, heat: torch.Tensor, alpha: float = 0.6) -> torch.Tensor:
    """image [C, H, W] in [-1, 1], heat [H, W] (any scale) -> RGB [3, H, W] in [-1, 1]."""
    base = (image.float().clamp(-1, 1) + 1) / 2
    base = base.expand(3, -1, -1) if base.shape[0] == 1 else base
    h = heat - heat.min()
    h = h / h.max().clamp_min(1e-12)
    return ((1 - alpha) * base + alpha * heat_colors(h)) * 2 - 1


def mark(tile: torch.Tensor, x: int, y: int) -> torch.Tensor:
    """A small cross at pixel (x, y)."""
    tile = tile.clone()
    size = tile.shape[-1]
    for dx, dy in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
        if 0 <= x + dx < size and 0 <= y + dy < size:
            tile[:, y + dy, x + dx] = MARKER
    return tile


def attention_sheet(image: torch.Tensor, query_maps: list[tuple[tuple[int, int], dict]], mean_maps: dict,
                    scale: int = 4):
    """One row per query point: the sample with the query marked, then each layer's map for that query; a
    last row: the sample, then each layer's mean map (the attention each position receives, averaged over
    all queries)."""
    rgb = image.float().expand(3, -1, -1) if image.shape[0] == 1 else image.float()
    rows, row_labels = [], []
    for (x, y), maps in query_maps:
        rows.append([mark(rgb, x, y)] + [mark(overlay(image, heat), x, y) for heat in maps.values()])
        row_labels.append(f"query ({x},{y})")
    rows.append([rgb] + [overlay(image, heat) for heat in mean_maps.values()])
    row_labels.append("mean")
    return labelled_sheet(torch.stack([torch.stack(r) for r in rows]), row_labels, scale=scale,
                          column_labels=["sample"] + list(mean_maps))
