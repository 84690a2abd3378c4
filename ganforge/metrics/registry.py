"""The metrics by name: how each is computed from the features of an evaluated and a reference image set,
what it needs, its headline number and how it prints. Results are named with their sample count
(``fid10k``, ``kid10k``, ``is10k``, ``pr10k_k3``, ``dc10k_k5``, ``ifid10k``, ``acc10k``).

Adding a metric is one function and one :class:`Metric` line in ``METRICS``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import GanforgeError
from .fid import frechet_distance, stats_of
from .inception_score import inception_score
from .kid import kid
from .prdc import density_coverage, precision_recall


@dataclass
class Inputs:
    """``fake``/``real``: dicts with 'features' [N, d], 'logits' or None, 'labels' or None (real may instead
    carry only 'mu'/'sigma'); the class names of each side, for matching labels by name."""
    fake: dict
    real: dict
    extractor: object
    fake_classes: list | None = None
    real_classes: list | None = None
    kid_subsets: int = 100
    seed: int = 0


def _fid(i: Inputs):
    mu_r, sig_r = (i.real["mu"], i.real["sigma"]) if "mu" in i.real else stats_of(i.real["features"])
    return frechet_distance(*stats_of(i.fake["features"]), mu_r, sig_r)


def _kid(i: Inputs):
    return kid(i.fake["features"], i.real["features"], i.kid_subsets, 1000, i.seed)


def _is(i: Inputs):
    if i.fake.get("logits") is None:
        raise GanforgeError(f"IS needs class probabilities; the extractor {i.extractor.name} gives none")
    return inception_score(i.fake["logits"], seed=i.seed)


def _neighbours(name: str, k: int, fn) -> Callable[[Inputs], dict]:
    def compute(i: Inputs):
        n_fake, n_real = len(i.fake["features"]), len(i.real["features"])
        if min(n_fake, n_real) <= k:
            raise GanforgeError(f"{name} compares each image with its {k} nearest neighbours: it needs more "
                                f"than {k} images on each side (evaluated {n_fake}, reference {n_real})")
        return fn(i.fake["features"], i.real["features"], k=k)
    return compute


def labels_in(names_from: list[str] | None, names_to: list[str] | None, labels, side: str) -> np.ndarray:
    """Re-express class labels from one class list in another, matching by name."""
    if labels is None:
        raise GanforgeError(f"intra-class FID and class accuracy need class labels on the {side} side (a run, an "
                            f"npz with labels, or a folder with one sub-folder per class)")
    if names_from is None or names_to is None or list(names_from) == list(names_to):
        return np.asarray(labels)
    index = {n: i for i, n in enumerate(names_to)}
    missing = sorted(set(names_from) - set(index))
    if missing:
        raise GanforgeError(f"the {side} side's classes ({', '.join(missing[:5])}) are not among the reference "
                            f"classes ({', '.join(names_to[:10])})")
    return np.array([index[n] for n in names_from])[np.asarray(labels)]


def _ifid(i: Inputs):
    fl = labels_in(i.fake_classes, i.real_classes, i.fake.get("labels"), "evaluated")
    rl = labels_in(i.real_classes, i.real_classes, i.real.get("labels"), "reference")
    per_class = {}
    for c in np.unique(fl):
        f, r = i.fake["features"][fl == c], i.real["features"][rl == c]
        if len(f) >= 2 and len(r) >= 2:
            per_class[int(c)] = frechet_distance(*stats_of(f), *stats_of(r))
    if not per_class:
        raise GanforgeError("intra-class FID: no class has at least 2 images on both sides")
    return {"mean": float(np.mean(list(per_class.values()))), "per_class": per_class}


def _acc(i: Inputs):
    if i.fake.get("logits") is None or i.extractor.class_names is None:
        raise GanforgeError(f"class accuracy needs a classifier of the data's classes (e.g. --extractor "
                            f"classifier:fashion-mnist); {i.extractor.name} has none")
    labels = labels_in(i.fake_classes, i.extractor.class_names, i.fake.get("labels"), "evaluated")
    return float((np.asarray(i.fake["logits"]).argmax(1) == labels).mean())


@dataclass(frozen=True)
class Metric:
    name: str
    compute: Callable[[Inputs], object]
    headline: Callable[[object], float]  # the one number of a result (for logs, curves, best checkpoints)
    text: Callable[[object], str]  # how a result prints in a table
    needs_real_features: bool = False  # a reference of mean/covariance only will not do
    suffix: str = ""  # protocol: name + sample count + suffix
    direction: str = "minimize"  # of the headline: 'minimize' (a distance) or 'maximize' (an accuracy)
    parts: tuple = ()  # other numbers of a result worth a name: ((name, key in the value, direction), ...)


def _number(v) -> str:
    return f"{v:.6g}"


METRICS: dict[str, Metric] = {m.name: m for m in (
    Metric("fid", _fid, float, _number),
    Metric("kid", _kid, lambda v: float(v["mean"]), lambda v: f"{v['mean']:.6g} ± {v['std']:.2g}", True),
    Metric("is", _is, lambda v: float(v["mean"]), lambda v: f"{v['mean']:.6g} ± {v['std']:.2g}",
           direction="maximize"),
    Metric("pr", _neighbours("pr", 3, precision_recall), lambda v: float(v["precision"]),
           lambda v: f"precision {v['precision']:.4f}, recall {v['recall']:.4f}", True, "_k3", "maximize",
           (("precision", "precision", "maximize"), ("recall", "recall", "maximize"))),
    Metric("dc", _neighbours("dc", 5, density_coverage), lambda v: float(v["density"]),
           lambda v: f"density {v['density']:.4f}, coverage {v['coverage']:.4f}", True, "_k5", "maximize",
           (("density", "density", "maximize"), ("coverage", "coverage", "maximize"))),
    Metric("ifid", _ifid, lambda v: float(v["mean"]),
           lambda v: f"{v['mean']:.6g} (mean over {len(v['per_class'])} classes)", True),
    Metric("acc", _acc, float, _number, direction="maximize"),
)}


def register_metric(metric: Metric) -> Metric:
    """Make ``metric.name`` usable in ``--metrics`` and ``eval.metrics`` (its protocol: name + sample count +
    ``suffix``)."""
    METRICS[metric.name] = metric
    return metric


def parse_metrics(text) -> list[str]:
    names = [m.strip().lower() for m in (text.split(",") if isinstance(text, str) else text) if m.strip()]
    unknown = [m for m in names if m not in METRICS]
    if unknown or not names:
        raise GanforgeError(f"unknown metric(s) {', '.join(unknown) or '(none given)'}; choose from "
                            f"{', '.join(METRICS)}")
    return list(dict.fromkeys(names))


def count_label(n: int) -> str:
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n / 1000:g}k" if n >= 1000 else str(n)


def protocol(metric: str, n: int) -> str:
    return f"{metric}{count_label(n)}{METRICS[metric].suffix}"


def metric_of(protocol_name: str) -> Metric:
    """The metric of a result name such as 'pr10k_k3'."""
    match = re.match(r"[a-z]+", protocol_name)
    if not match or match.group(0) not in METRICS:
        raise GanforgeError(f"{protocol_name!r} is not a metric result name (e.g. fid10k, pr10k_k3)")
    return METRICS[match.group(0)]


def headline(protocol_name: str, value) -> float:
    return metric_of(protocol_name).headline(value)


@dataclass(frozen=True)
class Score:
    """One number to compare runs by, named with its sample count: 'fid2k', 'recall2k', 'acc10k'. ``metric``
    computes it (its protocol names the result it is read from) and ``direction`` says which way is better."""
    name: str
    metric: str
    n: int
    direction: str
    key: str = ""  # the field of the metric's value ('' = its headline)

    @property
    def result(self) -> str:
        return protocol(self.metric, self.n)

    def read(self, metrics: dict) -> float:
        """The score from a {protocol: value} dictionary of results (an evaluation's or a log record's)."""
        value = metrics[self.result]
        return float(value[self.key]) if self.key else headline(self.result, value)


def score_names() -> dict[str, tuple[str, str, str]]:
    """{score name: (metric, key, direction)}: each metric's headline under its own name and its named parts."""
    out = {}
    for m in METRICS.values():
        out[m.name] = (m.name, "", m.direction)
        out.update({name: (m.name, key, direction) for name, key, direction in m.parts})
    return out


