"""Recipe search for every family's CPU preset: variants trained to the end of their step count, each evaluated on
2,000 samples in the domain classifier's space (fid, precision/recall, density/coverage, class accuracy) against
the embedded training images.

    python benchmarks/family_search.py --out runs/family_search [--only dcgan/preset,cgan/preset] [--threads 1]
    python benchmarks/family_search.py --out runs/family_search --time --only dcgan/preset   # step time only

A variant is a preset and the keys it changes (benchmarks/family_variants.py). Each variant's run and result (``OUT/FAMILY/NAME/result.json``)
are kept, so an interrupted search continues where it stopped; ``OUT/results.md`` is rebuilt from every result
found. ``--threads 1`` lets two searches share a 2-core machine (their wall times are then each one core's).
"""
from __future__ import annotations

import argparse
import json
import pathlib

import torch

from budget import seconds_per_step
from family_variants import VARIANTS
from ganforge.config import load_preset
from search import run_search, table, train_and_evaluate


def variant_config(key: str, threads: int):
    preset, overrides, _ = VARIANTS[key]
    cfg = load_preset(preset)
    cfg.set("train.sample_every", 0)
    if threads:
        cfg.set("train.threads", threads)
    for name, value in overrides.items():
        cfg.set(name, value)
    return cfg


def run_variant(key: str, out: pathlib.Path, n: int, threads: int) -> dict:
    preset, overrides, what = VARIANTS[key]
    return train_and_evaluate(variant_config(key, threads), out / key, n, key=key, preset=preset, what=what,
                              overrides=overrides)


def time_variant(key: str) -> str:
    """The variant's whole training time estimated from its measured step time (each level's, for a model that
    grows), with the threads torch uses here: the way to check a preset's wall-clock budget on idle cores."""
    cfg = variant_config(key, torch.get_num_threads())
    seconds = seconds_per_step(cfg)[0]
    return (f"{key}: {seconds:.3f} s/step × {cfg.train.steps} steps ≈ {seconds * cfg.train.steps / 60:.1f} min "
            f"with {torch.get_num_threads()} threads")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", help="comma-separated variants, FAMILY/NAME (default: all)")
    ap.add_argument("--n", type=int, default=2000, help="samples evaluated per variant")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads per run (0 = torch's default)")
    ap.add_argument("--time", action="store_true",
                    help="only estimate each variant's training time from its measured step time")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    keys = args.only.split(",") if args.only else list(VARIANTS)
    if args.time:
        if args.threads:
            torch.set_num_threads(args.threads)
        for key in keys:
            print(time_variant(key), flush=True)
        return
    run_search(keys, VARIANTS, out, lambda key: run_variant(key, out, args.n, args.threads))
    found = {r["key"]: r for r in (json.loads(p.read_text()) for p in out.glob("*/*/result.json"))}
    text = table([found[k] for k in VARIANTS if k in found], "key")
    (out / "results.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
