"""Content digests of reference data, for the statistics cache: a digest changes whenever any byte of the data
changes. Names, sizes and modification times are not enough: ``cp -p``, ``rsync -a`` and ``tar x`` restore
the times of rewritten files.

A file's digest is the SHA-256 of its bytes. A directory's is the SHA-256 of every regular, non-hidden file
under it (relative path, size and the file's own digest, in sorted order). Reading every byte of a large
folder takes minutes (the README gives measured costs), so the file digests of a folder are remembered in
``memo`` (a JSON file beside the statistics cache) together with each file's size, mtime, ctime and inode: a
file is read again unless all four are unchanged. The ctime is what makes this safe: the kernel sets it on
every write and rename, and no tool can set it back (``cp -p``, ``rsync -a`` and ``tar x`` restore mtime only).
"""
from __future__ import annotations

import hashlib
import json
import pathlib

from ..fileio import atomic_write_text

BLOCK = 1 << 20


def file_digest(path: pathlib.Path) -> str:
    """SHA-256 of a file's bytes (hex, first 16 characters)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(BLOCK), b""):
            h.update(block)
    return h.hexdigest()[:16]


def content_digest(path: pathlib.Path, memo: pathlib.Path | None = None) -> str:
    """The digest of a file or of everything under a directory (hex, first 16 characters); ``memo``: where a
    directory's file digests are remembered between calls (None: every file is read)."""
    path = pathlib.Path(path)
    if path.is_file():
        return file_digest(path)
    known = _read_memo(memo)
    seen, h = {}, hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    for p in files:
        st, name = p.stat(), p.relative_to(path).as_posix()
        stamp = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        old = known.get(name)
        digest = old[1] if old is not None and old[0] == stamp else file_digest(p)
        seen[name] = [stamp, digest]
        h.update(f"{name}\0{st.st_size}\0{digest}\n".encode())
    if memo is not None and seen != known:
        try:
            atomic_write_text(memo, json.dumps(seen))
        except OSError:
            pass  # an unwritable memo only costs time next time
    return h.hexdigest()[:16]


def _read_memo(memo: pathlib.Path | None) -> dict:
    if memo is None or not memo.is_file():
        return {}
    try:
        known = json.loads(memo.read_text())
        return known if isinstance(known, dict) else {}
    except (OSError, ValueError):
        return {}
