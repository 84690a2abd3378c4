"""Bad input never crashes with anything but a clear GanforgeError (property-based where it helps)."""
import io
import pickle

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ganforge import train
from ganforge.config import Config, ConfigError, parse_override
from ganforge.sections import SECTIONS
from ganforge.data import load_dataset
from ganforge.errors import GanforgeError
from ganforge.interop import load_torch_weights

from .conftest import tiny_train_config
from .data.test_datasets import data_cfg, write_image

KEYS = [f"{s}.{f}" for s, cls in SECTIONS.items() for f in cls.__dataclass_fields__]
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                   st.text(max_size=20), st.lists(st.one_of(st.integers(-100, 1000), st.text(max_size=5)), max_size=4))
FUZZ = settings(max_examples=150, deadline=None, derandomize=True,  # the same cases in every CI run
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(key=st.one_of(st.sampled_from(KEYS), st.text(max_size=30)), value=VALUES)
def test_config_set_accepts_a_valid_typed_value_or_says_why_not(key, value):
    cfg = Config()
    try:
        cfg.set(key, value)
    except ConfigError as e:
        assert key in str(e) or "unknown key" in str(e)
        return
    section, name = key.split(".")
    field = SECTIONS[section].__dataclass_fields__[name]
    stored = cfg.get(key)
    assert isinstance(stored, {"int": int, "float": float, "bool": bool, "str": str, "list": list}[field.type])
    lo, hi = field.metadata.get("lo"), field.metadata.get("hi")
    assert lo is None or stored >= lo
    assert hi is None or stored <= hi


@FUZZ
@given(text=st.text(max_size=40))
def test_override_parsing_never_crashes(text):
    try:
        Config().set(*parse_override(text))
    except ConfigError:
        pass


@FUZZ
@given(shape=st.lists(st.integers(0, 6), min_size=0, max_size=5),
       dtype=st.sampled_from([np.uint8, np.int64, np.float32, np.bool_]),
       labels=st.lists(st.integers(-3, 12), max_size=8),
       names=st.one_of(st.none(), st.lists(st.text(max_size=4), max_size=4)))
def test_npz_loader_loads_or_explains(tmp_path, shape, dtype, labels, names):
    arrays = {"images": np.zeros(shape, dtype=dtype), "labels": np.array(labels, dtype=np.int64)}
    if names is not None:
        arrays["class_names"] = np.array(names, dtype=str)
    path = tmp_path / "d.npz"
    np.savez(path, **arrays)
    try:
        ds = load_dataset(data_cfg(path, resolution=16))
    except GanforgeError:
        return
    assert len(ds) == len(labels) > 0 and ds.image_shape == (1, 16, 16)
    assert 0 <= int(ds.labels.min()) and int(ds.labels.max()) < len(ds.class_names)


@FUZZ
@given(payload=st.binary(max_size=300), cut=st.integers(0, 2000))
def test_image_reader_loads_or_names_the_file(tmp_path, payload, cut):
    good = io.BytesIO()
    Image.fromarray(np.full((20, 20, 3), 7, np.uint8)).save(good, format="PNG")
    (tmp_path / "a").mkdir(exist_ok=True)
    (tmp_path / "a" / "ok.png").write_bytes(good.getvalue())
    (tmp_path / "a" / "x.png").write_bytes(good.getvalue()[:cut] + payload)  # truncated and/or garbage
    try:
        ds = load_dataset(data_cfg(tmp_path, resolution=8, preload="true"))
    except GanforgeError as e:
        assert str(e).startswith(str(tmp_path / "a" / "x.png"))
        return
    assert len(ds) == 2


def test_skip_bad_images_reports_and_trains(tmp_path):
    for i in range(6):
        write_image(tmp_path / "shirts" / f"{i}.png", "RGB")
        write_image(tmp_path / "shoes" / f"{i}.png", "L")
    (tmp_path / "shirts" / "empty.jpg").write_bytes(b"")
    (tmp_path / "shoes" / "text.png").write_text("this is not an image")
    with pytest.raises(GanforgeError, match="empty.jpg: cannot read this image"):
        load_dataset(data_cfg(tmp_path, resolution=16))
    for preload in ("true", "false"):
        ds = load_dataset(data_cfg(tmp_path, resolution=16, skip_bad_images=True, preload=preload))
        assert len(ds) == 12 and len(ds.skipped) == 2
    cfg = tiny_train_config(steps=1, batch_size=4)
    cfg.data.source, cfg.data.skip_bad_images = str(tmp_path), True
    notes = []
    train(cfg, tmp_path.parent / "run", show_progress=False, notify=notes.append)
    assert any("skipped 2 unreadable image(s)" in note and "empty.jpg" in note for note in notes)


def test_a_single_class_trains_with_a_note(tmp_path):
    for i in range(4):
        write_image(tmp_path / "only" / f"{i}.png", "L")
    cfg = tiny_train_config(steps=1, batch_size=4)
    cfg.data.source = str(tmp_path)
    notes = []
    train(cfg, tmp_path.parent / "run1", show_progress=False, notify=notes.append)
    assert any("single class (only)" in note for note in notes)


def test_torch_files_are_read_without_arbitrary_unpickling(tmp_path):
    torch.save({"state_dict": {"module.w": torch.ones(2)}}, tmp_path / "ok.pth")
    assert list(load_torch_weights(tmp_path / "ok.pth")) == ["w"]

    class Evil:
        def __reduce__(self):
            return (print, ("code ran",))

    with open(tmp_path / "evil.pth", "wb") as f:
        pickle.dump({"w": Evil()}, f, protocol=2)
    with pytest.raises(GanforgeError, match="refused to load, the file holds more than tensors"):
        load_torch_weights(tmp_path / "evil.pth")
    (tmp_path / "junk.bin").write_bytes(b"\x00junk")
    with pytest.raises(GanforgeError, match="junk.bin"):
        load_torch_weights(tmp_path / "junk.bin")
