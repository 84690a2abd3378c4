"""Checkpoints as safetensors files, written atomically.

A checkpoint is a nested dict of tensors and plain values (model and optimizer state dicts, RNG states,
counters). Tensors go into the safetensors body under dotted keys; the structure, with every other value,
goes into the header metadata as JSON, so reading back rebuilds the same dict (integer keys included)
without unpickling anything.
"""
from __future__ import annotations

import json
import pathlib

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from ..errors import GanforgeError
from ..fileio import atomic_write, atomic_write_text

FORMAT = "ganforge-checkpoint"
VERSION = 1
LATEST = "latest"


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


def save_state(path: pathlib.Path, state: dict, kind: str = FORMAT) -> None:
    tensors: dict = {}
    skeleton = _flatten(state, "", tensors)
    metadata = {"format": kind, "version": str(VERSION), "structure": json.dumps(skeleton)}
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp), metadata=metadata))


def load_state(path: pathlib.Path, kind: str = FORMAT) -> dict:
    path = pathlib.Path(path)
    try:
        from safetensors import safe_open
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as e:
        raise GanforgeError(f"{path}: not a readable checkpoint ({e})") from None
    if metadata.get("format") != kind:
        raise GanforgeError(f"{path}: not a {kind} file (format {metadata.get('format')!r})")
    if int(metadata.get("version", -1)) > VERSION:
        raise GanforgeError(f"{path}: written by a newer ganforge (format version {metadata['version']}, this "
                            f"one reads up to {VERSION}); upgrade ganforge")
    return _unflatten(json.loads(metadata["structure"]), tensors)


def checkpoint_path(run_dir: pathlib.Path, step: int) -> pathlib.Path:
    return pathlib.Path(run_dir) / "checkpoints" / f"step-{step:08d}.safetensors"


def save_checkpoint(run_dir: pathlib.Path, step: int, state: dict, keep: int) -> pathlib.Path:
    """Write the checkpoint for ``step``, point ``latest`` at it, and prune all but the newest ``keep``."""
    path = checkpoint_path(run_dir, step)
    save_state(path, state)
    atomic_write_text(path.parent / LATEST, path.name + "\n")
    for old in sorted(path.parent.glob("step-*.safetensors"))[:-keep]:
        old.unlink()
    return path


def latest_checkpoint(run_dir: pathlib.Path) -> pathlib.Path | None:
    folder = pathlib.Path(run_dir) / "checkpoints"
    pointer = folder / LATEST
    if pointer.is_file():
        candidate = folder / pointer.read_text().strip()
        if candidate.is_file():
            return candidate
    found = sorted(folder.glob("step-*.safetensors"))
    return found[-1] if found else None
