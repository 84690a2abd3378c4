"""What repeatable runs cost per step: the demo preset's training step with the class-wise minibatch-stddev map
gathering by ``index_select`` (today's layer: runs repeat bit for bit with any thread count), by plain indexing
(the earlier layer: its CPU backward accumulates in parallel, so two-thread runs differ), and with today's layer
under ``torch.use_deterministic_algorithms(True)`` (the other way to get repeatable runs). The variants are
measured in one process, interleaved over several rounds, so they share the machine's state. Each variant is
also trained three times for five fp32 steps to say whether its runs repeat here. Run it on idle cores; writes
``results/timing/determinism.json``.

    python benchmarks/determinism_cost.py [--threads 2] [--steps 20] [--rounds 3]
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import pathlib
import statistics
import sys

sys.path[:0] = [str(pathlib.Path(__file__).resolve().parents[1])]
import torch  # noqa: E402

from ganforge.config import load_preset  # noqa: E402
from ganforge.device import fix_thread_count, resolve_precision  # noqa: E402
from ganforge.layers import minibatch  # noqa: E402
from ganforge.results import write_result  # noqa: E402
from ganforge.training.step_timing import Variant, measure  # noqa: E402


REPEAT_STEPS = 5


class IndexingStdDev(minibatch.ClassStdDev):
    """The earlier gather by class: plain indexing (index_put with accumulate in its backward)."""

    def forward(self, x, y):
        f = x.float().flatten(1)
        member = torch.nn.functional.one_hot(y, self.num_classes).to(f.dtype)
        count = member.sum(0).clamp_min(1.0)[:, None]
        mean = member.t() @ f / count
        var = member.t() @ (f - mean[y]).square() / count
        std = minibatch._split((var + self.eps).sqrt().view(-1, *x.shape[1:]), self.features)
        return minibatch._append(x, std[y])


@contextlib.contextmanager
def variant(name: str):
    layer, deterministic = minibatch.ClassStdDev, torch.are_deterministic_algorithms_enabled()
    if name == "indexing":
        minibatch.ClassStdDev = IndexingStdDev
    torch.use_deterministic_algorithms(name == "deterministic algorithms")
    try:
        yield
    finally:
        minibatch.ClassStdDev = layer
        torch.use_deterministic_algorithms(deterministic)


def digest_after(cfg, steps: int) -> str:
    """A digest of G's weights after ``steps`` training steps (the same start each time)."""
    from ganforge.data import load_dataset
    from ganforge.models import build_discriminator, build_generator
    from ganforge.training.loop import Trainer
    from ganforge.training.run import bind_data
    dataset = load_dataset(cfg.data)
    cfg = bind_data(cfg, dataset)
    torch.manual_seed(0)
    trainer = Trainer(cfg, build_generator(cfg), build_discriminator(cfg), dataset, torch.device("cpu"))
    for _ in range(steps):
        trainer.train_step()
    h = hashlib.sha256()
    for model in (trainer.G, trainer.D):
        for v in model.state_dict().values():
            h.update(v.float().numpy().tobytes())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20, help="steps timed per variant and round")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--precision", default="auto", help="fp32, bf16 or auto (the demo's: bf16 where native)")
    ap.add_argument("--results", default="results")
    args = ap.parse_args()
    threads = fix_thread_count(args.threads)
    cfg = load_preset("fashion32-cpu")
    precision = resolve_precision(args.precision, torch.device("cpu"))[0]
    names = ["index_select", "indexing", "deterministic algorithms"]
    times = {n: [] for n in names}
    for _ in range(args.rounds):
        for n in names:
            with variant(n):
                times[n].append(measure(cfg, Variant(precision, True), args.steps)["s_per_step"])
    repeats, exact = {}, load_preset("fashion32-cpu")
    exact.train.precision = "fp32"  # bf16 rounds away some of the order effects that fp32 keeps
    for n in names:
        with variant(n):
            repeats[n] = len({digest_after(exact, REPEAT_STEPS) for _ in range(3)}) == 1
    base = statistics.median(times["index_select"])
    metrics = {}
    print(f"demo step, {precision}, {threads} threads, median of {args.rounds} rounds x {args.steps} steps:")
    for n in names:
        s = statistics.median(times[n])
        metrics[n] = {"s_per_step": round(s, 4), "vs_index_select": round(s / base, 3), "repeats": repeats[n]}
        print(f"  {n:26s} {s:.4f} s/step  {s / base:5.3f}x  fp32 runs repeat bit for bit: {repeats[n]}")
    path = write_result(args.results, "timing/determinism", metrics, kind="determinism", preset="fashion32-cpu",
                        precision=precision, threads=threads, steps=args.steps, rounds=args.rounds,
                        repeat_check=f"three runs of {REPEAT_STEPS} fp32 steps, G and D weights compared")
    print(f"result: {path}")


if __name__ == "__main__":
    main()
