"""The training objective as one object: D's and G's loss terms for a batch, built from ``cfg.loss`` and
``cfg.augment`` (the way NVlabs' stylegan2-ada keeps ``loss.py`` apart from its loop). The trainer keeps
accumulation, data parallelism, precision and the EMA; it hands each call a :class:`Phase` saying how the
networks run in that phase and which random numbers are this process's share.

Each method returns the terms by name (already weighted); the trainer back-propagates their sum and logs
them. Every term can be computed without a trainer (``tests/test_loss.py``). What the objective keeps
between steps (LeCam's moving averages, the adaptive augmentation probability) is in :meth:`state_dict`,
which checkpoints carry, and is computed from values averaged over the processes, so every process holds
the same state.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Callable

import torch
import torch.nn as nn

from ..augment import Draws, diff_augment, parse_policy
from ..layers.minibatch import ClassStdDev, MinibatchDiscrimination, MinibatchStdDev
from .terms import (D_LOSSES, G_LOSSES, PAIRED, add_orthogonal_regularization_grad, gradient_penalty,
                    mode_seeking, r1_penalty, relativistic_d, relativistic_g)


@dataclass
class Phase:
    """How the loss may run the networks in one phase of a step.

    ``G`` and ``D`` are the networks as this phase runs them (data-parallel where they are trained; G under
    no_grad in D's phase); ``D_module`` is the unwrapped discriminator, for penalties and features (their
    gradients join the data-parallel average of the main loss's). ``draws`` is this process's share of the
    step's random numbers; ``real_batch`` gives a fresh real batch (feature matching, relativistic G loss);
    ``mean`` averages a dict of scalars over the processes. With ``real_context`` (a generator that declares
    it), G takes real images as ``context=`` and each fake is of its real's class."""
    G: Callable
    D: Callable
    D_module: nn.Module
    draws: Draws
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
    real_batch: Callable[[], tuple[torch.Tensor, torch.Tensor]] | None = None
    mean: Callable[[dict], dict] = lambda values: values
    real_context: bool = False


# Layers that make one image's score depend on the rest of its batch.
_BATCH_DEPENDENT = (nn.modules.batchnorm._BatchNorm, MinibatchStdDev, ClassStdDev, MinibatchDiscrimination)


def scores_separately(D: nn.Module) -> bool:
    """Whether D must score reals and fakes in separate batches, as the DCGAN and ProGAN papers' code does: with
    batch norm or minibatch statistics, a mixed batch lets D tell them apart by statistics that the all-fake
    batch of G's step never shows it (then D wins every D step and G every G step, and G collapses)."""
    return any(isinstance(m, _BATCH_DEPENDENT) for m in D.modules())


def _score_pair(phase: Phase, first: torch.Tensor, y_first: torch.Tensor, second: torch.Tensor,
                y_second: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """D's scores of two batches (fp32): in one pass where that cannot mix them, else in two."""
    if scores_separately(phase.D_module):
        return phase.D(first, y_first).float(), phase.D(second, y_second).float()
    return phase.D(torch.cat([first, second]), torch.cat([y_first, y_second])).float().split(len(first))


def _sign(v: float) -> int:
    return (v > 0) - (v < 0)


@dataclass
class GANLoss:
    loss: object  # config.LossConfig
    augment: object  # config.AugmentConfig
    ortho: dict[str, float] = field(default_factory=dict)  # "G"/"D" -> orthogonal regularisation strength

    def __post_init__(self):
        self.relativistic = self.loss.name == PAIRED
        if not self.relativistic:
            self.d_loss, self.g_loss = D_LOSSES[self.loss.name], G_LOSSES[self.loss.name]
        self.augment_ops = parse_policy(self.augment.diffaugment)
        self.adaptive = bool(self.augment_ops) and self.augment.ada_target > 0
        self.p = float(self.augment.p)  # probability of each augmentation op
        self.ada = {"sign": 0.0, "count": 0.0, "batches": 0, "r": 0.0}  # sums since the last adjustment of p
        self.anchors: dict[str, float] | None = None  # LeCam's α_R, α_F

    # ---- pieces --------------------------------------------------------------------------
    def augmented(self, x: torch.Tensor, draws: Draws) -> torch.Tensor:
        """DiffAugment of a batch D is about to see."""
        if not self.augment_ops:
            return x
        p = self.p if self.adaptive or self.p < 1 else None  # p = 1: every op on every image, no extra draw
        return diff_augment(x, self.augment_ops, draws.gen, draws.total, draws.part, p)

    def penalties(self, D: nn.Module, real: torch.Tensor, fake: torch.Tensor, y: torch.Tensor, y_fake: torch.Tensor,
                  d_real: torch.Tensor, d_fake: torch.Tensor, update: int, phase: Phase) -> dict[str, torch.Tensor]:
        """The configured regularisers of D, weighted, on the images D saw (in fp32)."""
        loss, out = self.loss, {}
        if loss.gp:
            alpha = torch.rand(phase.draws.total, generator=phase.draws.gen)[phase.draws.part]
            out["d_gp"] = loss.gp * gradient_penalty(D, real.float(), fake.float(), y, alpha)
        lazy = update % loss.r1_every == 0
        for key, weight, images, labels in (("d_r1", loss.r1, real, y), ("d_r2", loss.r2, fake, y_fake)):
            if weight:
                out[key] = weight / 2 * loss.r1_every * r1_penalty(D, images.float(), labels) if lazy else \
                    torch.zeros((), device=real.device)
        if loss.drift:
            out["d_drift"] = loss.drift * d_real.pow(2).mean()
        if loss.lecam:
            out["d_lecam"] = loss.lecam * self.lecam(d_real, d_fake, phase)
        return out

    def lecam(self, d_real: torch.Tensor, d_fake: torch.Tensor, phase: Phase) -> torch.Tensor:
        """E(D(x) − α_F)² + E(D(G(z)) − α_R)², after moving the anchors toward this batch's mean scores."""
        means = phase.mean({"real": d_real.detach().mean(), "fake": d_fake.detach().mean()})
        means = {k: float(v) for k, v in means.items()}
        if self.anchors is None:
            self.anchors = means
        else:
            decay = self.loss.lecam_decay
            self.anchors = {k: decay * self.anchors[k] + (1 - decay) * means[k] for k in means}
        return (d_real - self.anchors["fake"]).pow(2).mean() + (d_fake - self.anchors["real"]).pow(2).mean()

    def observe_reals(self, d_real: torch.Tensor, phase: Phase) -> None:
        """ADA's overfitting heuristic r = E[sign(D(x_real))]: every ``ada_interval`` D batches, p moves by
        sign(r − target) · images / ``ada_images`` (clamped to [0, 1])."""
        a, counts = self.augment, phase.mean({"sign": d_real.detach().sign().sum(),
                                              "count": torch.tensor(float(len(d_real)))})
        self.ada["sign"] += float(counts["sign"])
        self.ada["count"] += float(counts["count"])
        self.ada["batches"] += 1
        if self.ada["batches"] % a.ada_interval == 0:
            r = self.ada["sign"] / self.ada["count"]
            step = _sign(r - a.ada_target) * a.ada_interval * phase.draws.total / a.ada_images
            self.p = min(1.0, max(0.0, self.p + step))
            self.ada.update(sign=0.0, count=0.0, r=r)

    # ---- the two phases ------------------------------------------------------------------
    def d_terms(self, phase: Phase, real: torch.Tensor, y_real: torch.Tensor, z: torch.Tensor,
                y_fake: torch.Tensor, update: int = 0) -> dict[str, torch.Tensor]:
        """D's terms for one batch: fakes from G (no gradient), fakes and reals scored by D (one pass unless D
        has batch statistics), then the penalties. ``update`` counts D updates over the run (lazy regularisation)."""
        with phase.autocast():
            with torch.no_grad():
                if phase.real_context:  # each fake refines its real's context, so it is of that real's class
                    y_fake = y_real
                    fake = phase.G(z, y_fake, context=real)
                else:
                    fake = phase.G(z, y_fake)
            real_in, fake_in = self.augmented(real.to(fake.dtype), phase.draws), self.augmented(fake, phase.draws)
            d_fake, d_real = _score_pair(phase, fake_in, y_fake, real_in, y_real)  # losses in fp32
        if self.relativistic:  # D wants D(x) above D(G(z)) for each pair
            terms = {"d_loss": relativistic_d(d_real, d_fake)}
        else:
            loss_real, loss_fake = self.d_loss(d_real, d_fake)
            terms = {"d_loss_real": loss_real, "d_loss_fake": loss_fake}
        terms.update(self.penalties(phase.D_module, real_in, fake_in, y_real, y_fake, d_real, d_fake, update, phase))
        if self.adaptive:
            self.observe_reals(d_real, phase)
        return terms

    def g_terms(self, phase: Phase, z: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        """G's terms for one batch (D frozen by the trainer)."""
        context = None
        if phase.real_context:  # fakes of a fresh real batch's classes, each refining its real
            context, y = phase.real_batch()
        generate = (lambda z_, y_: phase.G(z_, y_)) if context is None else \
            (lambda z_, y_: phase.G(z_, y_, context=context[:len(z_)]))
        with phase.autocast():
            images = generate(z, y)
            fake = self.augmented(images, phase.draws)
            if self.loss.feature_matching:
                terms = self.feature_matching(phase, fake, y)
            elif self.relativistic:  # the same pairing from G's side, against a fresh real batch
                x, y_real = phase.real_batch()
                real_in = self.augmented(x.to(fake.dtype), phase.draws)
                d_fake, d_real = _score_pair(phase, fake, y, real_in, y_real)
                terms = {"g_loss": relativistic_g(d_real, d_fake)}
            else:
                terms = {"g_loss": self.g_loss(phase.D(fake, y).float())}
            if self.loss.mode_seeking:
                terms["g_mode_seeking"] = self.loss.mode_seeking * self.mode_seeking(generate, images, z, y)
        return terms

    @staticmethod
    def mode_seeking(generate: Callable, images: torch.Tensor, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """MSGAN's term over the first half of the batch, each image paired with one of the same class (and
        context) from another sample's latent (the batch's latents reversed, so no random numbers are drawn)."""
        half = len(z) // 2
        if half == 0:  # a one-image batch (a process's share) has no pair
            return images.sum() * 0.0
        z_b = z.flip(0)[:half]
        return mode_seeking(images[:half].float(), generate(z_b, y[:half]).float(), z[:half], z_b)

    def feature_matching(self, phase: Phase, fake: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        """G's adversarial loss plus weight · ‖E f(x) − E f(G(z))‖² on the features D's last layer reads
        (Salimans et al. 2016), over a fresh real batch; in a data-parallel run, over each process's share."""
        D = phase.D_module
        x, y_real = phase.real_batch()
        with torch.no_grad():
            target = D.features(self.augmented(x, phase.draws), y_real).float().mean(0)
        features = D.features(fake, y)
        scores = D.score(features)
        gap = (features.float().mean(0) - target).pow(2).sum()
        return {"g_loss": self.g_loss(scores.float()), "g_feature_matching": self.loss.feature_matching * gap}

    def regularize_gradients(self, model: nn.Module, which: str) -> None:
        """Weight regularisers that act on the gradients before the optimizer step (orthogonal, BigGAN)."""
        add_orthogonal_regularization_grad(model, self.ortho.get(which, 0.0), model.no_regularization_parameters())

    # ---- what is logged and kept -----------------------------------------------------------
    def log_values(self) -> dict[str, float]:
        out = {"aug_p": self.p, "ada_r": self.ada["r"]} if self.adaptive else {}
        if self.anchors is not None:
            out.update(lecam_real=self.anchors["real"], lecam_fake=self.anchors["fake"])
        return out

    def state_dict(self) -> dict:
        state = {}
        if self.adaptive:
            state.update(p=self.p, ada=dict(self.ada))
        if self.anchors is not None:
            state["anchors"] = dict(self.anchors)
        return state

    def load_state_dict(self, state: dict) -> None:
        if "p" in state:
            self.p, self.ada = float(state["p"]), dict(state["ada"])
        if "anchors" in state:
            self.anchors = {k: float(v) for k, v in state["anchors"].items()}
