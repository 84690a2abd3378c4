"""The automatic recipe for a run started without a preset: sized from the data and the device, every choice
said and stored, and a key given on the command line left alone."""
import numpy as np
import pytest
import torch
import yaml
from PIL import Image

from ganforge.checkpoint import latest_checkpoint, load_state
from ganforge.cli import main
from ganforge.config import Config
from ganforge.data import probe
from ganforge.training import recipe
from ganforge.training.recipe import auto_config, ema_for, nearest_power_of_two


def _folder(root, size, mode="RGB", classes=("cat", "dog", "owl"), per_class=4):
    rng = np.random.default_rng(0)
    shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
    for c in classes:
        (root / c).mkdir(parents=True)
        for i in range(per_class):
            Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(root / c / f"{i}.png")
    return root


def _auto(source, given=(), device="cpu", **values):
    cfg = Config()
    cfg.set("data.source", str(source))
    for key, value in values.items():
        cfg.set(key.replace("__", "."), value)
    notes = []
    out = auto_config(cfg, {"data.source", *given}, torch.device(device), notes.append, time_steps=False)
    return out, notes


def test_sizes_and_modes_come_from_the_images(tmp_path):
    colour = _folder(tmp_path / "colour", (60, 50))
    facts = probe(str(colour), "folder")
    assert (facts.count, facts.classes, facts.channels, facts.size) == (12, 3, 3, 60)
    cfg, notes = _auto(colour)
    assert (cfg.data.channels, cfg.data.resolution) == (3, 64)
    assert any("data.resolution = 64 (images about 60 px" in n for n in notes)
    grey, _ = _auto(_folder(tmp_path / "grey", (20, 20), "L"))
    assert (grey.data.channels, grey.data.resolution) == (1, 16)
    big, notes = _auto(_folder(tmp_path / "big", (300, 200)))
    assert big.data.resolution == 128 and any("capped at 128 px on a CPU" in n for n in notes)
    assert cfg.model.mbstd_by_class and any(n.startswith("model.mbstd_by_class = True") for n in notes)
    one_class, _ = _auto(_folder(tmp_path / "one", (32, 32), classes=("only",)))
    assert not one_class.model.mbstd_by_class  # one class: no spread inside classes to compare


def test_ema_follows_the_run_and_small_data_gets_adaptive_augmentation(tmp_path):
    cfg, _ = _auto(_folder(tmp_path / "d", (32, 32)))
    decay, start = ema_for(cfg.train.steps)
    assert (cfg.train.ema_decay, cfg.train.ema_start) == (decay, start)
    assert cfg.train.ema_decay ** (cfg.train.steps / 20) == pytest.approx(0.5, rel=1e-3)  # half-life: 5 % of the run
    assert 1 / (1 - cfg.train.ema_decay) < cfg.train.steps  # the horizon is shorter than the run
    assert cfg.augment.diffaugment == "translation,color" and cfg.augment.ada_target == 0.6 and cfg.augment.p == 0
    assert cfg.augment.ada_images == cfg.train.steps * cfg.train.batch_size // 2
    embedded, notes = _auto("fashion-mnist")
    assert embedded.augment.diffaugment == "" and (embedded.data.channels, embedded.data.resolution) == (1, 32)


def test_given_keys_are_left_alone(tmp_path):
    cfg, notes = _auto(_folder(tmp_path / "d", (60, 60)), given={"data.resolution", "train.ema_decay",
                                                                  "augment.diffaugment"},
                       data__resolution=32, train__ema_decay=0.5)
    assert cfg.data.resolution == 32 and cfg.train.ema_decay == 0.5 and cfg.augment.diffaugment == ""
    assert not any(n.startswith(("data.resolution", "train.ema_decay")) for n in notes)


def test_gpu_scale(tmp_path, monkeypatch):
    monkeypatch.setattr(recipe, "resolve_precision", lambda asked, device: ("bf16", "test"))
    cfg, _ = _auto(_folder(tmp_path / "d", (300, 300)), device="cuda")
    assert cfg.data.resolution == 256 and (cfg.model.ch, cfg.train.steps) == (64, 100_000)
    assert cfg.train.batch_size == 12  # BigGAN-PyTorch's 64, but no more than the images
    assert not cfg.model.mbstd_by_class  # the paper's D on a GPU


def test_the_command_line_sizes_a_run_says_why_and_resumes_with_it(tmp_path, capsys):
    data = _folder(tmp_path / "d", (60, 60))
    run = tmp_path / "run"
    args = ["train", "--data", str(data), "--out", str(run), "--no-progress", "--set", "train.steps=2",
            "--set", "train.sample_every=0", "--set", "train.checkpoint_every=1"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "automatic recipe" in err and "estimated training time" in err and "data.channels = 3" in err
    saved = yaml.safe_load((run / "config.yaml").read_text())
    assert saved["data"]["channels"] == 3 and saved["data"]["resolution"] == 64 and saved["train"]["steps"] == 2
    assert saved["augment"]["ada_target"] == 0.6
    assert main(args[:-4] + ["--set", "train.steps=3", "--set", "train.sample_every=0", "--resume"]) == 0
    assert "automatic recipe" not in capsys.readouterr().err  # the run continues with what it chose
    assert load_state(latest_checkpoint(run))["step"] == 3
