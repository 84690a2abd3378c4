"""``ganforge eval``: metrics of a generator or an image set against a reference."""
from __future__ import annotations

import json
import pathlib

from ..errors import GanforgeError
from ..fileio import atomic_write_text
from ..metrics.evaluator import Evaluator, fake_side, parse_sweep, reference_for
from ..metrics.registry import format_table, headline
from ..notify import to_stderr
from .common import non_negative_int, positive_int, precision_arg, say_precision, truncation_arg


def _eval(args) -> int:
    if args.ref_positional is not None:
        if args.ref is not None and args.ref != args.ref_positional:
            raise GanforgeError(f"two references: {args.ref_positional} and --ref {args.ref}; give one")
        args.ref = args.ref_positional
    sweep = parse_sweep(args.truncation_sweep) if args.truncation_sweep else None
    if sweep and not args.out:
        raise GanforgeError("--truncation-sweep needs --out PLOT.png")
    G, fake = fake_side(args.source, args.n, args.seed, args.device or "cpu", args.precision, args.standing_stats)
    if G is not None:
        say_precision(args.precision, G)
    if G is None and (sweep or args.truncation is not None or args.standing_stats is not None):
        raise GanforgeError("--truncation, --truncation-sweep and --standing-stats apply to a run or an exported "
                            "generator")
    ref, data_cfg = reference_for(args.ref, G)
    shape = G.image_shape if G is not None else fake.shape
    evaluator = Evaluator(ref, shape, args.metrics, args.extractor, args.inception_weights, args.resize,
                          args.device or "cpu", args.seed, not args.no_cache, data_cfg, args.ref_n,
                          args.batch_size, notify=to_stderr, convert=args.convert)
    if args.save_stats:
        evaluator.save_reference(args.save_stats)
        to_stderr(f"reference statistics written to {args.save_stats}")
    n = args.n or 10000
    if sweep:
        results = [evaluator.evaluate_generator(G, n, psi) for psi in sweep]
        names = list(results[0]["metrics"])
        print("  psi    " + "  ".join(f"{m:>12s}" for m in names))
        for psi, r in zip(sweep, results):
            print(f"  {psi:<6g} " + "  ".join(f"{headline(m, r['metrics'][m]):>12.5g}" for m in names))
        from ..viz.plots import metric_curves
        metric_curves(sweep, {m: [headline(m, r["metrics"][m]) for r in results] for m in names}, "truncation ψ",
                      args.out, title=f"{args.source}: {results[0]['extractor_name']}")
        to_stderr(f"plot written to {args.out}")
        payload = {"sweep": results}
    else:
        result = evaluator.evaluate_generator(G, n, args.truncation) if G is not None else evaluator.evaluate(fake)
        print(format_table(result))
        payload = result
    json_path = args.json
    if json_path is None and G is not None:
        tag = "-".join(payload["sweep"][0]["metrics"] if sweep else payload["metrics"])
        tag += "-sweep" if sweep else (f"-psi{args.truncation:g}" if args.truncation is not None else "")
        tag += f"-standing{args.standing_stats}" if args.standing_stats is not None else ""
        json_path = pathlib.Path(args.source).expanduser() / "eval" / f"{tag}.json"
    if json_path is not None:
        atomic_write_text(pathlib.Path(json_path), json.dumps(payload, indent=2) + "\n")
        to_stderr(f"results written to {json_path}")
    return 0


def register(sub) -> None:
    v = sub.add_parser("eval", help="evaluate a run, an export, a folder or an npz against a reference")
    v.add_argument("source", help="run directory, exported generator, image folder (flat or one sub-folder per "
                   "class), npz, CIFAR-10 or MNIST-format data, or fashion-mnist[:heldout]")
    v.add_argument("ref_positional", nargs="?", metavar="REF", help="the reference, as with --ref (ganforge eval A B)")
    v.add_argument("--ref", help="reference: fashion-mnist[:heldout], an image folder (flat or class folders), an npz, "
                   "a CIFAR-10 directory, MNIST-format data, or a statistics file from --save-stats (default for a "
                   "run: its training data)")
    v.add_argument("--convert", action="store_true", help="resize and convert the reference to the evaluated "
                   "images' size and channels when they differ (else an error)")
    v.add_argument("--metrics", default="fid", help="comma-separated: fid,kid,is,pr,dc,ifid,acc (default fid)")
    v.add_argument("--n", type=positive_int, default=None, help="images evaluated (default: 10000 generated, or "
                   "every image of a folder/npz)")
    v.add_argument("--ref-n", type=positive_int, default=None, help="reference images (default: all)")
    v.add_argument("--extractor", help="inception, classifier:fashion-mnist or classifier:PATH (default: the "
                   "Fashion-MNIST classifier for that reference, else inception)")
    v.add_argument("--inception-weights", help="path of pt_inception-2015-12-05-6726825d.pth")
    v.add_argument("--resize", choices=["tf", "clean"], default="tf", help="resize to 299 for Inception")
    v.add_argument("--truncation", type=truncation_arg, default=None)
    v.add_argument("--standing-stats", type=non_negative_int, default=None,
                   help="standing BN statistics over this many batches of 64 samples (0 = the stored statistics; "
                   "default: the run's train.standing_stats)")
    v.add_argument("--truncation-sweep", help="START:STOP:STEP, e.g. 0.2:1.0:0.1 (needs --out)")
    v.add_argument("--out", help="plot of a truncation sweep (.png)")
    v.add_argument("--json", help="results file (default for a run or export: DIR/eval/<metrics>.json)")
    v.add_argument("--save-stats", help="write the reference statistics (npz) for reuse with --ref")
    v.add_argument("--no-cache", action="store_true", help="recompute the reference features")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--batch-size", type=positive_int, default=100)
    v.add_argument("--device", help="cpu (default), cuda, mps")
    precision_arg(v)
    v.set_defaults(func=_eval)
