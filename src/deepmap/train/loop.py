"""The one training loop every PyTorch lab uses, on Hugging Face Accelerate.

The same code runs on the CPU, on one GPU (with bf16 autocast: `mixed_precision="bf16"`),
and on several GPUs or machines with DDP:

    accelerate launch --multi_gpu --num_processes 4 -m deepmap train digitcnn

What a step computes is a `TrainTask` (`deepmap.train.tasks`): (x, y) classification by
default, dict batches for Hugging Face models, or a recurrent state carried from batch to
batch (truncated BPTT). Any optimizer and scheduler (instances or factories; see
`deepmap.train.schedules` for AdamW with warmup + cosine). Per step: forward under
autocast, backward, the gradients' global norm clipped to `clip_norm` (after backward,
before step), optimizer step, scheduler step. The budget is epochs or `max_steps`;
evaluation after each epoch or every `eval_every` steps feeds EarlyStopping, which keeps
the best weights (restored at the end). Checkpoints after each evaluation or every
`save_every` steps resume exactly, mid-epoch included (`deepmap.train.checkpoint`): on one
process the data order of epoch e depends only on (seed, e), and every RNG is restored, so
an interrupted and resumed run gives the same losses and weights as an uninterrupted one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deepmap.errors import DataError
from deepmap.train.checkpoint import (
    capture_rng,
    load_checkpoint,
    load_tensors,
    load_weights,
    restore_rng,
    save_checkpoint,
)
from deepmap.train.config import TrainConfig
from deepmap.train.early_stopping import EarlyStopping
from deepmap.train.evaluate import evaluate, predict, run_eval
from deepmap.train.tasks import as_task, batch_len, detach_state, to_device

__all__ = ["History", "TrainConfig", "evaluate", "fit", "predict"]


@dataclass
class History:
    """The curves, one entry per evaluation (per epoch unless `eval_every` is set)."""

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    best_epoch: int = 0
    best_step: int = 0
    stopped_early: bool = False
    resumed_from_epoch: int = 0
    resumed_from_step: int = 0
    device: str = ""
    diagnosis: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _SkipBatches:
    """A batch sampler that drops its first `skip` batches of indices (no data is loaded,
    so no augmentation runs for them), once: how a run resumes in the middle of an epoch."""

    def __init__(self, batch_sampler: Any):
        self.batch_sampler = batch_sampler
        self.skip = 0

    def __len__(self) -> int:
        return len(self.batch_sampler)

    def __iter__(self):
        skip, self.skip = self.skip, 0
        for i, batch in enumerate(self.batch_sampler):
            if i >= skip:
                yield batch


def _epoch_seed(seed: int, epoch: int, i: int) -> int:
    """The data-order seed of epoch `epoch` (generator i): a function of (seed, epoch) only."""
    import numpy as np

    return int(np.random.SeedSequence([seed, epoch, i]).generate_state(1, np.uint64)[0] >> 1)


def _build(model, config: TrainConfig, optimizer, scheduler):
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer is None:
        opt = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    elif isinstance(optimizer, torch.optim.Optimizer):
        opt = optimizer
    else:
        opt = optimizer(params)
    if scheduler is None or isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
        sched = scheduler
    else:
        sched = scheduler(opt)
    return opt, sched


@dataclass
class _Position:
    step: int = 0  # optimizer steps done
    epoch: int = 0  # whole epochs done
    batch: int = 0  # batches done in the current epoch
    total: float = 0.0  # training loss summed since the last evaluation (x batch size)
    n: int = 0
    last_eval: int = -1  # step of the last evaluation


def _check_same(path: Path, saved: dict, now: dict) -> None:
    for key, value in now.items():
        if saved.get(key) != value:
            raise DataError(
                f"{path}: written with {key} {saved.get(key)!r}, this run has {value!r}; "
                "resume with the same data and settings, or delete the checkpoint."
            )


def _refuse(path: Path, e: BaseException) -> DataError:
    msg = (str(e).splitlines() or [type(e).__name__])[0][:100]
    return DataError(f"{path}: does not fit this run ({msg}).")


def _restore(saved, raw, opt, sched, history, stopper, fingerprint: dict, device):
    """Load a checkpoint into this run; returns (position, carried state). Every RNG is
    restored last: nothing may draw between this and training."""
    from deepmap.validate import check_int

    meta, blob, folder = saved
    _check_same(folder / "trainer.json", meta["data"], fingerprint)
    load_weights(raw, folder / "model.safetensors")
    try:
        opt.load_state_dict(blob["optimizer"])
        if (blob.get("scheduler") is None) != (sched is None):
            raise ValueError("a scheduler in one run and not the other")
        if sched is not None:
            sched.load_state_dict(blob["scheduler"])
        carried = to_device(blob.get("carried"), device)
    except Exception as e:
        raise _refuse(folder / "trainer.pt", e) from None
    try:
        for key, value in meta["history"].items():
            if hasattr(history, key) and key != "device":
                setattr(history, key, value)
        stopper.load_state_dict(meta["stopper"])
        pos = _Position(**meta["position"])
        for name in ("step", "epoch", "last_eval"):
            check_int(name, getattr(pos, name), low=-1)
        check_int("batch", pos.batch, low=0, high=fingerprint["batches_per_epoch"])
    except Exception as e:
        raise _refuse(folder / "trainer.json", e) from None
    if (folder / "best.safetensors").is_file():
        stopper.best_state = load_tensors(folder / "best.safetensors")
    try:
        restore_rng(blob["rng"])
    except Exception as e:
        raise _refuse(folder / "trainer.pt", e) from None
    return pos, carried


def fit(
    model,
    train_set,
    val_set,
    config: TrainConfig,
    *,
    loss_fn=None,
    sampler=None,
    on_step: Callable[[int, int, float], None] | None = None,
    on_epoch: Callable[[int, dict[str, float]], None] | None = None,
    task: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    collate_fn: Callable | None = None,
) -> History:
    """Train `model` in place; returns the history. The best weights are restored.

    `task`: a TrainTask or `fn(model, batch, state) -> (loss, state)` (default: (x, y)
    classification with `loss_fn`, cross-entropy unless given). `optimizer`: an instance
    or a factory of the trainable parameters (default Adam(config.lr, weight_decay)).
    `scheduler`: an instance or a factory of the optimizer, stepped every optimizer step.
    `sampler`: draws the training examples; for an exact resume it must draw from its own
    `generator` (reseeded per epoch from (seed, epoch)), not from the global RNG.
    `on_step(step, total_steps, loss)`; `on_epoch(evaluation number, metrics)`.
    """
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from torch.utils.data import BatchSampler, DataLoader, RandomSampler, SequentialSampler

    config.validate()
    task = as_task(task, loss_fn)
    ckpt = Path(config.checkpoint_dir) if config.checkpoint_dir else None
    saved = load_checkpoint(ckpt) if (config.resume and ckpt is not None) else None
    set_seed(config.seed)
    accelerator = Accelerator(
        mixed_precision=config.mixed_precision, cpu=not torch.cuda.is_available()
    )
    device = accelerator.device
    if hasattr(task, "to"):
        task.to(device)
    opt, sched = _build(model, config, optimizer, scheduler)
    model, opt = accelerator.prepare(model, opt)
    raw = accelerator.unwrap_model(model)

    g = torch.Generator().manual_seed(config.seed)
    generators = [g]
    if isinstance(getattr(sampler, "generator", None), torch.Generator):
        generators.append(sampler.generator)
    skipper = None
    if accelerator.num_processes > 1:  # DDP: accelerate shards the batches
        loader = accelerator.prepare(DataLoader(
            train_set, batch_size=config.batch_size, shuffle=config.shuffle and sampler is None,
            sampler=sampler, generator=g, drop_last=config.drop_last, collate_fn=collate_fn,
        ))  # fmt: skip
    else:
        if sampler is None:
            sampler = RandomSampler(train_set, generator=g) if config.shuffle else (
                SequentialSampler(train_set))  # fmt: skip
        skipper = _SkipBatches(BatchSampler(sampler, config.batch_size, config.drop_last))
        loader = DataLoader(train_set, batch_sampler=skipper, generator=g, collate_fn=collate_fn)
    per_epoch = len(loader)
    if per_epoch == 0:
        raise DataError("the training set gives no batch (empty, or smaller than a batch).")
    budget = [per_epoch * config.epochs if config.epochs else math.inf]
    budget.append(config.max_steps or math.inf)
    total_steps = int(min(budget))
    fingerprint = {"seed": config.seed, "batch_size": config.batch_size,
                   "examples": len(train_set), "batches_per_epoch": per_epoch,
                   "shuffle": config.shuffle, "drop_last": config.drop_last}  # fmt: skip

    history = History(device=str(device))
    stopper = EarlyStopping(
        patience=config.patience, min_delta=config.min_delta, restore_best=config.restore_best
    )
    pos, carried = _Position(), None
    if saved is not None:
        pos, carried = _restore(saved, raw, opt, sched, history, stopper, fingerprint, device)
        history.resumed_from_epoch, history.resumed_from_step = pos.epoch, pos.step

    def save() -> None:
        if ckpt is None:
            return
        meta = {"step": pos.step, "epoch": pos.epoch, "batch_in_epoch": pos.batch,
                "position": asdict(pos), "history": history.to_dict(),
                "stopper": stopper.state_dict(), "data": fingerprint}  # fmt: skip
        blob = {"optimizer": opt.state_dict(), "rng": capture_rng(), "generators": [],
                "scheduler": sched.state_dict() if sched is not None else None,
                "carried": to_device(carried, "cpu")}  # fmt: skip
        save_checkpoint(ckpt, model=raw, meta=meta, blob=blob, best_state=stopper.best_state)

    pending: list[dict[str, float]] = []

    def evaluate_now(t0: float) -> bool:
        out = run_eval(task, model, val_set, config.eval_batch_size, device, collate_fn)
        val_loss = float(out["loss"])
        history.train_loss.append(pos.total / max(pos.n, 1))
        history.val_loss.append(val_loss)
        if "accuracy" in out:
            history.val_accuracy.append(float(out["accuracy"]))
        history.epoch_seconds.append(time.perf_counter() - t0)
        history.steps.append(pos.step)
        history.lr.append(float(opt.param_groups[0]["lr"]))
        pos.total, pos.n, pos.last_eval = 0.0, 0, pos.step
        pending.append({"train_loss": history.train_loss[-1], "val_loss": val_loss,
                        "step": pos.step, **{f"val_{k}": v for k, v in out.items()}})  # fmt: skip
        return stopper.step(val_loss, raw.state_dict())

    def report() -> None:  # after the checkpoint is written, as an interruption may follow
        while pending:
            metrics = pending.pop(0)
            if on_epoch:
                on_epoch(len(history.val_loss), metrics)

    def out_of_budget() -> bool:
        return pos.step >= total_steps

    stop = stopper.stopped
    model.train()
    t0 = time.perf_counter()
    while not (stop or out_of_budget()):
        epoch_loader = loader
        if skipper is not None:  # epoch e's order depends on (seed, e) alone
            for i, gen in enumerate(generators):
                gen.manual_seed(_epoch_seed(config.seed, pos.epoch, i))
            skipper.skip = pos.batch
        elif pos.batch:  # DDP: approximately (accelerate's own skipping)
            epoch_loader = accelerator.skip_first_batches(loader, pos.batch)
        if pos.batch == 0:
            carried = None
        for batch in epoch_loader:
            batch = to_device(batch, device)
            with accelerator.autocast():
                loss, carried = task.step(model, batch, carried)
            carried = detach_state(carried)  # truncated BPTT: no gradient into past batches
            opt.zero_grad(set_to_none=True)
            accelerator.backward(loss)
            if config.clip_norm:
                accelerator.clip_grad_norm_(model.parameters(), config.clip_norm)
            opt.step()
            if sched is not None:
                sched.step()
            value = float(loss.detach())
            pos.step, pos.batch = pos.step + 1, pos.batch + 1
            pos.total, pos.n = pos.total + value * batch_len(batch), pos.n + batch_len(batch)
            if on_step:
                on_step(pos.step, total_steps, value)
            if config.eval_every and pos.step % config.eval_every == 0:
                stop = evaluate_now(t0)
                t0 = time.perf_counter()
            if pos.batch == per_epoch:
                break
            if config.save_every and pos.step % config.save_every == 0:
                save()
            report()
            if stop or out_of_budget():
                break
        if pos.batch == per_epoch:  # the epoch is complete
            pos.epoch, pos.batch = pos.epoch + 1, 0
            if not config.eval_every:
                stop = evaluate_now(t0)
                t0 = time.perf_counter()
            if config.save_every is None or pos.step % config.save_every == 0:
                save()
            report()
    if pos.last_eval != pos.step and pos.n:  # the budget ended between evaluations
        stop = evaluate_now(t0) or stop
        save()
        report()
    history.stopped_early = bool(stopper.stopped)
    if config.restore_best and stopper.best_state is not None:
        raw.load_state_dict(stopper.best_state)
    if history.val_loss:
        best = min(range(len(history.val_loss)), key=history.val_loss.__getitem__)
        history.best_epoch, history.best_step = best + 1, history.steps[best]
    if len(history.val_loss) >= 2:
        from deepmap.diagnose import diagnose

        history.diagnosis = diagnose(history.train_loss, history.val_loss).to_dict()
    return history
