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


def attention_sheet(image: torch.Tensor, query_maps: dict, mean_maps: dict, query_xy, scale: int = 4):
    """One row: the sample, each layer's map for the query (marked), then each layer's mean map (the
    attention each position receives, averaged over all queries)."""
    x, y = query_xy
    rgb = image.float().expand(3, -1, -1) if image.shape[0] == 1 else image.float()
    tiles, labels = [mark(rgb, x, y)], ["sample"]
    for name, heat in query_maps.items():
        tiles.append(mark(overlay(image, heat), x, y))
        labels.append(f"{name} @({x},{y})")
    for name, heat in mean_maps.items():
        tiles.append(overlay(image, heat))
        labels.append(f"{name} mean")
    return labelled_sheet(torch.stack(tiles)[None], [""], scale=scale, column_labels=labels)
