"""Evaluation end to end: resolve the evaluated side (a run, an export, a folder or an npz) and the reference
(a dataset or a statistics file), extract features (reference features cached), compute the metrics, and
report them with the protocol that produced them."""
from __future__ import annotations

import pathlib

import numpy as np

from ..sections import DataConfig
from ..data import detect_kind
from ..distributed import SINGLE, Distributed
from ..errors import GanforgeError
from ..hub import is_hub_id, load
from .cache import cached_features, is_stats_file, load_stats, save_stats
from .features import extract, get_extractor, interleave_shards
from .registry import Inputs, compute_metrics, parse_metrics
from .sources import Source, generator_source, open_dataset, open_images

DEFAULT_CLASSIFIER = "classifier:fashion-mnist"


def is_model_dir(path: pathlib.Path) -> bool:
    return (path / "config.yaml").is_file() or (path / "config.json").is_file()


def default_extractor(ref: str | None) -> str:
    if ref is not None and (ref == "fashion-mnist" or ref.startswith("fashion-mnist:")):
        return DEFAULT_CLASSIFIER
    return "inception"


class Evaluator:
    """Holds the extractor and the reference features, so several evaluations (a truncation sweep, evaluation
    during training) extract the reference once.

    In a data-parallel run (``dist``) every rank holds the extractor and generates and extracts its share of
    the samples; rank 0 holds the reference, computes the metrics and passes them to the others."""

    def __init__(self, ref: str, shape: tuple[int, int, int], metrics, extractor: str | None = None,
                 inception_weights=None, resize: str = "tf", device="cpu", seed: int = 0, use_cache: bool = True,
                 data_cfg: DataConfig | None = None, ref_n: int | None = None, batch_size: int = 100, notify=None,
                 dist: Distributed = SINGLE, convert: bool = False):
        self.metrics = parse_metrics(metrics)
        self.seed, self.batch_size, self.dist = seed, batch_size, dist
        options = {"device": device}
        spec = extractor or default_extractor(ref)
        if spec.startswith("inception"):
            options.update(weights=inception_weights, resize=resize)
        self.extractor = get_extractor(spec, **options)
        self.ref_name = ref
        dist.on_main(self._load_reference, ref, shape, data_cfg, ref_n, use_cache, notify, convert)

    def _load_reference(self, ref, shape, data_cfg, ref_n, use_cache, notify, convert) -> None:
        """The reference's features: a statistics file as it is; the run's own data prepared by its data
        settings (``data_cfg``); any other image set as it is, of the evaluated images' shape (or converted to it
        with ``convert``)."""
        seed, batch_size = self.seed, self.batch_size
        if is_stats_file(ref):
            self.real, meta = load_stats(ref)
            if len(self.real["mu"]) != self.extractor.feature_dim:
                raise GanforgeError(f"{ref}: statistics of {len(self.real['mu'])}-d features, but {self.extractor.name} "
                                    f"gives {self.extractor.feature_dim}-d features")
            if not meta:
                if notify:
                    notify(f"{ref}: statistics from another tool; assuming they match {self.extractor.name}")
            elif meta.get("extractor") != self.extractor.identity or meta.get("resize") != self.extractor.resize:
                raise GanforgeError(f"{ref}: these statistics were made with {meta.get('extractor')} (resize "
                                    f"{meta.get('resize')}), not {self.extractor.identity} (resize "
                                    f"{self.extractor.resize}); recompute them")
            self.real_classes = meta.get("class_names")
            self.n_ref = len(self.real["features"]) if self.real["features"] is not None else meta.get("n", "?")
            return
        if data_cfg is not None:
            source = open_dataset(ref, shape, ref_n, seed, data_cfg=data_cfg, flag="--ref-n")
        else:
            source = open_images(ref, ref_n, seed, shape=shape, convert=convert, flag="--ref-n")
        self.real, hit = cached_features(source.identity, self.extractor.identity, self.extractor.resize,
                                         lambda: extract(self.extractor, source.batches(batch_size)), use_cache)
        if notify:
            notify(f"reference features of {source.description}: {'cache hit' if hit else 'computed'}")
        self.real_classes, self.n_ref = source.class_names, source.n
        self._ref_meta = {"source": source.identity, "extractor": self.extractor.identity,
                          "resize": self.extractor.resize, "class_names": source.class_names}

    def save_reference(self, path) -> None:
        if not hasattr(self, "_ref_meta"):
            raise GanforgeError("--save-stats: the reference is already a statistics file")
        save_stats(path, self.real, self._ref_meta)

    def evaluate(self, fake: Source, **extra) -> dict:
        return self.report(extract(self.extractor, fake.batches(self.batch_size)), fake, **extra)

    def report(self, feats: dict, fake: Source, **extra) -> dict:
        values = compute_metrics(self.metrics, Inputs(feats, self.real, self.extractor, fake.class_names,
                                                      self.real_classes, seed=self.seed))
        return {"metrics": values, "extractor": self.extractor.identity, "extractor_name": self.extractor.name,
                "resize": self.extractor.resize, "n_fake": fake.n, "n_ref": self.n_ref, "ref": self.ref_name,
                "evaluated": fake.description, **extra}

    def evaluate_generator(self, G, n: int, truncation=None) -> dict:
        """Metrics of n samples of G; shared among the ranks of a data-parallel run, with the same result."""
        d = self.dist
        source = generator_source(G, n, truncation, self.seed, d.rank, d.world)
        if not d.enabled:
            return self.evaluate(source, truncation=truncation)
        sizes = [min(self.batch_size, n - start) for start in range(0, n, self.batch_size)]
        mine = extract(self.extractor, source.batches(self.batch_size)) if d.rank < len(sizes) else None
        feats = interleave_shards(d.gather(mine), sizes)
        return d.on_main(self.report, feats, source, truncation=truncation)


