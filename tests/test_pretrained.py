"""Exports hold the generator's spec only; exports of format version 1 (the whole run config) still load."""
import dataclasses
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

DATA = pathlib.Path(__file__).parent / "fixtures"


def _export(tmp_path, name: str, **train_settings) -> dict:
    cfg = tiny_config(16, 1, ch=4, d_ch=4, dim_z=8, shared_dim=4, hier=False)
    for key, value in train_settings.items():
        cfg.set(key, value)
    torch.manual_seed(0)
    save_pretrained(build_generator(cfg.validate()).eval(), tmp_path / name)
    return json.loads((tmp_path / name / "config.json").read_text())


def test_an_export_holds_the_model_spec_only(tmp_path):
    meta = _export(tmp_path, "a")
    assert meta["version"] == EXPORT_VERSION == 3 and set(meta) == {"format", "version", "spec"}
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
    assert json.loads((tmp_path / "again" / "config.json").read_text())["version"] == 3
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


@pytest.mark.parametrize("family", ["biggan_deep", "lapgan", "dcgan"])
def test_a_version_2_export_loads_with_its_family_options(tmp_path, family):
    """Format 2 listed every family's keys flat in the model section (files written by that format's code)."""
    old = json.loads((DATA / "export_v2" / family / "config.json").read_text())
    assert old["version"] == 2 and "refiner" in old["spec"]["model"] and "depth" in old["spec"]["model"]
    G = load(DATA / "export_v2" / family)
    z = torch.randn(3, 8, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = G(z, torch.tensor([0, 1, 2]))
    assert torch.allclose(out, load_file(DATA / "export_v2_expected.safetensors")[family], rtol=0, atol=1e-5)
    flat = old["spec"]["model"]
    for key, value in dataclasses.asdict(G.spec.model.options).items():
        assert value == flat[key], key  # the family's own keys kept their values
    save_pretrained(G, tmp_path / "v3")
    new = json.loads((tmp_path / "v3" / "config.json").read_text())["spec"]["model"]
    assert new[family] == dataclasses.asdict(G.spec.model.options)
    others = {"refiner", "depth", "hier", "conditional", "context_noise"} - set(new[family])
    assert not others & set(new), "an export holds only the keys its family uses"
    assert torch.equal(load(tmp_path / "v3").sample(n=3, seed=1), G.sample(n=3, seed=1))


def test_an_export_holds_only_the_keys_of_its_family(tmp_path):
    cfg = tiny_config(16, 1, name="dcgan", ch=2, d_ch=2, dim_z=8, shared_dim=4, conditional=False)
    save_pretrained(build_generator(cfg), tmp_path / "d")
    model = json.loads((tmp_path / "d" / "config.json").read_text())["spec"]["model"]
    assert model["dcgan"] == {"conditional": False}
    assert "refiner" not in json.dumps(model) and "mbstd_by_class" not in model  # DCGAN's D has no class map
    assert set(model) == {"name", "ch", "d_ch", "dim_z", "shared_dim", "mbstd_group", "mbstd_features",
                          "mb_kernels", "num_classes", "class_names", "dcgan"}


def test_a_run_directory_of_the_earlier_format_loads_and_resumes(tmp_path):
    """tests/fixtures/run_v2: a LAPGAN run (U-Net refiner) trained 4 steps by the earlier code, config.yaml flat."""
    import shutil

    import yaml

    from ganforge import train
    from ganforge.config import load_config_file
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_v2", run)
    assert "refiner" in yaml.safe_load((run / "config.yaml").read_text())["model"]
    G = load(run)
    assert G.spec.model.options.refiner == "unet"
    z = torch.randn(3, G.dim_z, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        out = G(z, torch.tensor([0, 5, 9]))
    assert torch.allclose(out, load_file(DATA / "run_v2_expected.safetensors")["images"], rtol=0, atol=1e-5)
    cfg = load_config_file(run / "config.yaml")
    cfg.set("train.steps", 6)
    summary = train(cfg, run, resume=True, show_progress=False, notify=lambda _: None)
    assert (summary["steps"], summary["trained_steps"]) == (6, 2)
    assert load(run).spec.model.options.refiner == "unet"
