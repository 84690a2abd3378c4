"""The loop's schedule around the training steps: log lines, sample sheets, evaluations and checkpoints at
their intervals, and what happens on a signal or a divergence.

In a data-parallel run every rank runs this schedule in step; rank 0 alone writes (log, sheets, TensorBoard,
checkpoints), evaluation is shared among the ranks, and every decision to stop, roll back or keep a best
checkpoint is the same on all of them (it rests on rank-averaged losses, identical weights, or values rank 0
broadcasts).
"""
from __future__ import annotations

import json
import pathlib
import signal
import time

import torch

from .. import faults
from ..checkpoint import newest_valid_checkpoint, save_checkpoint, save_state
from ..errors import GanforgeError
from ..fileio import atomic_write_text
from ..layers.conditioning import with_standing_stats
from ..metrics.evaluator import Evaluator
from ..metrics.registry import headline, protocol
from ..sampling import render
from ..viz import labelled_sheet, save_png
from .guard import Diverged, StopSignals, Stopped, non_finite
from .log import JsonlLog, Meter, progress
from .loop import Trainer


class NullLog:
    """The log of ranks other than 0: nothing is written."""

    def write(self, record: dict) -> None:
        pass


def quiet(message: str) -> None:
    pass


class Schedule:
    def __init__(self, trainer: Trainer, out: pathlib.Path, log: JsonlLog, notify, best: dict | None):
        self.trainer, self.out, self.notify = trainer, out, notify
        self.dist = trainer.dist
        self.log = log if self.dist.is_main else NullLog()
        self.t, self.e = trainer.cfg.train, trainer.cfg.eval
        self.best, self.evaluator, self.last_metrics = best, None, {}
        self.sheets = SheetMaker(trainer.cfg.model.num_classes, trainer.G.dim_z, self.t.seed)
        self.meter, self.timer = Meter(), Timer()
        self.last_sheet = self.last_ckpt = self.sheet_step = None
        self.rollbacks = 0
        self.board = None
        if self.t.tensorboard and self.dist.is_main:
            from .tensorboard import TensorBoardSink
            self.board = TensorBoardSink(out / "tensorboard")

    def sampler(self):
        """The generator used for sheets and evaluation: the EMA, with standing statistics if configured."""
        G = self.trainer.ema.model
        return with_standing_stats(G, self.t.standing_stats, seed=self.t.seed) if self.t.standing_stats else G

    def write_sheet(self) -> pathlib.Path:
        """The sample sheet of the current step: rank 0 draws and writes it while the others wait for it (as long
        as it takes: a large model's sheet is no hang); every rank learns its path."""
        self.last_sheet = self.dist.on_main(self._draw_sheet)
        self.sheet_step = self.trainer.step
        return self.last_sheet

    def _draw_sheet(self) -> pathlib.Path:
        cfg, G = self.trainer.cfg, self.sampler()
        G0 = self.trainer.G
        names = [G0.class_names[c] if G0.conditional else "" for c in self.sheets.classes]
        sheet = labelled_sheet(self.sheets.images(G), names, scale=2 if cfg.data.resolution <= 64 else 1)
        path = save_png(sheet, self.out / "samples" / f"step-{self.trainer.step:08d}.png")
        if self.board:
            self.board.image(self.trainer.step, "samples", sheet)
        return path

    def state(self) -> dict:
        return {**self.trainer.state_dict(), "best": self.best}

    def evaluate(self) -> dict:
        """Metrics of the EMA generator (its samples shared among the ranks), logged; a better value of
        ``eval.best`` rewrites the best checkpoint."""
        cfg, e, step = self.trainer.cfg, self.e, self.trainer.step
        if self.evaluator is None:
            ref = e.ref or cfg.data.source
            self.evaluator = Evaluator(ref, self.trainer.G.image_shape, e.metrics,
                                       None if e.extractor == "auto" else e.extractor, e.inception_weights or None,
                                       device=self.trainer.device, seed=self.t.seed,
                                       data_cfg=cfg.data if ref == cfg.data.source else None, notify=self.notify,
                                       dist=self.dist, convert=True)  # another reference: at the run's size
        result = self.evaluator.evaluate_generator(self.sampler(), e.n, e.truncation or None)
        self.last_metrics = result["metrics"]
        values = {name: headline(name, v) for name, v in result["metrics"].items()}
        self.log.write({"step": step, "event": "eval", **values, "extractor": result["extractor_name"]})
        if self.board:
            self.board.scalars(step, values, "eval")
        key = protocol(e.best, e.n)
        if key in values and (self.best is None or values[key] < self.best["value"]):
            self.best = {"metric": key, "value": values[key], "step": step}
            self.dist.on_main(self._write_best)
        return values

    def _write_best(self) -> None:
        save_state(self.out / "checkpoints" / "best.safetensors", self.state())
        atomic_write_text(self.out / "checkpoints" / "best.json", json.dumps(self.best) + "\n")

    def checkpoint(self) -> pathlib.Path:
        """Rank 0 writes; every rank learns its path, or the error that stops them all."""
        self.last_ckpt = self.dist.on_main(self._write_checkpoint)
        return self.last_ckpt

    def _write_checkpoint(self) -> pathlib.Path:
        step = self.trainer.step
        try:
            return save_checkpoint(self.out, step, self.state(), self.t.keep_checkpoints)
        except OSError as e:
            kept = f"the previous checkpoint {self.last_ckpt} is intact" if self.last_ckpt else "no checkpoint was lost"
            raise GanforgeError(f"cannot write the checkpoint for step {step} in {self.out / 'checkpoints'} "
                                f"({e.strerror or e}); {kept}") from None

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
            path, state = self.dist.on_main(lambda: newest_valid_checkpoint(self.out)[:2])
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


