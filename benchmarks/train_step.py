"""Training-step benchmark: seconds per step, images per second, GFLOP per step (torch's flop counter)
and achieved GFLOP/s, for a preset on this machine.

    python benchmarks/train_step.py --preset fashion32-cpu [--steps 10] [--set KEY=VALUE ...]

Images per second counts the real images the discriminator sees per step (batch x accumulate x d_steps).
FLOPs are those of convolutions, matmuls and attention as counted by torch.utils.flop_counter.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from ganforge.config import load_preset, parse_override
from ganforge.data import load_dataset
from ganforge.models import build_discriminator, build_generator, parameter_count
from ganforge.train.loop import Trainer, resolve_device
from ganforge.train.run import bind_data


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "cpu"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion32-cpu")
    ap.add_argument("--steps", type=int, default=10, help="timed steps (after 2 warm-up steps)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()

    cfg = load_preset(args.preset)
    for item in args.set:
        cfg.set(*parse_override(item))
    cfg.set("train.device", args.device)
    dataset = load_dataset(cfg.data)
    cfg = bind_data(cfg, dataset)
    torch.manual_seed(0)
    device = resolve_device(cfg.train.device)
    trainer = Trainer(cfg, build_generator(cfg), build_discriminator(cfg), dataset, device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)

    for _ in range(2):
        trainer.train_step()
    with FlopCounterMode(display=False) as counter:
        trainer.train_step()
    gflop = counter.get_total_flops() / 1e9
    times = []
    for _ in range(args.steps):
        sync()
        t0 = time.perf_counter()
        trainer.train_step()
        sync()
        times.append(time.perf_counter() - t0)
    s = statistics.median(times)
    images = trainer.images_per_step
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{cpu_name()}, " \
        f"{torch.get_num_threads()} threads"
    print(f"{args.preset} {' '.join(args.set)} | {where} | torch {torch.__version__}")
    print(f"G {parameter_count(trainer.G) / 1e6:.2f} M, D {parameter_count(trainer.D) / 1e6:.2f} M params; "
          f"{images} real images/step")
    print(f"{s:.3f} s/step (median of {args.steps}, min {min(times):.3f}) | {images / s:.1f} img/s | "
          f"{gflop:.1f} GFLOP/step | {gflop / s:.1f} GFLOP/s achieved")


if __name__ == "__main__":
    main()
