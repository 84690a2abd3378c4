"""Build the colour development sets: class folders from Debian packages of free images, for measuring what
ganforge does on colour data of the kind users bring.

- ``clipart``: Debian's ``openclipart-png`` (public-domain clip art): each top-level category with at least
  ``--min`` images is a class, at most ``--max`` images each (evenly spaced over the category's sorted files, its
  sub-folders included). Mixed sizes (3 to 1,300 px), RGBA, palette and grey-alpha images: a realistically messy
  folder, uneven classes.
- ``icons``: an icon theme's PNGs of one size (default ``oxygen-icon-theme``'s 64x64, LGPL-3+), each context
  folder (apps, devices, places, ...) with at least ``--min`` icons a class: a cleaner set.

Images are copied unchanged (file names keep their sub-folder: ``mammals__cat.png``); ``SOURCE.txt`` in the
output says where they came from, with the package's version and licence.

    apt-get install openclipart-png oxygen-icon-theme
    python tools/build_colour_sets.py clipart --out data/clipart
    python tools/build_colour_sets.py icons --out data/icons
"""
from __future__ import annotations

import argparse
import pathlib
import shutil
import subprocess
import sys

SOURCES = {
    "clipart": {"root": "/usr/share/openclipart/png", "package": "openclipart-png", "licence": "public domain",
                "min": 200, "max": 400},
    "icons": {"root": "/usr/share/icons/oxygen/base/{size}x{size}", "package": "oxygen-icon-theme",
              "licence": "LGPL-3+", "min": 50, "max": 400},
}


def package_version(package: str) -> str:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def evenly(files: list[pathlib.Path], k: int) -> list[pathlib.Path]:
    """k files spread evenly over the sorted list (all of them when there are no more than k)."""
    if len(files) <= k:
        return files
    return [files[round(i * (len(files) - 1) / (k - 1))] for i in range(k)] if k > 1 else files[:1]


def plan(root: pathlib.Path, least: int, most: int) -> dict[str, list[pathlib.Path]]:
    """{class: files} for each folder of ``root`` with at least ``least`` PNGs (searched recursively)."""
    chosen = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(p for p in folder.rglob("*.png") if p.is_file())
        if len(files) >= least:
            chosen[folder.name] = evenly(files, most)
    return chosen


def build(kind: str, out: pathlib.Path, least: int, most: int, source: pathlib.Path | None = None,
          size: int = 64) -> dict[str, int]:
    spec = SOURCES[kind]
    root = source or pathlib.Path(spec["root"].format(size=size))
    if not root.is_dir():
        raise SystemExit(f"{root} does not exist: apt-get install {spec['package']} (or give --source DIR)")
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty: choose a new --out (nothing was written)")
    classes = plan(root, least, most)
    if not classes:
        raise SystemExit(f"{root}: no folder holds {least} or more PNGs (lower --min)")
    for name, files in classes.items():
        target = out / name
        target.mkdir(parents=True)
        for f in files:
            shutil.copyfile(f, target / "__".join(f.relative_to(root / name).parts))
    counts = {name: len(files) for name, files in classes.items()}
    (out / "SOURCE.txt").write_text(
        f"Built by tools/build_colour_sets.py {kind} from {root} (Debian package {spec['package']} "
        f"{package_version(spec['package'])}, licence: {spec['licence']}): folders with at least {least} images, "
        f"at most {most} each.\n" + "".join(f"{name}: {n}\n" for name, n in counts.items()))
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=sorted(SOURCES))
    ap.add_argument("--out", required=True, help="a new or empty directory")
    ap.add_argument("--min", type=int, help="least images of a class (clipart 200, icons 50)")
    ap.add_argument("--max", type=int, help="most images of a class (default 400)")
    ap.add_argument("--size", type=int, default=64, help="icons: the icon size folder (default 64)")
    ap.add_argument("--source", help="another root of class folders (default: the package's)")
    args = ap.parse_args()
    spec = SOURCES[args.kind]
    counts = build(args.kind, pathlib.Path(args.out), args.min or spec["min"], args.max or spec["max"],
                   pathlib.Path(args.source) if args.source else None, args.size)
    print(f"{sum(counts.values())} images in {len(counts)} classes: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
