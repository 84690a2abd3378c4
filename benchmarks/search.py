"""What the recipe searches share: train one variant's config and evaluate it, keep its result, and tabulate.

A result is ``OUT/<variant>/result.json``; a search that finds one skips that variant, so an interrupted
search continues where it stopped and its table can be rebuilt at any time.
"""
from __future__ import annotations

import json
import pathlib
import time

import torch

from ganforge.hub import load
from ganforge.metrics.evaluator import Evaluator
from ganforge.training.run import train


def train_and_evaluate(cfg, out: pathlib.Path, n: int, **fields) -> dict:
    """Train ``cfg`` in ``out/run`` (continuing a run found there), evaluate n samples of its EMA generator
    (fid, precision/recall, density/coverage, and class accuracy for a conditional G), and keep the result
    with ``fields`` in ``out/result.json``."""
    started = time.perf_counter()
    summary = train(cfg, out / "run", resume="auto", show_progress=False, notify=lambda m: None)
    seconds = time.perf_counter() - started
    G = load(out / "run")
    metrics = ["fid", "pr", "dc", "acc"] if G.conditional else ["fid", "pr", "dc"]
    ev = Evaluator("fashion-mnist", G.image_shape, metrics, data_cfg=G.run_config.data)
    result = {**fields, "steps": summary["steps"], "train_seconds": seconds, "threads": torch.get_num_threads(),
              "metrics": ev.evaluate_generator(G, n)["metrics"]}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def metric(result: dict, prefix: str):
    return next((v for k, v in result["metrics"].items() if k.startswith(prefix)), None)


def table(results: list[dict], label: str) -> str:
    lines = ["| variant | what | steps | train s | fid | precision | recall | density | coverage | acc |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        pr, dc, acc = metric(r, "pr"), metric(r, "dc"), metric(r, "acc")
        seconds = f"{r['train_seconds']:.0f}" + (f" ({r['threads']} thr)" if "threads" in r else "")
        lines.append(f"| {r[label]} | {r['what']} | {r['steps']} | {seconds} | {float(metric(r, 'fid')):.2f} | "
                     f"{pr['precision']:.3f} | {pr['recall']:.3f} | {dc['density']:.3f} | {dc['coverage']:.3f} | "
                     f"{'—' if acc is None else f'{float(acc):.3f}'} |")
    return "\n".join(lines)


def run_search(names: list[str], variants: dict, out: pathlib.Path, run_variant) -> list[dict]:
    """Each named variant's result: kept, or from ``run_variant(name)``."""
    unknown = [n for n in names if n not in variants]
    if unknown:
        raise SystemExit(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(variants)}")
    results = []
    for name in names:
        done = out / name / "result.json"
        results.append(json.loads(done.read_text()) if done.is_file() else run_variant(name))
        print(f"{name}: {json.dumps(results[-1]['metrics'])}", flush=True)
    return results
