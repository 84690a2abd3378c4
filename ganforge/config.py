"""Typed run configuration: dataclasses, YAML/JSON io, presets, dotted overrides and validation.

A run is described by one :class:`Config` with seven sections (data, model, loss, augment, growth, train, eval).
Every field carries its allowed range or choices, so a bad value fails with a message that says what is allowed,
and an unknown key fails with the list of valid keys. The networks are built from the model section and the image
geometry alone (:meth:`Config.model_spec`).
"""
from __future__ import annotations

import copy
import dataclasses
import json
import math
import pathlib
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .augment import AUGMENT_OPS, parse_policy
from .checks import listed, number
from .errors import ConfigError, GanforgeError
from .metrics.registry import METRICS, parse_metrics
from .models.options import check_family_options
from .models.registry import FAMILIES
from .models.spec import ModelSpec


def _f(default, help: str, lo=None, hi=None, choices=None, item=int):
    """A dataclass field with its documentation and allowed values (``item``: the type of a list's items)."""
    meta = {"help": help, "lo": lo, "hi": hi, "choices": choices, "item": item}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


@dataclass
class DataConfig:
    source: str = _f("fashion-mnist", "'fashion-mnist' (embedded) or a path: image folder, .npz file, "
                     "a CIFAR-10 'cifar-10-batches-py' directory, or MNIST-format (idx) files: their directory "
                     "or an images file")
    kind: str = _f("auto", "how to read source", choices=["auto", "embedded", "folder", "npz", "cifar10", "idx"])
    resolution: int = _f(32, "image size in pixels (a power of two)", lo=16, hi=512)
    channels: int = _f(1, "1 (greyscale) or 3 (RGB)", choices=[1, 3])
    hflip: bool = _f(False, "random horizontal flips of real images")
    preload: str = _f("auto", "decode an image folder into memory once ('auto': when it fits in 2 GiB)",
                      choices=["auto", "true", "false"])
    num_workers: int = _f(0, "data-loading worker processes (folder datasets)", lo=0, hi=64)
    skip_bad_images: bool = _f(False, "skip unreadable images in a folder (reported) instead of stopping")


