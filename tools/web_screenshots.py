"""The README's pictures of the web demo: serve a run, drive it with headless Chromium, save screenshots of the
Generate tab (a class chosen, images generated) and of the Attention tab (a point clicked).

    python tools/web_screenshots.py runs/deep --class Sneaker --out docs/img/

Needs the web extra, the playwright package and Debian's chromium.
"""
from __future__ import annotations

import argparse
import pathlib
import shutil
import socket
import subprocess
import sys

from ganforge.web.server import wait_until_serving


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--class", dest="class_", required=True)
    ap.add_argument("--out", default="docs")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([sys.executable, "-m", "ganforge", "serve", args.run, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = pathlib.Path(args.out)
    try:
        wait_until_serving(url, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1200, "height": 1000})
            page.goto(url)
            page.locator("#class input").click()
            page.get_by_role("option", name=args.class_, exact=True).click()
            page.locator("#generate").click()
            page.locator("#grid img").wait_for(timeout=120_000)
            page.screenshot(path=str(out / "web_generate.png"), full_page=True)
            page.get_by_role("tab", name="Attention").click()
            page.locator("#show-sample").click()
            sample = page.locator("#attention-sample img")
            sample.wait_for(timeout=120_000)
            box = sample.bounding_box()
            page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.3)
            page.locator("#attention-maps img").wait_for(timeout=120_000)
            page.screenshot(path=str(out / "web_attention.png"), full_page=True)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"wrote {out / 'web_generate.png'} and {out / 'web_attention.png'}")


if __name__ == "__main__":
    main()
