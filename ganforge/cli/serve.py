"""``ganforge serve``: the web demo of a run, an export or a converted model (Gradio, the web extra)."""
from __future__ import annotations

from .common import positive_int, precision_arg


def _serve(args) -> int:
    from ..web.server import serve
    return serve(args.run, host=args.host, port=args.port, device=args.device or "cpu", max_images=args.max_images,
                 queue_size=args.queue_size, keep_files=args.keep_files, keep_mb=args.keep_mb,
                 precision=args.precision)


def register(sub) -> None:
    s = sub.add_parser("serve", help="web demo of a run, an export or a converted model (Gradio)")
    s.add_argument("run", help="a run directory or an exported generator")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=7860)
    s.add_argument("--device", help="cpu (default), cuda, mps")
    precision_arg(s)
    s.add_argument("--max-images", type=positive_int, default=64, help="most images one request may ask for")
    s.add_argument("--queue-size", type=positive_int, default=16,
                   help="requests that may wait; more get a 'busy' answer")
    s.add_argument("--keep-files", type=positive_int, default=64,
                   help="downloadable files kept in the temporary directory (oldest removed first)")
    s.add_argument("--keep-mb", type=float, default=256, help="MiB those files may take (oldest removed first)")
    s.set_defaults(func=_serve)
