"""Data-parallel scaling: the same preset and global batch trained by one process and by N processes under
torchrun (DDP, gloo on the CPU, NCCL on CUDA), through the real command line.

    python benchmarks/data_parallel.py [--preset fashion32-cpu] [--processes 2] [--steps 60] [--device cpu]
                                       [--set KEY=VALUE ...]

Each run trains ``--steps`` steps from scratch; s/step is the mean over the second half of the run (the first
half warms up). On the CPU the single process uses all cores (torch's default threads) and each of the N
processes gets cores / N threads, so the comparison spends the same hardware.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile


def run(args, out: pathlib.Path, processes: int) -> float:
    cmd = ["-m", "ganforge", "train", "--preset", args.preset, "--out", str(out), "--no-progress",
           "--device", args.device, "--set", f"train.steps={args.steps}", "--set", f"train.log_every={args.steps // 2}",
           "--set", "train.sample_every=0", "--set", "train.checkpoint_every=0"]
    for item in args.set:
        cmd += ["--set", item]
    env = dict(os.environ)
    if processes > 1:
        env["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // processes))
        cmd = ["-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"] + cmd
    subprocess.run([sys.executable, *cmd], check=True, env=env)
    records = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    return [r for r in records if "s_per_step" in r][-1]["s_per_step"]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", default="fashion32-cpu")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--device", default="cpu")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--results", help="also write the figures into this results directory")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = run(args, pathlib.Path(tmp) / "one", 1)
        many = run(args, pathlib.Path(tmp) / "many", args.processes)
    from ganforge.config import load_preset, parse_override
    cfg = load_preset(args.preset)
    for item in args.set:
        cfg.set(*parse_override(item))
    images = cfg.train.batch_size * cfg.train.accumulate * cfg.train.d_steps
    print(f"{args.preset}, global batch {cfg.train.batch_size} x {cfg.train.accumulate}, {args.steps} steps, "
          f"device {args.device}, {os.cpu_count()} cores")
    print(f"{'processes':>9}  {'s/step':>7}  {'img/s':>7}  speed-up")
    for n, s in ((1, one), (args.processes, many)):
        print(f"{n:>9}  {s:>7.3f}  {images / s:>7.1f}  {one / s:.2f}x")
    if args.results:
        from ganforge.results import write_result
        print(write_result(args.results, f"bench/data-parallel-{args.preset}",
                           {"1 process s/step": round(one, 4), f"{args.processes} processes s/step": round(many, 4)},
                           kind="data-parallel", preset=args.preset, overrides=args.set, steps=args.steps))


if __name__ == "__main__":
    main()
