"""Train the in-domain classifier used by `--extractor classifier:...` (FID in its feature space, class
accuracy) and report its held-out accuracy.

    python tools/train_classifier.py                      # the shipped Fashion-MNIST classifier
    python tools/train_classifier.py --data DIR --heldout DIR2 --out my_classifier.safetensors

For the shipped weights it trains on the full Fashion-MNIST training split (60,000 images from Debian's
dataset-fashion-mnist, padded to 32x32) and reports accuracy on ganforge's embedded held-out subset, which
comes from the separate test split.
"""
import argparse
import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from build_fashion_mnist import CLASS_NAMES, read_idx  # noqa: E402

from ganforge.sections import DataConfig  # noqa: E402
from ganforge.data import load_dataset  # noqa: E402
from ganforge.data.transforms import pad_to  # noqa: E402
from ganforge.metrics.classifier import accuracy, save_classifier, train_classifier  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="training data (any ganforge data source); default: full Fashion-MNIST train")
    ap.add_argument("--heldout", default="fashion-mnist:heldout", help="held-out data source for the accuracy")
    ap.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--resolution", type=int, default=32)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--out", default="ganforge/metrics/weights/classifier_fashion-mnist.safetensors")
    args = ap.parse_args()
    torch.set_num_threads(max(1, torch.get_num_threads()))

    if args.data:
        ds = load_dataset(DataConfig(source=args.data, resolution=args.resolution, channels=args.channels))
        images, labels, names = ds.images, ds.labels, ds.class_names
    else:
        src = pathlib.Path(args.src)
        raw = read_idx(src / "train-images-idx3-ubyte.gz")
        images = torch.from_numpy(pad_to(raw[:, None], 32))
        labels = torch.from_numpy(read_idx(src / "train-labels-idx1-ubyte.gz").astype(np.int64))
        names = CLASS_NAMES
    held = load_dataset(DataConfig(source=args.heldout, resolution=args.resolution, channels=args.channels))
    model = train_classifier(images, labels, names, epochs=args.epochs)
    acc = accuracy(model, held.images, held.labels)
    train_acc = accuracy(model, images[:10000], labels[:10000])
    info = {"trained_on": args.data or "fashion-mnist (full training split, 60,000 images)",
            "heldout": args.heldout, "heldout_accuracy": acc, "train_accuracy_first_10k": train_acc,
            "epochs": args.epochs}
    save_classifier(model, args.out, info)
    print(f"held-out accuracy {acc:.4f} on {len(held)} images ({args.heldout}); wrote {args.out}")


if __name__ == "__main__":
    main()
