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
from .data.formats import FORMATS, Kinds
from .errors import ConfigError, GanforgeError
from .fields import coerce, option
from .loss.terms import LossNames
from .metrics.registry import METRICS, parse_metrics
from .models.base import FamilyOptions
from .models.options import LAYER_KEYS, check_family_options
from .models.registry import FAMILIES, family
from .models.spec import ModelSpec


@dataclass
class DataConfig:
    source: str = option("fashion-mnist", "'fashion-mnist' (embedded) or a path: image folder, .npz file, "
                         "a CIFAR-10 'cifar-10-batches-py' directory, or MNIST-format (idx) files: their directory "
                         "or an images file")
    kind: str = option("auto", "how to read source: auto (detected) or a registered data format: "
                       + ", ".join(FORMATS), choices=Kinds())  # the live registry
    resolution: int = option(32, "image size in pixels (a power of two)", lo=16, hi=512)
    channels: int = option(1, "1 (greyscale) or 3 (RGB)", choices=[1, 3])
    hflip: bool = option(False, "random horizontal flips of real images")
    preload: str = option("auto", "decode an image folder into memory once ('auto': when it fits in 2 GiB)",
                          choices=["auto", "true", "false"])
    num_workers: int = option(0, "data-loading worker processes (folder datasets)", lo=0, hi=64)
    skip_bad_images: bool = option(False, "skip unreadable images in a folder (reported) instead of stopping")


@dataclass
class ModelConfig:
    """The keys every family shares; a family's own keys are its options (``model.<family>.<key>``, declared in
    the family's module and registered with it), read as :attr:`options`."""
    name: str = option("biggan", "model family: " + ", ".join(f"{n} ({f.summary})" for n, f in FAMILIES.items()),
                       choices=FAMILIES)  # the live registry: a family registered later is a valid choice
    ch: int = option(64, "generator width multiplier", lo=1, hi=1024)
    d_ch: int = option(64, "discriminator width multiplier", lo=1, hi=1024)
    dim_z: int = option(128, "latent size (BigGAN with hierarchical latents: divisible into blocks + 1 chunks)",
                        lo=1, hi=4096)
    shared_dim: int = option(128, "size of the class embedding", lo=1, hi=4096)
    mbstd_group: int = option(0, "a minibatch-stddev map before D's last layer, group size (0 = off; progan: 0 means "
                              "its paper's 4); for the families whose D declares it", lo=0, hi=256)
    mbstd_by_class: bool = option(False, "the minibatch-stddev map over each class's samples, not fixed groups (not "
                                  "from a paper; leave mbstd_group at 0); for the families whose D declares it")
    mbstd_features: int = option(1, "values the minibatch-stddev map appends: D's channels split into this many "
                                 "groups, one averaged std each (StyleGAN's num_channels; ProGAN 1)", lo=1, hi=64)
    mb_kernels: int = option(0, "minibatch discrimination kernels before D's output (0 = off); for the families "
                             "whose D declares it", lo=0, hi=1024)
    num_classes: int = option(0, "number of classes (0 = from the data)", lo=0, hi=100000)
    class_names: list = option([], "class names (empty = from the data)", item=str)

    def __post_init__(self):
        self._options: dict[str, FamilyOptions] = {}  # family name -> its options, for every family set so far

    @property
    def options(self) -> FamilyOptions:
        """The options of the family ``name`` chooses."""
        return self.options_of(self.name)

    def options_of(self, name: str) -> FamilyOptions:
        if name not in self._options:
            self._options[name] = family(name).options()
        return self._options[name]

    def other_options(self) -> dict[str, FamilyOptions]:
        """Options set for families other than the chosen one."""
        return {n: o for n, o in self._options.items() if n != self.name}

    def to_dict(self, used_only: bool = False) -> dict:
        """The shared keys and the chosen family's options as ``{name: {...}}``; ``used_only``: only the
        optional layer keys the family's discriminator declares (what an export stores)."""
        d = {f.name: copy.deepcopy(getattr(self, f.name)) for f in dataclasses.fields(self)}
        if used_only:
            declared = family(self.name).discriminator.options
            d = {k: v for k, v in d.items() if k not in LAYER_KEYS or k in declared}
        d[self.name] = dataclasses.asdict(self.options)
        return d


