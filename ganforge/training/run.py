"""A training run from start to finish: the run directory, data, models, resuming, the safety rules and,
under torchrun, the process group (rank 0 owns the run directory; see ``schedule.py`` for the rest).

A run directory holds ``config.yaml`` (the resolved config), ``log.jsonl``, ``samples/`` and
``checkpoints/``. Nothing in a directory that holds another run, or unrelated files, is overwritten.
A run stopped by SIGKILL resumes from its newest valid checkpoint and continues bit-identically; SIGTERM
and SIGINT write a checkpoint first; a NaN or infinity stops the run (or rolls it back) before any bad
state reaches a checkpoint.
"""
from __future__ import annotations

import copy
import os
import pathlib
import shutil
import tempfile

import torch
import yaml

from .. import distributed, faults
from ..checkpoint import newest_valid_checkpoint, remove_stale_temporaries
from ..config import Config, ConfigError
from ..data import load_dataset
from ..device import fix_thread_count, resolve_device, resolve_precision
from ..errors import GanforgeError
from ..fileio import atomic_write_text
from ..liveness import PeerLost, is_collective_failure
from ..models import build_discriminator, build_generator, parameter_count
from ..notify import to_stderr
from ..sections import RESUMABLE_KEYS
from .guard import check_free_space, checkpoint_bytes
from .log import JsonlLog
from .loop import Trainer
from .schedule import fit, quiet

RUN_FILES = {"config.yaml", "log.jsonl", "samples", "checkpoints"}


def bind_data(cfg: Config, dataset) -> Config:
    """Fill the model's class count and names from the data (or check the ones given). Data whose classes are
    only numbers (npz without class_names, MNIST-format files) takes its names from ``model.class_names``."""
    cfg = copy.deepcopy(cfg)
    names = list(dataset.class_names)
    if cfg.model.num_classes and cfg.model.num_classes != len(names):
        raise ConfigError(f"model.num_classes={cfg.model.num_classes} but {dataset.source} has {len(names)} classes")
    if cfg.model.class_names and not getattr(dataset, "named", True):
        if len(cfg.model.class_names) != len(names):
            raise ConfigError(f"model.class_names has {len(cfg.model.class_names)} names but {dataset.source} has "
                              f"{len(names)} classes")
        names = list(cfg.model.class_names)
        dataset.class_names = names
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
    return Config.from_dict(yaml.safe_load((out / "config.yaml").read_text()), origin=str(out / "config.yaml"),
                            stored=True)


def differences(a: Config, b: Config, ignore=()) -> list[str]:
    fa, fb = a.flat(), b.flat()
    return [f"{k}: {fa[k]!r} (run) vs {fb[k]!r} (now)" for k in fa if k not in ignore and fa[k] != fb[k]]


def resume_mode(resume, cfg: Config) -> str:
    """'true', 'false' or 'auto': the ``resume`` argument when given (a bool or 'auto'), else ``train.resume``."""
    if resume is None:
        return cfg.train.resume
    modes = {True: "true", False: "false", "true": "true", "false": "false", "auto": "auto"}
    if not isinstance(resume, (bool, str)) or resume not in modes:
        raise GanforgeError(f"resume={resume!r}: expected True, False or 'auto'")
    return modes[resume]