@dataclass
class ModelConfig:
    name: str = _f("biggan", "model family: " + ", ".join(f"{n} ({f.summary})" for n, f in FAMILIES.items()),
                   choices=FAMILIES)  # the live registry: a family registered later is a valid choice
    conditional: bool = _f(True, "dcgan: condition G and D on the class (label embedding concatenated); BigGAN "
                           "and cgan always are, vanilla never")
    mbstd_group: int = _f(0, "biggan, biggan_deep, dcgan, progan, vanilla, cgan: minibatch-stddev map before D's "
                          "last layer, group size (0 = off; progan: 0 means its paper's 4)", lo=0, hi=256)
    mbstd_by_class: bool = _f(False, "biggan, biggan_deep, progan, lapgan, cgan: the minibatch-stddev map over each "
                              "class's samples, not fixed groups (not from a paper; leave mbstd_group at 0)")
    mbstd_features: int = _f(1, "values the minibatch-stddev map appends: D's channels split into this many groups, "
                             "one averaged std each (StyleGAN's num_channels; ProGAN 1)", lo=1, hi=64)
    refiner: str = _f("convs", "lapgan: G_k's body: 'convs' (the paper's 3×3 convolutions) or 'unet' (down to a "
                      "quarter of the size and back, with skips; not in the paper)", choices=["convs", "unet"])
    context_noise: float = _f(0.0, "lapgan: std of noise on the real coarse image G_k reads in training, not on the "
                              "one it refines (not in the paper: conditioning augmentation; 0 = off)", lo=0.0, hi=10.0)
    chain_share: float = _f(0.0, "lapgan: share of G's batch whose G_k refines the coarser generators' image, not "
                            "a real one (not in the paper; 0 = all real)", lo=0.0, hi=1.0)
    mb_kernels: int = _f(0, "vanilla/cgan/dcgan: minibatch discrimination kernels before D's output (0 = off)",
                         lo=0, hi=1024)
    ch: int = _f(64, "generator width multiplier", lo=1, hi=1024)
    d_ch: int = _f(64, "discriminator width multiplier", lo=1, hi=1024)
    dim_z: int = _f(128, "latent size (divisible into blocks + 1 chunks when hier)", lo=1, hi=4096)
    shared: bool = _f(True, "one shared class embedding feeding every conditional BN")
    shared_dim: int = _f(128, "size of the shared class embedding", lo=1, hi=4096)
    hier: bool = _f(True, "hierarchical latents: z split into chunks, one per block (needs shared)")
    g_attention: list = _f([], "resolutions with self-attention in G, e.g. [64]")
    d_attention: list = _f([], "resolutions with self-attention in D, e.g. [64]")
    attention_type: str = _f("self", "attention layers: 'self' (SAGAN) or 'channel' (squeeze-and-excitation)",
                             choices=["self", "channel"])
    depth: int = _f(2, "BigGAN-deep: blocks per resolution", lo=1, hi=16)
    channel_ratio: int = _f(4, "BigGAN-deep: bottleneck ratio (hidden = channels / ratio)", lo=1, hi=64)
    widths: str = _f("auto", "channel plan: 'ladder' (ImageNet, >= 64 px), 'uniform' (CIFAR, 4*ch), "
                     "'auto' (uniform up to 32 px, ladder above)", choices=["auto", "ladder", "uniform"])
    init: str = _f("ortho", "weight init", choices=["ortho", "N02", "xavier"])
    sn_eps: float = _f(1e-6, "spectral-norm epsilon", lo=0.0, hi=1.0)
    bn_eps: float = _f(1e-5, "batch-norm epsilon", lo=0.0, hi=1.0)
    sn_eval: str = _f("iterate", "spectral norm in eval: 'iterate' (BigGAN-PyTorch) or 'cached' (stored sigma)",
                      choices=["iterate", "cached"])
    bn_stats: str = _f("batch", "'batch' norm statistics, or 'truncation'-indexed ones (converted TF-Hub "
                       "BigGAN-deep; sampling only)", choices=["batch", "truncation"])
    n_stats: int = _f(51, "rows of truncation-indexed statistics", lo=2, hi=1001)
    truncation_style: str = _f("resample", "what truncation psi means when sampling: 'resample' (|z| <= psi) or "
                               "'tfhub' (psi * truncnorm(-2, 2), and it selects truncation-indexed statistics)",
                               choices=["resample", "tfhub"])
    num_classes: int = _f(0, "number of classes (0 = from the data)", lo=0, hi=100000)
    class_names: list = _f([], "class names (empty = from the data)", item=str)


@dataclass
class LossConfig:
    name: str = _f("hinge", "adversarial loss: hinge, bce (non-saturating), minimax, wasserstein, ls (least squares), "
                   "rpgan (relativistic pairing, R3GAN: softplus of D(G(z)) − D(x) over paired real and fake images)",
                   choices=["hinge", "bce", "minimax", "wasserstein", "ls", "rpgan"])
    gp: float = _f(0.0, "WGAN-GP weight λ (paper: 10; 0 = off)", lo=0.0, hi=1e6)
    r1: float = _f(0.0, "R1 penalty weight γ on real images (adds γ/2·E‖∇D(x)‖²; 0 = off)", lo=0.0, hi=1e6)
    r2: float = _f(0.0, "R2 penalty weight γ on generated images (adds γ/2·E‖∇D(G(z))‖²; R3GAN: with R1 at the same "
                   "γ; 0 = off)", lo=0.0, hi=1e6)
    r1_every: int = _f(1, "apply R1 and R2 every N discriminator updates, weighted ×N (lazy regularisation)", lo=1,
                       hi=1000)
    lecam: float = _f(0.0, "LeCam weight λ (Tseng et al. 2021): λ·(E(D(x) − α_F)² + E(D(G(z)) − α_R)²), α_R, α_F "
                      "moving averages of D's mean real and fake scores (0 = off)", lo=0.0, hi=1e6)
    lecam_decay: float = _f(0.99, "decay of LeCam's moving averages", lo=0.0, hi=1.0)
    feature_matching: float = _f(0.0, "weight of feature matching added to G's loss: ‖E f(x) − E f(G(z))‖² on the "
                                 "features D's last layer reads (classic family)", lo=0.0, hi=1e6)
    mode_seeking: float = _f(0.0, "weight λ of the mode-seeking term added to G's loss (Mao et al. 2019): "
                             "λ / (mean|G(z₁,y) − G(z₂,y)| / mean|z₁ − z₂| + 1e-5), over half the batch (0 = off)",
                             lo=0.0, hi=1e6)
    drift: float = _f(0.0, "drift penalty ε·E[D(x)²] keeping critic scores near 0 (ProGAN: 0.001; wasserstein only)",
                      lo=0.0, hi=1e6)


