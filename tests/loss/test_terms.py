import pytest
import torch

from ganforge.loss.terms import add_orthogonal_regularization_grad, hinge_d, hinge_g, orthogonal_penalty
from ganforge.training.ema import EMA


def test_hinge_loss_values():
    d_real = torch.tensor([2.0, 0.5, -1.0])
    d_fake = torch.tensor([-2.0, 0.0, 1.0])
    real, fake = hinge_d(d_real, d_fake)
    assert real.item() == pytest.approx((0 + 0.5 + 2.0) / 3)
    assert fake.item() == pytest.approx((0 + 1.0 + 2.0) / 3)
    assert hinge_g(d_fake).item() == pytest.approx(-(-2.0 + 0.0 + 1.0) / 3)


def test_orthogonal_regularization_gradient_matches_analytic_formula():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 5, 3), torch.nn.Linear(4, 6))
    skip = [model[1].weight]
    beta = 1e-2
    for p in model.parameters():
        p.grad = torch.zeros_like(p)
    add_orthogonal_regularization_grad(model, beta, skip=skip)
    w = model[0].weight.detach().clone().requires_grad_(True)
    # the added gradient is that of (beta / 2) * ||W W^T * (1 - I)||_F^2 ...
    (beta / 2 * orthogonal_penalty(w)).backward()
    assert torch.allclose(model[0].weight.grad, w.grad, atol=1e-6)
    # ... i.e. 2 beta ((W W^T) * (1 - I)) W, written out
    m = model[0].weight.detach().reshape(5, -1)
    analytic = 2 * beta * ((m @ m.t()) * (1 - torch.eye(5))) @ m
    assert torch.allclose(model[0].weight.grad.reshape(5, -1), analytic, atol=1e-6)
    assert torch.count_nonzero(model[1].weight.grad) == 0  # skipped
    assert torch.count_nonzero(model[0].bias.grad) == 0  # 1-D parameters are never regularised


def test_ema_arithmetic_and_start():
    src = torch.nn.Linear(2, 1)
    ema = EMA(src, decay=0.9, start=2)
    with torch.no_grad():
        src.weight.fill_(1.0)
    ema.update(1)  # before start: copy
    assert torch.equal(ema.model.weight, src.weight)
    with torch.no_grad():
        src.weight.fill_(3.0)
    ema.update(2)
    assert torch.allclose(ema.model.weight, torch.full((1, 2), 0.9 * 1.0 + 0.1 * 3.0))
    ema.update(3)
    assert torch.allclose(ema.model.weight, torch.full((1, 2), 0.9 * 1.2 + 0.1 * 3.0))


def test_ema_warmup_rises_from_the_start_and_from_each_level():
    src = torch.nn.Linear(2, 1)
    ema = EMA(src, decay=0.999, start=2, warmup=True)
    with torch.no_grad():
        src.weight.fill_(1.0)
    ema.update(1)  # before start: copy
    with torch.no_grad():
        src.weight.fill_(3.0)
    ema.update(2)  # n = 0 steps since start: decay 1/10
    assert torch.allclose(ema.model.weight, torch.full((1, 2), 0.1 * 1.0 + 0.9 * 3.0))
    ema.update(50, level_steps=1)  # a level began a step ago: decay 2/11, not the 48 steps since start
    assert torch.allclose(ema.model.weight, torch.full((1, 2), 2 / 11 * 2.8 + 9 / 11 * 3.0))
    with torch.no_grad():
        src.weight.fill_(4.0)
    before = ema.model.weight.clone()
    ema.update(20000, level_steps=19000)  # (1 + n) / (10 + n) is past 0.999: the decay itself
    assert torch.allclose(ema.model.weight, 0.999 * before + 0.001 * 4.0)


def test_ema_warmup_horizon_sets_the_fraction_of_steps_averaged():
    src = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        src.weight.fill_(1.0)
    mean = EMA(src, decay=0.9999, warmup=True, warmup_horizon=1.0)  # (1 + n) / (2 + n): the plain running mean
    quarter = EMA(src, decay=0.9999, warmup=True, warmup_horizon=0.25)  # (1 + n) / (5 + n)
    values = [5.0, 1.0, 2.0, 6.0, 3.0]
    for step, v in enumerate(values):
        with torch.no_grad():
            src.weight.fill_(v)
        mean.update(step)
        quarter.update(step)
    assert mean.model.weight.item() == pytest.approx((1.0 + sum(values)) / 6)  # the initial 1.0, then each step's
    expect = 1.0
    for n, v in enumerate(values):
        decay = (1 + n) / (5 + n)
        expect = decay * expect + (1 - decay) * v
    assert quarter.model.weight.item() == pytest.approx(expect)
    capped = EMA(src, decay=0.5, warmup=True, warmup_horizon=1.0)  # the cap still binds once (1 + n) / (2 + n) > 0.5
    capped.update(3)
    with torch.no_grad():
        src.weight.fill_(7.0)
    before = capped.model.weight.item()
    capped.update(4)
    assert capped.model.weight.item() == pytest.approx(0.5 * before + 0.5 * 7.0)


def test_ema_averages_buffers_and_copies_counters():
    src = torch.nn.BatchNorm1d(2)
    ema = EMA(src, decay=0.5, start=0)
    src.train()
    src(torch.ones(4, 2) * 4 + torch.arange(4.0)[:, None])
    ema.update(1)
    assert torch.allclose(ema.model.running_mean, 0.5 * torch.zeros(2) + 0.5 * src.running_mean)
    assert ema.model.num_batches_tracked.item() == 1
