"""Recipe search for every family's CPU preset: variants trained to the end of their step count, each evaluated on
2,000 samples in the domain classifier's space (fid, precision/recall, density/coverage, class accuracy) against
the embedded training images.

    python benchmarks/family_search.py --out runs/family_search [--only dcgan/preset,cgan/preset] [--threads 1]

A variant is a preset and the keys it changes. Each variant's run and result (``OUT/FAMILY/NAME/result.json``)
are kept, so an interrupted search continues where it stopped; ``OUT/results.md`` is rebuilt from every result
found. ``--threads 1`` lets two searches share a 2-core machine (their wall times are then each one core's).
"""
from __future__ import annotations

import argparse
import json
import pathlib

from ganforge.config import load_preset
from search import run_search, table, train_and_evaluate

# "family/name": (preset, overrides, what it tests)
VARIANTS = {
    "cgan/preset": ("cgan-fashion32", {}, "the preset"),
    "cgan/mbd": ("cgan-fashion32", {"model.mb_kernels": 64}, "minibatch discrimination, 64 kernels"),
    "cgan/fm": ("cgan-fashion32", {"loss.feature_matching": 1.0}, "feature matching, weight 1"),
    "cgan/wide": ("cgan-fashion32", {"model.ch": 32}, "G twice as wide (1,024 hidden units)"),
    "cgan/r1": ("cgan-fashion32", {"loss.r1": 1.0, "loss.r1_every": 4}, "lazy R1 (γ 1, every 4 D steps)"),
    "cgan/ema9995": ("cgan-fashion32", {"train.ema_decay": 0.9995}, "EMA 0.9995 (a 2,000-step horizon)"),
    "cgan/by_class": ("cgan-fashion32", {"model.mbstd_by_class": True},
                      "the class-wise minibatch stddev as one more hidden feature of D"),
    "vanilla/preset": ("vanilla-fashion32", {}, "the preset"),
    "vanilla/mbstd": ("vanilla-fashion32", {"model.mbstd_group": 4},
                      "the minibatch stddev (groups of 4) as one more hidden feature of D"),
    "vanilla/mbd": ("vanilla-fashion32", {"model.mb_kernels": 64}, "minibatch discrimination, 64 kernels"),
    "dcgan/preset": ("dcgan-fashion32", {}, "the preset"),
    "lapgan/preset": ("lapgan-fashion32", {}, "the preset"),
    "lapgan/by_class": ("lapgan-fashion32", {"model.mbstd_by_class": True},
                        "each D_k with the class-wise minibatch-stddev map at 4×4"),
    "progan/preset": ("progan-fashion32", {}, "the preset"),
    "progan/by_class": ("progan-fashion32", {"model.mbstd_by_class": True},
                        "the minibatch-stddev map over each class's samples instead of groups of 4"),
    "biggan_deep/preset": ("fashion32-deep-cpu", {}, "the preset"),
    "biggan_deep/ch8_att16": ("fashion32-deep-cpu", {"model.ch": 8, "model.d_ch": 8, "model.g_attention": [16],
                                                     "model.d_attention": [16], "train.g_lr": 2e-4,
                                                     "train.d_lr": 4e-4, "train.steps": 5000},
                              "ch 8, attention at 16 only, the demo's lrs (2e-4 / 4e-4), 5,000 steps"),
}


def run_variant(key: str, out: pathlib.Path, n: int, threads: int) -> dict:
    preset, overrides, what = VARIANTS[key]
    cfg = load_preset(preset)
    cfg.set("train.sample_every", 0)
    if threads:
        cfg.set("train.threads", threads)
    for name, value in overrides.items():
        cfg.set(name, value)
    return train_and_evaluate(cfg, out / key, n, key=key, preset=preset, what=what, overrides=overrides)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="comma-separated variants, FAMILY/NAME (default: all)")
    ap.add_argument("--n", type=int, default=2000, help="samples evaluated per variant")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads per run (0 = torch's default)")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    keys = args.only.split(",") if args.only else list(VARIANTS)
    run_search(keys, VARIANTS, out, lambda key: run_variant(key, out, args.n, args.threads))
    found = {r["key"]: r for r in (json.loads(p.read_text()) for p in out.glob("*/*/result.json"))}
    text = table([found[k] for k in VARIANTS if k in found], "key")
    (out / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
