import subprocess
import sys

import pytest
from PIL import Image

TINY = ["--set", "model.ch=4", "--set", "model.d_ch=4", "--set", "model.dim_z=16", "--set", "model.shared_dim=8",
        "--set", "train.batch_size=8", "--set", "train.steps=2", "--set", "train.sample_every=0"]


def ganforge(*args, ok=True):
    proc = subprocess.run([sys.executable, "-m", "ganforge", *map(str, args)], capture_output=True, text=True)
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_train_sample_interpolate_export_end_to_end(tmp_path):
    run = tmp_path / "demo"
    out = ganforge("train", "--preset", "fashion32-cpu", "--out", run, "--no-progress", *TINY)
    assert "trained 2 steps" in out.stdout
    more = ganforge("train", "--preset", "fashion32-cpu", "--out", run, "--resume", "--no-progress", *TINY[:-4],
                    "--set", "train.steps=3", "--set", "train.sample_every=0")
    assert "trained 1 steps (now at 3)" in more.stdout
    ganforge("sample", run, "--class", "Sneaker", "--n", 9, "--truncation", 0.5, "--seed", 1,
             "--out", tmp_path / "s.png")
    img = Image.open(tmp_path / "s.png")
    assert img.size == (3 * 96 + 4 * 2, 3 * 96 + 4 * 2)  # 3x3 grid of 32 px images shown at 3x, 2-px gaps
    ganforge("sample", run, "--class", "all", "--n", 20, "--out", tmp_path / "all.png")
    ganforge("interpolate", run, "--from-class", 0, "--to-class", 7, "--steps", 5, "--out", tmp_path / "i.png")
    assert Image.open(tmp_path / "i.png").width > 5 * 96
    ganforge("export", run, "--out", tmp_path / "exp")
    ganforge("sample", tmp_path / "exp", "--class", "Bag", "--n", 2, "--out", tmp_path / "bag.png")


def test_dry_run_prints_config_and_parameter_counts(tmp_path):
    out = ganforge("train", "--preset", "fashion32-cpu", "--dry-run", *TINY)
    assert "# G: " in out.stdout and "# D: " in out.stdout and "resolution: 32" in out.stdout
    assert "10,000 training images" in out.stdout
    big = ganforge("train", "--preset", "imagenet128-biggan", "--data", tmp_path / "none", "--dry-run")
    assert "# G: 70,433,988 parameters" in big.stdout and "data: not checked" in big.stdout
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("args,message", [
    (["train", "--preset", "nope", "--out", "{tmp}/r"], "unknown preset 'nope'"),
    (["train", "--preset", "fashion32-cpu", "--out", "{tmp}/r", "--set", "train.stepz=1"], "unknown key"),
    (["train", "--data", "{tmp}/missing", "--out", "{tmp}/r"], "does not exist"),
    (["train", "--data", "{tmp}/emptyfolder", "--out", "{tmp}/r"], "no class sub-folders"),
    (["sample", "{tmp}/emptyfolder", "--out", "{tmp}/x.png"], "holds no model"),
    (["sample", "{tmp}", "--out", "{tmp}/x.txt"], "expected a .png"),
])
def test_bad_input_is_one_clear_line_without_traceback(tmp_path, args, message):
    (tmp_path / "emptyfolder").mkdir()
    proc = ganforge(*[a.format(tmp=tmp_path) for a in args], ok=False)
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
