"""The objective (loss.GANLoss) term by term, without a trainer: the regularisers of R3GAN, LeCam and the
adaptive augmentation probability, and that a run using them resumes bit-identically."""
import json

import pytest
import torch
import torch.nn.functional as F

from ganforge import train
from ganforge.augment import Draws
from ganforge.checkpoint import latest_checkpoint, load_state
from ganforge.config import Config, ConfigError
from ganforge.sections import AugmentConfig, LossConfig
from ganforge.loss import GANLoss, Phase
from ganforge.loss.objective import scores_separately
from ganforge.loss.terms import r1_penalty
from ganforge.models import build_discriminator, build_generator

from ..conftest import tiny_config, tiny_train_config
from ..training.test_reliability import same_training_state


def _nets():
    torch.manual_seed(0)
    cfg = tiny_config()
    return build_generator(cfg), build_discriminator(cfg)


def _batch(n=6):
    g = torch.Generator().manual_seed(1)
    return torch.rand(n, 1, 32, 32, generator=g) * 2 - 1, torch.randint(10, (n,), generator=g), \
        torch.randn(n, 20, generator=g), torch.randint(10, (n,), generator=g)


def _phase(G, D, reals=None):
    return Phase(G, D, D, Draws(torch.Generator().manual_seed(2), 6), real_batch=reals)


def _objective(loss=(), augment=()) -> GANLoss:
    return GANLoss(LossConfig(**dict(loss)), AugmentConfig(**dict(augment)))


def test_d_terms_are_the_plain_functions_of_the_scores():
    G, D = _nets()
    x, y, z, y_fake = _batch()
    terms = _objective(loss={"r1": 2.0, "r2": 4.0}).d_terms(_phase(G, D), x, y, z, y_fake)
    with torch.no_grad():
        fake = G(z, y_fake)
    d_real, d_fake = D(x, y), D(fake, y_fake)
    assert torch.allclose(terms["d_loss_real"], F.relu(1 - d_real).mean(), atol=1e-6)
    assert torch.allclose(terms["d_loss_fake"], F.relu(1 + d_fake).mean(), atol=1e-6)
    assert torch.allclose(terms["d_r1"], 1.0 * r1_penalty(D, x, y), rtol=1e-5)
    assert torch.allclose(terms["d_r2"], 2.0 * r1_penalty(D, fake, y_fake), rtol=1e-5)  # γ/2 on the fakes


def test_a_discriminator_with_batch_statistics_scores_reals_and_fakes_apart():
    cfg = tiny_config(name="dcgan", dim_z=20)
    torch.manual_seed(0)
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert scores_separately(D) and not scores_separately(_nets()[1])  # DCGAN's D has BN, BigGAN's has none
    x, y, z, y_fake = _batch()
    terms = _objective(loss={"name": "bce"}).d_terms(_phase(G, D), x, y, z, y_fake)
    with torch.no_grad():
        fake = G(z, y_fake)
    # each batch normalised by its own statistics, as G's step (all fakes) will see them
    assert torch.allclose(terms["d_loss_real"], F.softplus(-D(x, y)).mean(), atol=1e-6)
    assert torch.allclose(terms["d_loss_fake"], F.softplus(D(fake, y_fake)).mean(), atol=1e-6)
    mixed = D(torch.cat([fake, x]), torch.cat([y_fake, y]))[len(x):]
    assert (mixed - D(x, y)).abs().max() > 1e-2 * D(x, y).abs().max()  # one pass would have scored them otherwise


def test_mode_seeking_term_is_msgan_formula_on_same_class_pairs():
    G, D = _nets()
    _, _, z, y = _batch()
    g = _objective(loss={"mode_seeking": 2.0}).g_terms(_phase(G, D), z, y)
    torch.manual_seed(0)  # G in train mode: the halves' BN statistics are their own, as in the term's passes
    with torch.no_grad():
        a, b = G(z, y)[:3], G(z.flip(0)[:3], y[:3])
    expected = 2.0 / ((a - b).abs().mean() / (z[:3] - z.flip(0)[:3]).abs().mean() + 1e-5)
    assert torch.allclose(g["g_mode_seeking"], expected, rtol=1e-4)
    assert torch.allclose(g["g_loss"], -D(G(z, y), y).mean(), atol=1e-5)  # the adversarial term is unchanged
    g["g_mode_seeking"].backward()
    assert G.linear.weight.grad.abs().sum() > 0  # it trains G


