"""MNIST-format (idx) data, gzip-compressed or not, from files the test writes; the full Fashion-MNIST preset
where Debian's dataset-fashion-mnist is installed; images over the pixel limit are bad input."""
import gzip
import pathlib
import struct
import subprocess
import sys
import zlib

import numpy as np
import pytest
from PIL import Image

from ganforge import train
from ganforge.config import load_preset
from ganforge.data import detect_kind, load_dataset
from ganforge.data.idx import read_idx
from ganforge.errors import GanforgeError

from ..conftest import tiny_train_config
from ..data.test_datasets import data_cfg

FULL = pathlib.Path("/usr/share/datasets/fashion-mnist")


def write_idx(path: pathlib.Path, array: np.ndarray, compress: bool) -> None:
    raw = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape) + array.tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


def write_pair(folder: pathlib.Path, prefix: str, n: int, compress: bool, size: int = 28, classes: int = 3):
    rng = np.random.default_rng(len(prefix) + n)
    images = rng.integers(0, 256, (n, size, size), dtype=np.uint8)
    labels = (np.arange(n) % classes).astype(np.uint8)
    suffix = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)
    return images, labels


@pytest.mark.parametrize("compress", [True, False])
def test_idx_directory_and_file_pair_train_and_test_split(tmp_path, compress):
    images, labels = write_pair(tmp_path, "train", 12, compress)
    test_images, _ = write_pair(tmp_path, "t10k", 6, compress)
    assert detect_kind(str(tmp_path)) == "idx"
    train_set = load_dataset(data_cfg(str(tmp_path)))
    assert len(train_set) == 12 and train_set.class_names == ["0", "1", "2"] and train_set.image_shape == (1, 32, 32)
    x, y = train_set.__getitems__([0, 4])
    assert np.array_equal(x[0, 0, 2:30, 2:30].numpy(), images[0])  # 28 px padded to 32 with black
    assert x[0, 0, :2].sum() == 0 and y.tolist() == [0, 1]
    held_out = load_dataset(data_cfg(str(tmp_path)), split="heldout")
    assert len(held_out) == 6 and np.array_equal(held_out.__getitems__([1])[0][0, 0, 2:30, 2:30].numpy(),
                                                 test_images[1])
    suffix = ".gz" if compress else ""
    one_file = load_dataset(data_cfg(str(tmp_path / f"t10k-images-idx3-ubyte{suffix}")))  # an images file
    assert len(one_file) == 6
    assert load_dataset(data_cfg(str(tmp_path), resolution=16, channels=3)).image_shape == (3, 16, 16)


def test_idx_errors_name_the_file(tmp_path):
    write_pair(tmp_path, "train", 4, True)
    labels = tmp_path / "train-labels-idx1-ubyte.gz"
    good = labels.read_bytes()
    labels.write_bytes(gzip.compress(gzip.decompress(good)[:-1]))  # one label short
    with pytest.raises(GanforgeError, match="train-labels-idx1-ubyte.gz: declares shape \\[4\\].*truncated"):
        load_dataset(data_cfg(str(tmp_path)))
    labels.write_bytes(b"\x1f\x8bnot gzip")
    with pytest.raises(GanforgeError, match="cannot read this idx file"):
        load_dataset(data_cfg(str(tmp_path)))
    labels.write_bytes(gzip.compress(bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 4) + bytes(16)))  # float data
    with pytest.raises(GanforgeError, match="not an idx file of unsigned bytes"):
        read_idx(labels)
    write_idx(labels, np.zeros(5, np.uint8), True)
    with pytest.raises(GanforgeError, match="holds 4 images but train-labels-idx1-ubyte.gz 5 labels"):
        load_dataset(data_cfg(str(tmp_path)))
    labels.unlink()
    with pytest.raises(GanforgeError, match="no labels file beside it"):
        load_dataset(data_cfg(str(tmp_path)))
    with pytest.raises(GanforgeError, match="no t10k/test.*for the heldout split"):
        load_dataset(data_cfg(str(tmp_path)), split="heldout")


def test_class_names_from_the_config_name_numbered_classes(tmp_path):
    write_pair(tmp_path, "train", 9, True)
    cfg = tiny_train_config(steps=1)
    cfg.data.source = str(tmp_path)
    cfg.model.class_names = ["cat", "dog", "owl"]
    train(cfg, tmp_path / "run", show_progress=False)
    from ganforge import load
    assert load(tmp_path / "run").class_names == ["cat", "dog", "owl"]
    cfg.model.class_names = ["cat", "dog"]
    with pytest.raises(GanforgeError, match="model.class_names has 2 names but .* has 3 classes"):
        train(cfg, tmp_path / "run2", show_progress=False)


@pytest.mark.skipif(not FULL.is_dir(), reason="Debian's dataset-fashion-mnist is not installed "
                                              "(apt-get install dataset-fashion-mnist)")
def test_fashion_mnist_full_preset_reads_the_60k_debian_files():
    cfg = load_preset("fashion-mnist-full")
    dataset = load_dataset(cfg.data)
    assert len(dataset) == 60000 and dataset.image_shape == (1, 32, 32)
    assert np.bincount(dataset.labels.numpy()).tolist() == [6000] * 10
    assert len(load_dataset(cfg.data, split="heldout")) == 10000
    proc = subprocess.run([sys.executable, "-m", "ganforge", "train", "--preset", "fashion-mnist-full", "--dry-run"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and "60,000 training images" in proc.stdout, proc.stderr


def huge_png(path: pathlib.Path, width: int = 30000, height: int = 30000) -> None:
    """A valid 1x1 PNG whose header then declares width x height (a few hundred bytes on disk)."""
    Image.new("L", (1, 1)).save(path)
    data = bytearray(path.read_bytes())
    ihdr = data.index(b"IHDR")
    data[ihdr + 4:ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17:ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr:ihdr + 17])))
    path.write_bytes(bytes(data))


def test_an_image_over_the_pixel_limit_is_bad_input_in_training_and_evaluation(tmp_path):
    for name in ("a", "b"):
        (tmp_path / "data" / name).mkdir(parents=True)
        for i in range(3):
            Image.new("L", (8, 8), 40 * i).save(tmp_path / "data" / name / f"{i}.png")
    bomb = tmp_path / "data" / "b" / "bomb.png"
    huge_png(bomb)
    assert bomb.stat().st_size < 1000
    with pytest.raises(GanforgeError, match="bomb.png: too large to decode safely .*900000000 pixels"):
        load_dataset(data_cfg(str(tmp_path / "data")))
    skipped = load_dataset(data_cfg(str(tmp_path / "data"), skip_bad_images=True))
    assert len(skipped) == 6 and len(skipped.skipped) == 1 and "bomb.png" in skipped.skipped[0]
    cli = [sys.executable, "-m", "ganforge"]
    proc = subprocess.run(cli + ["train", "--preset", "fashion32-cpu", "--data", str(tmp_path / "data"), "--out",
                                 str(tmp_path / "run"), "--dry-run"], capture_output=True, text=True)
    assert proc.returncode == 2 and "bomb.png: too large to decode safely" in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error" in line]  # besides notes such as the precision
    assert "Traceback" not in proc.stderr and len(errors) == 1
    (tmp_path / "flat").mkdir()
    Image.new("L", (32, 32)).save(tmp_path / "flat" / "0.png")
    huge_png(tmp_path / "flat" / "1.png")
    proc = subprocess.run(cli + ["eval", str(tmp_path / "flat"), "--ref", "fashion-mnist", "--metrics", "fid"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "1.png: too large to decode safely" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
