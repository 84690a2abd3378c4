"""tools/build_colour_sets.py: class folders from a tree of category folders (a synthetic one here; the Debian
packages' own when they are installed), which ganforge then reads and describes."""
import pathlib
import subprocess
import sys

import pytest
from PIL import Image

from ganforge.config import Config
from ganforge.data import load_dataset

ROOT = pathlib.Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "build_colour_sets.py"


def build(*args):
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True)


def folder_data(root, resolution=16):
    cfg = Config()
    cfg.set("data.source", str(root))
    cfg.set("data.resolution", resolution)
    cfg.set("data.channels", 3)
    return load_dataset(cfg.data)


def test_categories_with_enough_images_become_classes(tmp_path):
    src = tmp_path / "src"
    for category, n in (("animals", 7), ("food", 4), ("logos", 1)):
        for i in range(n):
            path = src / category / ("birds" if i % 2 else "mammals") / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            Image.new("RGBA", (10 + i, 8), (i * 30, 0, 0, 128)).save(path)
    proc = build("clipart", "--source", src, "--out", tmp_path / "out", "--min", 3, "--max", 5)
    assert proc.returncode == 0, proc.stderr
    assert "9 images in 2 classes: animals 5, food 4" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "animals").iterdir()) == \
        ["birds__1.png", "birds__5.png", "mammals__0.png", "mammals__2.png", "mammals__6.png"]  # evenly spaced
    assert "licence: public domain" in (tmp_path / "out" / "SOURCE.txt").read_text()
    ds = folder_data(tmp_path / "out")
    assert ds.class_names == ["animals", "food"] and len(ds) == 9
    assert "9 images have transparency" in " ".join(ds.notes)
    again = build("clipart", "--source", src, "--out", tmp_path / "out")
    assert again.returncode != 0 and "is not empty" in again.stderr  # nothing a user had is overwritten


@pytest.mark.parametrize("kind,root", [("clipart", "/usr/share/openclipart/png"),
                                       ("icons", "/usr/share/icons/oxygen/base/64x64")])
def test_the_debian_sets_build_and_load(tmp_path, kind, root):
    if not pathlib.Path(root).is_dir():
        pytest.skip(f"{root} is not installed (apt-get install "
                    f"{'openclipart-png' if kind == 'clipart' else 'oxygen-icon-theme'})")
    proc = build(kind, "--out", tmp_path / kind, "--max", 3)
    assert proc.returncode == 0, proc.stderr
    ds = folder_data(tmp_path / kind)
    assert len(ds.class_names) >= 5 and len(ds) == 3 * len(ds.class_names)
    assert ds.__getitems__([0])[0].shape == (1, 3, 16, 16)
