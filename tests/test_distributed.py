"""Data-parallel training under torchrun (2 CPU processes, gloo) against one process with the same global batch.

In float64 the two runs agree to rounding. In float32 they agree at the first step and drift by Adam's
amplification of rounding differences (see test_cli_run_under_torchrun_matches_one_process)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest
import torch

from ganforge.checkpoint import latest_checkpoint, load_state

WORKER = pathlib.Path(__file__).with_name("distributed_worker.py")
ROOT = pathlib.Path(__file__).resolve().parents[1]
TINY = """\
data: {resolution: 32, channels: 1}
model: {ch: 4, d_ch: 4, dim_z: 16, shared_dim: 8}
train: {steps: STEPS, batch_size: 8, accumulate: 2, d_steps: 2, ema_start: 2, ema_decay: 0.9, g_ortho: 1.0e-4,
        log_every: 1, sample_every: 0, checkpoint_every: 0, device: cpu}
"""

pytestmark = pytest.mark.skipif(not torch.distributed.is_available() or not torch.distributed.is_gloo_available(),
                                reason="this torch build has no gloo backend")


def config(tmp_path, steps: int) -> str:
    path = tmp_path / f"tiny-{steps}.yaml"
    path.write_text(TINY.replace("STEPS", str(steps)))
    return str(path)


def launch(args: list[str], processes: int = 1) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                                                             "MASTER_PORT")}
    env["OMP_NUM_THREADS"] = "1"
    prefix = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]
    cmd = (prefix if processes > 1 else [sys.executable]) + args
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc


def states(run: pathlib.Path) -> dict:
    return load_state(latest_checkpoint(run))


def largest_difference(a: dict, b: dict) -> tuple[float, str]:
    worst = (0.0, "")
    for part in ("G", "D", "G_ema"):
        for key, value in a[part].items():
            if value.is_floating_point():
                worst = max(worst, (float((value.double() - b[part][key].double()).abs().max()), f"{part}.{key}"))
    return worst


def test_two_processes_equal_one_with_the_same_global_batch_and_resume_in_one(tmp_path):
    """float64: weights, BN statistics, spectral-norm vectors and the EMA within 1e-10 after 3 steps with
    accumulation; the 2-process checkpoint then resumes in 1 process and matches an uninterrupted run."""
    three, five = config(tmp_path, 3), config(tmp_path, 5)
    launch([str(WORKER), "train", three, str(tmp_path / "two"), "float64"], processes=2)
    launch([str(WORKER), "train", three, str(tmp_path / "one"), "float64"])
    two, one = states(tmp_path / "two"), states(tmp_path / "one")
    assert two["step"] == one["step"] == 3 and two["stream"] == one["stream"]
    assert largest_difference(two, one)[0] < 1e-10, largest_difference(two, one)
    assert torch.equal(two["rng"]["train"], one["rng"]["train"])

    launch([str(WORKER), "train", five, str(tmp_path / "two"), "float64", "resume"])  # now one process
    launch([str(WORKER), "train", five, str(tmp_path / "straight"), "float64"])
    resumed, straight = states(tmp_path / "two"), states(tmp_path / "straight")
    assert resumed["step"] == straight["step"] == 5
    assert largest_difference(resumed, straight)[0] < 1e-10, largest_difference(resumed, straight)


def test_cli_run_under_torchrun_matches_one_process(tmp_path):
    """The user's command in float32. The first step's losses agree to float rounding. After it, weights differ
    by up to ~lr: Adam divides each gradient by its own RMS, so parameters whose true gradient is zero (conv
    biases right before BN, which BN cancels) turn rounding noise (summation order differs between one batch
    and two all-reduced halves) into full-size steps; these parameters do not change G's training output."""
    cfg = config(tmp_path, 3)
    evaluation = ["--set", "eval.every=3", "--set", "eval.n=100", "--set", "eval.metrics=[fid]"]
    proc = launch(["-m", "ganforge", "train", "--config", cfg, "--out", str(tmp_path / "two"), "--no-progress",
                   *evaluation], processes=2)
    assert proc.stdout.count("trained 3 steps") == 1 and "on 2 processes" in proc.stdout  # rank 0 reports
    launch(["-m", "ganforge", "train", "--config", cfg, "--out", str(tmp_path / "one"), "--no-progress", *evaluation])
    logs = [[json.loads(line) for line in (tmp_path / run / "log.jsonl").read_text().splitlines()]
            for run in ("two", "one")]
    assert [r["step"] for r in logs[0]] == [1, 2, 3, 3]  # one writer: three steps and the evaluation (shared)
    assert logs[0][-1]["fid100"] == pytest.approx(logs[1][-1]["fid100"], rel=0.05)
    assert json.loads((tmp_path / "two" / "checkpoints" / "best.json").read_text())["step"] == 3
    for key in ("d_loss_real", "d_loss_fake", "g_loss"):
        assert logs[0][0][key] == pytest.approx(logs[1][0][key], rel=1e-5, abs=1e-5)
    assert largest_difference(states(tmp_path / "two"), states(tmp_path / "one"))[0] < 1e-3
    assert sorted(p.name for p in (tmp_path / "two" / "samples").iterdir()) == ["step-00000003.png"]


def test_cross_replica_bn_sharded_evaluation_and_rank_agreement(tmp_path):
    result_path = tmp_path / "units.json"
    launch([str(WORKER), "units", str(result_path), config(tmp_path, 2)], processes=2)
    result = json.loads(result_path.read_text())
    assert result["world"] == 2
    # cross-replica BN over two halves == BN over the concatenated batch
    for key, value in result["bn"].items():
        assert value < 1e-5, (key, result["bn"])
    # evaluation shared by two ranks (uneven: batches 0, 2 and 1) == one process, metric for metric
    shared, alone = result["eval"]["shared"], result["eval"]["alone"]
    assert set(shared) == set(alone) == {"fid250", "kid250", "acc250", "ifid250"}
    for name in shared:
        a, b = shared[name], alone[name]
        a, b = (a["mean"], b["mean"]) if isinstance(a, dict) else (a, b)
        assert a == pytest.approx(b, rel=1e-9), name
    # every rank holds the same G, D and EMA (weights, spectral-norm u, BN statistics), synced BN or not
    assert result["agree_sync"] == 0.0 and result["agree_nosync"] == 0.0
