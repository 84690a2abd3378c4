"""What keeps a run safe while it trains: a divergence check after every step, a graceful stop on
SIGTERM/SIGINT, and a free-space check before the first checkpoint."""
from __future__ import annotations

import shutil
import signal
import threading

import torch

from ..errors import GanforgeError


class Diverged(GanforgeError):
    pass


class Stopped(GanforgeError):
    """The run stopped on a signal after writing a checkpoint; ``exit_code`` follows the shell's 128 + signal."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_code = 128 + signum


def non_finite(stats: dict[str, torch.Tensor], models: dict[str, torch.nn.Module]) -> list[str]:
    """Names of the losses and models that hold a NaN or an infinity (one device sync for all of them)."""
    names = list(stats)
    flags = [torch.isfinite(torch.as_tensor(v)).all() for v in stats.values()]
    for label, model in models.items():
        params = [p for p in model.parameters()]
        names.append(f"{label} weights")
        flags.append(torch.stack([torch.isfinite(p).all() for p in params]).all() if params else torch.tensor(True))
    ok = torch.stack([f.to("cpu") for f in flags]).tolist()
    return [n for n, good in zip(names, ok) if not good]


class StopSignals:
    """Context manager: SIGTERM and SIGINT set ``received`` instead of killing the process, so the loop
    can finish its step, write a checkpoint and exit. Outside the main thread it does nothing."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.received: int | None = None
        self._saved = {}

    def _handle(self, signum, frame):
        self.received = signum

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                self._saved[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc):
        for s, handler in self._saved.items():
            signal.signal(s, handler)
        return False


def checkpoint_bytes(models: list[torch.nn.Module], optimizer_moments: int = 2) -> int:
    """Rough size of a checkpoint: every model's state plus Adam's moments for the trained ones."""
    size = 0
    for m in models:
        size += sum(t.numel() * t.element_size() for t in m.state_dict().values())
    trained = models[:2]
    size += optimizer_moments * sum(p.numel() * p.element_size() for m in trained for p in m.parameters())
    return size


def check_free_space(directory, needed: int, margin: int = 64 * 2 ** 20) -> None:
    """Two checkpoints (the one being written and the last good one) and a margin must fit."""
    free = shutil.disk_usage(directory).free
    if free < 2 * needed + margin:
        raise GanforgeError(f"not enough free space in {directory}: {free / 2 ** 20:.0f} MiB free, a checkpoint "
                            f"needs about {needed / 2 ** 20:.0f} MiB and two must fit while one is written; free "
                            f"space or choose another --out")
