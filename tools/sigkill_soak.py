"""Soak test: SIGKILL a training run at random moments, restart the same command (--resume auto) each time, and
check that the finished run equals an uninterrupted one bit for bit.

    python tools/sigkill_soak.py                       # 30 kills, every other one aimed at a checkpoint write
    python tools/sigkill_soak.py --kills 100 --steps 80 --seed 7

The test suite covers the same crash points deterministically (GANFORGE_FAULT, tests/test_reliability.py);
this script adds kills at moments no one chose. How many land inside a checkpoint write depends on the
machine's speed, so it reports them rather than requiring a number.
"""
import argparse
import pathlib
import random
import signal
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ganforge import train  # noqa: E402
from ganforge.config import Config  # noqa: E402
from ganforge.checkpoint import latest_checkpoint, load_state  # noqa: E402


def soak_config(steps: int) -> Config:
    """The test suite's tiny BigGAN, a checkpoint every step (so kills often meet a write)."""
    cfg = Config()
    values = {"data.resolution": 32, "data.channels": 1, "data.hflip": True, "model.ch": 4, "model.d_ch": 4,
              "model.dim_z": 16, "model.shared_dim": 8, "train.steps": steps, "train.batch_size": 8,
              "train.d_steps": 2, "train.ema_start": 2, "train.ema_decay": 0.9, "train.log_every": 1,
              "train.sample_every": 0, "train.checkpoint_every": 1, "train.keep_checkpoints": 2,
              "train.g_ortho": 1e-4, "train.resume": "auto"}
    for key, value in values.items():
        cfg.set(key, value)
    return cfg.validate()


def same(a: dict, b: dict) -> bool:
    parts = all(torch.equal(a[p][k], b[p][k]) for p in ("G", "D", "G_ema") for k in a[p])
    moments = all(torch.equal(v, b[o]["state"][i][k]) for o in ("opt_G", "opt_D")
                  for i, m in a[o]["state"].items() for k, v in m.items())
    return parts and moments and a["step"] == b["step"] and a["stream"] == b["stream"]


def log_lines(run: pathlib.Path) -> int:
    try:
        return (run / "log.jsonl").read_text().count("\n")
    except OSError:
        return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--dir", help="working directory (default: a temporary one)")
    args = ap.parse_args()
    work = pathlib.Path(args.dir or tempfile.mkdtemp(prefix="ganforge-soak-"))
    work.mkdir(parents=True, exist_ok=True)
    cfg = soak_config(args.steps)
    started = time.monotonic()
    train(cfg, work / "reference", show_progress=False, notify=lambda m: None)
    step_s = (time.monotonic() - started) / args.steps
    reference = load_state(latest_checkpoint(work / "reference"))
    (work / "cfg.yaml").write_text(cfg.to_yaml())
    command = [sys.executable, "-m", "ganforge", "train", "--config", str(work / "cfg.yaml"), "--out",
               str(work / "run"), "--no-progress"]
    rng, kills, in_write, launches = random.Random(args.seed), 0, 0, 0
    checkpoints = work / "run" / "checkpoints"
    while True:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        launches += 1
        if kills < args.kills:
            aim_at_write, logged = kills % 2 == 1, log_lines(work / "run")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if aim_at_write and any(checkpoints.glob(".step-*.tmp")):
                    break
                if not aim_at_write and log_lines(work / "run") > logged:  # training has begun: a random moment
                    time.sleep(rng.uniform(0, 3 * step_s))  # within the next three steps
                    break
                time.sleep(0.001 if aim_at_write else 0.01)
            if proc.poll() is None:
                in_write += any(checkpoints.glob(".step-*.tmp"))
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                continue
        out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            sys.exit(f"run failed after {kills} kills:\n{err[-3000:]}")
        if f"now at {args.steps}" in out:
            break
    identical = same(load_state(latest_checkpoint(work / "run")), reference)
    print(f"{kills} SIGKILLs ({in_write} during a checkpoint write), {launches} launches, {args.steps} steps: "
          f"final state {'identical to' if identical else 'DIFFERENT from'} the uninterrupted run; "
          f"{time.monotonic() - started:.0f} s")
    sys.exit(0 if identical else 1)


if __name__ == "__main__":
    main()
