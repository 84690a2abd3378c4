"""Started by tests/test_distributed.py, with or without torchrun.

    distributed_worker.py train CONFIG OUT DTYPE [resume]   train (the API's train(), as the CLI calls it)
    distributed_worker.py units RESULT_JSON                  cross-replica BN, sharded evaluation, rank agreement
"""
import json
import sys

import torch

from ganforge import distributed
from ganforge.config import load_config_file
from ganforge.data import load_dataset
from ganforge.layers.cross_replica import convert_cross_replica
from ganforge.metrics.evaluator import Evaluator
from ganforge.models import build_discriminator, build_generator
from ganforge.training.loop import Trainer
from ganforge.training.run import bind_data, train


def run_training(config: str, out: str, dtype: str, resume: bool) -> None:
    torch.set_default_dtype(getattr(torch, dtype))
    train(load_config_file(config), out, resume=resume, show_progress=False, notify=lambda m: None)


def cross_replica_bn(dist) -> dict:
    """Each rank normalises its half of one batch; rank 0 also runs plain BN on the whole batch."""
    torch.manual_seed(0)
    x = torch.randn(8, 3, 5, 5) * 3 + 1
    weight = torch.randn(8, 3, 5, 5)
    whole = torch.nn.BatchNorm2d(3)
    with torch.no_grad():
        whole.weight.uniform_(0.5, 1.5)
        whole.bias.uniform_(-1, 1)
    synced = convert_cross_replica(torch.nn.Sequential(torch.nn.BatchNorm2d(3)))
    synced.load_state_dict({f"0.{k}": v for k, v in whole.state_dict().items()})
    part = slice(dist.rank * 4, dist.rank * 4 + 4)
    mine = x[part].clone().requires_grad_(True)
    out = synced(mine)
    (out * weight[part]).sum().backward()
    gathered = dist.gather({"out": out.detach(), "grad": mine.grad, "gain_grad": synced[0].weight.grad,
                            "mean": synced[0].running_mean, "var": synced[0].running_var})
    full = x.clone().requires_grad_(True)
    ref = whole(full)
    (ref * weight).sum().backward()
    diff = lambda a, b: float((a - b).abs().max())  # noqa: E731
    return {
        "out": diff(torch.cat([g["out"] for g in gathered]), ref.detach()),
        "input_grad": diff(torch.cat([g["grad"] for g in gathered]), full.grad),
        # DDP would average the ranks' parameter gradients; their mean is the whole batch's gradient / ranks
        "gain_grad": diff(sum(g["gain_grad"] for g in gathered) / dist.world, whole.weight.grad / dist.world),
        "running_mean": max(diff(g["mean"], whole.running_mean) for g in gathered),
        "running_var": max(diff(g["var"], whole.running_var) for g in gathered),
    }


def sharded_evaluation(dist, cfg) -> dict:
    """n = 250 samples in batches of 100: rank 0 makes batches 0 and 2, rank 1 batch 1."""
    torch.manual_seed(1)
    G = build_generator(cfg).eval()
    kwargs = dict(ref="fashion-mnist", shape=G.image_shape, metrics=["fid", "kid", "acc", "ifid"], seed=3,
                  data_cfg=cfg.data, ref_n=300, use_cache=False)
    shared = Evaluator(**kwargs, dist=dist).evaluate_generator(G, 250)["metrics"]
    alone = Evaluator(**kwargs).evaluate_generator(G, 250)["metrics"] if dist.is_main else None
    return {"shared": shared, "alone": alone}


def ranks_agree(dist, cfg, sync_bn: bool) -> float:
    """Largest difference between the ranks' G, D and EMA states after two data-parallel steps."""
    cfg.train.sync_bn = sync_bn
    dataset = load_dataset(cfg.data)
    cfg = bind_data(cfg, dataset)
    torch.manual_seed(0)
    trainer = Trainer(cfg, build_generator(cfg), build_discriminator(cfg), dataset, torch.device("cpu"), dist)
    for _ in range(2):
        trainer.train_step()
    states = dist.gather({k: v for part in ("G", "D", "G_ema") for k, v in
                          {f"{part}.{n}": t for n, t in trainer.state_dict()[part].items()}.items()})
    return max(float((states[0][k].double() - states[1][k].double()).abs().max()) for k in states[0])


def units(result_path: str, config: str) -> None:
    dist, _ = distributed.setup(torch.device("cpu"))
    cfg = bind_data(load_config_file(config), load_dataset(load_config_file(config).data))
    result = {"bn": cross_replica_bn(dist), "eval": sharded_evaluation(dist, cfg),
              "agree_sync": ranks_agree(dist, load_config_file(config), True),
              "agree_nosync": ranks_agree(dist, load_config_file(config), False), "world": dist.world}
    if dist.is_main:
        with open(result_path, "w") as f:
            json.dump(result, f)
    distributed.teardown(dist)


if __name__ == "__main__":
    if sys.argv[1] == "train":
        run_training(sys.argv[2], sys.argv[3], sys.argv[4], resume=sys.argv[5:] == ["resume"])
    else:
        units(sys.argv[2], sys.argv[3])
