"""Fault injection for crash-recovery tests and soak runs: the environment variable ``GANFORGE_FAULT`` makes
this process kill or freeze itself at a chosen point, so every case is reached the same way on any machine.

``GANFORGE_FAULT`` holds faults separated by ``;``, each a list of ``key=value`` separated by ``,``:

- ``at``: ``step`` (a training step finished; nothing of it logged or saved yet), or a point of the checkpoint
  write for that step: ``write`` (the temporary file cut at ``byte`` bytes, as a process killed while writing
  leaves it), ``rename`` (the temporary file complete, not yet renamed), ``latest`` (the checkpoint in place,
  ``latest`` not yet updated) or ``prune`` (``latest`` updated, older checkpoints not yet pruned);
- ``step``: the step (required); ``byte``: where ``write`` cuts the file (default 0);
- ``rank``: only this rank (``RANK`` under torchrun; default any);
- ``action``: ``kill`` (SIGKILL, the default), ``stop`` (SIGSTOP: a frozen process), or ``term`` / ``int``
  (SIGTERM / SIGINT, as a scheduler's preemption or Ctrl-C);
- ``once``: a file path; the fault fires only if the file does not exist, and creates it first, so a restarted
  process (torchrun ``--max-restarts``, a requeued job) passes the same point.

Unset, every hook returns at once.
"""
from __future__ import annotations

import os
import pathlib
import signal

from .errors import GanforgeError

ENV = "GANFORGE_FAULT"
POINTS = ("step", "write", "rename", "latest", "prune")
ACTIONS = {"kill": signal.SIGKILL, "stop": signal.SIGSTOP, "term": signal.SIGTERM, "int": signal.SIGINT}


def parse(text: str) -> list[dict]:
    faults = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            fault = dict(item.split("=", 1) for item in part.split(","))
        except ValueError:
            raise GanforgeError(f"{ENV}={text!r}: expected key=value pairs separated by ',' (e.g. at=step,step=3)") \
                from None
        unknown = set(fault) - {"at", "step", "byte", "rank", "action", "once"}
        action = fault.get("action", "kill")
        if unknown or fault.get("at") not in POINTS or action not in ACTIONS or "step" not in fault:
            raise GanforgeError(f"{ENV}: fault {part!r} is not valid: 'at' one of {', '.join(POINTS)}, 'step' "
                                f"required, 'action' kill, stop, term or int; other keys: byte, rank, once")
        try:
            for key in ("step", "byte", "rank"):
                if key in fault:
                    fault[key] = int(fault[key])
        except ValueError:
            raise GanforgeError(f"{ENV}: fault {part!r}: step, byte and rank are whole numbers") from None
        faults.append(fault)
    return faults


def _due(point: str, step: int) -> dict | None:
    text = os.environ.get(ENV)
    if not text:
        return None
    rank = int(os.environ.get("RANK", "0"))
    for fault in parse(text):
        if fault["at"] == point and fault["step"] == step and fault.get("rank", rank) == rank:
            if "once" in fault:
                try:  # O_EXCL: exactly one process ever passes
                    os.close(os.open(fault["once"], os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    continue
            return fault
    return None


def _fire(fault: dict) -> None:
    os.kill(os.getpid(), ACTIONS[fault.get("action", "kill")])


def reached(point: str, step: int) -> None:
    """A point of the run outside a file write (``step``, ``latest``, ``prune``)."""
    fault = _due(point, step)
    if fault:
        _fire(fault)


def checkpoint_written(step: int, tmp: pathlib.Path) -> None:
    """Called with the complete temporary file of a checkpoint, before its rename (``write``, ``rename``)."""
    fault = _due("write", step) or _due("rename", step)
    if not fault:
        return
    if fault["at"] == "write":
        with open(tmp, "rb+") as f:  # what a process killed after writing `byte` bytes leaves on disk
            f.truncate(min(fault.get("byte", 0), os.path.getsize(tmp)))
            os.fsync(f.fileno())
    _fire(fault)
