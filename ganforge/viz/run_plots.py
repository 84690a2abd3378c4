"""``ganforge plot``: a run's curves as PNG — losses (raw and smoothed), metrics of in-training evaluation,
training speed, and the truncation sweeps saved by ``ganforge eval --truncation-sweep``."""
from __future__ import annotations

import json
import pathlib

from ..errors import GanforgeError
from ..metrics.registry import headline
from .plots import _pyplot, metric_curves, save_figure

LOSSES = ("d_loss_real", "d_loss_fake", "d_loss", "g_loss")  # d_loss: a relativistic loss, not split


def smooth(values: list[float], weight: float) -> list[float]:
    """Exponential moving average with bias correction (TensorBoard's smoothing)."""
    out, avg = [], 0.0
    for i, v in enumerate(values, 1):
        avg = weight * avg + (1 - weight) * v
        out.append(avg / (1 - weight ** i))
    return out


def read_log(run: pathlib.Path) -> list[dict]:
    path = run / "log.jsonl"
    if not path.is_file():
        raise GanforgeError(f"{run}: not a run directory (no log.jsonl)")
    records = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise GanforgeError(f"{path}:{number}: not a JSON line") from None
    return records


def loss_plot(records: list[dict], path, smoothing: float) -> pathlib.Path | None:
    rows = [r for r in records if "event" not in r and isinstance(r.get("g_loss"), (int, float))]
    keys = [k for k in LOSSES if rows and all(isinstance(r.get(k), (int, float)) for r in rows)]
    if not rows:
        return None
    plt = _pyplot()
    steps = [r["step"] for r in rows]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for key in keys:
        values = [r[key] for r in rows]
        line, = axes[0].plot(steps, smooth(values, smoothing), label=key, lw=1.5)
        axes[0].plot(steps, values, color=line.get_color(), alpha=0.25, lw=0.8)
    axes[0].set_title(f"losses (EMA smoothing {smoothing:g})", fontsize=10)
    axes[0].legend(fontsize=8)
    speed = [r.get("img_per_s") for r in rows]
    if all(isinstance(v, (int, float)) for v in speed):
        axes[1].plot(steps, speed, lw=1.2)
    axes[1].set_title("real images / s", fontsize=10)
    for ax in axes:
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return save_figure(fig, path)


def plot_run(run, out, smoothing: float = 0.9) -> list[pathlib.Path]:
    """Write every plot the run has data for into ``out``; returns the files written."""
    if not 0 <= smoothing < 1:
        raise GanforgeError(f"--smoothing {smoothing}: expected a value in [0, 1)")
    run, out = pathlib.Path(run).expanduser(), pathlib.Path(out).expanduser()
    records = read_log(run)
    out.mkdir(parents=True, exist_ok=True)
    written = [loss_plot(records, out / "losses.png", smoothing)]
    evals = [r for r in records if r.get("event") == "eval"]
    names = [k for k in (evals[0] if evals else {}) if k not in ("step", "event", "extractor")
             and isinstance(evals[0][k], (int, float, dict))]
    if names:
        written.append(metric_curves([r["step"] for r in evals], {m: [headline(m, r[m]) for r in evals] for m in names},
                                     "step", out / "metrics.png", title=f"{run.name}: {evals[0].get('extractor', '')}"))
    for sweep_file in sorted((run / "eval").glob("*-sweep.json")):
        results = json.loads(sweep_file.read_text())["sweep"]
        psis = [r["truncation"] for r in results]
        metrics = list(results[0]["metrics"])
        written.append(metric_curves(psis, {m: [headline(m, r["metrics"][m]) for r in results] for m in metrics},
                                     "truncation ψ", out / f"{sweep_file.stem}.png",
                                     title=f"{run.name}: {results[0]['extractor_name']}"))
    written = [p for p in written if p is not None]
    if not written:
        raise GanforgeError(f"{run}: the log holds no loss lines yet; nothing to plot")
    return written
