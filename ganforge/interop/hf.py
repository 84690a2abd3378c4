"""pytorch-pretrained-BigGAN directories (``config.json`` + ``pytorch_model.bin``: BigGAN-deep converted from
TF-Hub) -> a ganforge BigGAN-deep export that reproduces that package's output.

What the conversion does (everything else is a renaming):
* the class embedding ``Linear(classes → z_dim)`` becomes an embedding table (its transpose);
* ``gen_z``'s outputs are reordered from the package's NHWC reshape to ganforge's NCHW one;
* every spectrally-normalised weight keeps the package's eval-mode σ = uᵀ W v (stored u and v), held in the
  layer's ``sigma`` buffer and used as is (``model.biggan_deep.sn_eval = cached``);
* ``conv_to_rgb`` (ch → ch, of which the package keeps 3) keeps its first 3 output channels, with the σ of
  the full matrix;
* the truncation-indexed BN statistics [n_stats, C] are kept (``model.biggan_deep.bn_stats = truncation``), and sampling
  follows TF-Hub's convention z = ψ · truncnorm(−2, 2) (``model.biggan_deep.truncation_style = tfhub``).
"""
from __future__ import annotations

import json
import pathlib

import torch
import torch.nn.functional as F

from ..config import Config
from ..errors import GanforgeError
from ..models.widths import generator_stages
from .imagenet import imagenet_class_names
from .torch_files import load_torch_weights


def read_hf_dir(path) -> tuple[dict, dict[str, torch.Tensor]]:
    path = pathlib.Path(path).expanduser()
    cfg_file, weights = path / "config.json", path / "pytorch_model.bin"
    if not cfg_file.is_file() or not weights.is_file():
        raise GanforgeError(f"{path}: expected a pytorch-pretrained-BigGAN directory with config.json and "
                            f"pytorch_model.bin")
    try:
        hf_cfg = json.loads(cfg_file.read_text())
    except json.JSONDecodeError as e:
        raise GanforgeError(f"{cfg_file}: not valid JSON ({e})") from None
    return hf_cfg, load_torch_weights(weights)


def _depth(layers: list, stages) -> int:
    """Blocks per resolution, checking the layout is BigGAN-deep's for this resolution."""
    depth = len(layers) // len(stages)
    expected = []
    for s in stages:
        expected += [[False, s.in_mult, s.in_mult]] * (depth - 1) + [[True, s.in_mult, s.out_mult]]
    if depth < 1 or [[bool(a), int(b), int(c)] for a, b, c in layers] != expected:
        raise GanforgeError(f"unsupported 'layers' layout {layers}; ganforge converts the BigGAN-deep layouts "
                            f"(blocks that keep the width, then one that upsamples and changes it, per resolution)")
    return depth


def config_from_hf(hf: dict) -> Config:
    try:
        res, z_dim, embed, ch = hf["output_dim"], hf["z_dim"], hf["class_embed_dim"], hf["channel_width"]
        classes, layers, pos = hf["num_classes"], hf["layers"], hf["attention_layer_position"]
        eps, n_stats = hf.get("eps", 1e-4), hf.get("n_stats", 51)
    except KeyError as e:
        raise GanforgeError(f"pytorch-pretrained-BigGAN config lacks {e}") from None
    stages = generator_stages(res, "ladder")
    depth = _depth(layers, stages)
    if pos % depth or not 0 < pos <= len(layers):
        raise GanforgeError(f"attention_layer_position={pos} is not at the end of a resolution; not supported")
    attention = 4 * 2 ** sum(1 for up, _, _ in layers[:pos] if up)
    cfg = Config()
    values = {"data.resolution": res, "data.channels": 3, "data.source": "imagenet",
              "model.name": "biggan_deep", "model.ch": ch, "model.d_ch": ch, "model.dim_z": z_dim,
              "model.shared_dim": embed, "model.num_classes": classes,
              "model.class_names": imagenet_class_names() if classes == 1000 else [],
              **{f"model.biggan_deep.{k}": v for k, v in {
                  "depth": depth, "widths": "ladder", "g_attention": [attention], "d_attention": [], "sn_eps": eps,
                  "bn_eps": eps, "sn_eval": "cached", "bn_stats": "truncation", "n_stats": n_stats,
                  "truncation_style": "tfhub"}.items()}}
    for key, value in values.items():
        cfg.set(key, value, origin="pytorch-pretrained-BigGAN config")
    return cfg.validate()


