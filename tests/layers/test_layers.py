import pytest
import torch
import torch.nn.functional as F

from ganforge.layers import ClassEmbedding, ConditionalBatchNorm2d, SelfAttention, SNConv2d, SNLinear
from ganforge.layers.conditioning import accumulate_standing_stats


def test_spectral_norm_drives_largest_singular_value_to_one():
    torch.manual_seed(0)
    layer = SNLinear(20, 30)
    with torch.no_grad():
        layer.weight.mul_(7.0)
    x = torch.randn(4, 20)
    for _ in range(50):  # power iteration converges over training-mode forwards
        layer(x)
    w = layer.normalized_weight()
    assert torch.linalg.matrix_norm(w, ord=2).item() == pytest.approx(1.0, rel=1e-3)
    assert layer.sigma.item() == pytest.approx(torch.linalg.matrix_norm(layer.weight, ord=2).item(), rel=1e-3)


def test_spectral_norm_conv_uses_reshaped_weight_and_eval_does_not_update_u():
    torch.manual_seed(0)
    conv = SNConv2d(3, 8, 3, padding=1)
    x = torch.randn(2, 3, 5, 5)
    for _ in range(30):
        conv(x)
    mat = conv.normalized_weight().reshape(8, -1)
    assert torch.linalg.matrix_norm(mat, ord=2).item() == pytest.approx(1.0, rel=1e-3)
    conv.eval()
    u = conv.u.clone()
    out = conv(x)
    assert torch.equal(u, conv.u)
    assert torch.allclose(out, F.conv2d(x, conv.normalized_weight(), conv.bias, padding=1))


def test_spectral_norm_gradient_flows_through_sigma():
    torch.manual_seed(0)
    layer = SNLinear(6, 5, bias=False)
    for _ in range(30):
        layer(torch.randn(1, 6))
    x = torch.randn(3, 6)
    layer(x).sum().backward()
    g_ours = layer.weight.grad.clone()
    # reference: W / (u^T W v) with u, v fixed at the converged vectors
    w = layer.weight.detach().clone().requires_grad_(True)
    u = layer.u.clone()
    v = F.normalize(w.detach().t() @ u, dim=0, eps=1e-6)
    u2 = F.normalize(w.detach() @ v, dim=0, eps=1e-6)
    F.linear(x, w / torch.dot(u2, w @ v)).sum().backward()
    assert torch.allclose(g_ours, w.grad, atol=1e-4)


def test_conditional_bn_gain_is_one_plus_linear():
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(4, cond_dim=6)
    x, c = torch.randn(8, 4, 3, 3), torch.randn(8, 6)
    with torch.no_grad():
        cbn.gain.weight.zero_()
        cbn.bias.weight.zero_()
    cbn.eval()
    plain = F.batch_norm(x, cbn.bn.running_mean, cbn.bn.running_var, eps=cbn.bn.eps)
    assert torch.allclose(cbn(x, c), plain)  # gain 0 -> scale 1, not 0: the "+1"
    cbn.train()
    cbn.gain.eval()  # keep the spectral-norm vectors still so gain(c) can be recomputed below
    cbn.bias.eval()
    with torch.no_grad():
        cbn.gain.weight.normal_()
        cbn.bias.weight.normal_()
    out = cbn(x, c)
    x_hat = (x - x.mean((0, 2, 3), keepdim=True)) / torch.sqrt(x.var((0, 2, 3), unbiased=False, keepdim=True) + 1e-5)
    expected = x_hat * (1 + cbn.gain(c))[:, :, None, None] + cbn.bias(c)[:, :, None, None]
    assert torch.allclose(out, expected, atol=1e-5)


def test_conditional_bn_with_class_embeddings_and_soft_classes():
    cbn = ConditionalBatchNorm2d(4, cond_dim=None, num_classes=3)
    x = torch.randn(2, 4, 3, 3)
    y = torch.tensor([0, 2])
    soft = F.one_hot(y, 3).float()
    assert torch.allclose(cbn(x, y), cbn(x, soft), atol=1e-6)
    emb = ClassEmbedding(3, 5)
    mix = emb(torch.tensor([[0.25, 0.75, 0.0]]))
    assert torch.allclose(mix, 0.25 * emb.weight[0] + 0.75 * emb.weight[1])


