"""Models by name: a run directory, an export, a downloaded pytorch-pretrained-BigGAN directory, or a Hugging
Face Hub id (``org/name``, optionally ``org/name@revision``), as ``ganforge.load``, ``sample``, ``eval`` and
``serve`` take them.

A Hub id is fetched with the ``huggingface_hub`` package (the ``hub`` extra) into its usual cache (only
``config.json`` and the weights). A repository that holds a ganforge export is used as it is; one in
pytorch-pretrained-BigGAN's layout (``config.json`` + ``pytorch_model.bin``, e.g. ``osanseviero/BigGAN-deep-128``)
is converted once, into ganforge's cache (``~/.cache/ganforge/hub/<org>--<name>/<commit>``, keyed by the Hub
revision), and the converted export is used from then on. ``HF_HUB_OFFLINE=1`` (or ``GANFORGE_OFFLINE=1``) uses
the Hub cache only; a model missing there is one line saying what to download and where.
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import tempfile

from .errors import GanforgeError
from .interop.convert import convert
from .metrics.cache import cache_root
from .metrics.digest import content_digest
from .pretrained import CONFIG_JSON, WEIGHTS, load as load_model_dir

HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+(@[\w./-]+)?$")
HF_FILES = ("config.json", "pytorch_model.bin")


def is_hub_id(spec: str) -> bool:
    """'org/name' or 'org/name@revision' that is not a path on this machine."""
    return bool(HUB_ID.match(str(spec))) and not pathlib.Path(spec).expanduser().exists()


def _offline() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes", "on") for v in ("HF_HUB_OFFLINE",
                                                                                   "GANFORGE_OFFLINE"))


def _hub_cache() -> str | None:
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    if os.environ.get("HF_HOME"):
        return os.path.join(os.environ["HF_HOME"], "hub")
    return None  # huggingface_hub's default (~/.cache/huggingface/hub)


def download(spec: str) -> pathlib.Path:
    """The local snapshot of a Hub id (fetched unless offline)."""
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise GanforgeError(f"{spec} looks like a Hugging Face Hub id; loading it needs the huggingface_hub package: "
                            f"pip install 'ganforge[hub]' (or give a local directory)") from None
    repo, _, revision = spec.partition("@")
    where = _hub_cache() or "~/.cache/huggingface/hub"
    try:
        path = snapshot_download(repo, revision=revision or None, cache_dir=_hub_cache(), local_files_only=_offline(),
                                 allow_patterns=["config.json", "*.bin", "*.safetensors"])
    except Exception as e:  # noqa: BLE001 - huggingface_hub's errors (offline, missing, network) become one line
        how = (f"on a machine with internet run `hf download {repo}` (or `huggingface-cli download {repo}`) and "
               f"copy its cache to {where}, or download the repository's config.json and pytorch_model.bin into a "
               f"directory and give that directory")
        state = "it is not in the Hugging Face cache and the Hub is offline (HF_HUB_OFFLINE)" if _offline() else \
            f"it could not be fetched ({type(e).__name__}: {str(e).splitlines()[0][:200]})"
        raise GanforgeError(f"{spec}: no such local directory, and as a Hugging Face Hub id {state}; {how}") from None
    return pathlib.Path(path)


def _is_export(path: pathlib.Path) -> bool:
    return (path / CONFIG_JSON).is_file() and (path / WEIGHTS).is_file()


def _is_hf_layout(path: pathlib.Path) -> bool:
    return all((path / name).is_file() for name in HF_FILES) and not (path / WEIGHTS).is_file()


def _converted(snapshot: pathlib.Path, key: str) -> pathlib.Path:
    """The ganforge export of a pytorch-pretrained-BigGAN directory, converted once into ganforge's cache."""
    target = cache_root() / "hub" / key
    if _is_export(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        convert("hf", snapshot, staging)
        if target.exists():
            shutil.rmtree(target)  # a conversion left half-done by a killed process
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def model_dir(spec) -> pathlib.Path:
    """The ganforge model directory (run or export) that ``spec`` names, downloading and converting as needed."""
    path = pathlib.Path(spec).expanduser()
    if path.is_dir():
        if _is_hf_layout(path):  # a downloaded Hub snapshot or a pytorch-pretrained-BigGAN directory
            key = f"local/{content_digest(path / HF_FILES[0])}-{content_digest(path / HF_FILES[1])}"
            return _converted(path, key)
        return path
    if not is_hub_id(str(spec)):
        return path  # the loader says what is wrong with it
    snapshot = download(str(spec))
    if _is_export(snapshot):
        return snapshot
    if _is_hf_layout(snapshot):
        repo = str(spec).partition("@")[0].replace("/", "--")
        return _converted(snapshot, f"{repo}/{snapshot.name}")  # snapshots/<commit>: the revision's own key
    raise GanforgeError(f"{spec}: the repository holds neither a ganforge export ({CONFIG_JSON} + {WEIGHTS}) nor "
                        f"pytorch-pretrained-BigGAN's layout ({' + '.join(HF_FILES)})")


def load(spec, device="cpu", standing_stats: int | None = None, precision: str = "fp32"):
    """``pretrained.load`` for anything :func:`model_dir` understands (a Hub id too)."""
    return load_model_dir(model_dir(spec), device=device, standing_stats=standing_stats, precision=precision)
