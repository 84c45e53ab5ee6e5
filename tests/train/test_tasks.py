"""The loop's tasks: a stateful toy LM (carried, detached state), dict batches, and a
plain function."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from tests.train.toys import B, DictModel, TinyLM, V, dict_rows, lm_run, mlp, streams  # noqa: E402

from deepmap.train import HFTask, TrainConfig, fit  # noqa: E402


def test_stateful_lm_carries_a_detached_state_and_learns():
    h, model = lm_run(None, epochs=6)
    assert h.val_loss[-1] < 0.3 * h.val_loss[0]  # the pattern is learnt
    train_calls = [s for s in model.seen[: len(streams()) // B]]
    assert train_calls[0] is None  # the first batch of an epoch starts fresh
    for state in train_calls[1:]:  # later ones get the last batch's (h, c), detached
        assert state is not None and all(t.grad_fn is None and t.shape == (1, B, 16)
                                          for t in state)  # fmt: skip


def test_the_carried_state_is_what_the_model_returned():
    seen_out = []

    def step(model, batch, state):
        x, y = batch
        logits, new = model(x, state)
        if model.training:  # (evaluation runs the same step in inference mode)
            seen_out.append(new)
            assert new[0].grad_fn is not None  # still attached when the task returns it
        return torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1)), new

    model = TinyLM()
    cfg = TrainConfig(epochs=1, batch_size=B, shuffle=False, patience=None)
    fit(model, streams(), streams(seed=1), cfg, task=step)
    carried_in = model.seen[1 : len(seen_out)]
    assert len(carried_in) == len(streams()) // B - 1 > 2
    for given, returned in zip(carried_in, seen_out, strict=False):
        assert torch.equal(given[0], returned[0].detach())


def test_dict_batches_train_a_hugging_face_style_model():
    model = DictModel()
    cfg = TrainConfig(epochs=5, batch_size=8, lr=5e-2, patience=None)
    h = fit(model, dict_rows(64, 0), dict_rows(32, 1), cfg, task=HFTask())
    assert h.val_loss[-1] < 0.5 * h.val_loss[0]
    assert h.val_accuracy == []  # no accuracy unless the task computes one


def test_a_function_task_and_loss_fn_clash(blobs):
    from deepmap.errors import InputError

    train_set, val_set = blobs

    def step(model, batch, state):
        x, y = batch
        return torch.nn.functional.cross_entropy(model(x), y), None

    h = fit(mlp(), train_set, val_set, TrainConfig(epochs=2, batch_size=8), task=step)
    assert len(h.val_loss) == 2
    with pytest.raises(InputError, match="not both"):
        fit(mlp(), train_set, val_set, TrainConfig(epochs=1), task=step,
            loss_fn=torch.nn.CrossEntropyLoss())  # fmt: skip
