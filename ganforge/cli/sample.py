"""``ganforge sample`` and ``interpolate``: image sheets from a generator (attention steering included)."""
from __future__ import annotations

from ..errors import GanforgeError
from ..notify import to_stderr
from ..sampling import interpolation, sample
from ..steering import fit_mask, load_mask, steered_samples
from ..viz import image_grid, labelled_sheet, save_png
from .common import load_model, model_args, model_inputs, out_png, positive_int


def _sample(args) -> int:
    out = out_png(args.out)
    G = load_model(args)
    classes = args.classes
    if classes == ["all"]:
        classes = list(range(G.num_classes))
    if classes and len(classes) > 1 and args.n % len(classes):
        raise GanforgeError(f"--n {args.n} must be a multiple of the {len(classes)} classes to give one row per class")
    steering = args.attention_strength is not None or args.attention_focus or args.attention_from_seed is not None
    if steering:
        images = _steered(G, classes, args)
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


def _steered(G, classes, args):
    """Samples with attention switched off or scaled, focused on a mask, or transplanted from another seed."""
    z, y = model_inputs(G, classes, args.n, args.truncation, args.seed)
    focus = fit_mask(load_mask(args.attention_focus), G.image_shape[-1], to_stderr) if args.attention_focus else None
    other = None if args.attention_from_seed is None else \
        model_inputs(G, classes, args.n, args.truncation, args.attention_from_seed)[0]
    strength = 1.0 if args.attention_strength is None else args.attention_strength
    return steered_samples(G, z, y, args.truncation, strength, focus, args.focus_weight, other)


def _interpolate(args) -> int:
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
    i = sub.add_parser("interpolate", help="interpolate between two classes (and optionally two seeds)")
    model_args(i)
    i.add_argument("--from-class", required=True)
    i.add_argument("--to-class", required=True)
    i.add_argument("--steps", type=positive_int, default=8)
    i.add_argument("--rows", type=positive_int, default=4, help="rows, each with its own latent")
    i.add_argument("--seed", type=int, default=0, help="seed of the rows' latents")
    i.add_argument("--to-seed", type=int, default=None, help="also interpolate the latent toward this seed's")
    i.set_defaults(func=_interpolate)
