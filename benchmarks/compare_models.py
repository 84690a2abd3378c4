"""Every model family trained for the same CPU budget on the embedded Fashion-MNIST, then compared.

    python benchmarks/compare_models.py [--budget 150] [--n 2000] [--families biggan,dcgan,...] [--out docs]

Each family starts from its own recipe (below), is sized to the budget from its measured step time and
trained from scratch; then fid and class accuracy of n samples of its EMA generator are measured in the domain
classifier's feature space (classifier:fashion-mnist; unconditional models get accuracy "—"). Writes
``OUT/compare_models.md`` (the table) and ``OUT/compare_models.png`` (one sample sheet per family, side by side).
"""
from __future__ import annotations

import argparse
import pathlib
import tempfile

import torch
from PIL import Image, ImageDraw, ImageFont

from budget import evaluate_run, train_for_budget
from ganforge.config import load_preset
from ganforge.models import parameter_count
from ganforge.sampling import render
from ganforge.viz import labelled_sheet

CLASSIC = {"train.beta1": 0.5, "train.g_lr": 2e-4, "train.d_lr": 2e-4, "loss.name": "bce", "train.ema_start": 0}
RECIPES = {  # family: (preset, overrides)
    "biggan": ("fashion32-cpu", {}),
    "biggan_deep": ("fashion32-deep-cpu", {}),
    "progan": ("progan-fashion32", {"growth.stable": 0, "growth.fade": -1}),
    "lapgan": ("fashion32-cpu", {"model.name": "lapgan", **CLASSIC}),
    "dcgan": ("fashion32-cpu", {"model.name": "dcgan", **CLASSIC}),
    "cgan": ("fashion32-cpu", {"model.name": "cgan", **CLASSIC}),
    "vanilla": ("fashion32-cpu", {"model.name": "vanilla", **CLASSIC}),
}


def recipe(family: str):
    preset, overrides = RECIPES[family]
    cfg = load_preset(preset)
    for key, value in overrides.items():
        cfg.set(key, value)
    return cfg.validate()


def titled(sheet: Image.Image, title: str) -> Image.Image:
    font = ImageFont.load_default(size=16)
    out = Image.new("RGB", (sheet.width, sheet.height + 24), "white")
    ImageDraw.Draw(out).text((8, 3), title, fill="black", font=font)
    out.paste(sheet.convert("RGB"), (0, 24))
    return out


def side_by_side(images: list[Image.Image]) -> Image.Image:
    out = Image.new("RGB", (sum(i.width for i in images) + 12 * (len(images) - 1), max(i.height for i in images)),
                    "white")
    x = 0
    for image in images:
        out.paste(image, (x, 0))
        x += image.width + 12
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=150.0, help="training seconds per family")
    ap.add_argument("--n", type=int, default=2000, help="generated images per evaluation")
    ap.add_argument("--families", default=",".join(RECIPES))
    ap.add_argument("--out", default="docs")
    args = ap.parse_args()
    rows, sheets = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for family in args.families.split(","):
            run = pathlib.Path(tmp) / family
            summary = train_for_budget(recipe(family), args.budget, run)
            G, metrics, d_params = evaluate_run(run, args.n)
            fid, acc = metrics[f"fid{args.n // 1000}k"], metrics[f"acc{args.n // 1000}k"]
            rows.append((family, parameter_count(G), d_params, summary["gflop_per_image"],
                         summary["seconds"] / summary["steps"], summary["steps"], fid, acc if G.conditional else None))
            z = torch.randn(50, G.dim_z, generator=torch.Generator().manual_seed(0))
            images = render(G, z, torch.arange(10).repeat_interleave(5)).view(10, 5, *G.image_shape)
            labels = G.class_names if G.conditional else [""] * 10
            sheets.append(titled(labelled_sheet(images, labels, scale=2), family))
            print(f"done: {family} ({summary['steps']} steps, fid {fid:.2f})", flush=True)
    header = (f"Every family trained for {args.budget:.0f} s of CPU time on the embedded Fashion-MNIST (32 px), "
              f"then fid and class accuracy of {args.n} samples (EMA generator, no truncation) in the "
              f"classifier:fashion-mnist feature space.\n\n"
              f"| family | G params | D params | G GFLOP/image | s/step | steps | fid{args.n // 1000}k | accuracy |\n"
              f"|---|---|---|---|---|---|---|---|\n")
    table = header + "".join(
        f"| {f} | {gp / 1e6:.3f} M | {dp / 1e6:.3f} M | {gf:.4f} | {sps:.3f} | {steps} | {fid:.2f} | "
        f"{'—' if acc is None else f'{acc:.3f}'} |\n" for f, gp, dp, gf, sps, steps, fid, acc in rows)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare_models.md").write_text(table)
    side_by_side(sheets).save(out / "compare_models.png")
    print("\n" + table)


if __name__ == "__main__":
    main()
