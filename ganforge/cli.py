"""The ``ganforge`` command: train, sample, interpolate, export, presets."""
from __future__ import annotations

import argparse
import pathlib
import sys

from .config import Config, describe_keys, load_config_file, load_preset, parse_override, preset_names
from .errors import GanforgeError


def _train(args) -> int:
    from .train.run import train
    if args.list_keys:
        print(describe_keys())
        return 0
    if args.out is None and not args.dry_run:
        raise GanforgeError("train needs --out DIR (the run directory)")
    if args.preset and args.config:
        raise GanforgeError("give --preset or --config, not both")
    cfg = load_preset(args.preset) if args.preset else load_config_file(args.config) if args.config else Config()
    if args.model:
        cfg.set("model.name", args.model, origin="--model")
    if args.data:
        cfg.set("data.source", args.data, origin="--data")
    if args.device:
        cfg.set("train.device", args.device, origin="--device")
    if args.skip_bad_images:
        cfg.set("data.skip_bad_images", True, origin="--skip-bad-images")
    for item in args.set or []:
        key, value = parse_override(item)
        cfg.set(key, value)
    summary = train(cfg, args.out or ".", resume=args.resume, force=args.force,
                    show_progress=not args.no_progress, dry_run=args.dry_run)
    if args.dry_run:
        print(summary["description"] + f"# data: {summary['data']}\n# dry run: config valid, nothing written")
        return 0
    rate = summary["trained_steps"] / max(summary["seconds"], 1e-9)
    print(f"trained {summary['trained_steps']} steps (now at {summary['steps']}) in {summary['seconds']:.1f} s "
          f"({rate:.2f} steps/s)\ncheckpoint: {summary['checkpoint']}\nsample sheet: {summary['sheet']}")
    return 0


def _load(args):
    from .pretrained import load
    return load(args.run, device=args.device or "cpu", standing_stats=args.standing_stats)


def _out_path(path: str) -> pathlib.Path:
    out = pathlib.Path(path).expanduser()
    if out.suffix.lower() != ".png":
        raise GanforgeError(f"--out {out}: expected a .png file name")
    if out.is_dir():
        raise GanforgeError(f"--out {out} is a directory; give a .png file name")
    return out


