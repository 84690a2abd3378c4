"""Image conversions done with PIL and numpy: channel modes, resize + centre crop, padding."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageOps

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


def pil_to_array(img: Image.Image, resolution: int, channels: int, fit: str = "crop",
                 background: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Any PIL image -> uint8 [channels, resolution, resolution], upright as its EXIF orientation says, its
    transparent pixels composited onto ``background``. ``fit``: 'crop' resizes the short side to ``resolution``
    (bicubic) and crops the centre; 'pad' resizes the long side and centres the image on ``background``."""
    img = to_mode(ImageOps.exif_transpose(img), channels, background)
    w, h = img.size
    if (w, h) != (resolution, resolution):
        scale = resolution / (min(w, h) if fit == "crop" else max(w, h))
        if fit == "crop":
            nw, nh = max(resolution, round(w * scale)), max(resolution, round(h * scale))
        else:
            nw, nh = max(1, min(resolution, round(w * scale))), max(1, min(resolution, round(h * scale)))
        img = img.resize((nw, nh), Image.BICUBIC, reducing_gap=None)
        if fit == "crop":
            left, top = (nw - resolution) // 2, (nh - resolution) // 2
            img = img.crop((left, top, left + resolution, top + resolution))
        else:
            fill = background if img.mode == "RGB" else int(round(float(_LUMA @ np.array(background, np.float32))))
            canvas = Image.new(img.mode, (resolution, resolution), fill)
            canvas.paste(img, ((resolution - nw) // 2, (resolution - nh) // 2))
            img = canvas
    arr = np.asarray(img, dtype=np.uint8)
    return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)


def has_alpha(img: Image.Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)


def to_mode(img: Image.Image, channels: int, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Convert palette, 16-bit, alpha and CMYK images to L (1 channel) or RGB (3 channels); transparent pixels
    are composited onto ``background``."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16/32-bit greyscale: scale to 8 bits
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or arr.max() > 255 else 255.0
        img = Image.fromarray(np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8), "L")
    if has_alpha(img):
        rgba = img.convert("RGBA")
        img = Image.alpha_composite(Image.new("RGBA", rgba.size, (*background, 255)), rgba)
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
