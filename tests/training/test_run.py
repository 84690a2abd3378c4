import json

import pytest
import torch
import yaml

from ganforge import load, save_pretrained, train
from ganforge.errors import GanforgeError
from ganforge.checkpoint import latest_checkpoint, load_state, save_state

from ..conftest import tiny_train_config


def states_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_checkpoint_state_round_trip(tmp_path):
    state = {"step": 3, "nested": {0: torch.arange(4), "x": [torch.ones(2), 1.5, None, "s"]},
             "t": (1, 2), "scalar": torch.tensor(2.0)}
    save_state(tmp_path / "c.safetensors", state)
    back = load_state(tmp_path / "c.safetensors")
    assert back["step"] == 3 and back["t"] == (1, 2) and 0 in back["nested"]
    assert torch.equal(back["nested"][0], torch.arange(4)) and back["nested"]["x"][1:] == [1.5, None, "s"]
    assert back["scalar"].shape == ()
    (tmp_path / "bad.safetensors").write_bytes(b"garbage")
    with pytest.raises(GanforgeError, match="not a readable checkpoint"):
        load_state(tmp_path / "bad.safetensors")


def test_resume_is_bit_identical(tmp_path):
    """2N steps in one go == N steps, stop, resume for N more: every weight, buffer and optimizer moment."""
    cfg = tiny_train_config(steps=6)
    cfg.data.hflip = True
    cfg.train.checkpoint_every = 3
    train(cfg, tmp_path / "full", show_progress=False)
    half = tiny_train_config(steps=3)
    half.data.hflip = True
    half.train.checkpoint_every = 3
    train(half, tmp_path / "resumed", show_progress=False)
    summary = train(cfg, tmp_path / "resumed", resume=True, show_progress=False)
    assert summary["trained_steps"] == 3 and summary["resumed_from"].endswith("step-00000003.safetensors")
    full = load_state(latest_checkpoint(tmp_path / "full"))
    resumed = load_state(latest_checkpoint(tmp_path / "resumed"))
    for part in ("G", "D", "G_ema"):
        assert states_equal(full[part], resumed[part]), part
    for opt in ("opt_G", "opt_D"):
        for idx, moments in full[opt]["state"].items():
            assert states_equal(moments, resumed[opt]["state"][idx])
    assert torch.equal(full["rng"]["train"], resumed["rng"]["train"])
    assert full["stream"] == resumed["stream"]
    logs = [json.loads(line) for line in (tmp_path / "resumed" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in logs if "event" not in r] == list(range(1, 7))
    assert [r for r in logs if "event" in r] == [{"step": 3, "event": "resumed", "from": "step-00000003.safetensors",
                                                  "world_size": 1}]


def test_training_changes_weights_and_writes_a_loadable_run(tmp_path):
    cfg = tiny_train_config(steps=3, sample_every=2)
    summary = train(cfg, tmp_path / "run", show_progress=False)
    run = tmp_path / "run"
    assert (run / "config.yaml").is_file() and (run / "samples" / "step-00000002.png").is_file()
    assert summary["sheet"].endswith("step-00000003.png")
    state = load_state(latest_checkpoint(run))
    assert state["step"] == 3 and state["opt_G"]["state"]
    G = load(run)
    assert G.class_names[0] == "T-shirt/top" and not G.training
    assert torch.equal(G.state_dict()["linear.weight"], state["G_ema"]["linear.weight"])
    imgs = G.sample(classes=["Sneaker"], n=4, truncation=0.5, seed=1)
    assert imgs.shape == (4, 1, 32, 32) and torch.isfinite(imgs).all()
    save_pretrained(G, tmp_path / "export")
    G2 = load(tmp_path / "export")
    assert torch.equal(G2.sample(n=4, seed=2), G.sample(n=4, seed=2))
    G3 = load(run, standing_stats=2)  # standing statistics: same weights, other BN statistics
    assert not torch.equal(G3.output_bn.running_mean, G.output_bn.running_mean)


def test_run_directory_is_protected(tmp_path):
    cfg = tiny_train_config(steps=1)
    train(cfg, tmp_path / "run", show_progress=False)
    before = sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir())
    with pytest.raises(GanforgeError, match="already holds a run; continue it with --resume"):
        train(cfg, tmp_path / "run", show_progress=False)
    other = tiny_train_config(steps=1)
    other.train.g_lr = 0.123
    with pytest.raises(GanforgeError, match="holds a different run.*train.g_lr"):
        train(other, tmp_path / "run", resume=True, show_progress=False)
    assert sorted(p.name for p in (tmp_path / "run" / "checkpoints").iterdir()) == before
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("precious")
    with pytest.raises(GanforgeError, match="not empty and does not hold a run"):
        train(cfg, tmp_path / "mine", show_progress=False)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "precious"
    with pytest.raises(GanforgeError, match="holds no run to resume"):
        train(cfg, tmp_path / "new", resume=True, show_progress=False)
    train(cfg, tmp_path / "run", force=True, show_progress=False)  # --force replaces the run


