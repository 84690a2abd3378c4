"""``ganforge convert``: other projects' generators -> ganforge exports (config.json + model.safetensors)."""
from __future__ import annotations

import pathlib

from ..models import build_generator
from ..pretrained import load_strict, save_pretrained
from .biggan_pytorch import convert_biggan_pytorch
from .hf import convert_hf, read_hf_dir
from .torch_files import load_torch_weights

SOURCES = ("hf", "biggan-pytorch")


def convert(source: str, path, out, **options):
    """Convert, build the ganforge generator, load it strictly, and write the export; returns the generator."""
    if source == "hf":
        cfg, tensors = convert_hf(*read_hf_dir(path))
    else:
        cfg, tensors = convert_biggan_pytorch(load_torch_weights(path), **options)
    G = build_generator(cfg)
    load_strict(G, tensors, path)
    save_pretrained(G.eval(), pathlib.Path(out).expanduser())
    return G
