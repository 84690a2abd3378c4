"""Which device, and which arithmetic it is fast at: ``resolve_device`` ('auto': cuda, else mps, else cpu) and
``resolve_precision`` ('auto': bf16 where the hardware computes it natively, fp32 elsewhere).

bf16 is a trap on CPUs: with AVX-512-BF16 or AMX a BigGAN step runs ~2.4× faster than in fp32, on an
AVX2-only CPU ~8× slower (oneDNN converts instead of computing). 'auto' reads the CPU's flags (Linux
/proc/cpuinfo) and asks CUDA for compute capability 8.0 or newer (Ampere and later).
"""
from __future__ import annotations

import contextlib

import torch

from .errors import GanforgeError

PRECISIONS = ("fp32", "bf16", "fp16")
DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}
BF16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")


def fix_thread_count(threads: int = 0) -> int:
    """Pin torch's CPU thread count (0: keep the current one) and return it. Until torch.set_num_threads is called,
    MKL may change its team size from call to call (MKL_DYNAMIC), and a matrix product summed by a different
    number of threads differs in its last bits: a run, a resumed run or a sheet would then not repeat bit for bit."""
    threads = threads or torch.get_num_threads()
    torch.set_num_threads(threads)
    return threads


def _mps_available() -> bool:
    return getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda, else mps, else cpu; an explicit device must exist on this machine."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if _mps_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise GanforgeError(f"device {name!r} is not a device name torch knows (try cpu, cuda, cuda:1, mps "
                            f"or auto)") from None
    if device.type == "cuda" and (not torch.cuda.is_available() or (device.index or 0) >= torch.cuda.device_count()):
        raise GanforgeError(f"device {name!r} is not available here ({torch.cuda.device_count()} CUDA devices, torch "
                            f"{torch.__version__}); use --device cpu or install a CUDA build of torch")
    if device.type == "mps" and not _mps_available():
        raise GanforgeError(f"device {name!r} is not available on this machine; use --device cpu")
    return device


def cpu_flags(cpuinfo: str = "/proc/cpuinfo") -> set[str]:
    """The CPU's feature flags (empty where /proc/cpuinfo does not exist)."""
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def resolve_precision(name: str, device: torch.device, flags: set[str] | None = None) -> tuple[str, str]:
    """(precision, why): 'auto' becomes bf16 or fp32 for ``device``; other names are returned as they are."""
    if name != "auto":
        if name not in PRECISIONS:
            raise GanforgeError(f"precision {name!r}: expected auto, {', '.join(PRECISIONS)}")
        return name, "as asked"
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        gpu = torch.cuda.get_device_name(device)
        if major >= 8:
            return "bf16", f"{gpu} (compute capability {major}.{minor}) has bf16 tensor cores"
        return "fp32", f"{gpu} (compute capability {major}.{minor}) has no bf16 tensor cores"
    if device.type == "cpu":
        flags = cpu_flags() if flags is None else flags
        native = [f for f in BF16_CPU_FLAGS if f in flags]
        if native:
            return "bf16", f"this CPU computes bf16 natively ({', '.join(native)})"
        return "fp32", "this CPU has no bf16 units (no avx512_bf16 or amx_bf16 flag), where bf16 runs slower"
    return "fp32", f"no bf16 choice is made for {device.type} devices"


def autocast(precision: str, device: torch.device):
    """Autocast to ``precision`` (fp32: nothing)."""
    dtype = DTYPES[precision]
    return contextlib.nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)
