"""The automatic recipe: a run started from the command line without a preset or a config file is sized from
its data and its device. Every choice is said (one line each) and lands in the run's ``config.yaml``; a key
given with ``--set`` (or a flag) is left as given.

* ``data.channels`` from the images' mode, ``data.resolution`` from their typical size, rounded to the nearest
  power of two (capped at 128 px on a CPU).
* On a CPU, a BigGAN of the demo's shape sized for the resolution (with the demo's class-wise minibatch-stddev
  map in D where the data have classes) and a step count that fits ~30 minutes on this machine: a few steps
  are timed at start and the estimate is said. On a GPU, BigGAN-PyTorch's scale
  (ch 64, batch 64) and 100k steps.
* The EMA horizon follows the run: a half-life of 5 % of the steps (StyleGAN2 sets it in images for the same
  reason), starting after the first 10 %, so it never averages over more than the run.
* Fewer than 10,000 images: DiffAugment's translation and colour with an adaptive probability (ADA's
  heuristic, starting at 0 and able to reach 1 within half the run), so augmentation appears only if D
  starts to memorise the data.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import torch

from ..config import Config
from ..data import DataFacts, probe
from ..data.arrays import ArrayDataset
from ..device import resolve_precision
from .step_timing import Variant, measure

CPU_BUDGET_S = 30 * 60
CPU_MAX_RESOLUTION = 128
SMALL_DATA = 10_000
CPU_MODELS = {16: (8, 32, 6000), 32: (8, 32, 6000), 64: (8, 16, 4000), 128: (4, 8, 3000)}  # ch, batch, steps
ORIGIN = "automatic recipe"


def nearest_power_of_two(size: int, low: int = 16, high: int = 512) -> int:
    return min(max(2 ** round(math.log2(max(size, 1))), low), high)


def ema_for(steps: int) -> tuple[float, int]:
    """(decay, start): a half-life of 5 % of the steps, from 10 % of the way in."""
    half_life = max(1.0, steps / 20)
    return round(0.5 ** (1 / half_life), 6), steps // 10


class Recipe:
    def __init__(self, cfg: Config, given: set[str], notify):
        self.cfg, self.given, self.notify = copy.deepcopy(cfg), set(given), notify

    def choose(self, key: str, value, why: str) -> None:
        if key in self.given:
            return
        self.cfg.set(key, value, origin=ORIGIN)
        self.notify(f"{key} = {value} ({why})")

    def data(self, facts: DataFacts, cpu: bool) -> None:
        self.notify(f"automatic recipe (no --preset or --config): {facts.count:,} images, {facts.how}")
        self.choose("data.channels", facts.channels, "the images are " + ("greyscale" if facts.channels == 1
                                                                           else "in colour"))
        size = nearest_power_of_two(facts.size)
        capped = cpu and size > CPU_MAX_RESOLUTION
        why = f"images about {facts.size} px, the nearest power of two" + (
            f" capped at {CPU_MAX_RESOLUTION} px on a CPU" if capped else "")
        self.choose("data.resolution", CPU_MAX_RESOLUTION if capped else size, why)

    def model(self, device: torch.device, count: int, classes: int = 1) -> None:
        cpu = device.type != "cuda"
        res = self.cfg.data.resolution
        blocks = res.bit_length() - 3  # G blocks from 4×4 up to the resolution
        if cpu:
            ch, batch, steps = CPU_MODELS[min(max(res, 16), CPU_MAX_RESOLUTION)]
            where = "sized for a 2-core CPU"
            self.choose("train.channels_last", True, "faster convolutions on CPUs")
            if classes > 1:
                self.choose("model.mbstd_by_class", True, "the demo's recipe: D sees the spread inside each class, "
                                                          "against near-copies within a class")
        else:
            ch, batch, steps = 64, 64, 100_000
            where = "BigGAN-PyTorch's scale on a GPU"
        dim_z = (16 if cpu else 20) * (blocks + 1)
        for key, value in (("model.ch", ch), ("model.d_ch", ch), ("model.dim_z", dim_z),
                           ("model.shared_dim", max(32, dim_z // 2)), ("train.steps", steps)):
            self.choose(key, value, where)
        fewer = batch > count
        self.choose("train.batch_size", min(batch, count), f"{where}" + (f", at most the {count} images" if fewer
                                                                           else ""))
        self.choose("train.precision", resolve_precision("auto", device)[0], "what this device computes natively")

    def fit_budget(self, facts: DataFacts, steps_timed: int = 3) -> None:
        """Time a few steps (on random images of the data's shape) and fit the step count to the budget."""
        t, d = self.cfg.train, self.cfg.data
        probe_cfg = copy.deepcopy(self.cfg)
        probe_cfg.model.num_classes, probe_cfg.model.class_names = facts.classes, []
        images = torch.randint(0, 256, (max(64, t.batch_size), d.channels, d.resolution, d.resolution),
                               dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
        fake_data = ArrayDataset(images.numpy(), np.arange(len(images)) % facts.classes,
                                 [str(i) for i in range(facts.classes)], "timing")
        seconds = measure(probe_cfg, Variant(t.precision, t.channels_last), steps_timed, warmup=1,
                          dataset=fake_data)["s_per_step"]
        if "train.steps" not in self.given and t.steps * seconds > CPU_BUDGET_S:
            self.choose("train.steps", max(100, int(CPU_BUDGET_S * 0.9 / seconds) // 100 * 100),
                        f"{seconds:.2f} s per step measured here: fits {CPU_BUDGET_S // 60} minutes")
        self.notify(f"estimated training time: {t.steps * seconds / 60:.0f} min ({t.steps} steps, {seconds:.3f} s "
                    f"per step measured on this machine)")

    def schedule(self, facts: DataFacts) -> None:
        t = self.cfg.train
        decay, start = ema_for(t.steps)
        self.choose("train.ema_decay", decay, f"an EMA half-life of 5 % of {t.steps} steps")
        self.choose("train.ema_start", start, "after the first 10 % of the run")
        if facts.count < SMALL_DATA:
            images = t.steps * t.batch_size * t.accumulate * t.d_steps
            small = f"{facts.count:,} images (< {SMALL_DATA:,})"
            self.choose("augment.diffaugment", "translation,color", small)
            if not self.cfg.augment.diffaugment:  # turned off on the command line
                return
            self.choose("augment.p", 0.0, "adaptive: starts off")
            self.choose("augment.ada_target", 0.6, "ADA's target for E[sign(D(x_real))]")
            self.choose("augment.ada_images", max(1, images // 2), "p can reach 1 within half the run")


def auto_config(cfg: Config, given: set[str], device: torch.device, notify, time_steps: bool = True) -> Config:
    """``cfg`` with the automatic recipe's choices for every key not in ``given`` (see the module docstring)."""
    recipe = Recipe(cfg, given, notify)
    facts = probe(cfg.data.source, cfg.data.kind)
    cpu = device.type != "cuda"
    recipe.data(facts, cpu)
    recipe.model(device, facts.count, facts.classes)
    if cpu and time_steps:
        recipe.fit_budget(facts)
    recipe.schedule(facts)
    return recipe.cfg.validate()
