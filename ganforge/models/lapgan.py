"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of class-conditional GANs.

The pyramid of an image I: I_0 = I at the coarsest level's 8 px, and for each finer level k the band-pass
residual h_k = I_k − up(I_{k−1}), where I_k is I average-pooled to 8·2^k px and ``up`` is nearest ×2
upsampling; the coarsest image plus the residuals rebuild I exactly (:func:`laplacian_pyramid`,
:func:`reconstruct`). G_0 makes the 8 px image from (z, y); G_k makes h_k from the upsampled coarser image,
a noise plane (a per-level linear map of z) and the class; sampling runs coarse to fine. D_0 judges the 8 px
image, D_k the pair (up(I_{k−1}), h_k), each with the class as extra input maps. With
``model.mbstd_by_class`` each D_k has the class-wise minibatch-stddev map at 4×4 (not in the paper).

Training goes level by level (the growth schedule with ``growth.fade = 0``; the preset's
``growth.stable_images`` per level): at level k only G_k and D_k learn, and the EMA keeps its average of each finished G_j
(``finished_state``) rather than drifting to G_j's last weights. As in the paper, G_k learns to refine *real*
coarse images: the generator declares ``real_context``, so training hands it a real batch (``context=``) and asks
for fakes of those reals' classes, and G_k refines each real's I_{k−1}. Each generated residual is projected
to zero mean over every 2×2 block (h − up(pool(h))), as a real residual is, so a fake's own coarse image is
exactly the real one it refines: D_k, which splits whatever it sees into its coarse image and residual, sees
the same real coarse image beside a real and a generated residual, and can only judge the residual in its
context. Sampling (no context) feeds each G_k the image the coarser generators made.

G_k's body (``model.lapgan.refiner``): ``convs``, three 3×3 convolutions at the level's size (each output pixel
sees 7 px of the coarse image), or ``unet`` (not in the paper), a path down two stride-2 steps to a quarter of the
size and back up with skip connections, so that at 16 px each output pixel sees the whole coarse image.
With ``model.lapgan.context_noise`` σ (not in the paper; cascaded diffusion models' conditioning augmentation), G_k
reads the real coarse image with Gaussian noise of std σ added at its own size in training, while its residual
still refines the clean one: a G_k that has learnt to draw through noise is less thrown by the flaws of the
coarser generators' images it refines at sampling. With ``model.lapgan.chain_share`` s (not in the paper) that share
of each training batch's G_k refines the coarse image the finished generators G_0 .. G_{k−1} draw from the
fake's own z (their batch norm on its running statistics) instead of the real one, so G_k also learns on the
inputs it refines when sampling. That is G's own update only: D's fakes (drawn without gradients) all refine real
images, since a D_k that also judged drawn ones told them by their coarse image alone.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..fields import option
from .spec import ModelSpec
from ..layers import ClassEmbedding
from ..layers.conditioning import class_maps
from ..layers.minibatch import ClassStdDev, added_channels, minibatch_stddev
from . import base
from .growing import Growing, pool_to, upsample_to

def up2(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="nearest")


def _conv_bn_relu(cin: int, cout: int, kernel: int = 3, stride: int = 1) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, kernel, stride, 1), nn.BatchNorm2d(cout), nn.ReLU()]


def plain_refiner(cin: int, w: int, cout: int) -> nn.Sequential:
    """The paper's G_k body: 3×3 convolutions at the level's size."""
    return nn.Sequential(*_conv_bn_relu(cin, w), *_conv_bn_relu(w, w), nn.Conv2d(w, cout, 3, padding=1))