def test_relativistic_pairing_for_both_players():
    G, D = _nets()
    x, y, z, y_fake = _batch()
    objective = _objective(loss={"name": "rpgan"})
    d = objective.d_terms(_phase(G, D), x, y, z, y_fake)
    with torch.no_grad():
        fake = G(z, y_fake)
    assert set(d) == {"d_loss"}
    assert torch.allclose(d["d_loss"], F.softplus(D(fake, y_fake) - D(x, y)).mean(), atol=1e-6)
    g = objective.g_terms(_phase(G, D, reals=lambda: (x, y)), z, y_fake)
    assert torch.allclose(g["g_loss"], F.softplus(D(x, y) - D(G(z, y_fake), y_fake)).mean(), atol=1e-6)
    g["g_loss"].backward()
    assert any(p.grad is not None for p in G.parameters())


def test_a_generator_with_real_context_refines_the_reals_and_takes_their_classes():
    cfg = tiny_config(name="lapgan", dim_z=20)
    torch.manual_seed(0)
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert G.real_context and not _nets()[0].real_context
    for m in (G, D):
        m.set_stage(1, 1.0)  # 16 px: G_1 refines an 8 px image
    G.eval()  # BN with running statistics: the objective's passes and these give the same images
    x, y, z, y_fake = _batch()
    objective = _objective(loss={"name": "bce"})
    d = objective.d_terms(Phase(G, D, D, Draws(torch.Generator().manual_seed(2), 6), real_context=True), x, y, z,
                          y_fake)
    with torch.no_grad():
        fake = G(z, y, context=x)  # the reals' classes, not y_fake
        # a fake's own coarse image is its real's: D sees the same context beside a real and a fake residual
        coarse = lambda images: F.avg_pool2d(F.avg_pool2d(images, 2), 2)  # noqa: E731  32 -> 16 -> 8 px
        assert torch.allclose(coarse(fake), coarse(x), atol=1e-5)
        assert (coarse(G(z, y)) - coarse(x)).abs().max() > 0.1  # without context G makes its own
    assert torch.allclose(d["d_loss_fake"], F.softplus(D(fake, y)).mean(), atol=1e-6)
    served = []
    reals = lambda: served.append(1) or (x, y)  # noqa: E731
    g = objective.g_terms(Phase(G, D, D, Draws(torch.Generator().manual_seed(2), 6), real_batch=reals,
                                real_context=True), z, y_fake)
    assert served == [1] and torch.allclose(g["g_loss"], F.softplus(-D(G(z, y, context=x), y)).mean(), atol=1e-6)


def test_lecam_anchors_move_and_the_penalty_uses_them():
    G, D = _nets()
    x, y, z, y_fake = _batch()
    objective = _objective(loss={"lecam": 0.5, "lecam_decay": 0.9})
    first = objective.d_terms(_phase(G, D), x, y, z, y_fake)
    with torch.no_grad():
        d_real, d_fake = D(x, y), D(G(z, y_fake), y_fake)
    a_real, a_fake = d_real.mean().item(), d_fake.mean().item()
    assert objective.anchors == pytest.approx({"real": a_real, "fake": a_fake})  # the first batch's means
    assert first["d_lecam"].item() == pytest.approx(
        0.5 * ((d_real - a_fake).pow(2).mean() + (d_fake - a_real).pow(2).mean()).item(), rel=1e-5)
    x2 = -x
    objective.d_terms(_phase(G, D), x2, y, z, y_fake)
    with torch.no_grad():
        r2 = D(x2, y).mean().item()
    assert objective.anchors["real"] == pytest.approx(0.9 * a_real + 0.1 * r2, rel=1e-5)
    restored = _objective(loss={"lecam": 0.5})
    restored.load_state_dict(json.loads(json.dumps(objective.state_dict())))
    assert restored.anchors == objective.anchors


