"""LAPGAN: the Laplacian pyramid, level-by-level training and coarse-to-fine sampling."""
import subprocess
import sys

import torch
import torch.nn.functional as F

from ganforge.models import build_discriminator, build_generator
from ganforge.models.lapgan import laplacian_pyramid, reconstruct

from ..conftest import tiny_config


def test_residuals_and_the_coarsest_level_rebuild_the_image_exactly():
    x = torch.rand(3, 2, 32, 32) * 2 - 1
    coarsest, residuals = laplacian_pyramid(x, levels=3)
    assert coarsest.shape == (3, 2, 8, 8) and [h.shape[-1] for h in residuals] == [16, 32]
    assert torch.allclose(reconstruct(coarsest, residuals), x, atol=1e-6)
    # a band-pass residual has zero mean over every 2×2 block
    assert torch.allclose(torch.nn.functional.avg_pool2d(residuals[-1], 2), torch.zeros(3, 2, 16, 16), atol=1e-6)


def test_levels_train_one_at_a_time_and_generated_pyramids_are_exact():
    cfg = tiny_config(name="lapgan")
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    G, D = build_generator(cfg), build_discriminator(cfg)
    assert G.levels == D.levels == 3
    z, y = torch.randn(4, cfg.model.dim_z), torch.arange(4)
    for level in range(3):
        G.zero_grad()
        D.zero_grad()
        for m in (G, D):
            m.set_stage(level, 1.0)
        x = G(z, y)
        assert x.shape == (4, 1, 32, 32)
        D(x, y).sum().backward()
        trained = [p.grad is not None for p in (G.coarsest[0].weight, *(r[0].weight for r in G.refine))]
        assert trained == [k == level for k in range(3)]  # only the current level's generator learns
        assert [e.weight.grad is not None for e in G.embeds] == trained  # and only its class embedding
        assert D.judges[level][0].weight.grad is not None
    G.eval()  # the finest sample's own pyramid is the generated one: its residuals have zero block means
    _, residuals = laplacian_pyramid(G(z, y), 3)
    assert torch.allclose(torch.nn.functional.avg_pool2d(residuals[-1], 2), torch.zeros(4, 1, 16, 16), atol=1e-5)


def test_the_ema_keeps_its_average_of_a_finished_level():
    # G_0 is done once level 1 trains: the EMA must keep its G_0 as it was, not drift to G_0's last weights
    from ganforge.training.ema import EMA
    cfg = tiny_config(name="lapgan")
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    G = build_generator(cfg)
    G.set_stage(0, 1.0)
    ema = EMA(G, decay=0.5)
    with torch.no_grad():
        G.coarsest[0].weight.add_(1.0)
    ema.update(1)  # level 0 trains: its EMA follows halfway
    assert torch.allclose(ema.model.coarsest[0].weight, G.coarsest[0].weight - 0.5)
    G.set_stage(1, 1.0)
    kept = ema.model.coarsest[0].weight.clone()
    with torch.no_grad():
        for p in (G.coarsest[0].weight, G.embeds[0].weight, G.refine[0][-1].weight, G.embeds[1].weight):
            p.add_(1.0)
    before = ema.model.refine[0][-1].weight.clone()
    ema.update(2)
    assert torch.equal(ema.model.coarsest[0].weight, kept)
    assert torch.allclose(ema.model.embeds[0].weight, G.embeds[0].weight - 1.0)
    assert torch.allclose(ema.model.refine[0][-1].weight, 0.5 * before + 0.5 * G.refine[0][-1].weight)
    assert torch.allclose(ema.model.embeds[1].weight, G.embeds[1].weight - 0.5)
    assert ema.model.level == 1  # the stage itself is copied
    assert G.finished_state() and all(k.startswith(("coarsest.", "embeds.0.")) for k in G.finished_state())


def test_the_unet_refiner_sees_the_whole_coarse_image():
    torch.manual_seed(0)
    cfg = tiny_config(name="lapgan")
    cfg.model.num_classes = 10
    plain = build_generator(cfg).refine[0]
    cfg.set("model.refiner", "unet")
    unet = build_generator(cfg).refine[0]
    for body in (plain, unet):
        body.eval()
    x = torch.randn(2, plain[0].in_channels, 16, 16, requires_grad=True)
    assert unet(x).shape == plain(x).shape == (2, 1, 16, 16)
    # how the far corner's output depends on the opposite corner's input pixel
    reach = [torch.autograd.grad(body(x)[:, 0, -1, -1].sum(), x)[0][:, :, 0, 0].abs().sum() for body in (plain, unet)]
    assert reach[0] == 0 and reach[1] > 0  # out of the convolutions' sight, in the U-Net's


