"""The one training loop. It knows no architecture: it needs a generator and a discriminator that follow the
contract of ``models/base.py`` (and, for models trained level by level, the ``Growing`` mixin), a stream of
real batches, and the objective (``loss.GANLoss``), which turns batches into D's and G's loss terms.

One step (BigGAN-PyTorch's order): ``d_steps`` discriminator updates, each over ``accumulate`` batches
(fakes from G under no_grad, fakes and reals scored in one D pass); then one generator update over
``accumulate`` batches with D frozen; gradient regularisers (orthogonal) are applied before each optimizer
step; then the EMA of G advances.

Under torchrun the same step runs data-parallel: G and D are wrapped in DistributedDataParallel only where
they are trained (D in its phase, G in its phase; the frozen or no-grad partner runs unwrapped), each rank
takes its slice of every global batch and of the latents, gradients are averaged across ranks (``no_sync``
until the last accumulation pass), and BN is cross-replica (``train.sync_bn``) or its running statistics are
averaged after each step. Weights, spectral-norm vectors and the EMA then stay identical on every rank.
"""
from __future__ import annotations

import contextlib

import torch
from torch.nn.parallel import DistributedDataParallel

from ..augment import Draws
from ..config import Config
from ..data.stream import BatchStream
from ..distributed import SINGLE, Distributed
from ..layers.conditioning import batch_norms
from ..layers.cross_replica import convert_cross_replica, set_cross_replica
from ..loss import GANLoss, Phase
from ..models.growing import Growing
from .ema import EMA
from .growth import Growth
from .precision import Precision


def _data_parallel(model, device: torch.device, dist: Distributed):
    if not dist.enabled:
        return model
    ids = [device.index] if device.type == "cuda" else None
    growing = isinstance(model, Growing)  # levels other than the current one get no gradient
    return DistributedDataParallel(model, device_ids=ids, forward_sync_buffers=False, find_unused_parameters=growing)


def _syncing(model, last: bool):
    """Gradients are all-reduced on the last accumulation pass only."""
    return model.no_sync() if isinstance(model, DistributedDataParallel) and not last else contextlib.nullcontext()


