"""Image conversions done with PIL and numpy: channel modes, resize + centre crop, padding."""
from __future__ import annotations

import numpy as np
from PIL import Image

# ITU-R 601-2 luma, the weights PIL uses for RGB -> L
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def to_channels(images: np.ndarray, channels: int) -> np.ndarray:
    """uint8 [N, C, H, W] with C in {1, 3} -> uint8 [N, channels, H, W]."""
    c = images.shape[1]
    if c == channels:
        return images
    if c == 1 and channels == 3:
        return np.repeat(images, 3, axis=1)
    if c == 3 and channels == 1:
        luma = np.tensordot(_LUMA, images.astype(np.float32), axes=([0], [1]))  # [N, H, W]
        return np.clip(np.rint(luma), 0, 255).astype(np.uint8)[:, None]
    raise ValueError(f"cannot convert {c}-channel images to {channels} channels")


def pil_to_array(img: Image.Image, resolution: int, channels: int) -> np.ndarray:
    """Any PIL image -> uint8 [channels, resolution, resolution]: the short side is resized to
    ``resolution`` (bicubic when shrinking or growing), then the centre is cropped."""
    img = to_mode(img, channels)
    w, h = img.size
    scale = resolution / min(w, h)
    if (w, h) != (resolution, resolution):
        nw, nh = max(resolution, round(w * scale)), max(resolution, round(h * scale))
        img = img.resize((nw, nh), Image.BICUBIC, reducing_gap=None)
        left, top = (nw - resolution) // 2, (nh - resolution) // 2
        img = img.crop((left, top, left + resolution, top + resolution))
    arr = np.asarray(img, dtype=np.uint8)
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


def to_mode(img: Image.Image, channels: int) -> Image.Image:
    """Convert palette, 16-bit, alpha and CMYK images to L (1 channel) or RGB (3 channels)."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit greyscale: scale to 8 bits
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)  # transparent pixels become white
    return img.convert("L" if channels == 1 else "RGB")


def resize_array(images: np.ndarray, resolution: int) -> np.ndarray:
    """uint8 [N, C, h, w] -> uint8 [N, C, resolution, resolution] (PIL bicubic + centre crop per image)."""
    if images.shape[2] == images.shape[3] == resolution:
        return images
    out = np.empty((len(images), images.shape[1], resolution, resolution), dtype=np.uint8)
    for i, im in enumerate(images):
        pil = Image.fromarray(im[0] if im.shape[0] == 1 else im.transpose(1, 2, 0))
        out[i] = pil_to_array(pil, resolution, im.shape[0])
    return out


def pad_to(images: np.ndarray, size: int, value: int = 0) -> np.ndarray:
    """Centre-pad uint8 [N, C, h, w] to [N, C, size, size] (Fashion-MNIST: 28 -> 32)."""
    _, _, h, w = images.shape
    top, left = (size - h) // 2, (size - w) // 2
    return np.pad(images, ((0, 0), (0, 0), (top, size - h - top), (left, size - w - left)), constant_values=value)