def parse_score(text: str) -> Score:
    """'fid2k', 'recall10k', 'acc500', 'pr2k_k3' -> a :class:`Score`."""
    match = re.fullmatch(r"([a-z]+)(\d+(?:\.\d+)?)(k?)(_k\d+)?", str(text).strip().lower())
    names = score_names()
    if not match or match.group(1) not in names:
        raise GanforgeError(f"{text!r} is not a score: a metric or one of its parts and a sample count, e.g. "
                            f"fid2k, recall2k, acc10k; names: {', '.join(names)}")
    word, count, k = match.group(1), float(match.group(2)), match.group(3)
    n = int(round(count * (1000 if k else 1)))
    if n < 2:
        raise GanforgeError(f"{text!r}: a score needs at least 2 samples")
    metric, key, direction = names[word]
    return Score(f"{word}{count_label(n)}", metric, n, direction, key)


def compute_metrics(metrics: list[str], inputs: Inputs) -> dict:
    """{protocol name: value} for each metric name, on ``inputs``."""
    n = len(inputs.fake["features"])
    out = {}
    for name in metrics:
        metric = METRICS[name]
        if metric.needs_real_features and inputs.real.get("features") is None:
            raise GanforgeError(f"{name} needs the reference features, but the reference holds only mean/covariance")
        out[protocol(name, n)] = metric.compute(inputs)
    return out


def format_table(result: dict) -> str:
    rows = [f"  {name:<12s} {metric_of(name).text(value)}" for name, value in result["metrics"].items()]
    info = (f"  extractor {result['extractor']}, resize {result['resize']}, {result['n_fake']} evaluated vs "
            f"{result['n_ref']} reference images ({result['ref']})")
    return "\n".join(rows + [info])
