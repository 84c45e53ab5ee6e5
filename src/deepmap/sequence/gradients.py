"""The vanishing gradient, shown: a long-range recall task for RNN vs LSTM vs GRU.

The task ("remember the first token"): a sequence of lag + 1 tokens whose first token is
one of `n_classes` symbols and whose other `lag` tokens are random distractors drawn from
`n_noise` other symbols; after reading the whole sequence the network must name the first
token. The answer lies `lag` steps before the step where it is asked for, so nothing but
the recurrent state can carry it; chance is 1 / n_classes.

    ids = [y, d_1, ..., d_lag],  y ~ U{0..K-1},  d_i ~ U{K..K+N-1}
    x_t = E[ids_t];  (o_t, s_t) = cell(x_t, s_{t-1});  logits = W o_lag + b
    L = cross-entropy(logits, y)

Gradient flow: the norm of dL/dx_t, the loss at the last step with respect to the input
(the embedding output) at each step t, as a function of the distance lag - t from the end.
Backpropagation through time multiplies it by one Jacobian d s_t / d s_{t-1} per step, so
for a vanilla RNN it shrinks geometrically (the map's "eigenvalues < 1: gradients vanish");
the LSTM's additive cell update c_t = f_t * c_{t-1} + i_t * g_t lets it pass. The norm is
per sequence, ||dL_b / dx_{b,t}||_2 (each sequence's own loss, not the batch mean), then
averaged over the batch.

All three models share one hidden size (not one parameter budget): an LSTM then has about
4x and a GRU about 3x the recurrent parameters of the RNN, as in the map's table. Every
stochastic step takes a seed: batches come from a torch.Generator, the test set from
another one, the weights from torch.manual_seed(seed) (set by `run_gradients`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from deepmap.errors import InputError
from deepmap.sequence.lm import RNN_KINDS
from deepmap.validate import check_float, check_int, check_seed

__all__ = [
    "GradientConfig",
    "LagRecallNet",
    "gradient_norms",
    "lag_recall_batch",
    "longest_lag_learned",
    "run_gradients",
]

MODELS = ("rnn", "lstm", "gru")
MAX_LAG = 2000


@dataclass
class GradientConfig:
    """Settings of `deepmap lm gradients`, checked by `validate()` before any work."""

    lags: tuple[int, ...] = (5, 10, 20, 30, 50, 100)
    models: tuple[str, ...] = MODELS
    steps: int = 2000  # the training budget per (model, lag), in batches
    batch_size: int = 32
    hidden: int = 64
    embed: int = 16
    n_classes: int = 8
    n_noise: int = 8
    lr: float = 3e-3
    clip_norm: float = 5.0  # the map's max_norm
    # LSTM forget-gate bias at init: torch starts it at ~0 (f_t ~ 0.5, so c_t halves every
    # step); 1.0 is Keras' unit_forget_bias default (Gers et al. 2000; Jozefowicz et al. 2015)
    forget_bias: float = 1.0
    test_size: int = 512
    probe_size: int = 128  # sequences whose gradient norms are averaged
    learned: float = 0.9  # test accuracy at which a lag counts as learned
    patience: int = 25  # stop early after this many consecutive training batches at 100%
    seed: int = 0
    device: str = "cpu"  # cpu, cuda or auto (cuda when available)

    def validate(self) -> None:
        if self.device not in ("cpu", "cuda", "auto"):
            raise InputError(f"--device must be cpu, cuda or auto. Got {self.device!r}.")
        if self.device == "cuda" and not torch.cuda.is_available():
            raise InputError("--device cuda: no CUDA device is available here.")
        if not self.lags:
            raise InputError("--lags: give at least one lag.")
        for lag in self.lags:
            check_int("--lags", lag, low=1, high=MAX_LAG)
        if len(set(self.lags)) != len(self.lags):
            raise InputError(f"--lags: a lag is repeated. Got {list(self.lags)}.")
        if not self.models or any(m not in MODELS for m in self.models):
            raise InputError(f"--models must be among {', '.join(MODELS)}. Got {self.models}.")
        if len(set(self.models)) != len(self.models):
            raise InputError(f"--models: a model is repeated. Got {list(self.models)}.")
        check_int("--steps", self.steps, low=1, high=10**6)
        check_float("--forget-bias", self.forget_bias, low=-100.0, high=100.0)
        check_int("--batch-size", self.batch_size, low=1, high=100_000)
        check_int("--hidden", self.hidden, low=1, high=4096)
        check_int("--embed", self.embed, low=1, high=4096)
        check_int("--classes", self.n_classes, low=2, high=1000)
        check_int("--noise", self.n_noise, low=1, high=1000)
        check_float("--lr", self.lr, low=0.0, low_open=True, high=10.0)
        check_float("--clip-norm", self.clip_norm, low=0.0, low_open=True)
        check_int("--test-size", self.test_size, low=1, high=10**6)
        check_int("--probe-size", self.probe_size, low=1, high=10**5)
        check_float("learned", self.learned, low=0.0, high=1.0)
        check_int("--patience", self.patience, low=1)
        check_seed(self.seed)


def lag_recall_batch(
    batch: int, lag: int, n_classes: int, n_noise: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids (batch, lag + 1) int64, targets (batch,)): ids[:, 0] = targets in [0, n_classes),
    ids[:, 1:] distractors in [n_classes, n_classes + n_noise). Reproducible from the
    generator's seed."""
    check_int("batch", batch, low=1)
    check_int("lag", lag, low=1, high=MAX_LAG)
    check_int("n_classes", n_classes, low=2)
    check_int("n_noise", n_noise, low=1)
    targets = torch.randint(0, n_classes, (batch,), generator=generator)
    noise = torch.randint(n_classes, n_classes + n_noise, (batch, lag), generator=generator)
    return torch.cat([targets[:, None], noise], dim=1), targets


