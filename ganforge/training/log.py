"""The run's always-on log (one JSON object per line) and the progress bar."""
from __future__ import annotations

import json
import math
import pathlib
import sys

from tqdm import tqdm


class JsonlLog:
    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)

    def write(self, record: dict) -> None:
        clean = {k: (v if not isinstance(v, float) or math.isfinite(v) else str(v)) for k, v in record.items()}
        with open(self.path, "a") as f:
            f.write(json.dumps(clean) + "\n")

    def read(self) -> list[dict]:
        """The records; a last line cut short by a killed process is left out."""
        if not self.path.is_file():
            return []
        lines = [line for line in self.path.read_text().splitlines() if line.strip()]
        records = []
        for i, line in enumerate(lines):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                if i < len(lines) - 1:
                    raise
        return records

    def truncate_after(self, step: int) -> None:
        """Drop records newer than ``step`` (written after the checkpoint a run resumes from)."""
        kept = [r for r in self.read() if r.get("step", 0) <= step]
        self.path.write_text("".join(json.dumps(r) + "\n" for r in kept))


class Meter:
    """Running means of named values between two log lines."""

    def __init__(self):
        self.sums: dict[str, float] = {}
        self.count = 0

    def add(self, values: dict[str, float]) -> None:
        for k, v in values.items():
            self.sums[k] = self.sums.get(k, 0.0) + float(v)
        self.count += 1

    def means(self) -> dict[str, float]:
        return {k: v / max(self.count, 1) for k, v in self.sums.items()}

    def reset(self) -> None:
        self.sums, self.count = {}, 0


def progress(total: int, initial: int, enabled: bool = True) -> tqdm:
    return tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True, disable=not enabled,
                file=sys.stderr, smoothing=0.1)
