"""The ``ganforge`` command: one module per group of subcommands, each adding its parsers in ``register``."""
from __future__ import annotations

import argparse
import sys

from ..device import fix_thread_count
from ..distributed import main_process
from ..errors import GanforgeError
from . import attention_maps, bench, eval, export, plot, sample, serve, sweep, train


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ganforge", description="Class-conditional image synthesis with GANs.")
    sub = p.add_subparsers(dest="command", required=True)
    for module in (train, sweep, sample, attention_maps, export, eval, plot, serve, bench):
        module.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    fix_thread_count()  # every command repeats bit for bit (see fix_thread_count)
    try:
        return args.func(args)
    except GanforgeError as e:
        code = getattr(e, "exit_code", 2)  # a run stopped by a signal exits 128 + signal, like the shell
        if main_process() or getattr(e, "every_rank", False):  # under torchrun every rank has the error; rank 0
            # says it, except for a lost peer, which each process reports (rank 0 may be the one that stopped)
            print(f"ganforge {args.command}: {'error: ' if code == 2 else ''}{e}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        if main_process():
            print(f"ganforge {args.command}: interrupted", file=sys.stderr)
        return 130
