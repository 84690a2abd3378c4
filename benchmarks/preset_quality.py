"""A preset's quality as a result file: train it (or continue the run found in --work), score its EMA generator on
several draws of n samples in the domain classifier's space against the embedded training images, and write
``results/presets/PRESET[-seedS].json`` (per metric: the mean, standard deviation and every draw).
``--floor`` scores real held-out images the same way instead: the value a perfect generator would get at the
same n (Fashion-MNIST's 10,000 test images, disjoint from the embedded training images).

    python benchmarks/preset_quality.py --preset vanilla-fashion32 --threads 1 [--seed 1] [--draws 5] [--n 2000]
    python benchmarks/preset_quality.py --floor /usr/share/datasets/fashion-mnist --n 2000 --draws 5

``--threads 1`` lets two of them share a 2-core machine; the training time recorded is then one core's under
that load (``load`` in the file says so).
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ganforge.config import load_preset  # noqa: E402
from ganforge.data.embedded import load_raw  # noqa: E402
from ganforge.data.idx import load_idx  # noqa: E402
from ganforge.device import fix_thread_count  # noqa: E402
from ganforge.hub import load  # noqa: E402
from ganforge.metrics.draws import score_generator, score_real, summarise  # noqa: E402
from ganforge.results import write_result  # noqa: E402
from ganforge.training.run import train  # noqa: E402

REF = "fashion-mnist"  # the embedded training images: every preset's training data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--preset", help="the preset to train and score")
    what.add_argument("--floor", help="Fashion-MNIST idx directory whose test images are scored as the real floor")
    ap.add_argument("--seed", type=int, default=0, help="train.seed")
    ap.add_argument("--threads", type=int, default=0, help="train.threads (0: torch's default)")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--work", default="runs/preset_quality", help="where runs are trained (and continued)")
    ap.add_argument("--results", default="results", help="results directory")
    ap.add_argument("--load", default="", help="what else ran on the machine meanwhile (recorded)")
    args = ap.parse_args()
    fix_thread_count(args.threads)
    if args.floor:
        held_out = load_idx(pathlib.Path(args.floor), 32, 1, split="test")
        held_out.class_names = load_raw()[2]  # idx labels follow the standard Fashion-MNIST order, as embedded
        scores = score_real(held_out, REF, args.draws, args.n)
        path = write_result(args.results, f"floors/fashion-mnist-test-{args.n}", summarise(scores, args.n),
                            kind="real-floor", reference=REF, evaluated="Fashion-MNIST test images (idx)",
                            extractor="classifier:fashion-mnist", draws=args.draws, n=args.n)
        print(path)
        return
    cfg = load_preset(args.preset)
    for key, value in {"train.seed": args.seed, "train.threads": args.threads, "train.sample_every": 0}.items():
        cfg.set(key, value)
    name = args.preset + (f"-seed{args.seed}" if args.seed else "")
    run = pathlib.Path(args.work) / name
    summary = train(cfg, run, resume="auto", show_progress=False, notify=lambda m: None)
    # a continued run: this call did not time the whole of it
    seconds = summary["seconds"] if summary["trained_steps"] == summary["steps"] else None
    G = load(run)
    scores = score_generator(G, REF, args.draws, args.n, data_cfg=G.run_config.data)
    path = write_result(args.results, f"presets/{name}", summarise(scores, args.n), kind="preset-quality",
                        preset=args.preset, seed=args.seed, family=cfg.model.name, steps=summary["steps"],
                        train_seconds=None if seconds is None else round(seconds, 1),
                        threads=torch.get_num_threads(), precision=G.run_config.train.precision,
                        load=args.load, reference=REF, extractor="classifier:fashion-mnist", draws=args.draws,
                        n=args.n)
    print(path)


if __name__ == "__main__":
    main()