@dataclass
class LossConfig:
    name: str = option("hinge", "adversarial loss: hinge, bce (non-saturating), minimax, wasserstein, ls (least "
                       "squares), rpgan (relativistic pairing, R3GAN: softplus of D(G(z)) − D(x) over paired real "
                       "and fake images), or a registered one",
                       choices=LossNames())  # the live registry: a loss registered later is a valid choice
    gp: float = option(0.0, "WGAN-GP weight λ (paper: 10; 0 = off)", lo=0.0, hi=1e6)
    r1: float = option(0.0, "R1 penalty weight γ on real images (adds γ/2·E‖∇D(x)‖²; 0 = off)", lo=0.0, hi=1e6)
    r2: float = option(0.0, "R2 penalty weight γ on generated images (adds γ/2·E‖∇D(G(z))‖²; R3GAN: with R1 at the "
                       "same γ; 0 = off)", lo=0.0, hi=1e6)
    r1_every: int = option(1, "apply R1 and R2 every N discriminator updates, weighted ×N (lazy regularisation)", lo=1,
                           hi=1000)
    lecam: float = option(0.0, "LeCam weight λ (Tseng et al. 2021): λ·(E(D(x) − α_F)² + E(D(G(z)) − α_R)²), α_R, α_F "
                          "moving averages of D's mean real and fake scores (0 = off)", lo=0.0, hi=1e6)
    lecam_decay: float = option(0.99, "decay of LeCam's moving averages", lo=0.0, hi=1.0)
    feature_matching: float = option(0.0, "weight of feature matching added to G's loss: ‖E f(x) − E f(G(z))‖² on the "
                                     "features D's last layer reads (classic family)", lo=0.0, hi=1e6)
    mode_seeking: float = option(0.0, "weight λ of the mode-seeking term added to G's loss (Mao et al. 2019): "
                                 "λ / (mean|G(z₁,y) − G(z₂,y)| / mean|z₁ − z₂| + 1e-5), over half the batch (0 = off)",
                                 lo=0.0, hi=1e6)
    drift: float = option(0.0, "drift penalty ε·E[D(x)²] keeping critic scores near 0 (ProGAN: 0.001; wasserstein "
                          "only)",
                          lo=0.0, hi=1e6)


@dataclass
class GrowthConfig:
    stable: int = option(0, "progan, lapgan: real images shown in each stable phase (paper: 600k; 0 = phases of equal "
                         "images that end with train.steps, whatever each level's batch size)", lo=0, hi=10**10)
    stable_images: list = option([], "progan, lapgan: growth.stable for each level, one entry per level (empty = "
                                 "growth.stable at every level)")
    fade: int = option(-1, "progan: real images shown while a new level fades in (paper: 600k; -1 = as stable; "
                       "lapgan has no fade)", lo=-1, hi=10**10)
    batch_sizes: list = option([], "progan, lapgan: batch size per level (empty = train.batch_size)")
    lrs: list = option([], "progan, lapgan: learning rate of G and D per level (empty = train.g_lr / train.d_lr)",
                       item=float)
    reset_optimizer: bool = option(True, "progan, lapgan: clear Adam's state on entering a new level (paper)")


@dataclass
class AugmentConfig:
    diffaugment: str = option("", "DiffAugment ops applied to every image D sees, comma-separated: "
                              + ", ".join(AUGMENT_OPS) + " (empty = off)")
    p: float = option(1.0, "probability that each op is applied to an image (drawn per image and op); with ada_target, "
                      "the starting probability", lo=0.0, hi=1.0)
    ada_target: float = option(0.0, "adapt p to D's overfitting (ADA's heuristic on DiffAugment's ops): raise p while "
                               "r = E[sign(D(x_real))] is above this target, lower it below (ADA: 0.6; 0 = fixed p)",
                               lo=0.0, hi=1.0)
    ada_interval: int = option(4, "discriminator batches between adjustments of p", lo=1, hi=10**6)
    ada_images: int = option(500_000, "real images over which p can move from 0 to 1", lo=1, hi=10**10)


