"""Exports hold the generator's spec only; exports of format version 1 (the whole run config) still load."""
import json
import pathlib

import pytest
import torch
from safetensors.torch import load_file

from ganforge import load, save_pretrained
from ganforge.errors import GanforgeError
from ganforge.metrics.evaluator import reference_for
from ganforge.models import build_generator
from ganforge.pretrained import EXPORT_VERSION

from .conftest import tiny_config

DATA = pathlib.Path(__file__).parent / "data"


def _export(tmp_path, name: str, **train_settings) -> dict:
    cfg = tiny_config(16, 1, ch=4, d_ch=4, dim_z=8, shared_dim=4, hier=False)
    for key, value in train_settings.items():
        cfg.set(key, value)
    torch.manual_seed(0)
    save_pretrained(build_generator(cfg.validate()).eval(), tmp_path / name)
    return json.loads((tmp_path / name / "config.json").read_text())


def test_an_export_holds_the_model_spec_only(tmp_path):
    meta = _export(tmp_path, "a")
    assert meta["version"] == EXPORT_VERSION == 2 and set(meta) == {"format", "version", "spec"}
    assert set(meta["spec"]) == {"model", "resolution", "channels"} and meta["spec"]["resolution"] == 16
    other = _export(tmp_path, "b", **{"train.g_lr": 0.01, "train.standing_stats": 4, "eval.n": 50,
                                      "loss.r1": 1.0, "data.hflip": True})
    assert other == meta  # unrelated settings leave the export unchanged
    assert (tmp_path / "a" / "config.json").read_bytes() == (tmp_path / "b" / "config.json").read_bytes()


def test_a_version_1_export_is_converted_on_read(tmp_path):
    old = json.loads((DATA / "export_v1" / "config.json").read_text())
    assert old["version"] == 1 and "train" in old["config"]  # written by the previous format
    G = load(DATA / "export_v1")
    assert G.class_names == ["cat", "dog", "owl"] and G.image_shape == (1, 16, 16)
    z = torch.randn(2, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = G(z, torch.tensor([0, 2]))
    # recorded on another CPU, whose kernels round differently: equal to float32 rounding, not bit for bit
    assert torch.allclose(out, load_file(DATA / "export_v1_expected.safetensors")["images"], rtol=0, atol=1e-5)
    assert G.run_config is not None and G.run_config.data.source == "fashion-mnist"
    save_pretrained(G, tmp_path / "again")  # re-exported in today's format, same generator
    again = load(tmp_path / "again")
    assert json.loads((tmp_path / "again" / "config.json").read_text())["version"] == 2
    assert torch.equal(again.sample(n=3, seed=1), G.sample(n=3, seed=1))


def test_an_export_from_a_newer_version_or_without_a_spec_is_refused(tmp_path):
    _export(tmp_path, "a")
    meta_path = tmp_path / "a" / "config.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(GanforgeError, match="newer ganforge"):
        load(tmp_path / "a")
    meta_path.write_text(json.dumps({"format": meta["format"], "version": 2}))
    with pytest.raises(GanforgeError, match="'spec' must hold"):
        load(tmp_path / "a")


def test_evaluating_an_export_needs_a_reference(tmp_path):
    _export(tmp_path, "a")
    G = load(tmp_path / "a")
    assert G.run_config is None
    with pytest.raises(GanforgeError, match="--ref is required: this exported generator"):
        reference_for(None, G)
    assert reference_for("fashion-mnist", G) == ("fashion-mnist", None)
