"""TensorBoard logging from the loop and ``ganforge plot``."""
import json
import subprocess
import sys

import pytest
from PIL import Image

from ganforge import train
from ganforge.errors import GanforgeError
from ganforge.metrics.features import register_extractor
from ganforge.viz.run_plots import plot_run, smooth

from ..conftest import tiny_train_config
from ..metrics.test_evaluator import PixelExtractor

register_extractor("pixels", lambda arg, **kw: PixelExtractor())  # cheap features for in-training evaluation


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "ganforge", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    pytest.importorskip("tensorboard", reason="the tensorboard extra is not installed")
    cfg = tiny_train_config(steps=6, sample_every=3, tensorboard=True)
    for key, value in {"every": 3, "metrics": ["fid"], "n": 40, "extractor": "pixels"}.items():
        cfg.set(f"eval.{key}", value)
    out = tmp_path_factory.mktemp("monitor") / "run"
    train(cfg, out, show_progress=False, notify=lambda m: None)
    return out


def test_tensorboard_gets_losses_learning_rates_metrics_and_sheets(run):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"images": 0, "scalars": 0}).Reload()
    tags = events.Tags()
    for tag in ("train/d_loss_real", "train/d_loss_fake", "train/g_loss", "train/g_lr", "train/d_lr",
                "train/img_per_s", "eval/fid40"):
        assert tag in tags["scalars"], tag
    assert [e.step for e in events.Scalars("train/g_loss")] == [1, 2, 3, 4, 5, 6]
    logged = [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]
    assert events.Scalars("train/g_loss")[-1].value == pytest.approx(logged[-2 if "event" in logged[-1] else -1]
                                                                      ["g_loss"], rel=1e-6)
    assert [e.step for e in events.Images("samples")] == [3, 6]


def test_plot_writes_loss_and_metric_curves(run, tmp_path):
    proc = run_cli("plot", run, "--out", tmp_path / "plots")
    assert proc.returncode == 0, proc.stderr
    for name in ("losses.png", "metrics.png"):
        with Image.open(tmp_path / "plots" / name) as img:
            assert img.format == "PNG" and img.width > 300
    assert "losses.png" in proc.stdout


def test_plot_draws_saved_truncation_sweeps_and_refuses_non_runs(run, tmp_path):
    sweep = {"sweep": [{"truncation": t, "metrics": {"fid1k": 10 - t, "acc1k": t / 2}, "extractor_name": "x"}
                       for t in (0.5, 1.0)]}
    (run / "eval").mkdir(exist_ok=True)
    (run / "eval" / "fid1k-acc1k-sweep.json").write_text(json.dumps(sweep))
    written = plot_run(run, tmp_path / "p")
    assert (tmp_path / "p" / "fid1k-acc1k-sweep.png") in written
    proc = run_cli("plot", tmp_path, "--out", tmp_path / "q")
    assert proc.returncode == 2 and "no log.jsonl" in proc.stderr and "Traceback" not in proc.stderr
    with pytest.raises(GanforgeError, match="smoothing"):
        plot_run(run, tmp_path / "p", smoothing=1.0)


def test_smoothing_is_debiased():
    assert smooth([2.0, 2.0, 2.0], 0.9) == pytest.approx([2.0, 2.0, 2.0])
    assert smooth([0.0, 1.0], 0.0) == [0.0, 1.0]