@dataclass
class TrainConfig:
    steps: int = option(10000, "generator steps to train for", lo=0, hi=10**9)
    batch_size: int = option(64, "images per D/G step before accumulation", lo=1, hi=65536)
    accumulate: int = option(1, "gradient-accumulation passes per step (G and D)", lo=1, hi=1024)
    d_steps: int = option(1, "discriminator steps per generator step", lo=1, hi=100)
    g_lr: float = option(1e-4, "generator learning rate", lo=0.0, hi=1.0)
    d_lr: float = option(4e-4, "discriminator learning rate", lo=0.0, hi=1.0)
    beta1: float = option(0.0, "Adam beta1", lo=0.0, hi=1.0)
    beta2: float = option(0.999, "Adam beta2", lo=0.0, hi=1.0)
    adam_eps: float = option(1e-6, "Adam epsilon", lo=0.0, hi=1.0)
    g_ortho: float = option(0.0, "modified orthogonal regularisation strength for G (paper: 1e-4)", lo=0.0, hi=1.0)
    d_ortho: float = option(0.0, "modified orthogonal regularisation strength for D", lo=0.0, hi=1.0)
    ema_decay: float = option(0.9999, "EMA decay of the generator weights", lo=0.0, hi=1.0)
    ema_start: int = option(0, "step before which the EMA simply copies G", lo=0, hi=10**9)
    ema_warmup: bool = option(False, "the EMA decay warms up from ema_start and each level's start "
                              "(ema_warmup_horizon)")
    ema_warmup_horizon: float = option(1 / 9, "with ema_warmup, decay (1 + n) / (1 + 1/h + n) after n steps, a horizon "
                                       "of about h·n (1/9: (1 + n) / (10 + n)), capped at ema_decay", lo=1e-6, hi=1.0)
    standing_stats: int = option(0, "forward passes for standing BN statistics when sampling (0 = off)", lo=0, hi=10000)
    seed: int = option(0, "seed of every random choice in the run", lo=0, hi=2**31 - 1)
    device: str = option("auto", "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'")
    threads: int = option(0, "CPU threads for torch (0 = torch's default)", lo=0, hi=1024)
    precision: str = option("fp32", "arithmetic of G and D forward passes: fp32, bf16 or fp16 (autocast; fp16 with "
                            "gradient scaling); weights, spectral norm, losses and EMA stay fp32. 'auto': bf16 where "
                            "the device computes it natively (CUDA compute capability >= 8, CPUs with AVX-512-BF16 or "
                            "AMX), else fp32; the run's config stores the value chosen",
                            choices=["fp32", "bf16", "fp16", "auto"])
    channels_last: bool = option(False, "NHWC memory layout for convolutions (faster on CPUs and tensor cores)")
    sync_bn: bool = option(True, "under torchrun, batch norm statistics over the global batch (cross-replica BN, as in "
                           "BigGAN); false: each process's share, running statistics averaged after each step")
    log_every: int = option(50, "steps between log lines", lo=1, hi=10**9)
    tensorboard: bool = option(False, "also log to RUN/tensorboard (needs the tensorboard extra)")
    sample_every: int = option(500, "steps between sample sheets (0 = only at the end)", lo=0, hi=10**9)
    checkpoint_every: int = option(1000, "steps between checkpoints (0 = only at the end)", lo=0, hi=10**9)
    keep_checkpoints: int = option(2, "how many recent checkpoints to keep", lo=1, hi=1000)
    on_divergence: str = option("stop", "when a loss or weight turns NaN/inf: stop, or roll back to the newest good "
                                "checkpoint with lower learning rates", choices=["stop", "rollback"])
    rollback_lr_factor: float = option(0.5, "learning-rate multiplier applied at each rollback", lo=0.0, hi=1.0)
    max_rollbacks: int = option(3, "rollbacks allowed before the run stops", lo=0, hi=1000)
    resume: str = option("false", "'true': continue the run in the output directory (it must hold one); 'auto': "
                         "continue it if there is one, else start it (one command for start and restart); 'false': "
                         "start a new run", choices=["false", "true", "auto"])
    dist_timeout: float = option(300.0, "under torchrun, seconds a process waits for the others in a collective "
                                 "before it stops with an error naming the ones that stopped answering", lo=1.0,
                                 hi=86400.0)


