"""Other projects' ``.pth`` / ``.bin`` files, read with ``torch.load(weights_only=True)``: tensors and plain
containers only, never arbitrary pickled objects."""
from __future__ import annotations

import pathlib
import pickle

import torch

from ..errors import GanforgeError


def load_torch_weights(path) -> dict[str, torch.Tensor]:
    """A flat {name: tensor} state dict from a torch file (a bare state dict, or one under 'state_dict',
    'model' or 'G_ema'). Files that need code to unpickle are refused."""
    path = pathlib.Path(path).expanduser()
    if not path.is_file():
        raise GanforgeError(f"{path} does not exist")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "unsafe content"
        raise GanforgeError(f"{path}: refused to load, the file holds more than tensors ({first})") from None
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise GanforgeError(f"{path}: not a readable torch file ({str(e).splitlines()[0] if str(e) else e})") from None
    for key in ("state_dict", "model", "G_ema"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not all(isinstance(v, torch.Tensor) for v in obj.values()):
        raise GanforgeError(f"{path}: expected a state dict of tensors, found {type(obj).__name__}")
    return {str(k).removeprefix("module."): v for k, v in obj.items()}
