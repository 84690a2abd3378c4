"""Data-parallel runs under ``torchrun``: which process this is, and the few collective operations the
training loop, its schedule and evaluation need.

One code path: without torchrun (or with one process) :data:`SINGLE` stands in and every operation is the
identity. Under torchrun (``WORLD_SIZE`` > 1) :func:`setup` joins the process group (NCCL on CUDA, gloo on
the CPU) and picks this process's device (``cuda:LOCAL_RANK``). Rank 0 does all writing; what it reads or
decides reaches the other ranks through :meth:`Distributed.on_main`, which also turns an error on rank 0 into
the same error everywhere, so no rank is left waiting in a collective.
"""
from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from .errors import GanforgeError

TIMEOUT = datetime.timedelta(minutes=30)  # rank 0 may write a large checkpoint while the others wait


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world: int = 1
    local_rank: int = 0

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def shard(self, count: int) -> range:
        """The indices among ``count`` items (e.g. batches) that this rank handles: rank, rank + world, ..."""
        return range(self.rank, count, self.world)

    def barrier(self) -> None:
        if self.enabled:
            dist.barrier()

    def mean(self, values: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Each scalar averaged over the ranks (one collective for all of them)."""
        if not self.enabled or not values:
            return values
        keys = sorted(values)
        stacked = torch.stack([torch.as_tensor(values[k], dtype=torch.float32).detach().reshape(())
                               for k in keys]).to(_collective_device())
        dist.all_reduce(stacked)
        stacked = stacked.cpu() / self.world
        return {k: stacked[i] for i, k in enumerate(keys)}

    def any(self, flag: bool) -> bool:
        """True on every rank when it is true on any rank."""
        if not self.enabled:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=_collective_device())
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def average_buffers(self, tensors: list[torch.Tensor]) -> None:
        """Replace each tensor in place by its mean over the ranks (e.g. BN running statistics)."""
        if self.enabled and tensors:
            flat = torch.cat([t.detach().float().reshape(-1) for t in tensors])
            dist.all_reduce(flat)
            flat /= self.world
            for t, part in zip(tensors, flat.split([t.numel() for t in tensors])):
                t.copy_(part.view_as(t))

    def broadcast(self, obj):
        """Rank 0's ``obj`` on every rank (any picklable object, e.g. a checkpoint's state)."""
        if not self.enabled:
            return obj
        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, obj) -> list:
        """Every rank's ``obj``, in rank order, on every rank."""
        if not self.enabled:
            return [obj]
        out = [None] * self.world
        dist.all_gather_object(out, obj)
        return out

    def on_main(self, fn, *args, **kwargs):
        """Run ``fn`` on rank 0 only and return its result on every rank; a :class:`GanforgeError` raised there
        is raised on every rank (other errors reach the others as a GanforgeError naming rank 0)."""
        if not self.enabled:
            return fn(*args, **kwargs)
        result = error = None
        if self.is_main:
            try:
                result = fn(*args, **kwargs)
            except GanforgeError as e:
                error = e
            except Exception as e:  # noqa: BLE001 - passed on so the other ranks stop too, then re-raised
                self.broadcast(("failed", f"rank 0 failed: {type(e).__name__}: {e}"))
                raise
        status, value = self.broadcast(("error", error) if error is not None else ("ok", result))
        if status == "ok":
            return value
        if self.is_main and error is not None:
            raise error
        if isinstance(value, GanforgeError):
            raise value
        raise GanforgeError(value)


SINGLE = Distributed()


def _collective_device() -> torch.device:
    if dist.get_backend() == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def launched_world_size() -> int:
    """The number of processes torchrun started (1 without torchrun)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        raise GanforgeError(f"WORLD_SIZE={os.environ['WORLD_SIZE']!r} is not a number") from None


def setup(device: torch.device) -> tuple[Distributed, torch.device]:
    """Join torchrun's process group (if started by torchrun with more than one process) and return this
    process's :class:`Distributed` and device. ``device`` is the resolved single-process choice; on CUDA the
    index becomes ``LOCAL_RANK``."""
    world = launched_world_size()
    if world <= 1:
        return SINGLE, device
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        if local_rank >= torch.cuda.device_count():
            raise GanforgeError(f"LOCAL_RANK {local_rank} but this node has {torch.cuda.device_count()} CUDA "
                                f"devices; start at most that many processes per node (--nproc_per_node)")
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
        backend = "nccl"
    elif device.type == "cpu":
        backend = "gloo"
    else:
        raise GanforgeError(f"distributed training runs on CUDA (NCCL) or the CPU (gloo), not on {device.type}")
    if not dist.is_initialized():
        dist.init_process_group(backend, timeout=TIMEOUT)
    return Distributed(rank, world, local_rank), device


def teardown(d: Distributed) -> None:
    if d.enabled and dist.is_initialized():
        dist.destroy_process_group()


def main_process() -> bool:
    """Whether this process should print (rank 0, or not under torchrun)."""
    return os.environ.get("RANK", "0") == "0"
