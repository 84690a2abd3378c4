"""An endless, resumable stream of shuffled real batches.

Epoch e visits the data in a permutation drawn from (seed, e) — or, with ``balance='classes'``, as many images
drawn with replacement so that every class is equally likely; a batch's horizontal flips are drawn from
(seed, e, batch index). The stream's whole state is (epoch, batch index), so a resumed run sees exactly
the batches an uninterrupted run would have seen, whatever the number of loader workers. The last
incomplete batch of an epoch is dropped.

In a data-parallel run every rank follows the same global stream and loads only its slice of each batch
(rank r of W takes images [r·B/W, (r+1)·B/W) of it, flips included), so the ranks together see exactly
what one process would, and the state stays valid for any number of ranks.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import DataLoader

from ..errors import GanforgeError


def _generator(*key: int) -> torch.Generator:
    seed = int(np.random.SeedSequence(list(key)).generate_state(1, dtype=np.uint64)[0] >> 1)
    return torch.Generator().manual_seed(seed)


class _EpochBatches(torch.utils.data.Sampler):
    def __init__(self, order: torch.Tensor, batch_size: int, start: int, part: slice):
        self.order, self.batch_size, self.start, self.part = order, batch_size, start, part

    def __len__(self) -> int:
        return len(self.order) // self.batch_size - self.start

    def __iter__(self):
        for b in range(self.start, len(self.order) // self.batch_size):
            yield self.order[b * self.batch_size:(b + 1) * self.batch_size][self.part].tolist()


def _collate(batch):
    return batch  # __getitems__ already returns (images, labels)


class BatchStream:
    def __init__(self, dataset, batch_size: int, seed: int, hflip: bool = False, num_workers: int = 0,
                 rank: int = 0, world: int = 1, balance: str = "data"):
        self.dataset, self.seed, self.rank, self.world = dataset, seed, rank, world
        self.weights = None  # balance='classes': each image drawn with 1 / its class's image count
        if balance == "classes":
            labels = torch.as_tensor(dataset.labels)
            self.weights = 1.0 / torch.bincount(labels).double()[labels]
        self.hflip, self.num_workers = hflip, num_workers
        self.epoch, self.batch = 0, 0
        self._iter = None
        self._use_batch_size(batch_size)

    def _use_batch_size(self, batch_size: int) -> None:
        if len(self.dataset) < batch_size:
            raise GanforgeError(f"{self.dataset.source}: {len(self.dataset)} images is fewer than one batch "
                                f"(batch size {batch_size}); lower the batch size or add images")
        if batch_size % self.world:
            raise GanforgeError(f"batch size {batch_size} does not divide among {self.world} processes; choose a "
                                f"multiple of {self.world}")
        self.batch_size = batch_size
        local = batch_size // self.world
        self.part = slice(self.rank * local, (self.rank + 1) * local)  # this rank's slice of every batch

    def set_batch_size(self, batch_size: int) -> None:
        """Change the batch size (progressive growing); a started epoch ends here and the next one begins."""
        if batch_size == self.batch_size:
            return
        self._use_batch_size(batch_size)
        if self.batch:
            self.epoch, self.batch = self.epoch + 1, 0
        self._iter = None

    @property
    def batches_per_epoch(self) -> int:
        return len(self.dataset) // self.batch_size

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "batch": self.batch, "batch_size": self.batch_size}

    def load_state_dict(self, state: dict) -> None:
        self._use_batch_size(int(state.get("batch_size", self.batch_size)))
        self.epoch, self.batch = int(state["epoch"]), int(state["batch"])
        self._iter = None

    def _start_epoch(self):
        g = _generator(self.seed, self.epoch)
        order = (torch.randperm(len(self.dataset), generator=g) if self.weights is None else
                 torch.multinomial(self.weights, len(self.dataset), replacement=True, generator=g))
        sampler = _EpochBatches(order, self.batch_size, self.batch, self.part)
        loader = DataLoader(self.dataset, batch_sampler=sampler, num_workers=self.num_workers,
                            collate_fn=_collate, persistent_workers=False)
        self._iter = iter(loader)

    def next(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The next (uint8 images [B, C, H, W], int64 labels [B]): this rank's slice of the global batch."""
        if self.batch >= self.batches_per_epoch:
            self.epoch, self.batch, self._iter = self.epoch + 1, 0, None
        if self._iter is None:
            self._start_epoch()
        try:
            images, labels = next(self._iter)
        except GanforgeError as e:  # from a loader worker: keep the message, drop the worker's traceback
            raise GanforgeError(str(e).rsplit("GanforgeError: ", 1)[-1].strip()) from None
        if self.hflip:
            draws = torch.rand(self.batch_size, generator=_generator(self.seed, self.epoch, self.batch + 1))
            flip = draws[self.part] < 0.5
            images = torch.where(flip[:, None, None, None], images.flip(-1), images)
        self.batch += 1
        return images, labels
