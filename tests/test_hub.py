"""Pretrained BigGANs by Hub id, offline: the test writes a Hugging Face cache holding a small random-weight
pytorch-pretrained-BigGAN model and loads it by id; nothing touches the network."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

from ganforge.errors import GanforgeError
from ganforge.hub import is_hub_id, model_dir

from .interop.test_interop import max_difference, random_hf_model

pytest.importorskip("huggingface_hub", reason="the hub extra (huggingface_hub) is not installed")
COMMIT = "0123456789abcdef0123456789abcdef01234567"
SMALL = dict(z_dim=16, class_embed_dim=16, channel_width=4, num_classes=5)  # 128 px, 4 channels per unit


@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """HF_HUB_CACHE with models--tester--tiny-biggan at COMMIT (refs/main -> snapshot), offline."""
    cfg, model = random_hf_model(**SMALL)
    repo = tmp_path / "hf" / "models--tester--tiny-biggan"
    snapshot = repo / "snapshots" / COMMIT
    snapshot.mkdir(parents=True)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    (snapshot / "config.json").write_text(cfg.to_json_string())
    torch.save(model.state_dict(), snapshot / "pytorch_model.bin")
    for key, value in {"HF_HUB_CACHE": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1",
                       "GANFORGE_CACHE": str(tmp_path / "ganforge")}.items():
        monkeypatch.setenv(key, value)
    return {"cfg": cfg, "model": model, "snapshot": snapshot, "root": tmp_path}


def test_a_hub_id_loads_offline_converted_once_and_keyed_by_revision(hub_cache):
    import ganforge
    G = ganforge.load("tester/tiny-biggan")
    assert max_difference(hub_cache["cfg"], hub_cache["model"], G) < 1e-5  # the package's own outputs
    converted = hub_cache["root"] / "ganforge" / "hub" / "tester--tiny-biggan" / COMMIT
    assert model_dir("tester/tiny-biggan") == converted and (converted / "model.safetensors").is_file()
    stamp = (converted / "model.safetensors").stat().st_mtime_ns
    ganforge.load("tester/tiny-biggan@main")
    assert (converted / "model.safetensors").stat().st_mtime_ns == stamp  # converted once
    local = ganforge.load(hub_cache["snapshot"])  # a downloaded snapshot's directory works the same
    assert torch.equal(local.sample(n=2, seed=0, truncation=0.5), G.sample(n=2, seed=0, truncation=0.5))


def test_the_command_line_samples_and_evaluates_a_hub_id(hub_cache, tmp_path):
    env = {**os.environ}
    out = tmp_path / "s.png"
    proc = subprocess.run([sys.executable, "-m", "ganforge", "sample", "tester/tiny-biggan", "--class", "3", "--n", "2",
                           "--truncation", "0.5", "--out", str(out)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0 and out.is_file(), proc.stderr


def test_a_missing_model_offline_says_what_to_download_and_where(hub_cache):
    with pytest.raises(GanforgeError, match="tester/absent: no such local directory, and as a Hugging Face Hub id "
                                            "it is not in the Hugging Face cache .*hf download tester/absent"):
        model_dir("tester/absent")
    proc = subprocess.run([sys.executable, "-m", "ganforge", "sample", "tester/absent", "--out", "x.png"],
                          capture_output=True, text=True, env=dict(os.environ))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    shutil.rmtree(hub_cache["snapshot"].parent.parent / "refs")
    with pytest.raises(GanforgeError, match="not in the Hugging Face cache"):
        model_dir("tester/tiny-biggan")


def test_hub_ids_and_paths_are_told_apart(tmp_path):
    assert is_hub_id("osanseviero/BigGAN-deep-128") and is_hub_id("org/name@v1.0")
    assert not is_hub_id(str(tmp_path)) and not is_hub_id("name-only") and not is_hub_id("a/b/c")
