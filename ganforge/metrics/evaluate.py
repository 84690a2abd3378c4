"""Metrics by protocol: FID, KID, IS, precision/recall, density/coverage, intra-class FID and class accuracy,
computed from the features of a fake and a reference image set, named with their sample count
(``fid10k``, ``kid10k``, ``is10k``, ``pr10k_k3``, ``dc10k_k5``, ``ifid10k``, ``acc10k``)."""
from __future__ import annotations

import numpy as np

from ..errors import GanforgeError
from .fid import frechet_distance, stats_of
from .inception_score import inception_score
from .kid import kid
from .prdc import density_coverage, precision_recall

METRICS = ("fid", "kid", "is", "pr", "dc", "ifid", "acc")
NEEDS_REAL_FEATURES = {"kid", "pr", "dc", "ifid"}


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
    suffix = {"pr": "_k3", "dc": "_k5"}.get(metric, "")
    return f"{metric}{count_label(n)}{suffix}"


def _labels_in(names_from: list[str] | None, names_to: list[str] | None, labels, side: str) -> np.ndarray:
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
    lookup = np.array([index[n] for n in names_from])
    return lookup[np.asarray(labels)]


def intra_class_fid(fake: dict, real: dict) -> dict:
    per_class = {}
    for c in np.unique(fake["labels"]):
        f, r = fake["features"][fake["labels"] == c], real["features"][real["labels"] == c]
        if len(f) < 2 or len(r) < 2:
            continue
        per_class[int(c)] = frechet_distance(*stats_of(f), *stats_of(r))
    if not per_class:
        raise GanforgeError("intra-class FID: no class has at least 2 images on both sides")
    return {"mean": float(np.mean(list(per_class.values()))), "per_class": per_class}


def compute_metrics(metrics: list[str], fake: dict, real: dict, extractor, fake_classes=None, real_classes=None,
                    kid_subsets: int = 100, seed: int = 0) -> dict:
    """``fake``/``real``: dicts with 'features' [N, d], 'logits' or None, 'labels' or None (real may instead
    carry only 'mu'/'sigma'). Returns {protocol name: value or dict}."""
    n = len(fake["features"])
    missing_real = real.get("features") is None
    out = {}
    for m in metrics:
        if m in NEEDS_REAL_FEATURES and missing_real:
            raise GanforgeError(f"{m} needs the reference features, but the reference holds only mean/covariance")
        if m == "fid":
            mu_r, sig_r = (real["mu"], real["sigma"]) if "mu" in real else stats_of(real["features"])
            out[protocol(m, n)] = frechet_distance(*stats_of(fake["features"]), mu_r, sig_r)
        elif m == "kid":
            out[protocol(m, n)] = kid(fake["features"], real["features"], kid_subsets, 1000, seed)
        elif m == "is":
            if fake.get("logits") is None:
                raise GanforgeError(f"IS needs class probabilities; the extractor {extractor.name} gives none")
            out[protocol(m, n)] = inception_score(fake["logits"], seed=seed)
        elif m == "pr":
            _enough_for_neighbours(m, 3, n, len(real["features"]))
            out[protocol(m, n)] = precision_recall(fake["features"], real["features"], k=3)
        elif m == "dc":
            _enough_for_neighbours(m, 5, n, len(real["features"]))
            out[protocol(m, n)] = density_coverage(fake["features"], real["features"], k=5)
        elif m == "ifid":
            fl = _labels_in(fake_classes, real_classes, fake.get("labels"), "evaluated")
            rl = _labels_in(real_classes, real_classes, real.get("labels"), "reference")
            out[protocol(m, n)] = intra_class_fid({**fake, "labels": fl}, {**real, "labels": rl})
        elif m == "acc":
            if fake.get("logits") is None or extractor.class_names is None:
                raise GanforgeError(f"class accuracy needs a classifier of the data's classes (e.g. --extractor "
                                    f"classifier:fashion-mnist); {extractor.name} has none")
            labels = _labels_in(fake_classes, extractor.class_names, fake.get("labels"), "evaluated")
            predicted = np.asarray(fake["logits"]).argmax(1)
            out[protocol(m, n)] = float((predicted == labels).mean())
    return out


def _enough_for_neighbours(metric: str, k: int, n_fake: int, n_real: int) -> None:
    if min(n_fake, n_real) <= k:
        raise GanforgeError(f"{metric} compares each image with its {k} nearest neighbours: it needs more than {k} "
                            f"images on each side (evaluated {n_fake}, reference {n_real})")


def scalar(value) -> float:
    """The headline number of a metric result (FID value, KID mean, precision, ...)."""
    if isinstance(value, dict):
        for key in ("mean", "precision", "density"):
            if key in value:
                return float(value[key])
    return float(value)


def format_table(result: dict) -> str:
    rows = []
    for name, value in result["metrics"].items():
        if isinstance(value, dict) and "std" in value:
            text = f"{value['mean']:.6g} ± {value['std']:.2g}"
        elif isinstance(value, dict) and "precision" in value:
            text = f"precision {value['precision']:.4f}, recall {value['recall']:.4f}"
        elif isinstance(value, dict) and "density" in value:
            text = f"density {value['density']:.4f}, coverage {value['coverage']:.4f}"
        elif isinstance(value, dict):
            text = f"{value['mean']:.6g} (mean over {len(value['per_class'])} classes)"
        else:
            text = f"{value:.6g}"
        rows.append(f"  {name:<12s} {text}")
    info = (f"  extractor {result['extractor']}, resize {result['resize']}, {result['n_fake']} evaluated vs "
            f"{result['n_ref']} reference images ({result['ref']})")
    return "\n".join(rows + [info])
