"""A search space: a small YAML file of config keys and the values each may take, checked against the config's
own ranges before anything runs.

    train.d_lr: {type: log-float, low: 1.0e-4, high: 1.0e-3}
    train.ema_start: {type: int, low: 0, high: 2000, step: 500}
    model.mbstd_by_class: {type: categorical, choices: [true, false]}
    loss.r1: {type: float, low: 0.1, high: 10, when: {loss.name: rpgan}}

``when`` makes a key conditional: it is sampled only when the keys it names (earlier in the file) took one of
the given values; otherwise the base config's value stands.
"""
from __future__ import annotations

import copy
import math
import pathlib
from dataclasses import dataclass, field

import yaml

from ..config import Config
from ..errors import ConfigError, GanforgeError

TYPES = ("float", "log-float", "int", "log-int", "categorical")


@dataclass(frozen=True)
class Param:
    key: str
    type: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    choices: tuple = ()
    when: dict = field(default_factory=dict)  # {key: (allowed values, ...)}

    def active(self, chosen: dict) -> bool:
        return all(chosen.get(k) in values for k, values in self.when.items())

    def suggest(self, trial):
        """The value for this trial (Optuna's suggest_* by type)."""
        if self.type == "categorical":
            return trial.suggest_categorical(self.key, list(self.choices))
        if self.type in ("int", "log-int"):
            return trial.suggest_int(self.key, int(self.low), int(self.high), step=int(self.step or 1),
                                     log=self.type == "log-int")
        return trial.suggest_float(self.key, self.low, self.high, step=self.step, log=self.type == "log-float")

    def grid(self) -> list:
        """Every value, for the grid sampler (a categorical, or a range with a step)."""
        if self.type == "categorical":
            return list(self.choices)
        if self.step is None or self.type.startswith("log"):
            raise GanforgeError(f"search space: {self.key}: the grid sampler needs a list of values: give it "
                                f"type: categorical with choices, or a step (not on a log scale)")
        count = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
        values = [self.low + i * self.step for i in range(count)]
        return [int(v) for v in values] if self.type == "int" else [round(v, 12) for v in values]


@dataclass
class Space:
    params: list[Param]
    source: str = "search space"

    def to_dict(self) -> dict:
        """The file's content in a canonical form (stored with the study, so that its workers read it)."""
        out = {}
        for p in self.params:
            d = {"type": p.type}
            if p.type == "categorical":
                d["choices"] = list(p.choices)
            else:
                d.update({"low": p.low, "high": p.high})
                if p.step is not None:
                    d["step"] = p.step
            if p.when:
                d["when"] = {k: list(v) for k, v in p.when.items()}
            out[p.key] = d
        return out

    def suggest(self, trial) -> dict:
        """{key: value} of the active keys, in file order."""
        chosen = {}
        for p in self.params:
            if p.active(chosen):
                chosen[p.key] = p.suggest(trial)
        return chosen

    def values_of(self, cfg: Config) -> dict:
        """The config's own values of the space's (active) keys: the base config as a trial of the search."""
        chosen = {}
        for p in self.params:
            if p.active(chosen):
                value = cfg.get(p.key)
                inside = value in p.choices if p.type == "categorical" else p.low <= value <= p.high
                if not inside:
                    raise GanforgeError(f"{self.source}: {p.key}: the base config's value {value!r} is outside the "
                                        f"space, so the base cannot be one of its trials")
                chosen[p.key] = value
        return chosen

    def grid(self) -> dict:
        if any(p.when for p in self.params):
            raise GanforgeError(f"{self.source}: the grid sampler cannot take conditional keys ('when'); use tpe or "
                                f"random, or list the combinations as separate keys")
        return {p.key: p.grid() for p in self.params}

    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.grid().values())


def load_space(path, base: Config) -> Space:
    """Read and check a space file against ``base`` (the config the trials start from)."""
    path = pathlib.Path(path).expanduser()
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as e:
        raise GanforgeError(f"cannot read the search space {path} ({e.strerror or e})") from None
    except yaml.YAMLError as e:
        raise GanforgeError(f"{path} is not valid YAML ({str(e).splitlines()[0]})") from None
    return space_from_dict(raw, base, str(path))


def space_from_dict(raw, base: Config, source: str = "search space") -> Space:
    if not isinstance(raw, dict) or not raw:
        raise GanforgeError(f"{source}: expected a mapping of config keys to their ranges, e.g. "
                            f"'train.d_lr: {{type: log-float, low: 1.0e-4, high: 1.0e-3}}'")
    params: list[Param] = []
    for key, spec in raw.items():
        params.append(_param(str(key), spec, base, params, source))
    return Space(params, source)


