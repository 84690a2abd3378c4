"""ProGAN: its layers, growth with fade-in, the schedule the loop consults, and resuming in the middle of a fade."""
import json
import math
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from ganforge import train
from ganforge.config import Config, ConfigError, load_preset
from ganforge.layers.equalized import EqualizedConv2d, EqualizedLinear, PixelNorm
from ganforge.models import build_discriminator, build_generator
from ganforge.checkpoint import latest_checkpoint, load_state
from ganforge.training.growth import Growth


def progan_config(steps: int = 12, resolution: int = 16) -> Config:
    cfg = Config()
    for key, value in {"data.resolution": resolution, "data.channels": 1, "model.name": "progan", "model.ch": 2,
                       "model.d_ch": 2, "model.dim_z": 8, "model.shared_dim": 4, "loss.name": "wasserstein",
                       "loss.gp": 10.0, "loss.drift": 0.001, "growth.stable": 16, "growth.fade": 16,
                       "growth.batch_sizes": [8, 8, 4][:resolution.bit_length() - 2], "train.steps": steps,
                       "train.batch_size": 8, "train.g_lr": 1e-3, "train.d_lr": 1e-3, "train.beta2": 0.99,
                       "train.ema_decay": 0.9, "train.log_every": 1, "train.sample_every": 0,
                       "train.checkpoint_every": 0}.items():
        cfg.set(key, value)
    return cfg


def test_pixelnorm_gives_unit_mean_square_per_pixel():
    x = torch.randn(2, 6, 3, 3) * 5
    out = PixelNorm()(x)
    assert torch.allclose(out.pow(2).mean(dim=1), torch.ones(2, 3, 3), atol=1e-5)


def test_equalized_learning_rate_scales_unit_weights_at_run_time():
    torch.manual_seed(0)
    conv = EqualizedConv2d(16, 32, 3)
    assert conv.scale == pytest.approx(math.sqrt(2) / math.sqrt(16 * 9))
    assert abs(conv.weight.std().item() - 1) < 0.05 and conv.bias.abs().sum() == 0
    x = torch.randn(2, 16, 5, 5)
    assert torch.allclose(conv(x), F.conv2d(x, conv.weight * conv.scale, conv.bias, padding=1), atol=1e-6)
    linear = EqualizedLinear(50, 4, gain=1.0)
    v = torch.randn(3, 50)
    assert torch.allclose(linear(v), v @ (linear.weight / math.sqrt(50)).t(), atol=1e-6)


def test_fade_in_schedule():
    cfg = progan_config(resolution=32)
    cfg.set("growth.stable", 100)
    cfg.set("growth.fade", 40)
    cfg.set("growth.batch_sizes", [])
    g = Growth(cfg, levels=4)
    assert g.stage(0) == (0, 1.0) and g.stage(99) == (0, 1.0)
    assert g.stage(100) == (1, 0.0) and g.stage(110) == (1, 0.25) and g.stage(140) == (1, 1.0)
    assert g.stage(239) == (1, 1.0) and g.stage(240) == (2, 0.0) and g.stage(260) == (2, 0.5)
    assert g.stage(g.total_images()) == (3, 1.0) and g.stage(10 ** 9) == (3, 1.0)


def test_each_level_can_have_its_own_stable_phase():
    cfg = progan_config(resolution=32)
    cfg.set("growth.stable_images", [100, 50, 20, 30])
    cfg.set("growth.fade", 40)
    g = Growth(cfg, levels=4)
    assert g.stage(99) == (0, 1.0) and g.stage(100) == (1, 0.0) and g.stage(120) == (1, 0.5)
    assert g.stage(189) == (1, 1.0) and g.stage(190) == (2, 0.0) and g.stage(249) == (2, 1.0)
    assert g.stage(250) == (3, 0.0) and g.stage(290) == (3, 1.0)
    assert g.total_images() == 100 + 40 + 50 + 40 + 20 + 40 + 30
    resumed = Growth(progan_config(resolution=32), levels=4)
    resumed.load_state_dict(g.state_dict())
    assert [resumed.stage(i) for i in range(0, 400, 7)] == [g.stage(i) for i in range(0, 400, 7)]
    resumed.load_state_dict({"stable": 100, "fade": 40})  # a checkpoint from before per-level phases
    assert resumed.stables == [100] * 4 and resumed.stage(240) == (2, 0.0)


