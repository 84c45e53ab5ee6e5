"""Evaluation and prediction in eval and inference mode, drawing from no global RNG."""

from __future__ import annotations

from typing import Any

from deepmap.train.tasks import Classification, batch_len, to_device

__all__ = ["evaluate", "predict", "run_eval"]


def _eval_loader(dataset, batch_size: int, collate_fn=None):
    import torch
    from torch.utils.data import DataLoader

    # a generator of its own, so evaluating never draws from the global RNG
    g = torch.Generator().manual_seed(0)
    return DataLoader(dataset, batch_size=batch_size, shuffle=False, generator=g,
                      collate_fn=collate_fn)  # fmt: skip


def evaluate(model, dataset, loss_fn, *, batch_size: int = 512, accelerator=None):
    """(mean loss, accuracy) over a dataset of (x, y), in eval and inference mode."""
    device = accelerator.device if accelerator is not None else next(model.parameters()).device
    out = run_eval(Classification(loss_fn), model, dataset, batch_size, device)
    return out["loss"], out["accuracy"]


def run_eval(
    task: Any, model, dataset, batch_size: int, device, collate_fn=None
) -> dict[str, float]:
    """The task's own `evaluate(model, batches)`, or the mean of its step loss (state
    carried across batches), in eval and inference mode."""
    import torch

    was_training = model.training
    model.eval()
    batches = (to_device(b, device) for b in _eval_loader(dataset, batch_size, collate_fn))
    with torch.inference_mode():
        if hasattr(task, "evaluate"):
            out = dict(task.evaluate(model, batches))
        else:
            total, n, state = 0.0, 0, None
            for batch in batches:
                loss, state = task.step(model, batch, state)
                total += float(loss) * batch_len(batch)
                n += batch_len(batch)
            out = {"loss": total / max(n, 1)}
    model.train(was_training)
    return out


def predict(model, dataset, *, batch_size: int = 512):
    """Class probabilities (N, C) and labels (N,) as NumPy arrays, in inference mode."""
    import numpy as np
    import torch

    device = next(model.parameters()).device
    model.eval()
    probs, labels = [], []
    with torch.inference_mode():
        for x, y in _eval_loader(dataset, batch_size):
            probs.append(torch.softmax(model(x.to(device)).float(), 1).cpu().numpy())
            labels.append(y.numpy())
    model.train()
    return np.concatenate(probs), np.concatenate(labels)
