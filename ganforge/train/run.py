"""A training run from start to finish: the run directory, data, models, the loop's schedule of logs,
sample sheets and checkpoints, and resuming.

A run directory holds ``config.yaml`` (the resolved config), ``log.jsonl``, ``samples/`` and
``checkpoints/``. Nothing in a directory that holds another run, or unrelated files, is overwritten.
"""
from __future__ import annotations

import copy
import os
import pathlib
import shutil
import tempfile

import torch
import yaml

from ..config import RESUMABLE_KEYS, Config, ConfigError
from ..data import load_dataset
from ..errors import GanforgeError
from ..models import build_discriminator, build_generator, parameter_count
from ..pretrained import with_standing_stats
from ..viz import labelled_sheet, save_png
from ..fileio import atomic_write_text
from .checkpoint import latest_checkpoint, load_state, save_checkpoint
from .log import JsonlLog, Meter, progress
from .loop import SheetMaker, Timer, Trainer, resolve_device

RUN_FILES = {"config.yaml", "log.jsonl", "samples", "checkpoints"}


def bind_data(cfg: Config, dataset) -> Config:
    """Fill the model's class count and names from the data (or check the ones given)."""
    cfg = copy.deepcopy(cfg)
    names = list(dataset.class_names)
    if cfg.model.num_classes and cfg.model.num_classes != len(names):
        raise ConfigError(f"model.num_classes={cfg.model.num_classes} but {dataset.source} has {len(names)} classes")
    if cfg.model.class_names and list(cfg.model.class_names) != names:
        raise ConfigError(f"model.class_names do not match the classes of {dataset.source}")
    cfg.model.num_classes, cfg.model.class_names = len(names), names
    return cfg.validate()


def describe(cfg: Config, G, D) -> str:
    return (f"{cfg.to_yaml()}\n# G: {parameter_count(G):,} parameters ({parameter_count(G) / 1e6:.2f} M)\n"
            f"# D: {parameter_count(D):,} parameters ({parameter_count(D) / 1e6:.2f} M)\n")


def check_writable(out: pathlib.Path) -> None:
    if out.exists() and not out.is_dir():
        raise GanforgeError(f"--out {out} is a file, not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-test-"):
            pass
    except OSError as e:
        raise GanforgeError(f"cannot write to the output directory {out} ({e.strerror or e})") from None


def saved_config(out: pathlib.Path) -> Config:
    return Config.from_dict(yaml.safe_load((out / "config.yaml").read_text()), origin=str(out / "config.yaml"))


def differences(a: Config, b: Config, ignore=()) -> list[str]:
    fa, fb = a.flat(), b.flat()
    return [f"{k}: {fa[k]!r} (run) vs {fb[k]!r} (now)" for k in fa if k not in ignore and fa[k] != fb[k]]


def prepare_run_dir(out: pathlib.Path, cfg: Config, resume: bool, force: bool) -> tuple[Config, pathlib.Path | None]:
    """Returns the config to train with and the checkpoint to resume from (None for a fresh run)."""
    has_run = (out / "config.yaml").is_file()
    if resume:
        if not has_run:
            raise GanforgeError(f"--resume: {out} holds no run to resume (no config.yaml); drop --resume to start one")
        saved = saved_config(out)
        diff = differences(saved, cfg, ignore=RESUMABLE_KEYS | {"model.num_classes", "model.class_names"})
        if diff:
            raise GanforgeError(f"--resume: {out} holds a different run; these settings differ: " + "; ".join(diff)
                                + f". Only {', '.join(sorted(RESUMABLE_KEYS))} may change when resuming")
        for key in RESUMABLE_KEYS:
            saved.set(key, cfg.get(key))
        return saved, latest_checkpoint(out)
    if out.is_dir() and any(out.iterdir()):
        if has_run and not force:
            raise GanforgeError(f"{out} already holds a run; continue it with --resume, choose another --out, or "
                                f"pass --force to replace it (its checkpoints, samples and log are deleted)")
        foreign = sorted(p.name for p in out.iterdir() if p.name not in RUN_FILES and not p.name.startswith("."))
        if foreign:
            raise GanforgeError(f"{out} is not empty and does not hold a run ({', '.join(foreign[:5])}); choose an "
                                f"empty or new --out directory")
        for name in RUN_FILES:  # --force on a run directory
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    return cfg, None


