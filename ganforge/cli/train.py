"""``ganforge train`` and ``presets``."""
from __future__ import annotations

import pathlib

from ..config import Config, load_config_file, load_preset, parse_override, preset_names
from ..device import resolve_device
from ..distributed import main_process
from ..errors import GanforgeError
from ..fields import allowed, default_of
from ..notify import to_stderr
from ..sections import key_fields


def describe_keys() -> str:
    """Every config key with its default, allowed values and help (`ganforge train --list-keys`); a family's own
    keys are listed as model.FAMILY.KEY."""
    return "\n".join(f"  {key} = {default_of(f)!r}{' ' + allowed(f) if allowed(f) else ''}  "
                     f"{f.metadata.get('help', '')}" for key, f in key_fields().items())


def _train(args) -> int:
    from ..training.run import saved_config, train
    if args.list_keys:
        print(describe_keys())
        return 0
    if args.out is None and not args.dry_run:
        raise GanforgeError("train needs --out DIR (the run directory)")
    given = _given(args)
    out = pathlib.Path(args.out or ".").expanduser()
    if not args.preset and not args.config and args.resume and (out / "config.yaml").is_file():
        cfg = saved_config(out)  # a run the automatic recipe sized continues with what it chose then
        for key, (value, origin) in given.items():
            cfg.set(key, value, origin=origin)
    else:
        cfg = start_config(args.preset, args.config, given, to_stderr)
    summary = train(cfg, out, force=args.force,
                    show_progress=not args.no_progress, dry_run=args.dry_run)
    if args.dry_run:
        print(summary["description"] + f"# data: {summary['data']}\n# dry run: config valid, nothing written")
        return 0
    if not main_process():
        return 0
    rate = summary["trained_steps"] / max(summary["seconds"], 1e-9)
    world = f" on {summary['world_size']} processes" if summary["world_size"] > 1 else ""
    print(f"trained {summary['trained_steps']} steps (now at {summary['steps']}) in {summary['seconds']:.1f} s "
          f"({rate:.2f} steps/s){world}\ncheckpoint: {summary['checkpoint']}\nsample sheet: {summary['sheet']}")
    return 0


def start_config(preset: str | None, config: str | None, given: dict, notify) -> Config:
    """The config a new run starts from: a preset or a config file with the given keys set, or, with neither,
    the automatic recipe sized for the data and the device (what it chose is said to ``notify``)."""
    from ..training.recipe import auto_config
    if preset and config:
        raise GanforgeError("give --preset or --config, not both")
    cfg = load_preset(preset) if preset else load_config_file(config) if config else Config()
    for key, (value, origin) in given.items():
        cfg.set(key, value, origin=origin)
    if not preset and not config:
        cfg = auto_config(cfg, set(given), resolve_device(cfg.train.device), notify)
    return cfg


def _given(args) -> dict[str, tuple]:
    """The keys the command line sets (flags and --set, in that order): {key: (value, origin)}."""
    given = {}
    for key, value, flag in (("model.name", args.model, "--model"), ("data.source", args.data, "--data"),
                             ("train.device", args.device, "--device"),
                             ("train.precision", args.precision, "--precision"),
                             ("data.skip_bad_images", args.skip_bad_images or None, "--skip-bad-images"),
                             ("train.tensorboard", args.tensorboard or None, "--tensorboard")):
        if value is not None:
            given[key] = (value, flag)
    for item in args.set or []:
        key, value = parse_override(item)
        given[key] = (value, "--set")
    if args.resume:
        given["train.resume"] = (args.resume, "--resume")
    return given


def _presets(args) -> int:
    for name in preset_names():
        m, d, t = (load_preset(name).model, load_preset(name).data, load_preset(name).train)
        print(f"{name:24s} {m.name}, {d.resolution} px, ch {m.ch}, batch {t.batch_size}x{t.accumulate}, "
              f"{t.steps} steps, data {d.source}")
    return 0


def register(sub) -> None:
    t = sub.add_parser("train", help="train a model (or resume a run)")
    t.add_argument("--preset", help=f"a preset config: {', '.join(preset_names())}")
    t.add_argument("--config", help="a YAML/JSON config file")
    t.add_argument("--model", help="model family (model.name)")
    t.add_argument("--data", help="data source: fashion-mnist, an image folder, an .npz or a CIFAR-10 directory")
    t.add_argument("--out", help="run directory")
    t.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config key (repeatable)")
    t.add_argument("--device", help="cpu, cuda, cuda:N, mps or auto (under torchrun: cuda:LOCAL_RANK or cpu)")
    t.add_argument("--precision", choices=["fp32", "bf16", "fp16", "auto"], help="arithmetic of the forward passes "
                   "(train.precision); auto: bf16 where the device computes it natively, else fp32")
    t.add_argument("--resume", nargs="?", const="true", choices=["true", "auto"], metavar="auto",
                   help="continue the run in --out from its newest valid checkpoint; '--resume auto': continue it if "
                   "there is one, else start it (one command for start and restart: torchrun --max-restarts, "
                   "SLURM --requeue, preemptible machines; train.resume)")
    t.add_argument("--force", action="store_true", help="replace the run already in --out")
    t.add_argument("--skip-bad-images", action="store_true", help="skip unreadable images (reported) instead of "
                   "stopping (data.skip_bad_images)")
    t.add_argument("--dry-run", action="store_true", help="print the resolved config and parameter counts, exit")
    t.add_argument("--no-progress", action="store_true", help="no progress bar")
    t.add_argument("--tensorboard", action="store_true", help="also log to RUN/tensorboard (train.tensorboard)")
    t.add_argument("--list-keys", action="store_true", help="list every config key with its default and range")
    t.set_defaults(func=_train)
    sub.add_parser("presets", help="list presets").set_defaults(func=_presets)
