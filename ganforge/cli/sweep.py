"""``ganforge sweep``: search hyper-parameters (start, --resume, --worker) and ``ganforge sweep report``."""
from __future__ import annotations

import argparse
import pathlib
import sys
import time

from ..checks import duration
from ..config import parse_override
from ..errors import GanforgeError
from ..results import command_line
from .common import non_negative_int, positive_int

DEFINING = ("preset", "config", "data", "set", "space", "metric", "sampler", "pruner", "seed", "eval_every",
            "trial_time", "trial_steps", "include_base", "prune_after")


def _say(message: str) -> None:
    print(f"sweep: {message}", file=sys.stderr, flush=True)


def _modules():
    try:
        from ..sweep import report, search, space, study
    except ImportError as e:
        raise GanforgeError(f"ganforge sweep needs Optuna ({e.name} is not installed): "
                            f"pip install 'ganforge[sweep]'") from None
    return report, search, space, study


def _where(args) -> tuple[pathlib.Path | None, str, str]:
    """(out, storage URL, study name) from --out, --storage and --study."""
    _, _, _, study = _modules()
    where = args.dir or args.out
    out = pathlib.Path(where).expanduser() if where else None
    if args.storage:
        name = args.study or (out.name if out else None)
        if not name:
            raise GanforgeError("with --storage, name the study: --study NAME")
        return out, args.storage, name
    if out is None:
        raise GanforgeError("give --out DIR (the sweep's directory; its study is DIR/study.db), or --storage URL "
                            "with --study NAME")
    return out, study.sqlite_url(out), args.study or out.name


