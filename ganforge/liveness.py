"""Whether the other processes of a torchrun job are still there: heartbeats in the rendezvous store.

Each rank writes a beat count to the store from a daemon thread; a process that is killed or frozen (SIGSTOP)
stops beating. A rank whose collective failed reads the beats to name the ranks that stopped answering, and
ranks waiting while rank 0 works alone (a checkpoint, a sample sheet, reference statistics) wait as long as
rank 0 beats, not only up to the collective timeout. With NCCL, torch's watchdog ends a process whose
collective timed out.
"""
from __future__ import annotations

import datetime
import os
import threading
import time

import torch.distributed as dist

from .errors import GanforgeError

HEARTBEAT_S = 1.0


class PeerLost(GanforgeError):
    """A collective failed because another process died, froze or lost its connection. Every process that sees
    it says so (not only rank 0, which may be the one that stopped)."""

    every_rank = True


class Heartbeat:
    """A daemon thread that writes this rank's beat count to the store every :data:`HEARTBEAT_S` seconds; a
    process that is killed or stopped (SIGSTOP) stops beating. Its own store client, so a beat never waits
    behind another use of the store."""

    def __init__(self, rank: int, world: int):
        self.rank, self.world = rank, world
        attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")  # the agent's store outlives a restart
        self.prefix = f"ganforge/heartbeat/{attempt}"
        self.store, self.reader = _store_client(timeout=30), _store_client(timeout=30)
        self.count, self.stopped, self.calls = 0, threading.Event(), 0
        self.thread = None
        if self.store is not None:
            self.thread = threading.Thread(target=self._beat, name="ganforge-heartbeat", daemon=True)
            self.thread.start()

    def _beat(self) -> None:
        store = self.store
        while not self.stopped.is_set():
            self.count += 1
            try:
                store.set(f"{self.prefix}/{self.rank}", str(self.count))
            except Exception:  # noqa: BLE001 - the store went away: nothing to report to any more
                return
            self.stopped.wait(HEARTBEAT_S)

    def close(self) -> None:
        """Stop beating and let go of the store clients before the process exits (a store client torn down
        while the thread is inside a call aborts the process)."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
            if self.thread.is_alive():
                return  # stuck on a store that went away: leave the clients to the daemon thread
        self.store = self.reader = None

    def mark_failed(self) -> None:
        """Tell the others this rank is leaving because a collective failed (so they do not blame it)."""
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=2)  # its last beat must not overwrite the mark
        if self.reader is not None:
            try:
                self.reader.set(f"{self.prefix}/{self.rank}", "left")
            except Exception:  # noqa: BLE001
                pass

    def main_done(self, call: int) -> None:
        if self.reader is not None:
            self.reader.set(f"{self.prefix}/main/{call}", "done")

    def wait_for_main(self, call: int, timeout: float) -> None:
        """Wait, however long, while rank 0 works alone (a checkpoint, a sheet, reference statistics) and beats;
        a rank 0 silent for ``timeout`` seconds is an error naming it."""
        if self.reader is None:
            return  # no store: the broadcast that follows waits up to the collective timeout
        key, beat, since, pause = f"{self.prefix}/main/{call}", None, time.monotonic(), 0.005
        while True:
            try:
                if self.reader.check([key]):
                    return
                now = self._beat_of(0)
            except Exception:  # noqa: BLE001 - the store's host went away
                now = None
            if now != beat:
                beat, since = now, time.monotonic()
            elif time.monotonic() - since > timeout:
                self.mark_failed()
                raise PeerLost(f"rank {self.rank}: rank 0 stopped answering (no heartbeat for {timeout:.0f} s, "
                               f"train.dist_timeout) while the others waited for it; restart the job with --resume "
                               f"auto to continue from the newest checkpoint")
            time.sleep(pause)  # short waits answer at once, long ones poll about once a beat
            pause = min(2 * pause, HEARTBEAT_S)

    def _beat_of(self, rank: int, reader=None) -> str | None:
        reader = reader or self.reader
        key = f"{self.prefix}/{rank}"
        return reader.get(key).decode() if reader.check([key]) else None

    def silent_ranks(self) -> list[int] | None:
        """The other ranks whose beat did not change over three beat intervals and that did not leave on an
        error themselves; None when the store cannot be read."""
        reader = _store_client(timeout=5)
        if reader is None:
            return None
        others = [r for r in range(self.world) if r != self.rank]
        try:
            def beats():
                return {r: self._beat_of(r, reader) for r in others}
            first = beats()
            time.sleep(3 * HEARTBEAT_S)
            second = beats()
        except Exception:  # noqa: BLE001 - the store's host may be the one that stopped
            return None
        return [r for r in others if second[r] != "left" and first[r] == second[r]]


def _store_client(timeout: float):
    """A client of torchrun's rendezvous store (MASTER_ADDR:MASTER_PORT), or None without one."""
    addr, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    if not addr or not port:
        return None
    try:
        return dist.TCPStore(addr, int(port), is_master=False, timeout=datetime.timedelta(seconds=timeout),
                             wait_for_workers=False)
    except Exception:  # noqa: BLE001 - no store: collectives still time out, the message names no rank
        return None


def is_collective_failure(error: BaseException) -> bool:
    """Whether ``error`` is a collective that failed on a lost peer (gloo raises plain RuntimeErrors)."""
    if isinstance(error, getattr(dist, "DistError", ())):
        return True
    text = str(error)
    return isinstance(error, RuntimeError) and any(
        mark in text for mark in ("gloo", "Connection reset by peer", "Connection closed by peer", "Timed out",
                                  "NCCL", "ProcessGroup"))
