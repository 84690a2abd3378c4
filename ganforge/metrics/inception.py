"""The TF "2015-12-05" Inception-v3 used by FID, IS and KID, in PyTorch.

Same layout and parameter names as torchvision's ``Inception3`` (566 state-dict keys, no auxiliary head), with
the differences of the TF graph that pytorch-fid and torch-fidelity reproduce: average pools that ignore
padding (``count_include_pad=False``) in Mixed_5b–5d, 6b–6e and 7b, a max pool in Mixed_7c's pool branch,
and a 1008-way classifier. Either public weights file (pytorch-fid's ``pt_inception-2015-12-05-6726825d.pth``,
torch-fidelity's ``weights-inception-2015-12-05-6726825d.pth``) loads strictly.

Inputs are uint8-valued images; two resize modes bring them to 299×299: ``tf`` (TF1 ``resize_bilinear``
without half-pixel centres, as torch-fidelity) and ``clean`` (PIL bicubic on float images, as clean-fid).
Outputs: 64-, 192-, 768- and 2048-d pooled features, logits, and logits without the fc bias (torch-fidelity's
``logits_unbiased``, used for IS).
"""
from __future__ import annotations

import os
import pathlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

from ..errors import GanforgeError
from ..interop import load_torch_weights
from ..pretrained import load_strict

WEIGHTS_NAME = "pt_inception-2015-12-05-6726825d.pth"
WEIGHTS_URL = f"https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/{WEIGHTS_NAME}"
RESIZE_MODES = ("tf", "clean")


class BasicConv2d(nn.Module):
    def __init__(self, cin: int, cout: int, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def _avg_pool(x):
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


class InceptionA(nn.Module):
    def __init__(self, cin: int, pool_features: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(cin, 48, kernel_size=1)
        self.branch5x5_2 = BasicConv2d(48, 64, kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, kernel_size=1)

    def forward(self, x):
        return torch.cat([self.branch1x1(x), self.branch5x5_2(self.branch5x5_1(x)),
                          self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          self.branch_pool(_avg_pool(x))], 1)


class InceptionB(nn.Module):
    def __init__(self, cin: int):
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, 384, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, 64, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, kernel_size=3, stride=2)

    def forward(self, x):
        return torch.cat([self.branch3x3(x), self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x))),
                          F.max_pool2d(x, 3, stride=2)], 1)


class InceptionC(nn.Module):
    def __init__(self, cin: int, c7: int):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        d = x
        for layer in (self.branch7x7dbl_1, self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4,
                      self.branch7x7dbl_5):
            d = layer(d)
        return torch.cat([self.branch1x1(x), b7, d, self.branch_pool(_avg_pool(x))], 1)


class InceptionD(nn.Module):
    def __init__(self, cin: int):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch3x3_2 = BasicConv2d(192, 320, kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, 192, kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, kernel_size=3, stride=2)

    def forward(self, x):
        b7 = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([self.branch3x3_2(self.branch3x3_1(x)), b7, F.max_pool2d(x, 3, stride=2)], 1)


class InceptionE(nn.Module):
    """``max_pool`` selects Mixed_7c's TF variant (a max pool in the pool branch)."""

    def __init__(self, cin: int, max_pool: bool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = BasicConv2d(cin, 320, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(cin, 384, kernel_size=1)
        self.branch3x3_2a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, 448, kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(cin, 192, kernel_size=1)

    def forward(self, x):
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        d = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        d = torch.cat([self.branch3x3dbl_3a(d), self.branch3x3dbl_3b(d)], 1)
        pooled = F.max_pool2d(x, 3, stride=1, padding=1) if self.max_pool else _avg_pool(x)
        return torch.cat([self.branch1x1(x), b3, d, self.branch_pool(pooled)], 1)


class InceptionV3TF(nn.Module):
    FEATURES = ("64", "192", "768", "2048", "logits", "logits_unbiased")

    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = BasicConv2d(3, 32, kernel_size=3, stride=2)
        self.Conv2d_2a_3x3 = BasicConv2d(32, 32, kernel_size=3)
        self.Conv2d_2b_3x3 = BasicConv2d(32, 64, kernel_size=3, padding=1)
        self.Conv2d_3b_1x1 = BasicConv2d(64, 80, kernel_size=1)
        self.Conv2d_4a_3x3 = BasicConv2d(80, 192, kernel_size=3)
        self.Mixed_5b = InceptionA(192, pool_features=32)
        self.Mixed_5c = InceptionA(256, pool_features=64)
        self.Mixed_5d = InceptionA(288, pool_features=64)
        self.Mixed_6a = InceptionB(288)
        self.Mixed_6b = InceptionC(768, c7=128)
        self.Mixed_6c = InceptionC(768, c7=160)
        self.Mixed_6d = InceptionC(768, c7=160)
        self.Mixed_6e = InceptionC(768, c7=192)
        self.Mixed_7a = InceptionD(768)
        self.Mixed_7b = InceptionE(1280, max_pool=False)
        self.Mixed_7c = InceptionE(2048, max_pool=True)
        self.fc = nn.Linear(2048, 1008)

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """x: float [B, 3, 299, 299] already normalised to (v - 128) / 128 -> every feature."""
        out = {}
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, 3, stride=2)
        out["64"] = x.mean((2, 3))
        x = F.max_pool2d(self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x)), 3, stride=2)
        out["192"] = x.mean((2, 3))
        for name in ("Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a", "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"):
            x = getattr(self, name)(x)
        out["768"] = x.mean((2, 3))
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))
        pool = x.mean((2, 3))
        out["2048"] = pool
        out["logits_unbiased"] = pool @ self.fc.weight.t()
        out["logits"] = out["logits_unbiased"] + self.fc.bias
        return out


