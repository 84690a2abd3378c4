"""Evaluation end to end: sources, reference cache, the eval CLI, evaluation during training."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge import train
from ganforge.errors import GanforgeError
from ganforge.metrics.classifier import accuracy, load_classifier
from ganforge.metrics.evaluator import Evaluator, open_images, parse_sweep
from ganforge.metrics.features import WEIGHTS_DIR, Extractor, register_extractor
from ganforge.checkpoint import load_state

from ..conftest import tiny_train_config

SHIPPED = WEIGHTS_DIR / "classifier_fashion-mnist.safetensors"


class PixelExtractor(Extractor):
    """A cheap stand-in: 8x8-pooled pixels as features, a fixed projection as 10-class logits."""
    name, identity, feature_dim = "pixels", "pixels-v1", 64
    class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]

    def __call__(self, images):
        x = images.float().mean(1, keepdim=True) / 255
        f = torch.nn.functional.adaptive_avg_pool2d(x, 8).flatten(1)
        return f, f @ torch.linspace(-1, 1, 640).view(64, 10)


class PixelExtractorV2(PixelExtractor):
    identity = "pixels-v2"


register_extractor("pixels", lambda arg, **kw: PixelExtractor())
register_extractor("pixels2", lambda arg, **kw: PixelExtractorV2())


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GANFORGE_CACHE", str(tmp_path / "cache"))


def write_folder(root, n=12, size=16, classes=("a", "b"), mode="L", seed=0):
    rng = np.random.default_rng(seed)
    for c in classes:
        (root / c).mkdir(parents=True, exist_ok=True)
        for i in range(n // len(classes)):
            shape = (size, size) if mode == "L" else (size, size, 3)
            Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(root / c / f"{i}.png")


def test_shipped_classifier_reaches_90_percent_on_the_held_out_subset():
    from ganforge.sections import DataConfig
    from ganforge.data import load_dataset
    model, info = load_classifier(SHIPPED)
    held = load_dataset(DataConfig(source="fashion-mnist:heldout"))
    acc = accuracy(model, held.images, held.labels)
    assert acc >= 0.90 and acc == pytest.approx(info["heldout_accuracy"], abs=1e-9)


def test_reference_cache_hit_miss_and_invalidation(tmp_path):
    ref = tmp_path / "ref"
    write_folder(ref)
    notes = []
    ev = Evaluator(str(ref), (1, 16, 16), "fid,kid", "pixels", notify=notes.append)
    fake = open_images(str(ref), None, 0)
    assert ev.evaluate(fake)["metrics"]["fid12"] == pytest.approx(0.0, abs=1e-6)
    Evaluator(str(ref), (1, 16, 16), "fid", "pixels", notify=notes.append)
    assert notes[0].endswith("computed") and notes[1].endswith("cache hit")
    with pytest.raises(GanforgeError, match="ref: images are 16x16 with 1 channel.*--convert"):
        Evaluator(str(ref), (3, 16, 16), "fid", "pixels")  # grey reference, RGB evaluated: never silently
    Evaluator(str(ref), (3, 16, 16), "fid", "pixels", notify=notes.append, convert=True)  # other channels: other key
    assert notes[2].endswith("computed")
    img = ref / "a" / "0.png"
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(img)
    os.utime(img, ns=(1, 1))  # content and time changed
    Evaluator(str(ref), (1, 16, 16), "fid", "pixels", notify=notes.append)
    assert notes[3].endswith("computed")
    assert len(list((tmp_path / "cache" / "stats").glob("*.npz"))) == 3


def test_saved_statistics_reproduce_fid_and_refuse_another_extractor(tmp_path):
    ref, fake_dir = tmp_path / "ref", tmp_path / "fake"
    write_folder(ref, n=20)
    write_folder(fake_dir, n=20, seed=1)
    ev = Evaluator(str(ref), (1, 16, 16), "fid", "pixels")
    ev.save_reference(tmp_path / "stats.npz")
    fake = open_images(str(fake_dir), None, 0)
    direct = ev.evaluate(fake)["metrics"]["fid20"]
    again = Evaluator(str(tmp_path / "stats.npz"), (1, 16, 16), "fid", "pixels").evaluate(fake)["metrics"]["fid20"]
    assert again == pytest.approx(direct, rel=1e-9)
    foreign = tmp_path / "mu_sigma_only.npz"  # another tool's statistics: mean and covariance only
    with np.load(tmp_path / "stats.npz") as f:
        np.savez(foreign, mu=f["mu"], sigma=f["sigma"])
    notes = []
    only = Evaluator(str(foreign), (1, 16, 16), "fid", "pixels", notify=notes.append)
    assert only.evaluate(fake)["metrics"]["fid20"] == pytest.approx(direct, rel=1e-9) and "another tool" in notes[0]
    with pytest.raises(GanforgeError, match="pr needs the reference features"):
        Evaluator(str(foreign), (1, 16, 16), "pr", "pixels").evaluate(fake)
    with pytest.raises(GanforgeError, match="made with pixels-v1"):
        Evaluator(str(tmp_path / "stats.npz"), (1, 16, 16), "fid", "pixels2")


def test_sources_and_their_errors(tmp_path):
    write_folder(tmp_path / "flat_src", n=4)
    flat = tmp_path / "flat"
    flat.mkdir()
    for p in (tmp_path / "flat_src").rglob("*.png"):
        p.rename(flat / f"{p.parent.name}{p.name}")
    src = open_images(str(flat), None, 0)
    assert src.n == 4 and src.class_names is None and src.shape == (1, 16, 16)
    with pytest.raises(GanforgeError, match="holds 4 images, fewer than the 9 asked for"):
        open_images(str(flat), 9, 0)
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(flat / "small.png")
    with pytest.raises(GanforgeError, match="small.png: is 8x8.*same size"):
        list(open_images(str(flat), None, 0).batches(100))
    np.savez(tmp_path / "rgb.npz", images=np.zeros((4, 32, 32, 3), np.uint8), labels=np.zeros(4, int))
    with pytest.raises(GanforgeError, match="images are 32x32 with 3 channel.*16x16 with 1"):
        Evaluator(str(tmp_path / "rgb.npz"), (1, 16, 16), "fid", "pixels")
    with pytest.raises(GanforgeError, match="unknown extractor 'vgg'"):
        Evaluator(str(flat), (1, 16, 16), "fid", "vgg")
    (tmp_path / "empty").mkdir()
    with pytest.raises(GanforgeError, match="empty: holds no images"):
        open_images(str(tmp_path / "empty"), None, 0)
    assert parse_sweep("0.2:1.0:0.1") == [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    with pytest.raises(GanforgeError, match="START:STOP:STEP"):
        parse_sweep("0.2-1")


def test_evaluation_during_training_logs_metrics_and_keeps_the_best(tmp_path):
    cfg = tiny_train_config(steps=6, checkpoint_every=3)
    for key, value in {"every": 2, "metrics": ["fid", "acc"], "n": 40, "extractor": "pixels"}.items():
        cfg.set(f"eval.{key}", value)
    summary = train(cfg, tmp_path / "run", show_progress=False, notify=lambda m: None)
    events = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    evals = [e for e in events if e.get("event") == "eval"]
    assert [e["step"] for e in evals] == [2, 4, 6] and all("fid40" in e and "acc40" in e for e in evals)
    best = min(evals, key=lambda e: e["fid40"])
    assert summary["best"] == {"metric": "fid40", "value": best["fid40"], "step": best["step"]}
    saved = load_state(tmp_path / "run" / "checkpoints" / "best.safetensors")
    assert saved["step"] == best["step"] and saved["best"]["value"] == best["fid40"]
    # resuming continues the comparison with the best value recorded in the checkpoint
    cfg.train.steps = 8
    again = train(cfg, tmp_path / "run", resume=True, show_progress=False, notify=lambda m: None)
    assert again["best"]["value"] <= best["fid40"]


def run_cli(*args, ok=True):
    proc = subprocess.run([sys.executable, "-m", "ganforge", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "GANFORGE_OFFLINE": "1"})
    if ok:
        assert proc.returncode == 0, proc.stderr
    return proc


def test_eval_cli_on_a_run_with_the_domain_classifier(tmp_path):
    run = tmp_path / "run"
    train(tiny_train_config(steps=2), run, show_progress=False)
    out = run_cli("eval", run, "--metrics", "fid,kid,is,pr,dc,ifid,acc", "--n", 200, "--ref", "fashion-mnist",
                  "--ref-n", 500)
    for name in ("fid200", "kid200", "is200", "pr200_k3", "dc200_k5", "ifid200", "acc200"):
        assert name in out.stdout
    assert "classifier[" in out.stdout and "reference features" in out.stderr
    result = json.loads((run / "eval" / "fid200-kid200-is200-pr200_k3-dc200_k5-ifid200-acc200.json").read_text())
    assert result["n_fake"] == 200 and result["n_ref"] == 500 and result["extractor_name"] == "classifier:fashion-mnist"
    assert 0 <= result["metrics"]["acc200"] <= 1 and result["metrics"]["fid200"] > 0
    sweep = run_cli("eval", run, "--truncation-sweep", "0.5:1.0:0.5", "--n", 100, "--metrics", "fid,acc",
                    "--out", tmp_path / "sweep.png", "--ref-n", 500)
    assert Image.open(tmp_path / "sweep.png").size[0] > 300 and "0.5" in sweep.stdout
    plain = run_cli("eval", run, "--metrics", "fid", "--n", 100, "--ref-n", 500)
    standing = run_cli("eval", run, "--metrics", "fid", "--n", 100, "--ref-n", 500, "--standing-stats", 2)
    assert (run / "eval" / "fid100.json").is_file()  # not overwritten: each has its own file
    fids = [json.loads((run / "eval" / f"{tag}.json").read_text())["metrics"]["fid100"]
            for tag in ("fid100", "fid100-standing2")]
    assert fids[0] != fids[1] and plain.stdout != standing.stdout  # other BN statistics, other samples
    bad = run_cli("eval", run, "--metrics", "fid,nope", ok=False)
    assert bad.returncode == 2 and "unknown metric(s) nope" in bad.stderr and "Traceback" not in bad.stderr
    offline = run_cli("eval", run, "--extractor", "inception", "--n", 10, ok=False)
    assert offline.returncode == 2 and "--inception-weights PATH" in offline.stderr


def test_eval_cli_folder_against_npz(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (30, 32, 32), dtype=np.uint8)
    np.savez(tmp_path / "real.npz", images=images, labels=np.arange(30) % 10)
    fake = tmp_path / "fake"
    fake.mkdir()
    for i in range(20):
        Image.fromarray(images[i]).save(fake / f"{i}.png")
    out = run_cli("eval", fake, "--ref", tmp_path / "real.npz", "--metrics", "fid,pr", "--extractor", "pixels",
                  ok=False)
    assert "unknown extractor 'pixels'" in out.stderr  # registered only inside this test process
    out = run_cli("eval", fake, "--ref", tmp_path / "real.npz", "--metrics", "fid,pr", "--json", tmp_path / "r.json",
                  "--extractor", "classifier:fashion-mnist")
    assert "fid20" in out.stdout and json.loads((tmp_path / "r.json").read_text())["n_ref"] == 30
    standing = run_cli("eval", fake, "--ref", tmp_path / "real.npz", "--standing-stats", 4, ok=False)
    assert standing.returncode != 0 and "--standing-stats apply to a run" in standing.stderr
    no_ref = run_cli("eval", fake, ok=False)
    assert "--ref is required" in no_ref.stderr


def flat_folder(root, n=8, size=32, seed=0, mode="L"):
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True)
    for i in range(n):
        shape = (size, size) if mode == "L" else (size, size, 3)
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8)).save(root / f"{i:03d}.png")


def test_two_flat_folders_from_the_command_line(tmp_path):
    """`ganforge eval A B` as pytorch-fid / torch-fidelity users write it, and `--ref B` the same."""
    flat_folder(tmp_path / "A", seed=1)
    flat_folder(tmp_path / "B", seed=2)
    env = {**os.environ, "GANFORGE_CACHE": str(tmp_path / "cache")}
    cli = [sys.executable, "-m", "ganforge", "eval", "--extractor", "classifier:fashion-mnist", "--metrics", "fid,pr"]
    one = subprocess.run(cli + [str(tmp_path / "A"), str(tmp_path / "B"), "--json", str(tmp_path / "1.json")],
                         capture_output=True, text=True, env=env)
    two = subprocess.run(cli + [str(tmp_path / "A"), "--ref", str(tmp_path / "B"), "--json", str(tmp_path / "2.json")],
                         capture_output=True, text=True, env=env)
    assert one.returncode == two.returncode == 0, one.stderr + two.stderr
    first, second = (json.loads((tmp_path / f).read_text())["metrics"] for f in ("1.json", "2.json"))
    assert first == second and first["fid8"] > 0 and "pr8_k3" in first
    assert "cache hit" in two.stderr  # the flat reference's features were cached by content
    bad = subprocess.run(cli[:-2] + ["--metrics", "acc", str(tmp_path / "A"), str(tmp_path / "B")],
                         capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "class labels on the evaluated side" in bad.stderr and "Traceback" not in bad.stderr


def test_either_side_may_be_any_image_set_and_mismatches_are_one_line(tmp_path):
    flat_folder(tmp_path / "flat", n=10)
    write_folder(tmp_path / "classes", n=10, size=32, seed=5)
    np.savez(tmp_path / "set.npz", images=np.random.default_rng(0).integers(0, 255, (10, 32, 32), dtype=np.uint8),
             labels=np.arange(10) % 2)
    for fake, ref in (("flat", "classes"), ("classes", "flat"), ("set.npz", "flat"), ("flat", "set.npz"),
                      ("classes", "set.npz")):
        result = Evaluator(str(tmp_path / ref), (1, 32, 32), "fid,kid", "pixels").evaluate(
            open_images(str(tmp_path / fake), None, 0))
        assert result["metrics"]["fid10"] >= 0, (fake, ref)
    embedded = open_images("fashion-mnist:heldout", 50, 0)
    assert embedded.shape == (1, 32, 32) and embedded.class_names[0] == "T-shirt/top"
    assert Evaluator("fashion-mnist", (1, 32, 32), "fid,acc", "pixels", ref_n=100).evaluate(embedded)["metrics"]
    with pytest.raises(GanforgeError, match="class labels on the evaluated side"):
        Evaluator(str(tmp_path / "classes"), (1, 32, 32), "ifid", "pixels").evaluate(
            open_images(str(tmp_path / "flat"), None, 0))
    with pytest.raises(GanforgeError, match="fewer than the 500 asked for \\(--ref-n\\)"):
        Evaluator(str(tmp_path / "flat"), (1, 32, 32), "fid", "pixels", ref_n=500)
    with pytest.raises(GanforgeError, match="pr compares each image with its 3 nearest neighbours.*evaluated 3"):
        Evaluator(str(tmp_path / "flat"), (1, 32, 32), "pr", "pixels").evaluate(
            open_images(str(tmp_path / "flat"), 3, 0))
    flat_folder(tmp_path / "rgb", n=10, mode="RGB")
    with pytest.raises(GanforgeError, match="rgb: images are 32x32 with 3 channel.*32x32 with 1.*--convert"):
        Evaluator(str(tmp_path / "rgb"), (1, 32, 32), "fid", "pixels")
    converted = Evaluator(str(tmp_path / "rgb"), (1, 32, 32), "fid", "pixels", convert=True)
    assert converted.evaluate(open_images(str(tmp_path / "flat"), None, 0))["metrics"]["fid10"] >= 0
    Image.fromarray(np.zeros((32, 32), np.uint8)).save(tmp_path / "classes" / "stray.png")
    with pytest.raises(GanforgeError, match="holds images in its root \\(stray.png\\) and sub-folders \\(a, b\\)"):
        open_images(str(tmp_path / "classes"), None, 0)


def test_a_reference_rewritten_with_its_size_and_times_restored_gets_fresh_features(tmp_path):
    """`cp -p`, `rsync -a` and `tar x` restore times: the cache key is the content, not (name, size, mtime)."""
    rng = np.random.default_rng(0)
    path = tmp_path / "ref.npz"
    for images in (rng.integers(0, 255, (12, 16, 16), dtype=np.uint8), rng.integers(0, 255, (12, 16, 16),
                                                                                      dtype=np.uint8)):
        before = path.stat() if path.exists() else None
        np.savez(path, images=images, labels=np.arange(12) % 2)
        if before is not None:
            assert path.stat().st_size == before.st_size
            os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        notes = []
        Evaluator(str(path), (1, 16, 16), "fid", "pixels", notify=notes.append)
        assert notes[-1].endswith("computed"), notes
    Evaluator(str(path), (1, 16, 16), "fid", "pixels", notify=notes.append)
    assert notes[-1].endswith("cache hit")
    folder = tmp_path / "folder"
    write_folder(folder)
    victim = folder / "b" / "3.png"
    Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(victim, compress_level=0)
    Evaluator(str(folder), (1, 16, 16), "fid", "pixels", notify=notes.append)
    stat = victim.stat()
    Image.fromarray(rng.integers(0, 255, (16, 16), dtype=np.uint8)).save(victim, compress_level=0)  # same size
    assert victim.stat().st_size == stat.st_size
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    from ganforge.metrics.sources import data_identity
    assert Evaluator(str(folder), (1, 16, 16), "fid", "pixels", notify=notes.append) and notes[-1].endswith("computed")
    assert data_identity(str(folder)) != data_identity(str(tmp_path / "ref.npz"))


def test_folder_digests_are_remembered_and_reread_when_a_file_is_rewritten(tmp_path, monkeypatch):
    from ganforge.metrics import digest
    write_folder(tmp_path / "data", n=6)
    reads = []
    real = digest.file_digest
    monkeypatch.setattr(digest, "file_digest", lambda p: reads.append(p.name) or real(p))
    memo = tmp_path / "memo.json"
    first = digest.content_digest(tmp_path / "data", memo)
    assert len(reads) == 6 and memo.is_file()
    assert digest.content_digest(tmp_path / "data", memo) == first and len(reads) == 6  # nothing read again
    victim = tmp_path / "data" / "a" / "1.png"
    stat = victim.stat()
    Image.fromarray(np.full((16, 16), 7, np.uint8)).save(victim)
    os.utime(victim, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as cp -p leaves it: only the ctime tells
    assert digest.content_digest(tmp_path / "data", memo) != first and reads[6:] == ["1.png"]
    assert digest.content_digest(tmp_path / "data") == digest.content_digest(tmp_path / "data", memo)  # same value
