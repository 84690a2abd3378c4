"""Attention heatmaps drawn over the generated image; :func:`attention_figure` is the whole picture for a sample
and query points (``ganforge attention`` and the web demo)."""
from __future__ import annotations

import torch

from ..errors import GanforgeError
from ..steering import mean_heatmaps, query_heatmaps, record_attention
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


def attention_figure(G, z: torch.Tensor, y: torch.Tensor, queries: list[tuple[int, int]],
                     truncation: float | None = None):
    """The sheet of :func:`attention_sheet` for the first sample of (z, y) and the query pixels (x, y);
    returns (picture, number of spatial attention layers)."""
    images, maps = record_attention(G, z, y, truncation)
    size = G.image_shape[-1]
    spatial = {k: v for k, v in maps.items() if v.dim() == 3}
    if not spatial:
        raise GanforgeError("this model's attention layers are channel attention: they have no spatial maps to draw")
    sheet = attention_sheet(images[0], [(q, query_heatmaps(spatial, q, size)) for q in queries],
                            mean_heatmaps(spatial, size), scale=max(1, 128 // size))
    return sheet, len(spatial)
