import numpy as np
import pytest
import torch
from scipy import stats

from ganforge.errors import GanforgeError
from ganforge.models import build_generator
from ganforge.sampling import interpolation, resolve_classes, sample, sample_latents

from .conftest import tiny_config


@pytest.fixture(scope="module")
def G():
    torch.manual_seed(0)
    cfg = tiny_config(16, 1, num_classes=3)
    cfg.model.class_names = ["cat", "Dog", "bird"]
    return build_generator(cfg).eval()


@pytest.mark.parametrize("psi", [0.2, 0.5, 1.0, 2.0])
def test_truncation_bounds_and_distribution(psi):
    z = sample_latents(4000, 16, truncation=psi, generator=torch.Generator().manual_seed(1))
    assert z.abs().max() <= psi
    # the law is N(0,1) conditioned on |z| <= psi (what redrawing gives), not a rescaled normal
    p = stats.kstest(z.flatten().numpy(), stats.truncnorm(-psi, psi).cdf).pvalue
    assert p > 1e-3
    scaled = stats.kstest(z.flatten().numpy() / psi * 2, stats.truncnorm(-2, 2).cdf).pvalue
    assert psi == 2.0 or scaled < 1e-6


def test_no_truncation_is_standard_normal_and_seeds_repeat():
    z = sample_latents(4000, 8, generator=torch.Generator().manual_seed(0))
    assert stats.kstest(z.flatten().numpy(), "norm").pvalue > 1e-3
    z2 = sample_latents(4000, 8, generator=torch.Generator().manual_seed(0))
    assert torch.equal(z, z2)


def test_same_seed_lower_truncation_pulls_toward_mode():
    a = sample_latents(10, 4, 1.0, torch.Generator().manual_seed(5))
    b = sample_latents(10, 4, 0.3, torch.Generator().manual_seed(5))
    assert torch.equal(torch.sign(a), torch.sign(b)) and (b.abs() <= a.abs() + 1e-6).all()


def test_bad_truncation_is_rejected():
    for bad in (0, -1, float("nan")):
        with pytest.raises(GanforgeError, match="truncation"):
            sample_latents(2, 4, bad)


def test_resolve_classes_by_name_index_and_blocks(G):
    assert resolve_classes(G, "dog", 4).tolist() == [1, 1, 1, 1]
    assert resolve_classes(G, ["cat", 2], 5).tolist() == [0, 0, 0, 2, 2]
    assert resolve_classes(G, "2", 1).tolist() == [2]
    with pytest.raises(GanforgeError, match="unknown class 'horse'.*cat, Dog, bird"):
        resolve_classes(G, "horse", 1)
    with pytest.raises(GanforgeError, match="out of range"):
        resolve_classes(G, 3, 1)


def test_sample_api_shape_range_and_reproducibility(G):
    imgs = G.sample(classes=[0, 2], n=6, truncation=0.5, seed=1)
    assert imgs.shape == (6, 1, 16, 16) and imgs.dtype == torch.float32
    assert imgs.min() >= -1 and imgs.max() <= 1
    assert torch.equal(imgs, sample(G, classes=[0, 2], n=6, truncation=0.5, seed=1))
    assert not torch.equal(imgs, G.sample(classes=[0, 2], n=6, truncation=0.5, seed=2))
    assert not G.training


def test_interpolation_endpoints_equal_plain_samples(G):
    rows = interpolation(G, "cat", "bird", steps=5, rows=2, from_seed=3)
    assert rows.shape == (2, 5, 1, 16, 16)
    z = sample_latents(2, G.dim_z, None, torch.Generator().manual_seed(3))
    with torch.no_grad():
        start, end = G(z, torch.tensor([0, 0])), G(z, torch.tensor([2, 2]))
    assert torch.allclose(rows[:, 0], start, atol=1e-5)
    assert torch.allclose(rows[:, -1], end, atol=1e-5)
    assert not torch.allclose(rows[:, 2], start, atol=1e-3)
    zrows = interpolation(G, 0, 0, steps=3, rows=1, from_seed=3, to_seed=4)
    z4 = sample_latents(1, G.dim_z, None, torch.Generator().manual_seed(4))
    with torch.no_grad():
        assert torch.allclose(zrows[0, -1], G(z4, torch.tensor([0]))[0], atol=1e-5)
    assert np.isfinite(zrows.numpy()).all()