def test_attention_gamma_zero_is_identity_and_rows_sum_to_one():
    torch.manual_seed(0)
    att = SelfAttention(16)
    x = torch.randn(2, 16, 8, 8)
    assert torch.equal(att(x), x)
    with torch.no_grad():
        att.gamma.fill_(0.7)
    out, beta = att(x, return_map=True)
    assert beta.shape == (2, 64, 16)  # queries = all positions, keys = 2x2-pooled positions
    assert torch.allclose(beta.sum(-1), torch.ones(2, 64), atol=1e-5)
    assert (beta >= 0).all()
    att.eval()
    assert torch.allclose(att(x), att(x, return_map=True)[0], atol=1e-5)  # fused path == explicit map


def test_standing_stats_average_batch_statistics():
    torch.manual_seed(0)

    class Tiny(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = torch.nn.BatchNorm2d(3)

        def forward(self, z, y):
            return self.bn(z)

    model = Tiny()
    batches = [torch.randn(16, 3, 2, 2) * (i + 1) + i for i in range(4)]
    it = iter(batches)
    accumulate_standing_stats(model, 4, 16, lambda n: (next(it), None))
    means = torch.stack([b.mean((0, 2, 3)) for b in batches]).mean(0)
    assert torch.allclose(model.bn.running_mean, means, atol=1e-5)
    assert not model.training


def test_spectral_norm_matches_torch_reference_in_training_mode():
    """Same power iteration as torch.nn.utils.spectral_norm (train mode) from the same starting u."""
    torch.manual_seed(0)
    ours = SNConv2d(4, 6, 3, padding=1, sn_eps=1e-12)
    ref = torch.nn.Conv2d(4, 6, 3, padding=1)
    ref.load_state_dict({"weight": ours.weight.detach().clone(), "bias": ours.bias.detach().clone()})
    ref = torch.nn.utils.spectral_norm(ref, eps=1e-12)
    with torch.no_grad():
        ours.u.copy_(ref.weight_u)
    x = torch.randn(2, 4, 7, 7)
    for _ in range(3):
        assert torch.allclose(ours(x), ref(x), atol=1e-5)
        assert torch.allclose(ours.u, ref.weight_u, atol=1e-6)


@pytest.mark.parametrize("stats", ["batch", "truncation"])
def test_conditional_bn_with_stored_statistics_folds_into_one_scale_and_shift(stats):
    """Sampling: x·scale + shift equals BN(x)·(1 + gain) + bias; training keeps batch statistics."""
    from ganforge.layers.conditioning import ConditionalBatchNorm2d
    torch.manual_seed(0)
    cbn = ConditionalBatchNorm2d(6, 5, bn_eps=1e-4, stats=stats, n_stats=3)
    norm = cbn.bn
    with torch.no_grad():
        if stats == "batch":
            norm.running_mean.normal_()
            norm.running_var.uniform_(0.5, 2)
        else:
            norm.running_means.normal_()
            norm.running_vars.uniform_(0.5, 2)
            norm.truncation = 0.7  # a blend of two rows
    x, c = torch.randn(4, 6, 5, 5).to(memory_format=torch.channels_last), torch.randn(4, 5)
    cbn.eval()
    with torch.no_grad():
        want = norm(x) * (1 + cbn.gain(c))[:, :, None, None] + cbn.bias(c)[:, :, None, None]
        got = cbn(x, c)
    assert torch.allclose(got, want, atol=1e-6) and got.is_contiguous(memory_format=torch.channels_last)
    if stats == "batch":
        cbn.train()
        cbn.gain.eval(), cbn.bias.eval()  # the same gain and bias in both calls below (no power-iteration step)
        assert cbn.fixed_statistics() is None
        out = cbn(x, c)
        normalised = (out - cbn.bias(c)[:, :, None, None]) / (1 + cbn.gain(c))[:, :, None, None]
        assert normalised.mean(dim=(0, 2, 3)).abs().max() < 1e-5  # batch statistics


def test_the_class_wise_stddev_map_backpropagates_in_a_fixed_order_with_two_threads():
    """Indexing's backward (index_put with accumulate) sums a class's gradients in a thread-dependent order on
    the CPU once a tensor is past torch's grain size; the layer's must not, or runs do not repeat."""
    from ganforge.layers.minibatch import ClassStdDev
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        layer = ClassStdDev(10)
        x = torch.randn(64, 64, 16, 16, generator=torch.Generator().manual_seed(0))
        y = torch.arange(64) % 10
        weights = torch.randn(64, 65, 16, 16, generator=torch.Generator().manual_seed(1))
        grads = []
        for _ in range(16):
            xi = x.clone().requires_grad_(True)
            (layer(xi, y) * weights).sum().backward()
            grads.append(xi.grad)
        assert all(torch.equal(grads[0], g) for g in grads[1:])
    finally:
        torch.set_num_threads(threads)
