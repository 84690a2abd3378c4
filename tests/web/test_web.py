"""The web demo: validation in the handlers, the Gradio API, a bounded load, and a real browser."""
import concurrent.futures
import io
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from ganforge import save_pretrained
from ganforge.errors import GanforgeError
from ganforge.web.downloads import Downloads
from ganforge.web.handlers import DemoModel, region_mask
from ganforge.web.server import wait_until_serving

from ..test_steering import attention_model
from ..conftest import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def demo():
    return DemoModel(attention_model(), max_images=8)


def test_generate_gives_a_png_grid_and_a_file(demo):
    grid, path = demo.sample_grid("3", 7, 0.5, 4)
    assert grid.size == (4 * (128 + 2) + 2, 128 + 4)  # 4 tiles of 32 px × 4, 2 px gaps
    with Image.open(path) as saved:
        assert saved.format == "PNG" and saved.size == grid.size
    again, _ = demo.sample_grid("3", 7, 0.5, 4)
    assert grid.tobytes() == again.tobytes()  # same seed, same images


@pytest.mark.parametrize("args,message", [
    (("Shoe", 0, 0.5, 4), "Shoe"),
    (("3", -1, 0.5, 4), "seed=-1"),
    (("3", 1.5, 0.5, 4), "seed=1.5 is not valid: expected an integer"),
    (("3", 0, 2.5, 4), "truncation=2.5 is out of range"),
    (("3", 0, float("nan"), 4), "truncation"),
    (("3", 0, 0.5, 9), "number of images=9 is out of range: expected 1 to 8"),
    (("3", 0, 0.5, 0), "out of range"),
    ((None, 0, 0.5, 4), "choose a class"),
])
def test_bad_inputs_are_refused_with_a_message(demo, args, message):
    with pytest.raises(GanforgeError, match=message.replace("(", r"\(")):
        demo.sample_grid(*args)


def test_interpolation_strip_and_gif(demo):
    strip, gif = demo.interpolate("0", "9", 1, 2, 5, 0)
    with Image.open(gif) as g:
        assert g.format == "GIF" and g.n_frames == 5 + 3  # there and back without repeating the ends
    assert strip.width > 5 * 96
    with pytest.raises(GanforgeError, match="steps=40"):
        demo.interpolate("0", "9", 1, -1, 40, 0)


def test_download_files_are_bounded_oldest_first_and_removed_on_close():
    files = Downloads(max_files=3, max_bytes=2500)
    for i in range(5):
        path = files.path(f"a/{i}.bin")  # a '/' in a class name stays inside the directory
        path.write_bytes(b"x" * 500)
        os.utime(path, ns=(i * 10**9, i * 10**9))
        files.added(path)
    assert sorted(p.name for p in files.directory.iterdir()) == ["a_2.bin", "a_3.bin", "a_4.bin"]
    big = files.path("big.bin")
    big.write_bytes(b"y" * 2000)
    os.utime(big, ns=(9 * 10**9, 9 * 10**9))
    files.added(big)
    assert files.usage() == (2, 2500) and big.exists()  # bytes bound: the two oldest went
    files.close()
    assert not files.directory.exists()


def test_attention_click_maps_and_steering(demo):
    picture = demo.attention_sample("3", 2, 0)
    assert picture.size == (256, 256)  # 32 px shown 8× so a click picks one pixel
    sheet = demo.attention_maps("3", 2, 0, 255, 0)  # the top-right pixel
    assert sheet.width > 3 * 128  # sample + one map per layer
    with pytest.raises(GanforgeError, match="x=256"):
        demo.attention_maps("3", 2, 0, 256, 0)
    off = demo.steered("3", 2, 0, 2, 0.0, "none", 0, -1)
    on = demo.steered("3", 2, 0, 2, 1.0, "none", 0, -1)
    focused = demo.steered("3", 2, 0, 2, 1.0, "top half", 8.0, -1)
    assert off.tobytes() != on.tobytes() != focused.tobytes()
    assert region_mask("centre", 8)[2:6, 2:6].all() and region_mask("centre", 8).sum() == 16
    with pytest.raises(GanforgeError, match="focus region"):
        region_mask("middle", 8)


# --- a real server ------------------------------------------------------------------------------------------

