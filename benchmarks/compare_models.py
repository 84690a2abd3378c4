"""Every model family trained from its own CPU preset for the same CPU budget on the embedded Fashion-MNIST,
then compared.

    python benchmarks/compare_models.py [--budget 600] [--n 2000] [--families biggan,dcgan,...] [--threads 1]
                                        [--work runs/compare] [--out runs/compare] [--results results]
                                        [--set KEY=VALUE ...]

Each family starts from its own preset (below), is sized to the budget from its measured step time and trained
from scratch; then fid, precision/recall, density/coverage and class accuracy of n samples of its EMA generator
are measured in the domain classifier's feature space (classifier:fashion-mnist; unconditional models get
accuracy "—"). Each family's result and sheet are kept in WORK, so families can be run by separate processes
(``--threads 1`` each on a 2-core machine) and an interrupted comparison continues; ``OUT/compare_models.md``
(the table) and ``OUT/compare_models.png`` (one sample sheet per family, side by side) are built from every
family found there, and each family's figures go to ``RESULTS/compare/FAMILY-BUDGETs.json`` (the docs' tables are
rendered from those files). ``--set`` overrides a key for every family run (an ablation at the same budget: give
it its own WORK, OUT and RESULTS).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shutil

import torch
from PIL import Image

from budget import evaluate_run, train_for_budget
from ganforge.config import ConfigError, load_preset, parse_override
from ganforge.metrics.registry import count_label
from ganforge.models import parameter_count
from ganforge.results import write_result
from ganforge.sampling import render
from ganforge.viz import labelled_sheet, side_by_side, titled

RECIPES = {  # family: (preset, overrides)
    "biggan": ("fashion32-cpu", {}),
    "biggan_deep": ("fashion32-deep-cpu", {}),
    # the growing families' phases (levels) share the budget, each level with its preset's batch size
    "progan": ("progan-fashion32", {"growth.stable": 0, "growth.fade": -1}),
    "lapgan": ("lapgan-fashion32", {"growth.stable_images": []}),
    "dcgan": ("dcgan-fashion32", {}),
    "cgan": ("cgan-fashion32", {}),
    "vanilla": ("vanilla-fashion32", {}),
}


def recipe(family: str, threads: int, extra: dict | None = None):
    preset, overrides = RECIPES[family]
    cfg = load_preset(preset)
    for key, value in {**overrides, **(extra or {})}.items():
        cfg.set(key, value)
    if threads:
        cfg.set("train.threads", threads)
    return cfg.validate()


def run_family(family: str, budget: float, n: int, threads: int, work: pathlib.Path,
               extra: dict | None = None) -> dict:
    run = work / family / "run"
    shutil.rmtree(run, ignore_errors=True)  # a family interrupted mid-run starts again: its budget is wall time
    summary = train_for_budget(recipe(family, threads, extra), budget, run)
    G, metrics, d_params = evaluate_run(run, n, ("fid", "pr", "dc", "acc"))
    z = torch.randn(50, G.dim_z, generator=torch.Generator().manual_seed(0))
    images = render(G, z, torch.arange(10).repeat_interleave(5)).view(10, 5, *G.image_shape)
    labels = G.class_names if G.conditional else [""] * 10
    titled(labelled_sheet(images, labels, scale=2), family).save(work / family / "sheet.png")
    pick = lambda prefix: next((v for k, v in metrics.items() if k.startswith(prefix)), None)  # noqa: E731
    result = {"family": family, "preset": RECIPES[family][0], "g_params": parameter_count(G), "d_params": d_params,
              "gflop_per_image": summary["gflop_per_image"], "s_per_step": summary["seconds"] / summary["steps"],
              "steps": summary["steps"], "threads": torch.get_num_threads(), "fid": pick("fid"), "pr": pick("pr"),
              "dc": pick("dc"), "acc": pick("acc")}
    (work / family / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def table(results: list[dict], budget: float, n: int) -> str:
    k = f"{n // 1000}k"
    header = (f"Every family trained from its own preset for {budget:.0f} s of CPU time on the embedded "
              f"Fashion-MNIST (32 px), then {n} samples of its EMA generator (no truncation) against the 10,000 "
              f"training images in the classifier:fashion-mnist feature space.\n\n"
              f"| family | preset | G params | D params | G GFLOP/image | s/step | steps | train s | fid{k} | "
              f"precision | recall | density | coverage | acc{k} |\n"
              f"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    rows = []
    for r in results:
        acc = "—" if r["acc"] is None else f"{r['acc']:.3f}"
        rows.append(f"| {r['family']} | `{r['preset']}` | {r['g_params'] / 1e6:.3f} M | {r['d_params'] / 1e6:.3f} M | "
                    f"{r['gflop_per_image']:.4f} | {r['s_per_step']:.3f} | {r['steps']} | "
                    f"{r['s_per_step'] * r['steps']:.0f} | {r['fid']:.2f} | "
                    f"{r['pr']['precision']:.3f} | {r['pr']['recall']:.3f} | {r['dc']['density']:.3f} | "
                    f"{r['dc']['coverage']:.3f} | {acc} |\n")
    return header + "".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=600.0, help="training seconds per family")
    ap.add_argument("--n", type=int, default=2000, help="generated images per evaluation")
    ap.add_argument("--families", default=",".join(RECIPES))
    ap.add_argument("--threads", type=int, default=0, help="CPU threads per run (0 = torch's default)")
    ap.add_argument("--work", default="runs/compare", help="where each family's run, result and sheet are kept")
    ap.add_argument("--out", default="runs/compare", help="where the table and the side-by-side sheets go")
    ap.add_argument("--results", default="results", help="results directory (one file per family)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="override a config key for every family run (repeatable)")
    args = ap.parse_args()
    families = args.families.split(",")
    for family in families:
        if family not in RECIPES:
            raise SystemExit(f"unknown family {family!r}; choose from {', '.join(RECIPES)}")
    try:
        extra = dict(parse_override(item) for item in args.set)
        for family in families:
            recipe(family, args.threads, extra)  # a bad override stops here, before any family trains
    except ConfigError as e:
        raise SystemExit(str(e)) from None
    if args.threads:  # before the step timing too: it must run with the threads the training will use
        torch.set_num_threads(args.threads)
    work = pathlib.Path(args.work)
    for family in families:
        if not (work / family / "result.json").is_file():
            result = run_family(family, args.budget, args.n, args.threads, work, extra)
            print(f"done: {family} ({result['steps']} steps, fid {result['fid']:.2f})", flush=True)
    found = [f for f in RECIPES if (work / f / "result.json").is_file()]
    results = [json.loads((work / f / "result.json").read_text()) for f in found]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    text = table(results, args.budget, args.n)
    (out / "compare_models.md").write_text(text)
    k = count_label(args.n)
    for r in results:
        metrics = {f"fid{k}": r["fid"], f"precision{k}": r["pr"]["precision"], f"recall{k}": r["pr"]["recall"],
                   f"density{k}": r["dc"]["density"], f"coverage{k}": r["dc"]["coverage"]}
        if r["acc"] is not None:
            metrics[f"acc{k}"] = r["acc"]
        write_result(args.results, f"compare/{r['family']}-{args.budget:.0f}s", metrics, kind="equal-budget",
                     budget_seconds=args.budget, **{key: r[key] for key in ("family", "preset", "g_params",
                                                                            "d_params", "gflop_per_image",
                                                                            "s_per_step", "steps", "threads")})
    side_by_side([Image.open(work / f / "sheet.png") for f in found]).save(out / "compare_models.png")
    print("\n" + text)


if __name__ == "__main__":
    main()
