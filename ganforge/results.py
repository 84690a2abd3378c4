"""Measured results as files: one JSON file per measured run in a ``results/`` directory, holding the command
that measured it, the commit, the machine (CPU model and the flags that decide its kernels, GPU), torch's
version, the date and the metrics. Documentation tables are rendered from these files
(``tools/render_results.py``), so a figure is written once, by the run that measured it.
"""
from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import re
import shlex
import subprocess
import sys

import torch

from .device import cpu_flags
from .fileio import atomic_write_text

# The CPU flags that decide which kernels run (and so speed and rounding): SIMD width and native bf16/int8.
KERNEL_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_tile", "asimd", "sve")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$")


def cpu_model(cpuinfo: str = "/proc/cpuinfo") -> str:
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    """What the numbers were measured on."""
    flags = cpu_flags()
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "flags": [f for f in KERNEL_FLAGS if f in flags],
            "gpu": gpu, "torch": torch.__version__, "python": platform.python_version(), "os": platform.system()}


def commit(root: pathlib.Path | None = None) -> str:
    """The checkout's commit (``+dirty`` with uncommitted changes to tracked files), or ``unknown``."""
    root = root or pathlib.Path(__file__).resolve().parents[1]
    try:
        head = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def command_line(argv: list[str] | None = None) -> str:
    argv = sys.argv if argv is None else argv
    program = pathlib.Path(argv[0]).name if argv else "python"
    if program == "__main__.py":  # python -m ganforge
        program = "ganforge"
    elif program.endswith(".py"):  # a script: as it is run from the repository root
        root = pathlib.Path(__file__).resolve().parents[1]
        try:
            program = "python " + str(pathlib.Path(argv[0]).resolve().relative_to(root))
        except ValueError:
            program = "python " + argv[0]
    return " ".join([program] + [shlex.quote(a) for a in argv[1:]])


def write_result(directory, name: str, metrics: dict, *, kind: str, command: str | None = None,
                 **details) -> pathlib.Path:
    """Write ``DIRECTORY/NAME.json`` (``name`` may hold ``/`` for sub-folders) and return its path.
    ``metrics``: {protocol: number or {"mean", "sd", "draws"}}; ``details``: anything else worth keeping
    (the config overrides, training time, the reference, notes)."""
    if not NAME.match(name):
        raise ValueError(f"result name {name!r}: use lower-case letters, digits, '.', '_', '-' and '/'")
    path = pathlib.Path(directory) / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"name": name, "kind": kind, "command": command or command_line(), "commit": commit(),
              "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "machine": machine(), "metrics": metrics, **details}
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    return path


def read_results(directory) -> dict[str, dict]:
    """Every result under ``directory``, by name."""
    root = pathlib.Path(directory)
    found = {}
    for path in sorted(root.rglob("*.json")):
        record = json.loads(path.read_text())
        found[record["name"]] = record
    return found
