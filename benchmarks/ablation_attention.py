"""Attention ablation: the same BigGAN-deep trained for the same CPU budget without attention, with
self-attention and with channel attention (at the preset's resolutions, in G and D), then evaluated in the
domain classifier's feature space.

    python benchmarks/ablation_attention.py [--preset fashion32-deep-cpu] [--budget 300] [--n 2000]

Each variant first times a few steps, then trains for as many steps as fit the budget. The table gives
parameters, G GFLOP per image, s/step, steps, and fid/acc on n generated images vs the embedded training set.
"""
from __future__ import annotations

import argparse
import pathlib
import tempfile

from budget import evaluate_run, train_for_budget
from ganforge.config import load_preset
from ganforge.models import parameter_count

VARIANTS = {"none": ("self", False), "self-attention": ("self", True), "channel attention": ("channel", True)}


def variant_config(preset: str, kind: str, on: bool):
    cfg = load_preset(preset)
    if not on:
        cfg.model.g_attention, cfg.model.d_attention = [], []
    cfg.model.attention_type = kind
    return cfg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion32-deep-cpu")
    ap.add_argument("--budget", type=float, default=300.0, help="training seconds per variant")
    ap.add_argument("--n", type=int, default=2000, help="generated images per evaluation")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (kind, on) in VARIANTS.items():
            cfg = variant_config(args.preset, kind, on)
            out = pathlib.Path(tmp) / name.replace(" ", "-")
            summary = train_for_budget(cfg, args.budget, out)
            G, metrics, d_params = evaluate_run(out, args.n)
            rows.append((name, parameter_count(G), d_params, summary["gflop_per_image"],
                         summary["seconds"] / summary["steps"], summary["steps"], *metrics.values()))
            print(f"done: {name}", flush=True)
    print(f"\n{args.preset}, {args.budget:.0f} s of training per variant, metrics on {args.n} samples "
          f"(classifier:fashion-mnist)\n")
    print(f"| attention | G params | D params | G GFLOP/img | s/step | steps | fid{args.n // 1000}k | acc |")
    print("|---|---|---|---|---|---|---|---|")
    for name, gp, dp, gf, sps, steps, fid, acc in rows:
        print(f"| {name} | {gp / 1e6:.3f} M | {dp / 1e6:.3f} M | {gf:.3f} | {sps:.3f} | {steps} | {fid:.2f} | {acc:.3f} |")


if __name__ == "__main__":
    main()