class LagRecallNet(nn.Module):
    """embedding -> one recurrent layer (nn.RNN / nn.LSTM / nn.GRU) -> linear on the last
    output. `forward(ids (B, T)) -> logits (B, n_classes)`; `from_embedded(x (B, T, E))` is
    the same network from the embedding output on (for dL/dx_t)."""

    def __init__(
        self, kind: str, vocab: int, n_classes: int, *, hidden: int, embed: int,
        forget_bias: float | None = None,
    ):  # fmt: skip
        super().__init__()
        if kind not in RNN_KINDS:
            raise InputError(f"model must be one of {', '.join(RNN_KINDS)}. Got {kind!r}.")
        self.kind = kind
        self.embedding = nn.Embedding(vocab, embed)
        self.rnn = RNN_KINDS[kind][0](embed, hidden, batch_first=True)
        if kind == "lstm" and forget_bias is not None:
            # torch's gate order is (input, forget, cell, output); b_ih + b_hh is the bias
            with torch.no_grad():
                self.rnn.bias_ih_l0[hidden : 2 * hidden].fill_(forget_bias)
                self.rnn.bias_hh_l0[hidden : 2 * hidden].zero_()
        self.head = nn.Linear(hidden, n_classes)

    def from_embedded(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(x)  # (B, T, H); the state's form (h or (h, c)) is not needed
        return self.head(out[:, -1])  # (B, n_classes)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.from_embedded(self.embedding(ids))


def gradient_norms(model: Any, ids: torch.Tensor, targets: torch.Tensor) -> list[float]:
    """mean over the batch of ||dL_b / dx_{b,t}||_2 for t = 0 .. T-1 (x_t: embedding output).

    L_b is sequence b's own cross-entropy at the last step (the losses are summed, so
    each sequence's gradient is its own, not divided by the batch size). The model's
    parameters are left without gradients. Returns T floats, index t (not distance).
    """
    was_training = model.training
    model.eval()
    try:
        x = model.embedding(ids).detach().requires_grad_(True)  # (B, T, E)
        loss = F.cross_entropy(model.from_embedded(x), targets, reduction="sum")
        (grad,) = torch.autograd.grad(loss, x)
    finally:
        model.train(was_training)
    return grad.norm(dim=-1).mean(dim=0).tolist()  # (T,)


def _accuracy(model: Any, ids: torch.Tensor, targets: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        acc = (model(ids).argmax(-1) == targets).float().mean().item()
    model.train()
    return acc


def _train_one(
    kind: str, lag: int, c: GradientConfig, seed: int, device: str = "cpu"
) -> dict[str, Any]:
    """Train one model on one lag; its accuracy, losses and gradient profiles."""
    vocab = c.n_classes + c.n_noise
    test_gen = torch.Generator().manual_seed(seed + 1_000_003)  # never the training stream
    test_ids, test_y = lag_recall_batch(c.test_size, lag, c.n_classes, c.n_noise, test_gen)
    test_ids, test_y = test_ids.to(device), test_y.to(device)
    probe_ids, probe_y = test_ids[: c.probe_size], test_y[: c.probe_size]
    torch.manual_seed(seed)
    model = LagRecallNet(
        kind, vocab, c.n_classes, hidden=c.hidden, embed=c.embed, forget_bias=c.forget_bias
    ).to(device)
    grad_init = gradient_norms(model, probe_ids, probe_y)
    opt = torch.optim.Adam(model.parameters(), lr=c.lr)
    gen = torch.Generator().manual_seed(seed)
    t0 = time.perf_counter()
    streak, losses = 0, []
    for _ in range(c.steps):
        ids, y = lag_recall_batch(c.batch_size, lag, c.n_classes, c.n_noise, gen)
        ids, y = ids.to(device), y.to(device)
        logits = model(ids)
        loss = F.cross_entropy(logits, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), c.clip_norm)  # after backward
        opt.step()
        losses.append(loss.item())
        streak = streak + 1 if bool((logits.argmax(-1) == y).all()) else 0
        if streak >= c.patience:
            break
    seconds = time.perf_counter() - t0
    tail = losses[-min(20, len(losses)) :]
    return {
        "model": kind,
        "lag": lag,
        "test_accuracy": _accuracy(model, test_ids, test_y),
        "train_loss": sum(tail) / len(tail),
        "steps": len(losses),
        "seconds": seconds,
        "grad_init": grad_init,
        "grad_trained": gradient_norms(model, probe_ids, probe_y),
        "parameters": sum(p.numel() for p in model.parameters()),
    }


def longest_lag_learned(rows: Sequence[dict[str, Any]], model: str, learned: float) -> int:
    """The longest lag whose test accuracy is >= `learned` (0 when none is)."""
    lags = [r["lag"] for r in rows if r["model"] == model and r["test_accuracy"] >= learned]
    return max(lags, default=0)


def run_gradients(
    config: GradientConfig, *, on_row: Callable[[dict[str, Any]], None] | None = None
) -> dict[str, Any]:
    """Train every model at every lag with the same budget; accuracy and gradient profiles.

    Each (model, lag) starts from the same seed (so the RNN, LSTM and GRU see the same
    batches and the same test set at a lag). Returns the result for results.json:
    accuracy rows, gradient norms by distance from the end (at initialisation and after
    training), chance level and the longest lag each model learned.
    """
    config.validate()
    device = config.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    rows, profiles = [], []
    for lag in sorted(config.lags):
        for kind in config.models:
            r = _train_one(kind, lag, config, config.seed + lag, device)
            for when in ("init", "trained"):
                norms = r.pop(f"grad_{when}")
                profiles.append({"model": kind, "lag": lag, "when": when,
                                 "norm_by_distance": norms[::-1]})  # fmt: skip
            rows.append(r)
            if on_row is not None:
                on_row(r)
    chance = 1.0 / config.n_classes
    return {
        "task": (
            f"recall the first of lag+1 tokens ({config.n_classes} classes, "
            f"{config.n_noise} distractor symbols) at the last step"
        ),
        "chance": chance,
        "budget": "same hidden size for every model; the same steps per (model, lag)",
        "config": asdict(config),
        "threads": torch.get_num_threads(),
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "accuracy": rows,
        "gradient_norms": profiles,
        "longest_lag_learned": {
            m: longest_lag_learned(rows, m, config.learned) for m in config.models
        },
        "log10_decay_per_step_init": {m: _decay(profiles, m, "init") for m in config.models},
    }


def _decay(profiles: list[dict[str, Any]], model: str, when: str) -> float | None:
    """Slope of log10 ||dL/dx|| against distance, fitted on the longest lag's profile (the
    gradient's loss of orders of magnitude per step back in time); None if undefined."""
    mine = [p for p in profiles if p["model"] == model and p["when"] == when]
    if not mine:
        return None
    norms = max(mine, key=lambda p: p["lag"])["norm_by_distance"]
    pts = [(d, math.log10(v)) for d, v in enumerate(norms) if v > 0 and math.isfinite(v)]
    if len(pts) < 2:
        return None
    n = len(pts)
    mx = sum(d for d, _ in pts) / n
    my = sum(y for _, y in pts) / n
    sxx = sum((d - mx) ** 2 for d, _ in pts)
    return sum((d - mx) * (y - my) for d, y in pts) / sxx if sxx else None


def gradients_figures(result: dict[str, Any]) -> dict[str, Any]:
    """gradient_flow.png (log-scale ||dL/dx_t|| against distance from the end, at the
    longest lag) and accuracy_vs_lag.png (test accuracy per model, chance dashed)."""
    from deepmap.report.figures import pyplot

    plt = pyplot()
    colors = {"rnn": "tab:red", "lstm": "tab:blue", "gru": "tab:green"}
    lag = max(p["lag"] for p in result["gradient_norms"])
    fig1, ax = plt.subplots(figsize=(7, 4.2))
    for p in result["gradient_norms"]:
        if p["lag"] != lag:
            continue
        ys = [max(v, 1e-30) for v in p["norm_by_distance"]]
        when = "at init" if p["when"] == "init" else "trained"
        style = "--" if p["when"] == "init" else "-"
        label = f"{p['model']} ({when})"
        ax.plot(range(len(ys)), ys, style, color=colors.get(p["model"]), label=label)
    ax.set_yscale("log")
    ax.set_xlabel("distance from the last step (lag - t)")
    ax.set_ylabel("mean ||dL/dx_t||")
    ax.set_title(f"Gradient reaching each step, lag {lag}")
    ax.legend(fontsize=8)
    fig2, ax = plt.subplots(figsize=(7, 4.2))
    for m in result["config"]["models"]:
        rows = sorted((r for r in result["accuracy"] if r["model"] == m), key=lambda r: r["lag"])
        ax.plot([r["lag"] for r in rows], [r["test_accuracy"] for r in rows], "o-",
                color=colors.get(m), label=m)  # fmt: skip
    ax.axhline(result["chance"], color="gray", linestyle="--", label="chance")
    ax.set_xscale("log")
    ax.set_xlabel("lag (steps between the token and the question)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"Recall after a fixed budget of {result['config']['steps']} steps")
    ax.legend(fontsize=8)
    return {"gradient_flow.png": fig1, "accuracy_vs_lag.png": fig2}