def test_resume_auto_starts_a_new_run_then_continues_it(tmp_path):
    """One command for start and restart: 'auto' starts in a new or empty directory and resumes a run."""
    notes = []
    cfg = tiny_train_config(steps=2, checkpoint_every=1)
    cfg.train.resume = "auto"
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "new", tmp_path / "empty"):
        assert train(cfg, out, show_progress=False, notify=notes.append)["resumed_from"] is None
    assert notes == [f"--resume auto: no run in {tmp_path / 'new'} yet, starting one",
                     f"--resume auto: no run in {tmp_path / 'empty'} yet, starting one"]
    cfg.train.steps = 3
    summary = train(cfg, tmp_path / "new", show_progress=False, notify=notes.append)
    assert summary["trained_steps"] == 1 and summary["resumed_from"].endswith("step-00000002.safetensors")
    assert notes[-1] == (f"--resume auto: continuing the run in {tmp_path / 'new'} from step-00000002.safetensors "
                         f"(step 2)")
    assert train(cfg, tmp_path / "empty", resume=True, show_progress=False)["trained_steps"] == 1  # the API's flag
    other = tiny_train_config(steps=3)
    other.train.g_lr = 0.5
    with pytest.raises(GanforgeError, match="--resume auto: .* holds a different run.*train.g_lr"):
        train(other, tmp_path / "new", resume="auto", show_progress=False)
    with pytest.raises(GanforgeError, match="--resume auto continues .*--force replaces it"):
        train(cfg, tmp_path / "new", force=True, show_progress=False)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep")
    with pytest.raises(GanforgeError, match="not empty and does not hold a run"):
        train(cfg, tmp_path / "mine", show_progress=False)
    (tmp_path / "new" / "config.yaml").unlink()  # checkpoints without their config are never deleted silently
    with pytest.raises(GanforgeError, match="holds checkpoints but no config.yaml"):
        train(cfg, tmp_path / "new", show_progress=False)
    assert latest_checkpoint(tmp_path / "new") is not None


def test_resume_auto_from_the_command_line(tmp_path):
    from ganforge.cli import main
    args = ["train", "--set", "data.resolution=16", "--set", "model.ch=4", "--set", "model.d_ch=4", "--set",
            "model.dim_z=12", "--set", "model.shared_dim=8", "--set", "train.batch_size=4", "--set",
            "train.sample_every=0", "--no-progress", "--out", str(tmp_path / "run"), "--resume", "auto"]
    assert main(args + ["--set", "train.steps=1"]) == 0
    assert main(args + ["--set", "train.steps=2"]) == 0
    assert yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["train"]["resume"] == "auto"
    assert load_state(latest_checkpoint(tmp_path / "run"))["step"] == 2
    with pytest.raises(SystemExit) as exit_code:  # argparse: "invalid choice: 'sometimes'"
        main(["train", "--out", str(tmp_path / "x"), "--resume", "sometimes"])
    assert exit_code.value.code == 2


def test_load_errors(tmp_path):
    with pytest.raises(GanforgeError, match="holds no model"):
        load(tmp_path)
    cfg = tiny_train_config(steps=1)
    train(cfg, tmp_path / "run", show_progress=False)
    G = load(tmp_path / "run")
    save_pretrained(G, tmp_path / "exp")
    from safetensors.torch import load_file, save_file
    tensors = load_file(tmp_path / "exp" / "model.safetensors")
    tensors.pop("linear.weight")
    tensors["extra"] = torch.zeros(1)
    save_file(tensors, tmp_path / "exp" / "model.safetensors")
    with pytest.raises(GanforgeError, match="missing 1 \\(linear.weight\\); unexpected 1 \\(extra\\)"):
        load(tmp_path / "exp")


def test_atomic_writes_get_ordinary_permissions(tmp_path):
    import os
    from ganforge.fileio import atomic_write_text
    atomic_write_text(tmp_path / "x.txt", "hi")
    mask = os.umask(0)
    os.umask(mask)
    assert (tmp_path / "x.txt").stat().st_mode & 0o777 == 0o666 & ~mask
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
