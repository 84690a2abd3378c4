"""Running a study's trials on this machine: each trial is an ordinary training run in ``OUT/trials/NNNN`` that
reports its score at the evaluation steps (the pruner may end it there) and stops when the search's time is up.
"""
from __future__ import annotations

import copy
import shutil
import socket
import statistics
import time

import optuna
from optuna.storages import RetryHeartbeatStaleTrialCallback
from optuna.trial import TrialState

from ..config import Config
from ..errors import GanforgeError
from ..metrics.registry import parse_score
from ..training.guard import Stopped
from ..training.run import train
from ..training.schedule import Watch
from .space import apply
from .study import Definition, retry

FINISHED = (TrialState.COMPLETE, TrialState.PRUNED)
PRUNED_NOTE = "pruned by the sweep"
OUT_OF_TIME = "the search's time ran out"


class TrialFailed(Exception):
    """A trial that failed on its own (a config the trainer refused, a diverged run): the search goes on."""


def numbered(study, number: int):
    """The study's trial ``number`` (a frozen trial: its system attributes, its state now)."""
    return next(t for t in study.get_trials(deepcopy=False) if t.number == number)


def trial_config(definition: Definition, values: dict, threads: int = 0) -> Config:
    """The config of a trial: the base, its sampled values, and what the search needs from its evaluations."""
    cfg = apply(definition.base_config(), values)
    score = parse_score(definition.score)
    if score.metric not in cfg.eval.metrics:
        cfg.eval.metrics = list(cfg.eval.metrics) + [score.metric]
    cfg.eval.n, cfg.eval.every = score.n, definition.eval_every
    if threads:
        cfg.train.threads = threads
    return cfg


def run_dir_of(out, number: int):
    return out / "trials" / f"{number:04d}"


class TrialWatch(Watch):
    """Reports the score to Optuna at each evaluation, asks the pruner, and ends the trial when its own or the
    search's time is up."""

    def __init__(self, trial, definition: Definition, started: float, say=lambda message: None):
        self.trial, self.score, self.say = trial, parse_score(definition.score), say
        self.deadline = definition.deadline or None
        self.trial_end = started + definition.trial_time if definition.trial_time else None
        self.value = self.step = None
        self.pruned = self.out_of_time = False

    def after_eval(self, step: int, metrics: dict) -> str | None:
        self.value, self.step = self.score.read(metrics), step
        self.trial.report(self.value, step)
        self.say(f"trial {self.trial.number}: step {step}: {self.score.name} {self.value:.4g}")
        if self.trial.should_prune():
            self.pruned = True
            return PRUNED_NOTE
        return None

    def after_step(self, step: int) -> str | None:
        now = time.time()
        if self.deadline and now >= self.deadline:
            self.out_of_time = True
            return OUT_OF_TIME
        if self.trial_end and now >= self.trial_end:
            return "the trial's time was reached"
        return None


