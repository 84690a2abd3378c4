"""The web demo's downloadable files: a private temporary directory bounded in file count and bytes (the
oldest files go first) and removed when the process exits, so a long-running server does not fill its disk."""
from __future__ import annotations

import atexit
import pathlib
import shutil
import tempfile
import threading


class Downloads:
    def __init__(self, max_files: int = 64, max_bytes: int = 256 * 2 ** 20):
        if max_files < 1 or max_bytes < 1:
            raise ValueError("Downloads keeps at least one file and one byte")
        self.max_files, self.max_bytes = max_files, max_bytes
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="ganforge-web-"))
        self.lock = threading.Lock()
        atexit.register(self.close)

    def path(self, name: str) -> pathlib.Path:
        return self.directory / name.replace("/", "_")

    def added(self, path: pathlib.Path) -> pathlib.Path:
        """Call after writing ``path``: older files are removed until the limits hold (``path`` itself stays)."""
        with self.lock:
            files = sorted((p for p in self.directory.iterdir() if p.is_file() and p != path),
                           key=lambda p: p.stat().st_mtime_ns)
            count, size = len(files) + 1, sum(p.stat().st_size for p in files) + path.stat().st_size
            for old in files:
                if count <= self.max_files and size <= self.max_bytes:
                    break
                size -= old.stat().st_size
                old.unlink(missing_ok=True)
                count -= 1
        return path

    def usage(self) -> tuple[int, int]:
        files = [p for p in self.directory.iterdir() if p.is_file()]
        return len(files), sum(p.stat().st_size for p in files)

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)