def _sigma(sd: dict, prefix: str) -> torch.Tensor:
    """The package's eval-mode σ = uᵀ (W v), computed as torch's spectral_norm does."""
    w = sd[f"{prefix}.weight_orig"]
    return torch.dot(sd[f"{prefix}.weight_u"], torch.mv(w.reshape(w.shape[0], -1), sd[f"{prefix}.weight_v"]))


def _sn(sd: dict, used: set, src: str, dst: str, out: dict, bias: bool = True, rows=None) -> None:
    """Copy one spectrally-normalised layer; ``rows`` reorders (or selects) output rows."""
    names = [f"{src}.weight_orig", f"{src}.weight_u", f"{src}.weight_v"] + ([f"{src}.bias"] if bias else [])
    missing = [n for n in names if n not in sd]
    if missing:
        raise GanforgeError(f"pytorch-pretrained-BigGAN weights lack {', '.join(missing)}")
    used.update(names)
    w, u = sd[f"{src}.weight_orig"], sd[f"{src}.weight_u"]
    sigma = _sigma(sd, src)
    if rows is not None:
        w, u = w[rows], F.normalize(u[rows], dim=0)
    out[f"{dst}.weight"], out[f"{dst}.u"], out[f"{dst}.sigma"] = w.clone(), u.clone(), sigma.reshape(())
    if bias:
        b = sd[f"{src}.bias"]
        out[f"{dst}.bias"] = (b[rows] if rows is not None else b).clone()


def _take(sd: dict, used: set, src: str, dst: str, out: dict, shape=None) -> None:
    if src not in sd:
        raise GanforgeError(f"pytorch-pretrained-BigGAN weights lack {src}")
    used.add(src)
    out[dst] = sd[src].reshape(shape) if shape is not None else sd[src].clone()


def convert_hf(hf_cfg: dict, sd: dict[str, torch.Tensor]) -> tuple[Config, dict[str, torch.Tensor]]:
    cfg = config_from_hf(hf_cfg)
    m, used, out = cfg.model, set(), {}
    _take(sd, used, "embeddings.weight", "shared.weight", out)
    out["shared.weight"] = out["shared.weight"].t().contiguous()
    c0 = 16 * m.ch  # gen_z rows: NHWC order (h, w, c) -> ganforge's NCHW order (c, h, w)
    nchw = torch.arange(16 * c0).view(4, 4, c0).permute(2, 0, 1).reshape(-1)
    _sn(sd, used, "generator.gen_z", "linear", out, rows=nchw)
    pos, block = hf_cfg["attention_layer_position"], 0
    for j in range(len(hf_cfg["layers"]) + 1):
        src = f"generator.layers.{j}"
        if j == pos:
            for a, b in (("theta", "theta"), ("phi", "phi"), ("g", "g"), ("o_conv", "o")):
                _sn(sd, used, f"{src}.snconv1x1_{a}", f"attention.{block - 1}.{b}", out, bias=False)
            _take(sd, used, f"{src}.gamma", f"attention.{block - 1}.gamma", out, shape=())
            continue
        dst = f"blocks.{block}"
        for k in range(4):
            _sn(sd, used, f"{src}.conv_{k}", f"{dst}.conv{k + 1}", out)
            _sn(sd, used, f"{src}.bn_{k}.scale", f"{dst}.bn{k + 1}.gain", out, bias=False)
            _sn(sd, used, f"{src}.bn_{k}.offset", f"{dst}.bn{k + 1}.bias", out, bias=False)
            for stat in ("running_means", "running_vars"):
                _take(sd, used, f"{src}.bn_{k}.{stat}", f"{dst}.bn{k + 1}.bn.{stat}", out)
        block += 1
    for name in ("weight", "bias", "running_means", "running_vars"):
        _take(sd, used, f"generator.bn.{name}", f"output_bn.{name}", out)
    _sn(sd, used, "generator.conv_to_rgb", "output_conv", out, rows=torch.arange(3))
    unexpected = sorted(set(sd) - used)
    if unexpected:
        raise GanforgeError(f"pytorch-pretrained-BigGAN weights hold {len(unexpected)} tensor(s) the config does not "
                            f"describe: {', '.join(unexpected[:8])}")
    return cfg, out
