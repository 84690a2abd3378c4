"""Pictures in one row, each under its title: the README's growth figure from the sheets a ProGAN run writes as
each level starts (the EMA at that moment, showing the previous resolution) and at its end.

    python tools/side_by_side.py --out docs/img/progan_growth.png "4 px=RUN/samples/step-00000501.png" \\
        "8 px=RUN/samples/step-00001501.png" "16 px=RUN/samples/step-00005501.png" \\
        "32 px=RUN/samples/step-00009500.png"
"""
from __future__ import annotations

import argparse
import pathlib
import sys

from PIL import Image, UnidentifiedImageError

from ganforge.viz import save_png, side_by_side, titled


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("pictures", nargs="+", metavar="TITLE=PNG")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    panels = []
    for item in args.pictures:
        title, sep, path = item.partition("=")
        if not sep:
            sys.exit(f"{item!r}: expected TITLE=PATH")
        try:
            panels.append(titled(Image.open(pathlib.Path(path)), title))
        except (OSError, UnidentifiedImageError) as e:
            sys.exit(f"{path}: not a readable image ({e})")
    print(save_png(side_by_side(panels), args.out))


if __name__ == "__main__":
    main()
