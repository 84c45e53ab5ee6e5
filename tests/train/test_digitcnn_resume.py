"""The issue's case through the existing lab, unedited: `deepmap.vision.labs.run_digitcnn`
on the bundled 8x8 digits, interrupted after an epoch and resumed, ends with the same
numbers (every loss, the test accuracy, the confusion matrix) as the uninterrupted run."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")
pytest.importorskip("accelerate")

from tests.train.toys import Interrupt

from deepmap.data.digits import resolve_digits
from deepmap.train import TrainConfig
from deepmap.vision.labs import run_digitcnn

SAME = ("test_accuracy", "misclassified", "confusion_matrix")
CURVES = ("train_loss", "val_loss", "val_accuracy", "best_epoch", "stopped_early")


def interrupted_then_resumed(digits, tmp_path, *, epochs: int, after: int, **kw):
    def stop_after(epoch: int, metrics: dict) -> None:  # the checkpoint is already written
        if epoch == after:
            raise Interrupt

    cfg = TrainConfig(epochs=epochs, checkpoint_dir=tmp_path / "ck", **kw)
    with pytest.raises(Interrupt):
        run_digitcnn(digits, cfg, on_epoch=stop_after)
    cfg.resume = True
    return run_digitcnn(digits, cfg)[0]


def assert_same(full: dict, resumed: dict) -> None:
    for key in SAME:
        assert resumed[key] == full[key], key
    for key in CURVES:
        assert resumed["history"][key] == full["history"][key], key


def test_digitcnn_resumed_equals_uninterrupted_small(tmp_path):
    digits = resolve_digits("digits", seed=0)[0].limit(128)
    full, _ = run_digitcnn(digits, TrainConfig(epochs=2, batch_size=64, patience=20))
    resumed = interrupted_then_resumed(digits, tmp_path, epochs=2, after=1, batch_size=64,
                                       patience=20)  # fmt: skip
    assert resumed["history"]["resumed_from_epoch"] == 1
    assert_same(full, resumed)


@pytest.mark.slow
def test_digitcnn_issue_case(tmp_path):
    """`deepmap train digitcnn --data digits --epochs 10 --patience 20`, interrupted after
    epoch 3 and resumed (about 5 minutes on 2 CPU cores)."""
    digits = resolve_digits("digits", seed=0)[0]
    full, _ = run_digitcnn(digits, TrainConfig(epochs=10, patience=20))
    resumed = interrupted_then_resumed(digits, tmp_path, epochs=10, after=3, patience=20)
    assert resumed["history"]["resumed_from_epoch"] == 3
    assert_same(full, resumed)
