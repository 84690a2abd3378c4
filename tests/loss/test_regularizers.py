"""The loss family, gradient penalties and DiffAugment: values on known inputs, and a few training steps each."""
import json
import math

import pytest
import torch

from ganforge import train
from ganforge.augment import diff_augment, parse_policy
from ganforge.config import ConfigError
from ganforge.errors import GanforgeError
from ganforge.loss.terms import D_LOSSES, G_LOSSES, gradient_penalty, r1_penalty

from ..conftest import tiny_train_config

D_REAL, D_FAKE = torch.tensor([2.0, 0.0, -1.0]), torch.tensor([-1.0, 0.0, 3.0])


def softplus(v: float) -> float:
    return math.log1p(math.exp(v))


@pytest.mark.parametrize("name, real, fake, g", [
    ("bce", (softplus(-2) + softplus(0) + softplus(1)) / 3, (softplus(-1) + softplus(0) + softplus(3)) / 3,
     (softplus(1) + softplus(0) + softplus(-3)) / 3),
    ("minimax", (softplus(-2) + softplus(0) + softplus(1)) / 3, (softplus(-1) + softplus(0) + softplus(3)) / 3,
     -(softplus(-1) + softplus(0) + softplus(3)) / 3),
    ("wasserstein", -(2 + 0 - 1) / 3, (-1 + 0 + 3) / 3, -(-1 + 0 + 3) / 3),
    ("ls", 0.5 * (1 + 1 + 4) / 3, 0.5 * (1 + 0 + 9) / 3, 0.5 * (4 + 1 + 4) / 3),
])
def test_loss_values_on_known_scores(name, real, fake, g):
    r, f = D_LOSSES[name](D_REAL, D_FAKE)
    assert r.item() == pytest.approx(real) and f.item() == pytest.approx(fake)
    assert G_LOSSES[name](D_FAKE).item() == pytest.approx(g)


def test_minimax_generator_loss_is_log_one_minus_d():
    p = torch.sigmoid(D_FAKE)
    assert G_LOSSES["minimax"](D_FAKE).item() == pytest.approx(torch.log(1 - p).mean().item(), abs=1e-6)


def test_gradient_penalty_equals_the_analytic_value_on_a_linear_critic():
    w = torch.tensor([3.0, -4.0, 12.0])  # ‖w‖ = 13

    def critic(x, y):
        return x.flatten(1) @ w

    real, fake = torch.randn(5, 3), torch.randn(5, 3)
    gp = gradient_penalty(critic, real, fake, torch.zeros(5, dtype=torch.long), torch.rand(5))
    assert gp.item() == pytest.approx((13 - 1) ** 2)


def test_r1_on_a_quadratic_and_its_gradient_reaches_the_critic():
    c = torch.tensor(1.5, requires_grad=True)

    def critic(x, y):  # D(x) = c/2 ‖x‖² → ∇ₓD = c·x, E‖∇‖² = c²·E‖x‖²
        return 0.5 * c * x.flatten(1).pow(2).sum(1)

    x = torch.randn(6, 2, 3, 3)
    r1 = r1_penalty(critic, x, torch.zeros(6, dtype=torch.long))
    expected = 1.5 ** 2 * x.flatten(1).pow(2).sum(1).mean()
    assert r1.item() == pytest.approx(expected.item(), rel=1e-6)
    r1.backward()  # d/dc (c² m) = 2 c m
    assert c.grad.item() == pytest.approx(2 * 1.5 * x.flatten(1).pow(2).sum(1).mean().item(), rel=1e-6)


def test_diffaugment_is_differentiable_and_identical_on_real_and_fake_with_the_same_draws():
    ops = parse_policy("color,translation,cutout")
    real = torch.rand(4, 3, 16, 16, requires_grad=True)
    fake = real.detach().clone().requires_grad_(True)
    a = diff_augment(real, ops, torch.Generator().manual_seed(5))
    b = diff_augment(fake, ops, torch.Generator().manual_seed(5))
    assert torch.equal(a, b) and not torch.equal(a, real)
    a.sum().backward()
    assert real.grad is not None and real.grad.abs().sum() > 0
    # cutout zeroes a quarter of the image; translation moves content without changing it
    hole = diff_augment(torch.ones(8, 1, 16, 16), ["cutout"], torch.Generator().manual_seed(0))
    assert ((hole == 0).flatten(1).sum(1) <= 64).all() and (hole == 0).any()
    x = torch.zeros(1, 1, 16, 16)
    x[0, 0, 8, 8] = 1.0
    moved = diff_augment(x, ["translation"], torch.Generator().manual_seed(3))
    assert moved.sum().item() == 1.0  # the pixel moved by at most 2 (1/8 of 16) in each direction
    r, c = (moved[0, 0] == 1).nonzero()[0].tolist()
    assert abs(r - 8) <= 2 and abs(c - 8) <= 2


def test_diffaugment_slice_of_a_global_batch_matches_the_whole():
    x = torch.rand(8, 1, 8, 8)
    whole = diff_augment(x, ["color", "translation", "cutout"], torch.Generator().manual_seed(1))
    half = diff_augment(x[4:], ["color", "translation", "cutout"], torch.Generator().manual_seed(1), 8, slice(4, 8))
    assert torch.allclose(whole[4:], half)


@pytest.mark.parametrize("settings, message", [
    ({"loss.gp": 10.0, "loss.r1": 1.0}, "choose one gradient penalty"),
    ({"loss.drift": 0.001}, "wasserstein"),
    ({"loss.r1_every": 4}, "no effect without loss.r1"),
    ({"augment.diffaugment": "color,zoom"}, "'zoom' is unknown"),
])
def test_nonsensical_combinations_are_rejected(settings, message):
    cfg = tiny_train_config()
    with pytest.raises(ConfigError, match=message):
        for k, v in settings.items():
            cfg.set(k, v)
        cfg.validate()
    assert issubclass(ConfigError, GanforgeError)


@pytest.mark.parametrize("settings", [
    {"loss.name": "wasserstein", "loss.gp": 10.0, "loss.drift": 0.001},
    {"loss.name": "bce", "loss.r1": 1.0, "loss.r1_every": 2, "augment.diffaugment": "color,translation,cutout"},
    {"loss.name": "minimax"},
    {"loss.name": "ls", "augment.diffaugment": "translation"},
])
def test_each_loss_and_regulariser_trains(tmp_path, settings):
    cfg = tiny_train_config(steps=2)
    for k, v in settings.items():
        cfg.set(k, v)
    train(cfg, tmp_path / "run", show_progress=False, notify=lambda m: None)
    rows = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and all(math.isfinite(r["d_loss_real"]) and math.isfinite(r["g_loss"]) for r in rows)
    for key, penalty in (("loss.gp", "d_gp"), ("loss.r1", "d_r1"), ("loss.drift", "d_drift")):
        if key in settings:
            assert penalty in rows[0]
    if "loss.r1_every" in settings:  # d_steps 2, lazy every 2: one of each step's two D updates is penalised
        assert all(r["d_r1"] > 0 for r in rows)