@dataclass
class EvalConfig:
    every: int = option(0, "steps between evaluations during training (0 = never)", lo=0, hi=10**9)
    metrics: list = option(["fid"], "metrics computed during training: " + ", ".join(METRICS), item=str)
    n: int = option(2000, "generated images per evaluation during training", lo=2, hi=10**7)
    extractor: str = option("auto", "'auto' (the Fashion-MNIST classifier on that data, else inception), 'inception' "
                            "or 'classifier:NAME_OR_PATH'")
    ref: str = option("", "reference data or statistics file (empty = the training data)")
    inception_weights: str = option("", "path of the Inception weights (empty = torch hub cache)")
    truncation: float = option(0.0, "truncation threshold for evaluation samples (0 = none)", lo=0.0, hi=100.0)
    best: str = option("fid", "metric whose best value keeps checkpoints/best.safetensors (lower is better)",
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
        d = dataclasses.asdict(self)
        d["model"] = self.model.to_dict()
        return d

    @classmethod
    def from_dict(cls, d: dict, origin: str = "config", stored: bool = False) -> "Config":
        """``stored``: a file ganforge wrote (a run's config.yaml, an export), where an older format listed every
        family's keys flat in the model section; those of other families than the one it chose are dropped."""
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
            if section == "model":  # the family first: it decides what the other keys mean
                values = dict(sorted(values.items(), key=lambda kv: kv[0] != "name"))
            for key, value in values.items():
                if section == "model" and key in FAMILIES and isinstance(value, dict):
                    for sub, v in value.items():
                        cfg.set(f"model.{key}.{sub}", v, origin=origin)
                elif not (stored and section == "model" and _legacy_key_of_another_family(cfg.model, key)):
                    cfg.set(f"{section}.{key}", value, origin=origin)
        return cfg

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), sort_keys=False)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    # ---- dotted access ----------------------------------------------------------------------
    def set(self, dotted: str, value, origin: str = "--set") -> None:
        """Set 'section.key' (a family's own key: 'model.FAMILY.key', or 'model.key' for the chosen family's)."""
        parts = dotted.split(".")
        if parts[0] not in SECTIONS or not 2 <= len(parts) <= 3 or not all(parts) or (len(parts) == 3
                                                                                  and parts[0] != "model"):
            raise ConfigError(f"{origin}: unknown key '{dotted}'; keys look like 'section.key' with sections "
                              f"{', '.join(SECTIONS)} (a model family's own: 'model.FAMILY.key')")
        key = parts[-1]
        if len(parts) == 3:
            if parts[1] not in FAMILIES:
                raise ConfigError(f"{origin}: unknown key '{dotted}': '{parts[1]}' is not a model family; families: "
                                  f"{', '.join(FAMILIES)}")
            target = self.model.options_of(parts[1])
        else:
            target = getattr(self, parts[0])
            if parts[0] == "model" and key not in ModelConfig.__dataclass_fields__:
                target = self._family_key(key, dotted, origin)
        fields = {f.name: f for f in dataclasses.fields(target)}
        if key not in fields:
            prefix = dotted.rpartition(".")[0]
            own = _family_keys(self.model.name) if prefix == "model" else []
            raise ConfigError(f"{origin}: unknown key '{dotted}'; valid keys in '{prefix}': {', '.join(fields)}"
                              + (f" (and model.{self.model.name}'s own: {', '.join(own)})" if own else ""))
        setattr(target, key, coerce(fields[key], value, dotted, origin))

    def _family_key(self, key: str, dotted: str, origin: str):
        """What 'model.KEY' names when KEY is no shared key (the spelling from before families declared their
        options): the chosen family's option, or an error naming the families that have one."""
        if key in _family_keys(self.model.name):
            return self.model.options
        owners = [n for n in FAMILIES if key in _family_keys(n)]
        if owners:
            raise ConfigError(f"{origin}: {dotted} is an option of {', '.join(owners)}, not of model.name="
                              f"{self.model.name}; write model.{owners[0]}.{key} (with model.name={owners[0]})")
        return self.model  # unknown: set() lists the valid keys

    def get(self, dotted: str):
        parts = dotted.split(".")
        if parts[0] == "model" and len(parts) == 3:
            return getattr(self.model.options_of(parts[1]), parts[2])
        if parts[0] == "model" and parts[1] not in ModelConfig.__dataclass_fields__:
            return getattr(self.model.options, parts[1])
        return getattr(getattr(self, parts[0]), parts[1])

    def model_spec(self) -> ModelSpec:
        """What builds G and D: the model section and the image geometry (a copy)."""
        return ModelSpec(copy.deepcopy(self.model), self.data.resolution, self.data.channels)

    def flat(self) -> dict:
        """Every key as 'section.key' (a family's own as 'model.FAMILY.key') with its value."""
        out = {}
        for s, sec in self.to_dict().items():
            for k, v in sec.items():
                if s == "model" and k in FAMILIES and isinstance(v, dict):
                    out.update({f"model.{k}.{kk}": vv for kk, vv in v.items()})
                else:
                    out[f"{s}.{k}"] = v
        return out

    def validate(self) -> "Config":
        """Check cross-field rules; returns self so calls chain."""
        res = self.data.resolution
        if res & (res - 1):
            raise ConfigError(f"data.resolution={res} is not a power of two (allowed: 16, 32, 64, ..., 512)")
        m = self.model
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


def _family_keys(name: str) -> list[str]:
    return [f.name for f in dataclasses.fields(FAMILIES[name].options)] if name in FAMILIES else []


def _legacy_key_of_another_family(model: ModelConfig, key: str) -> bool:
    """A flat model key of an older-format file that is another family's option, not the chosen family's (older
    formats listed every family's keys in one section; they had no effect on this model)."""
    return (key not in ModelConfig.__dataclass_fields__ and key not in _family_keys(model.name)
            and any(key in _family_keys(n) for n in FAMILIES))


def key_fields() -> dict[str, dataclasses.Field]:
    """Every config key and its field: the sections' keys, then each registered family's as 'model.FAMILY.key'
    (the source of ``--list-keys`` and of the configuration reference)."""
    keys = {f"{s}.{f.name}": f for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)}
    for name, fam in FAMILIES.items():
        keys.update({f"model.{name}.{f.name}": f for f in dataclasses.fields(fam.options)})
    return keys


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
    return Config.from_dict(data or {}, origin=str(path), stored=True)  # a run's config.yaml of any format


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

