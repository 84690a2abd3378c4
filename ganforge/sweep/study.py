"""The study: where it lives (a SQLite file in the sweep's directory, or any SQLAlchemy URL shared by workers on
several machines), how it samples and prunes, and its definition — the base config, the space, the score, the
budget — stored in the study itself, so that a worker that joins it or a search that resumes needs nothing else.

Built on Optuna: its samplers (TPE, random, grid), pruners (median, successive halving, Hyperband), its
heartbeat (a worker killed mid-trial has that trial marked failed by the next worker to look, and re-queued once)
and its storage.
"""
from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import time
import warnings

import optuna
from optuna.samplers import BaseSampler
from optuna.storages import RDBStorage, RetryHeartbeatStaleTrialCallback

from ..config import Config
from ..errors import GanforgeError

optuna.logging.set_verbosity(optuna.logging.ERROR)  # ganforge prints its own line per trial (failed ones too)
# heartbeat, retries, multivariate TPE and the matplotlib plots are marked experimental in Optuna
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

KEY = "ganforge"  # the study's user attribute that holds its definition
FORMAT = 1


@dataclasses.dataclass
class Definition:
    """What a study searches, stored with it."""
    base: dict  # the config every trial starts from (resolved: a preset, a file or the automatic recipe)
    space: dict  # the search space, canonical (Space.to_dict)
    score: str  # e.g. 'fid2k'
    direction: str  # from the metric registry
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int = 0
    eval_every: int = 0  # steps between the in-training evaluations a trial reports
    prune_after: int = 0  # the first step at which a trial may be pruned (0 = its first evaluation)
    trial_time: float = 0.0  # seconds a trial may train (0 = until train.steps)
    trials: int = 0  # finished trials (complete or pruned) to reach (0 = no limit)
    deadline: float = 0.0  # epoch seconds after which no trial starts or continues (0 = none)
    command: str = ""  # the command line that created the study
    format: int = FORMAT

    def base_config(self) -> Config:
        return Config.from_dict(self.base, origin="the study's base config", stored=True)

    @classmethod
    def from_dict(cls, d: dict) -> "Definition":
        if d.get("format", 0) > FORMAT:
            raise GanforgeError(f"this study was written by a newer ganforge (study format {d['format']}); "
                                f"upgrade ganforge to continue it")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def sqlite_url(out: pathlib.Path) -> str:
    return f"sqlite:///{(out / 'study.db').resolve()}"


def open_storage(url: str, heartbeat: int):
    """An RDB storage with a heartbeat: a trial whose worker stops beating for ``3 x heartbeat`` seconds is
    marked failed and re-queued once (by whichever worker looks next)."""
    url = driver_url(url)
    engine = {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    try:
        return RDBStorage(url, engine_kwargs=engine, heartbeat_interval=heartbeat, grace_period=3 * heartbeat,
                          heartbeat_stale_trial_callback=retry())
    except ImportError as e:
        raise GanforgeError(f"storage {redact(url)}: a database driver is missing ({e}); for PostgreSQL: "
                            f"pip install 'ganforge[sweep]'") from None
    except Exception as e:  # SQLAlchemy's errors: a bad URL, a server that does not answer
        if isinstance(e, optuna.exceptions.OptunaError) or type(e).__module__.startswith("sqlalchemy"):
            raise GanforgeError(f"cannot open the study storage {redact(url)}: {str(e).splitlines()[0]}") from None
        raise


def driver_url(url: str) -> str:
    """PostgreSQL through psycopg 3 (the sweep extra's driver) when the URL names no driver: SQLAlchemy's default
    for ``postgresql://`` is psycopg2."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def retry():
    """Re-queues a trial (same params, its scores so far) unless it already is a retry: each trial runs at most
    twice."""
    return RetryHeartbeatStaleTrialCallback(max_retry=1, inherit_intermediate_values=True)


def redact(url: str) -> str:
    """The URL without its password (for messages)."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@")[0]:
        user = rest.split("@")[0].split(":")[0]
        rest = f"{user}:***@{rest.split('@', 1)[1]}"
    return scheme + sep + rest