class Watch:
    """What a caller of :func:`fit` may follow and end early (a hyper-parameter search: its pruner and time
    budget). Each method returns None to go on, or the reason to stop: the run then ends as if ``train.steps``
    were reached there (checkpoint, sheet) and its log says why."""

    def after_step(self, step: int) -> str | None:
        return None

    def after_eval(self, step: int, metrics: dict) -> str | None:
        """``metrics``: the evaluation's {protocol: value}."""
        return None


def fit(trainer: Trainer, out: pathlib.Path, log: JsonlLog, show_progress: bool, notify,
        best: dict | None = None, watch: Watch | None = None) -> dict:
    """Train ``trainer`` up to ``train.steps`` with the schedule; returns the run's summary. With a ``watch``, the
    run is also evaluated at its last step (when it was not already) so that the watch sees its final value."""
    t, every_eval, dist = trainer.cfg.train, trainer.cfg.eval.every, trainer.dist
    s = Schedule(trainer, out, log, notify if dist.is_main else quiet, best)
    start, ended_by, eval_step = trainer.step, None, None
    bar = progress(t.steps, trainer.step, show_progress and dist.is_main)
    with StopSignals() as signals:
        try:
            while trainer.step < t.steps:
                stats = trainer.train_step()
                faults.reached("step", trainer.step)
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
                    d_loss = sum(v for k, v in r.items() if k.startswith("d_loss"))  # parts or relativistic
                    bar.set_postfix(D=f"{d_loss:.3f}", G=f"{r['g_loss']:.3f}", img_s=f"{r['img_per_s']:.0f}")
                if (t.sample_every and step % t.sample_every == 0) or (trainer.growth and trainer.growth.grew):
                    s.write_sheet()  # and one as each new level starts to fade in: a sheet per resolution
                if every_eval and step % every_eval == 0:
                    bar.set_description(", ".join(f"{k} {v:.4g}" for k, v in s.evaluate().items()))
                    eval_step = step
                    ended_by = watch.after_eval(step, s.last_metrics) if watch else None
                if watch and not ended_by:
                    ended_by = watch.after_step(step)
                saved_now = bool(t.checkpoint_every) and step % t.checkpoint_every == 0
                if saved_now:
                    s.checkpoint()
                if dist.any(signals.received is not None):  # a signal to any rank stops all of them here
                    received = int(signals.received or signal.SIGTERM)
                    path = s.last_ckpt if saved_now else s.checkpoint()
                    s.log.write({"step": step, "event": "stopped", "signal": received})
                    raise Stopped(f"stopped by signal {received} at step {step}; checkpoint {path}; "
                                  f"continue with --resume", received)
                if ended_by:
                    s.log.write({"step": step, "event": "ended", "reason": ended_by})
                    break
        finally:
            bar.close()
        if watch and every_eval and eval_step != trainer.step:
            s.evaluate()
            watch.after_eval(trainer.step, s.last_metrics)
        if s.last_ckpt is None or trainer.step % max(t.checkpoint_every, 1):
            s.checkpoint()
        if s.sheet_step != trainer.step:
            s.write_sheet()
        if s.board:
            s.board.close()
    return {"steps": trainer.step, "trained_steps": trainer.step - start, "seconds": s.timer.elapsed,
            "checkpoint": str(s.last_ckpt), "sheet": str(s.last_sheet), "run_dir": str(out),
            "rollbacks": s.rollbacks, "best": s.best, "world_size": dist.world, "ended_by": ended_by}


class SheetMaker:
    """Fixed latents for the sample sheets written during training: one row per class (at most
    ``max_rows`` classes, evenly spaced), ``columns`` samples per row, drawn from the run's seed."""

    def __init__(self, num_classes: int, dim_z: int, seed: int, columns: int = 10, max_rows: int = 10):
        rows = num_classes if num_classes <= max_rows else max_rows
        self.classes = [round(i * (num_classes - 1) / max(rows - 1, 1)) for i in range(rows)]
        gen = torch.Generator().manual_seed(seed + 1)
        self.z = torch.randn(rows * columns, dim_z, generator=gen)
        self.y = torch.tensor(self.classes).repeat_interleave(columns)
        self.columns = columns

    def images(self, G) -> torch.Tensor:
        """[rows, columns, C, H, W] from G (in eval mode)."""
        out = render(G, self.z, self.y)
        return out.view(len(self.classes), self.columns, *out.shape[1:])


class Timer:
    def __init__(self):
        self.t0 = self.last = time.perf_counter()

    def lap(self) -> float:
        now = time.perf_counter()
        dt, self.last = now - self.last, now
        return dt

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.t0
