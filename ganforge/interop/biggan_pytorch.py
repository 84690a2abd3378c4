"""BigGAN-PyTorch generator checkpoints (``G.pth`` / ``G_ema.pth``, TF-Hub conversions included) -> ganforge
BigGAN, with the architecture **inferred from the tensor shapes** (resolution, ch, channel plan, dim_z,
shared embedding size, hierarchical latents, attention positions, classes), so no training flags are needed.

Renaming only: ``blocks.{i}.0.*`` -> ``blocks.{i}.*``, ``blocks.{i}.1.*`` -> ``attention.{i}.*``, ``u0``/``sv0``
-> ``u``/``sigma``, ``stored_mean``/``stored_var`` -> BN running statistics, ``output_layer.{0,2}`` ->
``output_bn`` / ``output_conv``. Spectral norm keeps BigGAN-PyTorch's eval rule (one non-stored power
iteration from u), so the converted generator computes what that project's Generator computes in eval mode.
The epsilons are not stored in the file: defaults BN 1e-5, SN 1e-6 (the 128 px launch script); TF-Hub
conversions use 1e-4 for both.
"""
from __future__ import annotations

import re

import torch

from ..config import Config
from ..errors import GanforgeError
from ..models.widths import generator_stages
from .imagenet import imagenet_class_names

_BLOCK = re.compile(r"^blocks\.(\d+)\.0\.conv1\.weight$")
_ATTN = re.compile(r"^blocks\.(\d+)\.1\.theta\.weight$")


def _need(sd: dict, key: str) -> torch.Tensor:
    if key not in sd:
        raise GanforgeError(f"not a BigGAN-PyTorch generator state dict: no {key!r}")
    return sd[key]


def infer_config(sd: dict, bn_eps: float = 1e-5, sn_eps: float = 1e-6) -> Config:
    blocks = sorted(int(m.group(1)) for k in sd if (m := _BLOCK.match(k)))
    if not blocks or blocks != list(range(len(blocks))):
        raise GanforgeError("not a BigGAN-PyTorch generator state dict: no blocks.{i}.0.conv1.weight sequence")
    n = len(blocks)
    res = 4 * 2 ** n
    ins = [int(_need(sd, f"blocks.{i}.0.conv1.weight").shape[1]) for i in blocks]
    outs = [int(_need(sd, f"blocks.{i}.0.conv1.weight").shape[0]) for i in blocks]
    plan, ch = None, None
    for candidate in ("uniform", "ladder"):
        stages = generator_stages(res, candidate)
        unit = ins[0] // stages[0].in_mult
        if unit * stages[0].in_mult == ins[0] and [s.in_mult * unit for s in stages] == ins and \
                [s.out_mult * unit for s in stages] == outs:
            plan, ch = candidate, unit
            break
    if plan is None:
        raise GanforgeError(f"block widths {ins} -> {outs} match neither BigGAN channel plan at {res} px")
    shared = "shared.weight" in sd
    linear_in = int(_need(sd, "linear.weight").shape[1])
    gain = _need(sd, "blocks.0.0.bn1.gain.weight")
    if shared:
        classes, shared_dim = (int(v) for v in sd["shared.weight"].shape)
        chunk = int(gain.shape[1]) - shared_dim
        hier = chunk > 0
        if hier and chunk != linear_in:
            raise GanforgeError(f"inconsistent latent sizes: BN conditioning has a {chunk}-d chunk, the first "
                                f"linear layer takes {linear_in}")
        dim_z = chunk * (n + 1) if hier else linear_in
    else:
        classes, shared_dim, hier, dim_z = int(gain.shape[0]), 128, False, linear_in
    attention = sorted(8 * 2 ** int(m.group(1)) for k in sd if (m := _ATTN.match(k)))
    cfg = Config()
    values = {"data.resolution": res, "data.channels": int(_need(sd, "output_layer.2.weight").shape[0]),
              "data.source": "imagenet" if classes == 1000 else "unknown", "model.name": "biggan",
              "model.ch": ch, "model.d_ch": ch, "model.dim_z": dim_z, "model.shared_dim": shared_dim,
              "model.num_classes": classes, "model.class_names": imagenet_class_names() if classes == 1000 else [],
              **{f"model.biggan.{k}": v for k, v in {
                  "shared": shared, "hier": hier, "g_attention": attention, "d_attention": [], "widths": plan,
                  "bn_eps": bn_eps, "sn_eps": sn_eps}.items()}}
    for key, value in values.items():
        cfg.set(key, value, origin="BigGAN-PyTorch checkpoint")
    return cfg.validate()


def _rename(key: str) -> str:
    key = re.sub(r"^blocks\.(\d+)\.0\.", r"blocks.\1.", key)
    key = re.sub(r"^blocks\.(\d+)\.1\.", r"attention.\1.", key)
    key = key.replace("output_layer.0.gain", "output_bn.weight").replace("output_layer.0.bias", "output_bn.bias")
    key = key.replace("output_layer.0.stored_", "output_bn.running_").replace("output_layer.2.", "output_conv.")
    key = re.sub(r"\.(bn\d)\.stored_(mean|var)$", r".\1.bn.running_\2", key)
    key = re.sub(r"\.u0$", ".u", key)
    return re.sub(r"\.sv0$", ".sigma", key)


def convert_biggan_pytorch(sd: dict, bn_eps: float = 1e-5, sn_eps: float = 1e-6,
                           resolution: int | None = None) -> tuple[Config, dict[str, torch.Tensor]]:
    cfg = infer_config(sd, bn_eps, sn_eps)
    if resolution is not None and resolution != cfg.data.resolution:
        raise GanforgeError(f"--resolution {resolution}, but the checkpoint's blocks make a "
                            f"{cfg.data.resolution} px generator")
    out = {}
    for key, value in sd.items():
        if re.search(r"\.(u|sv)[1-9]\d*$", key):
            raise GanforgeError(f"{key}: several singular vectors per layer (num_SVs > 1) are not supported")
        name = _rename(key)
        if name.endswith(".u"):
            value = value.reshape(-1)
        elif name.endswith(".sigma") or name.endswith(".gamma"):
            value = value.reshape(())
        out[name] = value.clone()
    for name in [k for k in out if k.endswith("running_var")]:  # BigGAN-PyTorch keeps no batch counter
        out.setdefault(name[: -len("running_var")] + "num_batches_tracked", torch.tensor(0))
    return cfg, out