def test_per_level_stable_phases_are_checked():
    cfg = progan_config(resolution=32)
    cfg.set("growth.batch_sizes", [])
    cfg.set("growth.stable_images", [100, 50, 20])
    with pytest.raises(ConfigError, match="growth.stable_images has 3 entries.*4 levels"):
        cfg.validate()
    cfg.set("growth.stable_images", [100, 50, 20, 30])
    with pytest.raises(ConfigError, match="growth.stable=16 and growth.stable_images"):
        cfg.validate()
    cfg.set("growth.stable", 0)
    cfg.set("growth.fade", -1)
    with pytest.raises(ConfigError, match="set growth.fade"):
        cfg.validate()
    cfg.set("growth.fade", 40)
    cfg.validate()


def test_steps_into_a_level_count_from_its_fade_in():
    from types import SimpleNamespace
    cfg = progan_config(resolution=32)
    cfg.set("growth.stable_images", [100, 50, 20, 30])
    cfg.set("growth.fade", 40)
    g = Growth(cfg, levels=4)
    g.level = 0
    assert g.steps_into_level(SimpleNamespace(images_seen=96, images_per_step=8)) == 12
    g.level = 2  # begins after 100 + 40 + 50 images
    assert g.steps_into_level(SimpleNamespace(images_seen=190 + 12, images_per_step=4)) == 3


def test_an_automatic_schedule_shares_the_steps_among_phases_of_any_batch_size():
    cfg = progan_config(resolution=32, steps=700)
    cfg.set("growth.stable", 0)
    cfg.set("growth.fade", -1)
    cfg.set("growth.batch_sizes", [64, 64, 32, 32])
    g = Growth(cfg, levels=4)
    # 7 phases of equal images; the two 32-image levels take twice the steps: 700 = stable · (1 + 2 + 4 + 4) / 64
    assert g.stables == [g.fade] * 4 and g.fade == 700 * 64 // 11
    steps, images = 0, 0
    while g.stage(images) != (3, 1.0) or images < g.total_images():
        images += g.batch_sizes[g.stage(images)[0]]
        steps += 1
    assert abs(steps - 700) <= 2  # the last level's stable phase ends with the run


@pytest.mark.parametrize("level", [0, 1, 2])
def test_generator_and_discriminator_at_every_level(level):
    cfg = progan_config()
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    G, D = build_generator(cfg), build_discriminator(cfg)
    for m in (G, D):
        m.set_stage(level, 0.5 if level else 1.0)
    x = G(torch.randn(4, 8), torch.arange(4))
    assert x.shape == (4, 1, 16, 16)
    k = 16 // (4 << level)  # nearest-upsampled from the level's resolution: constant k×k blocks
    assert torch.equal(x, F.interpolate(x[:, :, ::k, ::k], scale_factor=float(k), mode="nearest"))
    D(x, torch.arange(4)).sum().backward()
    assert G.to_rgb[level].weight.grad is not None and D.from_rgb[level][0].weight.grad is not None


def test_reals_are_blended_like_the_generator_output():
    cfg = progan_config()
    g = Growth(cfg, levels=3)
    x = torch.rand(2, 1, 16, 16)
    g.level, g.alpha = 1, 0.0  # 8 px, just starting to fade in: exactly the 4 px image
    four = F.interpolate(F.avg_pool2d(x, 4), scale_factor=4.0, mode="nearest")
    assert torch.allclose(g.prepare_reals(x), four, atol=1e-6)
    g.alpha = 1.0
    assert torch.allclose(g.prepare_reals(x), F.interpolate(F.avg_pool2d(x, 2), scale_factor=2.0), atol=1e-6)


