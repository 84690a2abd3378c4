"""How much a metric moves between draws of a model's samples: finished runs (or exported generators) each scored
on several independent draws of n samples (sampling seeds 0, 1, ...; the model, its standing statistics and the
reference stay fixed), in the domain classifier's space against the embedded training images. Prints, per model,
each metric's mean ± standard deviation over the draws and each draw's recall, so a bar such as recall ≥ 0.4 can
be read against the spread of its own measurement.

    python benchmarks/draws.py RUN [RUN ...] [--draws 5] [--n 2000] [--json OUT.json]
        [--results results --names NAME,...]   # one result file per run: results/NAME.json
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from ganforge.hub import load  # noqa: E402
from ganforge.metrics.draws import score_generator, summarise  # noqa: E402
from ganforge.metrics.registry import count_label  # noqa: E402
from ganforge.results import write_result  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run directories or exported generators")
    ap.add_argument("--draws", type=int, default=5, help="independent draws of samples per model")
    ap.add_argument("--n", type=int, default=2000, help="samples per draw")
    ap.add_argument("--json", help="also write every draw's scores here")
    ap.add_argument("--results", help="also write each run's scores as RESULTS/NAME.json (with --names)")
    ap.add_argument("--names", help="comma-separated result names, one per run (e.g. sweeps/demo-trial-7)")
    args = ap.parse_args()
    if args.draws < 1 or args.n < 2:
        ap.error(f"--draws {args.draws} --n {args.n}: expected at least one draw of at least two samples")
    names = args.names.split(",") if args.names else []
    if args.results and len(names) != len(args.runs):
        ap.error(f"--results needs one name per run in --names ({len(args.runs)} runs, {len(names)} names)")
    k = count_label(args.n)
    rows = [f"| model | fid{k} | recall | coverage | acc | recall of each draw |", "|---|---|---|---|---|---|"]
    found = {}
    for run in args.runs:
        G = load(run)
        scores = found[run] = summarise(score_generator(G, "fashion-mnist", args.draws, args.n,
                                                        data_cfg=G.run_config.data if G.run_config else None), args.n)
        cell = lambda name: f"{scores[name]['mean']:.3f} ± {scores[name]['sd']:.3f}" if name in scores else "—"  # noqa
        rows.append(f"| {run} | {cell(f'fid{k}')} | {cell(f'recall{k}')} | {cell(f'coverage{k}')} | "
                    f"{cell(f'acc{k}')} | " + ", ".join(f"{v:.3f}" for v in scores[f"recall{k}"]["draws"]) + " |")
        print(rows[-1], flush=True)
        if args.results:
            steps = G.run_config.train.steps if G.run_config else None
            write_result(args.results, names[args.runs.index(run)], scores, kind="draws", run=str(run), steps=steps,
                         draws=args.draws, n=args.n, extractor="classifier:fashion-mnist")
    print(f"\n{args.draws} draws of {args.n} samples each (sampling seeds 0..{args.draws - 1}), "
          f"classifier:fashion-mnist against the training images\n")
    print("\n".join(rows))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(found, indent=2) + "\n")


if __name__ == "__main__":
    main()
