"""A training run from start to finish: the run directory, data, models, the loop's schedule of logs,
sample sheets and checkpoints, resuming, and the safety rules.

A run directory holds ``config.yaml`` (the resolved config), ``log.jsonl``, ``samples/`` and
``checkpoints/``. Nothing in a directory that holds another run, or unrelated files, is overwritten.
A run stopped by SIGKILL resumes from its newest valid checkpoint and continues bit-identically; SIGTERM
and SIGINT write a checkpoint first; a NaN or infinity stops the run (or rolls it back) before any bad
state reaches a checkpoint.
"""
from __future__ import annotations

import copy
import json
import pathlib
import shutil
import sys
import tempfile

import torch
import yaml

from ..config import RESUMABLE_KEYS, Config, ConfigError
from ..data import load_dataset
from ..errors import GanforgeError
from ..fileio import atomic_write_text
from ..models import build_discriminator, build_generator, parameter_count
from ..pretrained import with_standing_stats
from ..viz import labelled_sheet, save_png
from .checkpoint import newest_valid_checkpoint, remove_stale_temporaries, save_checkpoint, save_state
from .guard import Diverged, StopSignals, Stopped, check_free_space, checkpoint_bytes, non_finite
from .log import JsonlLog, Meter, progress
from .loop import SheetMaker, Timer, Trainer, resolve_device

RUN_FILES = {"config.yaml", "log.jsonl", "samples", "checkpoints"}


def to_stderr(message: str) -> None:
    print(f"ganforge: {message}", file=sys.stderr)


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


def prepare_run_dir(out: pathlib.Path, cfg: Config, resume: bool, force: bool) -> Config:
    """Check the directory against the request; returns the config to train with."""
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
        return saved
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
    return cfg


def load_bound_data(cfg: Config, notify):
    dataset = load_dataset(cfg.data)
    skipped = getattr(dataset, "skipped", [])
    if skipped:
        notify(f"skipped {len(skipped)} unreadable image(s) (data.skip_bad_images): " + "; ".join(skipped[:3])
               + (" ..." if len(skipped) > 3 else ""))
    if len(dataset.class_names) == 1:
        notify(f"{dataset.source} holds a single class ({dataset.class_names[0]}): the model is conditional in "
               f"name only")
    return dataset, bind_data(cfg, dataset)


def train(cfg: Config, out, resume: bool = False, force: bool = False, show_progress: bool = True,
          dry_run: bool = False, notify=to_stderr) -> dict:
    """Train (or, with ``dry_run``, only resolve and check) a run in ``out``; returns a summary dict.
    ``notify`` receives notes a user should see (skipped checkpoints or images, rollbacks)."""
    out = pathlib.Path(out).expanduser()
    cfg = copy.deepcopy(cfg).validate()
    if dry_run:
        return _dry_run(cfg, out, resume, force, notify)
    dataset, cfg = load_bound_data(cfg, notify)
    device = resolve_device(cfg.train.device)
    check_writable(out)
    torch.manual_seed(cfg.train.seed)
    G, D = build_generator(cfg), build_discriminator(cfg)  # built under the run's seed
    check_free_space(out, checkpoint_bytes([G, D, G]))  # before --force deletes anything
    cfg = prepare_run_dir(out, cfg, resume, force)
    if cfg.train.threads:
        torch.set_num_threads(cfg.train.threads)
    trainer = Trainer(cfg, G, D, dataset, device)
    log = JsonlLog(out / "log.jsonl")
    resumed_from = best = None
    if resume:
        remove_stale_temporaries(out)
        resumed_from, best = restore_newest(trainer, out, notify)
        log.truncate_after(trainer.step)
    else:
        atomic_write_text(out / "config.yaml", cfg.to_yaml())
    summary = _fit(trainer, out, log, show_progress, notify, best)
    summary["resumed_from"] = str(resumed_from) if resumed_from else None
    return summary


def restore_newest(trainer: Trainer, out: pathlib.Path, notify) -> tuple[pathlib.Path | None, dict | None]:
    """Load the newest checkpoint that verifies into the trainer, saying which newer ones were skipped;
    returns its path and the best evaluation recorded so far."""
    path, state, skipped = newest_valid_checkpoint(out)
    for reason in skipped:
        notify(f"skipped checkpoint: {reason}")
    if state is None:
        if skipped:
            notify("no valid checkpoint left: starting this run from step 0")
        return None, None
    trainer.load_state_dict(state)
    return path, state.get("best")