def test_context_noise_changes_what_g_reads_not_the_coarse_image_it_refines():
    cfg = tiny_config(name="lapgan", context_noise=0.5)
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    G = build_generator(cfg)
    G.set_stage(1, 1.0)  # 16 px: G_1 refines an 8 px image
    x, y, z = torch.rand(4, 1, 32, 32) * 2 - 1, torch.arange(4), torch.randn(4, cfg.model.dim_z)
    coarse = lambda images: F.avg_pool2d(images, 4)  # noqa: E731  32 -> 8 px
    with torch.no_grad():
        G.train()
        first, second = G(z, y, context=x), G(z, y, context=x)
        assert (first - second).abs().max() > 1e-3  # each pass reads the coarse image through fresh noise
        assert torch.allclose(coarse(first), coarse(x), atol=1e-5)  # and refines the clean one
        G.eval()  # no noise outside training
        assert torch.equal(G(z, y, context=x), G(z, y, context=x))


def test_a_chain_share_of_gs_batch_refines_the_finished_generators_images_and_leaves_them_as_they_were():
    cfg = tiny_config(name="lapgan", chain_share=0.5)
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    G = build_generator(cfg)
    G.set_stage(2, 1.0)  # 32 px: G_2 refines a 16 px image, which G_0 and G_1 draw for half the batch
    x, y, z = torch.rand(4, 1, 32, 32) * 2 - 1, torch.arange(4), torch.randn(4, cfg.model.dim_z)
    G.train()
    stats = {k: v.clone() for k, v in G.state_dict().items() if "running" in k}
    fake = G(z, y, context=x)
    G.eval()
    with torch.no_grad():
        drawn = G.chain(z, y, 1)  # the finished levels' 16 px images, batch norm on running statistics
    coarse = F.avg_pool2d(fake.detach(), 2)
    assert torch.allclose(coarse[:2], drawn[:2], atol=1e-5)  # the first half refines what G_0, G_1 drew
    assert torch.allclose(coarse[2:], F.avg_pool2d(x[2:], 2), atol=1e-5)  # the rest refines real images
    fake.sum().backward()
    assert G.coarsest[0].weight.grad is None and G.refine[0][0].weight.grad is None
    assert G.refine[1][0].weight.grad is not None  # only the current level learns
    finished = [k for k in stats if not k.startswith("refine.1.")]  # the current level's own statistics move
    assert finished and all(torch.equal(G.state_dict()[k], stats[k]) for k in finished)
    G.train()
    with torch.no_grad():  # D's fakes (drawn without gradients) all refine real images: D_k never sees drawn ones
        assert torch.allclose(F.avg_pool2d(G(z, y, context=x), 2), F.avg_pool2d(x, 2), atol=1e-5)


def test_each_finer_judge_sees_the_coarse_image_beside_the_residual():
    cfg = tiny_config(name="lapgan")
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    D = build_discriminator(cfg)
    embed = cfg.model.shared_dim
    assert [j[0].in_channels for j in D.judges] == [1 + embed, 2 + embed, 2 + embed]
    x, y = torch.rand(4, 1, 32, 32) * 2 - 1, torch.arange(4)
    coarse_changed = x + torch.nn.functional.interpolate(torch.randn(4, 1, 16, 16), scale_factor=2.0)
    D.set_stage(2, 1.0)
    with torch.no_grad():  # the same residual on another coarse image is judged differently
        assert (D(x, y) - D(coarse_changed, y)).abs().max() > 1e-4


def test_each_judge_may_see_the_spread_inside_each_class():
    cfg = tiny_config(name="lapgan", mbstd_by_class=True)
    cfg.model.num_classes = 10
    torch.manual_seed(0)
    D = build_discriminator(cfg)
    x, y = torch.randn(4, 1, 32, 32), torch.tensor([0, 0, 1, 1])
    same_class, other_class = x.clone(), x.clone()
    same_class[1], other_class[2] = 10 * torch.randn(1, 32, 32), 10 * torch.randn(1, 32, 32)  # far from x
    with torch.no_grad():
        for level in range(D.levels):
            D.set_stage(level, 1.0)
            same = (D(x, y)[0] - D(same_class, y)[0]).abs()  # a batch-mate of its class counts
            other = (D(x, y)[0] - D(other_class, y)[0]).abs()  # one of another class does not (float rounding)
            assert same > 1e-6 and other < same / 100


def test_lapgan_trains_and_samples_from_the_cli(tmp_path):
    run = tmp_path / "lap"
    done = subprocess.run([sys.executable, "-m", "ganforge", "train", "--model", "lapgan", "--preset", "fashion32-cpu",
                           "--out", str(run), "--no-progress", "--device", "cpu", "--set", "train.steps=6", "--set",
                           "train.batch_size=8", "--set", "model.ch=2", "--set", "model.d_ch=2", "--set",
                           "model.mbstd_by_class=false"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    sheets = sorted(p.name for p in (run / "samples").iterdir())
    assert sheets == ["step-00000003.png", "step-00000005.png", "step-00000006.png"]  # a sheet per level, the end
    out = tmp_path / "bag.png"
    sample = subprocess.run([sys.executable, "-m", "ganforge", "sample", str(run), "--class", "Bag", "--n", "4",
                             "--out", str(out)], capture_output=True, text=True)
    assert sample.returncode == 0 and out.stat().st_size > 0, sample.stderr
