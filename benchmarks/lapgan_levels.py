"""Where a LAPGAN loses quality, level by level: at each level k, 2,000 images scored in the domain classifier's
space against the run's training images (fid, precision/recall, class accuracy), each image brought to the
run's resolution by nearest upsampling, as the generator itself does for its coarser levels:

- *real*: held-out real images (the Fashion-MNIST test set) reduced to level k's size (what a perfect model would score there);
- *chain*: G sampled coarse to fine up to level k (level 0: G_0 alone);
- *real coarse → G_k*: G_k refining the held-out images' coarse image (k ≥ 1), the way it was trained.

A chain worse than its refined reals means the coarser levels' images are the weak input; refined reals
worse than the reals mean G_k itself is. With ``--own-size`` each level is scored against the training images
reduced to that level's size instead, so that the real row is near perfect and a coarse level's shortfall shows
at full scale (the classifier still reads every image at the run's resolution).

    python benchmarks/lapgan_levels.py RUN [--n 2000] [--real fashion-mnist:heldout --n 1000] [--levels K]
                                           [--own-size] [--standing-stats N]
"""
from __future__ import annotations

import argparse

import torch

from ganforge.sections import DataConfig
from ganforge.data import load_dataset
from ganforge.hub import load
from ganforge.metrics.evaluator import Evaluator
from ganforge.metrics.features import extract
from ganforge.metrics.sources import Source, generator_source
from ganforge.models.growing import pool_to, upsample_to

TEST_SET = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def first_images(G, source: str, n: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The first n images of ``source`` (all with None) in [-1, 1] at the run's resolution, and their labels."""
    data = G.run_config.data
    dataset = load_dataset(DataConfig(source=source, resolution=data.resolution, channels=data.channels))
    n = len(dataset) if n is None else n
    if len(dataset) < n:
        raise SystemExit(f"{source} holds {len(dataset)} images, fewer than --n {n}")
    images, labels = dataset.__getitems__(list(range(n)))
    return images.float() / 127.5 - 1, labels


def tensor_source(G, real: torch.Tensor, labels: torch.Tensor, make) -> Source:
    """``make(images, labels) -> images`` over the real images, in batches."""
    def batches(batch_size):
        for start in range(0, len(real), batch_size):
            x, y = real[start:start + batch_size], labels[start:start + batch_size]
            with torch.no_grad():
                yield to_uint8(make(x, y)), y
    return Source("held-out images, transformed", len(real), G.image_shape, G.class_names, batches)


def metric(result: dict, prefix: str):
    return next((v for k, v in result["metrics"].items() if k.startswith(prefix)), None)


def row(name: str, k: int, result: dict) -> str:
    pr = metric(result, "pr")
    return (f"| {k} | {name} | {float(metric(result, 'fid')):.2f} | {pr['precision']:.3f} | {pr['recall']:.3f} | "
            f"{float(metric(result, 'acc')):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--real", default=TEST_SET, help="held-out real images (default: the Fashion-MNIST test set; "
                    "fashion-mnist:heldout has 1,000)")
    ap.add_argument("--levels", type=int, default=0, help="score only levels 0..K−1 (0 = all; a run stopped "
                    "early has untrained finer levels)")
    ap.add_argument("--own-size", action="store_true", help="score each level against the training images "
                    "reduced to its size (default: at the run's resolution)")
    ap.add_argument("--standing-stats", type=int, default=None, help="standing-statistics passes (default: run's)")
    args = ap.parse_args()
    G = load(args.run, standing_stats=args.standing_stats)
    if G.spec.model.name != "lapgan":
        raise SystemExit(f"{args.run}: a {G.spec.model.name} run; this benchmark reads LAPGAN runs")
    ev = Evaluator("fashion-mnist", G.image_shape, ["fid", "pr", "acc"], data_cfg=G.run_config.data)
    real, labels = first_images(G, args.real, args.n)
    res, dim_z = G.spec.resolution, G.spec.model.dim_z
    z_gen = torch.Generator().manual_seed(1)
    if args.own_size:
        train, train_labels = first_images(G, G.run_config.data.source)
    where = "reduced to each level's size" if args.own_size else f"at {res} px"
    print(f"{args.run}: {args.n} images per row vs the training images {where}, classifier:fashion-mnist")
    print("\n| level | images | fid | precision | recall | acc |\n|---|---|---|---|---|---|")
    for k in range(min(G.levels, args.levels or G.levels)):
        size = G.level_resolution(k)
        G.set_stage(k, 1.0)
        reduced = lambda x, y: upsample_to(pool_to(x, size), res)  # noqa: E731  real images at level k's size
        if args.own_size:
            ev.real = extract(ev.extractor, tensor_source(G, train, train_labels, reduced).batches(ev.batch_size))
        print(row(f"real at {size} px", k, ev.evaluate(tensor_source(G, real, labels, reduced))), flush=True)
        print(row("chain", k, ev.evaluate_generator(G, args.n)), flush=True)
        if k:
            print(row(f"real {size // 2} px → G_{k}", k, ev.evaluate(tensor_source(
                G, real, labels, lambda x, y: G(torch.randn(len(x), dim_z, generator=z_gen), y, context=x)))),
                flush=True)


if __name__ == "__main__":
    main()
