"""Checkpoints as safetensors files, written atomically and verified when read.

A checkpoint is a nested dict of tensors and plain values (model and optimizer state dicts, RNG states,
counters). Tensors go into the safetensors body under dotted keys; the structure, with every other value,
goes into the header metadata as JSON, so reading back rebuilds the same dict (integer keys included)
without unpickling anything. The header also holds a format name, a format version and a SHA-256 of the
structure and every tensor's bytes, so a truncated or altered file is recognised and skipped.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import re

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from . import faults
from .errors import GanforgeError
from .fileio import atomic_write, atomic_write_text

FORMAT = "ganforge-checkpoint"
VERSION = 1
LATEST = "latest"
_NAME = re.compile(r"^step-(\d+)\.safetensors$")


class CheckpointError(GanforgeError):
    pass


def _flatten(obj, prefix: str, tensors: dict):
    if isinstance(obj, torch.Tensor):
        key = prefix or "_"
        tensors[key] = obj.detach().cpu().contiguous().clone()
        return {"__tensor__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[k, _flatten(v, f"{prefix}.{k}" if prefix else str(k), tensors)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        items = [_flatten(v, f"{prefix}.{i}", tensors) for i, v in enumerate(obj)]
        return {"__tuple__": items} if isinstance(obj, tuple) else items
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} at {prefix!r} in a checkpoint")


def _unflatten(node, tensors: dict):
    if isinstance(node, dict):
        if "__tensor__" in node:
            return tensors[node["__tensor__"]]
        if "__tuple__" in node:
            return tuple(_unflatten(v, tensors) for v in node["__tuple__"])
        return {k: _unflatten(v, tensors) for k, v in node["__dict__"]}
    if isinstance(node, list):
        return [_unflatten(v, tensors) for v in node]
    return node


def checksum(structure: str, tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256(structure.encode())
    for key in sorted(tensors):
        t = tensors[key]
        h.update(f"{key}:{t.dtype}:{list(t.shape)}".encode())
        h.update(memoryview(t.contiguous().view(-1).view(torch.uint8).numpy()))
    return h.hexdigest()


def save_state(path: pathlib.Path, state: dict, kind: str = FORMAT, before_rename=None) -> None:
    tensors: dict = {}
    structure = json.dumps(_flatten(state, "", tensors))
    metadata = {"format": kind, "version": str(VERSION), "structure": structure,
                "sha256": checksum(structure, tensors)}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=metadata), before_rename)


def read_metadata(path: pathlib.Path) -> dict:
    try:
        with safe_open(str(path), framework="pt") as f:
            return f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint ({e})") from None


def load_state(path: pathlib.Path, kind: str = FORMAT) -> dict:
    """Read and verify a checkpoint; any problem is a :class:`CheckpointError` that says what is wrong."""
    path = pathlib.Path(path)
    metadata = read_metadata(path)
    if metadata.get("format") != kind:
        raise CheckpointError(f"{path}: not a {kind} file (format {metadata.get('format')!r})")
    try:
        version = int(metadata.get("version", ""))
    except ValueError:
        raise CheckpointError(f"{path}: no format version in the header") from None
    if version > VERSION:
        raise CheckpointError(f"{path}: written by a newer ganforge (checkpoint format {version}; this version reads "
                              f"up to {VERSION}); upgrade ganforge to read it")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise CheckpointError(f"{path}: not a readable checkpoint ({e})") from None
    if "sha256" in metadata and checksum(metadata["structure"], tensors) != metadata["sha256"]:
        raise CheckpointError(f"{path}: checksum mismatch, the file is damaged")
    return _unflatten(json.loads(metadata["structure"]), tensors)


def checkpoint_path(run_dir: pathlib.Path, step: int) -> pathlib.Path:
    return pathlib.Path(run_dir) / "checkpoints" / f"step-{step:08d}.safetensors"


def checkpoints(run_dir: pathlib.Path) -> list[pathlib.Path]:
    """The run's step checkpoints, newest first."""
    folder = pathlib.Path(run_dir) / "checkpoints"
    found = [(int(m.group(1)), p) for p in folder.glob("step-*.safetensors") if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found, reverse=True)]


def remove_stale_temporaries(run_dir: pathlib.Path) -> list[pathlib.Path]:
    """Delete temporary files left by a write that was killed midway."""
    stale = [p for p in pathlib.Path(run_dir).rglob(".*.tmp") if p.is_file()]
    for p in stale:
        p.unlink()
    return stale


def save_checkpoint(run_dir: pathlib.Path, step: int, state: dict, keep: int) -> pathlib.Path:
    """Write the checkpoint for ``step``, point ``latest`` at it, and prune all but the newest ``keep``."""
    path = checkpoint_path(run_dir, step)
    save_state(path, state, before_rename=lambda tmp: faults.checkpoint_written(step, tmp))
    faults.reached("latest", step)
    atomic_write_text(path.parent / LATEST, path.name + "\n")
    faults.reached("prune", step)
    for old in checkpoints(run_dir)[keep:]:
        old.unlink(missing_ok=True)
    return path


def newest_valid_checkpoint(run_dir: pathlib.Path) -> tuple[pathlib.Path | None, dict | None, list[str]]:
    """The newest checkpoint that reads and verifies, its state, and why each newer one was skipped."""
    skipped = []
    for path in checkpoints(run_dir):
        try:
            return path, load_state(path), skipped
        except CheckpointError as e:
            skipped.append(str(e))
    return None, None, skipped


def latest_checkpoint(run_dir: pathlib.Path) -> pathlib.Path | None:
    """The newest checkpoint file by name (not verified; see :func:`newest_valid_checkpoint`)."""
    found = checkpoints(run_dir)
    return found[0] if found else None
