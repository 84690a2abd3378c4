"""How much a metric moves between draws of a model's samples: finished runs (or exported generators) each scored
on several independent draws of n samples (sampling seeds 0, 1, ...; the model, its standing statistics and the
reference stay fixed), in the domain classifier's space against the embedded training images, as the family
search scores them (its figure is draw 0). Prints, per model, each metric's mean ± standard deviation over the
draws and each draw's recall, so a bar such as recall ≥ 0.4 can be read against the spread of its own
measurement.

    python benchmarks/draws.py RUN [RUN ...] [--draws 5] [--n 2000] [--json OUT.json]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import statistics

from ganforge.hub import load
from ganforge.metrics.evaluator import Evaluator
from search import metric

SCORES = {"fid": lambda r: float(metric(r, "fid")), "precision": lambda r: metric(r, "pr")["precision"],
          "recall": lambda r: metric(r, "pr")["recall"], "coverage": lambda r: metric(r, "dc")["coverage"],
          "acc": lambda r: None if metric(r, "acc") is None else float(metric(r, "acc"))}


def score_draws(run: str, draws: int, n: int) -> dict[str, list[float]]:
    """Each score of ``run``'s EMA generator over ``draws`` draws of n samples."""
    G = load(run)
    names = ["fid", "pr", "dc", "acc"] if G.conditional else ["fid", "pr", "dc"]
    found: dict[str, list[float]] = {name: [] for name in SCORES}
    for seed in range(draws):
        ev = Evaluator("fashion-mnist", G.image_shape, names, data_cfg=G.run_config.data, seed=seed)
        result = {"metrics": ev.evaluate_generator(G, n)["metrics"]}
        for name, read in SCORES.items():
            value = read(result)
            if value is not None:
                found[name].append(value)
    return {name: values for name, values in found.items() if values}


def spread(values: list[float]) -> str:
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run directories or exported generators")
    ap.add_argument("--draws", type=int, default=5, help="independent draws of samples per model")
    ap.add_argument("--n", type=int, default=2000, help="samples per draw")
    ap.add_argument("--json", help="also write every draw's scores here")
    args = ap.parse_args()
    if args.draws < 1 or args.n < 2:
        ap.error(f"--draws {args.draws} --n {args.n}: expected at least one draw of at least two samples")
    rows, found = [f"| model | fid{args.n // 1000}k | recall | coverage | acc | recall of each draw |",
                   "|---|---|---|---|---|---|"], {}
    for run in args.runs:
        scores = found[run] = score_draws(run, args.draws, args.n)
        each = ", ".join(f"{v:.3f}" for v in scores["recall"])
        rows.append(f"| {run} | {spread(scores['fid'])} | {spread(scores['recall'])} | "
                    f"{spread(scores['coverage'])} | {spread(scores['acc']) if 'acc' in scores else '—'} | {each} |")
        print(rows[-1], flush=True)
    print(f"\n{args.draws} draws of {args.n} samples each (sampling seeds 0..{args.draws - 1}), "
          f"classifier:fashion-mnist against the training images\n")
    print("\n".join(rows))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
