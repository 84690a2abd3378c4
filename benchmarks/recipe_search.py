"""Recipe search for the demo preset: variants of fashion32-cpu trained for the same number of steps (or the
same images), each evaluated on 10,000 samples in the domain classifier's space (fid, precision/recall,
density/coverage, class accuracy) against the embedded training images.

    python benchmarks/recipe_search.py --out runs/search [--only baseline,ema999] [--n 10000]

Each variant's run and result (``OUT/NAME/result.json``) are kept, so an interrupted search continues where it
stopped and the table (``OUT/results.md``) can be rebuilt from the results at any time.
"""
from __future__ import annotations

import argparse
import pathlib

from ganforge.config import load_preset
from search import run_search, table, train_and_evaluate

# name: (overrides of fashion32-cpu, what it tests)
VARIANTS = {
    "baseline": ({}, "the earlier preset: ch 8, batch 32, lr 2e-4 / 4e-4, EMA 0.99 from step 500, 2,000 steps"),
    "ema999": ({"train.ema_decay": 0.999}, "a longer EMA horizon (1,000 steps)"),
    "ema_from0": ({"train.ema_decay": 0.995, "train.ema_start": 0}, "EMA 0.995 from the start"),
    "diffaug": ({"augment.diffaugment": "color,translation,cutout"}, "DiffAugment, all three ops"),
    "translation": ({"augment.diffaugment": "translation"}, "DiffAugment translation only"),
    "r1": ({"loss.r1": 0.1, "loss.r1_every": 4}, "lazy R1 (γ 0.1, every 4 D steps)"),
    "lr_equal": ({"train.g_lr": 2e-4, "train.d_lr": 2e-4}, "equal learning rates"),
    "lr_paper": ({"train.g_lr": 1e-4, "train.d_lr": 4e-4}, "the paper's TTUR, 1e-4 / 4e-4"),
    "lr_high": ({"train.g_lr": 4e-4, "train.d_lr": 8e-4}, "twice the learning rates"),
    "d2": ({"train.d_steps": 2, "train.steps": 1000}, "2 D steps per G step, half the G steps"),
    "batch64": ({"train.batch_size": 64, "train.steps": 1000}, "batch 64, half the steps (same images)"),
    "zbig": ({"model.dim_z": 128, "model.shared_dim": 32}, "dim_z 128: 32 per block instead of 16"),
    "shared64": ({"model.shared_dim": 64}, "a 64-d shared class embedding"),
    "wide": ({"model.ch": 12, "model.d_ch": 12}, "ch 12 (48 channels per block)"),
    "lecam": ({"loss.lecam": 0.3}, "LeCam λ 0.3 (anchors' decay 0.99)"),
    "lecam_small": ({"loss.lecam": 0.01}, "LeCam λ 0.01"),
    "rpgan": ({"loss.name": "rpgan", "loss.r1": 0.1, "loss.r2": 0.1, "loss.r1_every": 4},
              "R3GAN's objective: relativistic pairing + lazy R1 and R2 (γ 0.1, every 4 D steps)"),
    "ada": ({"augment.diffaugment": "translation,color", "augment.p": 0.0, "augment.ada_target": 0.6,
             "augment.ada_images": 64000}, "adaptive p on translation+color (target 0.6, 0→1 within 64k images)"),
    "mode_seeking": ({"loss.mode_seeking": 1.0}, "MSGAN's mode-seeking term, λ 1"),
    "d_wide": ({"model.d_ch": 16}, "D twice as wide (d_ch 16)"),
    "ladder": ({"model.widths": "ladder"}, "the ImageNet models' channel ladder (G 16·ch, 8·ch, 4·ch from 4×4 up; D "
                                           "mirrored) instead of 4·ch everywhere"),
    "ladder_ch4": ({"model.widths": "ladder", "model.ch": 4, "model.d_ch": 4}, "the ladder at ch 4 (G 64, 32, 16 "
                                                                               "channels; fewer flops than ch 8)"),
    "mbstd": ({"model.mbstd_group": 4}, "ProGAN's minibatch-stddev map before D's last block (group 4)"),
    "beta05": ({"train.beta1": 0.5}, "Adam β1 0.5 (DCGAN's) instead of 0"),
    "steps6k": ({"train.steps": 6000}, "the same for 6,000 steps (3× the compute): today's preset"),
    "mbstd6k": ({"train.steps": 6000, "model.mbstd_group": 4}, "today's preset (6,000 steps) with the "
                                                               "minibatch-stddev map in D"),
    "mbstd_class": ({"model.mbstd_by_class": True}, "the minibatch-stddev map over each class's samples in the "
                                                    "batch (model.mbstd_by_class) instead of groups of 4"),
    "class6k": ({"train.steps": 6000, "model.mbstd_by_class": True}, "today's preset (6,000 steps) with the "
                                                                      "class-wise minibatch-stddev map in D"),
    "class8k_auto": ({"train.steps": 8000, "model.mbstd_by_class": True, "train.precision": "auto"},
                     "8,000 steps with the class-wise map, precision auto (bf16 on a CPU that computes it natively)"),
    "class7k_auto": ({"train.steps": 7000, "model.mbstd_by_class": True, "train.precision": "auto"},
                     "7,000 steps with the class-wise map, precision auto"),
    "class7k_f4": ({"train.steps": 7000, "model.mbstd_by_class": True, "model.mbstd_features": 4,
                    "train.precision": "auto"}, "the same with 4 values (D's channels in 4 groups of 8)"),
    "class7k_seed1": ({"train.steps": 7000, "model.mbstd_by_class": True, "train.precision": "auto", "train.seed": 1},
                      "class7k_auto with another seed (run-to-run spread)"),
    "class7k_z128": ({"train.steps": 7000, "model.mbstd_by_class": True, "train.precision": "auto",
                      "model.dim_z": 128}, "class7k_auto with dim_z 128 (32 per block instead of 16)"),
    "wide6k_bf16": ({"train.steps": 6000, "model.ch": 12, "model.d_ch": 12, "train.precision": "bf16"},
                    "ch 12 for 6,000 steps in bf16 (to stay near the budget on a bf16 CPU)"),
}


def run_variant(name: str, out: pathlib.Path, n: int) -> dict:
    overrides, what = VARIANTS[name]
    cfg = load_preset("fashion32-cpu")
    cfg.set("train.steps", 2000)  # the variants are changes to the 2,000-step recipe the search started from
    cfg.set("train.sample_every", 0)
    for key, value in overrides.items():
        cfg.set(key, value)
    return train_and_evaluate(cfg, out / name, n, name=name, what=what, overrides=overrides)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="comma-separated variant names (default: all)")
    ap.add_argument("--n", type=int, default=10000, help="samples evaluated per variant")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    names = args.only.split(",") if args.only else list(VARIANTS)
    results = run_search(names, VARIANTS, out, lambda name: run_variant(name, out, args.n))
    text = table(results, "name")
    (out / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
