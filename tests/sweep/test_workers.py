"""Workers share a study: two processes on one PostgreSQL study run every trial once; a worker SIGKILLed
mid-trial leaves its trial to the heartbeat (marked failed, re-queued once, continued from its checkpoint by the
next worker), and --resume does the same after every worker stopped."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

optuna = pytest.importorskip("optuna", reason="the sweep extra is not installed (pip install 'ganforge[sweep]')")

from ganforge.checkpoint import latest_checkpoint, load_state  # noqa: E402
from ganforge.sweep import study as study_mod  # noqa: E402

from ..training.test_reliability import same_training_state  # noqa: E402
from .test_sweep import SPACE, base_config  # noqa: E402


def launch(*args, fault=""):
    env = {**os.environ, "GANFORGE_FAULT": fault}
    return subprocess.Popen([sys.executable, "-m", "ganforge", "sweep", *map(str, args)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc, code=0):
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == code, err[-3000:]
    return err


@pytest.fixture
def files(tmp_path):
    (tmp_path / "base.yaml").write_text(base_config(steps=8).to_yaml())
    (tmp_path / "space.yaml").write_text(SPACE)
    return tmp_path


def new_study(files, where, trials, *extra):
    return ["--config", files / "base.yaml", "--space", files / "space.yaml", "--metric", "fid100", "--eval-every",
            4, "--trials", trials, *where, *extra]


def wait_for_study(url, name):
    for _ in range(600):
        if name in [s.study_name for s in optuna.get_all_study_summaries(url)]:
            return
        time.sleep(0.1)
    raise AssertionError(f"study {name} never appeared")


def test_two_workers_on_postgresql_share_a_study_and_run_each_trial_once(files, postgres_url):
    a = launch(*new_study(files, ["--storage", postgres_url, "--study", "two", "--out", files / "a"], 6))
    wait_for_study(postgres_url, "two")
    b = launch("--worker", "--storage", postgres_url, "--study", "two", "--out", files / "b")
    finish(a), finish(b)
    study = optuna.load_study(study_name="two", storage=postgres_url)
    trials = study.get_trials()
    assert all(t.state.name in ("COMPLETE", "PRUNED") for t in trials) and 6 <= len(trials) <= 7
    ran = {name: {int(p.name) for p in (files / name / "trials").iterdir()} if (files / name / "trials").exists()
           else set() for name in ("a", "b")}
    assert not ran["a"] & ran["b"] and ran["a"] | ran["b"] == {t.number for t in trials}
    assert all(t.user_attrs["run_dir"].startswith(str(files / ("a" if t.number in ran["a"] else "b")))
               for t in trials)


@pytest.mark.parametrize("storage,how", [("sqlite", "resume"), ("postgresql", "worker"), ("sqlite", "term")])
def test_a_killed_worker_s_trial_is_failed_requeued_once_and_continued(files, storage, how, request):
    """SIGKILL mid-trial, then another worker after the heartbeat's grace, or --resume at once; or SIGTERM, which
    checkpoints the trial and re-queues it itself."""
    out = files / "k"
    where = ["--out", out] if storage == "sqlite" else ["--storage", request.getfixturevalue("postgres_url"),
                                                        "--study", "killed", "--out", out]
    if how == "term":
        said = finish(launch(*new_study(files, where, 2), fault="at=step,step=5,action=term"), 143)
        assert "trial 0 was stopped; it is queued to run again" in said
    else:
        killed = launch(*new_study(files, where, 2, "--heartbeat", 1), fault="at=step,step=5")
        finish(killed, -signal.SIGKILL)  # mid-trial: trial 0 has its checkpoint of step 4
    if how == "worker":
        time.sleep(4)  # three heartbeats (1 s) missed: the next worker to look marks trial 0 failed
        said = finish(launch("--worker", *where, "--heartbeat", 1))
    else:  # resume (term: the trial re-queued itself; nothing is left running)
        said = finish(launch("--resume", *where))
    assert "trial 1: " in said and "a retry of trial 0, continuing its run" in said
    url = study_mod.sqlite_url(out) if storage == "sqlite" else where[1]
    trials = optuna.load_study(study_name="k" if storage == "sqlite" else "killed", storage=url).get_trials()
    assert [t.state.name for t in trials] == ["FAIL", "COMPLETE", "COMPLETE"]
    assert trials[1].params == trials[0].params and trials[2].params != trials[0].params  # re-queued once
    log = [json.loads(line) for line in (out / "trials" / "0001" / "log.jsonl").read_text().splitlines()]
    assert any(r.get("event") == "resumed" and r["step"] == (5 if how == "term" else 4) for r in log)
    if how == "resume":  # the continued trial ends where an uninterrupted run of its config ends
        subprocess.run([sys.executable, "-m", "ganforge", "train", "--config", out / "trials" / "0001" /
                        "config.yaml", "--out", files / "whole", "--no-progress"], check=True, capture_output=True)
        assert same_training_state(load_state(latest_checkpoint(out / "trials" / "0001")),
                                   load_state(latest_checkpoint(files / "whole")))
