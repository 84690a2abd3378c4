"""The sections of a run config and their keys: one dataclass per section (data, model, loss, augment, growth,
train, eval), every field carrying its help text and allowed values (``fields.py``), and the model section's
link to each family's own options. :class:`~ganforge.config.Config` holds one of each.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from .augment import AUGMENT_OPS
from .data.formats import FORMATS, KINDS
from .fields import option
from .loss.terms import LOSS_NAMES
from .metrics.registry import METRICS
from .models.base import FamilyOptions
from .models.options import LAYER_KEYS
from .models.registry import FAMILIES, family


@dataclass
class DataConfig:
    source: str = option("fashion-mnist", "'fashion-mnist' (embedded) or a path: image folder, .npz file, "
                         "a CIFAR-10 'cifar-10-batches-py' directory, or MNIST-format (idx) files: their directory "
                         "or an images file")
    kind: str = option("auto", "how to read source: auto (detected) or a registered data format: "
                       + ", ".join(FORMATS), choices=KINDS)  # the live registry
    resolution: int = option(32, "image size in pixels (a power of two)", lo=16, hi=512)
    channels: int = option(1, "1 (greyscale) or 3 (RGB)", choices=[1, 3])
    hflip: bool = option(False, "random horizontal flips of real images")
    preload: str = option("auto", "decode an image folder into memory once ('auto': when it fits in 2 GiB)",
                          choices=["auto", "true", "false"])
    num_workers: int = option(0, "data-loading worker processes (folder datasets)", lo=0, hi=64)
    skip_bad_images: bool = option(False, "skip unreadable images in a folder (reported) instead of stopping")
    background: str = option("white", "the colour transparent pixels are composited onto, and padding's colour: "
                             "white, black, grey or #rrggbb")
    fit: str = option("crop", "non-square images: crop (the short side to the resolution, the centre kept) or pad "
                      "(the long side to the resolution, padded with data.background)", choices=["crop", "pad"])
    balance: str = option("data", "how often each class is drawn: data (in proportion to its images) or classes "
                          "(equally often, its images repeating)", choices=["data", "classes"])


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
                       choices=LOSS_NAMES)  # the live registry: a loss registered later is a valid choice
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


def _family_keys(name: str) -> list[str]:
    return [f.name for f in dataclasses.fields(FAMILIES[name].options)] if name in FAMILIES else []


def key_fields() -> dict[str, dataclasses.Field]:
    """Every config key and its field: the sections' keys, then each registered family's as 'model.FAMILY.key'
    (the source of ``--list-keys`` and of the configuration reference)."""
    keys = {f"{s}.{f.name}": f for s, cls in SECTIONS.items() for f in dataclasses.fields(cls)}
    for name, fam in FAMILIES.items():
        keys.update({f"model.{name}.{f.name}": f for f in dataclasses.fields(fam.options)})
    return keys