class Objective:
    def __init__(self, definition: Definition, space, out, threads: int, say):
        self.definition, self.space, self.out, self.threads, self.say = definition, space, out, threads, say
        self.stopped = None  # the trial a signal stopped
        self.failures = 0  # trials failed in a row

    def __call__(self, trial) -> float:
        values = self.space.suggest(trial)
        try:
            cfg = trial_config(self.definition, values, self.threads)
        except GanforgeError as e:  # values that do not go together: this trial fails, the search goes on
            self.failed(trial, e)
        run_dir = run_dir_of(self.out, trial.number)
        trial.set_user_attr("run_dir", str(run_dir.resolve()))
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("seed", cfg.train.seed)
        resume = self._continue_retried(trial, run_dir)
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items())
        self.say(f"trial {trial.number}: {shown or '(the base config)'}" + (f" ({resume})" if resume else ""))
        started = time.time()
        watch = TrialWatch(trial, self.definition, started, self.say)
        try:
            summary = train(cfg, run_dir, resume="auto" if resume else False, show_progress=False,
                            notify=lambda m: self.say(f"trial {trial.number}: {m}"), watch=watch)
        except Stopped:
            self.stopped = trial.number
            raise
        except GanforgeError as e:
            self.failed(trial, e)
        finally:
            trial.set_user_attr("seconds", round(time.time() - started, 1))
        trial.set_user_attr("steps", summary["steps"])
        ended = f"{self.definition.score} {watch.value:.4g} at step {watch.step}" if watch.value is not None else ""
        seconds = time.time() - started
        if watch.pruned or watch.out_of_time:
            why = "pruned" if watch.pruned else "stopped: " + OUT_OF_TIME
            self.say(f"trial {trial.number}: {why} ({ended}, {seconds:.0f} s)")
            self.failures = 0
            raise optuna.TrialPruned(why)
        if watch.value is None:
            raise TrialFailed("the trial was never evaluated")
        self.say(f"trial {trial.number}: {ended}, complete, {seconds:.0f} s")
        self.failures = 0
        return watch.value

    def failed(self, trial, error: Exception):
        """Fail this trial; three failures in a row end the search (a cause no config escapes: missing data, a
        full disk)."""
        trial.set_user_attr("error", str(error))
        self.say(f"trial {trial.number}: failed: {error}")
        self.failures += 1
        if self.failures >= 3:
            raise GanforgeError(f"three trials in a row failed; the last (trial {trial.number}): {error}") from None
        raise TrialFailed(str(error)) from None

    def _continue_retried(self, trial, run_dir) -> str:
        """A re-queued trial continues the run its failed attempt left on this machine (runs resume bit for bit),
        rather than training again from step 0."""
        history = RetryHeartbeatStaleTrialCallback.retry_history(numbered(trial.study, trial.number))
        if not history or run_dir.exists():
            return ""
        previous = history[-1]
        before = run_dir_of(self.out, previous)
        if not (before / "config.yaml").is_file():
            return f"a retry of trial {previous}, from step 0"
        shutil.copytree(before, run_dir)
        return f"a retry of trial {previous}, continuing its run"


class Budget:
    """Stops the search (after a trial ends) when the study has its trials or when the next trial could not
    finish in the time that is left: the median time of the study's complete trials, or the per-trial limit."""

    def __init__(self, definition: Definition):
        self.d = definition
        self.reason = None

    def estimate(self, study) -> float:
        done = [t.user_attrs["seconds"] for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if "seconds" in t.user_attrs]
        guess = statistics.median(done) if done else 0.0
        return min(guess, self.d.trial_time) if self.d.trial_time and guess else guess or self.d.trial_time

    def why_stop(self, study) -> str | None:
        if self.d.trials:
            counted = len(study.get_trials(deepcopy=False, states=FINISHED + (TrialState.RUNNING,)))
            if counted >= self.d.trials:
                return f"the study has its {self.d.trials} trials (finished or running)"
        if self.d.deadline:
            left = self.d.deadline - time.time()
            if left <= 0:
                return "the search's time is up (--resume --budget TIME continues it)"
            need = self.estimate(study)
            if need > left:
                return f"{left / 60:.1f} min left, less than a trial takes ({need / 60:.1f} min)"
        return None

    def __call__(self, study, trial) -> None:
        self.reason = self.why_stop(study)
        if self.reason:
            study.stop()


def requeue_stopped(study, number: int, say) -> None:
    """The trial this worker was running when a signal stopped it (failed by now) is re-queued once."""
    before = len(study.get_trials(deepcopy=False))
    retry()(study, copy.deepcopy(numbered(study, number)))
    if len(study.get_trials(deepcopy=False)) > before:
        say(f"trial {number} was stopped; it is queued to run again")


def requeue_running(study, storage, say) -> None:
    """--resume after every worker stopped: trials still marked running had their worker killed; they are marked
    failed and re-queued once (the heartbeat would do the same once they are stale)."""
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
            retry()(study, storage.get_trial(t._trial_id))
            say(f"trial {t.number} was running when the search stopped; it is queued to run again")


def run(study, definition: Definition, space, out, threads: int, say) -> str:
    """Run trials until the budget, the trial count or the grid ends; returns why the search stopped."""
    budget = Budget(definition)
    reason = budget.why_stop(study)
    if reason:
        return reason
    objective = Objective(definition, space, out, threads, say)
    try:
        study.optimize(objective, callbacks=[budget], catch=(TrialFailed,), gc_after_trial=True)
    except (Stopped, KeyboardInterrupt):
        if objective.stopped is not None:
            requeue_stopped(study, objective.stopped, say)
        raise
    if budget.reason:
        return budget.reason
    return "every point of the grid was tried" if definition.sampler == "grid" else "done"


def _short(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)
