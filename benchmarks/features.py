"""Feature-extraction throughput: images per second of each extractor on 32x32 inputs (Inception resizes them
to 299x299; its weights are random here unless --inception-weights is given, which does not change the speed).

    python benchmarks/features.py [--n 256] [--batch-size 64] [--device cpu]
"""
from __future__ import annotations

import argparse
import time

import torch

from ganforge.metrics.features import ClassifierExtractor, InceptionExtractor
from ganforge.results import write_result


def throughput(extractor, images: torch.Tensor, batch_size: int, sync) -> float:
    extractor(images[:batch_size])  # warm-up
    sync()
    t0 = time.perf_counter()
    for i in range(0, len(images), batch_size):
        extractor(images[i:i + batch_size])
    sync()
    return len(images) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--inception-weights")
    ap.add_argument("--results", help="also write the figures into this results directory")
    args = ap.parse_args()
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    gen = torch.Generator().manual_seed(0)
    grey = torch.randint(0, 256, (args.n, 1, 32, 32), generator=gen, dtype=torch.uint8)
    rows = [("classifier:fashion-mnist", ClassifierExtractor("fashion-mnist", device), grey)]
    for resize in ("tf", "clean"):
        ext = InceptionExtractor(args.inception_weights, resize, device, allow_download=False,
                                 random_init=args.inception_weights is None)
        rows.append((f"inception (resize {resize})", ext, grey.expand(-1, 3, -1, -1).contiguous()))
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"feature extraction, {args.n} images of 32x32, batch {args.batch_size} | {where} | torch {torch.__version__}")
    base, metrics = None, {}
    for name, ext, images in rows:
        rate = throughput(ext, images, args.batch_size, sync)
        base = base or rate
        metrics[f"{name} img/s"] = round(rate, 2)
        print(f"  {name:28s} {rate:9.1f} img/s  ({rate / base:.3f}x the classifier)")
    if args.results:
        print(write_result(args.results, "bench/features", metrics, kind="extraction-speed", n=args.n,
                           batch_size=args.batch_size))


if __name__ == "__main__":
    main()
