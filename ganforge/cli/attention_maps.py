"""``ganforge attention``: a sample's attention maps for query points."""
from __future__ import annotations

from ..errors import GanforgeError
from ..viz import save_png
from ..viz.attention_sheet import attention_figure
from .common import load_model, model_args, model_inputs, out_png


def _query(text: str) -> tuple[int, int]:
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise GanforgeError(f"--query {text!r}: expected X,Y pixel coordinates, e.g. 16,8") from None
    return x, y


def _attention(args) -> int:
    out = out_png(args.out)
    G = load_model(args)
    queries = [_query(q) for q in (args.query or ["16,16"])]
    z, cls = model_inputs(G, [args.class_] if args.class_ else None, 1, args.truncation, args.seed)
    sheet, layers = attention_figure(G, z, cls, queries, args.truncation)
    save_png(sheet, out)
    print(f"wrote {out} ({layers} attention layer(s), class {G.class_names[int(cls[0])]}, seed {args.seed}, "
          f"queries {' '.join(f'({x},{y})' for x, y in queries)})")
    return 0


def register(sub) -> None:
    a = sub.add_parser("attention", help="draw a sample's attention maps for a query point")
    model_args(a)
    a.add_argument("--class", dest="class_", help="class name or index (default: random)")
    a.add_argument("--seed", type=int, default=0)
    a.add_argument("--query", action="append", help="X,Y pixel of a query point (repeatable; default 16,16)")
    a.set_defaults(func=_attention)
