"""``ganforge export`` and ``convert``: generators written as exports (config.json + model.safetensors), from a run
or from another project's files."""
from __future__ import annotations

import pathlib

from ..errors import GanforgeError
from ..interop.convert import convert
from ..pretrained import save_pretrained
from .common import load_model


def _empty_or_forced(out: pathlib.Path, force: bool) -> None:
    if out.exists() and any(out.iterdir()) and not force:
        raise GanforgeError(f"{out} is not empty; choose another --out or pass --force to overwrite the export")


def _export(args) -> int:
    out = pathlib.Path(args.out).expanduser()
    _empty_or_forced(out, args.force)
    save_pretrained(load_model(args), out)
    print(f"exported the EMA generator to {out} (config.json + model.safetensors)")
    return 0


def _convert(args) -> int:
    out = pathlib.Path(args.out).expanduser()
    _empty_or_forced(out, args.force)
    options = {} if args.source == "hf" else {"bn_eps": args.bn_eps, "sn_eps": args.sn_eps,
                                              "resolution": args.resolution}
    G = convert(args.source, args.path, out, **options)
    m = G.spec.model
    print(f"converted {args.path} ({args.source}) -> {out}: {m.name}, {G.spec.resolution} px, ch {m.ch}, "
          f"dim_z {m.dim_z}, {m.num_classes} classes, attention at {m.options.g_attention}, "
          f"{sum(p.numel() for p in G.parameters()):,} parameters")
    return 0


def register(sub) -> None:
    e = sub.add_parser("export", help="save a run's EMA generator as config.json + model.safetensors")
    e.add_argument("run")
    e.add_argument("--out", required=True)
    e.add_argument("--force", action="store_true")
    e.set_defaults(func=_export, device=None, standing_stats=None, precision="fp32")
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
