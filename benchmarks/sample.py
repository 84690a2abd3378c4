"""Sampling throughput of BigGAN-deep 128 (random weights): ganforge in fp32 and bf16 against
pytorch-pretrained-BigGAN running the same weights in the same process (it must be installed), each variant
timed in turn over several rounds (alternating, so a change in the machine's load hits all of them), with the
median of the rounds; also the largest difference of the fp32 outputs.

    python benchmarks/sample.py [--n 32] [--batch-size 8] [--truncation 0.5] [--rounds 5] [--device cpu]
"""
from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F

from ganforge.interop.hf import convert_hf
from ganforge.models import build_generator
from ganforge.pretrained import load_strict
from ganforge.results import write_result


def rate(fn, n: int, batch: int, sync) -> float:
    sync()
    t0 = time.perf_counter()
    for _ in range(0, n, batch):
        fn(batch)
    sync()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--truncation", type=float, default=0.5)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--results", help="also write the figures into this results directory")
    args = ap.parse_args()
    import json

    from pytorch_pretrained_biggan import BigGAN, BigGANConfig
    device = torch.device(args.device)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)
    cfg = BigGANConfig()
    hf = BigGAN(cfg)
    with torch.no_grad():
        hf.generator.bn.weight.fill_(1.0)
        hf.generator.bn.bias.zero_()
        hf(torch.randn(2, 128), F.one_hot(torch.tensor([0, 1]), 1000).float(), 1.0)
    hf = hf.eval().to(device)
    gcfg, tensors = convert_hf(json.loads(cfg.to_json_string()), {k: v.cpu() for k, v in hf.state_dict().items()})
    G = build_generator(gcfg)
    load_strict(G, tensors, "random biggan-deep-128")
    G = G.eval().to(device, memory_format=torch.channels_last)
    psi = args.truncation
    z = psi * torch.randn(args.batch_size, 128, device=device).clamp(-2, 2)
    y = torch.randint(0, 1000, (args.batch_size,), device=device)
    onehot = F.one_hot(y, 1000).float()

    def package(dtype):
        @torch.inference_mode()
        def run(b):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                return hf(z[:b], onehot[:b], psi)
        return run

    def ours(dtype):
        @torch.inference_mode()
        def run(b):
            with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                return G(z[:b], y[:b], truncation=psi)
        return run

    variants = {"pytorch-pretrained-biggan fp32": package(None),
                "pytorch-pretrained-biggan bf16": package(torch.bfloat16),
                "ganforge fp32": ours(None), "ganforge bf16": ours(torch.bfloat16)}
    difference = float((variants["ganforge fp32"](args.batch_size).float()
                        - variants["pytorch-pretrained-biggan fp32"](args.batch_size).float()).abs().max())
    rates = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, fn in variants.items():
            rates[name].append(rate(fn, args.n, args.batch_size, sync))
    where = torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu, {torch.get_num_threads()} threads"
    print(f"biggan-deep-128 sampling, {args.n} images per round, batch {args.batch_size}, psi {psi}, median of "
          f"{args.rounds} alternating rounds | {where} | torch {torch.__version__}")
    base = statistics.median(rates["pytorch-pretrained-biggan fp32"])
    for name, values in rates.items():
        r = statistics.median(values)
        print(f"  {name:32s} {r:8.2f} img/s  ({r / base:.2f}x of the package in fp32)")
    print(f"  fp32 outputs: max |ganforge - package| = {difference:.2e}")
    if args.results:
        metrics = {f"{name} img/s": round(statistics.median(values), 3) for name, values in rates.items()}
        metrics["fp32 max abs difference"] = float(difference)
        print(write_result(args.results, "bench/sample-biggan-deep-128", metrics, kind="sampling-speed", n=args.n,
                           batch_size=args.batch_size, truncation=psi, rounds=args.rounds))


if __name__ == "__main__":
    main()
