"""The README's attention-steering figure: the same latents and classes generated as trained, with attention
removed (strength 0) and doubled (2), focused toward and away from the top half of the image, and with
another seed's attention maps transplanted; prints how much attention mass the focus mask receives.

    python tools/attention_examples.py runs/deep --out docs/img/deep_steering.png [--seed 5] [--from-seed 3]
"""
from __future__ import annotations

import argparse

import torch

import ganforge
from ganforge.steering import attention_layers, generate_steered, mask_mass, record_attention
from ganforge.sampling import latents_for, resolve_classes
from ganforge.viz import labelled_sheet, save_png


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--from-seed", type=int, default=3)
    ap.add_argument("--focus-weight", type=float, default=4.0)
    args = ap.parse_args()
    G = ganforge.load(args.run)
    n, size = G.num_classes, G.image_shape[-1]
    y = resolve_classes(G, list(range(n)), n, None)
    z = latents_for(G, n, None, torch.Generator().manual_seed(args.seed))
    z_other = latents_for(G, n, None, torch.Generator().manual_seed(args.from_seed))
    top = torch.zeros(size, size)
    top[: size // 2] = 1.0
    _, other_maps = record_attention(G, z_other, y)
    rows = {
        "as trained": {},
        "strength 0": {"strength": 0.0},
        "strength 2": {"strength": 2.0},
        "focus: top half": {"focus": top, "focus_weight": args.focus_weight},
        "away from top": {"focus": top, "focus_weight": -args.focus_weight},
        f"maps of seed {args.from_seed}": {"transplant": other_maps},
    }
    images = [generate_steered(G, z, y, **steering) for steering in rows.values()]
    save_png(labelled_sheet(torch.stack(images), list(rows), scale=max(1, 96 // size),
                            column_labels=G.class_names), args.out)
    print(f"wrote {args.out}")
    print("gamma: " + ", ".join(f"{name} {m.gamma.item():+.3f}" for name, m in attention_layers(G).items()))
    for label, steering in (("as trained", {}), ("focus: top half", rows["focus: top half"]),
                            ("away from top", rows["away from top"])):
        _, maps = record_attention(G, z, y, **steering)
        masses = ", ".join(f"{name} {mask_mass(beta, top):.3f}" for name, beta in maps.items() if beta.dim() == 3)
        print(f"attention mass on the top half, {label}: {masses}")


if __name__ == "__main__":
    main()
