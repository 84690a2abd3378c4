import pickle

import numpy as np
import pytest
import torch
from PIL import Image

from ganforge.sections import DataConfig
from ganforge.data import load_dataset
from ganforge.data.embedded import load_raw
from ganforge.data.stream import BatchStream
from ganforge.errors import GanforgeError


def data_cfg(source, **kw) -> DataConfig:
    cfg = DataConfig(source=str(source))
    for k, v in kw.items():
        setattr(cfg, k, v)
    return cfg


def test_embedded_fashion_mnist_is_balanced_padded_and_separate():
    ds = load_dataset(data_cfg("fashion-mnist"))
    assert len(ds) == 10000 and ds.image_shape == (1, 32, 32)
    assert torch.bincount(ds.labels).tolist() == [1000] * 10
    assert ds.class_names[7] == "Sneaker"
    assert ds.images[:, :, :2].max() == 0 and ds.images[:, :, :, -2:].max() == 0  # 2-px black border
    held = load_dataset(data_cfg("fashion-mnist:heldout"))
    assert torch.bincount(held.labels).tolist() == [100] * 10
    train_raw, held_raw = load_raw("train")[0], load_raw("heldout")[0]
    train_set = {im.tobytes() for im in train_raw}
    assert not any(im.tobytes() in train_set for im in held_raw[:200])
    rgb64 = load_dataset(data_cfg("fashion-mnist", resolution=64, channels=3))
    assert rgb64.image_shape == (3, 64, 64)


def write_image(path, mode, size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    if mode == "RGB":
        img = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    elif mode == "RGBA":
        img = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 4), dtype=np.uint8), "RGBA")
    elif mode == "I;16":
        img = Image.fromarray(rng.integers(0, 65535, (size[1], size[0]), dtype=np.uint16))
    elif mode == "P":
        img = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).convert("P")
    else:
        img = Image.fromarray(rng.integers(0, 255, (size[1], size[0]), dtype=np.uint8), "L")
    img.save(path)


def test_image_folder_any_size_and_mode(tmp_path):
    write_image(tmp_path / "cats" / "a.png", "RGB", (50, 20))
    write_image(tmp_path / "cats" / "b.png", "RGBA")
    write_image(tmp_path / "dogs" / "c.png", "I;16")
    write_image(tmp_path / "dogs" / "sub" / "d.gif", "P")
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    for channels in (1, 3):
        for preload in ("true", "false"):
            ds = load_dataset(data_cfg(tmp_path, resolution=16, channels=channels, preload=preload))
            assert ds.class_names == ["cats", "dogs"] and len(ds) == 4
            images, labels = ds.__getitems__([0, 1, 2, 3])
            assert images.shape == (4, channels, 16, 16) and images.dtype == torch.uint8
            assert labels.tolist() == [0, 0, 1, 1]


def test_folder_resize_is_centre_crop(tmp_path):
    arr = np.zeros((20, 60, 3), dtype=np.uint8)
    arr[:, 20:40] = 255  # a white centre third
    (tmp_path / "a").mkdir()
    Image.fromarray(arr).save(tmp_path / "a" / "x.png")
    img = load_dataset(data_cfg(tmp_path, resolution=8, channels=1)).__getitems__([0])[0][0, 0]
    assert img.float().mean() > 240  # the crop keeps the centre