class Trainer:
    def __init__(self, cfg: Config, G, D, dataset, device: torch.device, dist: Distributed = SINGLE):
        t = cfg.train
        self.cfg, self.device, self.dist = cfg, device, dist
        self.memory_format = torch.channels_last if t.channels_last else torch.contiguous_format
        if dist.enabled and t.sync_bn:
            G, D = convert_cross_replica(G), convert_cross_replica(D)
        self.G = G.to(device, memory_format=self.memory_format)
        self.D = D.to(device, memory_format=self.memory_format)
        self.G_parallel = _data_parallel(self.G, device, dist)  # where G is trained
        self.D_parallel = _data_parallel(self.D, device, dist)
        self.G_nograd, self.D_frozen = self.G, self.D  # where the other phase only runs them
        adam = dict(betas=(float(t.beta1), float(t.beta2)), eps=t.adam_eps)
        self.opt_G = torch.optim.Adam(self.G.parameters(), lr=t.g_lr, **adam)
        self.opt_D = torch.optim.Adam(self.D.parameters(), lr=t.d_lr, **adam)
        self.ema = EMA(self.G, t.ema_decay, t.ema_start, t.ema_warmup, t.ema_warmup_horizon)
        set_cross_replica(self.ema.model, False)  # the EMA samples on one rank at a time
        self.stream = BatchStream(dataset, t.batch_size, t.seed, cfg.data.hflip, cfg.data.num_workers,
                                  dist.rank, dist.world, cfg.data.balance)
        self.unsynced_norms = [bn for m in (self.G, self.D) for bn in batch_norms(m)
                               if dist.enabled and not t.sync_bn and bn.track_running_stats]
        self.rng = torch.Generator().manual_seed(t.seed)  # every latent and fake class of training
        # models that grow (ProGAN) or are trained level by level (LAPGAN) follow a growth schedule
        self.growth = Growth(cfg, self.G.levels, self.G.base_resolution, fades=self.G.fades) \
            if isinstance(self.G, Growing) else None
        self.images_seen = 0  # real images shown to D
        self.loss = GANLoss(cfg.loss, cfg.augment, {"G": t.g_ortho, "D": t.d_ortho})
        self.precision = Precision(t.precision, device)
        self.step = 0

    # ---- one step --------------------------------------------------------------------------
    def latents(self) -> tuple[torch.Tensor, torch.Tensor]:
        """This rank's slice of a global batch of latents and fake classes (every rank draws them all)."""
        n, part = self.stream.batch_size, self.stream.part
        z = torch.randn(n, self.G.dim_z, generator=self.rng)[part]
        y = torch.randint(self.G.num_classes, (n,), generator=self.rng)[part]
        return z.to(self.device), y.to(self.device)

    def real_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = self.stream.next()
        x = x.to(self.device).float().div_(127.5).sub_(1.0)
        if self.growth is not None:
            x = self.growth.prepare_reals(x)
        return x.contiguous(memory_format=self.memory_format), y.to(self.device)

    def phase(self, which: str) -> Phase:
        """How this step's phase (``"D"`` or ``"G"``) runs the networks, for the objective."""
        draws, context = Draws(self.rng, self.stream.batch_size, self.stream.part), self.G.real_context
        if which == "D":
            return Phase(self.G_nograd, self.D_parallel, self.D, draws, self.precision.autocast, mean=self.dist.mean,
                         real_context=context)
        return Phase(self.G_parallel, self.D_frozen, self.D, draws, self.precision.autocast, self.real_batch,
                     self.dist.mean, context)

    def _update(self, which: str, terms_of) -> dict[str, torch.Tensor]:
        """One optimizer step of G or D over ``accumulate`` batches (``terms_of()`` gives one batch's terms;
        gradients are all-reduced on the last); returns each term's mean over the batches."""
        t, model = self.cfg.train, self.D if which == "D" else self.G
        parallel, opt = (self.D_parallel, self.opt_D) if which == "D" else (self.G_parallel, self.opt_G)
        opt.zero_grad(set_to_none=True)
        totals: dict[str, torch.Tensor] = {}
        for i in range(t.accumulate):
            with _syncing(parallel, last=i == t.accumulate - 1):
                terms = terms_of()
                self.precision.backward(sum(terms.values()) / t.accumulate, which)
            for k, v in terms.items():
                totals[k] = totals.get(k, 0.0) + v.detach() / t.accumulate
        self.precision.unscale(opt, which)
        self.loss.regularize_gradients(model, which)
        self.precision.step(opt, which)
        return totals

    def d_step(self, update: int = 0) -> dict[str, torch.Tensor]:
        """One discriminator update (``update`` counts them over the run, for lazy regularisation)."""
        phase = self.phase("D")
        return self._update("D", lambda: self.loss.d_terms(phase, *self.real_batch(), *self.latents(), update))

    def g_step(self) -> dict[str, torch.Tensor]:
        """One generator update, D frozen."""
        phase = self.phase("G")
        self.D.requires_grad_(False)
        try:
            return self._update("G", lambda: self.loss.g_terms(phase, *self.latents()))
        finally:
            self.D.requires_grad_(True)

    def train_step(self) -> dict[str, torch.Tensor]:
        self.G.train()
        self.D.train()
        if self.growth is not None:
            self.growth.before_step(self)
        stats: dict[str, torch.Tensor] = {}
        for k_step in range(self.cfg.train.d_steps):
            for k, v in self.d_step(self.step * self.cfg.train.d_steps + k_step).items():
                stats[k] = stats.get(k, 0.0) + v / self.cfg.train.d_steps
        stats.update(self.g_step())
        stats.update({k: torch.tensor(v) for k, v in self.loss.log_values().items()})  # e.g. the augmentation p
        self.dist.average_buffers([b for bn in self.unsynced_norms for b in (bn.running_mean, bn.running_var)])
        self.step += 1
        self.images_seen += self.images_per_step
        self.ema.update(self.step, self.growth.steps_into_level(self) if self.growth else None)
        return self.dist.mean(stats)  # what one process with the whole batch would report

    def learning_rates(self) -> dict[str, float]:
        return {"g_lr": self.opt_G.param_groups[0]["lr"], "d_lr": self.opt_D.param_groups[0]["lr"]}

    def scale_learning_rates(self, factor: float) -> None:
        """Multiply both learning rates (kept in the optimizers' state, so checkpoints carry them)."""
        for opt in (self.opt_G, self.opt_D):
            for group in opt.param_groups:
                group["lr"] *= factor

    @property
    def images_per_step(self) -> int:
        t = self.cfg.train
        return self.stream.batch_size * t.accumulate * t.d_steps

    # ---- state -----------------------------------------------------------------------------
    def state_dict(self) -> dict:
        state = {
            "step": self.step, "images_seen": self.images_seen,
            **({"growth": self.growth.state_dict()} if self.growth else {}),
            "G": self.G.state_dict(), "D": self.D.state_dict(), "G_ema": self.ema.model.state_dict(),
            "opt_G": self.opt_G.state_dict(), "opt_D": self.opt_D.state_dict(),
            "stream": self.stream.state_dict(), "scalers": self.precision.state_dict(),
            **({"loss": loss_state} if (loss_state := self.loss.state_dict()) else {}),
            "rng": {"train": self.rng.get_state(), "torch": torch.get_rng_state()},
        }
        if self.device.type == "cuda":
            state["rng"]["cuda"] = torch.cuda.get_rng_state(self.device)
        return state

    def load_state_dict(self, state: dict) -> None:
        self.step = int(state["step"])
        self.images_seen = int(state.get("images_seen", 0))
        if self.growth and "growth" in state:
            self.growth.load_state_dict(state["growth"])
        self.G.load_state_dict(state["G"])
        self.D.load_state_dict(state["D"])
        self.ema.model.load_state_dict(state["G_ema"])
        self.opt_G.load_state_dict(state["opt_G"])
        self.opt_D.load_state_dict(state["opt_D"])
        self.stream.load_state_dict(state["stream"])
        self.precision.load_state_dict(state.get("scalers", {}))
        self.loss.load_state_dict(state.get("loss", {}))
        self.rng.set_state(state["rng"]["train"])
        torch.set_rng_state(state["rng"]["torch"])
        if self.device.type == "cuda" and "cuda" in state["rng"]:
            torch.cuda.set_rng_state(state["rng"]["cuda"], self.device)
