"""The classic family (vanilla, cgan, dcgan), the minibatch layers and feature matching."""
import json
import subprocess
import sys

import pytest
import torch

from ganforge import train
from ganforge.config import ConfigError
from ganforge.layers.minibatch import ClassStdDev, MinibatchDiscrimination, MinibatchStdDev
from ganforge.models import build_discriminator, build_generator

from ..conftest import tiny_config, tiny_train_config


def family_config(name: str, **model):
    cfg = tiny_config(name=name, **model)
    return cfg.validate()


@pytest.mark.parametrize("name", ["vanilla", "cgan", "dcgan"])
def test_each_family_forward_and_backward(name):
    cfg = family_config(name)
    torch.manual_seed(0)
    G, D = build_generator(cfg), build_discriminator(cfg)
    z, y = torch.randn(4, cfg.model.dim_z), torch.tensor([0, 1, 2, 3])
    x = G(z, y)
    assert x.shape == (4, 1, 32, 32) and x.abs().max() <= 1
    scores = D(x, y)
    assert scores.shape == (4,)
    scores.sum().backward()
    assert all(p.grad is not None for p in G.parameters()) and all(p.grad is not None for p in D.parameters())
    # the label reaches G exactly when the family is conditional
    other = G(z, torch.tensor([5, 6, 7, 8]))
    assert torch.equal(other, x) == (name == "vanilla")


def test_unconditional_dcgan_ignores_the_label_and_refuses_a_class():
    cfg = family_config("dcgan", conditional=False)
    G = build_generator(cfg).eval()
    z = torch.randn(2, cfg.model.dim_z)
    assert torch.equal(G(z, torch.tensor([0, 1])), G(z, torch.tensor([3, 3])))
    with pytest.raises(Exception, match="unconditional"):
        G.sample(classes=3, n=2)
    assert G.sample(n=2, seed=1).shape == (2, 1, 32, 32)


def test_minibatch_stddev_math():
    torch.manual_seed(0)
    x = torch.randn(8, 3, 4, 4)
    out = MinibatchStdDev(group_size=4)(x)
    assert out.shape == (8, 4, 4, 4) and torch.equal(out[:, :3], x)
    # ProGAN's grouping: sample i is grouped with i ± 2 (8 samples, groups of 4 -> 2 groups, members strided by 2)
    for member in range(2):
        group = x[member::2]
        expected = (group.var(0, unbiased=False) + 1e-8).sqrt().mean()
        assert torch.allclose(out[member::2, 3], expected.expand(4, 4, 4), atol=1e-6)
    with pytest.raises(ValueError, match="groups of 4"):
        MinibatchStdDev(4)(torch.randn(6, 3, 4, 4))


def test_class_stddev_is_the_spread_inside_each_class():
    torch.manual_seed(0)
    x, y = torch.randn(7, 3, 4, 4), torch.tensor([0, 2, 0, 1, 2, 0, 3])
    out = ClassStdDev(num_classes=5)(x, y)
    assert out.shape == (7, 4, 4, 4) and torch.equal(out[:, :3], x)
    for i in range(7):
        group = x[y == y[i]]
        expected = (group.var(0, unbiased=False) + 1e-8).sqrt().mean()
        assert torch.allclose(out[i, 3], expected.expand(4, 4), atol=1e-6)
    assert out[6, 3].max() < 1e-3  # a class seen once has no spread
    # copies inside a class have none either, however different the classes are
    copies = torch.cat([x[:1].repeat(3, 1, 1, 1), 5 * x[1:2].repeat(3, 1, 1, 1)])
    assert ClassStdDev(5)(copies, torch.tensor([0, 0, 0, 1, 1, 1]))[:, 3].max() < 1e-3



def test_stddev_maps_with_several_features_average_each_group_of_channels():
    torch.manual_seed(0)
    x, y = torch.randn(8, 6, 4, 4), torch.tensor([0, 1, 0, 1, 2, 2, 2, 3])
    by_class = ClassStdDev(num_classes=4, features=3)(x, y)
    grouped = MinibatchStdDev(group_size=4, features=3)(x)
    assert by_class.shape == grouped.shape == (8, 9, 4, 4)
    for k in range(3):  # channels 2k, 2k+1
        part = x[:, 2 * k:2 * k + 2]
        for i in range(8):
            expected = (part[y == y[i]].var(0, unbiased=False) + 1e-8).sqrt().mean()
            assert torch.allclose(by_class[i, 6 + k], expected.expand(4, 4), atol=1e-6)
        expected = (part[1::2].var(0, unbiased=False) + 1e-8).sqrt().mean()  # sample 1's group: 1, 3, 5, 7
        assert torch.allclose(grouped[1, 6 + k], expected.expand(4, 4), atol=1e-6)
    with pytest.raises(ValueError, match="do not split into model.mbstd_features=4"):
        ClassStdDev(4, features=4)(x, y)


