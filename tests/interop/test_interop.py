"""Pretrained interop: pytorch-pretrained-BigGAN parity, BigGAN-PyTorch checkpoints, ImageNet names."""
import json
import re
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F

from ganforge import load
from ganforge.errors import GanforgeError
from ganforge.interop.biggan_pytorch import convert_biggan_pytorch, infer_config
from ganforge.interop.hf import convert_hf
from ganforge.interop.imagenet import imagenet_class_names
from ganforge.models import build_generator
from ganforge.pretrained import load_strict

from ..conftest import tiny_config

hf = pytest.importorskip("pytorch_pretrained_biggan", reason="the test dependency pytorch-pretrained-biggan is missing")


def random_hf_model(**config):
    """A random-weight model of the package, made usable as REFERENCE §3 says: output BN weight 1 / bias 0, a few
    train-mode passes to settle u and v; BN statistics randomised per truncation row so their blending matters."""
    torch.manual_seed(0)
    cfg = hf.BigGANConfig(**config)
    model = hf.BigGAN(cfg)
    with torch.no_grad():
        model.generator.bn.weight.fill_(1.0)
        model.generator.bn.bias.zero_()
        for m in model.modules():
            if hasattr(m, "running_means"):
                m.running_means.normal_(0, 0.1)
                m.running_vars.uniform_(0.5, 2.0)
        model.train()
        for _ in range(3):
            model(torch.randn(2, cfg.z_dim), F.one_hot(torch.tensor([0, 1]), cfg.num_classes).float(), 1.0)
    return cfg, model.eval()


def max_difference(cfg, model, G, truncations=(1.0, 0.5, 0.37)):
    g = torch.Generator().manual_seed(1)
    z = torch.randn(3, cfg.z_dim, generator=g).clamp(-2, 2)
    y = torch.tensor([0, 1, 4])
    worst = 0.0
    with torch.no_grad():
        for t in truncations:
            ref = model(t * z, F.one_hot(y, cfg.num_classes).float(), t)
            worst = max(worst, (ref - G(t * z, y, truncation=t)).abs().max().item())
            soft = G(t * z, F.one_hot(y, cfg.num_classes).float(), truncation=t)  # one-hot input works too
            worst = max(worst, (ref - soft).abs().max().item())
    return worst


