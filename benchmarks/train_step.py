"""Training-step benchmark: seconds per step, images per second, GFLOP per step (torch's flop counter),
achieved GFLOP/s and peak memory for each variant, with the ratio to the first (fp32 eager) — the same as
``ganforge bench train``.

    python benchmarks/train_step.py --preset fashion32-cpu [--precision fp32,bf16] [--channels-last]
                                    [--steps 10] [--set KEY=VALUE ...]

Images per second counts the real images the discriminator sees per step (batch x accumulate x d_steps).
FLOPs are those of convolutions, matmuls and attention as counted by torch.utils.flop_counter.
"""
import sys

from ganforge.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bench", "train", *sys.argv[1:]]))
