"""Optional TensorBoard logging (the ``tensorboard`` extra): losses, learning rates, speed, evaluation metrics
and sample sheets, under ``RUN/tensorboard``. The JSONL log stays the run's always-on record."""
from __future__ import annotations

import pathlib

import numpy as np

from ..errors import GanforgeError


class TensorBoardSink:
    def __init__(self, log_dir: pathlib.Path):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise GanforgeError("--tensorboard needs the tensorboard package: pip install 'ganforge[tensorboard]'") \
                from None
        self.writer = SummaryWriter(log_dir=str(log_dir))

    def scalars(self, step: int, values: dict, prefix: str) -> None:
        for name, value in values.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and name not in ("step", "epoch"):
                self.writer.add_scalar(f"{prefix}/{name}", value, step)
        self.writer.flush()

    def image(self, step: int, tag: str, image) -> None:
        """A PIL image (a sample sheet)."""
        self.writer.add_image(tag, np.asarray(image.convert("RGB")), step, dataformats="HWC")
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()
