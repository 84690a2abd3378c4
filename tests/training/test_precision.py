"""Mixed precision: bf16 and fp16 (with gradient scaling) train finitely and close to fp32; σ stays fp32."""
import json

import pytest
import torch

from ganforge import train
from ganforge.layers import SNConv2d
from ganforge.checkpoint import latest_checkpoint, load_state

from ..conftest import tiny_train_config


def losses(tmp_path, name, precision, steps=6):
    # small learning rates keep the two trajectories within bf16's rounding of each other (a tiny GAN at full
    # learning rate amplifies any difference within a few steps)
    cfg = tiny_train_config(steps=steps, precision=precision, g_lr=1e-5, d_lr=1e-5)
    train(cfg, tmp_path / name, show_progress=False, notify=lambda m: None)
    return [json.loads(r) for r in (tmp_path / name / "log.jsonl").read_text().splitlines()], cfg


def test_bf16_training_is_finite_and_close_to_fp32(tmp_path):
    fp32, _ = losses(tmp_path, "fp32", "fp32")
    bf16, _ = losses(tmp_path, "bf16", "bf16")
    for a, b in zip(fp32, bf16):
        for key in ("d_loss_real", "d_loss_fake", "g_loss"):
            assert isinstance(b[key], float) and abs(a[key] - b[key]) < 0.03 * max(1.0, abs(a[key])), (key, a, b)
    assert any(a["g_loss"] != b["g_loss"] for a, b in zip(fp32, bf16))  # bf16 really ran


def test_fp16_uses_gradient_scaling_and_resumes_its_scale(tmp_path):
    rows, cfg = losses(tmp_path, "fp16", "fp16", steps=3)
    assert all(isinstance(r["g_loss"], float) for r in rows)
    state = load_state(latest_checkpoint(tmp_path / "fp16"))
    assert set(state["scalers"]) == {"G", "D"} and state["scalers"]["G"]["scale"] > 0
    cfg.train.steps = 5
    train(cfg, tmp_path / "fp16", resume=True, show_progress=False, notify=lambda m: None)
    assert load_state(latest_checkpoint(tmp_path / "fp16"))["step"] == 5


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_spectral_norm_power_iteration_stays_fp32_under_autocast(dtype):
    torch.manual_seed(0)
    a = SNConv2d(8, 16, 3, padding=1)
    b = SNConv2d(8, 16, 3, padding=1)
    b.load_state_dict(a.state_dict())
    x = torch.randn(2, 8, 6, 6)
    a(x)
    with torch.autocast("cpu", dtype=dtype):
        b(x)
    assert b.u.dtype == torch.float32 and b.sigma.dtype == torch.float32
    assert torch.equal(a.u, b.u) and torch.equal(a.sigma, b.sigma)


def test_bench_train_prints_every_variant_with_its_ratio_to_the_first():
    import subprocess
    import sys
    proc = subprocess.run([sys.executable, "-m", "ganforge", "bench", "train", "--preset", "fashion32-cpu",
                           "--set", "model.ch=4", "--set", "model.d_ch=4", "--set", "train.batch_size=8",
                           "--precision", "fp32,bf16", "--channels-last", "--steps", "1", "--device", "cpu"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    table = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[0] for row in table] == ["| variant", "| fp32 NCHW", "| bf16 NCHW",
                                                     "| fp32 channels-last", "| bf16 channels-last"]
    assert table[1].endswith("| 1.00× |") and "GFLOP/s" in table[0]
    bad = subprocess.run([sys.executable, "-m", "ganforge", "bench", "train", "--precision", "fp8"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "fp8" in bad.stderr and "Traceback" not in bad.stderr


def test_auto_precision_follows_the_hardware(tmp_path, monkeypatch):
    from ganforge import device as device_module
    from ganforge.device import resolve_precision
    cpu = torch.device("cpu")
    assert resolve_precision("auto", cpu, flags={"avx2", "avx512f", "avx512_bf16"})[0] == "bf16"
    assert resolve_precision("auto", cpu, flags={"avx2", "amx_bf16"})[0] == "bf16"
    chosen, why = resolve_precision("auto", cpu, flags={"avx2", "avx512f"})
    assert chosen == "fp32" and "no bf16 units" in why
    assert resolve_precision("fp16", cpu) == ("fp16", "as asked")
    # a run started with auto stores what was chosen, and keeps it when resumed where auto would choose otherwise
    monkeypatch.setattr(device_module, "cpu_flags", lambda: {"avx2"})
    notes = []
    cfg = tiny_train_config(steps=1, precision="auto")
    train(cfg, tmp_path / "run", show_progress=False, notify=notes.append)
    assert notes[0].startswith("precision auto: fp32 (this CPU has no bf16 units")
    saved = (tmp_path / "run" / "config.yaml").read_text()
    assert "precision: fp32" in saved and "precision: auto" not in saved
    monkeypatch.setattr(device_module, "cpu_flags", lambda: {"amx_bf16"})
    cfg.train.steps = 2
    summary = train(cfg, tmp_path / "run", resume=True, show_progress=False, notify=notes.append)
    assert summary["trained_steps"] == 1 and "precision: fp32" in (tmp_path / "run" / "config.yaml").read_text()


def test_sampling_precision_is_chosen_at_load(tmp_path):
    from ganforge import load
    from ganforge.cli import main
    train(tiny_train_config(steps=1), tmp_path / "run", show_progress=False, notify=lambda m: None)
    fp32, bf16 = load(tmp_path / "run"), load(tmp_path / "run", precision="bf16")
    assert fp32.sample_precision == "fp32" and bf16.sample_precision == "bf16"
    a, b = fp32.sample(n=4, seed=3), bf16.sample(n=4, seed=3)
    assert a.dtype == b.dtype == torch.float32 and not torch.equal(a, b)
    assert (a - b).abs().max() < 0.1  # bf16 keeps ~3 significant digits
    assert load(tmp_path / "run", precision="auto").sample_precision in ("fp32", "bf16")
    with pytest.raises(SystemExit):
        main(["sample", str(tmp_path / "run"), "--out", str(tmp_path / "x.png"), "--precision", "fp8"])
