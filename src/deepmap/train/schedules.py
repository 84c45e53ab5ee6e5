"""Optimizers and learning-rate schedules for `deepmap.train.fit`.

`fit(optimizer=..., scheduler=...)` takes an instance, or a factory: an optimizer factory
is called with the model's trainable parameters, a scheduler factory with the optimizer.
The scheduler is stepped once per optimizer step.

The transformer recipe (AdamW, linear warmup, cosine decay), as Hugging Face's
`get_cosine_schedule_with_warmup` writes it, for step s, warmup W and total T:

    lr(s) = lr_max * s / W                                          s < W
    lr(s) = lr_max * max(0, 0.5 * (1 + cos(pi * (s - W) / (T - W))))  s >= W

(`min_ratio` > 0 floors the decay at lr_max * min_ratio, as nanoGPT does.)

BERT's fine-tuning recipe decays linearly instead (`get_linear_schedule_with_warmup`):

    lr(s) = lr_max * s / W                                          s < W
    lr(s) = lr_max * max(0, (T - s) / (T - W))                      s >= W
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from deepmap.validate import check_float, check_int

__all__ = [
    "adamw",
    "adamw_warmup_cosine",
    "warmup_cosine",
    "warmup_cosine_factor",
    "warmup_linear",
    "warmup_linear_factor",
]


def warmup_cosine_factor(step: int, warmup_steps: int, total_steps: int, min_ratio: float = 0.0):
    """The multiplier of the peak learning rate at `step` (the formula above)."""
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    cosine = max(0.0, 0.5 * (1.0 + math.cos(math.pi * progress)))
    return min_ratio + (1.0 - min_ratio) * cosine


class _WarmupCosine:
    """A picklable-free lambda for LambdaLR (its settings go into the scheduler's state)."""

    def __init__(self, warmup_steps: int, total_steps: int, min_ratio: float):
        self.warmup_steps = warmup_steps
        self.total_steps = total_steps
        self.min_ratio = min_ratio

    def __call__(self, step: int) -> float:
        return warmup_cosine_factor(step, self.warmup_steps, self.total_steps, self.min_ratio)


def warmup_cosine(
    warmup_steps: int, total_steps: int, *, min_ratio: float = 0.0
) -> Callable[[Any], Any]:
    """A scheduler factory: linear warmup over `warmup_steps`, cosine decay to `total_steps`."""
    check_int("warmup_steps", warmup_steps, low=0)
    check_int("total_steps", total_steps, low=1)
    check_float("min_ratio", min_ratio, low=0.0, high=1.0)
    if warmup_steps > total_steps:
        from deepmap.errors import InputError

        raise InputError(f"warmup_steps ({warmup_steps}) exceeds total_steps ({total_steps}).")

    def factory(optimizer: Any) -> Any:
        from torch.optim.lr_scheduler import LambdaLR

        return LambdaLR(optimizer, _WarmupCosine(warmup_steps, total_steps, min_ratio))

    return factory


def warmup_linear_factor(step: int, warmup_steps: int, total_steps: int) -> float:
    """The multiplier of the peak learning rate at `step` (the linear formula above)."""
    if step < warmup_steps:
        return step / max(1, warmup_steps)
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


class _WarmupLinear:
    def __init__(self, warmup_steps: int, total_steps: int):
        self.warmup_steps, self.total_steps = warmup_steps, total_steps

    def __call__(self, step: int) -> float:
        return warmup_linear_factor(step, self.warmup_steps, self.total_steps)


def warmup_linear(warmup_steps: int, total_steps: int) -> Callable[[Any], Any]:
    """A scheduler factory: linear warmup over `warmup_steps`, linear decay to 0 at
    `total_steps` (BERT's fine-tuning schedule)."""
    check_int("warmup_steps", warmup_steps, low=0)
    check_int("total_steps", total_steps, low=1)

    def factory(optimizer: Any) -> Any:
        from torch.optim.lr_scheduler import LambdaLR

        return LambdaLR(optimizer, _WarmupLinear(warmup_steps, total_steps))

    return factory


def adamw(
    lr: float = 3e-4,
    *,
    weight_decay: float = 0.01,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
) -> Callable[[Iterable[Any]], Any]:
    """An optimizer factory: torch's AdamW (decoupled weight decay) with these settings."""
    check_float("lr", lr, low=0.0, low_open=True)
    check_float("weight_decay", weight_decay, low=0.0)
    for i, b in enumerate(betas):
        check_float(f"betas[{i}]", b, low=0.0, high=1.0, high_open=True)
    check_float("eps", eps, low=0.0, low_open=True)

    def factory(params: Iterable[Any]) -> Any:
        import torch

        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay, betas=betas, eps=eps)

    return factory


def adamw_warmup_cosine(
    lr: float,
    warmup_steps: int,
    total_steps: int,
    *,
    weight_decay: float = 0.01,
    min_ratio: float = 0.0,
) -> dict[str, Callable[[Any], Any]]:
    """`fit(..., **adamw_warmup_cosine(3e-4, 100, 5000))`: AdamW with warmup + cosine."""
    return {
        "optimizer": adamw(lr, weight_decay=weight_decay),
        "scheduler": warmup_cosine(warmup_steps, total_steps, min_ratio=min_ratio),
    }
