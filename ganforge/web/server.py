"""``ganforge serve``: load the model once, put a bounded queue in front of it, serve on 127.0.0.1."""
from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import urllib.request

from ..errors import GanforgeError
from ..hub import load
from .downloads import Downloads
from .handlers import DemoModel

LOCAL = ("127.0.0.1", "localhost", "::1")


def make_app(run, device: str = "cpu", max_images: int = 64, queue_size: int = 16, keep_files: int = 64,
             keep_mb: float = 256, precision: str = "fp32"):
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if importlib.util.find_spec("gradio") is None:
        raise GanforgeError("the web demo needs gradio: pip install 'ganforge[web]'")
    from .app import build_app
    downloads = Downloads(keep_files, max(1, int(keep_mb * 2 ** 20)))
    G = load(run, device=device, precision=precision)
    if precision == "auto":
        print(f"ganforge serve: precision auto: {G.sample_precision}", file=sys.stderr)
    model = DemoModel(G, max_images=max_images, downloads=downloads)
    app = build_app(model, title=f"ganforge · {run}")
    # one generation at a time; up to queue_size more wait, the rest are told the queue is full
    app.queue(max_size=queue_size, default_concurrency_limit=1)
    return app, model


def serve(run, host: str = "127.0.0.1", port: int = 7860, device: str = "cpu", max_images: int = 64,
          queue_size: int = 16, keep_files: int = 64, keep_mb: float = 256, precision: str = "fp32") -> int:
    if not 1 <= port <= 65535:
        raise GanforgeError(f"--port {port}: expected 1 to 65535")
    if keep_mb <= 0:
        raise GanforgeError(f"--keep-mb {keep_mb}: expected a positive number of MiB")
    app, model = make_app(run, device, max_images, queue_size, keep_files, keep_mb, precision)
    if host not in LOCAL:
        print(f"ganforge serve: warning: binding {host} makes the demo reachable from other machines; it has no "
              f"authentication", file=sys.stderr)
    print(f"ganforge serve: {run} on http://{'127.0.0.1' if host in LOCAL else host}:{port} (Ctrl-C stops)",
          file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # so a terminated server also removes its files
    try:
        app.launch(server_name=host, server_port=port, show_error=True, quiet=True, ssr_mode=False)
    except OSError as e:
        raise GanforgeError(f"cannot serve on {host}:{port} ({e.strerror or e}); is the port in use? try --port") \
            from None
    finally:
        model.downloads.close()
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def wait_until_serving(url: str, proc: subprocess.Popen, seconds: float = 120) -> None:
    """Block until ``url`` answers; a server process that exits, or no answer in time, is an error."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            raise GanforgeError(f"ganforge serve exited with status {proc.returncode}: {output}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise GanforgeError(f"no answer from {url} within {seconds:.0f} s")