def test_mlp_discriminators_take_the_stddev_as_one_more_feature():
    torch.manual_seed(0)
    x, y = torch.randn(8, 1, 32, 32), torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    std = lambda groups: (groups.var(1, unbiased=False) + 1e-8).sqrt().mean(1)  # noqa: E731
    vanilla = build_discriminator(family_config("vanilla", mbstd_group=4))
    h = vanilla.features(x, y)
    assert h.shape == (8, 32 * vanilla.spec.model.d_ch + 1) and vanilla(x, y).shape == (8,)
    # groups of 4 strided by B/4 = 2: samples 0, 2, 4, 6 and 1, 3, 5, 7
    assert torch.allclose(h[:2, -1], std(h[:, :-1].view(4, 2, -1).transpose(0, 1)), atol=1e-6)
    cgan = build_discriminator(family_config("cgan", mbstd_by_class=True))
    h = cgan.features(x, y)
    assert h.shape == (8, 32 * cgan.spec.model.d_ch + 1) and cgan(x, y).shape == (8,)
    assert torch.allclose(h[::2, -1], std(h[:, :-1].view(4, 2, -1)), atol=1e-6)  # 2k and 2k+1 share class k


def test_minibatch_discrimination_math():
    torch.manual_seed(0)
    layer = MinibatchDiscrimination(5, kernels=3, kernel_dim=2)
    x = torch.randn(4, 5)
    out = layer(x)
    assert out.shape == (4, 8) and torch.equal(out[:, :5], x)
    m = (x @ layer.T).view(4, 3, 2)
    for i in range(4):
        expected = sum(torch.exp(-(m[i] - m[j]).abs().sum(-1)) for j in range(4) if j != i)
        assert torch.allclose(out[i, 5:], expected, atol=1e-6)
    # identical samples are maximally close: each kernel sums exp(0) over the 3 others
    same = layer(x[:1].repeat(4, 1))
    assert torch.allclose(same[:, 5:], torch.full((4, 3), 3.0))


def test_biggan_minibatch_stddev_feeds_the_last_block():
    torch.manual_seed(0)
    D, plain = build_discriminator(tiny_config(mbstd_group=4)), build_discriminator(tiny_config())
    assert D.blocks[-1].conv1.in_channels == plain.blocks[-1].conv1.in_channels + 1
    x, y = torch.randn(8, 1, 32, 32), torch.arange(8) % 10
    other = torch.cat([x[:4], torch.randn(4, 1, 32, 32)])  # samples 4..7 share groups with 0..3 (i ± B/4)
    with torch.no_grad():
        assert (D(x, y)[:4] - D(other, y)[:4]).abs().max() > 1e-3  # a score depends on its batch-mates
        assert torch.allclose(plain(x, y)[:4], plain(other, y)[:4], atol=1e-4)  # without the map it does not
    # by class: a score depends on the batch-mates of its own class only
    D = build_discriminator(tiny_config(mbstd_by_class=True))
    assert D.blocks[-1].conv1.in_channels == plain.blocks[-1].conv1.in_channels + 1
    y = torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    same_class, other_class = x.clone(), x.clone()
    same_class[1], other_class[2] = torch.randn(1, 32, 32), torch.randn(1, 32, 32)
    with torch.no_grad():
        assert (D(x, y)[0] - D(same_class, y)[0]).abs() > 1e-4
        assert torch.allclose(D(x, y)[0], D(other_class, y)[0], atol=1e-5)


def test_biggan_deep_minibatch_stddev_feeds_a_last_block_that_narrows():
    torch.manual_seed(0)
    D = build_discriminator(tiny_config(name="biggan_deep", mbstd_by_class=True))
    plain = build_discriminator(tiny_config(name="biggan_deep"))
    last, plain_last = D.blocks[-1], plain.blocks[-1]
    assert last.conv1.in_channels == plain_last.conv1.in_channels + 1
    assert last.conv4.out_channels == plain_last.conv4.out_channels  # back to the stage's width
    x, y = torch.randn(8, 1, 32, 32), torch.tensor([0, 0, 1, 1, 2, 2, 3, 3])
    same_class, other_class = x.clone(), x.clone()
    same_class[1], other_class[2] = torch.randn(1, 32, 32), torch.randn(1, 32, 32)
    with torch.no_grad():
        assert D(x, y).shape == (8,)
        assert (D(x, y)[0] - D(same_class, y)[0]).abs() > 1e-4  # its class's batch-mates change its score
        assert torch.allclose(D(x, y)[0], D(other_class, y)[0], atol=1e-5)  # another class's do not