def prepare_run_dir(out: pathlib.Path, cfg: Config, mode: str, force: bool, keep=frozenset()) -> tuple[Config, bool]:
    """Check the directory against the request (``mode`` from :func:`resume_mode`); returns the config to train
    with and whether the run in ``out`` is continued. ``keep``: keys whose saved value a resumed run keeps,
    whatever was asked (a precision chosen by 'auto')."""
    has_run = (out / "config.yaml").is_file()
    if mode == "auto" and force:
        raise GanforgeError("--resume auto continues the run in --out when there is one; --force replaces it: "
                            "give one of them")
    if mode == "true" or (mode == "auto" and has_run):
        flag = "--resume" if mode == "true" else "--resume auto"
        if not has_run:
            raise GanforgeError(f"--resume: {out} holds no run to resume (no config.yaml); use --resume auto to "
                                f"start it when there is none, or drop --resume")
        saved = saved_config(out)
        diff = differences(saved, cfg, ignore=RESUMABLE_KEYS | {"model.num_classes", "model.class_names"} | set(keep))
        if diff:
            raise GanforgeError(f"{flag}: {out} holds a different run; these settings differ: " + "; ".join(diff)
                                + f". Only {', '.join(sorted(RESUMABLE_KEYS))} may change when resuming")
        for key in RESUMABLE_KEYS:
            saved.set(key, cfg.get(key))
        return saved, True
    if out.is_dir() and any(out.iterdir()):
        if has_run and not force:
            raise GanforgeError(f"{out} already holds a run; continue it with --resume (or --resume auto), choose "
                                f"another --out, or pass --force to replace it (its checkpoints, samples and log "
                                f"are deleted)")
        foreign = sorted(p.name for p in out.iterdir() if p.name not in RUN_FILES and not p.name.startswith("."))
        if foreign:
            raise GanforgeError(f"{out} is not empty and does not hold a run ({', '.join(foreign[:5])}); choose an "
                                f"empty or new --out directory")
        if not force and any((out / "checkpoints").glob("*.safetensors")):
            raise GanforgeError(f"{out} holds checkpoints but no config.yaml; restore its config.yaml to resume, "
                                f"or pass --force to delete them and start again")
        for name in RUN_FILES:  # --force on a run directory, or the leftovers of a run that never started
            target = out / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    return cfg, False


def load_bound_data(cfg: Config, notify):
    dataset = load_dataset(cfg.data)
    for note in getattr(dataset, "notes", []):
        notify(note)
    skipped = getattr(dataset, "skipped", [])
    if skipped:
        notify(f"skipped {len(skipped)} unreadable image(s) (data.skip_bad_images): " + "; ".join(skipped[:3])
               + (" ..." if len(skipped) > 3 else ""))
    if len(dataset.class_names) == 1:
        notify(f"{dataset.source} holds a single class ({dataset.class_names[0]}): the model is conditional in "
               f"name only")
    return dataset, bind_data(cfg, dataset)


def train(cfg: Config, out, resume: bool | str | None = None, force: bool = False, show_progress: bool = True,
          dry_run: bool = False, notify=to_stderr, watch=None) -> dict:
    """Train (or, with ``dry_run``, only resolve and check) a run in ``out``; returns a summary dict.
    ``resume``: True continues the run in ``out``, 'auto' continues it if there is one and starts it otherwise,
    False starts a new one; None (the default) follows ``train.resume``. ``notify`` receives notes a user should
    see (new run or resumed, skipped checkpoints or images, rollbacks).

    Started by torchrun with several processes, each process runs this same call: they join one process
    group, rank 0 alone reads and writes the run directory, and the others receive what it decided.
    ``watch``: a :class:`~ganforge.training.schedule.Watch` that follows the run and may end it early."""
    out = pathlib.Path(out).expanduser()
    cfg = copy.deepcopy(cfg).validate()
    resume = resume_mode(resume, cfg)
    faults.parse(os.environ.get(faults.ENV, ""))  # a malformed fault spec fails before anything is written
    if dry_run:
        return _dry_run(cfg, out, resume, force, notify)
    dist, device = distributed.setup(resolve_device(cfg.train.device), cfg.train.dist_timeout)
    failed = False
    try:
        return _train(cfg, out, resume, force, show_progress, notify if dist.is_main else quiet, dist, device, watch)
    except PeerLost:
        failed = True
        raise
    except Exception as e:
        if dist.enabled and not isinstance(e, GanforgeError) and is_collective_failure(e):
            failed = True
            raise distributed.peer_lost(dist, e) from None
        raise
    finally:
        distributed.teardown(dist, failed)


