"""Each example of docs/extending.md (docs/examples/*.py, included into the page as they are) run for real: a
family, a loss, a metric, an augmentation op, an extractor and a data format, each added in one place plus one
registration."""
import copy
import pathlib
import runpy
import subprocess
import sys

import numpy as np
import pytest
import torch

import ganforge
from ganforge import load, train
from ganforge.augment import AUGMENT_OPS
from ganforge.data.formats import FORMATS
from ganforge.loss.terms import D_LOSSES, G_LOSSES
from ganforge.metrics.features import EXTRACTORS
from ganforge.metrics.registry import METRICS
from ganforge.models import FAMILIES

from .conftest import tiny_train_config

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "docs" / "examples"
REGISTRIES = (FAMILIES, D_LOSSES, G_LOSSES, METRICS, AUGMENT_OPS, EXTRACTORS, FORMATS)


@pytest.fixture(autouse=True)
def restore_registries():
    saved = [copy.copy(r) for r in REGISTRIES]
    yield
    for registry, before in zip(REGISTRIES, saved):
        registry.clear()
        registry.update(before)


def example(name: str) -> dict:
    return runpy.run_path(str(EXAMPLES / f"{name}.py"))


def test_a_family_with_its_own_options_trains_samples_and_exports(tmp_path):
    found = example("family")
    cfg = tiny_train_config(steps=2)
    cfg.set("model.name", "linear")
    cfg.set("model.linear.hidden", 16)
    summary = train(cfg.validate(), tmp_path / "run", show_progress=False)
    assert summary["trained_steps"] == 2
    G = load(tmp_path / "run")
    assert isinstance(G, found["LinearGenerator"]) and G.spec.model.options.hidden == 16
    assert G.sample(classes=["Sneaker"], n=2, seed=0).shape == (2, 1, 32, 32)
    ganforge.save_pretrained(G, tmp_path / "export")
    assert torch.equal(load(tmp_path / "export").sample(n=2, seed=1), G.sample(n=2, seed=1))
    with pytest.raises(ganforge.GanforgeError, match="model.linear.hidden=0 is out of range: expected 1 to 4096"):
        cfg.set("model.linear.hidden", 0)


def test_the_family_options_are_listed_with_every_key():
    example("family")
    out = subprocess.run([sys.executable, "-c", f"import runpy; runpy.run_path({str(EXAMPLES / 'family.py')!r}); "
                          f"from ganforge.cli import main; main(['train', '--list-keys'])"],
                         capture_output=True, text=True, check=True).stdout
    assert "model.linear.hidden = 64 [1..4096]  width of the hidden layer" in out


def test_a_registered_loss_is_a_choice_of_loss_name(tmp_path):
    example("loss")
    cfg = tiny_train_config(steps=2)
    cfg.set("loss.name", "squared_hinge")
    assert train(cfg.validate(), tmp_path / "run", show_progress=False)["trained_steps"] == 2


def test_a_registered_metric_and_extractor_evaluate_two_image_sets(tmp_path):
    example("metric")
    example("extractor")
    from ganforge.metrics.evaluator import Evaluator
    from ganforge.metrics.sources import open_images
    ev = Evaluator("fashion-mnist", (1, 32, 32), ["meandist", "fid"], extractor="pixels:4", ref_n=200,
                   use_cache=False)
    same = ev.evaluate(open_images("fashion-mnist", 200, seed=0))["metrics"]  # the reference's own images
    other = ev.evaluate(open_images("fashion-mnist:heldout", 200, seed=1))["metrics"]
    assert set(same) == {"meandist200", "fid200"}
    assert same["meandist200"] < 1e-6 and other["meandist200"] > same["meandist200"]


def test_a_registered_augmentation_op_is_applied_to_what_d_sees(tmp_path):
    found = example("augment")
    from ganforge.augment import Draws
    x = torch.arange(8.0).view(1, 1, 2, 4).repeat(64, 1, 1, 1)
    out = found["flip"](x, Draws(torch.Generator().manual_seed(0), 64))
    flipped = (out != x).flatten(1).any(1)
    assert 10 < int(flipped.sum()) < 54 and torch.equal(out[flipped], x[flipped].flip(3))
    cfg = tiny_train_config(steps=2)
    cfg.set("augment.diffaugment", "flip,translation")
    assert train(cfg.validate(), tmp_path / "run", show_progress=False)["trained_steps"] == 2


def test_a_registered_data_format_is_detected_trained_on_and_evaluated(tmp_path):
    example("data_format")
    from ganforge.data import detect_kind, load_dataset, probe
    from ganforge.metrics.sources import data_identity
    data = tmp_path / "arrays"
    data.mkdir()
    rng = np.random.default_rng(0)
    np.save(data / "images.npy", rng.integers(0, 256, (40, 24, 24, 3), dtype=np.uint8))
    np.save(data / "labels.npy", np.arange(40) % 4)
    assert detect_kind(str(data)) == "npy" and probe(str(data), "auto").count == 40
    cfg = tiny_train_config(steps=2)
    cfg.set("data.source", str(data))
    cfg.set("data.channels", 3)
    assert len(load_dataset(cfg.data)) == 40 and data_identity(str(data)).startswith("arrays#")
    assert train(cfg.validate(), tmp_path / "run", show_progress=False)["trained_steps"] == 2
