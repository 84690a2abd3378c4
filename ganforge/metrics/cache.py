"""Reference statistics: the features of a real image set (and their mean and covariance), cached as npz
files keyed by the data's identity (a digest of its content, split, resolution, channels, count), the
extractor's identity (name and weights digest), the resize mode and the version of the metric code
(:data:`METRICS_VERSION`, raised whenever extraction, resizing or preprocessing changes what features an image
gives, so old entries are not served). ``--save-stats`` writes the same
file anywhere; ``--ref file.npz`` with such a file reuses it."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib

import numpy as np

from ..errors import GanforgeError
from ..fileio import atomic_write
from .fid import stats_of

STATS_FORMAT = "ganforge-stats"
METRICS_VERSION = 2  # 2: content digests of the reference data in the key


def cache_root() -> pathlib.Path:
    """ganforge's cache (``GANFORGE_CACHE``, else ``$XDG_CACHE_HOME/ganforge``): stats/, digests/, hub/."""
    root = os.environ.get("GANFORGE_CACHE") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "ganforge")
    return pathlib.Path(root).expanduser()


def cache_dir() -> pathlib.Path:
    return cache_root() / "stats"


def cache_key(source_identity: str, extractor_identity: str, resize: str) -> str:
    text = json.dumps([source_identity, extractor_identity, resize, METRICS_VERSION])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def save_stats(path, feats: dict, meta: dict) -> None:
    mu, sigma = stats_of(feats["features"])
    arrays = {"mu": mu, "sigma": sigma, "features": feats["features"], "meta": np.array(json.dumps(meta)),
              "format": np.array(STATS_FORMAT)}
    if feats.get("labels") is not None:
        arrays["labels"] = feats["labels"]
    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)

    atomic_write(pathlib.Path(path).expanduser(), write)


def is_stats_file(path) -> bool:
    """A ganforge statistics file, or another tool's npz of 'mu' and 'sigma' (e.g. pytorch-fid's)."""
    path = pathlib.Path(path).expanduser()
    if path.suffix != ".npz" or not path.is_file():
        return False
    try:
        with np.load(path, allow_pickle=False) as f:
            return {"mu", "sigma"} <= set(f.files)
    except (OSError, ValueError):
        return False


def load_stats(path) -> tuple[dict, dict]:
    """(features dict with 'features' (or None), 'labels', 'mu', 'sigma'; metadata ({} for other tools' files))."""
    path = pathlib.Path(path).expanduser()
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["meta"])) if "meta" in f.files else {}
            features = f["features"] if "features" in f.files and len(f["features"]) else None
            feats = {"features": features, "labels": f["labels"] if "labels" in f.files else None,
                     "mu": f["mu"], "sigma": f["sigma"], "logits": None}
    except (OSError, ValueError, KeyError) as e:
        raise GanforgeError(f"{path}: not a readable statistics file ({e})") from None
    return feats, meta


def cached_features(source_identity: str, extractor_identity: str, resize: str, compute, use_cache: bool = True):
    """Features of a reference set: from the cache when the same key was computed before, else computed (by
    ``compute()``) and stored. Returns (features dict, whether it was a cache hit)."""
    if not use_cache or not source_identity:
        return compute(), False
    path = cache_dir() / f"{cache_key(source_identity, extractor_identity, resize)}.npz"
    if path.is_file():
        try:
            feats, _ = load_stats(path)
            return feats, True
        except GanforgeError:
            path.unlink(missing_ok=True)  # a damaged cache entry is recomputed
    feats = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        save_stats(path, feats, {"source": source_identity, "extractor": extractor_identity, "resize": resize})
    except OSError:
        pass  # an unwritable cache only costs time
    return feats, False
