"""Train experiment configs and score each on draws of its samples: the driver of the searches whose variants
live in this folder (each a YAML config of absolute settings with the commit it ran at, in its header).

    python experiments/run.py experiments/family-presets/progan/d2e3.yaml [more.yaml ...] --out runs/exp \
        [--threads 1] [--draws 1] [--n 2000] [--time]

Each run trains in OUT/<folder>/<name>/ (continued where it stopped) and is scored against the embedded
training images in the domain classifier's space (n samples per draw; the lab notebook's tables give draw 0,
its later rounds five draws). ``--time`` only estimates each config's training time from its measured step time.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from budget import seconds_per_step  # noqa: E402
from ganforge.config import load_config_file  # noqa: E402
from ganforge.device import fix_thread_count  # noqa: E402
from ganforge.hub import load  # noqa: E402
from ganforge.metrics.draws import score_generator, summarise  # noqa: E402
from ganforge.metrics.registry import count_label  # noqa: E402
from ganforge.training.run import train  # noqa: E402

COLUMNS = ("fid", "precision", "recall", "density", "coverage", "acc")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("configs", nargs="+", type=pathlib.Path)
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("runs/experiments"))
    ap.add_argument("--threads", type=int, default=0, help="train.threads (two one-thread runs share 2 cores)")
    ap.add_argument("--draws", type=int, default=1)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--time", action="store_true", help="only estimate the training time of each config")
    args = ap.parse_args()
    threads = fix_thread_count(args.threads)
    k = count_label(args.n)
    print(f"| config | steps | train s | {' | '.join(c + k for c in COLUMNS)} |\n|---|---|---|"
          + "---|" * len(COLUMNS), flush=True)
    for path in args.configs:
        cfg = load_config_file(path)
        cfg.set("train.threads", args.threads)
        if args.time:
            seconds = seconds_per_step(cfg)[0]
            print(f"{path}: {seconds:.3f} s/step × {cfg.train.steps} ≈ {seconds * cfg.train.steps / 60:.1f} min "
                  f"with {threads} threads", flush=True)
            continue
        run = args.out / path.parent.name / path.stem
        summary = train(cfg, run, resume="auto", show_progress=False, notify=lambda m: None)
        G = load(run)
        scores = summarise(score_generator(G, "fashion-mnist", args.draws, args.n, data_cfg=G.run_config.data),
                           args.n)
        cells = " | ".join(f"{scores[c + k]['mean']:.3f}" if c + k in scores else "—" for c in COLUMNS)
        print(f"| {path.parent.name}/{path.stem} | {summary['steps']} | {summary['seconds']:.0f} | {cells} |",
              flush=True)


if __name__ == "__main__":
    main()
