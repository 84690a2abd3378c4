import pytest
import torch

from ganforge import train
from ganforge.models import build_discriminator, build_generator, parameter_count
from ganforge.models.biggan_deep import DeepDBlock, DeepGBlock
from ganforge.models.widths import deep_discriminator_stages

from ..conftest import tiny_config, tiny_train_config


def deep_config(res=32, channels=1, **model):
    values = dict(name="biggan_deep", ch=8, d_ch=8, dim_z=16, shared_dim=8, num_classes=5)
    values.update(model)
    return tiny_config(res, channels, **values)


def test_deep_blocks_shapes_and_channel_drop_skip():
    o = deep_config().model.options
    block = DeepGBlock(32, 16, 12, upsample=True, o=o).eval()
    x, c = torch.randn(2, 32, 4, 4), torch.randn(2, 12)
    assert block(x, c).shape == (2, 16, 8, 8)
    with torch.no_grad():  # with the residual branch silenced, the block is the dropped-and-upsampled input
        block.conv4.weight.zero_()
        block.conv4.bias.zero_()
    assert torch.equal(block(x, c), torch.nn.functional.interpolate(x[:, :16], scale_factor=2))
    d = DeepDBlock(16, 32, downsample=True, o=o).eval()
    x = torch.randn(2, 16, 8, 8)
    with torch.no_grad():
        d.conv4.weight.zero_()
        d.conv4.bias.zero_()
    out = d(x)
    pooled = torch.nn.functional.avg_pool2d(x, 2)
    assert out.shape == (2, 32, 4, 4) and torch.equal(out[:, :16], pooled)  # concat skip keeps the input


@pytest.mark.parametrize("res,channels", [(32, 1), (64, 3), (128, 3)])
def test_deep_generator_discriminator_shapes_with_attention_in_several_places(res, channels):
    torch.manual_seed(0)
    cfg = deep_config(res, channels, g_attention=[16, res], d_attention=[res // 2, 8], depth=2)
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert len(G.attention) == 2 and len(D.attention) == 2
    assert len(G.blocks) == 2 * (res.bit_length() - 3)
    z, y = torch.randn(2, 16), torch.tensor([0, 4])
    x = G(z, y)
    assert x.shape == (2, channels, res, res) and D(x, y).shape == (2,)


def test_deep_128_parameter_counts_match_the_paper():
    cfg = deep_config(128, 3, ch=128, d_ch=128, dim_z=128, shared_dim=128, num_classes=1000, g_attention=[64],
                      d_attention=[64])
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert parameter_count(G) == pytest.approx(50.4e6, rel=0.01)
    assert parameter_count(D) == pytest.approx(34.6e6, rel=0.01)
    assert [s.out_mult for s in deep_discriminator_stages(128)] == [2, 4, 8, 16, 16]


def test_deep_model_trains_and_resumes_through_the_same_loop(tmp_path):
    cfg = tiny_train_config(steps=2)
    for k, v in dict(name="biggan_deep", ch=8, d_ch=8, g_attention=[16], d_attention=[16],
                     attention_type="channel").items():
        cfg.set(f"model.{k}", v)
    summary = train(cfg, tmp_path / "run", show_progress=False)
    assert summary["steps"] == 2
