"""What one training step computes: the `TrainTask` protocol and the tasks the labs use.

A task turns (model, batch, state) into (loss, state). The loop does everything else
(device placement, autocast, backward, clipping, the optimizer and scheduler steps,
evaluation, checkpoints). `state` is whatever the task carries from one batch to the next
(a recurrent hidden state, for truncated backpropagation through time); the loop detaches
it after every step, so gradients never flow into an earlier batch, and saves it in
mid-epoch checkpoints. Stateless tasks take and return None.

- `Classification(loss_fn)`: (x, y) batches, loss_fn(model(x), y); evaluation adds accuracy.
- `HFTask()`: dict batches for Hugging Face models, loss = model(**batch).loss.
- `Recurrent(loss_fn)`: (x, y) token batches for a model called as
  `logits, state = model(x, state)`; loss = cross-entropy over every position.
- any callable `fn(model, batch, state) -> (loss, state)` (wrapped by `as_task`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Classification",
    "HFTask",
    "Recurrent",
    "TrainTask",
    "as_task",
    "batch_len",
    "detach_state",
    "to_device",
]


@runtime_checkable
class TrainTask(Protocol):
    """One step: `step(model, batch, state) -> (loss, state)`; the loss is a scalar tensor."""

    def step(self, model: Any, batch: Any, state: Any) -> tuple[Any, Any]: ...


def to_device(batch: Any, device: Any) -> Any:
    """Move every tensor in a (nested) tuple / list / dict batch to `device`."""
    import torch

    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    if isinstance(batch, list | tuple):
        return type(batch)(to_device(v, device) for v in batch)
    return batch


def detach_state(state: Any) -> Any:
    """Cut the graph behind a carried state (a tensor, or a tuple such as LSTM's (h, c))."""
    import torch

    if isinstance(state, torch.Tensor):
        return state.detach()
    if isinstance(state, list | tuple):
        return type(state)(detach_state(s) for s in state)
    if isinstance(state, dict):
        return {k: detach_state(v) for k, v in state.items()}
    return state


def batch_len(batch: Any) -> int:
    """Examples in a batch: the length of its first tensor (the labels' for (x, y))."""
    import torch

    if isinstance(batch, torch.Tensor):
        return len(batch)
    if isinstance(batch, dict):
        return batch_len(next(iter(batch.values()))) if batch else 0
    if isinstance(batch, list | tuple) and batch:
        return batch_len(batch[-1] if len(batch) == 2 else batch[0])
    return 1


class Classification:
    """(x, y) batches: loss = loss_fn(model(x), y) (default cross-entropy)."""

    def __init__(self, loss_fn: Callable | None = None):
        import torch

        self.loss_fn = loss_fn if loss_fn is not None else torch.nn.CrossEntropyLoss()

    def to(self, device: Any) -> Classification:
        if hasattr(self.loss_fn, "to"):
            self.loss_fn = self.loss_fn.to(device)
        return self

    def step(self, model: Any, batch: Any, state: Any) -> tuple[Any, Any]:
        x, y = batch
        return self.loss_fn(model(x), y), state

    def evaluate(self, model: Any, batches: Any) -> dict[str, float]:
        """Mean loss (weighted by batch size) and accuracy of argmax(logits) == y."""
        total, correct, n = 0.0, 0, 0
        for x, y in batches:
            logits = model(x).float()
            total += float(self.loss_fn(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
            n += len(y)
        return {"loss": total / max(n, 1), "accuracy": correct / max(n, 1)}


class HFTask:
    """Dict batches for Hugging Face models: loss = model(**batch).loss (labels in batch)."""

    def step(self, model: Any, batch: Any, state: Any) -> tuple[Any, Any]:
        return model(**batch).loss, state


class Recurrent:
    """Truncated BPTT: `logits, state = model(x, state)`, logits (B, T, V), y (B, T).

    loss = mean over the B*T positions of -log softmax(logits)[y]. The state returned is
    carried into the next batch (the loop detaches it), so batch b+1 must continue the
    streams of batch b row by row (`deepmap.train` does not reorder: set shuffle=False).
    """

    def __init__(self, loss_fn: Callable | None = None):
        import torch

        self.loss_fn = loss_fn if loss_fn is not None else torch.nn.CrossEntropyLoss()

    def step(self, model: Any, batch: Any, state: Any) -> tuple[Any, Any]:
        x, y = batch
        logits, state = model(x, state)
        return self.loss_fn(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)), state


class _FunctionTask:
    def __init__(self, fn: Callable):
        self.fn = fn

    def step(self, model: Any, batch: Any, state: Any) -> tuple[Any, Any]:
        return self.fn(model, batch, state)


def as_task(task: Any, loss_fn: Callable | None = None) -> Any:
    """A TrainTask from a task, a `fn(model, batch, state)`, or None (classification)."""
    from deepmap.errors import InputError

    if task is None:
        return Classification(loss_fn)
    if loss_fn is not None:
        raise InputError("give either a task or a loss_fn, not both.")
    if isinstance(task, TrainTask):
        return task
    if callable(task):
        return _FunctionTask(task)
    raise InputError(f"task must have step(model, batch, state) or be callable. Got {task!r}.")
