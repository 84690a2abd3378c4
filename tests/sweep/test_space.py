"""Search spaces are checked against the config's own keys and ranges before anything runs; scores carry the
direction their metric declares."""
import pytest

from ganforge.config import load_preset
from ganforge.errors import GanforgeError
from ganforge.metrics.registry import parse_score
from ganforge.sweep.space import space_from_dict

BASE = load_preset("fashion32-cpu")


def test_a_space_of_every_type_reads_and_suggests():
    optuna = pytest.importorskip("optuna")
    space = space_from_dict({
        "train.d_lr": {"type": "log-float", "low": 1e-4, "high": 1e-3},
        "train.ema_start": {"type": "int", "low": 0, "high": 1000, "step": 250},
        "model.mbstd_by_class": {"type": "categorical", "choices": [True, False]},
        "train.ema_decay": {"type": "float", "low": 0.9, "high": 0.999, "when": {"model.mbstd_by_class": True}},
    }, BASE)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    seen = [space.suggest(study.ask()) for _ in range(20)]
    for values in seen:
        assert 1e-4 <= values["train.d_lr"] <= 1e-3 and values["train.ema_start"] % 250 == 0
        assert ("train.ema_decay" in values) == values["model.mbstd_by_class"]  # conditional key
    assert {v["model.mbstd_by_class"] for v in seen} == {True, False}
    assert space.values_of(BASE) == {"train.d_lr": 4e-4, "train.ema_start": 500, "model.mbstd_by_class": True,
                                     "train.ema_decay": 0.99}


@pytest.mark.parametrize("raw,message", [
    ({"train.dlr": {"type": "float", "low": 0.1, "high": 0.2}}, "s.yaml: unknown key 'train.dlr'"),
    ({"train.d_lr": {"type": "float", "low": 0.1, "high": 3}}, "s.yaml: train.d_lr=3.0 is out of range"),
    ({"train.batch_size": {"type": "categorical", "choices": [16, 0]}}, "train.batch_size=0 is out of range"),
    ({"train.d_lr": {"type": "log-float", "low": 0, "high": 0.1}}, "train.d_lr: a log scale needs low > 0"),
    ({"train.d_lr": {"type": "float", "low": 0.2, "high": 0.1}}, "train.d_lr: low (0.2) must be below high"),
    ({"train.d_lr": {"type": "real", "low": 0.1, "high": 0.2}}, "train.d_lr: type 'real' is not one of"),
    ({"train.steps": {"type": "int", "low": 1.5, "high": 9}}, "train.steps: low must be an integer"),
    ({"model.ch": {"type": "categorical", "choices": [4, 4]}}, "model.ch: choices repeat a value"),
    ({"data.resolution": {"type": "categorical", "choices": [32, 48]}}, "data.resolution=48 is not a power of two"),
    ({"train.d_lr": {"type": "float", "low": 0.1, "high": 0.2, "when": {"train.g_lr": 1}}},
     "'when' names train.g_lr, which is not a key earlier"),
    ({"train.d_lr": {"type": "float", "low": 0.1, "high": 0.2, "colour": 1}}, "unknown field(s) colour"),
    ({"train.d_lr": 0.1}, "train.d_lr: expected a mapping"),
    ([1, 2], "expected a mapping of config keys"),
])
def test_bad_spaces_are_one_line_errors_naming_the_key(raw, message):
    with pytest.raises(GanforgeError) as e:
        space_from_dict(raw, BASE, "s.yaml")
    assert message in str(e.value) and "\n" not in str(e.value)


def test_the_grid_needs_listed_values():
    space = space_from_dict({"train.ema_start": {"type": "int", "low": 0, "high": 1000, "step": 500},
                             "model.mbstd_by_class": {"type": "categorical", "choices": [True, False]}}, BASE)
    assert space.grid() == {"train.ema_start": [0, 500, 1000], "model.mbstd_by_class": [True, False]}
    assert space.grid_size() == 6
    with pytest.raises(GanforgeError, match="grid sampler needs a list of values"):
        space_from_dict({"train.d_lr": {"type": "log-float", "low": 1e-4, "high": 1e-3}}, BASE).grid()


def test_a_base_outside_the_space_cannot_be_a_trial():
    space = space_from_dict({"train.d_lr": {"type": "float", "low": 0.001, "high": 0.01}}, BASE, "s.yaml")
    with pytest.raises(GanforgeError, match="base config's value 0.0004 is outside the space"):
        space.values_of(BASE)


def test_scores_name_a_metric_or_its_part_and_take_its_direction():
    fid = parse_score("fid2k")
    assert (fid.name, fid.metric, fid.n, fid.direction, fid.result) == ("fid2k", "fid", 2000, "minimize", "fid2k")
    recall = parse_score("recall10k")
    assert (recall.metric, recall.key, recall.direction, recall.result) == ("pr", "recall", "maximize", "pr10k_k3")
    assert recall.read({"pr10k_k3": {"precision": 0.7, "recall": 0.6}}) == 0.6
    assert parse_score("acc500").direction == "maximize" and parse_score("kid2k").direction == "minimize"
    assert parse_score("coverage2.5k").n == 2500
    for bad in ("fid", "speed2k", "fid2kk", "fid1"):
        with pytest.raises(GanforgeError):
            parse_score(bad)
