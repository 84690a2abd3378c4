"""A user's folder as it comes: transparency put on data.background, EXIF orientation applied, CMYK, 16-bit and
palette images converted, non-square images cropped or padded (data.fit), what the folder holds said at start
(per-class counts, tiny images, transparency), and uneven classes drawn as the user chooses (data.balance)."""
import numpy as np
import pytest
import torch
from PIL import Image

from ganforge.config import Config
from ganforge.data import load_dataset
from ganforge.data.arrays import ArrayDataset
from ganforge.data.stream import BatchStream
from ganforge.errors import ConfigError


def data_config(root, **keys):
    cfg = Config()
    values = {"source": str(root), "resolution": 16, "channels": 3, **keys}
    for k, v in values.items():
        cfg.set(f"data.{k}", v)
    return cfg.validate().data


def one_image(tmp_path, image: Image.Image, name="a.png", **save):
    (tmp_path / "c").mkdir(parents=True, exist_ok=True)
    image.save(tmp_path / "c" / name, **save)
    return tmp_path


def pixels(root, **keys) -> np.ndarray:
    images, _ = load_dataset(data_config(root, **keys)).__getitems__([0])
    return images[0].numpy()


def test_transparency_is_composited_onto_the_background(tmp_path):
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[:, :8] = (255, 0, 0, 255)  # left half opaque red, right half fully transparent
    root = one_image(tmp_path, Image.fromarray(rgba, "RGBA"))
    assert tuple(pixels(root)[:, 0, 12]) == (255, 255, 255)  # white by default
    assert tuple(pixels(root, background="black")[:, 0, 12]) == (0, 0, 0)
    assert tuple(pixels(root, background="#102030")[:, 0, 12]) == (16, 32, 48)
    assert tuple(pixels(root, background="#102030")[:, 0, 2]) == (255, 0, 0)
    with pytest.raises(ConfigError, match="data.background='pink' is not a colour"):
        data_config(root, background="pink")


def test_palette_transparency_cmyk_and_16_bit_images_convert(tmp_path):
    palette = Image.new("P", (16, 16), 1)
    palette.putpalette([0, 0, 255] + [0, 255, 0] * 255)
    palette.info["transparency"] = 1  # colour 1 (everything) transparent
    assert tuple(pixels(one_image(tmp_path / "p", palette, save_all=False, transparency=1))[:, 5, 5]) == \
        (255, 255, 255)
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # full magenta and yellow: red
    assert tuple(pixels(one_image(tmp_path / "k", cmyk, "a.jpg", quality=100))[:, 5, 5]) in \
        [(r, g, b) for r in range(250, 256) for g in range(0, 6) for b in range(0, 6)]
    deep = Image.fromarray(np.full((16, 16), 65535, np.uint16))  # mode I;16
    assert pixels(one_image(tmp_path / "d", deep), channels=1)[0, 5, 5] == 255


def test_exif_orientation_is_applied(tmp_path):
    a = np.zeros((8, 16, 3), np.uint8)
    a[:, :8] = (255, 0, 0)  # stored landscape: left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display": shown portrait, red on top
    root = one_image(tmp_path, Image.fromarray(a), exif=exif)
    shown = pixels(root, fit="pad")  # padding keeps the whole picture: red on top, black below
    assert tuple(shown[:, 3, 8]) == (255, 0, 0) and tuple(shown[:, 12, 8]) == (0, 0, 0)
    assert tuple(shown[:, 8, 1]) == (255, 255, 255)  # the padding left and right of the portrait


def test_fit_crops_or_pads_non_square_images(tmp_path):
    root = one_image(tmp_path, Image.new("RGB", (32, 16), (0, 0, 255)))
    assert (pixels(root) == np.array([0, 0, 255])[:, None, None]).all()  # cropped: all blue
    padded = pixels(root, fit="pad", background="black")
    assert (padded[:, :4] == 0).all() and (padded[:, 12:] == 0).all()  # 16 x 8 centred on black
    assert (padded[:, 4:12] == np.array([0, 0, 255])[:, None, None]).all()


def test_the_folder_is_described_at_start(tmp_path):
    for cls, n in (("big", 6), ("small", 2)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            Image.new("RGBA" if i == 0 else "RGB", (4 if cls == "small" else 32, 32)).save(tmp_path / cls / f"{i}.png")
    notes = load_dataset(data_config(tmp_path)).notes
    assert notes[0].startswith("8 images in 2 classes: big 6, small 2 (uneven: the largest class has 3.0x")
    assert "2 images are less than half the resolution (16 px) on their short side" in notes[1]
    assert notes[2] == "2 images have transparency: composited onto white (data.background)"
    assert notes[3] == "2 images are not square: centre-cropped (data.fit=crop)"


@pytest.mark.parametrize("balance,share", [("data", 0.1), ("classes", 0.5)])
def test_balance_draws_classes_in_proportion_or_equally(balance, share):
    labels = np.array([0] * 90 + [1] * 10)
    ds = ArrayDataset(np.zeros((100, 1, 4, 4), np.uint8), labels, ["common", "rare"], "test")
    stream = BatchStream(ds, 50, seed=0, balance=balance)
    drawn = torch.cat([stream.next()[1] for _ in range(40)])
    assert abs(drawn.float().mean().item() - share) < 0.05
    again = BatchStream(ds, 50, seed=0, balance=balance)
    again.load_state_dict(stream.state_dict())
    stream_next, again_next = stream.next()[1], again.next()[1]
    assert torch.equal(stream_next, again_next)  # the draw is a function of (seed, epoch): it resumes exactly


def test_statistics_of_a_folder_prepared_another_way_are_cached_apart(tmp_path):
    from ganforge.metrics.sources import open_dataset
    root = one_image(tmp_path, Image.new("RGB", (32, 16), (0, 0, 255)))
    keys = {open_dataset(str(root), (3, 16, 16), None, 0, data_cfg=data_config(root, **k)).identity_of()
            for k in ({}, {"fit": "pad"}, {"fit": "pad", "background": "black"})}
    assert len(keys) == 3