def _definition(args, space_mod, study_mod, say):
    from ..metrics.registry import parse_score
    from .train import start_config
    if not args.space or not args.metric:
        raise GanforgeError("a new sweep needs --space FILE and --metric SCORE (e.g. fid2k, recall2k); to continue "
                            "one, add --resume (or --worker to join it)")
    given = {"data.source": (args.data, "--data")} if args.data else {}
    for item in args.set or []:
        key, value = parse_override(item)
        given[key] = (value, "--set")
    if args.trial_steps:
        given["train.steps"] = (args.trial_steps, "--trial-steps")
    base = start_config(args.preset, args.config, given, lambda m: say(f"base config: {m}"))
    space = space_mod.load_space(args.space, base)
    score = parse_score(args.metric)
    steps = base.train.steps
    every = args.eval_every or base.eval.every or max(steps // 8, 1)
    if every > steps:
        raise GanforgeError(f"--eval-every {every} is more than the trials' {steps} steps: a trial would report "
                            f"its score only at its end")
    sampler, pruner = args.sampler or "tpe", args.pruner or "median"
    if sampler == "grid":
        size = space.grid_size()
        say(f"grid of {size} configs")
    elif not args.trials and not args.budget:
        raise GanforgeError("say when the search ends: --trials N and/or --budget TIME (e.g. 2h)")
    definition = study_mod.Definition(
        base=base.to_dict(), space=space.to_dict(), score=score.name, direction=score.direction,
        sampler=sampler, pruner=pruner, seed=args.seed or 0, eval_every=every, prune_after=args.prune_after or 0,
        trial_time=duration(args.trial_time, "--trial-time") if args.trial_time else 0.0, trials=args.trials or 0,
        command=command_line())
    return definition, space


def _sweep(args) -> int:
    if args.action == "report":
        return _report(args)
    report, search, space_mod, study_mod = _modules()
    if args.dir:
        raise GanforgeError(f"unexpected {args.dir!r}: the sweep's directory is given with --out")
    if args.resume and args.worker:
        raise GanforgeError("give --resume (continue a study after every worker stopped) or --worker (join a study "
                            "other workers are running), not both")
    out, url, name = _where(args)
    if out is None:
        raise GanforgeError("give --out DIR: the trials' run directories are written there")
    joining = args.resume or args.worker
    if joining:
        given = [f"--{k.replace('_', '-')}" for k in DEFINING if getattr(args, k) not in (None, [], False)]
        if given:
            raise GanforgeError(f"{'--resume' if args.resume else '--worker'} continues the study as it was "
                                f"defined; drop {', '.join(given)}")
    deadline = time.time() + duration(args.budget, "--budget") if args.budget else None
    if not joining:  # checked before anything is written
        definition, space = _definition(args, space_mod, study_mod, _say)
        if args.include_base:
            space.values_of(definition.base_config())
    out.mkdir(parents=True, exist_ok=True)
    storage = study_mod.open_storage(url, args.heartbeat)
    if joining:
        study, definition = study_mod.load(storage, name)
        space = space_mod.space_from_dict(definition.space, definition.base_config(), "the study's search space")
        study_mod.bind(study, definition, space)
        definition.trials = args.trials or definition.trials
        definition.deadline = deadline or definition.deadline
        if args.resume:  # the new limits are the study's (a worker's own apply to it alone)
            study_mod.store(study, definition)
            search.requeue_running(study, storage, _say)
    else:
        definition.deadline = deadline or 0.0
        study = study_mod.create(storage, name, definition, space)
        if args.include_base:
            study.enqueue_trial(space.values_of(definition.base_config()), user_attrs={"base": True})
    _say(f"study {name!r} in {study_mod.redact(url)}: {definition.score} ({definition.direction}), "
         f"{definition.sampler} sampler, {definition.pruner} pruner, seed {definition.seed}; trials in {out / 'trials'}")
    reason = search.run(study, definition, space, out, args.threads, _say)
    _say(f"stopped: {reason}")
    print(report.table(study, definition))
    best = report.best_trial(study)
    if best is not None:
        print(f"best: trial {best.number}, {definition.score} {best.value:.4g} ({best.user_attrs.get('run_dir')})")
    return 0


def _report(args) -> int:
    report, _, _, study_mod = _modules()
    out, url, name = _where(args)
    if out is not None and not args.storage and not (out / "study.db").is_file():
        raise GanforgeError(f"{out} holds no sweep (no study.db); for a study in a database give --storage URL "
                            f"--study NAME")
    storage = study_mod.open_storage(url, args.heartbeat)
    study, definition = study_mod.load(storage, name)
    print(report.table(study, definition))
    totals = report.totals(study)
    print("totals: " + ", ".join(f"{k} {v}" for k, v in totals.items() if k != "hosts")
          + f"; hosts: {', '.join(totals['hosts']) or '-'}")
    target = out or pathlib.Path(name)
    best = report.best_config(study, definition, target / "best.yaml")
    if best:
        b = report.best_trial(study)
        print(f"best: trial {b.number}, {definition.score} {b.value:.4g}; its config: {best} "
              f"(ganforge train --config {best} --out runs/best)")
    else:
        print("best: no trial has completed yet")
    if not args.no_plots:
        try:
            written = report.plots(study, target / "plots")
        except ImportError:
            raise GanforgeError("the plots need matplotlib: pip install 'ganforge[plots]' (or --no-plots)") from None
        print("plots: " + (", ".join(map(str, written)) or "none yet (no finished trial)"))
    if args.results:
        path = report.write_results(study, definition, args.results, f"sweeps/{name}")
        print(f"result: {path}")
    return 0


def register(sub) -> None:
    s = sub.add_parser("sweep", help="search hyper-parameters (Optuna); 'sweep report DIR' shows what it found",
                       description="Search hyper-parameters: each trial is a training run in OUT/trials/NNNN that "
                       "reports its score at the evaluation steps; hopeless ones are pruned. 'ganforge sweep report "
                       "DIR' prints the trials, writes the best config and the plots.")
    s.add_argument("action", nargs="?", choices=["report"], help="report: show what the study in --out (or DIR) found")
    s.add_argument("dir", nargs="?", help=argparse.SUPPRESS)
    s.add_argument("--preset", help="the base config: a preset")
    s.add_argument("--config", help="the base config: a YAML/JSON file")
    s.add_argument("--data", help="the data: alone, the base is the automatic recipe sized for it; with --preset or "
                   "--config, it replaces their data")
    s.add_argument("--set", action="append", metavar="KEY=VALUE", help="a base config key (repeatable)")
    s.add_argument("--space", help="the search space: a YAML file of config keys and their ranges")
    s.add_argument("--metric", help="the score to optimise, a metric and its sample count: fid2k, kid2k, recall2k, "
                   "coverage2k, acc2k, ... (its direction comes from the metric)")
    s.add_argument("--include-base", action="store_true", help="make the base config itself the first trial (its "
                   "values of the space's keys must lie in the space): the search then measures what it improves")
    s.add_argument("--trials", type=positive_int, help="finished trials to reach (all workers together)")
    s.add_argument("--budget", help="wall time of the search, e.g. 2h or 90m: no trial starts that cannot finish "
                   "in what is left, and a running one stops when it is up")
    s.add_argument("--trial-time", help="wall time of one trial (e.g. 20m): it ends there with its last score")
    s.add_argument("--trial-steps", type=positive_int, help="steps of one trial (train.steps)")
    s.add_argument("--eval-every", type=positive_int, help="steps between a trial's scores (default: the base's "
                   "eval.every, else an eighth of its steps)")
    s.add_argument("--prune-after", type=positive_int, help="no trial is pruned before this step (default: its first "
                   "evaluation); GAN scores early in a run can rank trials differently from their end")
    s.add_argument("--sampler", choices=["tpe", "random", "grid"],
                   help="how configs are proposed (default tpe)")
    s.add_argument("--pruner", choices=["median", "hyperband", "halving", "none"],
                   help="which trials stop early (default median)")
    s.add_argument("--seed", type=non_negative_int,
                   help="the study's seed (default 0): the same seed proposes the same configs")
    s.add_argument("--threads", type=non_negative_int, default=0, help="CPU threads of each trial (train.threads; "
                   "two workers on one machine: 1 each)")
    s.add_argument("--out", help="the sweep's directory: trial runs in OUT/trials, the study in OUT/study.db unless "
                   "--storage is given")
    s.add_argument("--storage", help="a SQLAlchemy URL shared by workers, e.g. postgresql://user:pw@host/db "
                   "(PostgreSQL through psycopg 3), mysql+pymysql://..., sqlite:///path.db")
    s.add_argument("--study", help="the study's name in the storage (default: the name of --out)")
    s.add_argument("--worker", action="store_true", help="join the study (--storage/--study) and run its trials here")
    s.add_argument("--resume", action="store_true", help="continue the study after every worker stopped (trials "
                   "left running are re-queued once)")
    s.add_argument("--heartbeat", type=positive_int, default=10, help="seconds between a worker's heartbeats; a "
                   "trial silent for three is failed and re-queued once (default 10)")
    s.add_argument("--results", help="report: also write RESULTS/sweeps/STUDY.json")
    s.add_argument("--no-plots", action="store_true", help="report: skip the plots")
    s.set_defaults(func=_sweep)

