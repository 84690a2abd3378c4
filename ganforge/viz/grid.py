"""Image grids and sample sheets with class labels, drawn with PIL."""
from __future__ import annotations

import pathlib

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from ..fileio import atomic_write

BACKGROUND = (255, 255, 255)
TEXT = (20, 20, 20)


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """float [N, C, H, W] in [-1, 1] -> uint8 [N, H, W, 3] (greyscale is repeated to RGB)."""
    x = ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    if x.shape[1] == 1:
        x = x.repeat(1, 3, 1, 1)
    return x.permute(0, 2, 3, 1).numpy()


def _paste_rows(rows: list[np.ndarray], scale: int, gap: int, left: int) -> tuple[Image.Image, int]:
    """Place rows of images [K, H, W, 3] on a white canvas; returns the canvas and the cell height."""
    h, w = rows[0].shape[1] * scale, rows[0].shape[2] * scale
    ncol = max(len(r) for r in rows)
    canvas = Image.new("RGB", (left + ncol * (w + gap) + gap, len(rows) * (h + gap) + gap), BACKGROUND)
    for r, row in enumerate(rows):
        for c, img in enumerate(row):
            tile = Image.fromarray(img)
            if scale != 1:
                tile = tile.resize((w, h), Image.NEAREST)
            canvas.paste(tile, (left + gap + c * (w + gap), gap + r * (h + gap)))
    return canvas, h


def image_grid(images: torch.Tensor, ncol: int | None = None, scale: int = 1, gap: int = 2) -> Image.Image:
    """images [N, C, H, W] in [-1, 1] -> one PIL image, ``ncol`` per row (default: about square)."""
    arr = to_uint8(images)
    ncol = ncol or max(1, int(np.ceil(np.sqrt(len(arr)))))
    rows = [arr[i:i + ncol] for i in range(0, len(arr), ncol)]
    return _paste_rows(rows, scale, gap, 0)[0]


def labelled_sheet(rows: torch.Tensor, labels: list[str], scale: int = 1, gap: int = 2,
                   column_labels: list[str] | None = None) -> Image.Image:
    """rows [R, K, C, H, W] in [-1, 1] -> a sheet with one labelled row per entry of ``labels``."""
    flat = to_uint8(rows.flatten(0, 1))
    arr = flat.reshape(rows.shape[0], rows.shape[1], *flat.shape[1:])
    cell = rows.shape[-1] * scale
    font = ImageFont.load_default(size=max(10, min(18, cell // 3)))
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left = 8 + max(probe.textbbox((0, 0), str(t), font=font)[2] for t in labels)
    top = 0
    if column_labels:
        top = 4 + max(probe.textbbox((0, 0), str(t), font=font)[3] for t in column_labels)
    body, h = _paste_rows(list(arr), scale, gap, left)
    canvas = Image.new("RGB", (body.width, body.height + top), BACKGROUND)
    canvas.paste(body, (0, top))
    draw = ImageDraw.Draw(canvas)
    for r, text in enumerate(labels):
        y = top + gap + r * (h + gap) + h // 2
        draw.text((4, y), str(text), fill=TEXT, font=font, anchor="lm")
    for c, text in enumerate(column_labels or []):
        x = left + gap + c * (cell + gap) + cell // 2
        draw.text((x, top // 2), str(text), fill=TEXT, font=font, anchor="mm")
    return canvas


def save_png(image: Image.Image, path) -> pathlib.Path:
    path = pathlib.Path(path)
    atomic_write(path, lambda tmp: image.save(tmp, format="PNG"))
    return path


def titled(picture: Image.Image, title: str) -> Image.Image:
    """``picture`` under a one-line title."""
    font = ImageFont.load_default(size=16)
    out = Image.new("RGB", (picture.width, picture.height + 24), BACKGROUND)
    ImageDraw.Draw(out).text((8, 3), title, fill=TEXT, font=font)
    out.paste(picture.convert("RGB"), (0, 24))
    return out


def side_by_side(pictures: list[Image.Image], gap: int = 12) -> Image.Image:
    """Pictures in one row, top-aligned, ``gap`` pixels apart."""
    out = Image.new("RGB", (sum(p.width for p in pictures) + gap * (len(pictures) - 1),
                            max(p.height for p in pictures)), BACKGROUND)
    x = 0
    for picture in pictures:
        out.paste(picture.convert("RGB"), (x, 0))
        x += picture.width + gap
    return out