def _dry_run(cfg: Config, out: pathlib.Path, resume: bool, force: bool, notify) -> dict:
    """Resolve and check everything without writing; a config that fixes model.num_classes still reports its
    model sizes when the data cannot be read here."""
    try:
        dataset, cfg = load_bound_data(cfg, notify)
        data_note = f"{len(dataset):,} training images"
    except GanforgeError as e:
        if not cfg.model.num_classes:
            raise
        data_note = f"not checked ({e})"
    G, D = build_generator(cfg), build_discriminator(cfg)
    if resume:
        prepare_run_dir(out, cfg, resume, force)
    return {"dry_run": True, "description": describe(cfg, G, D), "data": data_note,
            "g_params": parameter_count(G), "d_params": parameter_count(D)}


class _Schedule:
    """Logs, sample sheets and checkpoints at their intervals, and what happens on a signal or divergence."""

    def __init__(self, trainer: Trainer, out: pathlib.Path, log: JsonlLog, notify, best: dict | None):
        self.trainer, self.out, self.log, self.notify = trainer, out, log, notify
        self.t, self.e = trainer.cfg.train, trainer.cfg.eval
        self.best, self.evaluator = best, None
        self.sheets = SheetMaker(trainer.cfg.model.num_classes, trainer.G.dim_z, self.t.seed)
        self.meter, self.timer = Meter(), Timer()
        self.last_sheet = self.last_ckpt = None
        self.rollbacks = 0
        self.board = None
        if self.t.tensorboard:
            from .tensorboard import TensorBoardSink
            self.board = TensorBoardSink(out / "tensorboard")

    def sampler(self):
        """The generator used for sheets and evaluation: the EMA, with standing statistics if configured."""
        G = self.trainer.ema.model
        return with_standing_stats(G, self.t.standing_stats, seed=self.t.seed) if self.t.standing_stats else G

    def write_sheet(self) -> pathlib.Path:
        cfg, G = self.trainer.cfg, self.sampler()
        names = [self.trainer.G.class_names[c] for c in self.sheets.classes]
        sheet = labelled_sheet(self.sheets.images(G), names, scale=2 if cfg.data.resolution <= 64 else 1)
        self.last_sheet = save_png(sheet, self.out / "samples" / f"step-{self.trainer.step:08d}.png")
        if self.board:
            self.board.image(self.trainer.step, "samples", sheet)
        return self.last_sheet

    def state(self) -> dict:
        return {**self.trainer.state_dict(), "best": self.best}

    def evaluate(self) -> dict:
        """Metrics of the EMA generator, logged; a better value of ``eval.best`` rewrites the best checkpoint."""
        cfg, e, step = self.trainer.cfg, self.e, self.trainer.step
        if self.evaluator is None:
            from ..metrics.evaluator import Evaluator
            ref = e.ref or cfg.data.source
            self.evaluator = Evaluator(ref, self.trainer.G.image_shape, e.metrics,
                                       None if e.extractor == "auto" else e.extractor, e.inception_weights or None,
                                       device=self.trainer.device, seed=self.t.seed,
                                       data_cfg=cfg.data if ref == cfg.data.source else None, notify=self.notify)
        from ..metrics.evaluate import protocol, scalar
        result = self.evaluator.evaluate_generator(self.sampler(), e.n, e.truncation or None)
        values = {name: scalar(v) for name, v in result["metrics"].items()}
        self.log.write({"step": step, "event": "eval", **values, "extractor": result["extractor_name"]})
        if self.board:
            self.board.scalars(step, values, "eval")
        key = protocol(e.best, e.n)
        if key in values and (self.best is None or values[key] < self.best["value"]):
            self.best = {"metric": key, "value": values[key], "step": step}
            save_state(self.out / "checkpoints" / "best.safetensors", self.state())
            atomic_write_text(self.out / "checkpoints" / "best.json", json.dumps(self.best) + "\n")
        return values

    def checkpoint(self) -> pathlib.Path:
        step = self.trainer.step
        try:
            self.last_ckpt = save_checkpoint(self.out, step, self.state(), self.t.keep_checkpoints)
        except OSError as e:
            kept = f"the previous checkpoint {self.last_ckpt} is intact" if self.last_ckpt else "no checkpoint was lost"
            raise GanforgeError(f"cannot write the checkpoint for step {step} in {self.out / 'checkpoints'} "
                                f"({e.strerror or e}); {kept}") from None
        return self.last_ckpt

    def log_line(self) -> dict:
        dt = self.timer.lap()
        means = {k: float(v) for k, v in self.meter.means().items()}
        record = {"step": self.trainer.step, "epoch": self.trainer.stream.epoch, **means,
                  "img_per_s": self.trainer.images_per_step * self.meter.count / dt,
                  "s_per_step": dt / self.meter.count, "elapsed_s": self.timer.elapsed}
        self.log.write(record)
        if self.board:
            self.board.scalars(record["step"], {**record, **self.trainer.learning_rates()}, "train")
        self.meter.reset()
        return record

    def diverged(self, bad: list[str]) -> None:
        """Stop (or roll back): nothing computed after the bad step is ever written to a checkpoint."""
        step = self.trainer.step
        self.log.write({"step": step, "event": "diverged", "non_finite": bad})
        if self.t.on_divergence == "rollback" and self.rollbacks < self.t.max_rollbacks:
            path, state, skipped = newest_valid_checkpoint(self.out)
            if state is not None:
                self.trainer.load_state_dict(state)
                self.trainer.scale_learning_rates(self.t.rollback_lr_factor)
                self.rollbacks += 1
                self.meter.reset()
                lrs = self.trainer.learning_rates()
                self.log.write({"step": self.trainer.step, "event": "rollback", "from_step": step, **lrs})
                self.notify(f"step {step}: {', '.join(bad)} not finite; rolled back to {path.name} with learning "
                            f"rates G {lrs['g_lr']:.3g}, D {lrs['d_lr']:.3g} (rollback {self.rollbacks} of "
                            f"{self.t.max_rollbacks})")
                return
        good = f"the newest good checkpoint is {self.last_ckpt}" if self.last_ckpt else "no checkpoint was written"
        raise Diverged(f"training diverged at step {step}: {', '.join(bad)} became NaN or infinite; {good}. "
                       f"Lower the learning rates (train.g_lr, train.d_lr) and start again, or set "
                       f"train.on_divergence=rollback to roll back automatically")


