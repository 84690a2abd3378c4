"""``ganforge plot``: a run's loss, speed and metric curves as PNG files (the plots extra)."""
from __future__ import annotations


def _plot(args) -> int:
    from ..viz.run_plots import plot_run
    for path in plot_run(args.run, args.out, args.smoothing):
        print(f"wrote {path}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("plot", help="draw a run's loss, speed and metric curves (PNG)")
    p.add_argument("run", help="a run directory")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--smoothing", type=float, default=0.9, help="EMA smoothing of the loss curves, in [0, 1)")
    p.set_defaults(func=_plot)
