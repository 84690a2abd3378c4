"""What a study found: the trials table, the best trial's config as a ready ``--config`` file, Optuna's plots
(optimisation history, parameter importance, the score against each parameter) and a result file."""
from __future__ import annotations

import pathlib

import optuna
from optuna.trial import TrialState

from ..fileio import atomic_write_text
from ..results import write_result
from .search import trial_config
from .study import Definition


def _value(t) -> str:
    return f"{t.value:.4g}" if t.value is not None else "-"


def _curve(t, points: int = 4) -> str:
    steps = sorted(t.intermediate_values)
    if len(steps) > points:  # the first, the last and evenly spaced ones between
        steps = [steps[round(i * (len(steps) - 1) / (points - 1))] for i in range(points)]
    return " ".join(f"{s}:{t.intermediate_values[s]:.3g}" for s in steps)


def _params(t) -> str:
    text = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in t.params.items())
    return ("the base config: " if t.user_attrs.get("base") else "") + text


def best_trial(study):
    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))]
    return study.best_trial if done else None


def table(study, definition: Definition) -> str:
    rows = [f"{'trial':>5}  {'state':<8} {definition.score:>9}  {'steps':>6} {'time':>7}  curve (step:{definition.score})"
            f"  |  overrides"]
    for t in study.get_trials(deepcopy=False):
        seconds = t.user_attrs.get("seconds")
        rows.append(f"{t.number:>5}  {t.state.name.lower():<8} {_value(t):>9}  {t.user_attrs.get('steps', '-'):>6} "
                    f"{f'{seconds / 60:.1f} m' if seconds else '-':>7}  {_curve(t) or '-'}  |  {_params(t)}")
    return "\n".join(rows)


def totals(study) -> dict:
    trials = study.get_trials(deepcopy=False)
    starts = [t.datetime_start for t in trials if t.datetime_start]
    ends = [t.datetime_complete for t in trials if t.datetime_complete]
    states = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    return {"trials": len(trials), **{k: v for k, v in states.items() if v},
            "trial_minutes": round(sum(t.user_attrs.get("seconds", 0) for t in trials) / 60, 1),
            "wall_minutes": round((max(ends) - min(starts)).total_seconds() / 60, 1) if starts and ends else 0.0,
            "hosts": sorted({t.user_attrs["host"] for t in trials if "host" in t.user_attrs})}


def plots(study, out: pathlib.Path) -> list[pathlib.Path]:
    """Optuna's matplotlib plots as PNGs (those the finished trials allow)."""
    import warnings

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as vis

    out.mkdir(parents=True, exist_ok=True)
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    varied = [k for k in study.best_trial.params if len({repr(t.params.get(k)) for t in complete}) > 1] \
        if complete else []
    makers = {"history": lambda: vis.plot_optimization_history(study),
              "intermediate": lambda: vis.plot_intermediate_values(study)}
    if varied:
        makers["slice"] = lambda: vis.plot_slice(study, params=varied)
    if len(varied) > 1 and len(complete) >= 4:
        makers["importance"] = lambda: vis.plot_param_importances(
            study, evaluator=optuna.importance.PedAnovaImportanceEvaluator())
    written = []
    for name, make in makers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
            try:
                ax = make()
            except (ValueError, RuntimeError):
                continue  # e.g. importance with too few distinct trials
        if name in ("history", "intermediate") and _spans_decades(study):
            ax.set_yscale("log")  # early scores of a GAN are often tens of times the final ones
        fig = (ax.flat[0] if hasattr(ax, "flat") else ax).get_figure()
        fig.set_size_inches(max(6.4, 3.6 * len(varied) + 1.2) if name == "slice" else 6.4, 4.2)
        if name != "slice":  # the slice plot's colour bar has its own place, which tight_layout would overlap
            fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=100, bbox_inches="tight")
        plt.close(fig)
        written.append(path)
    return written


def _spans_decades(study) -> bool:
    values = [v for t in study.get_trials(deepcopy=False) for v in t.intermediate_values.values()]
    return bool(values) and min(values) > 0 and max(values) > 20 * min(values)


def best_config(study, definition: Definition, path: pathlib.Path) -> pathlib.Path | None:
    best = best_trial(study)
    if best is None:
        return None
    cfg = trial_config(definition, best.params)
    header = (f"# The best trial ({best.number}) of the sweep '{study.study_name}': {definition.score} {best.value:.4g}"
              f"\n# overrides: {_params(best) or '(none)'}\n# ganforge train --config {path.name} --out runs/best\n")
    atomic_write_text(path, header + cfg.to_yaml())
    return path


def write_results(study, definition: Definition, directory, name: str) -> pathlib.Path:
    best = best_trial(study)
    trials = [{"number": t.number, "state": t.state.name.lower(), "value": t.value, "params": t.params,
               "curve": {str(k): v for k, v in sorted(t.intermediate_values.items())},
               "seconds": t.user_attrs.get("seconds"), "steps": t.user_attrs.get("steps"),
               "host": t.user_attrs.get("host"), "base": bool(t.user_attrs.get("base"))}
              for t in study.get_trials(deepcopy=False)]
    metrics = {definition.score: round(best.value, 4)} if best else {}
    return write_result(directory, name, metrics, kind="sweep", study=study.study_name,
                        direction=definition.direction, sampler=definition.sampler, pruner=definition.pruner,
                        seed=definition.seed, space=definition.space, searched_with=definition.command,
                        best={"number": best.number, "params": best.params} if best else None,
                        totals=totals(study), trials=trials)
