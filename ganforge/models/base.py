"""The contract between the training loop and a model family.

A family is a generator class and a discriminator class built from a :class:`~ganforge.models.spec.ModelSpec`.
The loop calls only what these bases declare:

* :class:`FamilyOptions`: the family's own config keys (``model.<family>.<key>``), a dataclass of
  :func:`ganforge.fields.option` fields registered with the family; ``check(cfg)`` refuses combinations the
  fields alone cannot (the model reads them as ``spec.model.options``).
* :class:`Generator`: ``forward(z, y, truncation=None)`` -> images [B, C, H, W] in [-1, 1] for latents z
  [B, dim_z] and class indices y [B] (int64) or class weights [B, num_classes] (float, for interpolation);
  ``no_regularization_parameters()``; the class attributes ``always_conditional`` (None: the family's
  ``conditional`` option decides) and ``real_context`` (True: in training, G also takes ``context=`` a batch of
  real images, and each fake is of its real's class, as LAPGAN's G_k refines the real coarse image; sampling
  passes none); the attributes ``truncation_style`` and ``bn_stats`` that sampling reads.
* :class:`Discriminator`: ``forward(x, y)`` -> scores [B]; ``no_regularization_parameters()``; the class
  attribute ``options`` (which of the shared optional layer keys, ``model.mbstd_*`` and ``model.mb_kernels``,
  its layers implement).
* :class:`FeatureDiscriminator` (mixin): ``features(x, y)`` and ``score(features)``, for feature matching.
* :class:`~ganforge.models.growing.Growing` (mixin of G and D): networks trained level by level, which
  declare ``base_resolution`` and ``fades``.

``models/options.py`` checks a config against these declarations, and the loop uses them through
``isinstance`` and class attributes only.
"""
from __future__ import annotations

import abc
import dataclasses
import difflib

import torch
import torch.nn as nn

from ..errors import GanforgeError
from ..layers.conditioning import set_truncation
from ..sampling import sample
from .spec import ModelSpec


@dataclasses.dataclass
class FamilyOptions:
    """Base of a family's options (no keys of its own)."""

    def check(self, cfg) -> None:
        """Refuse what the fields' ranges cannot (``cfg``: the run Config); raise ConfigError naming the key."""


class Generator(nn.Module):
    """Base class of generators; ``conditional`` is False for an unconditional one (y accepted, ignored)."""

    always_conditional: bool | None = True  # False: never conditional; None: the options' ``conditional`` decides
    real_context = False  # True: training passes forward(z, y, context=real images of classes y)
    conditional = True
    truncation_style = "resample"  # what truncation ψ means: |z| <= ψ, or 'tfhub' (ψ · truncnorm(-2, 2))
    bn_stats = "batch"  # 'truncation': BN statistics indexed by the truncation value (converted TF-Hub models)
    sample_precision = "fp32"  # arithmetic of sampling.render (load sets it from its precision argument)
    run_config = None  # the whole run config, when loaded from a run directory

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.spec = spec
        m = spec.model
        self.dim_z = m.dim_z
        self.num_classes = m.num_classes
        if self.num_classes < 1:
            raise ValueError("model.num_classes must be set (it is filled in from the data) before building G")
        self.conditional = m.options.conditional if self.always_conditional is None else self.always_conditional

    def no_regularization_parameters(self) -> list[nn.Parameter]:
        """Parameters that orthogonal regularisation leaves alone."""
        return []

    def finished_state(self) -> frozenset[str]:
        """State-dict entries that training at the current stage leaves as they are (the EMA keeps its own)."""
        return frozenset()

    def select_statistics(self, truncation: float | None) -> None:
        """With truncation-indexed BN statistics, pick the row for ``truncation`` (default 1.0)."""
        if self.bn_stats != "truncation":
            return
        t = 1.0 if truncation is None else float(truncation)
        if not 0 < t <= 1:
            raise GanforgeError(f"truncation={truncation} is outside (0, 1]: this model's BN statistics were "
                                f"measured for truncation values in (0, 1]")
        set_truncation(self, t)

    @property
    def class_names(self) -> list[str]:
        names = self.spec.model.class_names
        return list(names) if names else [str(i) for i in range(self.num_classes)]

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.spec.channels, self.spec.resolution, self.spec.resolution)

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def class_index(self, cls: int | str) -> int:
        """A class given by index (int or digits) or by name (case-insensitive) -> its index."""
        if isinstance(cls, str) and cls.strip().lstrip("-").isdigit():
            cls = int(cls)
        if isinstance(cls, int):
            if not 0 <= cls < self.num_classes:
                raise GanforgeError(f"class index {cls} is out of range: this model has classes 0 to "
                                    f"{self.num_classes - 1}")
            return cls
        lookup = {n.lower(): i for i, n in enumerate(self.class_names)}
        key = cls.strip().lower()
        if key not in lookup:
            close = difflib.get_close_matches(key, list(lookup), n=5, cutoff=0.6)
            if close:
                hint = "did you mean: " + ", ".join(self.class_names[lookup[c]] for c in close) + "?"
            else:
                hint = "this model's classes are: " + ", ".join(self.class_names[:50])
                hint += " ..." if self.num_classes > 50 else ""
            raise GanforgeError(f"unknown class {cls!r}; {hint}")
        return lookup[key]

    def sample(self, classes=None, n: int = 16, truncation: float | None = None, seed: int | None = None,
               batch_size: int = 64) -> torch.Tensor:
        """n images [n, C, H, W] in [-1, 1]; see :func:`ganforge.sampling.sample`."""
        return sample(self, classes=classes, n=n, truncation=truncation, seed=seed, batch_size=batch_size)


class Discriminator(nn.Module):
    """Base class of discriminators."""

    options: frozenset[str] = frozenset()  # optional keys of the model section its layers implement
    mbstd_default_group = 0  # the minibatch-stddev group size it uses when model.mbstd_group is 0 (0: no map)

    def __init__(self, spec: ModelSpec):
        super().__init__()
        self.spec = spec

    def no_regularization_parameters(self) -> list[nn.Parameter]:
        return []


class FeatureDiscriminator(abc.ABC):
    """Mixed into a :class:`Discriminator` whose score is a head on one feature vector:
    ``forward(x, y) == score(features(x, y))``. A class that leaves either method out cannot be built."""

    @abc.abstractmethod
    def features(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The feature vector [B, F] the last layer reads."""

    @abc.abstractmethod
    def score(self, features: torch.Tensor) -> torch.Tensor:
        """Scores [B] from those features."""
