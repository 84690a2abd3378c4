"""Runs that survive cluster faults: torchrun's elastic restarts with --resume auto, and a frozen peer that
times out instead of hanging the job. Faults are forced at chosen points (GANFORGE_FAULT), 2 CPU processes, gloo."""
import json
import os
import signal
import subprocess
import sys

import pytest
import torch

from ganforge.checkpoint import checkpoints, latest_checkpoint, load_state

from .test_distributed import ROOT
from .training.test_reliability import same_training_state
from .conftest import free_port

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not torch.distributed.is_available() or not torch.distributed.is_gloo_available(),
                                 reason="this torch build has no gloo backend")]
TINY = """\
data: {resolution: 32, channels: 1}
model: {ch: 4, d_ch: 4, dim_z: 16, shared_dim: 8}
train: {steps: 8, batch_size: 8, ema_start: 2, ema_decay: 0.9, log_every: 1, sample_every: 0,
        checkpoint_every: CKPT, device: cpu, dist_timeout: 10}
"""


def environment(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                                                             "MASTER_PORT", "GANFORGE_FAULT")}
    return {**env, "OMP_NUM_THREADS": "1", **extra}


def torchrun(config, out, restarts: int = 0, **env) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
           f"--max-restarts={restarts}", "-m", "ganforge", "train", "--config", str(config), "--out", str(out),
           "--no-progress", "--resume", "auto"]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=environment(**env), timeout=600)


def write_config(tmp_path, checkpoint_every: int) -> str:
    path = tmp_path / f"tiny-{checkpoint_every}.yaml"
    path.write_text(TINY.replace("CKPT", str(checkpoint_every)))
    return str(path)


def test_elastic_restarts_resume_from_the_newest_checkpoint_and_match_an_uninterrupted_run(tmp_path):
    """SIGKILL of rank 1 after step 3, then of rank 0 halfway through writing step 5's checkpoint: torchrun
    restarts the group twice, each time the same command resumes, and the final state is bit-identical to an
    uninterrupted run (with two ranks, the all-reduce adds two numbers, which is exact in any order)."""
    config = write_config(tmp_path, 1)
    straight = torchrun(config, tmp_path / "straight")
    assert straight.returncode == 0, straight.stderr[-3000:]
    faults = (f"at=step,step=3,rank=1,once={tmp_path / 'fault-1'};"
              f"at=write,step=5,byte=4000,rank=0,once={tmp_path / 'fault-2'}")
    faulty = torchrun(config, tmp_path / "faulty", restarts=2, GANFORGE_FAULT=faults)
    assert faulty.returncode == 0, faulty.stderr[-3000:]
    assert "now at 8" in faulty.stdout and "Traceback" not in faulty.stderr
    assert "rank 0: rank 1 of 2 stopped answering" in faulty.stderr  # the survivor says who, in one line
    a, b = load_state(latest_checkpoint(tmp_path / "straight")), load_state(latest_checkpoint(tmp_path / "faulty"))
    assert a["step"] == b["step"] == 8 and same_training_state(a, b)  # bit for bit, optimizer moments too
    log = [json.loads(line) for line in (tmp_path / "faulty" / "log.jsonl").read_text().splitlines()]
    resumes = [r for r in log if r.get("event") == "resumed"]
    assert [(r["step"], r["from"], r["restart"]) for r in resumes] == [
        (3, "step-00000003.safetensors", 1), (4, "step-00000004.safetensors", 2)]
    assert [r["step"] for r in log if "event" not in r] == list(range(1, 9))


def test_a_frozen_peer_times_out_with_one_line_naming_it_and_no_checkpoint_from_a_partial_step(tmp_path):
    """Rank 1 freezes (SIGSTOP) after step 3; rank 0 is in step 4's all-reduce and gives up after
    train.dist_timeout (10 s): exit 2, one line naming rank 1, and the newest checkpoint is still step 2's."""
    config, out, port = write_config(tmp_path, 2), tmp_path / "run", free_port()
    procs = []
    for rank in (1, 0):
        env = environment(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), WORLD_SIZE="2", RANK=str(rank),
                          LOCAL_RANK=str(rank), GANFORGE_FAULT="at=step,step=3,rank=1,action=stop")
        procs.append(subprocess.Popen([sys.executable, "-m", "ganforge", "train", "--config", config, "--out",
                                       str(out), "--no-progress"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True))
    frozen, main = procs
    try:
        _, stderr = main.communicate(timeout=300)  # a hang would end here
    finally:
        frozen.send_signal(signal.SIGKILL)
        frozen.wait()
    lines = [line for line in stderr.splitlines() if line.startswith("ganforge train:")]
    assert main.returncode == 2 and len(lines) == 1, stderr[-3000:]
    assert lines[0].startswith("ganforge train: error: rank 0: rank 1 of 2 stopped answering"), lines
    assert "--resume auto" in lines[0] and "Traceback" not in stderr
    assert [p.name for p in checkpoints(out)] == ["step-00000002.safetensors"]
    assert load_state(checkpoints(out)[0])["step"] == 2
