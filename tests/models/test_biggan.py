import pytest
import torch

from ganforge.config import ConfigError
from ganforge.models import build_discriminator, build_generator, parameter_count
from ganforge.models.widths import discriminator_stages, generator_stages

from ..conftest import tiny_config

# BigGAN-PyTorch's hand-written architecture tables (multipliers of ch), which the formula must reproduce.
BP_G = {
    32: ([4, 4, 4], [4, 4, 4]),
    64: ([16, 16, 8, 4], [16, 8, 4, 2]),
    128: ([16, 16, 8, 4, 2], [16, 8, 4, 2, 1]),
    256: ([16, 16, 8, 8, 4, 2], [16, 8, 8, 4, 2, 1]),
    512: ([16, 16, 8, 8, 4, 2, 1], [16, 8, 8, 4, 2, 1, 1]),
}
BP_D = {  # in (0 = image), out, downsample
    32: ([0, 4, 4, 4], [4, 4, 4, 4], [True, True, False, False]),
    64: ([0, 1, 2, 4, 8], [1, 2, 4, 8, 16], [True] * 4 + [False]),
    128: ([0, 1, 2, 4, 8, 16], [1, 2, 4, 8, 16, 16], [True] * 5 + [False]),
    256: ([0, 1, 2, 4, 8, 8, 16], [1, 2, 4, 8, 8, 16, 16], [True] * 6 + [False]),
    512: ([0, 1, 1, 2, 4, 8, 8, 16], [1, 1, 2, 4, 8, 8, 16, 16], [True] * 7 + [False]),
}


@pytest.mark.parametrize("res", sorted(BP_G))
def test_width_formula_reproduces_reference_tables(res):
    g = generator_stages(res)
    assert ([s.in_mult for s in g], [s.out_mult for s in g]) == BP_G[res]
    assert [s.out_resolution for s in g] == [8 * 2 ** k for k in range(len(g))]
    d = discriminator_stages(res)
    assert ([s.in_mult for s in d], [s.out_mult for s in d], [s.resample for s in d]) == BP_D[res]


@pytest.mark.parametrize("res", [16, 32, 64, 128, 256])
@pytest.mark.parametrize("channels", [1, 3])
def test_generator_and_discriminator_shapes(res, channels):
    torch.manual_seed(0)
    cfg = tiny_config(res, channels, num_classes=5, ch=8, d_ch=8, g_attention=[16], d_attention=[res // 2])
    G, D = build_generator(cfg), build_discriminator(cfg)
    z, y = torch.randn(2, cfg.model.dim_z), torch.tensor([0, 4])
    x = G(z, y)
    assert x.shape == (2, channels, res, res)
    assert x.abs().max() <= 1
    assert D(x, y).shape == (2,)
    assert len(G.attention) == 1 and len(D.attention) == 1


def test_biggan_128_parameter_counts_match_the_paper():
    cfg = tiny_config(128, 3, num_classes=1000, ch=96, d_ch=96, dim_z=120, shared_dim=128,
                      g_attention=[64], d_attention=[64])
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert parameter_count(G) == pytest.approx(70.4e6, rel=0.01)
    assert parameter_count(D) == pytest.approx(88.0e6, rel=0.01)
    assert G.z_chunk == 20
    assert G.blocks[0].bn1.gain.in_features == 148  # shared 128 + z chunk 20
    assert list(G.attention) == ["3"] and list(D.attention) == ["0"]  # after the 64x64 blocks


def test_generator_without_shared_embedding_uses_class_embeddings():
    cfg = tiny_config(32, 3, num_classes=10, shared=False, hier=False, dim_z=16)
    G = build_generator(cfg)
    assert G.shared is None and G.z_chunk == 16
    z, y = torch.randn(3, 16), torch.tensor([1, 2, 3])
    soft = torch.nn.functional.one_hot(y, 10).float()
    G.eval()
    assert torch.allclose(G(z, y), G(z, soft), atol=1e-6)


def test_hierarchical_latent_chunks_reach_every_block():
    torch.manual_seed(0)
    cfg = tiny_config(32, 1)
    G = build_generator(cfg).eval()
    z, y = torch.randn(1, cfg.model.dim_z), torch.tensor([3])
    base = G(z, y)
    for k in range(cfg.model.dim_z // G.z_chunk):  # changing any chunk changes the image
        z2 = z.clone()
        z2[:, k * G.z_chunk:(k + 1) * G.z_chunk] += 1.0
        assert not torch.allclose(G(z2, y), base)


def test_invalid_architectures_are_clear_errors():
    with pytest.raises(ConfigError, match="split into 4 equal chunks"):
        build_generator(tiny_config(32, 1, dim_z=10))
    with pytest.raises(ConfigError, match="needs model.biggan.shared=true"):
        tiny_config(32, 1, shared=False, hier=True)
    with pytest.raises(ConfigError, match="attention resolutions"):
        tiny_config(32, 1, g_attention=[64])
    with pytest.raises(ConfigError, match="d_attention=16: D has no block at that resolution; its blocks output 8"):
        build_discriminator(tiny_config(16, 1, d_attention=[16]))
    with pytest.raises(ConfigError, match="g_attention=4: G has no block"):
        build_generator(tiny_config(16, 1, g_attention=[4]))


@pytest.mark.parametrize("style", ["ortho", "N02", "xavier"])
def test_init_styles(style):
    torch.manual_seed(0)
    G = build_generator(tiny_config(32, 1, init=style))
    w = G.blocks[0].conv1.weight.reshape(G.blocks[0].conv1.weight.shape[0], -1)
    if style == "ortho":  # rows are orthonormal (out <= in)
        assert torch.allclose(w @ w.t(), torch.eye(w.shape[0]), atol=1e-5)
    elif style == "N02":
        assert w.std().item() == pytest.approx(0.02, rel=0.2)
    else:
        bound = (6 / (w.shape[0] + w.shape[1])) ** 0.5
        assert w.abs().max() <= bound