# ---- resizing --------------------------------------------------------------------------------

def _tf1_axis(size_in: int, size_out: int):
    """TF1 resize_bilinear (align_corners=False, no half-pixel centres): source = dst * in / out."""
    src = torch.arange(size_out, dtype=torch.float64) * (size_in / size_out)
    lo = src.floor().long().clamp(max=size_in - 1)
    hi = (lo + 1).clamp(max=size_in - 1)
    return lo, hi, (src - lo).float()


def resize_tf(x: torch.Tensor, size: int = 299) -> torch.Tensor:
    """float [B, C, H, W] -> [B, C, size, size], bilinear as TensorFlow 1.x's resize_bilinear."""
    lo, hi, w = _tf1_axis(x.shape[2], size)
    x = torch.lerp(x[:, :, lo], x[:, :, hi], w.to(x)[None, None, :, None])
    lo, hi, w = _tf1_axis(x.shape[3], size)
    return torch.lerp(x[:, :, :, lo], x[:, :, :, hi], w.to(x)[None, None, None, :])


def resize_clean(x: torch.Tensor, size: int = 299) -> torch.Tensor:
    """float [B, C, H, W] (0..255) -> [B, C, size, size]: PIL bicubic on each float channel (clean-fid)."""
    arr = x.detach().cpu().numpy().astype(np.float32)
    out = np.empty((*arr.shape[:2], size, size), dtype=np.float32)
    for i in range(arr.shape[0]):
        for c in range(arr.shape[1]):
            out[i, c] = np.asarray(Image.fromarray(arr[i, c], mode="F").resize((size, size), Image.BICUBIC))
    return torch.from_numpy(out).clamp_(0, 255).to(x.device)


def prepare(images_uint8: torch.Tensor, resize: str) -> torch.Tensor:
    """uint8 [B, C, H, W] (C = 1 or 3) -> the network's input: 3 channels, 299×299, (v - 128) / 128."""
    x = images_uint8.float()
    if x.shape[1] == 1:
        x = x.expand(-1, 3, -1, -1)
    if x.shape[2:] != (299, 299):
        x = resize_tf(x) if resize == "tf" else resize_clean(x)
    return (x - 128.0) / 128.0


# ---- weights ---------------------------------------------------------------------------------

def default_weights_path() -> pathlib.Path:
    return pathlib.Path(torch.hub.get_dir()) / "checkpoints" / WEIGHTS_NAME


def find_weights(path=None, allow_download: bool | None = None) -> pathlib.Path:
    """The weights file: ``path`` if given, else the torch hub cache, downloading it there once when this
    machine can (set GANFORGE_OFFLINE=1 to never try)."""
    if path is not None:
        path = pathlib.Path(path).expanduser()
        if not path.is_file():
            raise GanforgeError(f"--inception-weights {path} does not exist")
        return path
    cached = default_weights_path()
    if cached.is_file():
        return cached
    if allow_download is None:
        allow_download = os.environ.get("GANFORGE_OFFLINE", "") not in ("1", "true", "yes")
    if allow_download:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(WEIGHTS_URL, str(cached), progress=True)
            return cached
        except Exception as e:  # any network failure means: offline
            reason = f" (download failed: {e.__class__.__name__})"
    else:
        reason = ""
    raise GanforgeError(f"the Inception weights are not on this machine{reason}. Download {WEIGHTS_NAME} from "
                        f"{WEIGHTS_URL} (or torch-fidelity's weights-inception-2015-12-05-6726825d.pth) and pass "
                        f"--inception-weights PATH, or put it at {cached}")


def load_inception(path=None, allow_download: bool | None = None, random_init: bool = False) -> InceptionV3TF:
    """The network in eval mode; ``random_init`` (tests only) skips the weights."""
    net = InceptionV3TF()
    if not random_init:
        weights = find_weights(path, allow_download)
        load_strict(net, load_torch_weights(weights), weights)
    return net.eval().requires_grad_(False)
