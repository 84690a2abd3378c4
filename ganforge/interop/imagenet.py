"""The 1,000 ILSVRC-2012 class names in class-index order (``imagenet_classes.txt``, built by
tools/build_imagenet_classes.py), so pretrained ImageNet models take classes by name."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def imagenet_class_names() -> list[str]:
    text = resources.files("ganforge.interop").joinpath("imagenet_classes.txt").read_text()
    return [line for line in text.splitlines() if line]
