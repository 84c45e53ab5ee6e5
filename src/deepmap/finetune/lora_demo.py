"""A toy fine-tuning run showing LoRA's point: a frozen "pre-trained" network adapts to a
new task with only the adapters (r (d + k) per layer) training.

The base is a random two-layer MLP, 32 -> 64 -> 32 (frozen). The new task is the same
network with a rank-`r` change added to each weight (what LoRA assumes a fine-tuning
update looks like), so adapters of rank r can fit it exactly; Adam on the mean squared
error drives the loss down while every base weight stays bit-identical.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch

from deepmap.finetune.lora import apply_lora, trainable_parameters
from deepmap.validate import check_int, check_seed

__all__ = ["LoraDemo", "lora_demo"]


@dataclass(frozen=True)
class LoraDemo:
    """losses: the training loss at each step. trainable / total: parameters that train vs
    all of the wrapped model's. frozen_unchanged: every base weight identical after training."""

    losses: list[float]
    trainable: int
    total: int
    frozen_unchanged: bool


class _MLP(torch.nn.Module):
    def __init__(self, d: int = 32, h: int = 64) -> None:
        super().__init__()
        self.hidden = torch.nn.Linear(d, h)
        self.out = torch.nn.Linear(h, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(torch.tanh(self.hidden(x)))


def lora_demo(*, r: int = 2, steps: int = 200, lr: float = 0.02, seed: int = 0) -> LoraDemo:
    """Fine-tune LoRA adapters (r, lora_alpha = 2r) on "hidden" and "out" of a frozen MLP."""
    check_int("r", r, low=1, high=32)
    check_int("steps", steps, low=1)
    check_seed(seed, "seed")
    g = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng(devices=[]):  # the layers' init draws seeded, the caller's
        torch.manual_seed(seed)  # global RNG state restored on the way out
        base = _MLP()
        teacher = copy.deepcopy(base)
        frozen = [(p, p.detach().clone()) for p in base.parameters()]  # same objects after
        model = apply_lora(base, ["hidden", "out"], r=r, lora_alpha=2 * r)
    with torch.no_grad():  # the new task: each weight moved by a rank-r update
        for lin in (teacher.hidden, teacher.out):
            k, d = lin.weight.shape
            lin.weight += torch.randn(k, r, generator=g) @ torch.randn(r, d, generator=g) / d**0.5
    x = torch.randn(512, 32, generator=g)
    with torch.no_grad():
        y = teacher(x)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)
    losses = []
    for _ in range(steps):
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    unchanged = all(torch.equal(p, before) for p, before in frozen)
    total = sum(p.numel() for p in model.parameters())
    return LoraDemo(losses, trainable_parameters(model), total, unchanged)
