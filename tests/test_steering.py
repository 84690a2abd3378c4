import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge import save_pretrained
from ganforge.steering import (attention_layers, fit_mask, generate_steered, load_mask, mask_mass,
                                query_heatmaps, record_attention)
from ganforge.errors import GanforgeError
from ganforge.models import build_generator
from ganforge.pretrained import load_strict

from .conftest import tiny_config


def attention_model(attention=(16, 32), kind="self"):
    torch.manual_seed(0)
    cfg = tiny_config(32, 1, name="biggan_deep", ch=8, d_ch=8, dim_z=16, shared_dim=8,
                      g_attention=list(attention), attention_type=kind)
    G = build_generator(cfg)
    with torch.no_grad():
        for m in G.attention.values():
            m.gamma.fill_(1.5)  # trained models have γ ≠ 0; at init attention is the identity
    return G.eval()


def inputs(n=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 16, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_maps_are_returned_only_when_asked_and_are_distributions():
    G = attention_model()
    z, y = inputs()
    images, maps = record_attention(G, z, y)
    assert sorted(maps) == ["G.3", "G.5"]
    assert maps["G.3"].shape == (3, 256, 64) and maps["G.5"].shape == (3, 1024, 256)
    assert torch.allclose(maps["G.5"].sum(-1), torch.ones(3, 1024), atol=1e-5)
    with torch.no_grad():
        assert torch.allclose(G(z, y), images, atol=1e-5)  # recording does not change the output
    assert all(m.control is None for m in attention_layers(G).values())


def test_strength_zero_equals_a_model_without_attention():
    G = attention_model()
    z, y = inputs()
    cfg = G.spec
    bare_cfg = tiny_config(32, 1, name="biggan_deep", ch=8, d_ch=8, dim_z=16, shared_dim=8,
                           g_attention=[])
    bare = build_generator(bare_cfg).eval()
    load_strict(bare, {k: v for k, v in G.state_dict().items() if not k.startswith("attention.")}, "test")
    with torch.no_grad():
        expected = bare(z, y)
    assert torch.allclose(generate_steered(G, z, y, strength=0.0), expected, atol=1e-6)
    assert not torch.allclose(generate_steered(G, z, y, strength=1.0), expected, atol=1e-3)
    assert cfg.model.options.g_attention == [16, 32]


def test_transplanting_a_samples_own_maps_reproduces_it_and_others_change_it():
    G = attention_model()
    z_a, y = inputs(seed=1)
    z_b, _ = inputs(seed=2)
    a, maps_a = record_attention(G, z_a, y)
    assert torch.equal(generate_steered(G, z_a, y, transplant=maps_a), a)
    b = generate_steered(G, z_b, y)
    b_with_a = generate_steered(G, z_b, y, transplant=maps_a)
    assert not torch.allclose(b, b_with_a, atol=1e-4)
    with pytest.raises(GanforgeError, match="transplanted maps are for layers"):
        generate_steered(G, z_b, y, transplant={"G.9": maps_a["G.3"]})


def test_region_focus_moves_attention_mass_into_the_mask():
    G = attention_model()
    z, y = inputs()
    mask = torch.zeros(32, 32)
    mask[:, :8] = 1.0  # the left quarter of the image
    _, plain = record_attention(G, z, y)
    _, toward = record_attention(G, z, y, focus=mask, focus_weight=4.0)
    _, away = record_attention(G, z, y, focus=mask, focus_weight=-4.0)
    for name in plain:
        before, after, less = (mask_mass(m[name], mask) for m in (plain, toward, away))
        assert after > before + 0.3 and less < before
    heat = query_heatmaps(toward, (2, 2), 32)
    assert heat["G.5"].shape == (32, 32) and heat["G.5"][:, :8].sum() > heat["G.5"][:, 8:].sum()


def test_channel_attention_records_and_transplants_channel_weights():
    G = attention_model(attention=(16,), kind="channel")
    z, y = inputs()
    a, maps = record_attention(G, z, y)
    assert maps["G.3"].shape == (3, 32) and ((maps["G.3"] > 0) & (maps["G.3"] < 1)).all()
    assert torch.equal(generate_steered(G, z, y, transplant=maps), a)


def test_masks_are_read_resized_and_bad_ones_are_explained(tmp_path):
    Image.fromarray(np.full((10, 20), 255, np.uint8)).save(tmp_path / "m.png")
    notes = []
    mask = fit_mask(load_mask(tmp_path / "m.png"), 32, notes.append)
    assert mask.shape == (32, 32) and "resized to the image size 32x32" in notes[0]
    (tmp_path / "bad.png").write_text("no image")
    with pytest.raises(GanforgeError, match="cannot read the focus mask"):
        load_mask(tmp_path / "bad.png")


def test_attention_cli_and_steering_flags(tmp_path):
    G = attention_model()
    save_pretrained(G, tmp_path / "exp")
    Image.fromarray(np.pad(np.full((8, 8), 255, np.uint8), 12)).save(tmp_path / "mask.png")

    def run(*args):
        proc = subprocess.run([sys.executable, "-m", "ganforge", *map(str, args)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return proc

    out = run("attention", tmp_path / "exp", "--class", "3", "--seed", 3, "--query", "16,8", "--query", "4,28",
              "--out", tmp_path / "a.png")
    assert "2 attention layer(s)" in out.stdout and "(16,8) (4,28)" in out.stdout
    sheet = Image.open(tmp_path / "a.png")
    assert sheet.width > 3 * 128 and sheet.height > 3 * 128  # sample + 2 layers; 2 query rows + the mean row
    for flags in (["--attention-strength", "0"], ["--attention-focus", tmp_path / "mask.png"],
                  ["--attention-from-seed", "3"]):
        run("sample", tmp_path / "exp", "--class", "3", "--n", 4, "--seed", 5, *flags, "--out", tmp_path / "s.png")
