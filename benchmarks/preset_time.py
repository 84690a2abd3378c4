"""How long each preset trains on this machine: its step time measured here (for a model that grows, each level's,
weighted by its steps) times its steps, for several presets in one invocation so that they share the machine's
state, written as ``results/timing/PRESET.json``. Run it on idle cores: the figure is the machine's, not the load's.

    python benchmarks/preset_time.py [--presets fashion32-cpu,progan-fashion32,...] [--threads 2]
"""
from __future__ import annotations

import argparse
import pathlib
import sys

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[1]), str(pathlib.Path(__file__).resolve().parent)]
from budget import seconds_per_step  # noqa: E402
from ganforge.config import load_preset  # noqa: E402
from ganforge.device import fix_thread_count, resolve_device, resolve_precision  # noqa: E402
from ganforge.results import write_result  # noqa: E402

CPU_PRESETS = ("fashion32-cpu", "fashion32-deep-cpu", "progan-fashion32", "lapgan-fashion32", "dcgan-fashion32",
               "cgan-fashion32", "vanilla-fashion32")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default=",".join(CPU_PRESETS))
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default, all cores)")
    ap.add_argument("--steps", type=int, default=10, help="steps timed (per level for a growing model)")
    ap.add_argument("--results", default="results")
    args = ap.parse_args()
    threads = fix_thread_count(args.threads)
    for preset in args.presets.split(","):
        cfg = load_preset(preset)
        cfg.set("train.threads", threads)
        precision, _ = resolve_precision(cfg.train.precision, resolve_device(cfg.train.device))
        cfg.set("train.precision", precision)
        seconds = seconds_per_step(cfg, args.steps)[0]
        minutes = seconds * cfg.train.steps / 60
        path = write_result(args.results, f"timing/{preset}", {"s_per_step": round(seconds, 4),
                                                               "train_minutes": round(minutes, 1)},
                            kind="preset-time", preset=preset, steps=cfg.train.steps, threads=threads,
                            precision=precision)
        print(f"{preset}: {seconds:.3f} s/step × {cfg.train.steps} steps ≈ {minutes:.1f} min with {threads} "
              f"threads ({precision}) -> {path}", flush=True)


if __name__ == "__main__":
    main()
