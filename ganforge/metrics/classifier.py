"""A small CNN classifier trained on real data: the in-domain feature extractor (FID, KID, PR/DC in its
128-d feature space) and the judge of class accuracy. Saved as safetensors with its config in the header.

Architecture: three stages of two 3×3 conv–BN–ReLU layers (16, 32, 64 channels; the last stage 128 at its
end) with 2×2 max-pools, global average pooling to 128 features, dropout, and a linear layer to the classes.
"""
from __future__ import annotations

import json
import pathlib
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from ..errors import GanforgeError
from ..fileio import atomic_write
from ..pretrained import load_strict

FORMAT = "ganforge-classifier"


def _stage(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class DomainClassifier(nn.Module):
    def __init__(self, channels: int, resolution: int, num_classes: int, class_names: list[str] | None = None):
        super().__init__()
        self.config = {"channels": channels, "resolution": resolution, "num_classes": num_classes,
                       "class_names": list(class_names or [str(i) for i in range(num_classes)])}
        self.body = nn.Sequential(*_stage(channels, 16), *_stage(16, 16), nn.MaxPool2d(2),
                                  *_stage(16, 32), *_stage(32, 32), nn.MaxPool2d(2),
                                  *_stage(32, 64), *_stage(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(128, num_classes)

    feature_dim = 128

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x: float [B, C, R, R] in [-1, 1] -> (features [B, 128], logits [B, classes])."""
        features = self.body(x)
        return features, self.head(self.dropout(features))


def to_input(images_uint8: torch.Tensor, channels: int, resolution: int) -> torch.Tensor:
    """uint8 images of any size and 1 or 3 channels -> the classifier's float input in [-1, 1]."""
    x = images_uint8.float()
    if x.shape[1] == 3 and channels == 1:
        x = (x * torch.tensor([0.299, 0.587, 0.114], device=x.device)[None, :, None, None]).sum(1, keepdim=True)
    elif x.shape[1] == 1 and channels == 3:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[-1] != resolution or x.shape[-2] != resolution:
        x = F.interpolate(x, size=(resolution, resolution), mode="bilinear", antialias=True, align_corners=False)
    return x / 127.5 - 1.0


def save_classifier(model: DomainClassifier, path, extra: dict | None = None) -> None:
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    meta = {"format": FORMAT, "config": json.dumps(model.config), "info": json.dumps(extra or {})}
    atomic_write(pathlib.Path(path), lambda tmp: save_file(tensors, str(tmp), metadata=meta))


def load_classifier(path) -> tuple[DomainClassifier, dict]:
    path = pathlib.Path(path).expanduser()
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except (SafetensorError, OSError, ValueError) as e:
        raise GanforgeError(f"{path}: cannot read a classifier ({e})") from None
    if meta.get("format") != FORMAT:
        raise GanforgeError(f"{path}: not a ganforge classifier (format {meta.get('format')!r})")
    model = DomainClassifier(**json.loads(meta["config"]))
    load_strict(model, tensors, path)
    return model.eval(), json.loads(meta.get("info", "{}"))


@torch.no_grad()
def accuracy(model: DomainClassifier, images: torch.Tensor, labels: torch.Tensor, batch: int = 500) -> float:
    model.eval()
    c, r = model.config["channels"], model.config["resolution"]
    correct = 0
    for i in range(0, len(images), batch):
        _, logits = model(to_input(images[i:i + batch], c, r))
        correct += (logits.argmax(1) == labels[i:i + batch]).sum().item()
    return correct / len(images)


def train_classifier(images: torch.Tensor, labels: torch.Tensor, class_names: list[str], epochs: int = 8,
                     batch_size: int = 128, lr: float = 2e-3, seed: int = 0, log=print) -> DomainClassifier:
    """Train on uint8 images [N, C, R, R] with random 2-px shifts and horizontal flips (Adam, cosine decay)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    n, c, r = images.shape[0], images.shape[1], images.shape[-1]
    model = DomainClassifier(c, r, len(class_names), class_names)
    steps = epochs * (n // batch_size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(n, generator=gen)
        total = 0.0
        for b in range(n // batch_size):
            idx = order[b * batch_size:(b + 1) * batch_size]
            x = to_input(images[idx], c, r)
            flip = torch.rand(len(x), generator=gen) < 0.5
            x = torch.where(flip[:, None, None, None], x.flip(-1), x)
            dx, dy = torch.randint(-2, 3, (2,), generator=gen).tolist()
            x = torch.roll(F.pad(x, (2, 2, 2, 2), value=-1.0), (dy, dx), (2, 3))[:, :, 2:-2, 2:-2]
            loss = F.cross_entropy(model(x)[1], labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        log(f"epoch {epoch + 1}/{epochs}: loss {total / (n // batch_size):.4f} ({time.perf_counter() - t0:.0f} s)")
    return model.eval()