def test_growing_switches_batch_size_and_resets_adam(tmp_path):
    cfg = progan_config(steps=5)
    summary = train(cfg, tmp_path / "run", show_progress=False, notify=lambda m: None)
    assert summary["steps"] == 5
    state = load_state(latest_checkpoint(tmp_path / "run"))
    # steps of 8 images: 2 at level 0, 2 fading in level 1, 1 stable at level 1
    assert state["images_seen"] == 40 and state["G"]["stage"].tolist() == [1, 1_000_000]
    assert state["stream"]["batch_size"] == 8
    # Adam was reset on entering level 1: its step count restarted there (3 steps at level 1, not 5)
    assert max(s["step"].item() for s in state["opt_G"]["state"].values()) == 3
    sheets = sorted(p.name for p in (tmp_path / "run" / "samples").iterdir())
    assert sheets == ["step-00000003.png", "step-00000005.png"]  # level 1 starting (α = 0: the 4 px image), the end


@pytest.mark.parametrize("warmup", [False, True])
def test_resume_in_the_middle_of_a_fade_continues_exactly(tmp_path, warmup):
    def config(steps):
        cfg = progan_config(steps=steps)
        cfg.set("train.ema_warmup", warmup)  # the EMA's warm-up restarts at each level: it must resume with it
        return cfg
    straight = config(10)  # level 2 fades in from image 48 (step 7) with batch 4, for 4 steps
    train(straight, tmp_path / "straight", show_progress=False, notify=lambda m: None)
    train(config(8), tmp_path / "resumed", show_progress=False, notify=lambda m: None)
    mid = load_state(latest_checkpoint(tmp_path / "resumed"))
    assert mid["G"]["stage"][0] == 2 and 0 < mid["G"]["stage"][1] < 1_000_000  # stopped mid-fade
    train(config(10), tmp_path / "resumed", resume=True, show_progress=False, notify=lambda m: None)
    a, b = load_state(latest_checkpoint(tmp_path / "straight")), load_state(latest_checkpoint(tmp_path / "resumed"))
    for part in ("G", "D", "G_ema"):
        for key in a[part]:
            assert torch.equal(a[part][key], b[part][key]), (part, key)
    assert a["images_seen"] == b["images_seen"] and a["stream"] == b["stream"]


def test_growth_lists_must_match_the_levels():
    cfg = progan_config()
    cfg.set("growth.batch_sizes", [8, 8])
    with pytest.raises(ConfigError, match="3 levels"):
        cfg.validate()


def test_preset_trains_and_samples_from_the_cli(tmp_path):
    cfg = load_preset("progan-fashion32").validate()
    assert cfg.model.name == "progan" and cfg.loss.name == "rpgan" and len(cfg.growth.batch_sizes) == 4
    run = tmp_path / "pg"
    small = ["--set", "growth.stable=64", "--set", "growth.fade=64", "--set", "train.steps=3", "--set",
             "growth.batch_sizes=[32,32,16,16]", "--set", "model.ch=1", "--set", "model.d_ch=1"]
    done = subprocess.run([sys.executable, "-m", "ganforge", "train", "--preset", "progan-fashion32", "--out",
                           str(run), "--no-progress", "--device", "cpu", *small], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((run / "log.jsonl").read_text().splitlines()[-1])["d_r1"] >= 0
    out = tmp_path / "dress.png"
    sample = subprocess.run([sys.executable, "-m", "ganforge", "sample", str(run), "--class", "Dress", "--n", "4",
                             "--out", str(out)], capture_output=True, text=True)
    assert sample.returncode == 0 and out.stat().st_size > 0, sample.stderr