def parse_sweep(text: str) -> list[float]:
    """'0.2:1.0:0.1' -> [0.2, 0.3, ..., 1.0] (end included)."""
    try:
        start, stop, step = (float(v) for v in text.split(":"))
    except ValueError:
        raise GanforgeError(f"--truncation-sweep {text!r}: expected START:STOP:STEP, e.g. 0.2:1.0:0.1") from None
    if not (0 < start <= stop) or step <= 0:
        raise GanforgeError(f"--truncation-sweep {text!r}: expected 0 < START <= STOP and STEP > 0")
    count = int(np.floor((stop - start) / step + 1e-9)) + 1
    return [round(start + i * step, 10) for i in range(count)]


def fake_side(spec: str, n: int | None, seed: int, device: str = "cpu", precision: str = "fp32",
              standing_stats: int | None = None):
    """(generator, None) for a run or an export (sampling in ``precision``, with ``standing_stats`` passes of
    standing BN statistics, None = the run's); (None, source) for a folder or an npz."""
    path = pathlib.Path(spec).expanduser()
    if is_hub_id(spec) or (path.is_dir() and is_model_dir(path)):
        return load(spec, device=device, precision=precision, standing_stats=standing_stats), None
    return None, open_images(spec, n, seed)


def reference_for(ref: str | None, G) -> tuple[str, DataConfig | None]:
    """The reference to use and, when it is the run's own training data, the run's data settings."""
    run = getattr(G, "run_config", None) if G is not None else None
    if ref is None:
        if G is None:
            raise GanforgeError("--ref is required when evaluating a folder or an npz")
        if run is None:
            raise GanforgeError("--ref is required: this exported generator does not record its training data "
                                "(a run directory does); give the data or a statistics file to compare with")
        return run.data.source, run.data
    if run is not None and ref == run.data.source:
        return ref, run.data
    if not is_stats_file(ref):
        detect_kind(ref)  # a clear error for a missing path
    return ref, None
