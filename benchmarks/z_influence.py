"""How much a conditional G's samples depend on z within a class: per class, the spread of the domain
classifier's features of generated vs real images and per-class recall/coverage (any conditional family); for a
BigGAN, per conditional BN, the size of the latent chunk's contribution to the gains and biases against the
class embedding's.

    python benchmarks/z_influence.py RUN [--per-class 1000]

For a hierarchical BigGAN every block's conditional BN reads [class embedding e(y), latent chunk z_i]; its
gain (and bias) is the bias-free linear map W·[e; z] = W_e e + W_z z, so E‖W_z z‖ / E‖W_e e‖ says how far z
can move that layer's normalisation compared with the class.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch

from ganforge.sections import DataConfig
from ganforge.data import load_dataset
from ganforge.hub import load
from ganforge.layers.conditioning import ConditionalBatchNorm2d
from ganforge.metrics.features import extract, get_extractor
from ganforge.metrics.prdc import density_coverage, precision_recall
from ganforge.metrics.sources import dataset_source, generator_source


def spread(features: np.ndarray) -> float:
    """Root mean squared distance to the centroid."""
    return float(np.sqrt(((features - features.mean(0)) ** 2).sum(1).mean()))


@torch.no_grad()
def conditioning_shares(G, n: int = 512) -> list[tuple[str, float, float]]:
    """(layer, E‖W_z z‖ / E‖W_e e‖ for the gain, the same for the bias) for every conditional BN (none for a
    family without BigGAN's shared embedding)."""
    if not hasattr(G, "shared"):
        return []
    gen = torch.Generator().manual_seed(0)
    y = torch.arange(n) % G.num_classes
    e = G.shared(y)
    rows = []
    names = [(name, m) for name, m in G.named_modules() if isinstance(m, ConditionalBatchNorm2d)]
    for name, cbn in names:
        if not hasattr(cbn.gain, "normalized_weight"):
            continue
        ratios = []
        for part in (cbn.gain, cbn.bias):
            W = part.normalized_weight()
            dim_e, dim_z = e.shape[1], W.shape[1] - e.shape[1]
            # BigGAN reads [e(y), z_i]; BigGAN-deep reads [z, e(y)]
            W_e, W_z = (W[:, dim_z:], W[:, :dim_z]) if G.spec.model.name == "biggan_deep" else \
                (W[:, :dim_e], W[:, dim_e:])
            z = torch.randn(n, dim_z, generator=gen)
            ratios.append(float((z @ W_z.t()).norm(dim=1).mean() / (e @ W_e.t()).norm(dim=1).mean()))
        rows.append((name, *ratios))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--per-class", type=int, default=1000)
    args = ap.parse_args()
    G = load(args.run)
    extractor = get_extractor("classifier:fashion-mnist")
    k = G.num_classes
    fake = extract(extractor, generator_source(G, args.per_class * k, seed=1).batches(200))
    real_set = load_dataset(DataConfig(source=G.run_config.data.source, resolution=G.spec.resolution,
                                       channels=G.spec.channels))
    real = extract(extractor, dataset_source(real_set).batches(500))
    print(f"{args.run}: {args.per_class} generated images per class vs the training images, classifier:fashion-mnist")
    print("\n| class | spread generated | spread real | ratio | precision | recall | density | coverage |")
    print("|---|---|---|---|---|---|---|---|")
    for c in range(k):
        f = fake["features"][np.asarray(fake["labels"]) == c]
        r = real["features"][np.asarray(real["labels"]) == c]
        pr, dc = precision_recall(f, r, 3), density_coverage(f, r, 5)
        print(f"| {G.class_names[c]} | {spread(f):.2f} | {spread(r):.2f} | {spread(f) / spread(r):.2f} | "
              f"{pr['precision']:.3f} | {pr['recall']:.3f} | {dc['density']:.3f} | {dc['coverage']:.3f} |")
    shares = conditioning_shares(G)
    if shares:
        print("\n| conditional BN | z / class, gain | z / class, bias |")
        print("|---|---|---|")
        for name, gain, bias in shares:
            print(f"| {name} | {gain:.3f} | {bias:.3f} |")


if __name__ == "__main__":
    main()
