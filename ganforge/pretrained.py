"""Exported generators (a directory with ``config.json`` + ``model.safetensors``) and ``load``.

An export's ``config.json`` holds only what rebuilds the generator: its :class:`~ganforge.models.spec.ModelSpec`
(the model section's shared keys the family uses, the class names and the family's own options; the resolution
and the channels). Older formats are converted when read: version 1 held the whole run config, version 2 the
model section with every family's keys flat. ``load`` also accepts a run directory (``config.yaml`` +
``checkpoints/``), from which it reads the EMA generator of the newest checkpoint. Loading is strict: a
missing or unexpected tensor is an error that names it. Nothing here imports the trainer.
"""
from __future__ import annotations

import json
import pathlib
from dataclasses import dataclass

import torch
import yaml
from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from .checkpoint import newest_valid_checkpoint
from .config import Config
from .device import resolve_device, resolve_precision
from .errors import ConfigError, GanforgeError
from .fileio import atomic_write, atomic_write_text
from .layers.conditioning import with_standing_stats
from .models import build_generator

EXPORT_FORMAT = "ganforge-generator"
EXPORT_VERSION = 3  # 1: {"config": the whole run config}; 2: {"spec": the ModelSpec, every family's keys};
# 3: {"spec": the ModelSpec, the keys its family uses, its own options under model.<family>}
CONFIG_JSON, WEIGHTS = "config.json", "model.safetensors"


def save_pretrained(G, directory) -> pathlib.Path:
    """Write G's ``config.json`` (its spec) and ``model.safetensors`` (its state, BN statistics included)."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in G.state_dict().items()}
    atomic_write(directory / WEIGHTS, lambda tmp: save_file(tensors, str(tmp), metadata={"format": EXPORT_FORMAT}))
    meta = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "spec": G.spec.to_dict()}
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


@dataclass
class Stored:
    """A generator as stored: the config it is built from, its tensors, and how many standing-statistics
    passes loading applies by default (a run's ``train.standing_stats``; 0 for exports, which hold the
    statistics they were exported with)."""
    config: Config  # for an export: the model section and image geometry only, the rest default
    tensors: dict
    standing_stats: int
    run_config: Config | None  # the whole run config, where the source has one (runs, version-1 exports)


def spec_config(spec: dict, origin: str) -> Config:
    """A Config holding a stored spec (checked like any config)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("model"), dict):
        raise ConfigError(f"{origin}: 'spec' must hold a 'model' mapping, 'resolution' and 'channels'")
    return Config.from_dict({"model": spec["model"], "data": {k: spec[k] for k in ("resolution", "channels")
                                                              if k in spec}}, origin=origin, stored=True)


def _read_run(path: pathlib.Path) -> Stored:
    _, state, skipped = newest_valid_checkpoint(path)
    if state is None:
        why = f" ({'; '.join(skipped)})" if skipped else ""
        raise GanforgeError(f"{path}: this run has no valid checkpoint yet{why}; train longer or wait for the first "
                            f"checkpoint")
    cfg = Config.from_dict(yaml.safe_load((path / "config.yaml").read_text()), origin=str(path / "config.yaml"),
                           stored=True)
    return Stored(cfg, state["G_ema"], cfg.train.standing_stats, cfg)


def _read_export(path: pathlib.Path) -> Stored:
    origin = str(path / CONFIG_JSON)
    try:
        meta = json.loads((path / CONFIG_JSON).read_text())
    except (json.JSONDecodeError, OSError) as e:
        raise GanforgeError(f"{origin}: not readable JSON ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != EXPORT_FORMAT:
        raise GanforgeError(f"{origin}: not a ganforge generator export (format "
                            f"{meta.get('format') if isinstance(meta, dict) else None!r})")
    version = int(meta.get("version", 0))
    if version > EXPORT_VERSION:
        raise GanforgeError(f"{path}: exported by a newer ganforge (version {meta['version']}); upgrade ganforge")
    tensors = read_tensors(path / WEIGHTS)
    if version <= 1:  # the whole run config: keep its model spec and, as before, its standing statistics
        run = Config.from_dict(meta.get("config"), origin=origin, stored=True)
        return Stored(spec_config(run.model_spec().to_dict(), origin), tensors, run.train.standing_stats, run)
    return Stored(spec_config(meta.get("spec"), origin), tensors, 0, None)


def load(path, device: str | torch.device = "cpu", standing_stats: int | None = None, precision: str = "fp32"):
    """The EMA generator of a run directory, or an exported generator, in eval mode.

    ``standing_stats`` > 0 replaces BN running statistics by standing statistics averaged over that many
    forward passes of 64 random samples (seeded, so repeatable); the default is the run's
    ``train.standing_stats`` (exports already hold the statistics they were exported with).
    ``precision`` (fp32, bf16, fp16 or auto) is the arithmetic of sampling (``G.sample_precision``: autocast
    around the generator in ``sampling.render``; weights stay fp32). ``G.run_config`` is the run's config
    where the source has one (a run directory), else None.
    """
    path = pathlib.Path(path).expanduser()
    if (path / CONFIG_JSON).is_file() and (path / WEIGHTS).is_file():
        stored = _read_export(path)
    elif (path / "config.yaml").is_file():
        stored = _read_run(path)
    else:
        raise GanforgeError(f"{path}: holds no model; expected a run directory (config.yaml + checkpoints/) or an "
                            f"exported generator ({CONFIG_JSON} + {WEIGHTS})")
    try:
        G = build_generator(stored.config.validate())
    except ConfigError as e:
        raise GanforgeError(f"{path}: {e}") from None
    load_strict(G, stored.tensors, path)
    G = G.to(resolve_device(str(device))).eval()
    passes = stored.standing_stats if standing_stats is None else standing_stats
    if passes > 0:
        G = with_standing_stats(G, passes)
    G.sample_precision, _ = resolve_precision(precision, G.device)
    G.run_config = stored.run_config
    return G