@dataclass
class GrowthConfig:
    stable: int = _f(0, "progan, lapgan: real images shown in each stable phase (paper: 600k; 0 = phases of equal "
                     "images that end with train.steps, whatever each level's batch size)", lo=0, hi=10**10)
    stable_images: list = _f([], "progan, lapgan: growth.stable for each level, one entry per level (empty = "
                             "growth.stable at every level)")
    fade: int = _f(-1, "progan: real images shown while a new level fades in (paper: 600k; -1 = as stable; "
                   "lapgan has no fade)", lo=-1, hi=10**10)
    batch_sizes: list = _f([], "progan, lapgan: batch size per level (empty = train.batch_size)")
    lrs: list = _f([], "progan, lapgan: learning rate of G and D per level (empty = train.g_lr / train.d_lr)",
                   item=float)
    reset_optimizer: bool = _f(True, "progan, lapgan: clear Adam's state on entering a new level (paper)")


@dataclass
class AugmentConfig:
    diffaugment: str = _f("", "DiffAugment ops applied to every image D sees, comma-separated: "
                          + ", ".join(AUGMENT_OPS) + " (empty = off)")
    p: float = _f(1.0, "probability that each op is applied to an image (drawn per image and op); with ada_target, "
                  "the starting probability", lo=0.0, hi=1.0)
    ada_target: float = _f(0.0, "adapt p to D's overfitting (ADA's heuristic on DiffAugment's ops): raise p while "
                           "r = E[sign(D(x_real))] is above this target, lower it below (ADA: 0.6; 0 = fixed p)",
                           lo=0.0, hi=1.0)
    ada_interval: int = _f(4, "discriminator batches between adjustments of p", lo=1, hi=10**6)
    ada_images: int = _f(500_000, "real images over which p can move from 0 to 1", lo=1, hi=10**10)


