"""Cross-replica (synchronised) batch norm, as BigGAN trains with: in a data-parallel run the batch
statistics are taken over the whole global batch, not each process's share, so the normalisation, its
gradients and the running statistics equal those of one process holding the whole batch.

:class:`CrossReplicaBatchNorm2d` is a ``BatchNorm2d`` (same parameters and buffers, so checkpoints move
freely between plain and synchronised runs) whose training-mode statistics are reduced over the process
group with differentiable all-reduces: the mean first, then the sum of squared deviations from it (two
passes, as accurate as single-process BN), on any device. torch's own ``SyncBatchNorm`` has no CPU
implementation and DDP refuses it in CPU modules, so it cannot serve gloo runs. Outside training, with one
process, or with ``cross_replica`` switched off (copies that sample on one rank), it is ordinary batch norm.
"""
from __future__ import annotations

import torch
import torch.distributed as dist
import torch.nn as nn

from .conditioning import batch_norms


class _SumOverRanks(torch.autograd.Function):
    """All-reduce (sum) whose gradient is the all-reduced gradient: d(Σ_ranks loss)/d(input)."""

    @staticmethod
    def forward(ctx, x, group):
        ctx.group = group
        x = x.clone()
        dist.all_reduce(x, group=group)
        return x

    @staticmethod
    def backward(ctx, grad):
        grad = grad.clone()
        dist.all_reduce(grad, group=ctx.group)
        return grad, None


class CrossReplicaBatchNorm2d(nn.BatchNorm2d):
    cross_replica = True
    process_group = None  # None: the whole world

    def _synchronising(self) -> bool:
        return (self.training and self.cross_replica and dist.is_available() and dist.is_initialized()
                and dist.get_world_size(self.process_group or dist.group.WORLD) > 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self._synchronising():
            return super().forward(x)
        group = self.process_group or dist.group.WORLD
        dims = [d for d in range(x.dim()) if d != 1]
        shape = [1, -1] + [1] * (x.dim() - 2)
        xf = x.to(torch.promote_types(x.dtype, torch.float32))  # statistics in fp32 under mixed precision
        local = torch.cat([xf.sum(dims), xf.new_tensor([x.numel() / x.shape[1]])])
        total = _SumOverRanks.apply(local, group)
        count = total[-1]
        mean = total[:-1] / count
        centered = xf - mean.view(shape)
        var = _SumOverRanks.apply((centered * centered).sum(dims), group) / count
        if self.track_running_stats:
            self.num_batches_tracked.add_(1)
            momentum = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
            with torch.no_grad():
                self.running_mean.lerp_(mean.detach().to(self.running_mean.dtype), momentum)
                unbiased = var.detach() * count / (count - 1).clamp_min(1)
                self.running_var.lerp_(unbiased.to(self.running_var.dtype), momentum)
        out = centered * torch.rsqrt(var + self.eps).view(shape)
        if self.affine:
            out = out * self.weight.view(shape) + self.bias.view(shape)
        return out.to(x.dtype)


def convert_cross_replica(module: nn.Module) -> nn.Module:
    """Replace every ``nn.BatchNorm2d`` in ``module`` by a :class:`CrossReplicaBatchNorm2d` holding the same
    parameters and statistics (in place; returns ``module``)."""
    for name, child in list(module.named_children()):
        if type(child) is nn.BatchNorm2d:
            new = CrossReplicaBatchNorm2d(child.num_features, child.eps, child.momentum, child.affine,
                                          child.track_running_stats)
            new.load_state_dict(child.state_dict())
            held = [*child.parameters(), *child.buffers()]
            if held:
                new.to(held[0].device)
            setattr(module, name, new)
        else:
            convert_cross_replica(child)
    return module


def set_cross_replica(module: nn.Module, enabled: bool) -> None:
    """Switch synchronisation of every cross-replica BN in ``module`` (off for copies that sample on one rank)."""
    for bn in batch_norms(module):
        if isinstance(bn, CrossReplicaBatchNorm2d):
            bn.cross_replica = enabled