def _sample(args) -> int:
    from .sampling import sample
    from .viz import image_grid, labelled_sheet, save_png
    out = _out_path(args.out)
    G = _load(args)
    classes = args.classes
    if classes == ["all"]:
        classes = list(range(G.num_classes))
    if classes and len(classes) > 1 and args.n % len(classes):
        raise GanforgeError(f"--n {args.n} must be a multiple of the {len(classes)} classes to give one row per class")
    steering = args.attention_strength is not None or args.attention_focus or args.attention_from_seed is not None
    if steering:
        images = _steered_samples(G, classes, args)
    else:
        images = sample(G, classes=classes, n=args.n, truncation=args.truncation, seed=args.seed)
    scale = max(1, 96 // G.image_shape[-1])
    if classes and len(classes) > 1:
        rows = images.view(len(classes), args.n // len(classes), *images.shape[1:])
        sheet = labelled_sheet(rows, [G.class_names[G.class_index(c)] for c in classes], scale=scale)
    else:
        sheet = image_grid(images, ncol=args.columns, scale=scale)
    save_png(sheet, out)
    print(f"wrote {out} ({args.n} images, {sheet.width}x{sheet.height} px)")
    return 0


def _inputs(G, classes, n: int, truncation, seed: int):
    import torch

    from .sampling import latents_for, resolve_classes
    gen = torch.Generator().manual_seed(seed)
    z = latents_for(G, n, truncation, gen)
    return z, resolve_classes(G, classes, n, gen)


def _steered_samples(G, classes, args):
    """Samples with attention switched off or scaled, focused on a mask, or transplanted from another seed."""
    from .attention import fit_mask, generate_steered, load_mask, record_attention
    from .train.run import to_stderr
    z, y = _inputs(G, classes, args.n, args.truncation, args.seed)
    steering = {"strength": 1.0 if args.attention_strength is None else args.attention_strength}
    if args.attention_focus:
        steering["focus"] = fit_mask(load_mask(args.attention_focus), G.image_shape[-1], to_stderr)
        steering["focus_weight"] = args.focus_weight
    if args.attention_from_seed is not None:
        z_a, y_a = _inputs(G, classes, args.n, args.truncation, args.attention_from_seed)
        _, maps = record_attention(G, z_a, y_a, args.truncation)
        steering["transplant"] = maps
    return generate_steered(G, z, y, args.truncation, **steering)


def _attention(args) -> int:
    from .attention import mean_heatmaps, query_heatmaps, record_attention
    from .viz import save_png
    from .viz.attention import attention_sheet
    out = _out_path(args.out)
    G = _load(args)
    try:
        x, y = (int(v) for v in args.query.split(","))
    except ValueError:
        raise GanforgeError(f"--query {args.query!r}: expected X,Y pixel coordinates, e.g. 16,8") from None
    z, cls = _inputs(G, [args.class_] if args.class_ else None, 1, args.truncation, args.seed)
    images, maps = record_attention(G, z, cls, args.truncation)
    size = G.image_shape[-1]
    spatial = {k: v for k, v in maps.items() if v.dim() == 3}
    if not spatial:
        raise GanforgeError("this model's attention layers are channel attention: they have no spatial maps to draw")
    sheet = attention_sheet(images[0], query_heatmaps(spatial, (x, y), size), mean_heatmaps(spatial, size), (x, y),
                            scale=max(1, 128 // size))
    save_png(sheet, out)
    print(f"wrote {out} ({len(spatial)} attention layer(s), class {G.class_names[int(cls[0])]}, seed {args.seed}, "
          f"query ({x},{y}))")
    return 0


def _interpolate(args) -> int:
    from .sampling import interpolation
    from .viz import labelled_sheet, save_png
    out = _out_path(args.out)
    G = _load(args)
    rows = interpolation(G, args.from_class, args.to_class, steps=args.steps, rows=args.rows,
                         from_seed=args.seed, to_seed=args.to_seed, truncation=args.truncation)
    a, b = G.class_names[G.class_index(args.from_class)], G.class_names[G.class_index(args.to_class)]
    columns = [a] + [""] * (args.steps - 2) + [b]
    sheet = labelled_sheet(rows, [f"z{r}" for r in range(args.rows)], scale=max(1, 96 // G.image_shape[-1]),
                           column_labels=columns)
    save_png(sheet, out)
    print(f"wrote {out} ({args.rows} rows x {args.steps} steps, {a} -> {b})")
    return 0


def _export(args) -> int:
    from .pretrained import save_pretrained
    out = pathlib.Path(args.out).expanduser()
    if out.exists() and any(out.iterdir()) and not args.force:
        raise GanforgeError(f"{out} is not empty; choose another --out or pass --force to overwrite the export")
    save_pretrained(_load(args), out)
    print(f"exported the EMA generator to {out} (config.json + model.safetensors)")
    return 0


def _eval(args) -> int:
    import json

    from .metrics.evaluate import format_table, scalar
    from .metrics.evaluator import Evaluator, fake_side, parse_sweep, reference_for
    from .train.run import to_stderr
    from .fileio import atomic_write_text
    sweep = parse_sweep(args.truncation_sweep) if args.truncation_sweep else None
    if sweep and not args.out:
        raise GanforgeError("--truncation-sweep needs --out PLOT.png")
    G, fake = fake_side(args.source, args.n, args.seed, args.device or "cpu")
    if G is None and (sweep or args.truncation is not None):
        raise GanforgeError("--truncation and --truncation-sweep apply to a run or an exported generator")
    ref, data_cfg = reference_for(args.ref, G)
    shape = G.image_shape if G is not None else fake.shape
    evaluator = Evaluator(ref, shape, args.metrics, args.extractor, args.inception_weights, args.resize,
                          args.device or "cpu", args.seed, not args.no_cache, data_cfg, args.ref_n,
                          args.batch_size, notify=to_stderr)
    if args.save_stats:
        evaluator.save_reference(args.save_stats)
        to_stderr(f"reference statistics written to {args.save_stats}")
    n = args.n or 10000
    if sweep:
        results = [evaluator.evaluate_generator(G, n, psi) for psi in sweep]
        names = list(results[0]["metrics"])
        print("  psi    " + "  ".join(f"{m:>12s}" for m in names))
        for psi, r in zip(sweep, results):
            print(f"  {psi:<6g} " + "  ".join(f"{scalar(r['metrics'][m]):>12.5g}" for m in names))
        from .viz.plots import metric_curves
        metric_curves(sweep, {m: [scalar(r["metrics"][m]) for r in results] for m in names}, "truncation ψ",
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
        json_path = pathlib.Path(args.source).expanduser() / "eval" / f"{tag}.json"
    if json_path is not None:
        atomic_write_text(pathlib.Path(json_path), json.dumps(payload, indent=2) + "\n")
        to_stderr(f"results written to {json_path}")
    return 0


def _convert(args) -> int:
    from .interop.convert import convert
    out = pathlib.Path(args.out).expanduser()
    if out.exists() and any(out.iterdir()) and not args.force:
        raise GanforgeError(f"{out} is not empty; choose another --out or pass --force to overwrite the export")
    options = {} if args.source == "hf" else {"bn_eps": args.bn_eps, "sn_eps": args.sn_eps,
                                              "resolution": args.resolution}
    G = convert(args.source, args.path, out, **options)
    m = G.config.model
    print(f"converted {args.path} ({args.source}) -> {out}: {m.name}, {G.config.data.resolution} px, ch {m.ch}, "
          f"dim_z {m.dim_z}, {m.num_classes} classes, attention at {m.g_attention}, "
          f"{sum(p.numel() for p in G.parameters()):,} parameters")
    return 0


def _presets(args) -> int:
    for name in preset_names():
        m, d, t = (load_preset(name).model, load_preset(name).data, load_preset(name).train)
        print(f"{name:24s} {m.name}, {d.resolution} px, ch {m.ch}, batch {t.batch_size}x{t.accumulate}, "
              f"{t.steps} steps, data {d.source}")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _truncation(text: str) -> float | None:
    if text.lower() in ("none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a threshold > 0 or 'none', got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a threshold > 0 or 'none', got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ganforge", description="Class-conditional image synthesis with GANs.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a model (or resume a run)")
    t.add_argument("--preset", help=f"a preset config: {', '.join(preset_names())}")
    t.add_argument("--config", help="a YAML/JSON config file")
    t.add_argument("--model", help="model family (model.name)")
    t.add_argument("--data", help="data source: fashion-mnist, an image folder, an .npz or a CIFAR-10 directory")
    t.add_argument("--out", help="run directory")
    t.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    t.add_argument("--device", help="cpu, cuda, cuda:N, mps or auto")
    t.add_argument("--resume", action="store_true", help="continue the run in --out from its newest checkpoint")
    t.add_argument("--force", action="store_true", help="replace the run already in --out")
    t.add_argument("--skip-bad-images", action="store_true", help="skip unreadable images (reported) instead of "
                   "stopping (data.skip_bad_images)")
    t.add_argument("--dry-run", action="store_true", help="print the resolved config and parameter counts, exit")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument("--list-keys", action="store_true", help="list every config key with its default and range")
    t.set_defaults(func=_train)

    def model_args(q):
        q.add_argument("run", help="a run directory or an exported generator")
        q.add_argument("--device", help="cpu (default), cuda, mps")
        q.add_argument("--truncation", type=_truncation, default=None, help="truncation threshold psi > 0 or none")
        q.add_argument("--standing-stats", type=int, default=None, help="standing-statistics passes (default: run's)")
        q.add_argument("--out", required=True, help="output .png")

    s = sub.add_parser("sample", help="write a grid of samples")
    model_args(s)
    s.add_argument("--class", dest="classes", action="append", help="class name or index (repeatable; 'all')")
    s.add_argument("--n", type=_positive_int, default=16, help="number of images (total)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--columns", type=_positive_int, default=None, help="grid columns (single class or random)")
    s.add_argument("--attention-strength", type=float, default=None,
                   help="scale every attention layer's gamma (0 = attention removed, 1 = as trained)")
    s.add_argument("--attention-focus", metavar="MASK", help="image whose white region attention is steered toward")
    s.add_argument("--focus-weight", type=float, default=4.0, help="strength of --attention-focus (negative: away)")
    s.add_argument("--attention-from-seed", type=int, default=None,
                   help="generate with the attention maps of the samples of this seed (same classes)")
    s.set_defaults(func=_sample)

    a = sub.add_parser("attention", help="draw a sample's attention maps for a query point")
    model_args(a)
    a.add_argument("--class", dest="class_", help="class name or index (default: random)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--query", default="16,16", help="X,Y pixel of the query (default 16,16)")
    a.set_defaults(func=_attention)

    i = sub.add_parser("interpolate", help="interpolate between two classes (and optionally two seeds)")
    model_args(i)
    i.add_argument("--from-class", required=True)
    i.add_argument("--to-class", required=True)
    i.add_argument("--steps", type=_positive_int, default=8)
    i.add_argument("--rows", type=_positive_int, default=4, help="rows, each with its own latent")
    i.add_argument("--seed", type=int, default=0, help="seed of the rows' latents")
    i.add_argument("--to-seed", type=int, default=None, help="also interpolate the latent toward this seed's")
    i.set_defaults(func=_interpolate)

    e = sub.add_parser("export", help="save a run's EMA generator as config.json + model.safetensors")
    e.add_argument("run")
    e.add_argument("--out", required=True)
    e.add_argument("--force", action="store_true")
    e.set_defaults(func=_export, device=None, standing_stats=None)

    v = sub.add_parser("eval", help="evaluate a run, an export, a folder or an npz against a reference")
    v.add_argument("source", help="run directory, exported generator, image folder or npz")
    v.add_argument("--ref", help="reference: fashion-mnist[:heldout], an image folder, an npz, a CIFAR-10 directory, "
                   "or a statistics file from --save-stats (default for a run: its training data)")
    v.add_argument("--metrics", default="fid", help=f"comma-separated: fid,kid,is,pr,dc,ifid,acc (default fid)")
    v.add_argument("--n", type=_positive_int, default=None, help="images evaluated (default: 10000 generated, or "
                   "every image of a folder/npz)")
    v.add_argument("--ref-n", type=_positive_int, default=None, help="reference images (default: all)")
    v.add_argument("--extractor", help="inception, classifier:fashion-mnist or classifier:PATH (default: the "
                   "Fashion-MNIST classifier for that reference, else inception)")
    v.add_argument("--inception-weights", help="path of pt_inception-2015-12-05-6726825d.pth")
    v.add_argument("--resize", choices=["tf", "clean"], default="tf", help="resize to 299 for Inception")
    v.add_argument("--truncation", type=_truncation, default=None)
    v.add_argument("--truncation-sweep", help="START:STOP:STEP, e.g. 0.2:1.0:0.1 (needs --out)")
    v.add_argument("--out", help="plot of a truncation sweep (.png)")
    v.add_argument("--json", help="results file (default for a run or export: DIR/eval/<metrics>.json)")
    v.add_argument("--save-stats", help="write the reference statistics (npz) for reuse with --ref")
    v.add_argument("--no-cache", action="store_true", help="recompute the reference features")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--batch-size", type=_positive_int, default=100)
    v.add_argument("--device", help="cpu (default), cuda, mps")
    v.set_defaults(func=_eval)

    c = sub.add_parser("convert", help="convert a pretrained generator of another project into a ganforge export")
    c.add_argument("--from", dest="source", required=True, choices=["hf", "biggan-pytorch"],
                   help="hf: a pytorch-pretrained-BigGAN directory; biggan-pytorch: a G.pth / G_ema.pth file")
    c.add_argument("path")
    c.add_argument("--out", required=True, help="export directory")
    c.add_argument("--resolution", type=int, help="biggan-pytorch: check the inferred resolution")
    c.add_argument("--bn-eps", type=float, default=1e-5, help="biggan-pytorch: BN epsilon (TF-Hub: 1e-4)")
    c.add_argument("--sn-eps", type=float, default=1e-6, help="biggan-pytorch: SN epsilon (TF-Hub: 1e-4)")
    c.add_argument("--force", action="store_true")
    c.set_defaults(func=_convert)

    sub.add_parser("presets", help="list presets").set_defaults(func=_presets)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GanforgeError as e:
        code = getattr(e, "exit_code", 2)  # a run stopped by a signal exits 128 + signal, like the shell
        print(f"ganforge {args.command}: {'error: ' if code == 2 else ''}{e}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print(f"ganforge {args.command}: interrupted", file=sys.stderr)
        return 130
