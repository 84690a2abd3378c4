"""Build the embedded Fashion-MNIST subset shipped as package data.

Reads the original idx files (Debian package ``dataset-fashion-mnist`` installs them under
/usr/share/datasets/fashion-mnist/) and writes a class-balanced, seeded subset:
``--train-per-class`` images per class from the training split and a separate held-out subset of
``--heldout-per-class`` images per class from the test split. Images stay 28x28 uint8; the loader
pads them to 32x32.

    python tools/build_fashion_mnist.py [--src DIR] [--out ganforge/data/fashion_mnist.npz]
"""
import argparse
import pathlib

import numpy as np

from ganforge.data.idx import read_idx  # noqa: F401 - also used by train_classifier.py

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
LICENSE = (
    "Fashion-MNIST, Copyright (c) 2017 Zalando SE (https://github.com/zalandoresearch/fashion-mnist), "
    "MIT licence: Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    "software and associated documentation files (the \"Software\"), to deal in the Software without "
    "restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, "
    "sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished "
    "to do so, subject to the following conditions: The above copyright notice and this permission notice "
    "shall be included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "
    "\"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES "
    "OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS "
    "OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
    "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR "
    "OTHER DEALINGS IN THE SOFTWARE."
)


def balanced_subset(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    picks = []
    for c in range(len(CLASS_NAMES)):
        idx = np.flatnonzero(labels == c)
        if len(idx) < per_class:
            raise ValueError(f"class {c} has only {len(idx)} images, {per_class} requested")
        picks.append(np.sort(rng.choice(idx, per_class, replace=False)))
    return np.concatenate(picks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default="ganforge/data/fashion_mnist.npz")
    ap.add_argument("--train-per-class", type=int, default=1000)
    ap.add_argument("--heldout-per-class", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    src = pathlib.Path(args.src)
    rng = np.random.default_rng(args.seed)
    x_tr, y_tr = read_idx(src / "train-images-idx3-ubyte.gz"), read_idx(src / "train-labels-idx1-ubyte.gz")
    x_te, y_te = read_idx(src / "t10k-images-idx3-ubyte.gz"), read_idx(src / "t10k-labels-idx1-ubyte.gz")
    tr = balanced_subset(y_tr, args.train_per_class, rng)
    te = balanced_subset(y_te, args.heldout_per_class, rng)
    np.savez_compressed(
        args.out,
        train_images=x_tr[tr], train_labels=y_tr[tr].astype(np.int64),
        heldout_images=x_te[te], heldout_labels=y_te[te].astype(np.int64),
        class_names=np.array(CLASS_NAMES), license=np.array(LICENSE),
    )
    size = pathlib.Path(args.out).stat().st_size
    print(f"wrote {args.out}: {len(tr)} train + {len(te)} held-out images, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