@pytest.mark.parametrize("full", [False, True], ids=["small", "full-128"])
def test_pytorch_pretrained_biggan_parity(full, tmp_path):
    config = {} if full else dict(z_dim=16, class_embed_dim=16, channel_width=4, num_classes=5)
    cfg, model = random_hf_model(**config)
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "config.json").write_text(cfg.to_json_string())
    torch.save(model.state_dict(), tmp_path / "hf" / "pytorch_model.bin")
    proc = subprocess.run([sys.executable, "-m", "ganforge", "convert", "--from", "hf", tmp_path / "hf", "--out",
                           tmp_path / "exp"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    G = load(tmp_path / "exp")
    assert max_difference(cfg, model, G) <= 1e-4
    assert sum(p.numel() for p in model.parameters()) - sum(p.numel() for p in G.parameters()) == \
        (cfg.channel_width - 3) * (cfg.channel_width * 9 + 1)  # only conv_to_rgb's unused output channels differ
    if full:
        assert G.class_index("golden retriever") == 207
        imgs = G.sample(classes="golden retriever", n=2, truncation=0.4, seed=0)
        assert imgs.shape == (2, 3, 128, 128)
        with pytest.raises(GanforgeError, match="outside \\(0, 1\\]"):
            G.sample(n=1, truncation=1.5)


def test_hf_weights_that_do_not_fit_are_listed(tmp_path):
    cfg, model = random_hf_model(z_dim=16, class_embed_dim=16, channel_width=4, num_classes=5)
    sd = model.state_dict()
    sd["generator.extra.weight"] = torch.zeros(1)
    with pytest.raises(GanforgeError, match="tensor\\(s\\) the config does not describe: generator.extra.weight"):
        convert_hf(json.loads(cfg.to_json_string()), sd)
    del sd["generator.extra.weight"], sd["generator.layers.3.conv_1.bias"]
    with pytest.raises(GanforgeError, match="lack generator.layers.3.conv_1.bias"):
        convert_hf(json.loads(cfg.to_json_string()), sd)


def to_biggan_pytorch(state: dict) -> dict:
    """ganforge BigGAN -> the key layout of REFERENCE §4 (written independently of the converter)."""
    out = {}
    for k, v in state.items():
        if k.endswith("num_batches_tracked"):
            continue
        m = re.match(r"blocks\.(\d+)\.(.*)", k)
        if m:
            k = f"blocks.{m.group(1)}.0.{m.group(2)}".replace(".bn.running_mean", ".stored_mean") \
                .replace(".bn.running_var", ".stored_var")
        m = re.match(r"attention\.(\d+)\.(.*)", k)
        if m:
            k = f"blocks.{m.group(1)}.1.{m.group(2)}"
        k = {"output_bn.weight": "output_layer.0.gain", "output_bn.bias": "output_layer.0.bias",
             "output_bn.running_mean": "output_layer.0.stored_mean",
             "output_bn.running_var": "output_layer.0.stored_var"}.get(k, k)
        k = k.replace("output_conv.", "output_layer.2.")
        if k.endswith(".u"):
            k, v = k[:-2] + ".u0", v[None]
        elif k.endswith(".sigma"):
            k, v = k[:-6] + ".sv0", v.reshape(1)
        out[k] = v.clone()
    return out


@pytest.mark.parametrize("model", [
    dict(res=128, ch=4, dim_z=24, shared_dim=8, hier=True, g_attention=[64], num_classes=7),
    dict(res=32, ch=4, dim_z=20, shared=False, hier=False, g_attention=[], num_classes=10),
    dict(res=64, ch=2, dim_z=30, shared_dim=6, hier=True, g_attention=[16, 32], num_classes=3),
], ids=["128-hier-attn64", "cifar-uniform", "64-two-attention"])
def test_biggan_pytorch_checkpoint_converts_without_flags(model, tmp_path):
    res = model.pop("res")
    torch.manual_seed(0)
    cfg = tiny_config(res, 3, **model)
    G = build_generator(cfg)
    G.train()
    for _ in range(2):  # moves BN statistics and u away from their initial values
        G(torch.randn(4, cfg.model.dim_z), torch.randint(0, cfg.model.num_classes, (4,)))
    G.eval()
    bp = to_biggan_pytorch(G.state_dict())
    assert "linear.u0" in bp and bp["linear.u0"].shape[0] == 1
    inferred = infer_config(bp)
    for key in ("ch", "dim_z", "num_classes"):
        assert getattr(inferred.model, key) == getattr(cfg.model, key), key
    for key in ("shared", "hier", "g_attention"):
        assert getattr(inferred.model.options, key) == getattr(cfg.model.options, key), key
    if cfg.model.options.shared:
        assert inferred.model.shared_dim == cfg.model.shared_dim
    assert inferred.data.resolution == res
    converted_cfg, tensors = convert_biggan_pytorch(bp)
    G2 = build_generator(converted_cfg)
    load_strict(G2, tensors, "bp")
    z, y = torch.randn(3, cfg.model.dim_z), torch.tensor([0, 1, 2])
    with torch.no_grad():
        assert torch.allclose(G(z, y), G2.eval()(z, y), atol=1e-6)
    torch.save(bp, tmp_path / "G_ema.pth")
    proc = subprocess.run([sys.executable, "-m", "ganforge", "convert", "--from", "biggan-pytorch",
                           tmp_path / "G_ema.pth", "--out", tmp_path / "exp"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"{res} px" in proc.stdout
    with pytest.raises(GanforgeError, match="--resolution 256, but the checkpoint's blocks make a"):
        convert_biggan_pytorch(bp, resolution=256)


def test_imagenet_names_and_suggestions():
    names = imagenet_class_names()
    assert len(names) == 1000 and names[0] == "tench" and names[207] == "golden retriever"
    cfg = tiny_config(32, 3, num_classes=1000)
    cfg.model.class_names = names
    G = build_generator(cfg)
    assert G.class_index("Golden Retriever") == 207
    with pytest.raises(GanforgeError, match="did you mean: golden retriever"):
        G.class_index("golden retreiver")