@dataclass
class TrainConfig:
    steps: int = _f(10000, "generator steps to train for", lo=0, hi=10**9)
    batch_size: int = _f(64, "images per D/G step before accumulation", lo=1, hi=65536)
    accumulate: int = _f(1, "gradient-accumulation passes per step (G and D)", lo=1, hi=1024)
    d_steps: int = _f(1, "discriminator steps per generator step", lo=1, hi=100)
    g_lr: float = _f(1e-4, "generator learning rate", lo=0.0, hi=1.0)
    d_lr: float = _f(4e-4, "discriminator learning rate", lo=0.0, hi=1.0)
    beta1: float = _f(0.0, "Adam beta1", lo=0.0, hi=1.0)
    beta2: float = _f(0.999, "Adam beta2", lo=0.0, hi=1.0)
    adam_eps: float = _f(1e-6, "Adam epsilon", lo=0.0, hi=1.0)
    g_ortho: float = _f(0.0, "modified orthogonal regularisation strength for G (paper: 1e-4)", lo=0.0, hi=1.0)
    d_ortho: float = _f(0.0, "modified orthogonal regularisation strength for D", lo=0.0, hi=1.0)
    ema_decay: float = _f(0.9999, "EMA decay of the generator weights", lo=0.0, hi=1.0)
    ema_start: int = _f(0, "step before which the EMA simply copies G", lo=0, hi=10**9)
    ema_warmup: bool = _f(False, "the EMA decay warms up from ema_start and each level's start (ema_warmup_horizon)")
    ema_warmup_horizon: float = _f(1 / 9, "with ema_warmup, decay (1 + n) / (1 + 1/h + n) after n steps, a horizon "
                                   "of about h·n (1/9: (1 + n) / (10 + n)), capped at ema_decay", lo=1e-6, hi=1.0)
    standing_stats: int = _f(0, "forward passes for standing BN statistics when sampling (0 = off)", lo=0, hi=10000)
    seed: int = _f(0, "seed of every random choice in the run", lo=0, hi=2**31 - 1)
    device: str = _f("auto", "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
    threads: int = _f(0, "CPU threads for torch (0 = torch's default)", lo=0, hi=1024)
    precision: str = _f("fp32", "arithmetic of G and D forward passes: fp32, bf16 or fp16 (autocast; fp16 with "
                        "gradient scaling); weights, spectral norm, losses and EMA stay fp32. 'auto': bf16 where "
                        "the device computes it natively (CUDA compute capability >= 8, CPUs with AVX-512-BF16 or "
                        "AMX), else fp32; the run's config stores the value chosen",
                        choices=["fp32", "bf16", "fp16", "auto"])
    channels_last: bool = _f(False, "NHWC memory layout for convolutions (faster on CPUs and tensor cores)")
    sync_bn: bool = _f(True, "under torchrun, batch norm statistics over the global batch (cross-replica BN, as in "
                       "BigGAN); false: each process's share, running statistics averaged after each step")
    log_every: int = _f(50, "steps between log lines", lo=1, hi=10**9)
    tensorboard: bool = _f(False, "also log to RUN/tensorboard (needs the tensorboard extra)")
    sample_every: int = _f(500, "steps between sample sheets (0 = only at the end)", lo=0, hi=10**9)
    checkpoint_every: int = _f(1000, "steps between checkpoints (0 = only at the end)", lo=0, hi=10**9)
    keep_checkpoints: int = _f(2, "how many recent checkpoints to keep", lo=1, hi=1000)
    on_divergence: str = _f("stop", "when a loss or weight turns NaN/inf: stop, or roll back to the newest good "
                            "checkpoint with lower learning rates", choices=["stop", "rollback"])
    rollback_lr_factor: float = _f(0.5, "learning-rate multiplier applied at each rollback", lo=0.0, hi=1.0)
    max_rollbacks: int = _f(3, "rollbacks allowed before the run stops", lo=0, hi=1000)
    resume: str = _f("false", "'true': continue the run in the output directory (it must hold one); 'auto': "
                     "continue it if there is one, else start it (one command for start and restart); 'false': "
                     "start a new run", choices=["false", "true", "auto"])
    dist_timeout: float = _f(300.0, "under torchrun, seconds a process waits for the others in a collective "
                             "before it stops with an error naming the ones that stopped answering", lo=1.0,
                             hi=86400.0)


@dataclass
class EvalConfig:
    every: int = _f(0, "steps between evaluations during training (0 = never)", lo=0, hi=10**9)
    metrics: list = _f(["fid"], "metrics computed during training: " + ", ".join(METRICS), item=str)
    n: int = _f(2000, "generated images per evaluation during training", lo=2, hi=10**7)
    extractor: str = _f("auto", "'auto' (the Fashion-MNIST classifier on that data, else inception), 'inception' "
                        "or 'classifier:NAME_OR_PATH'")
    ref: str = _f("", "reference data or statistics file (empty = the training data)")
    inception_weights: str = _f("", "path of the Inception weights (empty = torch hub cache)")
    truncation: float = _f(0.0, "truncation threshold for evaluation samples (0 = none)", lo=0.0, hi=100.0)
    best: str = _f("fid", "metric whose best value keeps checkpoints/best.safetensors (lower is better)",
                   choices=["fid", "kid", "ifid"])


SECTIONS = {"data": DataConfig, "model": ModelConfig, "loss": LossConfig, "augment": AugmentConfig,
            "growth": GrowthConfig, "train": TrainConfig, "eval": EvalConfig}
# Keys that may change when a run is resumed; everything else must match the saved run.
RESUMABLE_KEYS = {"train.steps", "train.log_every", "train.tensorboard", "train.sample_every", "train.checkpoint_every",
                  "train.keep_checkpoints", "train.device", "train.threads", "train.sync_bn", "train.on_divergence",
                  "train.rollback_lr_factor", "train.max_rollbacks", "train.resume", "train.dist_timeout",
                  "data.num_workers"} | {
                  f"eval.{f.name}" for f in dataclasses.fields(EvalConfig)}


@dataclass
class Config:
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    growth: GrowthConfig = field(default_factory=GrowthConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    # ---- io -------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict, origin: str = "config") -> "Config":
        if not isinstance(d, dict):
            raise ConfigError(f"{origin}: expected a mapping with sections {sorted(SECTIONS)}, got {type(d).__name__}")
        cfg = cls()
        for section, values in d.items():
            if section not in SECTIONS:
                raise ConfigError(f"{origin}: unknown section '{section}'; valid sections: {', '.join(SECTIONS)}")
            if values is None:
                continue
            if not isinstance(values, dict):
                raise ConfigError(f"{origin}: section '{section}' must be a mapping of keys to values")
            for key, value in values.items():
                cfg.set(f"{section}.{key}", value, origin=origin)
        return cfg

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    # ---- dotted access ----------------------------------------------------------------------
    def set(self, dotted: str, value, origin: str = "--set") -> None:
        section_name, _, key = dotted.partition(".")
        if section_name not in SECTIONS or not key:
            raise ConfigError(f"{origin}: unknown key '{dotted}'; keys look like 'section.key' with sections "
                              f"{', '.join(SECTIONS)}")
        section = getattr(self, section_name)
        fields = {f.name: f for f in dataclasses.fields(section)}
        if key not in fields:
            raise ConfigError(f"{origin}: unknown key '{dotted}'; valid keys in '{section_name}': "
                              f"{', '.join(fields)}")
        setattr(section, key, _coerce(fields[key], value, dotted, origin))

    def get(self, dotted: str):
        section_name, _, key = dotted.partition(".")
        return getattr(getattr(self, section_name), key)

    def model_spec(self) -> ModelSpec:
        """What builds G and D: the model section and the image geometry (a copy)."""
        return ModelSpec(copy.deepcopy(self.model), self.data.resolution, self.data.channels)

    def flat(self) -> dict:
        return {f"{s}.{k}": v for s, sec in self.to_dict().items() for k, v in sec.items()}

    def validate(self) -> "Config":
        """Check cross-field rules; returns self so calls chain."""
        res = self.data.resolution
        if res & (res - 1):
            raise ConfigError(f"data.resolution={res} is not a power of two (allowed: 16, 32, 64, ..., 512)")
        m = self.model
        if m.name == "biggan_deep" and not m.shared:
            raise ConfigError("model.name=biggan_deep needs model.shared=true (every block is conditioned on "
                              "[z, shared class embedding])")
        if m.hier and not m.shared:
            raise ConfigError("model.hier=true needs model.shared=true (hierarchical latents are concatenated "
                              "to the shared class embedding)")
        for key in ("g_attention", "d_attention"):
            for r in getattr(m, key):
                if r < 4 or r > res or r & (r - 1):
                    raise ConfigError(f"model.{key} holds {r}; attention resolutions must be powers of two "
                                      f"between 4 and data.resolution={res}")
        self._validate_options()
        try:
            parse_metrics(self.eval.metrics)
        except GanforgeError as e:
            raise ConfigError(f"eval.metrics: {e}") from None
        if self.eval.every and self.eval.best not in self.eval.metrics:
            raise ConfigError(f"eval.best={self.eval.best} must be one of eval.metrics ({', '.join(self.eval.metrics)}) "
                              f"to keep the best checkpoint")
        if m.class_names and m.num_classes and len(m.class_names) != m.num_classes:
            raise ConfigError(f"model.class_names has {len(m.class_names)} names but model.num_classes="
                              f"{m.num_classes}")
        return self

    def _validate_options(self) -> None:
        loss = self.loss
        check_family_options(self)
        if loss.gp and loss.r1:
            raise ConfigError(f"loss.gp={loss.gp} and loss.r1={loss.r1}: choose one gradient penalty (WGAN-GP on "
                              f"interpolates, or R1 on real images)")
        if loss.drift and loss.name != "wasserstein":
            raise ConfigError(f"loss.drift={loss.drift} keeps an unbounded Wasserstein critic's scores near 0; with "
                              f"loss.name={loss.name} it has no purpose (use loss.name=wasserstein or drift 0)")
        if loss.r1_every > 1 and not (loss.r1 or loss.r2):
            raise ConfigError(f"loss.r1_every={loss.r1_every} has no effect without loss.r1 or loss.r2 > 0")
        if loss.gp and loss.r2:
            raise ConfigError(f"loss.gp={loss.gp} and loss.r2={loss.r2}: choose WGAN-GP or the zero-centred R1/R2")
        if loss.feature_matching and loss.name == "rpgan":
            raise ConfigError("loss.feature_matching adds a term to a per-sample G loss; loss.name=rpgan pairs real "
                              "and fake images (use one or the other)")
        a = self.augment
        if (a.p < 1 or a.ada_target) and not a.diffaugment.strip():
            raise ConfigError(f"augment.p={a.p} / augment.ada_target={a.ada_target} choose how often DiffAugment's ops "
                              f"apply: set augment.diffaugment (e.g. translation,color)")
        try:
            parse_policy(self.augment.diffaugment)
        except GanforgeError as e:
            raise ConfigError(f"augment.diffaugment={self.augment.diffaugment!r}: {e}") from None


def _coerce(f: dataclasses.Field, value, dotted: str, origin: str):
    """Convert a YAML/CLI value to the field's type and check its range or choices."""
    kind = f.type  # a string under postponed annotations
    meta = f.metadata
    bad = lambda what: ConfigError(f"{origin}: {dotted}={value!r} is not valid: expected {what}")  # noqa: E731
    if kind == "bool":
        if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
            value = value.lower() in ("true", "yes", "1")
        if not isinstance(value, bool):
            raise bad("true or false")
    elif kind in ("int", "float"):
        value = number(value, f"{origin}: {dotted}", integer=kind == "int", lo=meta.get("lo"), hi=meta.get("hi"),
                       error=ConfigError)
    elif kind == "str":
        if isinstance(value, bool):  # YAML reads true/false as booleans
            value = "true" if value else "false"
        if not isinstance(value, (str, int, float)):
            raise bad("a string")
        value = str(value)
    elif kind == "list":
        value = listed(value, meta.get("item", int), f"{origin}: {dotted}", ConfigError)
    if meta.get("choices") is not None and value not in meta["choices"]:
        raise ConfigError(f"{origin}: {dotted}={value!r} is not valid: choose one of "
                          f"{', '.join(map(str, meta['choices']))}")
    return value


# ---- presets and files ---------------------------------------------------------------------

def preset_names() -> list[str]:
    return sorted(p.name[:-5] for p in resources.files("ganforge.presets").iterdir() if p.name.endswith(".yaml"))


def load_preset(name: str) -> Config:
    names = preset_names()
    if name not in names:
        raise ConfigError(f"unknown preset '{name}'; available presets: {', '.join(names)}")
    text = resources.files("ganforge.presets").joinpath(f"{name}.yaml").read_text()
    return Config.from_dict(yaml.safe_load(text) or {}, origin=f"preset {name}")


def load_config_file(path: str | pathlib.Path) -> Config:
    path = pathlib.Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text())  # YAML is a superset of JSON
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML/JSON ({e.__class__.__name__}: {str(e).splitlines()[0]})") from None
    return Config.from_dict(data or {}, origin=str(path))


def parse_override(text: str) -> tuple[str, object]:
    """'train.steps=500' -> ('train.steps', 500), the value read as YAML."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set {text!r}: expected KEY=VALUE, e.g. train.steps=500")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key.strip(), value

