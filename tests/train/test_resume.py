"""Resume must be exact: an interrupted and resumed run equals an uninterrupted one
(bit-identical losses and weights on the CPU), with dropout, shuffling, a random
augmentation, AdamW and a warmup + cosine schedule in play."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("accelerate")

from tests.train.toys import Blobs, Interrupt, interrupt_at, lm_run, mlp  # noqa: E402

from deepmap.train import TrainConfig, adamw, fit, warmup_cosine  # noqa: E402

KEYS = ("train_loss", "val_loss", "val_accuracy", "steps", "lr", "best_epoch", "stopped_early")


def train(train_set, val_set, cfg, *, on_step=None):
    model = mlp()
    h = fit(model, train_set, val_set, cfg, on_step=on_step, optimizer=adamw(3e-2),
            scheduler=warmup_cosine(3, 40))  # fmt: skip
    return h, model


def same_run(a, b) -> None:
    (ha, ma), (hb, mb) = a, b
    for key in KEYS:
        assert getattr(ha, key) == getattr(hb, key), key
    for (name, p), q in zip(ma.state_dict().items(), mb.state_dict().values(), strict=True):
        assert torch.equal(p, q), name


@pytest.mark.parametrize(
    ("interrupt", "extra"),
    [
        (2 * 5 + 1, {}),  # in the first step of epoch 3: resumes from the end of epoch 2
        (8, {"save_every": 3}),  # mid-epoch: resumes from step 6, batch 1 of epoch 2
        (14, {"save_every": 4, "eval_every": 3}),  # evaluations and saves off the epochs
    ],
)
def test_interrupted_and_resumed_equals_uninterrupted(tmp_path, blobs, interrupt, extra):
    train_set, val_set = blobs
    cfg = TrainConfig(epochs=4, batch_size=8, patience=None, seed=3, **extra)
    full = train(train_set, val_set, cfg)
    ck = TrainConfig(epochs=4, batch_size=8, patience=None, seed=3, **extra,
                     checkpoint_dir=tmp_path / "ck")  # fmt: skip
    with pytest.raises(Interrupt):
        train(train_set, val_set, ck, on_step=interrupt_at(interrupt))
    ck.resume = True
    resumed = train(train_set, val_set, ck)
    assert resumed[0].resumed_from_step < interrupt
    same_run(full, resumed)
    assert len(full[0].val_loss) >= 4
    # the augmentation, dropout and the order really are random: another seed differs
    other = train(train_set, val_set, TrainConfig(epochs=4, batch_size=8, patience=None,
                                                  seed=4, **extra))  # fmt: skip
    assert other[0].train_loss != full[0].train_loss


def test_resume_continues_a_finished_run_and_keeps_early_stopping(tmp_path, blobs):
    train_set, val_set = blobs
    full = train(train_set, val_set, TrainConfig(epochs=5, batch_size=8, patience=2))
    part = TrainConfig(epochs=2, batch_size=8, patience=2, checkpoint_dir=tmp_path / "ck")
    h2, _ = train(train_set, val_set, part)
    more = TrainConfig(epochs=5, batch_size=8, patience=2, checkpoint_dir=tmp_path / "ck",
                       resume=True)  # fmt: skip
    resumed = train(train_set, val_set, more)
    assert resumed[0].resumed_from_epoch == 2 and resumed[0].val_loss[:2] == h2.val_loss
    same_run(full, resumed)  # the best weights restored are the same ones, too


def test_stateful_resume_carries_the_hidden_state(tmp_path):
    """Truncated BPTT: a checkpoint mid-epoch keeps the carried state (see test_tasks)."""
    full = lm_run(None, epochs=2)
    with pytest.raises(Interrupt):
        lm_run(tmp_path / "ck", epochs=2, save_every=3, on_step=interrupt_at(5))
    resumed = lm_run(tmp_path / "ck", epochs=2, save_every=3, resume=True)
    same_run(full, resumed)


def test_resume_without_a_checkpoint_starts_fresh(tmp_path, blobs):
    train_set, val_set = blobs
    cfg = TrainConfig(epochs=1, batch_size=8, checkpoint_dir=tmp_path / "none", resume=True)
    h, _ = train(train_set, val_set, cfg)
    assert h.resumed_from_step == 0 and len(h.val_loss) == 1
    assert (tmp_path / "none" / "state" / "model.safetensors").is_file()
    assert isinstance(Blobs(4, 0)[0][0], torch.Tensor)