class _Scores(torch.nn.Module):
    """A stand-in D that scores every image the same."""

    def __init__(self, value: float):
        super().__init__()
        self.value = value

    def forward(self, x, y):
        return torch.full((len(x),), self.value)


def test_adaptive_probability_follows_the_overfitting_heuristic():
    x, y, z, y_fake = _batch()
    G = lambda z, y: torch.zeros(len(z), 1, 32, 32)  # noqa: E731
    objective = _objective(augment={"diffaugment": "translation", "p": 0.0, "ada_target": 0.6, "ada_interval": 2,
                                    "ada_images": 120})
    overfit = _phase(G, _Scores(1.0))  # r = 1 > 0.6: more augmentation
    for _ in range(4):
        objective.d_terms(overfit, x, y, z, y_fake)
    assert objective.p == pytest.approx(2 * 2 * 6 / 120) and objective.log_values()["ada_r"] == 1.0
    for _ in range(40):
        objective.d_terms(overfit, x, y, z, y_fake)
    assert objective.p == 1.0  # clamped
    for _ in range(2):
        objective.d_terms(_phase(G, _Scores(-1.0)), x, y, z, y_fake)  # r = -1 < 0.6: less
    assert objective.p == pytest.approx(1 - 2 * 6 / 120)


def test_probability_decides_which_images_are_augmented():
    x = torch.rand(64, 1, 16, 16) + 1  # cutout zeroes a square, so a changed image is easy to see
    for p, low, high in ((0.0, 0, 0), (1.0, 64, 64), (0.5, 16, 48)):
        objective = _objective(augment={"diffaugment": "cutout", "p": p})
        out = objective.augmented(x, Draws(torch.Generator().manual_seed(0), 64))
        changed = int((out != x).flatten(1).any(1).sum())
        assert low <= changed <= high, (p, changed)


def test_config_rules():
    for values, message in (({"augment.ada_target": 0.6}, "set augment.diffaugment"),
                            ({"loss.gp": 10.0, "loss.r2": 1.0}, "choose WGAN-GP"),
                            ({"loss.name": "rpgan", "model.name": "dcgan", "loss.feature_matching": 1.0},
                             "pairs real and fake")):
        cfg = Config()
        for key, value in values.items():
            cfg.set(key, value)
        with pytest.raises(ConfigError, match=message):
            cfg.validate()


def test_a_run_with_lecam_r2_and_adaptive_augmentation_resumes_bit_identically(tmp_path):
    def config(steps):
        cfg = tiny_train_config(steps=steps, checkpoint_every=2)
        for key, value in {"loss.name": "rpgan", "loss.r1": 0.5, "loss.r2": 0.5, "loss.lecam": 0.1,
                           "augment.diffaugment": "translation,color", "augment.p": 0.2, "augment.ada_target": 0.6,
                           "augment.ada_interval": 1, "augment.ada_images": 200}.items():
            cfg.set(key, value)
        return cfg.validate()

    train(config(4), tmp_path / "full", show_progress=False)
    train(config(2), tmp_path / "resumed", show_progress=False)
    train(config(4), tmp_path / "resumed", resume=True, show_progress=False)
    full, resumed = (load_state(latest_checkpoint(tmp_path / r)) for r in ("full", "resumed"))
    assert same_training_state(full, resumed) and full["loss"] == resumed["loss"]
    assert full["loss"]["p"] != 0.2  # p moved
    logged = [json.loads(line) for line in (tmp_path / "full" / "log.jsonl").read_text().splitlines()]
    assert all(0 <= r["aug_p"] <= 1 and "d_lecam" in r and "d_r2" in r for r in logged if "event" not in r)