KEEP_FILES = 3


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    pytest.importorskip("gradio", reason="the web extra (gradio) is not installed")
    run = tmp_path_factory.mktemp("web") / "model"
    save_pretrained(attention_model(), run)
    port = free_port()
    log = open(run.parent / "serve.log", "w")
    tmp = run.parent / "tmp"
    tmp.mkdir()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "TMPDIR": str(tmp)}
    proc = subprocess.Popen([sys.executable, "-m", "ganforge", "serve", str(run), "--port", str(port),
                             "--max-images", "16", "--queue-size", "4", "--keep-files", str(KEEP_FILES)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_serving(url, proc)
    except GanforgeError as e:
        pytest.fail(f"{e}\n{(run.parent / 'serve.log').read_text()}")
    yield url
    assert [len(list(d.iterdir())) <= KEEP_FILES for d in tmp.glob("ganforge-web-*")] == [True]
    proc.terminate()
    proc.wait(timeout=30)
    log.close()
    assert not list(tmp.glob("ganforge-web-*"))  # removed when the server stops


def test_gradio_client_generates_and_bad_input_keeps_the_server_up(server):
    from gradio_client import Client
    client = Client(server, verbose=False)
    grid, png = client.predict("3", 5, 0.7, 3, api_name="/generate")
    with Image.open(grid) as img:
        assert img.format == "PNG" and img.size == (3 * 130 + 2, 132)
    with pytest.raises(Exception, match="out of range|greater than maximum"):
        client.predict("3", 5, 0.7, 17, api_name="/generate")
    with pytest.raises(Exception, match="not in the list of choices|Shoe"):
        client.predict("Shoe", 5, 0.7, 3, api_name="/generate")
    assert Image.open(client.predict("3", 5, 0.7, 1, api_name="/generate")[1]).size == (132, 132)


def test_twenty_concurrent_requests_complete_or_are_told_busy(server):
    from gradio_client import Client
    client = Client(server, verbose=False)
    jobs = [client.submit("3", i, 0.0, 16, api_name="/generate") for i in range(20)]
    done, busy = 0, 0
    for job in jobs:
        try:
            job.result(timeout=300)
            done += 1
        except concurrent.futures.TimeoutError:
            pytest.fail("a request neither completed nor was refused within 300 s")
        except Exception as e:  # the bounded queue answers the overflow at once
            assert "queue is full" in str(e).lower(), e
            busy += 1
    print(f"20 concurrent requests: {done} completed, {busy} told the queue is full")
    assert done + busy == 20 and done >= 5  # one running + a queue of 4 always get through
    assert client.predict("3", 1, 0.0, 1, api_name="/generate")  # still serving


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package chromium; make test "
                                             "installs it where apt-get is allowed)")
def test_browser_chooses_a_class_generates_and_gets_a_png(server, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(server)
        page.locator("#class input").click()
        page.get_by_role("option", name="7", exact=True).click()
        page.locator("#generate").click()
        image = page.locator("#grid img")
        image.wait_for(timeout=120_000)
        src = image.get_attribute("src")
        data = page.request.get(src if src.startswith("http") else server.rstrip("/") + src).body()
        page.screenshot(path=str(tmp_path / "web_demo.png"), full_page=True)
        if os.environ.get("GANFORGE_SCREENSHOT"):
            shutil.copy(tmp_path / "web_demo.png", os.environ["GANFORGE_SCREENSHOT"])
        browser.close()
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG" and img.size == (8 * 130 + 2, 2 * 130 + 2)  # 16 images, 8 per row
        assert np.asarray(img.convert("L")).std() > 1  # a picture, not a blank


def test_serve_refuses_a_directory_without_a_model(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ganforge", "serve", str(tmp_path), "--port", "7999"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "holds no model" in proc.stderr and "Traceback" not in proc.stderr


def test_a_converted_pretrained_model_is_served_with_its_own_truncation_rules():
    pytest.importorskip("pytorch_pretrained_biggan", reason="the test dependency pytorch-pretrained-biggan is missing")
    import json

    from ganforge.interop.hf import convert_hf
    from ganforge.models import build_generator
    from ganforge.pretrained import load_strict

    from ..interop.test_interop import random_hf_model
    cfg, model = random_hf_model(z_dim=16, class_embed_dim=16, channel_width=4, num_classes=1000)
    gcfg, tensors = convert_hf(json.loads(cfg.to_json_string()), model.state_dict())
    G = build_generator(gcfg)
    load_strict(G, tensors, "random HF model")
    served = DemoModel(G, max_images=4)
    assert served.class_names[207] == "golden retriever"
    grid, _ = served.sample_grid("golden retriever", 1, 0.4, 2)
    assert grid.size == (2 * (served.size * max(1, 128 // served.size) + 2) + 2,
                         served.size * max(1, 128 // served.size) + 4)
    with pytest.raises(GanforgeError, match="truncation=1.5 is out of range: expected 0 to 1"):
        served.sample_grid("golden retriever", 1, 1.5, 2)
    with pytest.raises(GanforgeError, match="did you mean: golden retriever"):
        served.sample_grid("golden retreiver", 1, 0.4, 2)
