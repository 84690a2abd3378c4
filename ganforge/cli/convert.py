"""``ganforge convert`` and ``presets``."""
from __future__ import annotations

import pathlib

from ..config import load_preset, preset_names
from ..errors import GanforgeError


def _convert(args) -> int:
    from ..interop.convert import convert
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


def register(sub) -> None:
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