def _fit(trainer: Trainer, out: pathlib.Path, log: JsonlLog, show_progress: bool, notify,
         best: dict | None = None) -> dict:
    t, every_eval = trainer.cfg.train, trainer.cfg.eval.every
    s = _Schedule(trainer, out, log, notify, best)
    start = trainer.step
    bar = progress(t.steps, trainer.step, show_progress)
    with StopSignals() as signals:
        try:
            while trainer.step < t.steps:
                stats = trainer.train_step()
                bad = non_finite(stats, {"G": trainer.G, "D": trainer.D})
                if bad:
                    s.diverged(bad)  # raises, or rolls the trainer back
                    bar.n = trainer.step
                    bar.refresh()
                    continue
                s.meter.add(stats)
                bar.update(1)
                step = trainer.step
                if step % t.log_every == 0 or step == t.steps:
                    r = s.log_line()
                    bar.set_postfix(D_real=f"{r['d_loss_real']:.3f}", D_fake=f"{r['d_loss_fake']:.3f}",
                                    G=f"{r['g_loss']:.3f}", img_s=f"{r['img_per_s']:.0f}")
                if t.sample_every and step % t.sample_every == 0:
                    s.write_sheet()
                if every_eval and step % every_eval == 0:
                    bar.set_description(", ".join(f"{k} {v:.4g}" for k, v in s.evaluate().items()))
                saved_now = bool(t.checkpoint_every) and step % t.checkpoint_every == 0
                if saved_now:
                    s.checkpoint()
                if signals.received is not None:
                    path = s.last_ckpt if saved_now else s.checkpoint()
                    log.write({"step": step, "event": "stopped", "signal": int(signals.received)})
                    raise Stopped(f"stopped by signal {signals.received} at step {step}; checkpoint {path}; "
                                  f"continue with --resume", int(signals.received))
        finally:
            bar.close()
        if s.last_ckpt is None or trainer.step % max(t.checkpoint_every, 1):
            s.checkpoint()
        if s.last_sheet is None or (t.sample_every and trainer.step % t.sample_every):
            s.write_sheet()
        if s.board:
            s.board.close()
    return {"steps": trainer.step, "trained_steps": trainer.step - start, "seconds": s.timer.elapsed,
            "checkpoint": str(s.last_ckpt), "sheet": str(s.last_sheet), "run_dir": str(out),
            "rollbacks": s.rollbacks, "best": s.best}