def _param(key: str, spec, base: Config, earlier: list[Param], source: str) -> Param:
    where = f"{source}: {key}"
    if not isinstance(spec, dict):
        raise GanforgeError(f"{where}: expected a mapping such as {{type: float, low: 0.1, high: 1}}")
    unknown = sorted(set(spec) - {"type", "low", "high", "step", "choices", "when"})
    if unknown:
        raise GanforgeError(f"{where}: unknown field(s) {', '.join(unknown)} (fields: type, low, high, step, "
                            f"choices, when)")
    kind = spec.get("type")
    if kind not in TYPES:
        raise GanforgeError(f"{where}: type {kind!r} is not one of {', '.join(TYPES)}")
    _check_key(base, key, source)
    when = _when(spec.get("when"), earlier, where)
    if kind == "categorical":
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices or set(spec) - {"type", "choices", "when"}:
            raise GanforgeError(f"{where}: a categorical key takes a non-empty list 'choices' (and no low/high/step)")
        if any(isinstance(c, (dict, list)) for c in choices):
            raise GanforgeError(f"{where}: choices must be plain values (numbers, strings, true/false)")
        for c in choices:
            _check_value(base, key, c, where)
        if len(set(map(repr, choices))) != len(choices):
            raise GanforgeError(f"{where}: choices repeat a value")
        return Param(key, kind, choices=tuple(choices), when=when)
    if "choices" in spec:
        raise GanforgeError(f"{where}: 'choices' belong to type: categorical")
    low, high, step = spec.get("low"), spec.get("high"), spec.get("step")
    integer = kind.endswith("int")
    for name, v in (("low", low), ("high", high)) + ((("step", step),) if step is not None else ()):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (integer and float(v) != int(v)):
            raise GanforgeError(f"{where}: {name} must be {'an integer' if integer else 'a number'}, got {v!r}")
    if not low < high:
        raise GanforgeError(f"{where}: low ({low}) must be below high ({high})")
    if kind.startswith("log") and low <= 0:
        raise GanforgeError(f"{where}: a log scale needs low > 0 (got {low})")
    if step is not None and (step <= 0 or kind.startswith("log")):
        raise GanforgeError(f"{where}: step must be > 0 and is not allowed on a log scale")
    for v in (low, high):
        _check_value(base, key, int(v) if integer else float(v), where)
    cast = int if integer else float
    return Param(key, kind, cast(low), cast(high), None if step is None else cast(step), when=when)


def _when(spec, earlier: list[Param], where: str) -> dict:
    if spec is None:
        return {}
    if not isinstance(spec, dict) or not spec:
        raise GanforgeError(f"{where}: 'when' takes a mapping {{KEY: VALUE or [VALUES]}} of earlier keys")
    known = {p.key: p for p in earlier}
    out = {}
    for k, v in spec.items():
        if k not in known:
            raise GanforgeError(f"{where}: 'when' names {k}, which is not a key earlier in the search space")
        values = tuple(v) if isinstance(v, list) else (v,)
        if known[k].type == "categorical" and not set(map(repr, values)) <= set(map(repr, known[k].choices)):
            raise GanforgeError(f"{where}: 'when' {k}: {list(values)} are not all among its choices "
                                f"{list(known[k].choices)}")
        out[k] = values
    return out


def _check_key(base: Config, key: str, source: str) -> None:
    try:
        current = base.get(key)
    except (AttributeError, KeyError, IndexError):
        current = None  # unknown: set() below says so and lists the valid keys
    _check_value(base, key, current, source)


def _check_value(base: Config, key: str, value, where: str) -> None:
    """Set ``value`` on a copy of the base config: the config's own checks name what is allowed."""
    cfg = copy.deepcopy(base)
    try:
        cfg.set(key, value, origin=where.split(": ")[0])
        cfg.validate()  # a value the config refuses with the base's other settings (a resolution of 48)
    except ConfigError as e:
        raise GanforgeError(str(e)) from None


def apply(base: Config, values: dict, origin: str = "sweep") -> Config:
    """The base config with a trial's values (checked by the config as a whole)."""
    cfg = copy.deepcopy(base)
    for key, value in values.items():
        cfg.set(key, value, origin=origin)
    return cfg.validate()
