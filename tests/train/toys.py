"""Tiny models and data for the training-loop tests (CPU, a second or two each)."""

from __future__ import annotations

import random
from types import SimpleNamespace

import numpy as np
import torch

from deepmap.train import Recurrent, TrainConfig, fit


class Blobs(torch.utils.data.Dataset):
    """Two Gaussian blobs in 8 dimensions; with `augment`, a random augmentation that draws
    from all three global RNGs (torch, NumPy, Python), as torchvision and albumentations do."""

    def __init__(self, n: int, seed: int, augment: bool = False):
        g = torch.Generator().manual_seed(seed)
        self.y = torch.randint(0, 2, (n,), generator=g)
        self.x = torch.randn(n, 8, generator=g) + 1.5 * self.y[:, None].float()
        self.augment = augment

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        x = self.x[i]
        if self.augment:
            x = x + 0.1 * torch.randn(8)
            x = x * float(np.random.uniform(0.9, 1.1))
            if random.random() < 0.5:
                x = x.flip(0)
        return x, self.y[i]


def mlp(seed: int = 0, hidden: int = 16) -> torch.nn.Module:
    """8 -> hidden -> 2 with Dropout(0.3), weights from `seed`."""
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(8, hidden), torch.nn.ReLU(), torch.nn.Dropout(0.3),
        torch.nn.Linear(hidden, 2),
    )  # fmt: skip


class Interrupt(Exception):
    """Raised from a callback: the run stops as Ctrl-C would stop it."""


def interrupt_at(step: int):
    """An on_step callback that interrupts the run when `step` is reached."""

    def on_step(s: int, total: int, loss: float) -> None:
        if s == step:
            raise Interrupt

    return on_step


V, B, T = 5, 4, 6  # vocabulary, streams per batch, steps per chunk


class TinyLM(torch.nn.Module):
    """embedding -> LSTM -> linear; `forward(x, state) -> (logits, (h, c))`."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(V, 8)
        self.rnn = torch.nn.LSTM(8, 16, batch_first=True)
        self.out = torch.nn.Linear(16, V)
        self.seen: list = []

    def forward(self, x, state=None):
        self.seen.append(state)
        h, state = self.rnn(self.emb(x), state)
        return self.out(torch.nn.functional.dropout(h, 0.1, self.training)), state


def streams(length: int = 4 * B * T, seed: int = 0):
    """B parallel streams of a period-5 pattern with a random start, cut into T-step chunks
    ordered so that batch j holds chunk j of every stream (carry the state row by row)."""
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, V, (B, 1), generator=g)
    seq = (starts + torch.arange(length // B + 1)) % V  # (B, L+1)
    n_chunks = (seq.shape[1] - 1) // T
    items = []
    for j in range(n_chunks):
        for r in range(B):
            s = seq[r, j * T : (j + 1) * T + 1]
            items.append((s[:-1], s[1:]))
    return items


def lm_run(ckpt, *, epochs, save_every=None, resume=False, on_step=None):
    model = TinyLM()
    cfg = TrainConfig(epochs=epochs, batch_size=B, shuffle=False, lr=3e-2, patience=None,
                      clip_norm=5.0, checkpoint_dir=ckpt, save_every=save_every,
                      resume=resume)  # fmt: skip
    h = fit(model, streams(), streams(seed=1), cfg, task=Recurrent(), on_step=on_step)
    return h, model


class DictModel(torch.nn.Module):
    """Hugging Face's interface: forward(**batch) returns an output with `.loss`."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.emb = torch.nn.Embedding(10, 8)
        self.head = torch.nn.Linear(8, 2)

    def forward(self, input_ids, attention_mask, labels=None):
        mask = attention_mask.float()[..., None]
        logits = self.head((self.emb(input_ids) * mask).sum(1) / mask.sum(1))
        loss = None if labels is None else torch.nn.functional.cross_entropy(logits, labels)
        return SimpleNamespace(loss=loss, logits=logits)


def dict_rows(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    rows = []
    for _ in range(n):
        label = int(torch.randint(0, 2, (), generator=g))
        ids = torch.randint(0, 5, (6,), generator=g) + 5 * label  # class 1 uses ids 5-9
        rows.append({"input_ids": ids, "attention_mask": torch.ones(6, dtype=torch.long),
                     "labels": torch.tensor(label)})  # fmt: skip
    return rows
