"""Helpers shared by the subcommands: argument types, model loading, output paths, latents."""
from __future__ import annotations

import argparse
import pathlib

from ..errors import GanforgeError


def load_model(args):
    from ..hub import load
    G = load(args.run, device=args.device or "cpu", standing_stats=args.standing_stats, precision=args.precision)
    say_precision(args.precision, G)
    return G


def say_precision(asked: str, G) -> None:
    """Under --precision auto, say what was chosen and why (on stderr)."""
    if asked == "auto":
        from ..device import resolve_precision
        import sys
        print(f"ganforge: precision auto: {G.sample_precision} ({resolve_precision('auto', G.device)[1]})",
              file=sys.stderr)


def precision_arg(q) -> None:
    q.add_argument("--precision", choices=["fp32", "bf16", "fp16", "auto"], default="fp32",
                   help="arithmetic of sampling (default fp32); auto: bf16 where the device computes it natively")


def out_png(path: str) -> pathlib.Path:
    out = pathlib.Path(path).expanduser()
    if out.suffix.lower() != ".png":
        raise GanforgeError(f"--out {out}: expected a .png file name")
    if out.is_dir():
        raise GanforgeError(f"--out {out} is a directory; give a .png file name")
    return out


def model_inputs(G, classes, n: int, truncation, seed: int):
    import torch

    from ..sampling import latents_for, resolve_classes
    gen = torch.Generator().manual_seed(seed)
    z = latents_for(G, n, truncation, gen)
    return z, resolve_classes(G, classes, n, gen)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def truncation_arg(text: str) -> float | None:
    if text.lower() in ("none", "off"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a threshold > 0 or 'none', got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a threshold > 0 or 'none', got {value}")
    return value


def model_args(q) -> None:
    """The arguments of every command that loads a generator."""
    q.add_argument("run", help="a run directory, an exported generator, a pytorch-pretrained-BigGAN directory or a "
                   "Hugging Face Hub id (org/name[@revision])")
    q.add_argument("--device", help="cpu (default), cuda, mps")
    q.add_argument("--truncation", type=truncation_arg, default=None, help="truncation threshold psi > 0 or none")
    q.add_argument("--standing-stats", type=int, default=None, help="standing-statistics passes (default: run's)")
    precision_arg(q)
    q.add_argument("--out", required=True, help="output .png")
