"""Helpers shared by the subcommands: argument types, model loading, output paths, latents."""
from __future__ import annotations

import argparse
import pathlib
import sys

import torch

from ..checks import number
from ..device import resolve_precision
from ..errors import GanforgeError
from ..hub import load
from ..sampling import check_truncation, latents_for, resolve_classes


def load_model(args):
    G = load(args.run, device=args.device or "cpu", standing_stats=args.standing_stats, precision=args.precision)
    say_precision(args.precision, G)
    return G


def say_precision(asked: str, G) -> None:
    """Under --precision auto, say what was chosen and why (on stderr)."""
    if asked == "auto":
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
    gen = torch.Generator().manual_seed(seed)
    z = latents_for(G, n, truncation, gen)
    return z, resolve_classes(G, classes, n, gen)


def _argument(check):
    """An argparse type from a check that raises GanforgeError (argparse then names the flag)."""
    def convert(text: str):
        try:
            return check(text)
        except GanforgeError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


positive_int = _argument(lambda text: number(text, "value", integer=True, lo=1))
non_negative_int = _argument(lambda text: number(text, "value", integer=True, lo=0))
truncation_arg = _argument(lambda text: None if text.lower() in ("none", "off") else check_truncation(text))


def model_args(q) -> None:
    """The arguments of every command that loads a generator."""
    q.add_argument("run", help="a run directory, an exported generator, a pytorch-pretrained-BigGAN directory or a "
                   "Hugging Face Hub id (org/name[@revision])")
    q.add_argument("--device", help="cpu (default), cuda, mps")
    q.add_argument("--truncation", type=truncation_arg, default=None, help="truncation threshold psi > 0 or none")
    q.add_argument("--standing-stats", type=non_negative_int, default=None,
                   help="standing-statistics passes (0 = the stored statistics; default: the run's)")
    precision_arg(q)
    q.add_argument("--out", required=True, help="output .png")
