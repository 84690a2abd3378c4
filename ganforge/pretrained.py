"""Exported generators (a directory with ``config.json`` + ``model.safetensors``) and ``load``.

``load`` accepts such a directory or a run directory (``config.yaml`` + ``checkpoints/``), from which it
reads the EMA generator of the newest checkpoint. Loading is strict: a missing or unexpected tensor is an
error that names it.
"""
from __future__ import annotations

import copy
import json
import pathlib

import torch
import yaml
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .config import Config, ConfigError
from .device import resolve_device, resolve_precision
from .errors import GanforgeError
from .layers.conditioning import accumulate_standing_stats
from .models import build_generator
from .fileio import atomic_write, atomic_write_text
from .train.checkpoint import newest_valid_checkpoint

EXPORT_FORMAT = "ganforge-generator"
EXPORT_VERSION = 1
CONFIG_JSON, WEIGHTS = "config.json", "model.safetensors"


def save_pretrained(G, directory) -> pathlib.Path:
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in G.state_dict().items()}
    atomic_write(directory / WEIGHTS, lambda tmp: save_file(tensors, str(tmp), metadata={"format": EXPORT_FORMAT}))
    meta = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "config": G.config.to_dict()}
    atomic_write_text(directory / CONFIG_JSON, json.dumps(meta, indent=2) + "\n")
    return directory


def read_tensors(path: pathlib.Path, prefix: str = "") -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file whose names start with ``prefix`` (prefix removed)."""
    try:
        with safe_open(str(path), framework="pt") as f:
            return {k[len(prefix):]: f.get_tensor(k) for k in f.keys() if k.startswith(prefix)}
    except (SafetensorError, OSError, ValueError) as e:
        raise GanforgeError(f"{path}: cannot read weights ({e})") from None


def load_strict(model: torch.nn.Module, tensors: dict, source) -> None:
    own = model.state_dict()
    missing = sorted(set(own) - set(tensors))
    unexpected = sorted(set(tensors) - set(own))
    wrong = sorted(k for k in set(own) & set(tensors) if own[k].shape != tensors[k].shape)
    if missing or unexpected or wrong:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} ({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''})")
        if unexpected:
            parts.append(f"unexpected {len(unexpected)} ({', '.join(unexpected[:5])}"
                         f"{', ...' if len(unexpected) > 5 else ''})")
        if wrong:
            parts.append("wrong shape: " + ", ".join(f"{k} {list(tensors[k].shape)} vs {list(own[k].shape)}"
                                                     for k in wrong[:5]))
        raise GanforgeError(f"{source}: weights do not match the model its config describes: " + "; ".join(parts))
    model.load_state_dict(tensors, strict=True)


def _read_run(path: pathlib.Path) -> tuple[Config, dict]:
    _, state, skipped = newest_valid_checkpoint(path)
    if state is None:
        why = f" ({'; '.join(skipped)})" if skipped else ""
        raise GanforgeError(f"{path}: this run has no valid checkpoint yet{why}; train longer or wait for the first "
                            f"checkpoint")
    cfg = Config.from_dict(yaml.safe_load((path / "config.yaml").read_text()), origin=str(path / "config.yaml"))
    return cfg, state["G_ema"]


def _read_export(path: pathlib.Path) -> tuple[Config, dict]:
    try:
        meta = json.loads((path / CONFIG_JSON).read_text())
    except (json.JSONDecodeError, OSError) as e:
        raise GanforgeError(f"{path / CONFIG_JSON}: not readable JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != EXPORT_FORMAT:
        raise GanforgeError(f"{path / CONFIG_JSON}: not a ganforge generator export (format "
                            f"{meta.get('format') if isinstance(meta, dict) else None!r})")
    if int(meta.get("version", 0)) > EXPORT_VERSION:
        raise GanforgeError(f"{path}: exported by a newer ganforge (version {meta['version']}); upgrade ganforge")
    return Config.from_dict(meta["config"], origin=str(path / CONFIG_JSON)), read_tensors(path / WEIGHTS)


def load(path, device: str | torch.device = "cpu", standing_stats: int | None = None, precision: str = "fp32"):
    """The EMA generator of a run directory, or an exported generator, in eval mode.

    ``standing_stats`` (default: the run's ``train.standing_stats``) > 0 replaces BN running statistics by
    standing statistics averaged over that many forward passes of 64 random samples (seeded, so repeatable).
    ``precision`` (fp32, bf16, fp16 or auto) is the arithmetic of sampling (``G.sample_precision``: autocast
    around the generator in ``sampling.generate``; weights stay fp32).
    """
    path = pathlib.Path(path).expanduser()
    if (path / CONFIG_JSON).is_file() and (path / WEIGHTS).is_file():
        cfg, tensors = _read_export(path)
    elif (path / "config.yaml").is_file():
        cfg, tensors = _read_run(path)
    else:
        raise GanforgeError(f"{path}: holds no model; expected a run directory (config.yaml + checkpoints/) or an "
                            f"exported generator ({CONFIG_JSON} + {WEIGHTS})")
    try:
        G = build_generator(cfg.validate())
    except ConfigError as e:
        raise GanforgeError(f"{path}: {e}") from None
    load_strict(G, tensors, path)
    G = G.to(resolve_device(str(device))).eval()
    passes = cfg.train.standing_stats if standing_stats is None else standing_stats
    if passes > 0:
        G = with_standing_stats(G, passes)
    G.sample_precision, _ = resolve_precision(precision, G.device)
    return G


def with_standing_stats(G, passes: int, batch_size: int = 64, seed: int = 0):
    """A copy of G whose BN statistics are standing statistics (see ``accumulate_standing_stats``)."""
    G = copy.deepcopy(G)
    gen = torch.Generator().manual_seed(seed)

    def inputs(n):
        z = torch.randn(n, G.dim_z, generator=gen).to(G.device)
        return z, torch.randint(G.num_classes, (n,), generator=gen).to(G.device)

    accumulate_standing_stats(G, passes, batch_size, inputs)
    return G