def train(cfg: Config, out, resume: bool = False, force: bool = False, show_progress: bool = True,
          dry_run: bool = False) -> dict:
    """Train (or, with ``dry_run``, only resolve and check) a run in ``out``; returns a summary dict."""
    out = pathlib.Path(out).expanduser()
    cfg = copy.deepcopy(cfg).validate()
    if dry_run:
        return _dry_run(cfg, out, resume, force)
    dataset = load_dataset(cfg.data)
    cfg = bind_data(cfg, dataset)
    check_writable(out)
    cfg, ckpt = prepare_run_dir(out, cfg, resume, force)
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    torch.manual_seed(cfg.train.seed)
    G, D = build_generator(cfg), build_discriminator(cfg)  # built under the run's seed
    trainer = Trainer(cfg, G, D, dataset, resolve_device(cfg.train.device))
    log = JsonlLog(out / "log.jsonl")
    if ckpt is not None:
        trainer.load_state_dict(load_state(ckpt))
        log.truncate_after(trainer.step)
    elif not resume:
        atomic_write_text(out / "config.yaml", cfg.to_yaml())
    return _fit(trainer, out, log, show_progress, ckpt)


def _dry_run(cfg: Config, out: pathlib.Path, resume: bool, force: bool) -> dict:
    """Resolve and check everything without writing; a config that fixes model.num_classes still reports its
    model sizes when the data cannot be read here."""
    try:
        dataset = load_dataset(cfg.data)
        cfg, data_note = bind_data(cfg, dataset), f"{len(dataset):,} training images"
    except GanforgeError as e:
        if not cfg.model.num_classes:
            raise
        data_note = f"not checked ({e})"
    G, D = build_generator(cfg), build_discriminator(cfg)
    if resume:
        prepare_run_dir(out, cfg, resume, force)
    return {"dry_run": True, "description": describe(cfg, G, D), "data": data_note,
            "g_params": parameter_count(G), "d_params": parameter_count(D)}


def _fit(trainer: Trainer, out: pathlib.Path, log: JsonlLog, show_progress: bool, ckpt) -> dict:
    cfg, t = trainer.cfg, trainer.cfg.train
    sheets = SheetMaker(cfg.model.num_classes, trainer.G.dim_z, t.seed)
    names = [trainer.G.class_names[c] for c in sheets.classes]
    meter, timer, start = Meter(), Timer(), trainer.step
    last_sheet = last_ckpt = None

    def write_sheet():
        G = trainer.ema.model
        if t.standing_stats:
            G = with_standing_stats(G, t.standing_stats, seed=t.seed)
        scale = 2 if cfg.data.resolution <= 64 else 1
        return save_png(labelled_sheet(sheets.images(G), names, scale=scale),
                        out / "samples" / f"step-{trainer.step:08d}.png")

    bar = progress(t.steps, trainer.step, show_progress)
    try:
        while trainer.step < t.steps:
            meter.add(trainer.train_step())
            bar.update(1)
            step = trainer.step
            if step % t.log_every == 0 or step == t.steps:
                dt = timer.lap()
                means = {k: float(v) for k, v in meter.means().items()}
                record = {"step": step, "epoch": trainer.stream.epoch, **means,
                          "img_per_s": trainer.images_per_step * meter.count / dt,
                          "s_per_step": dt / meter.count, "elapsed_s": timer.elapsed}
                log.write(record)
                bar.set_postfix(D_real=f"{means['d_loss_real']:.3f}", D_fake=f"{means['d_loss_fake']:.3f}",
                                G=f"{means['g_loss']:.3f}", img_s=f"{record['img_per_s']:.0f}")
                meter.reset()
            if t.sample_every and step % t.sample_every == 0:
                last_sheet = write_sheet()
            if t.checkpoint_every and step % t.checkpoint_every == 0:
                last_ckpt = save_checkpoint(out, step, trainer.state_dict(), t.keep_checkpoints)
    finally:
        bar.close()
    if last_ckpt is None or trainer.step % max(t.checkpoint_every, 1):
        last_ckpt = save_checkpoint(out, trainer.step, trainer.state_dict(), t.keep_checkpoints)
    if last_sheet is None or (t.sample_every and trainer.step % t.sample_every):
        last_sheet = write_sheet()
    return {"steps": trainer.step, "trained_steps": trainer.step - start, "seconds": timer.elapsed,
            "checkpoint": str(last_ckpt), "sheet": str(last_sheet), "run_dir": str(out),
            "resumed_from": str(ckpt) if ckpt else None}