@pytest.mark.parametrize("settings, message", [
    ({"model.name": "progan", "model.mb_kernels": 4}, "not available for model.name=progan"),
    ({"model.name": "lapgan", "model.mbstd_group": 4}, "not available for model.name=lapgan"),
    ({"model.name": "dcgan", "model.mbstd_by_class": True}, "not available for model.name=dcgan"),
    ({"model.name": "vanilla", "model.mbstd_by_class": True}, "not available for model.name=vanilla"),
    ({"model.mbstd_features": 2}, "without a minibatch-stddev map"),
    ({"model.mbstd_by_class": True, "model.mbstd_group": 4}, "set model.mbstd_group=0"),
    ({"model.name": "biggan", "loss.feature_matching": 1.0}, "not available"),
    ({"model.name": "cgan", "model.conditional": False}, "is an option of dcgan, not of model.name=cgan"),
    ({"model.name": "progan", "model.refiner": "unet"}, "is an option of lapgan, not of model.name=progan"),
    ({"model.name": "biggan", "model.lapgan.context_noise": 0.1}, "is set, but model.name=biggan"),
    ({"model.name": "dcgan", "model.lapgan.chain_share": 0.5}, "is set, but model.name=dcgan"),
])
def test_layers_that_a_family_lacks_are_refused(settings, message):
    cfg = tiny_config()
    with pytest.raises(ConfigError, match=message):
        for k, v in settings.items():
            cfg.set(k, v)
        cfg.validate()


@pytest.mark.parametrize("name, settings", [
    ("vanilla", {"model.mb_kernels": 4}),
    ("cgan", {"loss.name": "bce", "loss.feature_matching": 1.0}),
    ("dcgan", {"model.mbstd_group": 4, "loss.name": "wasserstein", "loss.gp": 10.0}),
    ("biggan", {"model.mbstd_group": 4, "loss.mode_seeking": 1.0}),
    ("biggan", {"model.mbstd_by_class": True, "model.mbstd_features": 4}),
    ("biggan_deep", {"model.mbstd_by_class": True, "model.d_attention": [16]}),
    ("biggan_deep", {"model.mbstd_group": 2, "model.mbstd_features": 2}),
    ("progan", {"model.mbstd_features": 2}),
    ("progan", {"model.mbstd_by_class": True}),
    ("lapgan", {"model.mbstd_by_class": True}),
    ("lapgan", {"model.refiner": "unet", "model.context_noise": 0.1, "model.chain_share": 0.5}),
    ("cgan", {"model.mbstd_by_class": True, "loss.feature_matching": 1.0}),
    ("vanilla", {"model.mbstd_group": 4}),
])
def test_classic_families_train(tmp_path, name, settings):
    cfg = tiny_train_config(steps=2)
    cfg.set("model.name", name)
    for k, v in settings.items():
        cfg.set(k, v)
    train(cfg, tmp_path / "run", show_progress=False, notify=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(isinstance(r["g_loss"], float) for r in rows)
    if "loss.feature_matching" in settings:
        assert rows[-1]["g_feature_matching"] >= 0


def test_dcgan_trains_samples_and_evaluates_through_the_cli(tmp_path):
    run = tmp_path / "dc"
    common = [sys.executable, "-m", "ganforge"]
    steps = ["--set", "train.steps=2", "--set", "train.batch_size=8", "--set", "model.ch=4", "--set", "model.d_ch=4",
             "--set", "train.sample_every=0", "--set", "model.mbstd_by_class=false", "--no-progress", "--device", "cpu"]
    done = subprocess.run(common + ["train", "--model", "dcgan", "--preset", "fashion32-cpu", "--out", str(run), *steps],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sample = subprocess.run(common + ["sample", str(run), "--class", "Dress", "--n", "4", "--out",
                                      str(tmp_path / "dress.png")], capture_output=True, text=True)
    assert sample.returncode == 0 and (tmp_path / "dress.png").stat().st_size > 0, sample.stderr
    evaluation = subprocess.run(common + ["eval", str(run), "--n", "100", "--ref-n", "500", "--metrics", "fid,acc",
                                          "--json", str(tmp_path / "eval.json")], capture_output=True, text=True)
    assert evaluation.returncode == 0, evaluation.stderr
    assert {"fid100", "acc100"} <= set(json.loads((tmp_path / "eval.json").read_text())["metrics"])
