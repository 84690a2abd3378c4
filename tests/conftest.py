import pathlib
import socket

import pytest
import torch

from ganforge.config import Config

torch.set_num_threads(2)


def tiny_config(resolution: int = 32, channels: int = 1, num_classes: int = 10, **model) -> Config:
    """A BigGAN small enough for CPU tests (16 channels per block at ch=4)."""
    cfg = Config()
    cfg.set("data.resolution", resolution)
    cfg.set("data.channels", channels)
    blocks = resolution.bit_length() - 3
    values = dict(ch=4, d_ch=4, dim_z=4 * (blocks + 1), shared_dim=8, num_classes=num_classes)
    values.update(model)
    for k, v in values.items():
        cfg.set(f"model.{k}", v)
    return cfg.validate()


def tiny_train_config(steps: int = 4, **train) -> Config:
    cfg = tiny_config()
    cfg.model.num_classes = 0
    values = dict(steps=steps, batch_size=8, d_steps=2, ema_start=2, ema_decay=0.9, log_every=1,
                  sample_every=0, checkpoint_every=0, g_ortho=1e-4)
    values.update(train)
    for k, v in values.items():
        cfg.set(f"train.{k}", v)
    return cfg


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (for the servers tests start)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def keep_thread_count():
    """train() pins torch's thread count for the process (as every command does): a test whose config asks for
    another count must not leave it to the tests after it, whose in-process references would then use other
    kernels than their subprocesses."""
    threads = torch.get_num_threads()
    yield
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@pytest.fixture
def tmp_run(tmp_path) -> pathlib.Path:
    return tmp_path / "run"