class UNetRefiner(nn.Module):
    """G_k's body with a downsampling path: down to a quarter of the level's size by stride-2 convolutions and
    back up, each step up joined by the features of the same size on the way down."""

    def __init__(self, cin: int, w: int, cout: int):
        super().__init__()
        self.down = nn.ModuleList([nn.Sequential(*_conv_bn_relu(cin, w)), nn.Sequential(*_conv_bn_relu(w, w, 4, 2)),
                                   nn.Sequential(*_conv_bn_relu(w, w, 4, 2))])
        self.middle = nn.Sequential(*_conv_bn_relu(w, w))
        self.up = nn.ModuleList([nn.Sequential(*_conv_bn_relu(2 * w, w)) for _ in range(2)])
        self.out = nn.Conv2d(w, cout, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for step in self.down:
            x = step(x)
            skips.append(x)
        x = self.middle(x)
        for step, skip in zip(self.up, reversed(skips[:-1])):
            x = step(torch.cat([up2(x), skip], dim=1))
        return self.out(x)


REFINERS = {"convs": plain_refiner, "unet": UNetRefiner}


def laplacian_pyramid(image: torch.Tensor, levels: int) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """(coarsest image, [h_1, ..., h_{levels−1}] finest last) of ``image`` at its own resolution."""
    images = [image]
    for _ in range(levels - 1):
        images.insert(0, F.avg_pool2d(images[0], 2))
    return images[0], [fine - up2(coarse) for coarse, fine in zip(images, images[1:])]


def reconstruct(coarsest: torch.Tensor, residuals: list[torch.Tensor]) -> torch.Tensor:
    image = coarsest
    for h in residuals:
        image = up2(image) + h
    return image


@dataclass
class LAPGANOptions(base.FamilyOptions):
    """``model.lapgan.*``"""
    refiner: str = option("convs", "G_k's body: 'convs' (the paper's 3×3 convolutions) or 'unet' (down to a quarter "
                          "of the size and back, with skips; not in the paper)", choices=["convs", "unet"])
    context_noise: float = option(0.0, "std of noise on the real coarse image G_k reads in training, not on the one "
                                  "it refines (not in the paper: conditioning augmentation; 0 = off)", lo=0.0, hi=10.0)
    chain_share: float = option(0.0, "share of G's batch whose G_k refines the coarser generators' image, not a real "
                                "one (not in the paper; 0 = all real)", lo=0.0, hi=1.0)


class Generator(Growing, base.Generator):
    base_resolution = 8
    fades = False  # trained level by level
    real_context = True  # G_k refines real coarse images in training

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, c, res = spec.model, spec.channels, spec.resolution
        self.init_stage(res)
        w = 4 * m.ch
        # one class embedding per level: a finished level must not change while a finer one learns
        self.embeds = nn.ModuleList([ClassEmbedding(self.num_classes, m.shared_dim) for _ in range(self.levels)])
        self.coarsest = nn.Sequential(  # [z, class] -> 4×4 -> 8×8 image
            nn.ConvTranspose2d(m.dim_z + m.shared_dim, 2 * w, 4, 1, 0), nn.BatchNorm2d(2 * w), nn.ReLU(),
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1), nn.BatchNorm2d(w), nn.ReLU(), nn.Conv2d(w, c, 3, padding=1),
            nn.Tanh())
        self.noise = nn.ModuleList([nn.Linear(m.dim_z, (self.base_resolution << k) ** 2)
                                    for k in range(1, self.levels)])
        refiner = REFINERS[m.options.refiner]
        self.refine = nn.ModuleList([refiner(c + 1 + m.shared_dim, w, c) for _ in range(1, self.levels)])

    def residual(self, k: int, coarse_up: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        size = coarse_up.shape[-1]
        noise = self.noise[k - 1](z).view(-1, 1, size, size)
        h = self.refine[k - 1](torch.cat([coarse_up, noise, class_maps(self.embeds[k], y, coarse_up)], dim=1))
        return h - up2(F.avg_pool2d(h, 2))  # zero mean over every 2×2 block, like a real residual

    def finished_state(self) -> frozenset[str]:
        """The entries of G_0 .. G_{level−1}, which the current level does not train."""
        done = ["coarsest.", "embeds.0."] if self.level > 0 else []
        for k in range(1, self.level):
            done += [f"embeds.{k}.", f"noise.{k - 1}.", f"refine.{k - 1}."]
        return frozenset(key for key in self.state_dict() if key.startswith(tuple(done)))

    def chain(self, z: torch.Tensor, y: torch.Tensor, level: int) -> torch.Tensor:
        """The image at ``level``'s size drawn coarse to fine from (z, y); the levels below ``self.level`` are
        finished and get no gradient."""
        with torch.set_grad_enabled(torch.is_grad_enabled() and self.level == 0):
            image = self.coarsest(torch.cat([z, self.embeds[0](y).to(z.dtype)], dim=1)[:, :, None, None])
        for k in range(1, level + 1):
            coarse_up = up2(image)
            with torch.set_grad_enabled(torch.is_grad_enabled() and k == self.level):  # finished levels are fixed
                image = coarse_up + self.residual(k, coarse_up, z, y)
        return image

    def finished_chain(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The coarse images G_0 .. G_{level−1} draw, as at sampling: no gradient, batch norm in eval mode so the
        finished levels' running statistics stay as they were."""
        modes = [(m, m.training) for m in self.modules() if isinstance(m, nn.BatchNorm2d)]
        for m, _ in modes:
            m.eval()
        try:
            with torch.no_grad():
                return self.chain(z, y, self.level - 1)
        finally:
            for m, mode in modes:
                m.train(mode)

    def forward(self, z: torch.Tensor, y: torch.Tensor, truncation: float | None = None,
                context: torch.Tensor | None = None) -> torch.Tensor:
        """Coarse to fine from (z, y); with ``context`` (real images of classes y, in training) the current
        level's residual refines their coarse image instead (level 0 has nothing to refine), or for the first
        ``model.lapgan.chain_share`` of the batch in training, the finished generators' image."""
        level, m = self.level, self.spec.model
        if context is not None and level > 0:
            coarse = pool_to(context, self.level_resolution(level - 1)).to(z.dtype)
            # G's own update only (D's fakes are drawn without gradients): a D_k that also saw these fakes
            # told them by their coarse image alone and G_k fell apart
            drawn = round(m.options.chain_share * len(z)) if self.training and torch.is_grad_enabled() else 0
            if drawn:
                coarse = torch.cat([self.finished_chain(z[:drawn], y[:drawn]).to(z.dtype), coarse[drawn:]])
            seen = coarse + m.options.context_noise * torch.randn_like(coarse) if self.training else coarse
            return upsample_to(up2(coarse) + self.residual(level, up2(seen), z, y), self.spec.resolution)
        return upsample_to(self.chain(z, y, level), self.spec.resolution)


class Discriminator(Growing, base.Discriminator):
    base_resolution = 8
    fades = False
    options = frozenset({"mbstd_by_class", "mbstd_features"})

    def __init__(self, spec: ModelSpec):
        super().__init__(spec)
        m, c, res = spec.model, spec.channels, spec.resolution
        self.init_stage(res)
        self.embed = ClassEmbedding(m.num_classes, m.shared_dim)
        # D_0 reads the 8 px image, D_k the upsampled coarse image and the residual; each with the class maps
        self.judges = nn.ModuleList([self._judge((2 if k else 1) * c + m.shared_dim, 4 * m.d_ch,
                                                 self.base_resolution << k, m) for k in range(self.levels)])

    @staticmethod
    def _judge(channels: int, w: int, resolution: int, m) -> nn.Sequential:
        """Convolutions down to 4×4, (with ``model.mbstd_by_class``: the class-wise stddev map,) the score."""
        layers, size = [nn.Conv2d(channels, w, 3, padding=1), nn.LeakyReLU(0.2)], resolution
        while size > 4:
            layers += [nn.Conv2d(w, w, 4, 2, 1), nn.LeakyReLU(0.2)]
            size //= 2
        stddev = minibatch_stddev(m)
        return nn.Sequential(*layers, *([stddev] if stddev else []), nn.Flatten(),
                             nn.Linear((w + added_channels(stddev)) * 16, 1))

    def forward(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        level = self.level
        image = pool_to(x, self.level_resolution(level))
        if level > 0:
            coarse_up = up2(F.avg_pool2d(image, 2))
            image = torch.cat([coarse_up, image - coarse_up], dim=1)  # the coarse image and the residual
        h = torch.cat([image, class_maps(self.embed, y, image)], dim=1)
        for layer in self.judges[level]:
            h = layer(h, y) if isinstance(layer, ClassStdDev) else layer(h)
        return h.squeeze(1)
