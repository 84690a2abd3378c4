import numpy as np
import pytest
import torch
from PIL import Image
from scipy import linalg

from ganforge.errors import GanforgeError
from ganforge.metrics.registry import METRICS, Inputs, compute_metrics, format_table, headline, parse_metrics, protocol
from ganforge.metrics.fid import StreamingStats, frechet_distance, stats_of
from ganforge.metrics.inception import InceptionV3TF, find_weights, resize_clean, resize_tf
from ganforge.metrics.inception_score import inception_score
from ganforge.metrics.kid import kid, mmd2_unbiased
from ganforge.metrics.prdc import density_coverage, precision_recall


def test_fid_of_two_gaussians_matches_the_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, -1.0, 0.5])
    s1, s2 = np.diag([1.0, 2.0, 3.0]), np.diag([4.0, 0.5, 1.0])
    expected = ((mu1 - mu2) ** 2).sum() + sum(a + b - 2 * np.sqrt(a * b) for a, b in [(1, 4), (2, 0.5), (3, 1)])
    assert frechet_distance(mu1, s1, mu2, s2) == pytest.approx(expected, rel=1e-10)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    s3 = a @ a.T + np.eye(3)
    ref = ((mu1 - mu2) ** 2).sum() + np.trace(s1 + s3) - 2 * np.trace(linalg.sqrtm(s1 @ s3).real)
    assert frechet_distance(mu1, s1, mu2, s3) == pytest.approx(ref, rel=1e-10)


def test_fid_of_a_set_with_itself_is_zero_and_streaming_stats_are_exact():
    x = np.random.default_rng(1).standard_normal((500, 16)) * 3 + 1
    s = StreamingStats(16)
    for chunk in np.array_split(x, 7):
        s.add(torch.from_numpy(chunk))
    assert np.allclose(s.mean, x.mean(0)) and np.allclose(s.cov, np.cov(x, rowvar=False))
    assert abs(frechet_distance(*stats_of(x), *stats_of(x))) < 1e-6


def test_fid_singular_covariances_use_the_eps_retry():
    x = np.random.default_rng(2).standard_normal((5, 20))  # 5 samples in 20-d: rank-deficient covariances
    y = np.random.default_rng(3).standard_normal((5, 20))
    assert np.isfinite(frechet_distance(*stats_of(x), *stats_of(y)))


def test_kid_is_near_zero_for_one_distribution_and_exact_on_a_tiny_case():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1500, 8)), rng.standard_normal((1500, 8))
    r = kid(a, b, subsets=20)
    assert abs(r["mean"]) < 0.01 and r["subset_size"] == 1000
    assert kid(a, b + 1.0, subsets=20)["mean"] > 10 * abs(r["mean"])
    x, y = np.array([[1.0], [2.0]]), np.array([[0.0], [1.0]])
    k = lambda u, v: (u * v + 1) ** 3  # noqa: E731  (d = 1)
    expected = (2 * k(1, 2)) / 2 + (2 * k(0, 1)) / 2 - 2 * (k(1, 0) + k(1, 1) + k(2, 0) + k(2, 1)) / 4
    assert mmd2_unbiased(x, y) == pytest.approx(expected)


def test_inception_score_of_uniform_one_hot_predictions_is_the_class_count():
    logits = np.full((1000, 10), -1e4)
    logits[np.arange(1000), np.arange(1000) % 10] = 1e4
    r = inception_score(logits, splits=1)
    assert r["mean"] == pytest.approx(10.0, rel=1e-6) and r["std"] == 0
    assert inception_score(logits, splits=10)["mean"] == pytest.approx(10.0, rel=0.06)  # random splits of 100
    assert inception_score(np.zeros((100, 10)))["mean"] == pytest.approx(1.0)
    by_class = np.full((1000, 10), -1e4)
    by_class[np.arange(1000), np.arange(1000) // 100] = 1e4  # stored class by class
    assert inception_score(by_class, splits=10)["mean"] == pytest.approx(10.0, rel=0.05)


def brute_prdc(fake, real, k_pr=3, k_dc=5):
    def radii(x, k):
        d = np.linalg.norm(x[:, None] - x[None], axis=-1)
        return np.sort(d, axis=1)[:, k]
    d_fr = np.linalg.norm(fake[:, None] - real[None], axis=-1)
    rr3, rf3, rr5 = radii(real, k_pr), radii(fake, k_pr), radii(real, k_dc)
    precision = np.mean([(d_fr[i] <= rr3).any() for i in range(len(fake))])
    recall = np.mean([(d_fr[:, j] <= rf3).any() for j in range(len(real))])
    density = (d_fr <= rr5[None]).sum() / (k_dc * len(fake))
    coverage = np.mean(d_fr.min(0) <= rr5)
    return precision, recall, density, coverage


def test_precision_recall_density_coverage_equal_brute_force(monkeypatch):
    import ganforge.metrics.prdc as prdc_module
    monkeypatch.setattr(prdc_module, "CHUNK", 7)  # exercise the chunking
    rng = np.random.default_rng(0)
    real = rng.standard_normal((60, 5)).astype(np.float32)
    fake = (rng.standard_normal((45, 5)) * 1.3 + 0.4).astype(np.float32)
    p, r, d, c = brute_prdc(fake.astype(np.float64), real.astype(np.float64))
    pr, dc = precision_recall(fake, real), density_coverage(fake, real)
    assert (pr["precision"], pr["recall"]) == pytest.approx((p, r), abs=1e-6)
    assert (dc["density"], dc["coverage"]) == pytest.approx((d, c), abs=1e-6)


def test_prdc_matches_the_reference_package():
    import prdc  # in the test extra
    rng = np.random.default_rng(1)
    real, fake = rng.standard_normal((80, 6)), rng.standard_normal((70, 6)) + 0.3
    ref = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=5)
    ours = density_coverage(fake, real)
    assert ours["density"] == pytest.approx(ref["density"], abs=1e-5)
    assert ours["coverage"] == pytest.approx(ref["coverage"], abs=1e-5)
    ref3, ours3 = prdc.compute_prdc(real_features=real, fake_features=fake, nearest_k=3), precision_recall(fake, real)
    assert (ours3["precision"], ours3["recall"]) == pytest.approx((ref3["precision"], ref3["recall"]), abs=1e-5)


