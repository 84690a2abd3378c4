"""``ganforge bench train``: the training step's speed for several variants in one run."""
from __future__ import annotations

import torch

from ..config import load_preset, parse_override, preset_names
from ..device import resolve_device, resolve_precision
from .common import positive_int


def _bench(args) -> int:
    from ..training.step_timing import bench_train, machine, markdown_table, variants
    cfg = load_preset(args.preset)
    for item in args.set or []:
        cfg.set(*parse_override(item))
    cfg.set("train.device", args.device)
    precisions = args.precision.split(",")
    if "auto" in precisions:
        chosen_precision, why = resolve_precision("auto", resolve_device(args.device))
        print(f"precision auto = {chosen_precision}: {why}")
        precisions = [chosen_precision if p == "auto" else p for p in precisions]
        precisions = list(dict.fromkeys(precisions))  # auto may repeat a precision already listed
    chosen = variants(precisions, [False, True] if args.channels_last else [cfg.train.channels_last])
    print(f"{args.preset} {' '.join(args.set or [])} | {machine(resolve_device(args.device))} | "
          f"torch {torch.__version__} | median of {args.steps} steps")
    rows = bench_train(cfg, chosen, args.steps)
    print("\n" + markdown_table(rows))
    if args.results:
        from ..results import write_result
        metrics = {f"{r['variant']} {key}": round(r[key], 4) for r in rows
                   for key in ("s_per_step", "img_per_s", "gflop_per_s", "peak_mb")}
        path = write_result(args.results, f"bench/train-{args.preset}", metrics, kind="train-step",
                            preset=args.preset, overrides=args.set or [], steps=args.steps)
        print(f"wrote {path}")
    return 0


def register(sub) -> None:
    b = sub.add_parser("bench", help="benchmarks")
    what = b.add_subparsers(dest="what", required=True)
    t = what.add_parser("train", help="training-step speed of variants, with the ratio to the first (fp32)")
    t.add_argument("--preset", default="fashion32-cpu", help=f"one of: {', '.join(preset_names())}")
    t.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    t.add_argument("--precision", default="fp32", help="comma-separated: fp32,bf16,fp16,auto")
    t.add_argument("--channels-last", action="store_true", help="compare NCHW with channels-last")
    t.add_argument("--steps", type=positive_int, default=10, help="timed steps per variant (after 2 warm-up)")
    t.add_argument("--device", default="auto")
    t.add_argument("--results", metavar="DIR", help="also write the figures as DIR/bench/train-PRESET.json (the "
                   "project's results/ directory, from which its docs are rendered)")
    t.set_defaults(func=_bench)
