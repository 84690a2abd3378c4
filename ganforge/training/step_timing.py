"""Training-step benchmark over variants (precision × memory layout), measured in one process:
seconds per step, real images per second, GFLOP per step (torch's flop counter), achieved GFLOP/s, peak
memory, and the ratio to the first variant (the fp32 baseline)."""
from __future__ import annotations

import copy
import itertools
import resource
import statistics
import time
from dataclasses import dataclass

import torch
from torch.utils.flop_counter import FlopCounterMode

from ..config import Config
from ..data import load_dataset
from ..device import resolve_device
from ..errors import GanforgeError
from ..models import build_discriminator, build_generator
from ..results import cpu_model
from .loop import Trainer
from .run import bind_data


@dataclass
class Variant:
    precision: str
    channels_last: bool

    @property
    def name(self) -> str:
        return f"{self.precision} {'channels-last' if self.channels_last else 'NCHW'}"


def variants(precisions: list[str], channels_last: list[bool]) -> list[Variant]:
    for p in precisions:
        if p not in ("fp32", "bf16", "fp16"):
            raise GanforgeError(f"--precision {p!r}: expected fp32, bf16 or fp16 (comma-separated)")
    return [Variant(p, c) for c, p in itertools.product(channels_last, precisions)]


def machine(device: torch.device) -> str:
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_model()
    return name if device.type == "cuda" else f"{name}, {torch.get_num_threads()} threads"


def peak_memory_mb(device: torch.device) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # process peak RSS (Linux: KiB)


def measure(cfg: Config, variant: Variant, steps: int, warmup: int = 2, dataset=None) -> dict:
    """Time ``steps`` training steps of ``cfg`` as ``variant`` after ``warmup`` ones, on ``dataset`` (default: the
    config's data; any images of the right shape time the same)."""
    cfg = copy.deepcopy(cfg)
    cfg.train.precision, cfg.train.channels_last = variant.precision, variant.channels_last
    dataset = load_dataset(cfg.data) if dataset is None else dataset
    cfg = bind_data(cfg, dataset)
    torch.manual_seed(0)
    device = resolve_device(cfg.train.device)
    trainer = Trainer(cfg, build_generator(cfg), build_discriminator(cfg), dataset, device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    with FlopCounterMode(display=False) as counter:
        trainer.train_step()
    gflop = counter.get_total_flops() / 1e9
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    t0 = time.perf_counter()
    for _ in range(warmup):
        trainer.train_step()
    sync()
    warm = time.perf_counter() - t0
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        trainer.train_step()
        sync()
        times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    images = trainer.images_per_step
    return {"variant": variant.name, "s_per_step": s, "img_per_s": images / s, "gflop_per_step": gflop,
            "gflop_per_s": gflop / s, "peak_mb": peak_memory_mb(device), "warmup_s": warm, "device": device}


def bench_train(cfg: Config, variant_list: list[Variant], steps: int = 10, report=print) -> list[dict]:
    rows = []
    for v in variant_list:
        rows.append(measure(cfg, v, steps))
        r = rows[-1]
        report(f"  {r['variant']:28s} {r['s_per_step']:7.3f} s/step {r['img_per_s']:8.1f} img/s "
               f"{r['gflop_per_step']:7.1f} GFLOP/step {r['gflop_per_s']:7.1f} GFLOP/s {r['peak_mb']:8.0f} MB peak "
               f"{rows[0]['s_per_step'] / r['s_per_step']:5.2f}x (warm-up {r['warmup_s']:.1f} s)")
    return rows


def markdown_table(rows: list[dict]) -> str:
    base = rows[0]["s_per_step"]
    lines = ["| variant | s/step | img/s | GFLOP/step | GFLOP/s | peak MB | vs first |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['variant']} | {r['s_per_step']:.3f} | {r['img_per_s']:.1f} | {r['gflop_per_step']:.1f} | "
              f"{r['gflop_per_s']:.1f} | {r['peak_mb']:.0f} | {base / r['s_per_step']:.2f}× |" for r in rows]
    return "\n".join(lines)
