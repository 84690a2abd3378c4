"""Runs are safe: SIGKILL at any point of a step or a checkpoint write loses nothing (forced at chosen points by
GANFORGE_FAULT, so every machine tests the same cases; tools/sigkill_soak.py kills at random moments),
SIGTERM/SIGINT checkpoint and exit, damaged checkpoints are skipped, divergence never reaches a checkpoint, disks
that are full are detected."""
import errno
import os
import signal
import subprocess
import sys

import pytest
import torch
import yaml

from ganforge import train
from ganforge.errors import GanforgeError
from ganforge import checkpoint as ckpt_module
from ganforge.training import guard
from ganforge.checkpoint import checkpoints, latest_checkpoint, load_state, save_state
from ganforge.training.loop import Trainer

from ..conftest import tiny_train_config

KILL_STEPS = 40


def kill_config(steps=KILL_STEPS):
    cfg = tiny_train_config(steps=steps, checkpoint_every=1, keep_checkpoints=2)
    cfg.data.hflip = True
    return cfg


def launch(cfg_path, out, resume, fault=""):
    args = [sys.executable, "-m", "ganforge", "train", "--config", cfg_path, "--out", out, "--no-progress"]
    env = {**os.environ, "GANFORGE_FAULT": fault}
    return subprocess.Popen(args + (["--resume"] if resume else []), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def same_training_state(a: dict, b: dict) -> bool:
    for part in ("G", "D", "G_ema"):
        if a[part].keys() != b[part].keys() or not all(torch.equal(a[part][k], b[part][k]) for k in a[part]):
            return False
    for opt in ("opt_G", "opt_D"):
        for idx, moments in a[opt]["state"].items():
            if not all(torch.equal(v, b[opt]["state"][idx][k]) for k, v in moments.items()):
                return False
    return a["step"] == b["step"] and a["stream"] == b["stream"] and torch.equal(a["rng"]["train"], b["rng"]["train"])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "run"
    train(kill_config(), out, show_progress=False)
    return {"state": load_state(latest_checkpoint(out)), "path": latest_checkpoint(out)}


def fault_points(size: int) -> list[str]:
    """A SIGKILL at each point of a run where a crash could leave something behind, every third step."""
    points = ["at=step,step=5", "at=write,step=8,byte=0", "at=write,step=11,byte=7",  # inside the header length
              f"at=write,step=14,byte={size // 2}", f"at=write,step=17,byte={size - 1}", "at=rename,step=20",
              "at=latest,step=23", "at=prune,step=26", "at=step,step=29"]
    return points


@pytest.mark.slow
def test_sigkill_at_every_crash_point_then_resume_is_bit_identical(tmp_path, reference):
    """The same command (--resume auto) restarted after each forced SIGKILL, as torchrun or a requeued job
    would, ends in exactly the uninterrupted run's state."""
    cfg_path, out = tmp_path / "cfg.yaml", tmp_path / "run"
    cfg_path.write_text(kill_config().to_yaml())
    points = fault_points(os.path.getsize(reference["path"]))
    faults = ";".join(f"{p},once={tmp_path / f'fired-{i}'}" for i, p in enumerate(points))
    env = {**os.environ, "GANFORGE_FAULT": faults}
    args = [sys.executable, "-m", "ganforge", "train", "--config", str(cfg_path), "--out", str(out), "--no-progress",
            "--resume", "auto"]
    for i, point in enumerate(points):
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == -signal.SIGKILL, (point, proc.returncode, proc.stderr[-2000:])
        step = int(point.split("step=")[1].split(",")[0])
        temporaries = list((out / "checkpoints").glob(".step-*.tmp"))
        named = lambda s: f"step-{s:08d}.safetensors"  # noqa: E731
        if point.startswith("at=write"):  # the file a killed writer leaves, cut where asked
            byte = int(point.split("byte=")[1])
            assert len(temporaries) == 1 and temporaries[0].stat().st_size <= byte, point
            assert byte > 100 or temporaries[0].stat().st_size == byte
            with pytest.raises(GanforgeError):
                load_state(temporaries[0])
        elif point.startswith("at=rename"):  # complete, never renamed into place
            assert len(temporaries) == 1 and load_state(temporaries[0])["step"] == step
        else:
            assert not temporaries
        newest = named(step) if point.startswith(("at=latest", "at=prune")) else named(step - 1)
        assert latest_checkpoint(out).name == newest, point
        if point.startswith("at=latest"):
            assert (out / "checkpoints" / "latest").read_text().strip() == named(step - 1)
        if point.startswith("at=prune"):
            assert len(checkpoints(out)) == 3
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and f"now at {KILL_STEPS}" in proc.stdout, proc.stderr[-2000:]
    final = load_state(latest_checkpoint(out))
    assert same_training_state(final, reference["state"])
    assert not list((out / "checkpoints").glob(".*.tmp"))
    records = [yaml.safe_load(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records if "event" not in r] == list(range(1, KILL_STEPS + 1))  # each step once
    assert len([r for r in records if r.get("event") == "resumed"]) == len(points)


def test_training_pins_the_thread_count_so_runs_repeat(tmp_path, monkeypatch):
    """Until torch.set_num_threads is called MKL may resize its team from call to call, and a resumed process
    would then sum differently from the first: train() pins the count, the configured one or torch's own."""
    calls = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    for threads in (0, 1):
        cfg = kill_config(steps=1)
        cfg.train.threads = threads
        train(cfg, tmp_path / f"run{threads}", show_progress=False)
    assert calls == [torch.get_num_threads(), 1]


def test_two_runs_with_two_threads_repeat_bit_for_bit(tmp_path):
    """The demo preset's model at its own sizes (tiny configs stay under torch's grain size, where no op runs in
    parallel and any summation order is fixed): two identical runs with two threads end on the same state."""
    from ganforge.config import load_preset
    states = []
    for k in range(2):
        cfg = load_preset("fashion32-cpu")
        for key, value in {"train.steps": 4, "train.threads": 2, "train.precision": "fp32", "train.sample_every": 0,
                           "train.checkpoint_every": 0, "data.hflip": True}.items():
            cfg.set(key, value)
        train(cfg, tmp_path / f"run{k}", show_progress=False)
        states.append(load_state(latest_checkpoint(tmp_path / f"run{k}")))
    assert same_training_state(*states)


def test_sigkill_and_resume_with_two_threads_at_the_demo_sizes_end_on_the_uninterrupted_state(tmp_path):
    """At the demo's own sizes (where kernels do run in parallel), two SIGKILLs and --resume auto with two threads
    end bit for bit on the uninterrupted run's state."""
    from ganforge.config import load_preset
    cfg = load_preset("fashion32-cpu")
    for key, value in {"train.steps": 6, "train.threads": 2, "train.precision": "fp32", "train.sample_every": 0,
                       "train.checkpoint_every": 1, "train.keep_checkpoints": 2, "train.log_every": 1}.items():
        cfg.set(key, value)
    cfg_path = tmp_path / "demo.yaml"
    cfg_path.write_text(cfg.to_yaml())
    train(cfg, tmp_path / "whole", show_progress=False)
    faults = ";".join(f"at=step,step={s},once={tmp_path / f'fired-{s}'}" for s in (2, 4))
    args = [sys.executable, "-m", "ganforge", "train", "--config", str(cfg_path), "--out", str(tmp_path / "killed"),
            "--no-progress", "--resume", "auto"]
    codes = [subprocess.run(args, env={**os.environ, "GANFORGE_FAULT": faults}, capture_output=True,
                            timeout=300).returncode for _ in range(3)]
    assert codes == [-signal.SIGKILL, -signal.SIGKILL, 0]
    assert same_training_state(load_state(latest_checkpoint(tmp_path / "killed")),
                               load_state(latest_checkpoint(tmp_path / "whole")))


def test_fault_specifications_are_checked():
    from ganforge import faults
    assert faults.parse("at=write,step=3,byte=10,rank=1,action=stop;at=step,step=1") == [
        {"at": "write", "step": 3, "byte": 10, "rank": 1, "action": "stop"}, {"at": "step", "step": 1}]
    for bad in ("at=later,step=1", "at=step", "at=step,step=x", "at=step,step=1,colour=red", "step"):
        with pytest.raises(GanforgeError, match="GANFORGE_FAULT"):
            faults.parse(bad)


@pytest.mark.slow
@pytest.mark.parametrize("action,signum,code", [("term", signal.SIGTERM, 143), ("int", signal.SIGINT, 130)])
def test_sigterm_and_sigint_checkpoint_and_exit_cleanly(tmp_path, reference, action, signum, code):
    """The signal arrives during step 5 (sent by the process itself at that point, so on any machine)."""
    cfg = kill_config()
    cfg.train.checkpoint_every = 1000  # only the signal makes a checkpoint mid-run
    cfg_path, out = tmp_path / "cfg.yaml", tmp_path / "run"
    cfg_path.write_text(cfg.to_yaml())
    proc = launch(cfg_path, out, resume=False, fault=f"at=step,step=5,action={action}")
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code
    assert f"stopped by signal {int(signum)} at step 5" in stderr and "Traceback" not in stderr
    assert load_state(latest_checkpoint(out))["step"] == 5
    proc = launch(cfg_path, out, resume=True)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert same_training_state(load_state(latest_checkpoint(out)), reference["state"])


def test_damaged_checkpoints_are_skipped_with_the_reason(tmp_path, reference):
    out = tmp_path / "run"
    cfg = kill_config(steps=10)
    cfg.train.keep_checkpoints = 3
    train(cfg, out, show_progress=False)
    newest, second, third = checkpoints(out)
    newest.write_bytes(newest.read_bytes()[:1000])  # truncated
    data = bytearray(second.read_bytes())
    data[-10] ^= 0xFF  # one flipped bit in a tensor
    second.write_bytes(bytes(data))
    (out / "checkpoints" / ".step-00000011.safetensors.x1.tmp").write_bytes(b"half")  # a killed write
    notes = []
    cfg.train.steps = KILL_STEPS
    summary = train(cfg, out, resume=True, show_progress=False, notify=notes.append)
    assert summary["resumed_from"].endswith("step-00000008.safetensors")
    assert "not a readable checkpoint" in notes[0] and newest.name in notes[0]
    assert "checksum mismatch" in notes[1] and second.name in notes[1]
    assert same_training_state(load_state(latest_checkpoint(out)), reference["state"])


def test_newer_checkpoint_format_is_a_clear_error(tmp_path):
    path = tmp_path / "c.safetensors"
    save_state(path, {"x": torch.ones(1)})
    from safetensors import safe_open
    from safetensors.torch import save_file
    with safe_open(str(path), framework="pt") as f:
        meta, x = f.metadata(), f.get_tensor("x")
    save_file({"x": x}, str(path), metadata={**meta, "version": "99"})
    with pytest.raises(GanforgeError, match="written by a newer ganforge .*format 99"):
        load_state(path)


def corrupt_after(monkeypatch, calls: int, once: bool):
    """Make the G update write NaN into G's output layer on the given call (once, or from then on)."""
    original, count = Trainer.g_step, {"n": 0}

    def g_step(self):
        stats = original(self)
        count["n"] += 1
        if count["n"] == calls or (not once and count["n"] > calls):
            with torch.no_grad():
                self.G.output_conv.weight.fill_(float("nan"))
        return stats

    monkeypatch.setattr(Trainer, "g_step", g_step)


def test_divergence_stops_the_run_and_never_reaches_a_checkpoint(tmp_path, monkeypatch):
    corrupt_after(monkeypatch, calls=5, once=False)
    out = tmp_path / "run"
    with pytest.raises(guard.Diverged, match="diverged at step 5: G weights became NaN.*step-00000004"):
        train(tiny_train_config(steps=10, checkpoint_every=2), out, show_progress=False)
    saved = checkpoints(out)
    assert [p.name for p in saved] == ["step-00000004.safetensors", "step-00000002.safetensors"]
    for p in saved:
        state = load_state(p)
        assert all(torch.isfinite(v).all() for v in state["G"].values())
    events = [yaml.safe_load(line) for line in (out / "log.jsonl").read_text().splitlines()]
    assert events[-1] == {"step": 5, "event": "diverged", "non_finite": ["G weights"]}


def test_divergence_rollback_lowers_learning_rates_and_finishes(tmp_path, monkeypatch):
    corrupt_after(monkeypatch, calls=5, once=True)
    cfg = tiny_train_config(steps=8, checkpoint_every=2, on_divergence="rollback", rollback_lr_factor=0.5)
    notes = []
    summary = train(cfg, tmp_path / "run", show_progress=False, notify=notes.append)
    assert summary["rollbacks"] == 1 and summary["steps"] == 8
    assert "rolled back to step-00000004.safetensors" in notes[0]
    state = load_state(latest_checkpoint(tmp_path / "run"))
    assert state["opt_G"]["param_groups"][0]["lr"] == pytest.approx(cfg.train.g_lr * 0.5)
    assert all(torch.isfinite(v).all() for v in state["G"].values())


def test_full_disk_is_detected_before_training_and_nothing_is_deleted(tmp_path, monkeypatch):
    out = tmp_path / "run"
    train(tiny_train_config(steps=1), out, show_progress=False)
    before = sorted(os.listdir(out / "checkpoints"))
    usage = guard.shutil.disk_usage(tmp_path)
    monkeypatch.setattr(guard.shutil, "disk_usage", lambda p: usage._replace(free=10_000))
    with pytest.raises(GanforgeError, match="not enough free space"):
        train(tiny_train_config(steps=1), out, force=True, show_progress=False)
    assert sorted(os.listdir(out / "checkpoints")) == before


def test_disk_full_during_a_checkpoint_keeps_the_previous_one(tmp_path, monkeypatch):
    real, calls = ckpt_module.save_file, {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(ckpt_module, "save_file", failing)
    out = tmp_path / "run"
    with pytest.raises(GanforgeError, match="cannot write the checkpoint for step 4 .*No space left on device.*"
                                            "step-00000002.safetensors is intact"):
        train(tiny_train_config(steps=6, checkpoint_every=2), out, show_progress=False)
    assert [p.name for p in checkpoints(out)] == ["step-00000002.safetensors"]
    assert load_state(checkpoints(out)[0])["step"] == 2
    assert not list((out / "checkpoints").glob(".*.tmp"))


def test_unwritable_output_is_detected(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(GanforgeError, match="cannot write to the output directory"):
        train(tiny_train_config(steps=1), tmp_path / "file" / "run", show_progress=False)
    with pytest.raises(GanforgeError, match="is a file, not a directory"):
        train(tiny_train_config(steps=1), tmp_path / "file", show_progress=False)
