"""Write the 1,000 ILSVRC-2012 class names, in class-index order, to ganforge/interop/imagenet_classes.txt.

The names are read from the torchvision wheel's `torchvision/models/_meta.py` (its `_IMAGENET_CATEGORIES`
list), fetched with `pip download` and parsed with `ast` — torchvision is never imported.

    python tools/build_imagenet_classes.py [--wheel PATH]
"""
import argparse
import ast
import pathlib
import subprocess
import sys
import tempfile
import zipfile


def names_from_wheel(wheel: pathlib.Path) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        source = zf.read("torchvision/models/_meta.py").decode()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_IMAGENET_CATEGORIES":
            return list(ast.literal_eval(node.value))
    raise SystemExit(f"{wheel}: no _IMAGENET_CATEGORIES list found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", help="a torchvision wheel (default: pip download one)")
    ap.add_argument("--out", default="ganforge/interop/imagenet_classes.txt")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = pathlib.Path(args.wheel) if args.wheel else None
        if wheel is None:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "torchvision==0.24.1",
                            "-d", tmp], check=True)
            wheel = next(pathlib.Path(tmp).glob("torchvision-*.whl"))
        names = names_from_wheel(wheel)
    if len(names) != 1000:
        raise SystemExit(f"expected 1000 names, found {len(names)}")
    pathlib.Path(args.out).write_text("\n".join(names) + "\n")
    print(f"wrote {len(names)} ImageNet class names to {args.out}")


if __name__ == "__main__":
    main()
