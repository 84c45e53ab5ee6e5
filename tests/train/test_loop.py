"""The loop's parts: optimizers and schedules, clipping order, step budgets, early stopping
with the best weights restored, and up-front validation of every number."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from tests.train.toys import mlp  # noqa: E402

from deepmap.errors import InputError  # noqa: E402
from deepmap.train import (  # noqa: E402
    TrainConfig,
    adamw,
    adamw_warmup_cosine,
    evaluate,
    fit,
    warmup_cosine,
)
from deepmap.train.schedules import warmup_cosine_factor  # noqa: E402


def reference_factor(step: int, warmup: int, total: int) -> float:
    """Hugging Face's get_cosine_schedule_with_warmup (num_cycles=0.5), as written there."""
    if step < warmup:
        return float(step) / float(max(1, warmup))
    progress = float(step - warmup) / float(max(1, total - warmup))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * progress)))


@pytest.mark.parametrize(("warmup", "total"), [(0, 10), (3, 20), (10, 10), (5, 37)])
def test_warmup_cosine_matches_hugging_face(warmup, total):
    steps = range(total + 3)
    ours = [warmup_cosine_factor(s, warmup, total) for s in steps]
    try:  # the library itself when it is installed, else its formula
        from transformers import get_cosine_schedule_with_warmup

        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        sched = get_cosine_schedule_with_warmup(opt, warmup, total)
        ref = []
        for _ in steps:
            ref.append(opt.param_groups[0]["lr"])
            opt.step()
            sched.step()
    except ImportError:
        ref = [reference_factor(s, warmup, total) for s in steps]
    assert ours == pytest.approx(ref, abs=1e-12)
    assert max(ours) == pytest.approx(1.0)
    if total > warmup:  # decays to zero at the end of the budget
        assert ours[total] == pytest.approx(0.0, abs=1e-12)


def test_fit_steps_the_scheduler_once_per_optimizer_step(blobs):
    train_set, val_set = blobs  # 40 examples, batches of 8: 5 steps an epoch
    cfg = TrainConfig(epochs=3, batch_size=8, eval_every=1, patience=None)
    h = fit(mlp(), train_set, val_set, cfg, **adamw_warmup_cosine(0.1, 4, 15))
    assert h.steps == list(range(1, 16))
    expected = [0.1 * reference_factor(s, 4, 15) for s in h.steps]  # lr after step s
    assert h.lr == pytest.approx(expected, abs=1e-12)


def test_optimizer_instance_or_factory(blobs):
    train_set, val_set = blobs
    model = mlp()
    sgd = torch.optim.SGD(model.parameters(), lr=0.123)
    h = fit(model, train_set, val_set, TrainConfig(epochs=1, batch_size=8), optimizer=sgd)
    assert h.lr == [0.123]
    h = fit(mlp(), train_set, val_set, TrainConfig(epochs=1, batch_size=8), optimizer=adamw(0.02))
    assert h.lr == [0.02]
    with pytest.raises(InputError, match="warmup_steps"):
        warmup_cosine(11, 10)


class RecordingSGD(torch.optim.SGD):
    """SGD that records the gradients' global L2 norm when step() is called."""

    norms: list[float]

    def step(self, closure=None):
        grads = [p.grad for g in self.param_groups for p in g["params"] if p.grad is not None]
        self.norms.append(float(torch.linalg.vector_norm(torch.stack(
            [torch.linalg.vector_norm(g) for g in grads]))))  # fmt: skip
        return super().step(closure)


@pytest.mark.parametrize("clip", [None, 0.05])
def test_clipping_happens_after_backward_and_before_step(blobs, clip):
    train_set, val_set = blobs
    model = mlp()
    opt = RecordingSGD(model.parameters(), lr=0.5)
    opt.norms = []
    fit(model, train_set, val_set, TrainConfig(epochs=2, batch_size=8, clip_norm=clip),
        optimizer=opt)  # fmt: skip
    assert len(opt.norms) == 10
    if clip is None:
        assert max(opt.norms) > 0.05  # unclipped gradients are larger than the bound
    else:
        assert max(opt.norms) <= clip * (1 + 1e-5) and min(opt.norms) > 0.5 * clip


def test_step_budget_stops_at_max_steps(blobs):
    train_set, val_set = blobs
    seen = []
    cfg = TrainConfig(epochs=None, max_steps=7, batch_size=8, eval_every=3, patience=None)
    h = fit(mlp(), train_set, val_set, cfg, on_step=lambda s, t, loss: seen.append((s, t)))
    assert seen[-1] == (7, 7) and len(seen) == 7
    assert h.steps == [3, 6, 7]  # every 3 steps, and once where the budget ends
    cfg = TrainConfig(epochs=2, max_steps=100, batch_size=8)
    assert fit(mlp(), train_set, val_set, cfg).steps == [5, 10]  # whichever ends first


def test_early_stopping_restores_the_best_evaluations_weights(blobs):
    train_set, val_set = blobs
    model = mlp()
    cfg = TrainConfig(epochs=30, batch_size=8, lr=0.3, patience=2, min_delta=0.0)
    h = fit(model, train_set, val_set, cfg)
    assert h.stopped_early and len(h.val_loss) < 30
    assert h.best_epoch == 1 + h.val_loss.index(min(h.val_loss)) < len(h.val_loss)
    loss, _ = evaluate(model, val_set, torch.nn.CrossEntropyLoss())
    assert loss == pytest.approx(min(h.val_loss), rel=1e-6)


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("epochs", 0, "--epochs"),
        ("epochs", None, "budget"),
        ("max_steps", 0, "--max-steps"),
        ("batch_size", 0, "--batch-size"),
        ("batch_size", 2.5, "--batch-size"),
        ("lr", float("nan"), "--lr"),
        ("lr", 0.0, "--lr"),
        ("weight_decay", -1.0, "--weight-decay"),
        ("clip_norm", 0.0, "--clip-norm"),
        ("patience", 0, "--patience"),
        ("min_delta", float("inf"), "--min-delta"),
        ("seed", 2**32, "--seed"),
        ("eval_every", 0, "--eval-every"),
        ("save_every", -2, "--save-every"),
        ("eval_batch_size", 0, "--eval-batch-size"),
        ("mixed_precision", "fp8", "bf16"),
        ("resume", True, "checkpoint"),
    ],
)
def test_every_number_is_validated_up_front(field, value, match):
    with pytest.raises(InputError, match=match):
        TrainConfig(**{field: value}).validate()


def test_bad_config_fails_before_any_work(blobs):
    train_set, val_set = blobs
    model = mlp()
    before = [p.detach().clone() for p in model.parameters()]
    with pytest.raises(InputError):
        fit(model, train_set, val_set, TrainConfig(epochs=1, lr=-1.0))
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters(), strict=True))


@pytest.mark.parametrize(("warmup", "total"), [(0, 10), (3, 20), (10, 10), (5, 37)])
def test_warmup_linear_matches_hugging_face(warmup, total):
    from transformers import get_linear_schedule_with_warmup

    from deepmap.train.schedules import warmup_linear

    ours_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ref_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    ours, ref = (
        warmup_linear(warmup, total)(ours_opt),
        get_linear_schedule_with_warmup(ref_opt, warmup, total),
    )
    for _ in range(total + 3):
        assert ours_opt.param_groups[0]["lr"] == pytest.approx(ref_opt.param_groups[0]["lr"])
        for opt, sched in ((ours_opt, ours), (ref_opt, ref)):
            opt.step()
            sched.step()
