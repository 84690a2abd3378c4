"""Seeing and steering a generator's attention at sampling time.

    maps = record_attention(G, z, y)                         # {layer: [B, N, N/4] maps (self) or [B, C] (channel)}
    with steer(G, strength=0.0): imgs = G(z, y)               # attention switched off (γ × 0)
    with steer(G, focus=mask, focus_weight=4.0): ...          # queries attend toward the mask (negative: away)
    with steer(G, transplant=maps): ...                        # use sample A's maps while generating sample B
    imgs = steered_samples(G, z, y, strength=0.5, focus=mask, transplant_z=z_a)   # all of it, for CLI and web

Layers are named ``G.<block index>`` after the generator block they follow. ``steered_samples`` and
``viz.attention_sheet.attention_figure`` are what both ``ganforge sample``/``attention`` and the web demo call.
"""
from __future__ import annotations

import contextlib
import pathlib

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from .errors import GanforgeError
from .layers.attention import AttentionControl


def attention_layers(G) -> dict[str, torch.nn.Module]:
    layers = getattr(G, "attention", None)
    if not layers:
        raise GanforgeError("this model has no attention layers (model.<family>.g_attention is empty)")
    return {f"G.{k}": m for k, m in layers.items()}


@contextlib.contextmanager
def steer(G, strength: float = 1.0, focus: torch.Tensor | None = None, focus_weight: float = 4.0,
          transplant: dict | None = None, record: bool = False):
    """Attach controls to every attention layer of G for the duration of the block; yields them by name."""
    layers = attention_layers(G)
    if transplant is not None and set(transplant) != set(layers):
        raise GanforgeError(f"transplanted maps are for layers {sorted(transplant)}, this model has {sorted(layers)}")
    bias = None if focus is None else focus.float() * focus_weight
    controls = {name: AttentionControl(strength=strength, record=record,
                                       focus=bias if getattr(m, "kind", "") == "self" else None,
                                       transplant=None if transplant is None else transplant[name])
                for name, m in layers.items()}
    for name, m in layers.items():
        m.control = controls[name]
    try:
        yield controls
    finally:
        for m in layers.values():
            m.control = None


@torch.no_grad()
def record_attention(G, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None, **steering):
    """(images, {layer name: maps}) for one batch, with optional steering."""
    G.eval()
    device = G.device
    with steer(G, record=True, **steering) as controls:
        images = G(z.to(device), y.to(device), truncation=truncation).float().cpu()
    return images, {name: c.recorded[0].cpu() for name, c in controls.items()}


@torch.no_grad()
def generate_steered(G, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None,
                     batch_size: int = 64, **steering) -> torch.Tensor:
    G.eval()
    device = G.device
    out = []
    transplant = steering.pop("transplant", None)
    for i in range(0, len(z), batch_size):
        part = None if transplant is None else {k: v[i:i + batch_size] for k, v in transplant.items()}
        with steer(G, transplant=part, **steering):
            out.append(G(z[i:i + batch_size].to(device), y[i:i + batch_size].to(device),
                         truncation=truncation).float().cpu())
    return torch.cat(out)


def steered_samples(G, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None, strength: float = 1.0,
                    focus: torch.Tensor | None = None, focus_weight: float = 4.0,
                    transplant_z: torch.Tensor | None = None) -> torch.Tensor:
    """Samples for (z, y) with every attention layer's γ scaled by ``strength``, queries pushed toward
    ``focus`` (a mask at the image size; negative weight: away), and/or the attention maps of the samples of
    ``transplant_z`` (same classes) used in place of their own."""
    steering = {"strength": strength}
    if focus is not None:
        steering.update(focus=focus, focus_weight=focus_weight)
    if transplant_z is not None:
        steering["transplant"] = record_attention(G, transplant_z, y, truncation)[1]
    return generate_steered(G, z, y, truncation, **steering)


def load_mask(path, notify=None) -> torch.Tensor:
    """A focus mask from an image: white = 1 (attend here), black = 0; any size (pooled per layer)."""
    path = pathlib.Path(path).expanduser()
    try:
        with Image.open(path) as img:
            arr = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    except (FileNotFoundError, UnidentifiedImageError, OSError) as e:
        raise GanforgeError(f"{path}: cannot read the focus mask ({e.__class__.__name__}); give a PNG/JPEG image, "
                            f"white where attention should go") from None
    return torch.from_numpy(arr)


def fit_mask(mask: torch.Tensor, size: int, notify=None) -> torch.Tensor:
    """The mask at the image's size; a mask of another size is resized, and ``notify`` says so."""
    if tuple(mask.shape) != (size, size):
        if notify:
            notify(f"focus mask is {mask.shape[1]}x{mask.shape[0]}; resized to the image size {size}x{size}")
        mask = F.interpolate(mask[None, None], size=(size, size), mode="bilinear", align_corners=False)[0, 0]
    return mask


def query_heatmaps(maps: dict[str, torch.Tensor], query_xy: tuple[int, int], image_size: int,
                   sample: int = 0) -> dict[str, torch.Tensor]:
    """For each self-attention layer, the attention of the query at pixel (x, y) of the image over the image
    (upsampled key grid, [image_size, image_size], summing to 1 over the key grid)."""
    x, y = query_xy
    if not (0 <= x < image_size and 0 <= y < image_size):
        raise GanforgeError(f"query ({x},{y}) lies outside the {image_size}x{image_size} image")
    out = {}
    for name, beta in maps.items():
        if beta.dim() != 3:
            continue  # channel attention has no spatial map
        r = int(round(beta.shape[1] ** 0.5))
        q = (y * r // image_size) * r + (x * r // image_size)
        keys = beta[sample, q].view(1, 1, r // 2, r // 2)
        out[name] = F.interpolate(keys, size=(image_size, image_size), mode="nearest")[0, 0]
    return out


def mean_heatmaps(maps: dict[str, torch.Tensor], image_size: int, sample: int = 0) -> dict[str, torch.Tensor]:
    """Per layer, the attention received by each key position averaged over all queries."""
    out = {}
    for name, beta in maps.items():
        if beta.dim() != 3:
            continue
        r = int(round(beta.shape[1] ** 0.5))
        keys = beta[sample].mean(0).view(1, 1, r // 2, r // 2)
        out[name] = F.interpolate(keys, size=(image_size, image_size), mode="nearest")[0, 0]
    return out


def mask_mass(beta: torch.Tensor, mask: torch.Tensor) -> float:
    """Share of attention (averaged over queries and samples) that falls on the mask's key positions."""
    r = int(round(beta.shape[1] ** 0.5))
    pooled = F.adaptive_avg_pool2d(mask.float()[None, None], (r // 2, r // 2)).flatten()
    return float((beta * pooled[None, None, :]).sum(-1).mean())