def test_inception_keys_and_shapes():
    net = InceptionV3TF()
    sd = net.state_dict()
    assert len(sd) == 566
    assert sd["Conv2d_1a_3x3.conv.weight"].shape == (32, 3, 3, 3)
    assert sd["Mixed_7c.branch_pool.conv.weight"].shape == (192, 2048, 1, 1)
    assert sd["fc.weight"].shape == (1008, 2048) and "Mixed_5b.branch_pool.bn.num_batches_tracked" in sd
    assert not any(k.startswith("AuxLogits") for k in sd)
    net.eval()
    with torch.no_grad():
        out = net(torch.zeros(1, 3, 299, 299))
    assert {k: tuple(v.shape[1:]) for k, v in out.items()} == {
        "64": (64,), "192": (192,), "768": (768,), "2048": (2048,), "logits": (1008,), "logits_unbiased": (1008,)}


def test_tf1_bilinear_resize_on_a_known_image():
    x = torch.tensor([[[[0.0, 10.0], [20.0, 30.0]]]])
    out = resize_tf(x, 4)[0, 0]
    # TF1 (no half-pixel centres): source = dst * in / out -> 0, 0.5, 1, 1.5 (clamped to the last pixel)
    expected = torch.tensor([[0.0, 5.0, 10.0, 10.0], [10.0, 15.0, 20.0, 20.0],
                             [20.0, 25.0, 30.0, 30.0], [20.0, 25.0, 30.0, 30.0]])
    assert torch.allclose(out, expected)
    assert not torch.allclose(torch.nn.functional.interpolate(x, size=4, mode="bilinear"), out[None, None])


def test_clean_resize_is_pil_bicubic_on_floats():
    arr = np.random.default_rng(0).uniform(0, 255, (8, 8)).astype(np.float32)
    out = resize_clean(torch.from_numpy(arr)[None, None], 16)[0, 0].numpy()
    pil = np.asarray(Image.fromarray(arr, mode="F").resize((16, 16), Image.BICUBIC)).clip(0, 255)
    assert np.allclose(out, pil)


def test_missing_inception_weights_offline_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(GanforgeError, match="pt_inception-2015-12-05-6726825d.pth.*--inception-weights PATH"):
        find_weights(None, allow_download=False)
    with pytest.raises(GanforgeError, match="does not exist"):
        find_weights(tmp_path / "nope.pth")


def test_metric_names_and_protocols():
    assert parse_metrics("fid, KID,pr") == ["fid", "kid", "pr"]
    with pytest.raises(GanforgeError, match="unknown metric.*fud"):
        parse_metrics("fid,fud")
    assert [protocol(m, 10000) for m in ("fid", "pr", "dc")] == ["fid10k", "pr10k_k3", "dc10k_k5"]
    assert protocol("is", 50000) == "is50k" and protocol("fid", 500) == "fid500" and protocol("fid", 2500) == "fid2.5k"


def test_intra_class_fid_and_class_accuracy():
    class Ex:
        name, class_names = "x", ["a", "b"]

    rng = np.random.default_rng(0)
    real = {"features": np.concatenate([rng.standard_normal((50, 3)), rng.standard_normal((50, 3)) + 5]),
            "labels": np.repeat([0, 1], 50), "logits": None}
    fake = {"features": real["features"] + rng.standard_normal((100, 3)) * 0.01, "labels": real["labels"],
            "logits": np.eye(2)[np.r_[np.zeros(50, int), np.zeros(10, int), np.ones(40, int)]] * 10}
    out = compute_metrics(["ifid", "acc", "fid"], Inputs(fake, real, Ex(), ["a", "b"], ["a", "b"]))
    assert out["ifid100"]["mean"] < 0.05 and set(out["ifid100"]["per_class"]) == {0, 1}
    assert out["acc100"] == pytest.approx(0.9)
    swapped = compute_metrics(["acc"], Inputs({**fake, "labels": 1 - fake["labels"]}, real, Ex(), ["b", "a"], ["a", "b"]))
    assert swapped["acc100"] == pytest.approx(0.9)  # labels mapped by class name
    with pytest.raises(GanforgeError, match="need class labels"):
        compute_metrics(["ifid"], Inputs({**fake, "labels": None}, real, Ex()))
