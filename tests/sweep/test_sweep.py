"""ganforge sweep end to end on tiny configs: trials are ordinary runs, the study's seed repeats its proposals,
a trial's config repeats its run bit for bit, the pruner and the time budget end trials early, the report
writes the table, the best config and the plots, and a bad request is a one-line error."""
import json
import os
import subprocess
import sys
import time

import pytest
import yaml

optuna = pytest.importorskip("optuna", reason="the sweep extra is not installed (pip install 'ganforge[sweep]')")

from ganforge import train  # noqa: E402
from ganforge.checkpoint import latest_checkpoint, load_state  # noqa: E402
from ganforge.cli import main  # noqa: E402
from ganforge.config import load_config_file  # noqa: E402
from ganforge.sweep import search, study as study_mod  # noqa: E402
from ganforge.sweep.space import space_from_dict  # noqa: E402
from ganforge.training.schedule import Watch  # noqa: E402

from ..conftest import tiny_train_config  # noqa: E402
from ..training.test_reliability import same_training_state  # noqa: E402

SPACE = ("train.d_lr: {type: log-float, low: 1.0e-4, high: 1.0e-3}\n"
         "train.ema_decay: {type: categorical, choices: [0.9, 0.99]}\n")


def base_config(steps=8):
    cfg = tiny_train_config(steps=steps, checkpoint_every=2, log_every=2)
    cfg.eval.metrics = ["fid"]
    return cfg


@pytest.fixture
def files(tmp_path):
    (tmp_path / "base.yaml").write_text(base_config().to_yaml())
    (tmp_path / "space.yaml").write_text(SPACE)
    return tmp_path