def create(storage, name: str, definition: Definition, space):
    try:
        study = optuna.create_study(storage=storage, study_name=name, direction=definition.direction,
                                 load_if_exists=False)
    except optuna.exceptions.DuplicatedStudyError:
        raise GanforgeError(f"a study named {name!r} already exists in this storage: continue it with --resume, "
                            f"join it with --worker, or choose another --study / --out") from None
    store(study, definition)
    return bind(study, definition, space)


def store(study, definition: Definition) -> None:
    study.set_user_attr(KEY, dataclasses.asdict(definition))


def load(storage, name: str):
    """The study and its definition."""
    try:
        study = optuna.load_study(study_name=name, storage=storage)
    except KeyError:
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
        raise GanforgeError(f"no study named {name!r} in this storage" + (f" (studies: {', '.join(names)})"
                                                                           if names else " (it holds none)")) from None
    for _ in range(20):  # a study being created gets its definition a moment after its name
        if KEY in study.user_attrs:
            return study, Definition.from_dict(study.user_attrs[KEY])
        time.sleep(0.5)
        study = optuna.load_study(study_name=name, storage=storage)
    raise GanforgeError(f"study {name!r} was not made by ganforge sweep (it has no definition)")


def bind(study, definition: Definition, space):
    """The study with its sampler and pruner (each worker builds its own from the definition)."""
    if definition.sampler == "grid":  # its order is shuffled once by the seed; grid point k goes to trial k
        study.sampler = optuna.samplers.GridSampler(space.grid(), seed=definition.seed)
    else:
        study.sampler = TrialSeeded(definition.sampler, definition.seed)
    study.pruner = make_pruner(definition)
    return study


def make_pruner(d: Definition):
    steps = int(d.base["train"]["steps"])
    first = max(d.prune_after, d.eval_every or steps)
    if d.pruner == "median":  # a trial stops when its value is worse than the median of earlier trials' at that step
        return optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=first - 1)
    if d.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=first, max_resource=steps, reduction_factor=3)
    if d.pruner == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(min_resource=first, reduction_factor=3)
    return optuna.pruners.NopPruner()


def trial_seed(seed: int, number: int) -> int:
    """The sampler's seed for trial ``number`` of a study seeded with ``seed``."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{number}".encode()).digest()[:4], "little")


class TrialSeeded(BaseSampler):
    """A sampler re-made for each trial with a seed of (study seed, trial number). Optuna's samplers draw from
    one random stream per process, so two workers seeded alike would propose the same configs, and a resumed
    search would not repeat the one that was stopped; this one's proposals depend only on the study's seed, the
    trial's number and the trials finished before it. TPE and random keep no other state between trials."""

    def __init__(self, kind: str, seed: int):
        self.kind, self.seed = kind, seed
        self.inner = self._make(0)

    def _make(self, number: int):
        seed = trial_seed(self.seed, number)
        if self.kind == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        # TPE after five random trials; the constant liar counts running trials as bad, so that workers running
        # at once do not all propose the same region
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=5, multivariate=True, group=True,
                                          constant_liar=True)

    def before_trial(self, study, trial) -> None:
        self.inner = self._make(trial.number)
        self.inner.before_trial(study, trial)

    def infer_relative_search_space(self, study, trial):
        return self.inner.infer_relative_search_space(study, trial)

    def sample_relative(self, study, trial, search_space):
        return self.inner.sample_relative(study, trial, search_space)

    def sample_independent(self, study, trial, param_name, param_distribution):
        return self.inner.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study, trial, state, values) -> None:
        self.inner.after_trial(study, trial, state, values)

    def reseed_rng(self) -> None:
        pass  # the seed comes from the trial number
