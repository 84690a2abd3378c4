"""``ganforge sample``, ``attention``, ``interpolate`` and ``export``: images from a generator."""
from __future__ import annotations

import pathlib

from ..errors import GanforgeError
from .common import load_model, model_args, model_inputs, out_png, positive_int


def _sample(args) -> int:
    from ..sampling import sample
    from ..viz import image_grid, labelled_sheet, save_png
    out = out_png(args.out)
    G = load_model(args)
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


def _steered_samples(G, classes, args):
    """Samples with attention switched off or scaled, focused on a mask, or transplanted from another seed."""
    from ..attention import fit_mask, generate_steered, load_mask, record_attention
    from ..train.run import to_stderr
    z, y = model_inputs(G, classes, args.n, args.truncation, args.seed)
    steering = {"strength": 1.0 if args.attention_strength is None else args.attention_strength}
    if args.attention_focus:
        steering["focus"] = fit_mask(load_mask(args.attention_focus), G.image_shape[-1], to_stderr)
        steering["focus_weight"] = args.focus_weight
    if args.attention_from_seed is not None:
        z_a, y_a = model_inputs(G, classes, args.n, args.truncation, args.attention_from_seed)
        _, maps = record_attention(G, z_a, y_a, args.truncation)
        steering["transplant"] = maps
    return generate_steered(G, z, y, args.truncation, **steering)


def _query(text: str) -> tuple[int, int]:
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise GanforgeError(f"--query {text!r}: expected X,Y pixel coordinates, e.g. 16,8") from None
    return x, y


def _attention(args) -> int:
    from ..attention import mean_heatmaps, query_heatmaps, record_attention
    from ..viz import save_png
    from ..viz.attention import attention_sheet
    out = out_png(args.out)
    G = load_model(args)
    queries = [_query(q) for q in (args.query or ["16,16"])]
    z, cls = model_inputs(G, [args.class_] if args.class_ else None, 1, args.truncation, args.seed)
    images, maps = record_attention(G, z, cls, args.truncation)
    size = G.image_shape[-1]
    spatial = {k: v for k, v in maps.items() if v.dim() == 3}
    if not spatial:
        raise GanforgeError("this model's attention layers are channel attention: they have no spatial maps to draw")
    sheet = attention_sheet(images[0], [(q, query_heatmaps(spatial, q, size)) for q in queries],
                            mean_heatmaps(spatial, size), scale=max(1, 128 // size))
    save_png(sheet, out)
    print(f"wrote {out} ({len(spatial)} attention layer(s), class {G.class_names[int(cls[0])]}, seed {args.seed}, "
          f"queries {' '.join(f'({x},{y})' for x, y in queries)})")
    return 0


def _interpolate(args) -> int:
    from ..sampling import interpolation
    from ..viz import labelled_sheet, save_png
    out = out_png(args.out)
    G = load_model(args)
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
    from ..pretrained import save_pretrained
    out = pathlib.Path(args.out).expanduser()
    if out.exists() and any(out.iterdir()) and not args.force:
        raise GanforgeError(f"{out} is not empty; choose another --out or pass --force to overwrite the export")
    save_pretrained(load_model(args), out)
    print(f"exported the EMA generator to {out} (config.json + model.safetensors)")
    return 0


def register(sub) -> None:
    s = sub.add_parser("sample", help="write a grid of samples")
    model_args(s)
    s.add_argument("--class", dest="classes", action="append", help="class name or index (repeatable; 'all')")
    s.add_argument("--n", type=positive_int, default=16, help="number of images (total)")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--columns", type=positive_int, default=None, help="grid columns (single class or random)")
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
    a.add_argument("--query", action="append", help="X,Y pixel of a query point (repeatable; default 16,16)")
    a.set_defaults(func=_attention)
    i = sub.add_parser("interpolate", help="interpolate between two classes (and optionally two seeds)")
    model_args(i)
    i.add_argument("--from-class", required=True)
    i.add_argument("--to-class", required=True)
    i.add_argument("--steps", type=positive_int, default=8)
    i.add_argument("--rows", type=positive_int, default=4, help="rows, each with its own latent")
    i.add_argument("--seed", type=int, default=0, help="seed of the rows' latents")
    i.add_argument("--to-seed", type=int, default=None, help="also interpolate the latent toward this seed's")
    i.set_defaults(func=_interpolate)
    e = sub.add_parser("export", help="save a run's EMA generator as config.json + model.safetensors")
    e.add_argument("run")
    e.add_argument("--out", required=True)
    e.add_argument("--force", action="store_true")
    e.set_defaults(func=_export, device=None, standing_stats=None, precision="fp32")
