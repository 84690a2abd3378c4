"""Data-parallel runs under ``torchrun``: which process this is, and the few collective operations the
training loop, its schedule and evaluation need.

One code path: without torchrun (or with one process) :data:`SINGLE` stands in and every operation is the
identity. Under torchrun (``WORLD_SIZE`` > 1) :func:`setup` joins the process group (NCCL on CUDA, gloo on
the CPU) and picks this process's device (``cuda:LOCAL_RANK``). Rank 0 does all writing; what it reads or
decides reaches the other ranks through :meth:`Distributed.on_main`, which also turns an error on rank 0 into
the same error everywhere, so no rank is left waiting in a collective.

A peer that dies or freezes must not hang the job: every collective gives up after ``train.dist_timeout``
and the ranks that stay name the ones that stopped answering (:func:`peer_lost`, ``liveness.py``).
"""
from __future__ import annotations

import datetime
import os
import signal
import threading
from dataclasses import dataclass, field

import torch
import torch.distributed as dist

from .errors import GanforgeError
from .liveness import HEARTBEAT_S, Heartbeat, PeerLost

JOIN_TIMEOUT_S = 600.0


@dataclass(frozen=True)
class Distributed:
    rank: int = 0
    world: int = 1
    local_rank: int = 0
    timeout: float = 300.0
    heartbeat: Heartbeat | None = field(default=None, compare=False, repr=False)

    @property
    def enabled(self) -> bool:
        return self.world > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

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
        beat = self.heartbeat
        if beat is not None:
            beat.calls += 1
        if self.is_main:
            try:
                result = fn(*args, **kwargs)
            except GanforgeError as e:
                error = e
            except Exception as e:  # noqa: BLE001 - passed on so the other ranks stop too, then re-raised
                if beat is not None:
                    beat.main_done(beat.calls)
                self.broadcast(("failed", f"rank 0 failed: {type(e).__name__}: {e}"))
                raise
            if beat is not None:
                beat.main_done(beat.calls)
        elif beat is not None:
            beat.wait_for_main(beat.calls, self.timeout)
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


def setup(device: torch.device, timeout: float = 300.0) -> tuple[Distributed, torch.device]:
    """Join torchrun's process group (if started by torchrun with more than one process) and return this
    process's :class:`Distributed` and device. ``device`` is the resolved single-process choice; on CUDA the
    index becomes ``LOCAL_RANK``. ``timeout``: seconds a collective waits for the other processes."""
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
        # processes of a job may start minutes apart (image pulls, slow nodes): joining is not a hang, so the
        # group forms under a long timeout and collectives then use train.dist_timeout
        _init_process_group(backend, rank, world, datetime.timedelta(seconds=max(timeout, JOIN_TIMEOUT_S)))
        set_timeout = getattr(dist.distributed_c10d, "_set_pg_timeout", None)
        if set_timeout is not None and timeout < JOIN_TIMEOUT_S:
            set_timeout(datetime.timedelta(seconds=timeout))
    return Distributed(rank, world, local_rank, timeout, Heartbeat(rank, world)), device


def _init_process_group(backend: str, rank: int, world: int, timeout: datetime.timedelta) -> None:
    """torchrun's agent keeps one store across elastic restarts, so the keys a restarted group reads (each
    rank's gloo/NCCL address) would still hold the dead group's values; a prefix per restart keeps them apart."""
    if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") != "True":
        dist.init_process_group(backend, timeout=timeout)
        return
    store = dist.TCPStore(os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"]), world, is_master=False,
                          timeout=timeout)
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")
    dist.init_process_group(backend, store=dist.PrefixStore(f"ganforge/attempt-{attempt}", store), rank=rank,
                            world_size=world, timeout=timeout)


def peer_lost(d: Distributed, error: BaseException) -> PeerLost:
    """The one-line error for a collective that failed, naming the ranks that stopped answering. torchrun sends
    SIGTERM to the survivors as soon as one process dies; it is ignored for the few seconds this takes."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if d.heartbeat is not None:
        d.heartbeat.mark_failed()
    silent = d.heartbeat.silent_ranks() if d.heartbeat is not None else None
    cause = str(error).split(". ")[0].split("] ")[-1][:160]
    if silent:
        who = ("rank " if len(silent) == 1 else "ranks ") + ", ".join(map(str, silent))
        head = f"{who} of {d.world} stopped answering (no heartbeat for {3 * HEARTBEAT_S:.0f} s)"
    else:
        head = f"another of the {d.world} processes stopped answering or exited"
    return PeerLost(f"rank {d.rank}: {head}; a collective failed ({cause}). This process stops without writing "
                    f"a checkpoint; restart the job with --resume auto (torchrun --max-restarts does) to continue "
                    f"from the newest checkpoint")


def teardown(d: Distributed, failed: bool = False) -> None:
    """Leave the process group; after a failed collective it is abandoned (destroying it could wait on the
    peer that stopped)."""
    if d.heartbeat is not None:
        d.heartbeat.close()
    if d.enabled and dist.is_initialized() and not failed:
        dist.destroy_process_group()


def main_process() -> bool:
    """Whether this process should print (rank 0, or not under torchrun)."""
    return os.environ.get("RANK", "0") == "0"
