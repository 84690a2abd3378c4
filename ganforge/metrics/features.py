"""Feature extractors, by name: ``inception`` (the TF Inception-v3; 2048-d pool features, 1008-way logits)
and ``classifier:<name or path>`` (a domain classifier; 128-d features, logits over the data's classes;
``classifier:fashion-mnist`` ships with ganforge). :func:`register_extractor` adds your own.
"""
from __future__ import annotations

import pathlib
from collections.abc import Callable, Iterable

import numpy as np
import torch

from ..errors import GanforgeError
from .digest import file_digest
from .classifier import load_classifier, to_input
from .inception import RESIZE_MODES, find_weights, load_inception, prepare

WEIGHTS_DIR = pathlib.Path(__file__).parent / "weights"


class Extractor:
    """uint8 images [B, C, H, W] -> (features [B, d], logits [B, K] or None), on ``device``.

    ``identity`` names the extractor and its weights exactly (for caches and reports); ``class_names`` are the
    classes its logits refer to (None for ImageNet's Inception)."""

    name = "extractor"
    identity = "extractor"
    feature_dim = 0
    class_names: list[str] | None = None
    resize = "-"

    def __call__(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        raise GanforgeError(f"{type(self).__name__} does not implement feature extraction")


class InceptionExtractor(Extractor):
    name, feature_dim = "inception", 2048

    def __init__(self, weights=None, resize: str = "tf", device="cpu", allow_download=None, random_init=False):
        if resize not in RESIZE_MODES:
            raise GanforgeError(f"resize mode {resize!r} is unknown; choose one of {', '.join(RESIZE_MODES)}")
        self.resize, self.device = resize, torch.device(device)
        self.net = load_inception(weights, allow_download, random_init).to(self.device,
                                                                            memory_format=torch.channels_last)
        digest = "random" if random_init else file_digest(find_weights(weights, allow_download=False))
        self.identity = f"inception-2015-12-05[{digest}]"

    @torch.no_grad()
    def __call__(self, images):
        out = self.net(prepare(images.to(self.device), self.resize).contiguous(memory_format=torch.channels_last))
        return out["2048"], out["logits_unbiased"]


class ClassifierExtractor(Extractor):
    feature_dim = 128

    def __init__(self, which: str, device="cpu"):
        path = WEIGHTS_DIR / f"classifier_{which}.safetensors"
        if not path.is_file():
            path = pathlib.Path(which).expanduser()
        if not path.is_file():
            shipped = sorted(p.stem.removeprefix("classifier_") for p in WEIGHTS_DIR.glob("classifier_*.safetensors"))
            raise GanforgeError(f"no classifier {which!r}: give a shipped one ({', '.join(shipped) or 'none'}) or the "
                                f"path of one trained with tools/train_classifier.py")
        self.device = torch.device(device)
        self.model, self.info = load_classifier(path)
        self.model.to(self.device)
        self.name = f"classifier:{which}"
        self.identity = f"classifier[{file_digest(path)}]"
        self.class_names = self.model.config["class_names"]

    @torch.no_grad()
    def __call__(self, images):
        c, r = self.model.config["channels"], self.model.config["resolution"]
        return self.model(to_input(images.to(self.device), c, r))


EXTRACTORS: dict[str, Callable[..., Extractor]] = {
    "inception": lambda arg, **kw: InceptionExtractor(**kw),
    "classifier": lambda arg, device="cpu", **kw: ClassifierExtractor(arg or "fashion-mnist", device),
}


def register_extractor(name: str, factory: Callable[..., Extractor]) -> None:
    """``factory(arg, **options)`` builds the extractor for ``name`` or ``name:arg``."""
    EXTRACTORS[name] = factory


def get_extractor(spec: str, **options) -> Extractor:
    name, _, arg = spec.partition(":")
    if name not in EXTRACTORS:
        raise GanforgeError(f"unknown extractor {spec!r}; available: {', '.join(EXTRACTORS)} (e.g. inception, "
                            f"classifier:fashion-mnist)")
    with torch.random.fork_rng(devices=[]):  # building a network must not move the caller's RNG
        return EXTRACTORS[name](arg, **options)


def interleave_shards(parts: list[dict | None], sizes: list[int]) -> dict[str, np.ndarray | None]:
    """Reassemble features extracted by ``len(parts)`` ranks, rank r having taken batches r, r + world, ...
    (of ``sizes`` images each), into the order of a single pass."""
    world, offsets, pieces = len(parts), [0] * len(parts), {}
    for k, size in enumerate(sizes):
        r = k % world
        for key, value in parts[r].items():
            if value is not None:
                pieces.setdefault(key, []).append(value[offsets[r]:offsets[r] + size])
        offsets[r] += size
    merged = {key: np.concatenate(chunks) for key, chunks in pieces.items()}
    return {key: merged.get(key) for key in ("features", "logits", "labels")}


def extract(extractor: Extractor, batches: Iterable) -> dict[str, np.ndarray | None]:
    """Run the extractor over (uint8 images, labels or None) batches."""
    feats, logits, labels = [], [], []
    for images, y in batches:
        f, lg = extractor(images)
        feats.append(f.float().cpu())
        if lg is not None:
            logits.append(lg.float().cpu())
        if y is not None:
            labels.append(torch.as_tensor(y).cpu())
    if not feats:
        raise GanforgeError("no images to extract features from")
    return {"features": torch.cat(feats).numpy(), "logits": torch.cat(logits).numpy() if logits else None,
            "labels": torch.cat(labels).numpy() if labels else None}