@pytest.mark.parametrize("layout,message", [
    ("empty", "no class sub-folders"),
    ("no-images", "hold no images"),
    ("empty-class", "class folder\\(s\\) dogs hold no images"),
    ("corrupt", "cannot read this image"),
    ("zero-byte", "cannot read this image"),
    ("loose", "holds images in its root \\(stray.png\\) next to class sub-folders \\(cats\\)"),
])
def test_folder_errors_name_the_problem(tmp_path, layout, message):
    if layout == "no-images":
        (tmp_path / "cats").mkdir()
        (tmp_path / "cats" / "readme.txt").write_text("x")
    elif layout == "empty-class":
        write_image(tmp_path / "cats" / "a.png", "L")
        (tmp_path / "dogs").mkdir()
    elif layout == "corrupt":
        write_image(tmp_path / "cats" / "a.png", "L")
        (tmp_path / "cats" / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    elif layout == "zero-byte":
        (tmp_path / "cats").mkdir()
        (tmp_path / "cats" / "z.jpg").write_bytes(b"")
    elif layout == "loose":  # would otherwise be left out without a word
        write_image(tmp_path / "cats" / "a.png", "L")
        write_image(tmp_path / "stray.png", "L")
    with pytest.raises(GanforgeError, match=message):
        load_dataset(data_cfg(tmp_path, resolution=16))


def test_npz_layouts_and_errors(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "d.npz"
    np.savez(path, images=rng.integers(0, 255, (6, 24, 24, 3), dtype=np.uint8), labels=np.array([0, 1, 2, 0, 1, 2]),
             class_names=np.array(["a", "b", "c"]))
    ds = load_dataset(data_cfg(path, resolution=16, channels=3))
    assert ds.image_shape == (3, 16, 16) and ds.class_names == ["a", "b", "c"]
    np.savez(path, images=rng.integers(0, 255, (4, 16, 16), dtype=np.uint8), labels=np.array([0, 1, 1, 0]))
    assert load_dataset(data_cfg(path, resolution=16)).class_names == ["0", "1"]
    bad = {
        "missing": (dict(pictures=np.zeros((2, 8, 8), np.uint8), labels=np.zeros(2, int)), "missing array"),
        "dtype": (dict(images=np.zeros((2, 8, 8), np.float32), labels=np.zeros(2, int)), "must be uint8"),
        "shape": (dict(images=np.zeros((2, 8), np.uint8), labels=np.zeros(2, int)), "must have shape"),
        "count": (dict(images=np.zeros((2, 8, 8), np.uint8), labels=np.zeros(3, int)), "one label per image"),
        "range": (dict(images=np.zeros((2, 8, 8), np.uint8), labels=np.array([0, 5]),
                       class_names=np.array(["a", "b"])), "labels must lie in 0..1"),
    }
    for name, (arrays, message) in bad.items():
        np.savez(tmp_path / f"{name}.npz", **arrays)
        with pytest.raises(GanforgeError, match=message):
            load_dataset(data_cfg(tmp_path / f"{name}.npz", resolution=16))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(GanforgeError, match="cannot read as an .npz"):
        load_dataset(data_cfg(tmp_path / "junk.npz", resolution=16))


def write_cifar(root, per_batch=4):
    root.mkdir()
    rng = np.random.default_rng(0)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"batch_label": name.encode(), b"labels": [int(v) for v in rng.integers(0, 10, per_batch)],
                 b"data": rng.integers(0, 255, (per_batch, 3072), dtype=np.uint8),
                 b"filenames": [b"x.png"] * per_batch}
        with open(root / name, "wb") as f:
            pickle.dump(batch, f, protocol=2)
    with open(root / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [n.encode() for n in ["airplane", "automobile", "bird", "cat", "deer", "dog",
                                                            "frog", "horse", "ship", "truck"]],
                     b"num_cases_per_batch": per_batch, b"num_vis": 3072}, f, protocol=2)


def test_cifar10_directory(tmp_path):
    root = tmp_path / "cifar-10-batches-py"
    write_cifar(root)
    ds = load_dataset(data_cfg(root, resolution=32, channels=3))
    assert len(ds) == 20 and ds.image_shape == (3, 32, 32) and ds.class_names[9] == "truck"
    raw = pickle.load(open(root / "data_batch_1", "rb"), encoding="bytes")
    assert torch.equal(ds.images[0], torch.from_numpy(raw[b"data"][0].reshape(3, 32, 32)))
    assert load_dataset(data_cfg(root, resolution=32, channels=3), split="test").__len__() == 4


def test_cifar10_refuses_code_in_pickles(tmp_path):
    root = tmp_path / "c"
    write_cifar(root)

    class Evil:
        def __reduce__(self):
            return (print, ("owned",))

    with open(root / "data_batch_3", "wb") as f:
        pickle.dump({b"data": Evil(), b"labels": []}, f)
    with pytest.raises(GanforgeError, match="refusing to load builtins.print"):
        load_dataset(data_cfg(root, resolution=32, channels=3))


def test_missing_source_and_non_npz_file(tmp_path):
    with pytest.raises(GanforgeError, match="does not exist"):
        load_dataset(data_cfg(tmp_path / "nope"))
    (tmp_path / "x.csv").write_text("1,2")
    with pytest.raises(GanforgeError, match="not an .npz"):
        load_dataset(data_cfg(tmp_path / "x.csv"))


def test_stream_is_a_pure_function_of_its_state():
    ds = load_dataset(data_cfg("fashion-mnist"))
    a = BatchStream(ds, 64, seed=3, hflip=True)
    seen = [a.next() for _ in range(160)]  # crosses an epoch boundary (156 batches per epoch)
    b = BatchStream(ds, 64, seed=3, hflip=True)
    for _ in range(100):
        b.next()
    c = BatchStream(ds, 64, seed=3, hflip=True)
    c.load_state_dict(b.state_dict())
    for i in range(100, 160):
        x, y = c.next()
        assert torch.equal(x, seen[i][0]) and torch.equal(y, seen[i][1])
    assert c.epoch == 1
    firsts = torch.cat([s[1] for s in seen[:156]])
    assert len(torch.unique(firsts)) == 10
    flipped = BatchStream(ds, 64, seed=3, hflip=False).next()[0]
    assert not torch.equal(flipped, seen[0][0])  # same order, some images mirrored


@pytest.mark.parametrize("workers", [0, 1])
def test_unreadable_image_found_during_training_names_the_file(tmp_path, workers):
    for i in range(4):
        write_image(tmp_path / "a" / f"{i}.png", "L")
    (tmp_path / "a" / "4.png").write_bytes(b"broken")
    ds = load_dataset(data_cfg(tmp_path, resolution=16, preload="false"))
    stream = BatchStream(ds, 5, seed=0, num_workers=workers)
    with pytest.raises(GanforgeError) as err:
        stream.next()
    assert str(err.value).startswith(str(tmp_path / "a" / "4.png")) and "Traceback" not in str(err.value)
