"""What a network is built from: the model section of a run's config and the image geometry, nothing of
training. An exported generator stores exactly this (``config.json``), and of the model section only the keys
its family uses, so it does not change when an unrelated setting does."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ModelSpec:
    model: Any  # a config.ModelConfig (with num_classes and class_names filled in from the data)
    resolution: int
    channels: int

    def to_dict(self) -> dict:
        return {"model": self.model.to_dict(used_only=True), "resolution": self.resolution, "channels": self.channels}