def _train(cfg: Config, out: pathlib.Path, resume: str, force: bool, show_progress: bool, notify,
           dist: distributed.Distributed, device, watch=None) -> dict:
    fix_thread_count(cfg.train.threads)  # before the first matrix product: G's orthogonal init
    dataset, cfg = load_bound_data(cfg, notify)
    keep = choose_precision(cfg, device, notify)
    torch.manual_seed(cfg.train.seed)
    G, D = build_generator(cfg), build_discriminator(cfg)  # built under the run's seed, the same on every rank

    def claim_run_dir() -> tuple[Config, bool]:
        check_writable(out)
        check_free_space(out, checkpoint_bytes([G, D, G]))  # before --force deletes anything
        run_cfg, resuming = prepare_run_dir(out, cfg, resume, force, keep)
        if resuming:
            remove_stale_temporaries(out)
        else:
            atomic_write_text(out / "config.yaml", run_cfg.to_yaml())
            if resume == "auto":
                notify(f"--resume auto: no run in {out} yet, starting one")
        return run_cfg, resuming

    cfg, resuming = dist.on_main(claim_run_dir)
    trainer = Trainer(cfg, G, D, dataset, device, dist)
    log = JsonlLog(out / "log.jsonl")
    resumed_from = best = None
    if resuming:
        resumed_from, state = dist.on_main(read_newest, out, notify)
        if state is not None:
            trainer.load_state_dict(state)
            best = state.get("best")
        if dist.is_main:
            log.truncate_after(trainer.step)
            log.write(resume_event(trainer.step, resumed_from, dist.world))
        if resume == "auto":
            notify(f"--resume auto: continuing the run in {out} from "
                   + (f"{resumed_from.name} (step {trainer.step})" if resumed_from else "step 0 (no checkpoint yet)"))
    summary = fit(trainer, out, log, show_progress, notify, best, watch)
    summary["resumed_from"] = str(resumed_from) if resumed_from else None
    return summary


def choose_precision(cfg: Config, device, notify) -> set[str]:
    """Resolve ``train.precision: auto`` for this device (in place, said to the user); returns the keys a
    resumed run keeps from its saved config (the precision it chose when it started)."""
    if cfg.train.precision != "auto":
        return set()
    cfg.train.precision, why = resolve_precision("auto", device)
    notify(f"precision auto: {cfg.train.precision} ({why})")
    return {"train.precision"}


def resume_event(step: int, checkpoint: pathlib.Path | None, world: int) -> dict:
    """The log's record of a resume; under torchrun it counts the elastic restarts."""
    event = {"step": step, "event": "resumed", "from": checkpoint.name if checkpoint else None, "world_size": world}
    if "TORCHELASTIC_RESTART_COUNT" in os.environ:
        event["restart"] = int(os.environ["TORCHELASTIC_RESTART_COUNT"])
    return event


def read_newest(out: pathlib.Path, notify) -> tuple[pathlib.Path | None, dict | None]:
    """The newest checkpoint that verifies and its state, saying which newer ones were skipped."""
    path, state, skipped = newest_valid_checkpoint(out)
    for reason in skipped:
        notify(f"skipped checkpoint: {reason}")
    if state is None and skipped:
        notify("no valid checkpoint left: starting this run from step 0")
    return path, state


def _dry_run(cfg: Config, out: pathlib.Path, resume: bool, force: bool, notify) -> dict:
    """Resolve and check everything without writing; a config that fixes model.num_classes still reports its
    model sizes when the data cannot be read here."""
    keep = choose_precision(cfg, resolve_device(cfg.train.device), notify)
    try:
        dataset, cfg = load_bound_data(cfg, notify)
        data_note = f"{len(dataset):,} training images"
    except GanforgeError as e:
        if not cfg.model.num_classes:
            raise
        data_note = f"not checked ({e})"
    G, D = build_generator(cfg), build_discriminator(cfg)
    if resume == "true" or (resume == "auto" and (out / "config.yaml").is_file()):  # checks only: nothing deleted
        prepare_run_dir(out, cfg, resume, force, keep)
    return {"dry_run": True, "description": describe(cfg, G, D), "data": data_note,
            "g_params": parameter_count(G), "d_params": parameter_count(D)}
