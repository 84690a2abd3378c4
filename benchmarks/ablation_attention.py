"""Attention ablation: the same BigGAN-deep trained without attention, with self-attention and with channel
attention (at the preset's resolutions, in G and D), then evaluated in the domain classifier's feature space.

    python benchmarks/ablation_attention.py [--preset fashion32-deep-cpu] [--budget 0] [--n 2000]
                                            [--only none,self-attention] [--threads 1] [--work runs/ablation]

``--budget 0`` (the default) trains each variant for the preset's own step count, the budget at which the
preset is meant to have converged; ``--budget S`` instead times a few steps and trains for as many steps as
fit S seconds (equal wall time rather than equal steps). The table gives parameters, G GFLOP per image,
s/step, steps, and fid, precision/recall, coverage and class accuracy on n generated images against the
embedded training set. Each variant's result is kept in WORK, so variants can be run by separate processes
(``--threads 1`` each on a 2-core machine) and an interrupted ablation continues.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil

import torch

from budget import evaluate_run, seconds_per_step, train_for_budget
from ganforge.config import load_preset
from ganforge.models import parameter_count
from ganforge.training.run import train

VARIANTS = {"none": ("self", False), "self-attention": ("self", True), "channel attention": ("channel", True)}


def variant_config(preset: str, kind: str, on: bool, threads: int):
    cfg = load_preset(preset)
    if not on:
        cfg.model.options.g_attention, cfg.model.options.d_attention = [], []
    cfg.model.options.attention_type = kind
    if threads:
        cfg.set("train.threads", threads)
    return cfg


def run_variant(name: str, args, work: pathlib.Path) -> dict:
    cfg = variant_config(args.preset, *VARIANTS[name], args.threads)
    out = work / name.replace(" ", "-")
    shutil.rmtree(out / "run", ignore_errors=True)  # an interrupted variant starts again (its seconds are measured)
    if args.budget:
        summary = train_for_budget(cfg, args.budget, out / "run")
    else:  # the preset's own steps
        gflop = seconds_per_step(cfg, steps=1)[1]
        cfg.train.sample_every = cfg.train.checkpoint_every = 0
        summary = {**train(cfg, out / "run", show_progress=False, notify=lambda m: None), "gflop_per_image": gflop}
    G, metrics, d_params = evaluate_run(out / "run", args.n, ("fid", "pr", "dc", "acc"))
    result = {"variant": name, "g_params": parameter_count(G), "d_params": d_params,
              "gflop_per_image": summary["gflop_per_image"], "steps": summary["steps"], "seconds": summary["seconds"],
              "threads": torch.get_num_threads(), "metrics": metrics}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def table(results: list[dict], n: int) -> str:
    k = f"{n // 1000}k"
    lines = [f"| attention | G params | D params | G GFLOP/img | s/step | steps | fid{k} | precision | recall | "
             f"coverage | acc{k} |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        m = r["metrics"]
        pick = lambda prefix: next(v for key, v in m.items() if key.startswith(prefix))  # noqa: E731
        pr, dc = pick("pr"), pick("dc")
        lines.append(f"| {r['variant']} | {r['g_params'] / 1e6:.3f} M | {r['d_params'] / 1e6:.3f} M | "
                     f"{r['gflop_per_image']:.3f} | {r['seconds'] / r['steps']:.3f} | {r['steps']} | "
                     f"{float(pick('fid')):.2f} | {pr['precision']:.3f} | {pr['recall']:.3f} | "
                     f"{dc['coverage']:.3f} | {float(pick('acc')):.3f} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="fashion32-deep-cpu")
    ap.add_argument("--budget", type=float, default=0.0,
                    help="training seconds per variant (0 = the preset's own steps)")
    ap.add_argument("--n", type=int, default=2000, help="generated images per evaluation")
    ap.add_argument("--only", help="comma-separated variants (default: all): " + ", ".join(VARIANTS))
    ap.add_argument("--threads", type=int, default=0, help="CPU threads per run (0 = torch's default)")
    ap.add_argument("--work", default="runs/ablation", help="where each variant's run and result are kept")
    args = ap.parse_args()
    if args.threads:  # before any step timing: it must run with the threads the training will use
        torch.set_num_threads(args.threads)
    names = args.only.split(",") if args.only else list(VARIANTS)
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    work = pathlib.Path(args.work)
    for name in names:
        if not (work / name.replace(" ", "-") / "result.json").is_file():
            run_variant(name, args, work)
            print(f"done: {name}", flush=True)
    found = [json.loads(p.read_text()) for name in VARIANTS
             if (p := work / name.replace(" ", "-") / "result.json").is_file()]
    budget = f"{args.budget:.0f} s of training" if args.budget else "the preset's own steps"
    print(f"\n{args.preset}, {budget} per variant, metrics on {args.n} samples (classifier:fashion-mnist)\n")
    print(table(found, args.n))


if __name__ == "__main__":
    main()
