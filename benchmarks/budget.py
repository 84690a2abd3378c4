"""Training for a CPU-time budget and evaluating the result, shared by the comparison benchmarks.

The step time is measured first (for models that grow or train level by level, at every level, since the
schedule gives each phase about the same number of images), then the run is sized to the budget.
"""
from __future__ import annotations

import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from ganforge.data import load_dataset
from ganforge.metrics.evaluator import Evaluator
from ganforge.models import build_discriminator, build_generator, parameter_count
from ganforge.pretrained import load
from ganforge.training.loop import Trainer
from ganforge.training.run import bind_data, train


def _time_steps(trainer: Trainer, steps: int, warmup: int = 3) -> float:
    for _ in range(warmup):  # the first steps of a level allocate and are several times slower
        trainer.train_step()
    t0 = time.perf_counter()
    for _ in range(steps):
        trainer.train_step()
    return (time.perf_counter() - t0) / steps


def seconds_per_step(cfg, steps: int = 10) -> tuple[float, float]:
    """(seconds per training step — for a growing model, each level's weighted by its share of the steps; G GFLOP
    per image at full size)."""
    dataset = load_dataset(cfg.data)
    bound = bind_data(cfg, dataset)
    torch.manual_seed(0)
    trainer = Trainer(bound, build_generator(bound), build_discriminator(bound), dataset, torch.device("cpu"))
    if trainer.growth is None:
        seconds = _time_steps(trainer, steps)
    else:
        g, times, counts = trainer.growth, [], []
        for level in range(g.levels):  # from the first image of each level's stable phase
            trainer.images_seen = g.start(level) + (g.fade if level else 0)
            times.append(_time_steps(trainer, steps))
            images = g.stables[level] + (g.fade if level else 0)  # its stable phase and fade-in, both at its batch size
            counts.append(images / g.batch_sizes[level])  # the level's share of the run's steps
        seconds = sum(t * c for t, c in zip(times, counts)) / sum(counts)
    G = trainer.G.eval()
    if hasattr(G, "set_stage"):
        G.set_stage(G.levels - 1, 1.0)
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        G(torch.randn(1, G.dim_z), torch.tensor([0]))
    return seconds, counter.get_total_flops() / 1e9


def train_for_budget(cfg, budget: float, out) -> dict:
    """Train ``cfg`` for about ``budget`` seconds in ``out``; returns the run summary plus the measurements."""
    s_step, gflop = seconds_per_step(cfg)
    cfg.train.steps = max(1, int(budget / s_step))
    cfg.train.sample_every = cfg.train.checkpoint_every = 0
    summary = train(cfg, out, show_progress=False, notify=lambda m: None)
    return {**summary, "gflop_per_image": gflop}


def evaluate_run(out, n: int, metrics=("fid", "acc")) -> tuple[object, dict, int]:
    """(the run's EMA generator, ``metrics`` on n samples in the domain classifier's space (acc only for a
    conditional G), D's parameters)."""
    G = load(out)
    metrics = [m for m in metrics if m != "acc" or G.conditional]
    ev = Evaluator("fashion-mnist", G.image_shape, metrics, data_cfg=G.run_config.data)
    metrics = ev.evaluate_generator(G, n)["metrics"]
    return G, metrics, parameter_count(build_discriminator(G.spec))