def sweep(*args):
    """``ganforge sweep ARGS`` in this process; returns what it printed (stdout, stderr)."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["sweep", *map(str, args)])
    assert code == 0, err.getvalue()
    return out.getvalue(), err.getvalue()


def start(files, out, *extra):
    return ["--config", files / "base.yaml", "--space", files / "space.yaml", "--metric", "fid100",
            "--eval-every", 4, "--out", out, *extra]


def load(out):
    storage = study_mod.open_storage(study_mod.sqlite_url(out), 10)
    return study_mod.load(storage, out.name)[0]


def test_trials_are_ordinary_runs_and_the_report_writes_table_best_config_and_plots(files):
    out = files / "sweeps" / "s"
    sweep(*start(files, out, "--trials", 3, "--sampler", "random", "--seed", 5))
    study = load(out)
    trials = study.get_trials()
    assert len(trials) == 3 and all(t.state.name == "COMPLETE" for t in trials)
    for t in trials:
        run = out / "trials" / f"{t.number:04d}"
        cfg = load_config_file(run / "config.yaml")  # the trial's overrides are in its own config
        assert cfg.train.d_lr == t.params["train.d_lr"] and cfg.train.ema_decay == t.params["train.ema_decay"]
        assert sorted(t.intermediate_values) == [4, 8] and t.value == t.intermediate_values[8]
        assert t.user_attrs["seed"] == cfg.train.seed and t.user_attrs["run_dir"] == str(run.resolve())
    subprocess.run([sys.executable, "-m", "ganforge", "sample", out / "trials" / "0000", "--n", "4", "--out",
                    files / "s.png"], check=True, capture_output=True)
    report, _ = sweep("report", out, "--results", files / "results")
    best = study.best_trial
    assert f"best: trial {best.number}, fid100 {best.value:.4g}" in report
    assert all(f"\n{t.number:>5}  complete" in report for t in trials)
    best_cfg = load_config_file(out / "best.yaml")
    assert best_cfg.train.d_lr == best.params["train.d_lr"] and best_cfg.train.steps == 8
    assert {p.name for p in (out / "plots").iterdir()} >= {"history.png", "intermediate.png", "slice.png"}
    record = json.loads((files / "results" / "sweeps" / "s.json").read_text())
    assert record["kind"] == "sweep" and record["metrics"] == {"fid100": round(best.value, 4)}
    assert len(record["trials"]) == 3 and record["best"]["number"] == best.number


def test_the_study_seed_repeats_its_configs_and_a_trial_config_repeats_its_run(files):
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        sweep(*start(files, files / name, "--trials", 2, "--seed", seed))
    proposals = [[t.params for t in load(files / name).get_trials()] for name in ("a", "b", "c")]
    assert proposals[0] == proposals[1] and proposals[2] != proposals[0]
    assert proposals[0][0] != proposals[0][1]
    trial = files / "a" / "trials" / "0001"
    subprocess.run([sys.executable, "-m", "ganforge", "train", "--config", trial / "config.yaml", "--out",
                    files / "rerun", "--no-progress"], check=True, capture_output=True)
    assert same_training_state(load_state(latest_checkpoint(trial)), load_state(latest_checkpoint(files / "rerun")))


class EndAt(Watch):
    def __init__(self, step):
        self.step, self.seen = step, []

    def after_eval(self, step, metrics):
        self.seen.append((step, sorted(metrics)))
        return "enough" if step == self.step else None


def test_a_watch_ends_a_run_early_as_a_finished_run_and_sees_a_final_evaluation(tmp_path):
    cfg = base_config(steps=10)
    cfg.eval.every, cfg.eval.n = 4, 50
    summary = train(cfg, tmp_path / "early", show_progress=False, watch=EndAt(4))
    assert summary["steps"] == 4 and summary["ended_by"] == "enough"
    assert load_state(latest_checkpoint(tmp_path / "early"))["step"] == 4
    log = [json.loads(line) for line in (tmp_path / "early" / "log.jsonl").read_text().splitlines()]
    assert {"step": 4, "event": "ended", "reason": "enough"} in log
    watch = EndAt(None)
    summary = train(cfg, tmp_path / "full", show_progress=False, watch=watch)
    assert summary["steps"] == 10 and watch.seen == [(4, ["fid50"]), (8, ["fid50"]), (10, ["fid50"])]


def test_the_pruner_ends_a_trial_at_an_evaluation(files):
    out = files / "p"
    sweep(*start(files, out, "--trials", 1, "--pruner", "none", "--trial-steps", 4))  # creates the study
    storage = study_mod.open_storage(study_mod.sqlite_url(out), 10)
    study, definition = study_mod.load(storage, "p")
    definition.base["train"]["steps"], definition.trials = 8, 2
    space = space_from_dict(definition.space, load_config_file(files / "base.yaml"))
    study_mod.bind(study, definition, space)
    study.pruner = optuna.pruners.ThresholdPruner(upper=0.0)  # every score is above 0: prune at the first report
    search.run(study, definition, space, out, 0, lambda m: None)
    pruned = study.get_trials()[1]
    assert pruned.state.name == "PRUNED" and list(pruned.intermediate_values) == [4]
    assert pruned.user_attrs["steps"] == 4 and load_state(latest_checkpoint(out / "trials" / "0001"))["step"] == 4


def test_the_time_budget_stops_a_running_trial_and_no_trial_starts_that_cannot_finish(files):
    (files / "long.yaml").write_text(base_config(steps=10**6).to_yaml())
    out = files / "t"
    began = time.time()
    _, said = sweep("--config", files / "long.yaml", "--space", files / "space.yaml", "--metric", "fid100",
                    "--eval-every", 4, "--budget", "8s", "--out", out)
    assert time.time() - began < 60 and "stopped: the search's time is up" in said
    (trial,) = load(out).get_trials()
    assert trial.state.name == "PRUNED" and trial.user_attrs["steps"] < 10**6
    log = (out / "trials" / "0000" / "log.jsonl").read_text()
    assert '"reason": "the search\'s time ran out"' in log
    # no trial starts that cannot finish in what is left: the median complete trial takes 300 s, 100 s are left
    study = optuna.create_study()
    for seconds in (290, 300, 310):
        study.add_trial(optuna.create_trial(value=1.0, params={}, distributions={},
                                            user_attrs={"seconds": seconds}))
    budget = search.Budget(study_mod.Definition(base={}, space={}, score="fid2k", direction="minimize",
                                                deadline=time.time() + 100))
    assert "less than a trial takes (5.0 min)" in budget.why_stop(study)
    budget.d.deadline, budget.d.trials = time.time() + 1000, 3
    assert budget.why_stop(study) == "the study has its 3 trials (finished or running)"
    budget.d.trials = 4
    assert budget.why_stop(study) is None


def test_bad_requests_are_one_line_errors(files, capsys):
    def error(*args):
        assert main(["sweep", *map(str, args)]) == 2
        return capsys.readouterr().err.strip().splitlines()[-1]

    out = files / "e"
    assert "say when the search ends: --trials N and/or --budget" in error(*start(files, out))
    assert "needs --space FILE and --metric SCORE" in error("--config", files / "base.yaml", "--out", out)
    assert "'speed2k' is not a score" in error(*start(files, out, "--trials", 2)[:-4], "--metric", "speed2k",
                                                "--out", out)
    assert not out.exists()  # nothing written for a request that was refused
    (files / "bad.yaml").write_text("train.d_lr: {type: float, low: 0.1, high: 3}\n")
    msg = error("--config", files / "base.yaml", "--space", files / "bad.yaml", "--metric", "fid2k", "--trials",
                2, "--out", out)
    assert "bad.yaml: train.d_lr=3.0 is out of range" in msg and "\n" not in msg
    assert "holds no sweep" in error("report", files / "nothing")
    assert "cannot open the study storage postgresql+psycopg://u:***@127.0.0.1:1/x" in error(
        *start(files, out, "--trials", 1), "--storage", "postgresql://u:pw@127.0.0.1:1/x")
    (files / "clash.yaml").write_text("loss.gp: {type: float, low: 1, high: 10}\nloss.r1: {type: float, low: 1, "
                                      "high: 2}\n")  # each value is allowed, never the two together
    msg = error("--config", files / "base.yaml", "--space", files / "clash.yaml", "--metric", "fid2k", "--trials", 5,
                "--out", files / "clash")
    assert msg.startswith("ganforge sweep: error: three trials in a row failed; the last (trial 2): ")
    assert "choose one gradient penalty" in msg and "\n" not in msg
    sweep(*start(files, out, "--trials", 1))
    assert "already exists in this storage" in error(*start(files, out, "--trials", 1))
    assert "drop --space" in error("--resume", "--out", out, "--space", files / "space.yaml")
    assert "--grid" not in error("--resume", "--worker", "--out", out)


def test_the_grid_tries_every_point_once_then_ends(files):
    (files / "grid.yaml").write_text("train.ema_decay: {type: categorical, choices: [0.9, 0.99]}\n"
                                     "train.d_lr: {type: float, low: 2.0e-4, high: 4.0e-4, step: 2.0e-4}\n")
    out = files / "g"
    _, said = sweep("--config", files / "base.yaml", "--space", files / "grid.yaml", "--metric", "fid100",
                    "--trial-steps", 2, "--eval-every", 1, "--sampler", "grid", "--pruner", "hyperband", "--out", out)
    assert "stopped: every point of the grid was tried" in said
    points = sorted((t.params["train.ema_decay"], round(t.params["train.d_lr"], 6)) for t in load(out).get_trials())
    assert points == [(0.9, 2e-4), (0.9, 4e-4), (0.99, 2e-4), (0.99, 4e-4)]


@pytest.mark.parametrize("prune_after,first_pruned_at", [(0, 2), (6, 6)])
def test_no_trial_is_pruned_before_prune_after(prune_after, first_pruned_at):
    definition = study_mod.Definition(base={"train": {"steps": 8}}, space={}, score="fid2k", direction="minimize",
                                      eval_every=2, prune_after=prune_after)
    study = optuna.create_study(pruner=study_mod.make_pruner(definition))
    for _ in range(3):  # the median pruner's startup trials
        study.add_trial(optuna.create_trial(value=1.0, params={}, distributions={},
                                            intermediate_values={s: 1.0 for s in (2, 4, 6, 8)}))
    trial, pruned_at = study.ask(), None
    for step in (2, 4, 6, 8):
        trial.report(100.0, step)  # far worse than every earlier trial at every step
        if trial.should_prune():
            pruned_at = step
            break
    assert pruned_at == first_pruned_at
