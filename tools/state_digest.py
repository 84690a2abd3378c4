"""Train a few steps of a preset (and of small variants covering every loss term and family) and print one
SHA-256 digest per run of the weights, buffers, EMA and Adam moments it ends with; a refactoring that claims
to keep behaviour must leave every line unchanged.

    python tools/state_digest.py                     # every case, 20 steps each
    python tools/state_digest.py --cases demo --steps 20
    python tools/state_digest.py --threads 2                # the same with two threads (runs must still repeat)
"""
import argparse
import hashlib
import pathlib
import sys
import tempfile

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ganforge import train  # noqa: E402
from ganforge.config import load_preset  # noqa: E402
from ganforge.checkpoint import latest_checkpoint, load_state  # noqa: E402

SMALL = {"model.ch": 4, "model.d_ch": 4, "train.batch_size": 8}
CASES = {  # name: (preset, overrides)
    "demo": ("fashion32-cpu", {}),
    "gp_diffaug": ("fashion32-cpu", {**SMALL, "loss.name": "wasserstein", "loss.gp": 10.0, "loss.drift": 0.001,
                                     "augment.diffaugment": "color,translation,cutout", "train.d_steps": 2}),
    "r1_lazy_ortho": ("fashion32-cpu", {**SMALL, "loss.r1": 1.0, "loss.r1_every": 2, "train.d_ortho": 1e-4}),
    "dcgan_fm": ("fashion32-cpu", {**SMALL, "model.name": "dcgan", "loss.name": "bce", "loss.feature_matching": 1.0,
                                   "model.mb_kernels": 8, "train.accumulate": 2, "model.mbstd_by_class": False}),
    "vanilla": ("fashion32-cpu", {**SMALL, "model.name": "vanilla", "loss.name": "ls", "model.mbstd_by_class": False}),
    "progan": ("progan-fashion32", {"model.ch": 4, "model.d_ch": 4, "train.batch_size": 8}),
    "lapgan": ("fashion32-cpu", {**SMALL, "model.name": "lapgan", "loss.name": "bce"}),
    "deep": ("fashion32-deep-cpu", {"model.ch": 8, "model.d_ch": 8, "train.batch_size": 8}),
}


def digest(state: dict) -> str:
    h = hashlib.sha256()
    for part in ("G", "D", "G_ema"):
        for key in sorted(state[part]):
            h.update(key.encode())
            h.update(state[part][key].detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    for opt in ("opt_G", "opt_D"):
        for index in sorted(state[opt]["state"], key=int):
            for key, value in sorted(state[opt]["state"][index].items()):
                h.update(value.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--threads", type=int, default=1, help="a thread count gives its own kernels and rounding")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    for name in args.cases.split(","):
        preset, overrides = CASES[name]
        cfg = load_preset(preset)
        for key, value in {**overrides, "train.steps": args.steps, "train.sample_every": 0, "train.log_every": 10,
                           "train.checkpoint_every": 0, "eval.every": 0, "train.threads": args.threads}.items():
            cfg.set(key, value)
        with tempfile.TemporaryDirectory() as tmp:
            train(cfg, pathlib.Path(tmp) / "run", show_progress=False, notify=lambda _: None)
            print(f"{name:<14s} {digest(load_state(latest_checkpoint(pathlib.Path(tmp) / 'run')))}", flush=True)


if __name__ == "__main__":
    main()
