"""The run configuration: one :class:`Config` of seven sections (``sections.py``: data, model, loss, augment,
growth, train, eval), YAML/JSON io, presets, dotted overrides and validation.

Every field carries its allowed range or choices, so a bad value fails with a message that says what is allowed,
and an unknown key fails with the list of valid keys. The networks are built from the model section and the image
geometry alone (:meth:`Config.model_spec`).
"""
from __future__ import annotations

import copy
import dataclasses
import json
import pathlib
from dataclasses import dataclass, field
from importlib import resources

import yaml

from .augment import parse_policy
from .checks import colour
from .errors import ConfigError, GanforgeError
from .fields import coerce
from .metrics.registry import parse_metrics
from .models.options import check_family_options
from .models.registry import FAMILIES
from .models.spec import ModelSpec
from .sections import (SECTIONS, AugmentConfig, DataConfig, EvalConfig, GrowthConfig, LossConfig, ModelConfig,
                       TrainConfig, _family_keys)


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
        colour(self.data.background, "data.background", ConfigError)
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


def _legacy_key_of_another_family(model: ModelConfig, key: str) -> bool:
    """A flat model key of an older-format file that is another family's option, not the chosen family's (older
    formats listed every family's keys in one section; they had no effect on this model)."""
    return (key not in ModelConfig.__dataclass_fields__ and key not in _family_keys(model.name)
            and any(key in _family_keys(n) for n in FAMILIES))


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

